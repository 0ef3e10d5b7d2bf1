"""Explore a scenario: a map of flows by leg with a year slider, flows by departure
country, seizures by country with bands, prices, homicides, strikes and deaths."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from corredor.dashboard import charts, common, model

# Outcomes this page shows, as the comparison table and the summary name them (the
# validation checks bearing on any of them are listed on the page).
OUTCOMES = [
    "produced_t",
    "seized_t",
    "delivered_t",
    "delivered_us_t",
    "delivered_eu_t",
    "transit_t",
    "transit_ec_t",
    "transit_share",
    "transit_share_of_origin",
    "price_usd_per_kg",
    "homicides",
    "homicides_ec",
    "homicide_rate",
    "strikes",
    "deaths_crew",
    "deaths_misidentified",
]
FRAMES = {
    "Corridor: Colombia, Ecuador, Peru": model.CORRIDOR_COUNTRIES,
    "Whole network": None,
}
SHOWN_COUNTRIES = 5  # seizure lines drawn by default (the largest)


def _metric(run: model.ScenarioRun, metric: str) -> pd.DataFrame:
    return run.summary[run.summary["metric"] == metric]


def _observed(series: str, s: model.Settings) -> pd.DataFrame:
    """Observed values of a series in the simulated years."""
    hist = model.history_table()
    return hist[(hist["series"] == series) & hist["year"].between(s.start, s.end)]


def render() -> None:
    st.title("Explore a scenario")
    s = common.settings()
    names = model.presets()
    name = st.selectbox(
        "Scenario",
        names,
        key="explore_scenario",
        format_func=lambda n: f"{n}: {model.preset_info(n)['title']}",
    )
    info = model.preset_info(name)
    if info["question"]:
        st.caption(f"Question: {info['question']}")
    run = common.run_scenario(name, s)
    st.caption(
        f"{s.replicates} replicates, seed {s.seed}, {s.start}–{s.end}. Lines are means "
        "across replicates; shaded bands span the 5th to 95th percentile (chance "
        "variation, not parameter uncertainty). Tonnes are of pure cocaine hydrochloride."
    )
    common.failed_checks_banner(OUTCOMES)
    countries = {c: model.country_name(c) for c in run.summary["region"].unique()}

    st.subheader("Flows on the network")
    left, right = st.columns([3, 2])
    year = left.slider(
        "Year", s.start, s.end, min(max(s.lever_year, s.start), s.end), key=f"map_{s.start}_{s.end}"
    )
    framing = right.radio("Frame", list(FRAMES), key="explore_frame", horizontal=True)
    extent = charts.frame(run.nodes, FRAMES[framing])
    fig = charts.flow_map(
        run.edges[run.edges["year"] == year],
        run.nodes,
        model.country_outlines(),
        title=f"Mean flow entering each leg in {year} (t/year)",
        extent=extent,
    )
    st.plotly_chart(fig, config=charts.CONFIG, key="explore_map")
    common.what_is_this(
        "Tonnes entering each transport leg during the year, averaged over replicates; "
        "legs joining the same two places by different modes are added. Line width grows "
        "with flow in six classes; dotted grey legs carried nothing. Hover a leg's middle "
        "for its value. Routes are chosen by the trafficking groups from expected profit "
        "under the risk they perceive. Outlines: Natural Earth (public domain).",
        model.series_evidence("transit_share_of_origin", ("routes.", "traffickers.")),
    )

    st.subheader("Flows by departure country")
    fig = charts.stacked(
        run.corridors, title="Cocaine dispatched by departure country", unit="t/year",
        names=countries,
    )  # fmt: skip
    st.plotly_chart(fig, config=charts.CONFIG, key="explore_corridors")
    common.what_is_this(
        "Tonnes dispatched per year by the country whose port or airstrip the route "
        "leaves from (mean across replicates), stacked.",
        model.series_evidence("produced_t", ("production.", "traffickers.dispatch")),
    )

    st.subheader("Seizures by country")
    seized = _metric(run, "seized_t")
    seized = seized[seized["region"] != "world"]
    ranked = seized.groupby("region")["mean"].sum().sort_values(ascending=False)
    chosen = st.multiselect(
        "Countries",
        list(ranked.index),
        default=list(ranked.index[:SHOWN_COUNTRIES]),
        format_func=lambda c: countries.get(c, c),
        key="explore_seizure_countries",
    )
    fig = charts.bands(
        seized[seized["region"].isin(chosen)],
        title="Seizures by the country recording them",
        unit="t/year",
        names=countries,
        observed=_observed("seized_t", s),
    )
    st.plotly_chart(fig, config=charts.CONFIG, key="explore_seizures")
    common.what_is_this(
        "Tonnes seized per year, credited to the country where the seizure is recorded "
        "(on the high seas, the seizing agency's). Diamonds are the observed values the "
        "model is checked against.",
        model.series_evidence("seized_t", ("interdiction.",)),
    )

    st.subheader("Prices")
    markets = dict(zip(run.nodes["node"], run.nodes["name"], strict=True))
    fig = charts.bands(
        _metric(run, "price_usd_per_kg"),
        title="Wholesale price by consumer market (logarithmic scale)",
        unit="USD/kg",
        names=markets,
        log=True,
    )
    st.plotly_chart(fig, config=charts.CONFIG, key="explore_prices")
    common.what_is_this(
        "Wholesale price of a kilogram in each consumer market (USD/kg, yearly mean), set "
        "by the market from supply and demand.",
        model.series_evidence("price_usd_per_kg", ("markets.",)),
    )

    st.subheader("Homicides")
    rate = _metric(run, "homicide_rate")
    shown = [c for c in model.CORRIDOR_COUNTRIES if c in set(rate["region"])]
    fig = charts.bands(
        rate[rate["region"].isin(shown)],
        title="Homicide rate",
        unit="per 100,000 people per year",
        names=countries,
        observed=_observed("homicide_rate", s),
    )
    st.plotly_chart(fig, config=charts.CONFIG, key="explore_homicides")
    common.what_is_this(
        "All homicides per 100,000 inhabitants per year: a base rate plus violence driven "
        "by cocaine flow and rivalry between groups. Diamonds are observed rates.",
        model.series_evidence("homicide_rate", ("violence.",)),
    )

    st.subheader("Lethal strikes and deaths")
    labels = {
        "strikes": "lethal strikes",
        "deaths_crew": "crew killed",
        "deaths_misidentified": "people killed, not trafficking",
    }
    parts = []
    for metric, label in labels.items():
        d = _metric(run, metric).copy()
        d["region"] = label
        parts.append(d)
    observed = pd.concat(
        [_observed(m, s).assign(region=label) for m, label in labels.items()], ignore_index=True
    )
    fig = charts.bands(
        pd.concat(parts, ignore_index=True),
        title="Lethal strikes on vessels and the people they kill",
        unit="strikes or people per year",
        observed=observed,
    )
    st.plotly_chart(fig, config=charts.CONFIG, key="explore_strikes")
    common.what_is_this(
        "Strikes per year on vessels detected by the US maritime agency (a share of its "
        "detections from September 2025), the crew they kill and the people killed on "
        "vessels that were not trafficking.",
        model.series_evidence("strikes", ("strikes.", "traffickers.strike"))
        + model.series_evidence("deaths_crew"),
    )


if __name__ == "__main__":
    render()
