"""The dashboard's one door to the model: every run, comparison, table and report the
pages show comes from a function here, so the pages hold no model logic and a change of
the public API touches this module only.

Today it builds on `corredor.run`, `corredor.analysis.compare.compare`, the lever
machinery of `corredor sweep` (`corredor.analysis.levers`), the evidence and history
tables and the HTML report of `corredor report`; the validation scorecard comes from
`corredor.analysis.validate` when that module exists (imported lazily; `scorecard`
returns None when it does not).

A policy is a `Policy`: a preset (a built-in scenario) and lever values set from the
lever year on. It always runs against `REFERENCE` (the baseline) with the same seed and
replicates, so differences are paired by replicate. `Settings` hold what every run
shares: replicates, seed, the simulated period and the lever year. Both are frozen and
hashable, so the pages can cache results on them.

Units: tonnes (t) of pure cocaine hydrochloride per year unless a column says otherwise;
people for homicides and deaths; USD per kg for prices and costs.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import importlib
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from corredor.errors import CorredorError

REFERENCE = "baseline"
VALIDATE_MODULE = "corredor.analysis.validate"
NOT_AVAILABLE = "validation scorecard not available in this version"
OWN_PUBLISHER = "Corredor"  # an evidence entry is Corredor's own when its publisher starts so
CORRIDOR_COUNTRIES = ("CO", "EC", "PE")
Progress = Callable[[float, str], None]  # (fraction done in [0, 1], what is running)


@dataclass(frozen=True)
class Settings:
    """What every run of a page shares: replicates, seed, the simulated years (`start`
    to `end`, calendar years) and the year levers act from (1 January)."""

    replicates: int = 16
    seed: int = 1
    start: int = 2015
    end: int = 2030
    lever_year: int = 2026

    def check(self) -> Settings:
        """These settings, or a CorredorError naming the field and the fix."""
        from corredor.scenario import FIRST_YEAR, LAST_YEAR

        for name, year in (("first year simulated", self.start), ("last year", self.end)):
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise CorredorError(
                    f"{year} is outside {FIRST_YEAR}-{LAST_YEAR}",
                    field=name,
                    fix="use a calendar year such as 2015",
                )
        if self.replicates < 1:
            raise CorredorError("must be at least 1", field="replicates", fix="use 1 or more")
        if self.seed < 0:
            raise CorredorError("must not be negative", field="seed", fix="use 0 or more")
        if self.start > self.end:
            raise CorredorError(
                f"first year {self.start} is after last year {self.end}",
                field="years simulated",
                fix="make the first year no later than the last",
            )
        if not self.start <= self.lever_year <= self.end:
            raise CorredorError(
                f"policies would act from {self.lever_year}, outside {self.start}-{self.end}",
                field="policy acts from",
                fix=f"choose a year from {self.start} to {self.end}",
            )
        return self


@dataclass(frozen=True)
class Policy:
    """A preset (built-in scenario name) with levers set to values (name, value)."""

    preset: str = REFERENCE
    levers: tuple[tuple[str, float], ...] = ()

    @property
    def label(self) -> str:
        """'boat-strikes + ec_container_effort=2' (the preset alone when no lever moves)."""
        moved = ", ".join(f"{k}={v:g}" for k, v in self.levers)
        return f"{self.preset} + {moved}" if moved else self.preset


# --- scenarios and levers -----------------------------------------------------------------


def presets() -> list[str]:
    """The built-in scenarios, the reference first."""
    from corredor.scenario import builtin_scenarios

    names = list(builtin_scenarios())
    return [REFERENCE, *(n for n in names if n != REFERENCE)]


@lru_cache(maxsize=32)
def _loaded(name: str):
    from corredor.scenario import load_scenario

    return load_scenario(name)


def _scenario(name: str, settings: Settings):
    """A built-in scenario over the settings' years (shared: never mutate it)."""
    return _over(name, settings.start, settings.end)


@lru_cache(maxsize=64)
def _over(name: str, start: int, end: int):
    sc = _loaded(name)
    return sc if (sc.start, sc.end) == (start, end) else sc.with_period(start, end)


def preset_info(name: str) -> dict:
    """Title, question, period and evidence ids a built-in scenario states."""
    sc = _loaded(name)
    refs = sc.raw.get("refs", [])
    return dict(
        name=name,
        title=sc.title,
        question=str(sc.raw.get("question", "")),
        refs=[str(r) for r in refs] if isinstance(refs, list) else [str(refs)],
        start=sc.start,
        end=sc.end,
    )


@dataclass(frozen=True)
class LeverInfo:
    """A lever as a page shows it: bounds, the preset's own value and its evidence."""

    name: str
    unit: str
    low: float
    high: float
    default: float
    doc: str
    kind: str
    target: str
    evidence: tuple[str, ...]


def levers(preset: str, settings: Settings) -> list[LeverInfo]:
    """The levers that act on a preset from the lever year (`corredor levers`)."""
    from corredor.analysis.levers import levers_for
    from corredor.parameters import PARAMS

    sc = _scenario(preset, settings)
    out = []
    for lever in levers_for(sc, settings.lever_year).values():
        if lever.path[0] == "parameters":
            refs = (PARAMS[lever.path[1]].evidence,)
        elif lever.path[0] == "agencies":
            refs = tuple(sc.agencies[lever.path[1]].refs)
        else:
            refs = ()
        out.append(
            LeverInfo(
                lever.name,
                lever.unit,
                lever.low,
                lever.high,
                lever.default,
                lever.doc,
                lever.kind,
                lever.target,
                refs,
            )
        )
    return out


def policy_scenario(policy: Policy, settings: Settings):
    """The preset over the settings' period with the policy's levers applied, named by
    the policy's label."""
    from corredor.analysis.levers import apply_levers, find_lever

    sc = _scenario(policy.preset, settings)
    if policy.levers:
        found = [find_lever(sc, name, settings.lever_year) for name, _ in policy.levers]
        sc = apply_levers(sc, found, [v for _, v in policy.levers])
    return dataclasses.replace(sc, name=policy.label)


# --- one scenario: the Explore page --------------------------------------------------------


@dataclass
class ScenarioRun:
    """A scenario's run summarised for display (tables are tidy, statistics across
    replicates: mean and the 5th-95th percentile band)."""

    name: str
    settings: Settings
    summary: pd.DataFrame  # year, metric, region, mean, p05, p95 (Results.summary())
    corridors: pd.DataFrame  # year, region (departure country), mean, p05, p95: t/year
    edges: pd.DataFrame  # year, edge, source, target, mode, t (mean over replicates): t/year
    nodes: pd.DataFrame  # node, name, kind, country, lat, lon


def run_scenario(name: str, settings: Settings, progress: Progress | None = None) -> ScenarioRun:
    """Run a built-in scenario (yearly sums) and summarise it for the Explore page."""
    import corredor

    settings.check()
    sc = _scenario(name, settings)
    tick = (lambda done, total: progress(done / total, f"running {name}")) if progress else None
    res = corredor.run(
        sc, replicates=settings.replicates, seed=settings.seed, resolution="year", progress=tick
    )
    ds = res.data
    corridors = _bands(res.annual("corridor_kg") / 1e3, "corridor")
    flow = (res.annual("flow_kg") / 1e3).mean("replicate")
    edges = flow.to_dataframe(name="t").reset_index()[["year", "edge", "t"]]
    info = pd.DataFrame(
        {
            "edge": ds["edge"].values,
            "source": ds["edge_from"].values,
            "target": ds["edge_to"].values,
            "mode": ds["edge_mode"].values,
        }
    )
    nodes = pd.DataFrame(
        {
            "node": ds["node"].values,
            "name": ds["node_name"].values,
            "kind": ds["node_kind"].values,
            "country": ds["node_country"].values,
            "lat": ds["node_lat"].values.astype(float),
            "lon": ds["node_lon"].values.astype(float),
        }
    )
    return ScenarioRun(
        name=name,
        settings=settings,
        summary=res.summary(),
        corridors=corridors,
        edges=edges.merge(info, on="edge"),
        nodes=nodes,
    )


def _bands(da, dim: str) -> pd.DataFrame:
    """(year, region, mean, p05, p95) across replicates of a (replicate, year, dim) array."""
    mean = da.mean("replicate").to_dataframe(name="mean")
    low = da.quantile(0.05, "replicate").drop_vars("quantile").to_dataframe(name="p05")
    high = da.quantile(0.95, "replicate").drop_vars("quantile").to_dataframe(name="p95")
    out = mean.join(low).join(high).reset_index()
    return out.rename(columns={dim: "region"})[["year", "region", "mean", "p05", "p95"]]


# --- policies against the baseline: Try a policy and Compare --------------------------------


@dataclass
class PolicyComparison:
    """`compare`'s table for the reference and one or more policies (one row per
    scenario x outcome: mean, p05, p95 over the window and the difference from the
    reference in the same replicate, diff_mean/diff_p05/diff_p95), with what the pages
    need to read its blanks."""

    table: pd.DataFrame
    labels: list[str]  # scenario column values, the reference first
    first: int
    last: int
    replicates: int
    seed: int
    targets_legs: dict[str, bool]  # by label: the policy's interventions act on some legs
    results: dict | None = None  # the runs (xarray), for the HTML report


def outcome_units() -> dict[str, str]:
    """Unit of each outcome of the comparison table."""
    from corredor.analysis.compare import DERIVED, OUTCOMES

    units = {}
    for key, (label, _) in {**OUTCOMES, **{k: (v, None) for k, v in DERIVED.items()}}.items():
        unit = label.rsplit("(", 1)[1].rstrip(")") if label.endswith(")") else "people"
        if key in ("displacement_index",):
            unit = "share"
        elif key.startswith("deaths_per_t"):
            unit = "people/t"
        units[key] = unit
    return units


def compare_policies(
    policies: list[Policy],
    settings: Settings,
    progress: Progress | None = None,
    *,
    keep_runs: bool = False,
) -> PolicyComparison:
    """Run the reference and each policy with the same seed and replicates and compare
    them over the lever year to the last year (`corredor.analysis.compare.compare`);
    `keep_runs` keeps the runs themselves (for the HTML report)."""
    from corredor.analysis.compare import compare, targeted_edges

    settings.check()
    if not policies:
        raise CorredorError("give at least one policy", field="policies", fix="save a run first")
    scenarios = [policy_scenario(Policy(REFERENCE), settings)]
    labels = [f"{REFERENCE} (reference)"]
    for p in policies:
        label = p.label
        while label in labels:  # compare keys rows by name: keep them apart
            label += "*"
        labels.append(label)
        scenarios.append(dataclasses.replace(policy_scenario(p, settings), name=label))
    scenarios[0] = dataclasses.replace(scenarios[0], name=labels[0])
    done = iter(range(len(scenarios)))

    def say(name: str) -> None:
        if progress:
            progress(next(done) / len(scenarios), f"running {name}")

    comp = compare(
        scenarios,
        replicates=settings.replicates,
        seed=settings.seed,
        first=settings.lever_year,
        last=settings.end,
        progress=say,
    )
    if progress:
        progress(1.0, "done")
    return PolicyComparison(
        table=comp.table,
        labels=labels,
        first=comp.first,
        last=comp.last,
        replicates=comp.replicates,
        seed=comp.seed,
        targets_legs={
            label: bool(targeted_edges(sc).any())
            for label, sc in zip(labels, scenarios, strict=True)
        },
        results=comp.results if keep_runs else None,
    )


@dataclass(frozen=True)
class Reading:
    """A derived measure as shown: its value and 90% interval, or why it is blank."""

    key: str
    label: str
    value: float
    low: float
    high: float
    unit: str
    note: str = ""  # why there is no value ("cost not modelled", ...)


def readings(comp: PolicyComparison, label: str) -> dict[str, Reading]:
    """The derived measures of one policy of a comparison, each with a reason when blank."""
    from corredor.analysis.compare import DERIVED

    rows = comp.table[comp.table["scenario"] == label].set_index("outcome")
    units = outcome_units()
    cost = rows.loc["cost_musd"]
    # the comparison marks a policy whose cost the model does not count
    flagged = (
        "note" in rows and str(rows.get("note", {}).get("cost_musd", "")) == "cost not modelled"
    )
    no_cost = flagged or (cost.diff_mean == 0 and cost.diff_p05 == 0 and cost.diff_p95 == 0)
    out = {}
    for key, name in DERIVED.items():
        r = rows.loc[key]
        note = ""
        if not math.isfinite(r.diff_mean):
            if key == "displacement_index":
                note = (
                    "not defined: the policy changes budgets or demand, not detection on named legs"
                    if not comp.targets_legs.get(label)
                    else "not defined: flow on the targeted legs does not clearly fall"
                )
            elif key.startswith("cost_per_kg") and no_cost:
                note = "cost not modelled"
            elif key == "cost_per_kg_kept_us_usd":
                note = "not defined: flow delivered to the US does not clearly fall"
            elif key.startswith("cost_per_kg") or key == "deaths_per_t_kept":
                note = "not defined: delivered flow does not clearly fall"
            else:
                note = "not defined: seizures and strikes do not clearly rise"
        elif key.startswith("cost_per_kg") and no_cost:
            note = "cost not modelled"
        out[key] = Reading(key, name, r.diff_mean, r.diff_p05, r.diff_p95, units[key], note)
    return out


def report_html(comp: PolicyComparison, policies: list[Policy], settings: Settings) -> bytes:
    """The HTML report of `corredor report` for a comparison of saved runs (self-contained:
    figures embedded, no scripts, opens offline)."""
    from corredor.analysis.compare import Comparison
    from corredor.evidence import default_evidence
    from corredor.outputs.report import findings, make_figures, render_html, scenario_info

    if comp.results is None:
        raise CorredorError("the comparison has no runs", field="report", fix="run it again")
    infos = []
    for label, policy in zip(comp.labels, [Policy(REFERENCE), *policies], strict=True):
        info = scenario_info(policy.preset)
        moved = "; ".join(f"{k} = {v:g} from {settings.lever_year}" for k, v in policy.levers)
        infos.append(
            dataclasses.replace(
                info,
                given=label,
                name=label,
                title=f"{info.title} (levers: {moved})" if moved else info.title,
                header=info.header + (f"\n\nDashboard levers: {moved}." if moved else ""),
                start=settings.start,
                end=settings.end,
            )
        )
    comparison = Comparison(
        comp.table, comp.first, comp.last, comp.replicates, comp.seed, results=comp.results
    )
    paragraphs = findings(
        comp.table,
        comp.first,
        comp.last,
        titles={i.given: i.name for i in infos},
        replicates=comp.replicates,
    )
    with tempfile.TemporaryDirectory(prefix="corredor-dashboard-") as tmp:
        drawn = make_figures(
            {label: comp.results[label].data for label in comp.labels},
            comp.first,
            comp.last,
            Path(tmp),
        )
        figures = [(t, p.read_bytes(), c) for t, p, c in drawn]
    page = render_html(
        comparison,
        infos,
        paragraphs,
        figures,
        command="corredor dashboard (Compare saved runs)",
        generated=_dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        entries=default_evidence(),
    )
    return page.encode("utf-8")


# --- evidence, parameters, history ---------------------------------------------------------


@lru_cache(maxsize=1)
def evidence_table() -> pd.DataFrame:
    """The evidence table, one row per entry, with `origin`: "Corredor's own" when the
    publisher starts with "Corredor" (a stated assumption or derivation of the project),
    else "external"."""
    from corredor.evidence import default_evidence

    rows = [dataclasses.asdict(e) for e in default_evidence().values()]
    df = pd.DataFrame(rows)
    own = df["publisher"].str.startswith(OWN_PUBLISHER)
    df.insert(1, "origin", np.where(own, "Corredor's own", "external"))
    return df


@lru_cache(maxsize=1)
def parameters_table() -> pd.DataFrame:
    """Every model parameter: name, unit, default, hard bounds, evidence id and meaning."""
    from corredor.parameters import PARAMS

    return pd.DataFrame(
        [
            dict(
                parameter=p.name,
                unit=p.unit,
                default=p.default,
                low=p.bounds[0],
                high=p.bounds[1],
                evidence=p.evidence,
                meaning=p.doc,
            )
            for p in PARAMS.values()
        ]
    )


@lru_cache(maxsize=1)
def history_table() -> pd.DataFrame:
    """Observed series (series, region, year, value, ref), each row citing evidence.
    Cached: treat as read-only (as the two tables above)."""
    from corredor.history import load_history

    return load_history()


def series_evidence(metric: str, prefixes: tuple[str, ...] = ()) -> list[str]:
    """Evidence ids behind a series: the observations it is checked against, then the
    parameters (by name prefix, e.g. "markets.") that drive it."""
    from corredor.parameters import PARAMS

    hist = history_table()
    refs = list(dict.fromkeys(hist.loc[hist["series"] == metric, "ref"]))
    for p in PARAMS.values():
        if p.name.startswith(prefixes) and p.evidence not in refs:
            refs.append(p.evidence)
    return refs


def corridor_countries() -> tuple[str, ...]:
    """The countries the map's corridor frame shows: Colombia, Ecuador and Peru."""
    return CORRIDOR_COUNTRIES


def country_outlines() -> list[tuple[str, np.ndarray]]:
    """(iso2, (n, 2) lon/lat ring) of the shipped Natural Earth outlines."""
    from corredor.outputs.plots import country_polygons

    return country_polygons()


def country_name(code: str) -> str:
    from corredor.outputs.plots import country_name as name

    return name(code)


# --- validation ----------------------------------------------------------------------------


def _validate_module():
    """The validation module, or None when this version has none."""
    try:
        return importlib.import_module(VALIDATE_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name in (VALIDATE_MODULE, "corredor.analysis"):
            return None
        raise


def validation_key() -> tuple[str, int] | None:
    """What identifies the validation code loaded (for caching its scorecard), or None
    when this version has no validation."""
    module = _validate_module()
    return None if module is None else (module.__name__, id(module))


def scorecard(seed: int = 1):
    """The `corredor validate` scorecard of the baseline (`Scorecard`, with `.table` and
    `.failed_for(outcomes)`), or None when this version has no validation."""
    module = _validate_module()
    if module is None:
        return None
    return module.validate(_loaded(REFERENCE), draws=0, seed=seed)


def failed_checks(card, outcomes: list[str]) -> pd.DataFrame:
    """The failed checks of a scorecard that bear on any of `outcomes`."""
    if card is None:
        return pd.DataFrame()
    failed = card.failed_for(list(outcomes))
    if isinstance(failed, pd.DataFrame):
        return failed
    return pd.DataFrame(failed)
