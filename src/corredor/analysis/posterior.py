"""Approximate Bayesian computation: a posterior sample of the free parameters.

Rejection ABC. Candidates are drawn from the prior — the calibration bounds of the free
parameters (`calibration.FREE`), uniform or log-uniform (Latin hypercube) — and each
candidate runs once over the fitting window. Since the free parameters can differ by
replicate (`engine.VARYING`), a whole batch of candidates is one engine run. Each run's
distance to the observed series is the calibration objective for that run alone
(weighted mean squared error of log(1 + value) over the fitting window). The runs with
the smallest distances (`accept`, a fraction) are the posterior sample; its median is
the point estimate written to the calibrated scenario, and the posterior predictive
(every accepted set, run over the whole observed period) gives the bands and the fit
statistics of the report, in-sample and held-out. Free parameters that cannot vary by
replicate (an agency's `effort_scale`) are not drawn: they keep the scenario's value.

The posterior sample is written as `posterior.csv`; `corredor ensemble --posterior FILE`
draws the calibrated parameters jointly from it instead of from their evidence ranges.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Executor

import numpy as np
import pandas as pd
import xarray as xr

from corredor.analysis.calibration import (
    FREE,
    TARGETS,
    CalibrationResult,
    FreeParameter,
    compare,
    fit_statistics,
    inputs_digest,
    objective_value,
    simulate,
    target_series,
)
from corredor.engine import VARYING
from corredor.errors import CorredorError
from corredor.parameters import PARAMS
from corredor.provenance import machine_info
from corredor.results import Results
from corredor.scenario import Scenario
from corredor.version import __version__


def prior_sample(free: tuple[FreeParameter, ...], n: int, seed: int) -> dict[str, np.ndarray]:
    """n Latin-hypercube draws from the prior (uniform, or log-uniform if `log`)."""
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xABC,)))
    u = qmc.LatinHypercube(d=len(free), rng=rng).random(n)
    out = {}
    for j, p in enumerate(free):
        if p.log:
            out[p.name] = np.exp(math.log(p.low) + u[:, j] * (math.log(p.high) - math.log(p.low)))
        else:
            out[p.name] = p.low + u[:, j] * (p.high - p.low)
    return out


def run_series(ds: xr.Dataset, series: str, region: str) -> xr.DataArray:
    """(replicate, year) values of a calibration target in a yearly dataset."""
    da = target_series(ds, series, region)
    if da is None:
        raise CorredorError(
            f"the runs have no {series} for {region}",
            field="calibration.TARGETS",
            fix="calibrate a scenario whose network has that country",
        )
    return da


def distances(ds: xr.Dataset, observed: pd.DataFrame, fit_end: int) -> np.ndarray:
    """(R,) each run's calibration objective over the fitting window."""
    years = ds["year"].values
    total = np.zeros(ds.sizes["replicate"])
    weight_sum = 0.0
    for (series, region), w in TARGETS.items():
        if w <= 0:
            continue
        obs = observed[
            (observed.series == series) & (observed.region == region) & (observed.year <= fit_end)
        ]
        obs = obs[obs.year.isin(years)]
        if obs.empty:
            continue
        sim = run_series(ds, series, region).values  # (R, T)
        cols = [int(np.flatnonzero(years == y)[0]) for y in obs.year]
        err = np.log1p(np.maximum(sim[:, cols], 0.0)) - np.log1p(obs.value.to_numpy())[None, :]
        total += w * np.mean(err**2, axis=1)
        weight_sum += w
    if weight_sum == 0:
        raise CorredorError(
            "no observed target inside the fitting window",
            field="--fit-end",
            fix="choose a later year",
        )
    return total / weight_sum


def abc(
    scenario: Scenario,
    observed: pd.DataFrame,
    *,
    free: tuple[FreeParameter, ...] = FREE,
    fit_end: int = 2021,
    n: int = 2000,
    accept: float = 0.05,
    seed: int = 1,
    chunk: int = 100,
    predictive: int = 100,
    report_replicates: int = 8,
    executor: Executor | None = None,
    progress: Callable[[int, float, float], None] | None = None,
) -> tuple[CalibrationResult, pd.DataFrame]:
    """Rejection ABC; returns the calibration result (median, posterior predictive fit)
    and the posterior sample (one row per accepted set, with its distance)."""
    from corredor.analysis.uncertainty import make_chunks, run_batches, run_chunks

    if fit_end < scenario.start:
        raise CorredorError(
            f"fitting window ends ({fit_end}) before the scenario starts ({scenario.start})",
            field="--fit-end",
            fix="choose a later year",
        )
    if n < 10:
        raise CorredorError("must be at least 10", field="--n", fix="use 1000 or more")
    if not 0.0 < accept <= 1.0:
        raise CorredorError("must be in (0, 1]", field="--accept", fix="e.g. --accept 0.05")
    started = time.perf_counter()
    machine = machine_info()
    end = int(observed["year"].max())
    # Only parameters that can differ between replicates of one run can be drawn along
    # the replicate axis; the others (an agency's effort scale) keep the scenario's value.
    free = tuple(p for p in free if p.name in VARYING)
    values = prior_sample(free, n, seed)
    fit_sc = scenario.with_period(end=fit_end)
    chunks = make_chunks(fit_sc, values, n, 1, seed, chunk)
    best = [math.inf]

    def tick(done: int, total: int) -> None:
        if progress is not None:
            progress(min(done * chunk, n), best[0], time.perf_counter() - started)

    parts = run_chunks(chunks, executor=executor, progress=tick)
    dist = np.concatenate([distances(ds, observed, fit_end) for ds in parts])
    best[0] = float(dist.min())
    k = max(10, int(round(accept * n)))
    order = np.argsort(dist, kind="stable")[:k]
    post = pd.DataFrame({name: v[order] for name, v in values.items()})
    post.insert(0, "distance", dist[order])
    point = {p.name: float(np.median(post[p.name])) for p in free}

    # posterior predictive: the accepted sets over the whole observed period
    m = min(predictive, k)
    pred_values = {name: post[name].to_numpy()[:m] for name in values}
    data = run_batches(
        scenario.with_period(end=end), pred_values, m, seed=seed, chunk=chunk, executor=executor
    )
    results = Results(data)
    table = compare(results, observed)
    defaults = {p.name: PARAMS[p.name].default for p in free}
    before = simulate(scenario, defaults, end=end, replicates=report_replicates, seed=seed)
    result = CalibrationResult(
        best=point,
        objective=objective_value(table, fit_end),
        evaluations=n,
        seconds=time.perf_counter() - started,
        stopped_by_budget=False,
        table=table,
        stats=fit_statistics(table, fit_end),
        baseline_stats=fit_statistics(compare(before, observed), fit_end),
        results=results,
        fit_end=fit_end,
        method=(
            f"approximate Bayesian computation (rejection: {n} prior draws, {k} accepted, "
            f"bands from the posterior predictive of {m} accepted sets)"
        ),
        free=free,
        stop_reason=f"{n} draws",
        provenance=dict(
            seed=int(seed),
            corredor_version=__version__,
            inputs_digest=inputs_digest(scenario, observed, free),
        ),
        machine=machine,
    )
    return result, post


def load_posterior(path) -> pd.DataFrame:
    """A posterior sample written by `corredor calibrate --method abc` (posterior.csv)."""
    import io
    from pathlib import Path

    from corredor.files import read_text

    path = Path(path)
    text = read_text(path, field="--posterior")  # UTF-8 or one clear error
    try:
        df = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorredorError(f"not a CSV table ({exc})", file=path, field="--posterior") from None
    names = [c for c in df.columns if c != "distance"]
    if not names or df.empty:
        raise CorredorError(
            "no parameter columns or no rows",
            file=path,
            field="--posterior",
            fix="use the posterior.csv written by `corredor calibrate --method abc`",
        )
    for name in names:
        if name not in PARAMS:
            from corredor.errors import suggest

            raise CorredorError(
                f"unknown parameter column {name!r}",
                file=path,
                field="header",
                fix=suggest(name, list(PARAMS)),
            )
        col = pd.to_numeric(df[name], errors="coerce")
        lo, hi = PARAMS[name].bounds
        if col.isna().any() or (col < lo).any() or (col > hi).any():
            raise CorredorError(
                f"column {name!r} has values that are missing, not numbers or outside "
                f"[{lo:g}, {hi:g}]",
                file=path,
                field=name,
                fix="use the posterior.csv written by `corredor calibrate --method abc`",
            )
        df[name] = col
    return df[names]
