"""Parameter uncertainty: draws from evidence ranges, and ensembles of draws × replicates.

Every parameter that may vary between replicates of one run (`engine.VARYING`) and is
declared with a distribution (`Param.dist`) is uncertain: it is drawn inside its
evidence entry's low–high range, centred on the scenario's value (the mode of a
triangular distribution, or the median of a lognormal whose 90% interval is the range,
truncated to it). Draws are made by inverse CDF from uniform numbers, so the same
transform serves random, Latin-hypercube and Sobol/Morris designs (`sensitivity.py`).

The parameters calibration fits (`calibration.FREE`) are drawn with their *median* at
the scenario's value: half the draws below it, half above, each side keeping the
distribution's shape. Their fitted values sit far from the middle of wide evidence
ranges (seizures at origin 0.0099 in 0-0.1, enforcement swamping 0.15 in 0-5), where a
triangular's mode or a truncated lognormal's nominal median leaves most draws on one
side: the ensemble's median run then drifts away from the calibrated run (Ecuador's
2025 seizures: median 146 t against 359 t calibrated). Pinning the median keeps the
calibrated run near the middle of the ensemble's bands.

An ensemble is `n` parameter draws × `replicates` stochastic replicates. Runs are cut
into chunks of `chunk` runs (a chunk is one batch along the engine's replicate axis);
each chunk has its own seed spawned from the ensemble seed with `SeedSequence.spawn`,
so results depend on (scenario, n, replicates, seed, chunk) only, never on the number
of workers or the backend that ran them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from corredor.analysis.compiled import compiled_for
from corredor.engine import VARYING, Simulation
from corredor.errors import CorredorError
from corredor.evidence import default_evidence
from corredor.parameters import PARAMS
from corredor.results import Results, build_dataset
from corredor.scenario import Scenario

Z90 = stats.norm.ppf(0.95)  # a 90% interval spans ±1.645 standard deviations


@dataclass(frozen=True)
class Uncertain:
    """One uncertain parameter: its distribution within [low, high] around `centre`."""

    name: str
    dist: str
    low: float
    high: float
    centre: float
    evidence: str
    unit: str
    median_at_centre: bool = False  # half the draws on each side of `centre`

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at uniform quantiles `u` in [0, 1] (inverse CDF)."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        lo, hi = self.low, self.high
        if hi <= lo:
            return np.full(u.shape, lo)
        if self.median_at_centre and self.dist in ("triangular", "lognormal"):
            # Quantile q of the declared distribution at the centre: map u < 0.5 onto
            # [0, q] and u >= 0.5 onto [q, 1], so the median is the centre exactly.
            plain = Uncertain(self.name, self.dist, lo, hi, self.centre, self.evidence, "")
            c = min(max(self.centre, lo), hi)
            q = plain._cdf(c)
            v = np.where(u < 0.5, 2 * u * q, q + (2 * u - 1) * (1 - q))
            out = plain.ppf(v)
            out[u == 0.5] = c
            return out
        if self.dist == "uniform":
            return lo + u * (hi - lo)
        if self.dist == "triangular":
            c = (min(max(self.centre, lo), hi) - lo) / (hi - lo)
            return stats.triang.ppf(u, c, loc=lo, scale=hi - lo)
        if self.dist == "lognormal":
            median = min(max(self.centre, lo), hi)
            sigma = math.log(hi / lo) / (2 * Z90)
            dist = stats.lognorm(sigma, scale=median)
            f_lo, f_hi = dist.cdf(lo), dist.cdf(hi)  # truncated to the range
            return np.clip(dist.ppf(f_lo + u * (f_hi - f_lo)), lo, hi)
        raise ValueError(f"unknown distribution {self.dist!r}")

    def _cdf(self, x: float) -> float:
        """The declared distribution's CDF at x (truncated to [low, high])."""
        lo, hi = self.low, self.high
        if self.dist == "triangular":
            c = (min(max(self.centre, lo), hi) - lo) / (hi - lo)
            return float(stats.triang.cdf(x, c, loc=lo, scale=hi - lo))
        median = min(max(self.centre, lo), hi)
        dist = stats.lognorm(math.log(hi / lo) / (2 * Z90), scale=median)
        f_lo, f_hi = dist.cdf(lo), dist.cdf(hi)
        return float((dist.cdf(x) - f_lo) / (f_hi - f_lo))


def uncertain_parameters(scenario: Scenario, only: list[str] | None = None) -> list[Uncertain]:
    """The scenario's uncertain parameters (all of them, or those named in `only`);
    those calibration fits are drawn with their median at the scenario's value."""
    from corredor.analysis.calibration import FREE

    fitted = {p.name for p in FREE}
    evidence = default_evidence()
    names = [n for n in VARYING if PARAMS[n].dist is not None]
    if all(a.policy == "static" for a in scenario.agencies.values()):
        # allocation parameters act only on reactive or intelligence-led agencies
        names = [n for n in names if not n.startswith("allocation.")]
    if only:
        unknown = [n for n in only if n not in names]
        if unknown:
            from corredor.errors import suggest

            raise CorredorError(
                f"{unknown[0]!r} is not an uncertain parameter",
                field="--param",
                fix=suggest(unknown[0], names) + " (`corredor parameters` lists them)",
            )
        names = [n for n in names if n in only]
    out = []
    for name in names:
        p = PARAMS[name]
        e = evidence[p.evidence]
        lo, hi = max(e.low, p.bounds[0]), min(e.high, p.bounds[1])
        dist = p.dist
        if dist == "lognormal" and lo <= 0:
            dist = "triangular"  # a lognormal needs a positive range
        out.append(
            Uncertain(
                name,
                dist,
                lo,
                hi,
                scenario.params[name],
                p.evidence,
                p.unit,
                median_at_centre=name in fitted,
            )
        )
    return out


def draw(params: list[Uncertain], u: np.ndarray) -> dict[str, np.ndarray]:
    """Parameter values from an (n, k) array of uniform quantiles, one column each."""
    return {p.name: p.ppf(u[:, j]) for j, p in enumerate(params)}


def sample(params: list[Uncertain], n: int, seed: int) -> dict[str, np.ndarray]:
    """n Latin-hypercube draws (a stratified random sample, reproducible from seed)."""
    from scipy.stats import qmc

    if not params:
        return {}
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x5A3,)))
    u = qmc.LatinHypercube(d=len(params), rng=rng).random(n)
    return draw(params, u)


# -- running batches of runs --------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    """A batch of runs for one engine call: values per run of the drawn parameters."""

    index: int
    scenario: Scenario
    seed: int
    draws: dict[str, np.ndarray]
    n_runs: int


def run_chunk(chunk: Chunk) -> xr.Dataset:
    """Run one chunk (in a worker process) and return its yearly dataset."""
    from corredor.analysis.executors import tune_worker_memory

    tune_worker_memory()
    sim = Simulation(
        chunk.scenario,
        replicates=chunk.n_runs,
        seed=chunk.seed,
        resolution="year",
        draws=chunk.draws,
        compiled=compiled_for(chunk.scenario),
    )
    data = sim.run()
    ds = build_dataset(sim, data)
    return ds


def chunk_seeds(seed: int, n_chunks: int) -> list[int]:
    """One integer seed per chunk, spawned from the ensemble seed."""
    children = np.random.SeedSequence(seed).spawn(n_chunks)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


def make_chunks(
    scenario: Scenario,
    values: dict[str, np.ndarray],
    n: int,
    replicates: int,
    seed: int,
    chunk: int,
) -> list[Chunk]:
    """Cut n draws × replicates runs into chunks of at most `chunk` runs (draw-major)."""
    total = n * replicates
    per_run = {k: np.repeat(v, replicates) for k, v in values.items()}
    starts = list(range(0, total, chunk))
    seeds = chunk_seeds(seed, len(starts))
    return [
        Chunk(
            index=i,
            scenario=scenario,
            seed=seeds[i],
            draws={k: v[s : s + chunk] for k, v in per_run.items()},
            n_runs=min(chunk, total - s),
        )
        for i, s in enumerate(starts)
    ]


def run_chunks(
    chunks: list[Chunk],
    *,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[xr.Dataset]:
    """Run chunks in order (no executor) or through an Executor; results in chunk order."""
    out: list[xr.Dataset | None] = [None] * len(chunks)
    if executor is None:
        for i, ch in enumerate(chunks):
            out[i] = run_chunk(ch)
            if progress:
                progress(i + 1, len(chunks))
    else:
        from corredor.analysis.executors import run_tasks

        done = 0

        def on_result(i: int, ds: xr.Dataset) -> None:
            nonlocal done
            out[i] = ds
            done += 1
            if progress:
                progress(done, len(chunks))

        run_tasks(run_chunk, chunks, executor=executor, on_result=on_result)
    return [ds for ds in out if ds is not None]


def run_batches(
    scenario: Scenario,
    values: dict[str, np.ndarray],
    n: int,
    *,
    replicates: int = 1,
    seed: int = 1,
    chunk: int = 100,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Run n parameter draws × `replicates` in chunks and return one yearly dataset whose
    `replicate` dimension numbers the runs, draw-major."""
    parts = run_chunks(
        make_chunks(scenario, values, n, replicates, seed, chunk),
        executor=executor,
        progress=progress,
    )
    data = xr.concat(
        parts,
        dim="replicate",
        data_vars="all",
        coords="minimal",
        compat="override",
        join="override",
        combine_attrs="override",
    )
    return data.assign_coords(replicate=np.arange(n * replicates))


# -- ensembles ------------------------------------------------------------------------------


@dataclass
class Ensemble:
    """An ensemble's runs (dimension `replicate` numbers runs draw-major) and draws."""

    data: xr.Dataset  # yearly outputs, plus `draw` and one variable per drawn parameter
    params: list[Uncertain]
    seconds: float

    @property
    def results(self) -> Results:
        """The runs as Results (`.results.plot("fan")` draws the bands)."""
        return Results(self.data)

    def __repr__(self) -> str:
        a = self.data.attrs
        return (
            f"<Ensemble {a.get('scenario', '')}: {a.get('draws')} draws × "
            f"{a.get('replicates_per_draw')} replicates, {len(self.params)} parameters drawn, "
            f"seed {a.get('seed')}, {self.seconds:.1f} s; .summary(), .parameter_table(), "
            '.results.plot("fan"), .save(dir)>'
        )

    def summary(self) -> pd.DataFrame:
        """Tidy table: year, metric, region, median, p05, p25, p75, p95 across all runs."""
        return self.results.summary("ensemble")

    def parameter_table(self) -> pd.DataFrame:
        rows = []
        for p in self.params:
            v = self.data[f"param_{p.name}"].values
            rows.append(
                dict(
                    parameter=p.name,
                    unit=p.unit,
                    distribution=p.dist,
                    low=p.low,
                    centre=p.centre,
                    high=p.high,
                    drawn_min=float(v.min()),
                    drawn_median=float(np.median(v)),
                    drawn_max=float(v.max()),
                    evidence=p.evidence,
                )
            )
        return pd.DataFrame(rows)

    def save(self, outdir: str | Path) -> list[Path]:
        """Write ensemble.zarr, summary.csv and parameters.csv into `outdir`, atomically."""
        import shutil
        import tempfile

        outdir = Path(outdir)
        outdir.mkdir(parents=True, exist_ok=True)
        names = ["ensemble.zarr", "summary.csv", "parameters.csv"]
        with tempfile.TemporaryDirectory(dir=outdir, prefix=".tmp-") as tmp:
            t = Path(tmp)
            ds = self.data.copy()
            ds.attrs = {k: v for k, v in ds.attrs.items() if v is not None}
            ds.to_zarr(t / names[0], mode="w", zarr_format=2, consolidated=True)
            self.summary().to_csv(t / names[1], index=False, float_format="%.6g")
            self.parameter_table().to_csv(t / names[2], index=False, float_format="%.6g")
            for name in names:
                target = outdir / name
                if target.is_dir():
                    shutil.rmtree(target)
                elif target.exists():
                    target.unlink()
                shutil.move(str(t / name), target)
        return [outdir / n for n in names]


def ensemble(
    scenario: Scenario,
    *,
    n: int,
    replicates: int = 1,
    seed: int = 1,
    chunk: int = 100,
    only: list[str] | None = None,
    posterior: pd.DataFrame | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """Run n parameter draws × `replicates` replicates of a scenario, 2015–end, yearly.

    `posterior` (a sample from `corredor calibrate --method abc`, one column per
    parameter) replaces the evidence ranges of its parameters: they are drawn jointly, by
    resampling its rows."""
    for field, value in (("--n", n), ("--replicates", replicates), ("--chunk", chunk)):
        if value < 1:
            raise CorredorError("must be at least 1", field=field, fix="use 1 or more")
    if seed < 0:
        raise CorredorError("must not be negative", field="--seed", fix="use 0 or more")
    params = uncertain_parameters(scenario, only)
    if posterior is not None:
        bad = [c for c in posterior.columns if c not in VARYING]
        if bad:
            raise CorredorError(
                f"posterior parameter {bad[0]!r} cannot be drawn per run",
                field="--posterior",
                fix="use a posterior of calibrated parameters (`corredor calibrate --method abc`)",
            )
        params = [p for p in params if p.name not in posterior.columns]
    values = sample(params, n, seed)
    if posterior is not None:
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x9057,)))
        rows = rng.integers(0, len(posterior), size=n)
        for col in posterior.columns:
            v = posterior[col].to_numpy(dtype=float)
            values[col] = v[rows]
            params.append(
                Uncertain(
                    col,
                    "posterior",
                    float(v.min()),
                    float(v.max()),
                    float(np.median(v)),
                    "calibration-2026-11",
                    PARAMS[col].unit,
                )
            )
    t0 = time.perf_counter()
    data = run_batches(
        scenario,
        values,
        n,
        replicates=replicates,
        seed=seed,
        chunk=chunk,
        executor=executor,
        progress=progress,
    )
    seconds = time.perf_counter() - t0
    total = n * replicates
    data["draw"] = ("replicate", np.repeat(np.arange(n), replicates))
    for p in params:
        data[f"param_{p.name}"] = ("replicate", np.repeat(values[p.name], replicates))
        data[f"param_{p.name}"].attrs = {
            "units": p.unit,
            "evidence": p.evidence,
            "distribution": p.dist,
        }
    data.attrs.update(
        kind="ensemble",
        draws=int(n),
        replicates=int(total),
        replicates_per_draw=int(replicates),
        seed=int(seed),
        chunk=int(chunk),
        uncertain_parameters=",".join(p.name for p in params),
    )
    return Ensemble(data=data, params=params, seconds=seconds)
