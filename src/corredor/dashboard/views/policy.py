"""Try a policy: the levers of `corredor levers` as sliders and toggles, the built-in
scenarios as presets, run against the baseline with paired replicates."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from corredor.dashboard import charts, common, model

# Outcomes as metric cards, in order: (outcome key, card title)
CARDS = (
    ("delivered_t", "Delivered to consumers"),
    ("seized_t", "Seized"),
    ("transit_ec_t", "Flow through Ecuador"),
    ("homicides_ec", "Homicides in Ecuador"),
    ("deaths_crew", "Crew killed in strikes"),
    ("deaths_misidentified", "Killed, not trafficking"),
)
CARD_COLUMNS = 3
# More is worse for these (their delta is shown red when it rises); the others are
# neither good nor bad in themselves (grey)
WORSE_UP = {"delivered_t", "homicides_ec", "deaths_crew", "deaths_misidentified"}
DERIVED_SHOWN = (
    "displacement_index",
    "cost_per_kg_kept_usd",
    "cost_per_kg_kept_us_usd",
    "deaths_per_t_kept",
)
DIGITS = 4  # lever values are compared with their defaults at this precision
RUN_KEY = "policy_run"  # the policy last run (session state)


def lever_widgets(preset: str, s: model.Settings) -> model.Policy:
    """One slider per lever (a toggle first for shares: off is 0); the policy is the
    preset with every lever that differs from the preset's own value."""
    levers = model.levers(preset, s)
    st.caption(
        f"Levers act from 1 January {s.lever_year}; each starts at the preset's own value "
        "(a toggle turned off sets its share to 0). Hover a lever's name for what it "
        "changes; its evidence is linked below it."
    )
    moved: list[tuple[str, float]] = []
    columns = st.columns(2)
    for i, lever in enumerate(levers):
        key = f"lever_{preset}_{s.lever_year}_{lever.name}"
        with columns[i % 2]:
            share = lever.unit == "share"
            on = True
            if share:
                on = st.toggle(
                    f"{lever.name.replace('_', ' ')}: on",
                    value=lever.default > 0,
                    key=key + "_on",
                    help=f"Off sets {lever.name} to 0 from {s.lever_year}.",
                )
            step = 0.05 if share else 0.1
            value = st.slider(
                f"{lever.name} ({lever.unit})",
                min_value=float(lever.low),
                max_value=float(lever.high),
                value=float(lever.default),
                step=step,
                key=key,
                disabled=not on,
                help=f"{lever.doc}. Changes `{lever.target}`; the preset's value is "
                f"{lever.default:g}; bounds [{lever.low:g}, {lever.high:g}].",
            )
            value = round(float(value), DIGITS) if on else 0.0
            st.caption(
                "evidence: " + common.evidence_links(lever.evidence)
                if lever.evidence
                else "evidence: none (its value is the policy you choose)"
            )
            if value != round(float(lever.default), DIGITS):
                moved.append((lever.name, value))
    return model.Policy(preset, tuple(moved))


def comparison_rows(comp: model.PolicyComparison, label: str) -> pd.DataFrame:
    """The table shown: each outcome's reference and policy means over the window, the
    paired difference and its 90% interval (numbers as `compare` gives them)."""
    units = model.outcome_units()
    table = comp.table
    ref = table[table["scenario"] == comp.labels[0]].set_index("outcome")
    pol = table[table["scenario"] == label].set_index("outcome")
    rows = []
    for key in pol.index:
        if not math.isfinite(pol.loc[key, "mean"]):
            continue  # derived measures are shown apart
        rows.append(
            dict(
                outcome=key,
                label=pol.loc[key, "label"],
                unit=units[key],
                reference=ref.loc[key, "mean"],
                policy=pol.loc[key, "mean"],
                policy_p05=pol.loc[key, "p05"],
                policy_p95=pol.loc[key, "p95"],
                difference=pol.loc[key, "diff_mean"],
                diff_p05=pol.loc[key, "diff_p05"],
                diff_p95=pol.loc[key, "diff_p95"],
            )
        )
    return pd.DataFrame(rows)


def show_results(
    comp: model.PolicyComparison, label: str, seconds: float, from_cache: bool
) -> None:
    rows = comparison_rows(comp, label).set_index("outcome")
    window = f"{comp.first}–{comp.last}" if comp.first != comp.last else str(comp.first)
    timing = f"computed in {seconds:.1f} s" + ("; shown from the cache" if from_cache else "")
    st.success(
        f"**{label}** against the baseline: totals over {window}, {comp.replicates} paired "
        f"replicates, seed {comp.seed} ({timing})."
    )
    columns = st.columns(CARD_COLUMNS)
    for i, (key, title) in enumerate(CARDS):
        r = rows.loc[key]
        columns[i % CARD_COLUMNS].metric(
            title,
            f"{common.fmt(r.policy)} {r.unit}",
            delta=common.fmt(r.difference, signed=True),
            delta_color="inverse" if key in WORSE_UP else "off",
            help=f"Difference from the baseline in the same replicate: "
            f"{common.fmt(r.difference, True)} {r.unit}, 90% interval "
            f"[{common.fmt(r.diff_p05, True)}, {common.fmt(r.diff_p95, True)}].",
        )
    st.subheader("Derived measures")
    measures = model.readings(comp, label)
    columns = st.columns(2)
    for i, key in enumerate(DERIVED_SHOWN):
        col = columns[i % 2]
        m = measures[key]
        title = f"{m.label.split(' (')[0]} ({m.unit})"
        if not math.isfinite(m.value) or m.note == "cost not modelled":
            col.metric(title, "–", help=m.note)
            col.caption(m.note)
        else:
            col.metric(title, common.fmt(m.value))
            interval = (
                f"90% interval [{common.fmt(m.low)}, {common.fmt(m.high)}]"
                if math.isfinite(m.low)
                else "no interval (too few replicates)"
            )
            col.caption(interval + (f"; {m.note}" if m.note else ""))
    st.subheader("Every outcome")
    table = rows.reset_index()
    pct = table.assign(
        pct=100 * table["difference"] / table["reference"].where(table["reference"] != 0),
        pct_low=100 * table["diff_p05"] / table["reference"].where(table["reference"] != 0),
        pct_high=100 * table["diff_p95"] / table["reference"].where(table["reference"] != 0),
    ).dropna(subset=["pct"])
    st.plotly_chart(
        charts.differences(pct, title="Change from the baseline (% of the baseline's total)"),
        config=charts.CONFIG,
        key="policy_differences",
    )
    st.dataframe(
        table,
        hide_index=True,
        key="policy_table",
        height=common.table_height(table),
        column_config={
            "outcome": None,
            "label": st.column_config.TextColumn("outcome"),
            "reference": st.column_config.NumberColumn("baseline", format="%.2f"),
            "policy": st.column_config.NumberColumn("policy", format="%.2f"),
            "policy_p05": st.column_config.NumberColumn("policy 5%", format="%.2f"),
            "policy_p95": st.column_config.NumberColumn("policy 95%", format="%.2f"),
            "difference": st.column_config.NumberColumn("difference", format="%+.2f"),
            "diff_p05": st.column_config.NumberColumn("difference 5%", format="%+.2f"),
            "diff_p95": st.column_config.NumberColumn("difference 95%", format="%+.2f"),
        },
    )
    st.caption(
        "Totals over the window. Differences are taken replicate by replicate against the "
        "baseline (same seed), so they measure the policy, not the luck of the draw; the "
        "interval spans their 5th to 95th percentile (chance variation only)."
    )


def render() -> None:
    st.title("Try a policy")
    s = common.settings()
    presets = model.presets()
    preset = st.selectbox(
        "Preset",
        presets,
        key="policy_preset",
        format_func=lambda n: f"{n}: {model.preset_info(n)['title']}",
        help="A built-in scenario to start from; the levers then change it further.",
    )
    info = model.preset_info(preset)
    if info["question"]:
        st.caption(f"Question: {info['question']}")
    # Levers sit in a form: set several, then run once (a run takes seconds).
    with st.form("levers", border=False):
        policy = lever_widgets(preset, s)
        if st.form_submit_button("Run against the baseline", type="primary"):
            st.session_state[RUN_KEY] = policy
    common.failed_checks_banner([*model.outcome_units()])
    shown = st.session_state.get(RUN_KEY)
    if shown is None:
        st.info("Set the levers, or pick a preset, and press *Run against the baseline*.")
        return
    if shown == model.Policy(model.REFERENCE):
        st.info("That is the baseline itself: move a lever or pick a preset, then run.")
        return
    if shown != policy:
        st.caption("The levers above differ from the run shown below: press Run to update.")
    comp, seconds, from_cache = common.compare_policies((shown,), s)
    show_results(comp, comp.labels[1], seconds, from_cache)
    saved = st.session_state.setdefault(common.SAVED_KEY, [])
    if shown in saved:
        st.caption(f"Saved for Compare ({len(saved)} saved).")
    elif st.button("Save this run for Compare", key="policy_save"):
        saved.append(shown)
        st.caption(f"Saved for Compare ({len(saved)} saved).")


if __name__ == "__main__":
    render()
