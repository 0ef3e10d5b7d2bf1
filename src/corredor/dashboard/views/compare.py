"""Compare saved runs side by side against the baseline; download the comparison as CSV
and as the HTML report of `corredor report`."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from corredor.dashboard import cache, common, model


def side_by_side(comp: model.PolicyComparison) -> pd.DataFrame:
    """One row per outcome, one column per run: 'mean [p05–p95]' and, for the policies,
    the paired difference from the baseline with its 90% interval."""
    units = model.outcome_units()
    table = comp.table
    out: dict[str, dict[str, str]] = {}
    for i, label in enumerate(comp.labels):
        rows = table[table["scenario"] == label].set_index("outcome")
        for key, r in rows.iterrows():
            cell = (
                f"{common.fmt(r['mean'])} [{common.fmt(r.p05)}–{common.fmt(r.p95)}]"
                if math.isfinite(r["mean"])
                else ""
            )
            if i and math.isfinite(r.diff_mean):
                diff = common.fmt(r.diff_mean, signed=math.isfinite(r["mean"]))
                if math.isfinite(r.diff_p05):
                    diff += (
                        f" [{common.fmt(r.diff_p05, math.isfinite(r['mean']))}, "
                        f"{common.fmt(r.diff_p95, math.isfinite(r['mean']))}]"
                    )
                cell = f"{cell}  Δ {diff}" if cell else diff
            row = out.setdefault(key, {"outcome": f"{r.label}", "unit": units[key]})
            row[label] = cell or "–"
    frame = pd.DataFrame(out.values())
    policy_cols = frame.columns[3:]
    empty = (frame[policy_cols] == "–").all(axis=1) if len(policy_cols) else False
    return frame[~empty] if len(policy_cols) else frame


def render() -> None:
    st.title("Compare saved runs")
    s = common.settings()
    saved: list[model.Policy] = st.session_state.setdefault(common.SAVED_KEY, [])
    options = list(dict.fromkeys([*saved, *(model.Policy(p) for p in model.presets()[1:])]))
    if not saved:
        st.info("No saved runs yet: save one on *Try a policy*, or pick built-in scenarios here.")
    chosen = st.multiselect(
        "Runs to compare with the baseline",
        options,
        default=saved,
        format_func=lambda p: p.label,
        key="compare_runs",
    )
    if not chosen:
        return
    common.failed_checks_banner([*model.outcome_units()])
    policies = tuple(chosen)
    comp, seconds, _ = common.compare_policies(policies, s)
    window = f"{comp.first}–{comp.last}"
    st.caption(
        f"Totals over {window}, {comp.replicates} paired replicates, seed {comp.seed}"
        + f" (computed in {seconds:.1f} s)"
        + ". mean [5%–95%]; Δ = difference from the baseline in the same replicate "
        "[90% interval]."
    )
    table = side_by_side(comp)
    st.dataframe(table, hide_index=True, key="compare_table", height=common.table_height(table))
    left, right = st.columns(2)
    left.download_button(
        "Download the comparison (CSV)",
        comp.table.to_csv(index=False, float_format="%.6g"),
        file_name="comparison.csv",
        mime="text/csv",
        key="compare_csv",
    )
    key = ("report", policies, s)
    found, html = cache.get(key)
    if not found and right.button("Build the HTML report", key="compare_build"):
        with st.spinner("drawing the report's figures"):
            html = cache.cached(key, lambda: model.report_html(comp, list(policies), s))
        found = True
    if found:
        right.download_button(
            "Download the HTML report",
            html,
            file_name="report.html",
            mime="text/html",
            key="compare_html",
        )


if __name__ == "__main__":
    render()
