"""Calibration: fit the free parameters of a scenario to the observed history.

The free parameters and their bounds are declared once, in `FREE`. The objective is the
weighted mean squared error of log(1 + value) between simulated and observed annual
series over the fitting window; the optimiser is scipy's differential evolution (global,
derivative-free, robust to simulation noise with common random numbers: every
evaluation uses the same seed). The fit is then reported per series, separately for the
fitting window and the held-out years, as measured.
"""

from __future__ import annotations

import copy
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import differential_evolution, minimize

from corredor.engine import Simulation, compile_scenario
from corredor.errors import CorredorError, suggest
from corredor.evidence import default_evidence
from corredor.parameters import PARAMS
from corredor.results import Results, build_dataset
from corredor.scenario import Scenario, build_scenario


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
    budget_seconds: float = 900.0,
    polish_evals: int = 200,
    progress: Callable[[int, float, float], None] | None = None,
) -> CalibrationResult:
    """Fit `free` parameters of `scenario` to `observed` with differential evolution,
    then polish the best point with at most `polish_evals` Nelder-Mead evaluations.

    The polish matters: parameters that move one series only (the violence coefficients
    move the homicide rate and nothing else) barely change the pooled objective, and a
    global search of a few generations leaves them far from their optimum."""
    if fit_end < scenario.start:
        raise CorredorError(
            f"fitting window ends ({fit_end}) before the scenario starts ({scenario.start})",
            field="--fit-end",
            fix="choose a later year",
        )
    end = int(observed["year"].max())
    free = applicable(free, scenario)
    compiled = compile_scenario(scenario)
    lows = np.array([math.log(p.low) if p.log else p.low for p in free])
    highs = np.array([math.log(p.high) if p.log else p.high for p in free])

    def decode(x: np.ndarray) -> dict[str, float]:
        return {p.name: (math.exp(v) if p.log else float(v)) for p, v in zip(free, x, strict=True)}

    started = time.perf_counter()
    state = {"evals": 0, "best": math.inf, "stopped": False}

    def f(x: np.ndarray) -> float:
        res = simulate(
            scenario, decode(x), end=fit_end, replicates=replicates, seed=seed, compiled=compiled
        )
        value = objective_value(compare(res, observed), fit_end)
        state["evals"] += 1
        state["best"] = min(state["best"], value)
        if progress is not None:
            progress(state["evals"], state["best"], time.perf_counter() - started)
        return value

    def callback(intermediate_result) -> bool:
        if time.perf_counter() - started > budget_seconds:
            state["stopped"] = True
            return True
        return False

    bounds = list(zip(lows, highs, strict=True))
    if all(lo == hi for lo, hi in bounds):
        x_best = lows
    else:
        out = differential_evolution(
            f,
            bounds,
            maxiter=maxiter,
            popsize=popsize,
            seed=seed,
            polish=False,
            tol=1e-3,
            callback=callback,
            init="sobol" if len(free) > 1 else "latinhypercube",
        )
        x_best, f_best = out.x, float(out.fun)
        if polish_evals > 0 and not state["stopped"]:
            x_best = _polish(f, x_best, f_best, bounds, polish_evals, callback)
            # then each block of parameters that moves one series only, on its own
            for block in POLISH_BLOCKS:
                idx = [i for i, p in enumerate(free) if p.name in block]
                if not idx or state["stopped"]:
                    continue
                x_best = _polish_block(f, x_best, idx, bounds, polish_evals // 2, callback)
    best = decode(x_best)
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
    return CalibrationResult(
        best=best,
        objective=objective_value(table, fit_end),
        evaluations=state["evals"],
        seconds=time.perf_counter() - started,
        stopped_by_budget=state["stopped"],
        table=table,
        stats=fit_statistics(table, fit_end),
        baseline_stats=fit_statistics(compare(before, observed), fit_end),
        results=final,
        fit_end=fit_end,
        method="differential evolution with a Nelder-Mead polish (scipy)",
    )


def _polish(f, x0, f0, bounds, max_evals: int, callback) -> np.ndarray:
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

    def stop(intermediate_result) -> None:
        if callback(intermediate_result):
            raise StopIteration

    out = minimize(
        f,
        x0,
        method="Nelder-Mead",
        bounds=bounds,
        callback=stop,
        options=dict(maxfev=max_evals, initial_simplex=np.array(simplex), xatol=1e-4, fatol=1e-5),
    )
    return np.asarray(out.x) if float(out.fun) < f0 else np.asarray(x0)


def _polish_block(f, x0, idx: list[int], bounds, max_evals: int, callback) -> np.ndarray:
    """Nelder-Mead over the coordinates `idx` only, the others held at x0."""
    x0 = np.asarray(x0, dtype=float)

    def g(y: np.ndarray) -> float:
        x = x0.copy()
        x[idx] = y
        return f(x)

    sub = [bounds[i] for i in idx]
    y = _polish(g, x0[idx], g(x0[idx]), sub, max_evals, callback)
    out = x0.copy()
    out[idx] = y
    return out


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
