"""The analysis layer as the package offers it at the top level: `corredor.compare`,
`corredor.ensemble` and `corredor.sweep`, the same work as the command line's `compare`,
`ensemble` and `sweep`, with what a notebook needs: scenarios given as names, files or
`Scenario` objects (e.g. from `Scenario.with_parameters`), a progress bar for work that
lasts more than a few seconds (`progress=False` turns it off; a callable receives
(done, total)), worker processes on request, and results that display themselves.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from corredor.analysis.compare import Comparison
from corredor.analysis.uncertainty import Ensemble
from corredor.progress import reporter
from corredor.scenario import Scenario, load_scenario

Progress = bool | str | Callable[[float, float], None] | None


def _unique_names(scenarios: Sequence[str | Path | Scenario]) -> list[str | Path | Scenario]:
    """Scenario objects sharing a name (a scenario and its variant) get ' (2)', ' (3)'...,
    so that tables and legends tell them apart; the saved record holds the new name."""
    seen: dict[str, int] = {}
    out = []
    for s in scenarios:
        name = s.name if isinstance(s, Scenario) else str(s)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1 and isinstance(s, Scenario):
            s = s.with_interventions([], name=f"{name} ({seen[name]})")
        out.append(s)
    return out


def _pool(workers: int | None, needed: bool):
    from corredor.analysis.executors import batch_executor

    return batch_executor(workers, needed=needed)


def compare(
    scenarios: Sequence[str | Path | Scenario],
    *,
    replicates: int = 16,
    seed: int = 1,
    first: int | None = None,
    last: int | None = None,
    draws: int = 0,
    workers: int | None = None,
    progress: Progress = None,
) -> Comparison:
    """Run scenarios with the same seed and replicates (the first is the reference) and
    compare their totals over the years `first`–`last`: `.table` has one row per
    scenario and outcome (mean, p05, p95, and the paired difference from the first with
    its 90% interval), `.results` the runs behind it. With `draws` > 0 every scenario
    also runs the same parameter draws, so intervals include parameter uncertainty
    (`workers` processes run them). See `corredor.analysis.compare` for the measures."""
    from corredor.analysis.compare import compare as run_compare

    given = _unique_names(list(scenarios))
    runs = replicates * max(draws, 1)
    callback, bar = reporter(progress, f"compare ×{runs} runs", len(given), "scenarios")
    try:
        with _pool(workers, draws > 0) as ex:
            return run_compare(
                given,
                replicates=replicates,
                seed=seed,
                first=first,
                last=last,
                draws=draws,
                executor=ex,
                steps=callback,
            )
    finally:
        if bar is not None:
            bar.close()


def ensemble(
    scenario: str | Path | Scenario = "baseline",
    *,
    n: int = 100,
    replicates: int = 1,
    seed: int = 1,
    chunk: int = 100,
    parameters: Sequence[str] | None = None,
    posterior: Any = None,
    workers: int | None = None,
    progress: Progress = None,
) -> Ensemble:
    """Run `n` parameter draws (from the evidence ranges of the uncertain parameters, or
    only of those named in `parameters`) × `replicates` of a scenario, yearly. `posterior`
    (a DataFrame, or the path of `corredor calibrate --method abc`'s posterior.csv) draws
    the calibrated parameters from it instead. Returns an `Ensemble`: `.summary()` has
    medians with 50% and 90% intervals, `.results.plot("fan")` draws them against the
    observed history, `.save(dir)` writes them."""
    from corredor.analysis.uncertainty import ensemble as run_ensemble

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if isinstance(posterior, str | Path):
        from corredor.analysis.posterior import load_posterior

        posterior = load_posterior(Path(posterior))
    callback, bar = reporter(progress, f"ensemble {sc.name}: {n}×{replicates}", None, "tasks")
    try:
        with _pool(workers, True) as ex:
            return run_ensemble(
                sc,
                n=n,
                replicates=replicates,
                seed=seed,
                chunk=chunk,
                only=list(parameters) if parameters else None,
                posterior=posterior,
                executor=ex,
                progress=callback,
            )
    finally:
        if bar is not None:
            bar.close()


def _lever_texts(levers: Mapping[str, Any] | Sequence[str]) -> list[str]:
    """{"name": (low, high, steps)}, {"name": (low, high)}, {"name": value} or
    ["name=low:high:steps", ...] as the command line's --lever texts."""
    if isinstance(levers, Mapping):
        out = []
        for name, spec in levers.items():
            if isinstance(spec, Sequence) and not isinstance(spec, str):
                out.append(
                    f"{name}="
                    + ":".join(f"{v:g}" if isinstance(v, float) else str(v) for v in spec)
                )
            else:
                out.append(f"{name}={spec}")
        return out
    return [str(x) for x in levers]


def sweep(
    scenario: str | Path | Scenario,
    levers: Mapping[str, Any] | Sequence[str],
    *,
    out: str | Path | None = None,
    design: str | None = None,
    n: int | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    first: int | None = None,
    last: int | None = None,
    lever_from: int | None = None,
    common_seeds: bool | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: Progress = None,
) -> Any:
    """Run a scenario over a grid (or, with `n`, a Latin hypercube) of policy lever
    values (`corredor levers` lists them), e.g. `levers={"ec_container_effort": (1, 4,
    4)}`; returns the sweep as an xarray Dataset (`analysis.sweep.open_sweep`: outcomes
    per point and replicate, lever values as coordinates). `out` keeps the Zarr store
    (resumable with `resume=True`); without it the store lives in a temporary directory
    and the Dataset is loaded into memory. `analysis.sweep.summarize(ds)` gives the tidy
    table, `outputs.plots.response_figure` the response curves."""
    from corredor.analysis.sweep import open_sweep, run_sweep

    tmp = None
    if out is None:
        tmp = Path(tempfile.mkdtemp(prefix="corredor-sweep-"))
        out = tmp / "sweep.zarr"
    name = scenario.name if isinstance(scenario, Scenario) else Path(str(scenario)).stem
    callback, bar = reporter(progress, f"sweep {name}", None, "tasks")
    try:
        result = run_sweep(
            scenario,
            _lever_texts(levers),
            out=out,
            design=design,
            n=n,
            replicates=replicates,
            seed=seed,
            first=first,
            last=last,
            lever_year=lever_from,
            common_seeds=common_seeds,
            resume=resume,
            workers=workers,
            progress=callback,
        )
        ds = open_sweep(result.path)
        return ds.load() if tmp is not None else ds
    finally:
        if bar is not None:
            bar.close()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
