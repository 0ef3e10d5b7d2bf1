"""Compare scenarios: the same seed and replicates for each (common random numbers), so
the difference between two scenarios in one replicate is the effect of the policy, and
its spread across replicates is the uncertainty of that effect.

Besides outcome totals, each scenario after the first gets derived measures against the
first (the reference), computed from totals over the window and paired by replicate:

- displacement index: 1 - (fall in delivered flow) / (fall in flow on the legs the
  scenario's interventions target). Of each kg the measure took off the targeted legs,
  the share that still reached consumers by other routes (0: all removed; 1: all
  displaced; above 1: more delivered than before). Undefined (blank) when the
  scenario targets no legs or does not lower flow on them.
- cost per kg kept from consumers: extra spending (interdiction, inspection, treatment)
  divided by the fall in delivered flow (USD/kg), for all markets and for the United
  States alone (RAND's measure); blank when delivered flow does not fall.
- strike deaths per tonne kept from consumers: extra people killed in lethal strikes
  (crew and misidentified) per tonne less delivered, and per extra tonne seized or
  destroyed.

Spending counts agencies' budgets, effort on edges, container inspection and treatment
(`COSTED_KINDS`). A scenario that adds only interventions whose cost the model does not
represent (better effectiveness, a strike share, production or demand shifts) and
spends nothing extra gets NaN spending and cost ratios with the note "cost not
modelled", never a cost of zero; one that mixes both keeps its numbers with a note
naming what they leave out.

Ratios are ratios of means over replicates; their 90% interval comes from a bootstrap
over replicates (1,000 resamples, fixed seed). A ratio is left blank when its
denominator is not clearly positive (its mean over a resample is not above zero in more
than 5% of resamples): a cost per kg of an effect that may be nil means nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from corredor.api import run
from corredor.errors import CorredorError
from corredor.results import Results


def _from_ports(ds: xr.Dataset, country: str) -> xr.DataArray:
    """Tonnes on legs leaving a country's ports (containers and boats)."""
    ports = ds["node"].values[
        (ds["node_kind"].values == "port") & (ds["node_country"].values == country)
    ]
    legs = np.isin(ds["edge_from"].values, ports)
    return ds["flow_kg"].isel(edge=np.flatnonzero(legs)).sum(("time", "edge")) / 1e3


# name: (label, function of the dataset restricted to the window -> (replicate,) values)
OUTCOMES: dict[str, tuple[str, Callable[[xr.Dataset], xr.DataArray]]] = {
    "delivered_us_t": (
        "Delivered to the US (t)",
        lambda ds: ds["delivered_kg"].sel(market="mkt-us").sum("time") / 1e3,
    ),
    "delivered_eu_t": (
        "Delivered to Europe (t)",
        lambda ds: ds["delivered_kg"].sel(market="mkt-eu").sum("time") / 1e3,
    ),
    "delivered_t": (
        "Delivered, all markets (t)",
        lambda ds: ds["delivered_kg"].sum(("time", "market")) / 1e3,
    ),
    "consumed_t": (
        "Consumed, all markets (t)",
        lambda ds: _consumed(ds, None),
    ),
    "consumed_us_t": (
        "Consumed in the US (t)",
        lambda ds: _consumed(ds, "mkt-us"),
    ),
    "seized_t": ("Seized (t)", lambda ds: ds["seized_kg"].sum(("time", "country")) / 1e3),
    "destroyed_t": (
        "Destroyed in strikes (t)",
        lambda ds: ds["destroyed_kg"].sum(("time", "country")) / 1e3,
    ),
    "transit_ec_t": (
        "Flow through Ecuador (t)",
        lambda ds: ds["transit_kg"].sel(country="EC").sum("time") / 1e3,
    ),
    "ports_ec_t": ("Shipped from Ecuador's ports (t)", lambda ds: _from_ports(ds, "EC")),
    "ports_co_t": ("Shipped from Colombia's ports (t)", lambda ds: _from_ports(ds, "CO")),
    "ports_pe_t": ("Shipped from Peru's ports (t)", lambda ds: _from_ports(ds, "PE")),
    "homicides_ec": (
        "Homicides in Ecuador",
        lambda ds: ds["homicides_country"].sel(country="EC").sum("time"),
    ),
    "deaths_crew": (
        "Crew killed in strikes",
        lambda ds: ds["deaths_crew"].sum(("time", "country")),
    ),
    "deaths_misidentified": (
        "People killed, not trafficking",
        lambda ds: ds["deaths_misidentified"].sum(("time", "country")),
    ),
    "cost_musd": (
        "Spending on interdiction and treatment (million USD)",
        lambda ds: ds["cost_usd"].sum(("time", "payer")) / 1e6,
    ),
}


def _consumed(ds: xr.Dataset, market: str | None) -> xr.DataArray:
    """Tonnes consumed in the window (deliveries, for results without consumption)."""
    name = "consumed_kg" if "consumed_kg" in ds else "delivered_kg"
    da = ds[name] if market is None else ds[name].sel(market=market)
    dims = ("time", "market") if market is None else ("time",)
    return da.sum(dims) / 1e3


DERIVED = {
    "displacement_index": "Displacement index (targeted fall still delivered)",
    "cost_per_kg_kept_usd": "Cost per kg kept from consumers (USD/kg)",
    "cost_per_kg_kept_us_usd": "Cost per kg kept from US consumers (USD/kg)",
    "deaths_per_t_kept": "Strike deaths per tonne kept from consumers",
    "deaths_per_t_interdicted": "Strike deaths per extra tonne seized or destroyed",
}
BOOTSTRAP = 1000
# Intervention kinds whose spending the model counts (engine costs: budgets, effort,
# inspection, treatment); the others change outcomes at no modelled cost.
COSTED_KINDS = ("budget", "effort", "inspection_share", "treatment")
COST_ROWS = ("cost_musd", "cost_per_kg_kept_usd", "cost_per_kg_kept_us_usd")
NOT_MODELLED = "cost not modelled"


def uncosted_kinds(scenario, reference) -> list[str]:
    """Kinds of `scenario`'s own interventions (absent from `reference`) whose cost the
    model does not count."""
    theirs = [item.spec for item in reference.interventions]
    return list(
        dict.fromkeys(
            item.spec.what
            for item in scenario.interventions
            if item.spec not in theirs and item.spec.what not in COSTED_KINDS
        )
    )


def targeted_edges(scenario) -> np.ndarray:
    """(E,) legs the scenario's interventions act on (empty for demand-side measures)."""
    from corredor.interdiction import CAPABILITY_OF_MODE, MARITIME_MODES

    net = scenario.network
    mask = np.zeros(len(net.edges), dtype=bool)
    agencies = list(scenario.agencies.values())
    for item in scenario.interventions:
        kind = item.spec.what
        if kind in ("effort", "effectiveness", "inspection_share"):
            on = item.edges.copy()
            if item.agency is not None and kind != "inspection_share":
                a = agencies[item.agency]
                on &= np.array([net.jurisdiction(e) in a.jurisdictions for e in net.edges])
            mask |= on
        elif kind in ("budget", "strike_share"):
            a = agencies[item.agency]
            for i, e in enumerate(net.edges):
                cap = CAPABILITY_OF_MODE[e.mode]
                if net.jurisdiction(e) not in a.jurisdictions:
                    continue
                if (
                    kind == "strike_share"
                    and e.mode in MARITIME_MODES
                    or kind == "budget"
                    and cap in item.capabilities
                ):
                    mask[i] = True
    return mask


def _flow_t(window: xr.Dataset, legs: np.ndarray) -> np.ndarray:
    """(replicate,) tonnes that entered the given legs over the window."""
    return window["flow_kg"].isel(edge=legs).sum(("time", "edge")).values / 1e3


def _ratio(num: np.ndarray, den: np.ndarray, *, one_minus: bool = False) -> tuple:
    """Ratio of means with a bootstrap 90% interval; NaN where the denominator is not > 0."""

    def value(n, d):
        m = d.mean()
        if not m > 0:
            return np.nan
        r = n.mean() / m
        return 1.0 - r if one_minus else r

    point = value(num, den)
    if np.isnan(point) or len(num) < 2:
        return point, np.nan, np.nan
    rng = np.random.default_rng(20260303)
    idx = rng.integers(0, len(num), size=(BOOTSTRAP, len(num)))
    boots = np.array([value(num[i], den[i]) for i in idx])
    boots = boots[np.isfinite(boots)]
    if len(boots) < 0.95 * BOOTSTRAP:
        # the denominator is not clearly positive (in more than 5% of resamples its mean
        # is not above zero): a ratio to an effect that may be nil means nothing
        return np.nan, np.nan, np.nan
    return point, np.quantile(boots, 0.05), np.quantile(boots, 0.95)


@dataclass
class Comparison:
    table: pd.DataFrame  # one row per scenario x outcome
    first: int
    last: int
    replicates: int
    seed: int
    results: dict[str, Results] | None = None  # the runs behind the table, by scenario name

    def wide(self) -> pd.DataFrame:
        """The table for reading: one row per outcome, one column per scenario, cells
        "mean [5%–95%]" and, after the first scenario, "Δ difference [5%, 95%]"."""
        from corredor.numbers import human

        df = self.table
        names = list(dict.fromkeys(df.scenario))
        rows = {}
        for _, sel in df.groupby("outcome", sort=False):
            row = {}
            for name, r in zip(names, sel.itertuples(), strict=False):
                parts = []
                if np.isfinite(r.mean):
                    parts.append(f"{human(r.mean)} [{human(r.p05)}–{human(r.p95)}]")
                if name != names[0] and np.isfinite(r.diff_mean):
                    delta = human(r.diff_mean, signed=True)
                    if np.isfinite(r.diff_p05):
                        delta += (
                            f" [{human(r.diff_p05, signed=True)}, {human(r.diff_p95, signed=True)}]"
                        )
                    parts.append(("Δ " if np.isfinite(r.mean) else "") + delta)
                row[name] = "; ".join(parts)
            if any(row.values()):
                rows[sel.label.iloc[0]] = row
        return pd.DataFrame.from_dict(rows, orient="index", columns=names)

    def _caption(self) -> str:
        return (
            f"Totals {self.first}–{self.last}, {self.replicates} runs per scenario, seed "
            f"{self.seed}: mean [5%–95%]; Δ: difference from the first scenario in the same "
            "run [90% interval]"
        )

    def __repr__(self) -> str:
        return f"<Comparison: {self._caption()}>\n{self.wide().to_string()}"

    def _repr_html_(self) -> str:
        from html import escape

        return f"<p>{escape(self._caption())}</p>" + self.wide().to_html()


def compare(
    scenarios: list,
    *,
    replicates: int = 16,
    seed: int = 1,
    first: int | None = None,
    last: int | None = None,
    progress: Callable[[str], None] | None = None,
    draws: int = 0,
    executor=None,
    steps: Callable[[float, int], None] | None = None,
) -> Comparison:
    """Run each scenario (a name, a path or a loaded Scenario) with the same seed and
    summarise outcomes over [first, last]; the first is the reference.

    With `draws` > 0, every scenario runs the same `draws` parameter draws (from the
    reference's uncertain parameters, see `uncertainty.py`) × `replicates`, with the same
    chunk seeds: intervals then cover parameter uncertainty as well as noise, and
    differences stay paired run by run.

    `progress(name)` is called as each scenario starts; `steps(done, total)` as the work
    goes on, in scenarios (done is fractional: 1.5 means half-way through the second)."""
    from corredor.scenario import Scenario, load_scenario

    if len(scenarios) < 1:
        raise CorredorError(
            "give at least one scenario",
            field="scenarios",
            fix="e.g. corredor compare baseline boat-strikes",
        )
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    names = [str(s) if not isinstance(s, Scenario) else s.name for s in scenarios]
    first = min(s.start for s in loaded) if first is None else first
    last = max(s.end for s in loaded) if last is None else last
    if first > last:
        raise CorredorError(
            f"first year {first} is after last year {last}",
            field="--from",
            fix="choose a window inside the scenarios' period",
        )
    for name, sc in zip(names, loaded, strict=True):
        if last < sc.start or first > sc.end:
            raise CorredorError(
                f"scenario {name!r} has no year in {first}-{last}",
                field="--from/--to",
                fix=f"choose years inside {sc.start}-{sc.end}",
            )
    if draws < 0:
        raise CorredorError("must not be negative", field="--draws", fix="use 0 or more")
    results: list[Results] = []
    if draws:
        from corredor.analysis.uncertainty import run_batches, sample, uncertain_parameters

        params = uncertain_parameters(loaded[0])
        values = sample(params, draws, seed)
    for i, (name, sc) in enumerate(zip(names, loaded, strict=True)):
        if progress:
            progress(name)

        def step(done: int, total: int, i: int = i) -> None:
            if steps is not None:
                steps(i + done / max(total, 1), len(loaded))

        if not draws:
            results.append(
                run(sc, replicates=replicates, seed=seed, resolution="year", progress=step)
            )
            continue
        data = run_batches(
            sc, values, draws, replicates=replicates, seed=seed, executor=executor, progress=step
        )
        data.attrs.update(draws=int(draws), replicates=int(draws * replicates))
        results.append(Results(data))
    rows = []
    base: dict[str, np.ndarray] = {}
    for i, (name, sc, res) in enumerate(zip(names, loaded, results, strict=True)):
        ds = res.data
        window = ds.isel(time=(ds["year"] >= first) & (ds["year"] <= last))
        values = {k: np.asarray(fn(window).values, dtype=float) for k, (_, fn) in OUTCOMES.items()}
        if i == 0:
            base = values
            base_window = window
        for key, (label, _) in OUTCOMES.items():
            v = values[key]
            diff = v - base[key]
            rows.append(
                dict(
                    scenario=name,
                    outcome=key,
                    label=label,
                    mean=v.mean(),
                    p05=np.quantile(v, 0.05),
                    p95=np.quantile(v, 0.95),
                    diff_mean=diff.mean(),
                    diff_p05=np.quantile(diff, 0.05),
                    diff_p95=np.quantile(diff, 0.95),
                )
            )
        # kept from consumers: tonnes less consumed, per replicate (in a demand-pulled
        # market a fall in deliveries is partly made up from stocks and other routes)
        kept = base["consumed_t"] - values["consumed_t"]
        derived = {k: (np.nan, np.nan, np.nan) for k in DERIVED}
        note = ""
        if i > 0:
            missing = uncosted_kinds(sc, loaded[0])
            if missing and np.all(values["cost_musd"] == base["cost_musd"]):
                note = NOT_MODELLED
            elif missing:
                note = f"excludes the cost of {', '.join(missing)} (not modelled)"
            legs = np.flatnonzero(targeted_edges(sc))
            if len(legs):
                fall = _flow_t(base_window, legs) - _flow_t(window, legs)
                derived["displacement_index"] = _ratio(kept, fall, one_minus=True)
            extra = values["cost_musd"] - base["cost_musd"]
            derived["cost_per_kg_kept_usd"] = _ratio(extra * 1e6, kept * 1e3)
            kept_us = base["consumed_us_t"] - values["consumed_us_t"]
            derived["cost_per_kg_kept_us_usd"] = _ratio(extra * 1e6, kept_us * 1e3)
            deaths = (values["deaths_crew"] + values["deaths_misidentified"]) - (
                base["deaths_crew"] + base["deaths_misidentified"]
            )
            derived["deaths_per_t_kept"] = _ratio(deaths, kept)
            removed = (values["seized_t"] + values["destroyed_t"]) - (
                base["seized_t"] + base["destroyed_t"]
            )
            derived["deaths_per_t_interdicted"] = _ratio(deaths, removed)
        for key, label in DERIVED.items():
            point, lo, hi = derived[key]
            rows.append(
                dict(
                    scenario=name,
                    outcome=key,
                    label=label,
                    mean=np.nan,
                    p05=np.nan,
                    p95=np.nan,
                    diff_mean=point,
                    diff_p05=lo,
                    diff_p95=hi,
                )
            )
        if note:
            for row in rows[-(len(OUTCOMES) + len(DERIVED)) :]:
                if row["outcome"] in COST_ROWS:
                    row["note"] = note
                    if note == NOT_MODELLED:
                        row.update(
                            {k: np.nan for k in ("mean", "p05", "p95")},
                            diff_mean=np.nan,
                            diff_p05=np.nan,
                            diff_p95=np.nan,
                        )
    table = pd.DataFrame(rows)
    table["note"] = table["note"].fillna("") if "note" in table else ""  # one column always
    return Comparison(
        table,
        first,
        last,
        replicates * max(draws, 1),
        seed,
        results=dict(zip(names, results, strict=True)),
    )
