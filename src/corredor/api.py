"""The Python API: run a scenario and get a Results object."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corredor.engine import Simulation
from corredor.errors import CorredorError
from corredor.limits import check_at_least, check_run_size, check_seed
from corredor.output_size import DEFAULT_LIMIT_GB, plan_output, warn_if_switched
from corredor.progress import reporter
from corredor.results import Results, build_dataset
from corredor.scenario import Scenario, load_scenario


def run(
    scenario: str | Path | Scenario = "baseline",
    *,
    parameters: Mapping[str, Any] | None = None,
    interventions: Sequence[Mapping[str, Any]] | None = None,
    replicates: int = 1,
    seed: int | None = None,
    start: int | None = None,
    end: int | None = None,
    resolution: str = "auto",
    progress: bool | str | Callable[[int, int], None] | None = None,
    profile: bool = False,
    max_output_gb: float | None = DEFAULT_LIMIT_GB,
) -> Results:
    """Run a scenario (built-in name, TOML path or loaded Scenario).

    `parameters` overrides parameter values by name (`corredor parameters` lists them;
    a dated table {"2026-01-01": v, ...} for those that may vary over time) and
    `interventions` adds timed interventions, each a dict with the keys of a
    `[[interventions]]` entry of a scenario file (docs/scenarios.md); both go through
    `Scenario.with_parameters` / `with_interventions`, so the saved record is exact.
    `replicates` stochastic replicates run together along the array's replicate axis;
    `seed` defaults to the scenario's; `start`/`end` override its period; `resolution`
    is "week" (every step), "year" (sums per calendar year, 52× less memory) or "auto"
    (weekly unless the results would exceed `max_output_gb`, then yearly with an
    `OutputSizeWarning`; an explicit "week" above the limit raises; None: no limit);
    `profile=True` records the seconds spent in each phase of the step in
    `Results.timings`.

    `progress`: by default (None) a bar appears if the run lasts more than a few seconds
    (in a notebook, a terminal or, as plain lines, a log); True shows it at once, False
    never; a callable receives (weeks done, weeks in all) instead.
    """
    check_at_least(replicates, "--replicates")
    check_seed(seed)
    if resolution not in ("auto", "week", "year"):
        raise CorredorError(
            f"unknown resolution {resolution!r}",
            field="resolution",
            fix="use 'auto', 'week' or 'year'",
        )
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if start is not None or end is not None:
        sc = sc.with_period(start, end)
    if parameters:
        sc = sc.with_parameters(parameters)
    if interventions:
        sc = sc.with_interventions(interventions)
    plan = plan_output(sc, replicates, resolution, max_output_gb)
    warn_if_switched(plan)
    check_run_size(sc, replicates, resolution=plan.resolution)
    sim = Simulation(
        sc, replicates=replicates, seed=seed, resolution=plan.resolution, profile=profile
    )
    label = f"{sc.name} {sc.start}–{sc.end} ×{replicates}"
    callback, bar = reporter(progress, label, None, "weeks")
    try:
        data = sim.run(progress=callback)
    finally:
        if bar is not None:
            bar.close()
    check_finite(data, sc)
    return Results(build_dataset(sim, data), timings=sim.timings)


def check_finite(data: dict[str, np.ndarray], sc: Scenario) -> None:
    """Refuse results holding inf or nan: some input was too large to compute with, and
    a run must never end as if all were well with numbers nobody can use."""
    for name, arr in data.items():
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            raise CorredorError(
                f"the run of {sc.name} produced values that are not finite (inf or nan) in "
                f"{name}: an input is too large to compute with",
                file=sc.file,
                fix="check the budgets, capacities, demands and other large numbers of the "
                "scenario and its network",
            )
