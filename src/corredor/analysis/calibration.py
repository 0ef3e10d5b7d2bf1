"""Calibration: fit the free parameters of a scenario to the observed history.

The free parameters and their bounds are declared once, in `FREE`. The objective is the
weighted mean squared error of log(1 + value) between simulated and observed annual
series over the fitting window; the optimiser is scipy's differential evolution (global,
derivative-free, robust to simulation noise with common random numbers: every
evaluation uses the same seed), then Nelder-Mead. The fit is then reported per series,
separately for the fitting window and the held-out years, as measured.

The search is deterministic: it stops on a number of generations and evaluations, never
on the clock (the time budget is a safety limit that marks the result incomplete), and
evaluations run in parallel are gathered in a fixed order. The same command and seed
give the same fitted values with any number of workers; `inputs_digest` and the
command, recorded with the values, let anyone re-run and check them.
"""

from __future__ import annotations

import copy
import json
import math
import re
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy.optimize import differential_evolution, minimize

from corredor.analysis.compiled import compiled_for
from corredor.engine import Simulation
from corredor.errors import CorredorError, suggest
from corredor.evidence import default_evidence
from corredor.parameters import PARAMS
from corredor.provenance import machine_info
from corredor.results import Results, build_dataset
from corredor.scenario import Scenario, build_scenario
from corredor.version import __version__


@dataclass(frozen=True)
class FreeParameter:
    """A parameter the calibration may move, within [low, high] (log scale if `log`)."""

    name: str
    low: float
    high: float
    log: bool = False


FREE: tuple[FreeParameter, ...] = (
    # Model v2 frees container effectiveness over its evidence range (issue 13) and the
    # scorecard reports where it lands; road and sea effectiveness are per unit of the
    # searched domains' extent (param-k-road, param-k-maritime).
    FreeParameter("interdiction.k_container", 0.01, 5.0, log=True),
    FreeParameter("interdiction.k_road", 0.005, 10.0, log=True),
    FreeParameter("interdiction.k_maritime", 0.05, 100.0, log=True),
    # Violence coefficients within their evidence ranges (param-violence-*).
    FreeParameter("violence.flow_coef", 0.0, 1.0),
    FreeParameter("violence.contest_coef", 0.1, 1.5),
    FreeParameter("traffickers.choice_sharpness", 1.0, 12.0),
    # Enforcement swamping (param-handling-time): 0 is unlimited capacity.
    FreeParameter("interdiction.handling_time", 0.0, 5.0),
    # Seizures at origin (labs, stockpiles; param-k-origin): without them the shared
    # k_* must serve both Colombia's large seizures and Ecuador's smaller ones.
    FreeParameter("interdiction.k_origin", 1e-4, 0.1, log=True),
    # Consumption is not observed: its scale is fitted so that production at the prices
    # exporters pay matches the observed series (param-demand-scale).
    FreeParameter("markets.demand_scale", 0.5, 4.0, log=True),
)
# Also accepted with --param: agencies.ID.effort_scale=LOW:HIGH, an agency's effort level
# relative to its budget indices (scen-effort-scale); a scenario without the agency
# skips it.

# Free parameters that are not model parameters but a field of a scenario's agency.
AGENCY_FIELD = re.compile(r"^agencies\.([^.]+)\.effort_scale$")
AGENCY_SCALE_EVIDENCE = "scen-effort-scale"


def default_value(name: str) -> float:
    """A free parameter's package default (1 for an agency's effort scale)."""
    return 1.0 if AGENCY_FIELD.match(name) else PARAMS[name].default


def applicable(free: tuple[FreeParameter, ...], scenario: Scenario) -> tuple[FreeParameter, ...]:
    """The free parameters that exist in `scenario` (agency scales need the agency)."""
    out = []
    for p in free:
        m = AGENCY_FIELD.match(p.name)
        if m is None or m.group(1) in scenario.agencies:
            out.append(p)
    return tuple(out)


# (series, region): weight in the objective. Panama is reported but not fitted: in the
# default network its seizures come from one go-fast edge only (a structural gap).
TARGETS: dict[tuple[str, str], float] = {
    ("seized_t", "EC"): 1.0,
    ("seized_t", "CO"): 1.0,
    ("seized_t", "US"): 1.0,
    ("seized_t", "PE"): 0.5,
    ("seized_t", "PA"): 0.0,
    ("produced_t", "world"): 1.0,
    ("produced_t", "CO"): 0.5,
    ("homicide_rate", "EC"): 1.0,
    ("transit_share_of_origin", "CO>EC"): 0.0,  # a published-range check, not fitted
    ("strikes", "world"): 0.0,  # the 2025 strike campaign: checked, not fitted
    ("deaths_crew", "world"): 0.0,
}


# Blocks of free parameters that move a single observed series (the violence
# coefficients move the homicide rate and nothing else: homicides do not feed back into
# flows). In the pooled objective they are a small part, so after the global search and
# polish each block is polished again on its own.
POLISH_BLOCKS: tuple[tuple[str, ...], ...] = (("violence.flow_coef", "violence.contest_coef"),)

# Series judged against the envelope of published estimates (an evidence entry's
# low-high) over a span of years, rather than fitted: (series, region) -> (entry, years).
RANGE_CHECKS: dict[tuple[str, str], tuple[str, int, int]] = {
    ("transit_share_of_origin", "CO>EC"): ("transit-co-ec-published-range", 2022, 2024),
    # Route composition: the Eastern Pacific's share of departures to the transit zone
    # (SOUTHCOM's documented movement, more than 68% in 2015).
    ("sea_departure_share", "eastern-pacific"): ("southcom-ep-share-2016", 2015, 2015),
}


def range_checks(results: Results) -> pd.DataFrame:
    """Simulated mean (5-95%) per year against each `RANGE_CHECKS` entry's range."""
    summary = results.summary()
    evidence = default_evidence()
    rows = []
    for (series, region), (ref, first, last) in RANGE_CHECKS.items():
        entry = evidence[ref]
        sel = summary[
            (summary.metric == series)
            & (summary.region == region)
            & summary.year.between(first, last)
        ]
        for _, r in sel.iterrows():
            rows.append(
                dict(
                    series=series,
                    region=region,
                    year=int(r.year),
                    mean=float(r["mean"]),
                    p05=float(r.p05),
                    p95=float(r.p95),
                    low=entry.low,
                    high=entry.high,
                    ref=ref,
                    inside=bool(entry.low <= r["mean"] <= entry.high),
                )
            )
    return pd.DataFrame(rows)


def parse_bounds(specs: list[str]) -> tuple[FreeParameter, ...]:
    """`NAME=LOW:HIGH` overrides or additions to the declared free parameters."""
    free = {p.name: p for p in FREE}
    for spec in specs:
        name, sep, rng = spec.partition("=")
        lo_s, sep2, hi_s = rng.partition(":")
        if not sep or not sep2:
            raise CorredorError(
                f"{spec!r} is not NAME=LOW:HIGH",
                field="--param",
                fix="write e.g. --param interdiction.k_road=0.001:0.2",
            )
        is_scale = AGENCY_FIELD.match(name) is not None
        if name not in PARAMS and not is_scale:
            raise CorredorError(
                f"unknown parameter {name!r}",
                field="--param",
                fix=suggest(name, list(PARAMS)) + " (or agencies.ID.effort_scale)",
            )
        try:
            lo, hi = float(lo_s), float(hi_s)
        except ValueError:
            raise CorredorError(f"bounds of {name} are not numbers", field="--param") from None
        if lo > hi:
            raise CorredorError(
                f"low {lo:g} is greater than high {hi:g} for {name}",
                field="--param",
                fix="swap the bounds",
            )
        b = (1e-3, 1e3) if is_scale else PARAMS[name].bounds
        if lo < b[0] or hi > b[1]:
            raise CorredorError(
                f"bounds [{lo:g}, {hi:g}] leave the allowed range [{b[0]:g}, {b[1]:g}] of {name}",
                field="--param",
                fix="narrow the bounds",
            )
        prev = free.get(name)
        log = (prev.log if prev else is_scale) and lo > 0
        free[name] = FreeParameter(name, lo, hi, log=log)
    return tuple(free.values())


def with_params(base: Scenario, values: dict[str, float]) -> Scenario:
    """`base` with parameter values (dotted names, or agencies.ID.effort_scale) set."""
    raw = copy.deepcopy(base.raw)
    raw.setdefault("parameters", {})
    params = raw["parameters"]
    for name, value in values.items():
        m = AGENCY_FIELD.match(name)
        if m is not None:
            agencies = raw.get("agencies", {})
            if m.group(1) not in agencies:
                raise CorredorError(
                    f"the scenario has no agency {m.group(1)!r}",
                    field=name,
                    fix=suggest(m.group(1), list(agencies)),
                )
            agencies[m.group(1)]["effort_scale"] = float(value)
            continue
        # drop nested spellings of the same name so the dotted key wins
        params.pop(name, None)
        params[name] = float(value)
    return build_scenario(raw, name=base.name, file=base.file, network=base.network)


def simulate(
    scenario: Scenario,
    values: dict[str, float],
    *,
    end: int,
    replicates: int,
    seed: int,
    compiled=None,
) -> Results:
    sc = with_params(scenario, values).with_period(end=end)
    sim = Simulation(sc, replicates=replicates, seed=seed, resolution="year", compiled=compiled)
    data = sim.run()
    return Results(build_dataset(sim, data))


def compare(results: Results, observed: pd.DataFrame) -> pd.DataFrame:
    """Observed vs simulated per (series, region, year): obs, mean, p05, p95."""
    summary = results.summary()
    merged = observed.merge(
        summary.rename(columns={"metric": "series"}),
        on=["series", "region", "year"],
        how="inner",
    )
    return merged[["series", "region", "year", "value", "mean", "p05", "p95", "ref"]]


def objective_value(table: pd.DataFrame, fit_end: int) -> float:
    """Weighted mean squared log error over the fitting window."""
    total, weight_sum = 0.0, 0.0
    for (series, region), w in TARGETS.items():
        sel = table[(table.series == series) & (table.region == region) & (table.year <= fit_end)]
        if w <= 0 or sel.empty:
            continue
        err = np.log1p(sel["mean"].to_numpy()) - np.log1p(sel["value"].to_numpy())
        total += w * float(np.mean(err**2))
        weight_sum += w
    return total / weight_sum if weight_sum else math.inf


def target_series(ds: xr.Dataset, series: str, region: str) -> xr.DataArray | None:
    """(replicate, time) yearly values of a calibration target in a yearly dataset, or
    None when the dataset has no such region (a test network without that country)."""
    if series == "produced_t":
        produced = ds["produced_kg"] / 1e3
        if region == "world":
            return produced.sum("area")
        return produced.where(ds["area_country"] == region, 0.0).sum("area")
    if series == "seized_t":
        if region not in ds["country"].values:
            return None
        return ds["seized_kg"].sel(country=region) / 1e3
    if series == "homicide_rate":
        pops = json.loads(ds.attrs["country_population_json"])
        if region not in pops or region not in ds["country"].values:
            return None
        return ds["homicides_country"].sel(country=region) / pops[region] * 1e5
    raise CorredorError(
        f"the objective cannot score the series {series!r} yet",
        field="calibration.TARGETS",
        fix="give it weight 0 or add it to calibration.target_series",
    )


def objective_of(ds: xr.Dataset, observed: pd.DataFrame, fit_end: int) -> float:
    """`objective_value` computed from the fitted series alone, without the full tidy
    summary (which costs as much as the run itself over a short fitting window)."""
    years = ds["year"].values
    total, weight_sum = 0.0, 0.0
    for (series, region), w in TARGETS.items():
        if w <= 0:
            continue
        obs = observed[
            (observed.series == series)
            & (observed.region == region)
            & (observed.year <= fit_end)
            & observed.year.isin(years)
        ]
        if obs.empty:
            continue
        da = target_series(ds, series, region)
        if da is None:
            continue
        sim = da.values.mean(axis=0)
        cols = [int(np.flatnonzero(years == y)[0]) for y in obs.year]
        err = np.log1p(sim[cols]) - np.log1p(obs["value"].to_numpy())
        total += w * float(np.mean(err**2))
        weight_sum += w
    return total / weight_sum if weight_sum else math.inf


def fit_statistics(table: pd.DataFrame, fit_end: int) -> pd.DataFrame:
    """RMSE, MAPE (%) and correlation per series, for the fit window and held-out years."""
    rows = []
    for (series, region), sel in table.groupby(["series", "region"]):
        for window, part in (
            ("fit", sel[sel.year <= fit_end]),
            ("held-out", sel[sel.year > fit_end]),
        ):
            if part.empty:
                continue
            obs, sim = part["value"].to_numpy(), part["mean"].to_numpy()
            corr = (
                float(np.corrcoef(obs, sim)[0, 1])
                if len(part) > 2 and obs.std() > 0 and sim.std() > 0
                else float("nan")
            )
            rows.append(
                dict(
                    series=series,
                    region=region,
                    window=window,
                    years=f"{part.year.min()}–{part.year.max()}",
                    n=len(part),
                    rmse=float(np.sqrt(np.mean((sim - obs) ** 2))),
                    mape=float(np.mean(np.abs(sim - obs) / np.maximum(obs, 1e-9)) * 100),
                    corr=corr,
                    weight=TARGETS.get((series, region), 0.0),
                )
            )
    return pd.DataFrame(rows)


# -- the search ----------------------------------------------------------------------------

# How a search ended: on its generation limit, on differential evolution's convergence
# test, or on the time budget (a safety limit: the result is then incomplete, and depends
# on the machine's speed and load, so it is not written as a scenario by default).
STOP_GENERATIONS = "generation limit"
STOP_CONVERGED = "converged"
STOP_BUDGET = "time budget"

# Objective values are rounded to this many significant digits before the optimisers
# compare them, so that a last-bit difference in floating-point sums (another BLAS
# kernel, another CPU) does not change which candidate wins.
OBJECTIVE_DIGITS = 12
# Fitted values are written with this many significant digits, and the report describes
# the rounded values: what is shipped is exactly what was judged.
VALUE_DIGITS = 6
# A fitted value this close to a bound (as a share of the bound's width, on the scale
# the search uses) is flagged: the optimum may lie outside the bounds.
BOUND_MARGIN = 0.02
# Fits found during the search whose held-out errors the report lists.
ALTERNATIVES = 10


def stable(value: float, digits: int = OBJECTIVE_DIGITS) -> float:
    """`value` rounded to `digits` significant digits (inf and nan unchanged)."""
    return float(f"{value:.{digits}g}") if math.isfinite(value) else value


@dataclass(frozen=True)
class EvalTask:
    """One evaluation of the objective: everything a worker process needs."""

    scenario: Scenario
    observed: pd.DataFrame
    values: dict[str, float]
    fit_end: int
    replicates: int
    seed: int


def evaluate(task: EvalTask) -> float:
    """The objective at one point, over the fitting window. Runs in this process or in a
    worker; the compiled network is built once per process."""
    from corredor.analysis.executors import tune_worker_memory

    tune_worker_memory()
    res = simulate(
        task.scenario,
        task.values,
        end=task.fit_end,
        replicates=task.replicates,
        seed=task.seed,
        compiled=compiled_for(task.scenario),
    )
    return stable(objective_of(res.data, task.observed, task.fit_end))


class BudgetExceeded(Exception):
    """The search ran past its time budget."""


class Evaluator:
    """Evaluates batches of points, on an executor when given one, and keeps every
    evaluation in order. Results are gathered by position, never by finishing order, so
    the values returned (and the search built on them) do not depend on the number of
    workers."""

    def __init__(
        self,
        free: tuple[FreeParameter, ...],
        make_task: Callable[[dict[str, float]], EvalTask],
        *,
        executor: Executor | None,
        budget_seconds: float | None,
        progress: Callable[[int, float, float], None] | None,
    ) -> None:
        self.free = free
        self.make_task = make_task
        self.executor = executor
        self.budget = budget_seconds
        self.progress = progress
        self.started = time.perf_counter()
        self.stage = "init"
        self.points: list[np.ndarray] = []
        self.values: list[float] = []
        self.stages: list[str] = []
        self.seen: dict[bytes, float] = {}
        self.best = math.inf
        self.done = 0  # evaluations finished (the history grows a batch at a time)

    def decode(self, x: np.ndarray) -> dict[str, float]:
        return {
            p.name: (math.exp(v) if p.log else float(v)) for p, v in zip(self.free, x, strict=True)
        }

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def _over(self) -> bool:
        return self.budget is not None and self.elapsed() > self.budget

    def _done(self, value: float) -> None:
        self.done += 1
        self.best = min(self.best, value)
        if self.progress is not None:
            self.progress(self.done, self.best, self.elapsed())

    def __call__(self, points: list[np.ndarray]) -> list[float]:
        if self._over() and self.values:  # at least one evaluation, to have a best point
            raise BudgetExceeded
        keys = [np.asarray(x, dtype=float).tobytes() for x in points]
        # a point met before (the polish restarts from the best one) is not run again
        out: list[float | None] = [self.seen.get(k) for k in keys]
        todo = [i for i, k in enumerate(keys) if out[i] is None and k not in keys[:i]]
        tasks = [self.make_task(self.decode(points[i])) for i in todo]
        try:
            if self.executor is None:
                for j, task in enumerate(tasks):
                    out[todo[j]] = evaluate(task)
                    self._done(out[todo[j]])
                    if self._over() and j + 1 < len(tasks):
                        raise BudgetExceeded
            else:
                from corredor.analysis.executors import run_tasks

                def on_result(j: int, value: float) -> None:
                    out[todo[j]] = value
                    self._done(value)
                    if self._over():
                        raise BudgetExceeded

                run_tasks(evaluate, tasks, executor=self.executor, on_result=on_result)
        finally:
            # the batch's finished evaluations join the history in batch order
            for i in todo:
                if out[i] is not None:
                    self.seen[keys[i]] = out[i]
                    self.points.append(np.asarray(points[i], dtype=float).copy())
                    self.values.append(float(out[i]))
                    self.stages.append(self.stage)
        return [float(self.seen[k]) for k in keys]

    def scalar(self, x: np.ndarray) -> float:
        return self([np.asarray(x, dtype=float)])[0]

    def history(self) -> pd.DataFrame:
        """Every evaluation in order: number, stage, objective and the point."""
        df = pd.DataFrame(
            [self.decode(x) for x in self.points], columns=[p.name for p in self.free]
        )
        df.insert(0, "objective", self.values)
        df.insert(0, "stage", self.stages)
        df.insert(0, "evaluation", np.arange(1, len(self.values) + 1))
        return df

    def best_point(self) -> tuple[np.ndarray, float]:
        """The best point evaluated so far (the first one on ties)."""
        i = int(np.argmin(self.values))
        return self.points[i], self.values[i]


def planned_evaluations(n_free: int, maxiter: int, popsize: int, polish_evals: int) -> int:
    """Upper bound of the evaluations a search makes (for progress bars)."""
    pop = max(5, popsize * n_free)  # scipy's smallest population is 5
    if n_free > 1:  # a Sobol initialisation rounds the population up to a power of two
        pop = 1 << (pop - 1).bit_length()
    block = polish_evals // 2 if polish_evals > 0 else 0
    return pop * (maxiter + 1) + polish_evals + block + 4


@dataclass
class CalibrationResult:
    best: dict[str, float]
    objective: float
    evaluations: int
    seconds: float
    stopped_by_budget: bool
    table: pd.DataFrame  # observed vs simulated, calibrated, all years
    stats: pd.DataFrame
    baseline_stats: pd.DataFrame
    results: Results
    fit_end: int
    method: str
    free: tuple[FreeParameter, ...] = ()
    stop_reason: str = ""  # STOP_GENERATIONS, STOP_CONVERGED or STOP_BUDGET
    generations: int = 0  # generations of differential evolution completed
    max_generations: int = 0
    budget_seconds: float | None = None
    history: pd.DataFrame | None = None  # every evaluation, in order
    alternatives: pd.DataFrame | None = None  # the best distinct fits, held-out errors
    provenance: dict = field(default_factory=dict)  # command, seed, version, digest
    machine: dict = field(default_factory=dict)  # where and when it ran (its start)

    @property
    def complete(self) -> bool:
        """Whether the search ended on its own rules (generations, convergence, polish
        limits), not on the time budget: only a complete search is reproducible."""
        return not self.stopped_by_budget

    def near_bounds(self, margin: float = BOUND_MARGIN) -> list[dict]:
        return near_bounds(self.best, self.free, margin)


def near_bounds(
    best: dict[str, float], free: tuple[FreeParameter, ...], margin: float = BOUND_MARGIN
) -> list[dict]:
    """Fitted values within `margin` of a bound, as a share of the bound's width on the
    scale the search uses (logarithmic for `log` parameters): name, value, which bound,
    the bound and the distance as a share of the width."""
    out = []
    for p in free:
        if p.name not in best or p.high <= p.low:
            continue
        v = best[p.name]
        scale = math.log if p.log else float
        lo, hi, x = scale(p.low), scale(p.high), scale(max(v, p.low) if p.log else v)
        width = hi - lo
        for side, bound, dist in (("lower", p.low, x - lo), ("upper", p.high, hi - x)):
            share = max(dist, 0.0) / width
            if share <= margin:
                out.append(dict(name=p.name, value=v, side=side, bound=bound, share=share))
    return out


def calibrate(
    scenario: Scenario,
    observed: pd.DataFrame,
    *,
    free: tuple[FreeParameter, ...] = FREE,
    fit_end: int = 2021,
    maxiter: int = 15,
    popsize: int = 8,
    replicates: int = 2,
    report_replicates: int = 8,
    seed: int = 1,
    budget_seconds: float | None = None,
    polish_evals: int = 200,
    alternatives: int = ALTERNATIVES,
    executor: Executor | None = None,
    command: str | None = None,
    progress: Callable[[int, float, float], None] | None = None,
) -> CalibrationResult:
    """Fit `free` parameters of `scenario` to `observed`: differential evolution for
    `maxiter` generations (or until it converges), then at most `polish_evals` Nelder-Mead
    evaluations from its best point, then each block of `POLISH_BLOCKS` on its own.

    Deterministic: every evaluation uses the same seed (common random numbers), the
    population is evaluated as a whole each generation ("deferred" updating) and results
    are gathered by position, so the same arguments give the same fit with any number of
    workers. `budget_seconds` is a safety limit only: when it is hit the search stops,
    the result is marked incomplete (`stopped_by_budget`) and holds the best point found.

    The polish matters: parameters that move one series only (the violence coefficients
    move the homicide rate and nothing else) barely change the pooled objective, and a
    global search of a few generations leaves them far from their optimum."""
    if fit_end < scenario.start:
        raise CorredorError(
            f"fitting window ends ({fit_end}) before the scenario starts ({scenario.start})",
            field="--fit-end",
            fix="choose a later year",
        )
    # reported over the observed years, within the scenario's period (whose compiled
    # network every run shares)
    end = min(int(observed["year"].max()), scenario.end)
    free = applicable(free, scenario)
    machine = machine_info()

    def make_task(values: dict[str, float]) -> EvalTask:
        return EvalTask(scenario, observed, values, fit_end, replicates, seed)

    ev = Evaluator(
        free, make_task, executor=executor, budget_seconds=budget_seconds, progress=progress
    )
    lows = np.array([math.log(p.low) if p.log else p.low for p in free])
    highs = np.array([math.log(p.high) if p.log else p.high for p in free])
    bounds = list(zip(lows, highs, strict=True))
    generations, stop = 0, STOP_GENERATIONS

    calls = 0

    def f_population(x: np.ndarray) -> np.ndarray:  # (N, S) -> (S,)
        nonlocal calls
        # the first call scores the initial population, each later one a generation
        ev.stage = "init" if calls == 0 else f"generation {generations + 1}"
        calls += 1
        return np.array(ev([x[:, j] for j in range(x.shape[1])]))

    def next_generation(intermediate_result) -> None:
        nonlocal generations
        generations += 1

    try:
        if all(lo == hi for lo, hi in bounds):
            ev.scalar(lows)
        else:
            out = differential_evolution(
                f_population,
                bounds,
                maxiter=maxiter,
                popsize=popsize,
                rng=seed,
                polish=False,
                tol=1e-3,
                updating="deferred",
                vectorized=True,
                callback=next_generation,
                init="sobol" if len(free) > 1 else "latinhypercube",
            )
            stop = STOP_CONVERGED if out.success else STOP_GENERATIONS
            x_best, f_best = out.x, stable(float(out.fun))
            if polish_evals > 0:
                ev.stage = "polish"
                x_best = _polish(ev.scalar, x_best, f_best, bounds, polish_evals)
                # then each block of parameters that moves one series only, on its own
                for block in POLISH_BLOCKS:
                    idx = [i for i, p in enumerate(free) if p.name in block]
                    if idx:
                        ev.stage = "block polish"
                        x_best = _polish_block(ev.scalar, x_best, idx, bounds, polish_evals // 2)
    except BudgetExceeded:
        stop = STOP_BUDGET
    x_best, _ = ev.best_point()
    best = {k: stable(v, VALUE_DIGITS) for k, v in ev.decode(x_best).items()}
    seconds = ev.elapsed()
    history = ev.history()
    compiled = compiled_for(scenario)
    final = simulate(
        scenario, best, end=end, replicates=report_replicates, seed=seed, compiled=compiled
    )
    table = compare(final, observed)
    # The comparison point: the same scenario with the package defaults of the free
    # parameters (not whatever values the scenario file already carries).
    defaults = {p.name: default_value(p.name) for p in free}
    before = simulate(
        scenario, defaults, end=end, replicates=report_replicates, seed=seed, compiled=compiled
    )
    alt = held_out_sensitivity(
        scenario,
        observed,
        best_distinct(history, free, alternatives),
        free=free,
        fit_end=fit_end,
        replicates=report_replicates,
        seed=seed,
        executor=executor,
    )
    provenance = dict(
        command=command or "",
        seed=int(seed),
        corredor_version=__version__,
        inputs_digest=inputs_digest(scenario, observed, free),
    )
    return CalibrationResult(
        best=best,
        objective=objective_value(table, fit_end),
        evaluations=len(history),
        seconds=seconds,
        stopped_by_budget=stop == STOP_BUDGET,
        table=table,
        stats=fit_statistics(table, fit_end),
        baseline_stats=fit_statistics(compare(before, observed), fit_end),
        results=final,
        fit_end=fit_end,
        method="differential evolution with a Nelder-Mead polish (scipy)",
        free=free,
        stop_reason=stop,
        generations=generations,
        max_generations=maxiter,
        budget_seconds=budget_seconds,
        history=history,
        alternatives=alt,
        provenance=provenance,
        machine=machine,
    )


def _polish(f, x0, f0, bounds, max_evals: int) -> np.ndarray:
    """Nelder-Mead from x0 (initial simplex: a tenth of each bound's width), within the
    bounds; returns the better of x0 and the end point. Deterministic, since every
    evaluation uses the same seed."""
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    step = 0.1 * (hi - lo)
    simplex = [np.asarray(x0, dtype=float)]
    for i in range(len(x0)):
        x = simplex[0].copy()
        x[i] = x[i] + step[i] if x[i] + step[i] <= hi[i] else x[i] - step[i]
        simplex.append(x)
    out = minimize(
        f,
        x0,
        method="Nelder-Mead",
        bounds=bounds,
        options=dict(maxfev=max_evals, initial_simplex=np.array(simplex), xatol=1e-4, fatol=1e-5),
    )
    return np.asarray(out.x) if float(out.fun) < f0 else np.asarray(x0)


def _polish_block(f, x0, idx: list[int], bounds, max_evals: int) -> np.ndarray:
    """Nelder-Mead over the coordinates `idx` only, the others held at x0."""
    x0 = np.asarray(x0, dtype=float)

    def g(y: np.ndarray) -> float:
        x = x0.copy()
        x[idx] = y
        return f(x)

    sub = [bounds[i] for i in idx]
    y = _polish(g, x0[idx], g(x0[idx]), sub, max_evals)
    out = x0.copy()
    out[idx] = y
    return out


# -- how fragile is the fit? -----------------------------------------------------------------


def best_distinct(
    history: pd.DataFrame, free: tuple[FreeParameter, ...], k: int = ALTERNATIVES, gap: float = 0.02
) -> pd.DataFrame:
    """The k best evaluations that differ from each better one by at least `gap` of a
    bound's width in some parameter (on the search scale): distinct fits, not the
    polish's near-copies of the best one. Ordered by objective, then evaluation."""
    if history is None or history.empty or k < 1:
        return pd.DataFrame(columns=["evaluation", "stage", "objective"])
    names = [p.name for p in free]
    u = np.empty((len(history), len(free)))
    for j, p in enumerate(free):
        v = history[p.name].to_numpy(dtype=float)
        if p.log:
            v, lo, hi = np.log(v), math.log(p.low), math.log(p.high)
        else:
            lo, hi = p.low, p.high
        u[:, j] = (v - lo) / (hi - lo) if hi > lo else 0.0
    order = np.lexsort((history["evaluation"].to_numpy(), history["objective"].to_numpy()))
    chosen: list[int] = []
    for i in order:
        if all(np.max(np.abs(u[i] - u[c])) >= gap for c in chosen):
            chosen.append(int(i))
            if len(chosen) == k:
                break
    out = history.iloc[chosen][["evaluation", "stage", "objective", *names]].reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


@dataclass(frozen=True)
class HeldOutTask:
    scenario: Scenario
    observed: pd.DataFrame
    values: dict[str, float]
    end: int
    fit_end: int
    replicates: int
    seed: int


def held_out_errors(task: HeldOutTask) -> pd.DataFrame:
    """Fit statistics of one point over the whole observed period (a worker task)."""
    from corredor.analysis.executors import tune_worker_memory

    tune_worker_memory()
    res = simulate(
        task.scenario,
        task.values,
        end=task.end,
        replicates=task.replicates,
        seed=task.seed,
        compiled=compiled_for(task.scenario),
    )
    return fit_statistics(compare(res, task.observed), task.fit_end)


def held_out_sensitivity(
    scenario: Scenario,
    observed: pd.DataFrame,
    fits: pd.DataFrame,
    *,
    free: tuple[FreeParameter, ...],
    fit_end: int,
    replicates: int,
    seed: int,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """For each fit of `fits` (rows of `best_distinct`), the held-out MAPE (%) of every
    fitted series with held-out years, as columns `mape SERIES REGION`."""
    if fits.empty:
        return fits
    end = min(int(observed["year"].max()), scenario.end)
    tasks = [
        HeldOutTask(
            scenario,
            observed,
            {p.name: stable(float(r[p.name]), VALUE_DIGITS) for p in free},
            end,
            fit_end,
            replicates,
            seed,
        )
        for _, r in fits.iterrows()
    ]
    stats: list[pd.DataFrame | None] = [None] * len(tasks)
    if executor is None:
        stats = [held_out_errors(t) for t in tasks]
    else:
        from corredor.analysis.executors import run_tasks

        def keep(i: int, df: pd.DataFrame) -> None:
            stats[i] = df

        run_tasks(held_out_errors, tasks, executor=executor, on_result=keep)
    out = fits.copy()
    for key in HELD_OUT_SERIES:
        col = []
        for df in stats:
            sel = df[(df.series == key[0]) & (df.region == key[1]) & (df.window == "held-out")]
            col.append(float(sel.mape.iloc[0]) if not sel.empty else float("nan"))
        out[f"mape {key[0]} {key[1]}"] = col
    return out


# Series whose held-out errors the report follows across the best fits, with the
# held-out MAPE the project aims at (None: reported, no target).
HELD_OUT_SERIES: dict[tuple[str, str], float | None] = {
    ("seized_t", "EC"): 30.0,
    ("homicide_rate", "EC"): 30.0,
    ("produced_t", "world"): None,
    ("seized_t", "CO"): None,
}
# Held-out series that are (nearly) model inputs: world production is the production
# input, Colombia's seizures mostly seizures at origin, a near-constant share of it. Their
# errors are shown but never count as a held-out success (validation status `input`).
INPUT_SERIES = {("produced_t", "world"), ("seized_t", "CO")}
MAPE_TARGETS = {k: v for k, v in HELD_OUT_SERIES.items() if v is not None}


# -- provenance --------------------------------------------------------------------------------


def _flatten(table: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not (value and all(str(k)[:4].isdigit() for k in value)):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def inputs_digest(
    scenario: Scenario, observed: pd.DataFrame, free: tuple[FreeParameter, ...]
) -> str:
    """A digest of everything a calibration's result depends on besides its options:
    the scenario without the free parameters' current values and without its
    `[calibration]` record, its network's files and the observed series. Shipping new
    fitted values leaves it unchanged; changing any other input changes it."""
    import hashlib
    import json

    raw = {k: v for k, v in scenario.raw.items() if not k.startswith("_") and k != "calibration"}
    fitted = {p.name for p in free}
    params = {k: v for k, v in _flatten(raw.get("parameters", {})).items() if k not in fitted}
    raw = {**raw, "parameters": params}
    agencies = copy.deepcopy(raw.get("agencies", {}))
    for name in fitted:
        m = AGENCY_FIELD.match(name)
        if m and m.group(1) in agencies:
            agencies[m.group(1)].pop("effort_scale", None)
    raw["agencies"] = agencies
    for key in ("name", "title", "question", "description", "refs"):
        raw.pop(key, None)  # words, not inputs: a calibrated copy has another name
    h = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode())
    net = scenario.network.path
    if net is not None:
        for path in sorted(Path(net).glob("*.csv")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    cols = ["series", "region", "year", "value"]
    h.update(observed[cols].sort_values(cols[:3]).to_csv(index=False).encode())
    return h.hexdigest()[:16]


def check_in_evidence_ranges(best: dict[str, float]) -> list[str]:
    """Fitted values that fall outside their parameter's evidence range."""
    ev = default_evidence()
    out = []
    for name, value in best.items():
        ref = AGENCY_SCALE_EVIDENCE if AGENCY_FIELD.match(name) else PARAMS[name].evidence
        e = ev.get(ref)
        if e is not None and not e.contains(value):
            out.append(f"{name} = {value:g} outside [{e.low:g}, {e.high:g}] of {e.id}")
    return out
