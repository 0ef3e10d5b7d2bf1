"""The Python API: run a scenario and get a Results object."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from corredor.engine import Simulation
from corredor.errors import CorredorError
from corredor.limits import check_at_least, check_run_size, check_seed
from corredor.results import Results, build_dataset
from corredor.scenario import Scenario, load_scenario


def run(
    scenario: str | Path | Scenario = "baseline",
    *,
    replicates: int = 1,
    seed: int | None = None,
    start: int | None = None,
    end: int | None = None,
    resolution: str = "week",
    progress: Callable[[int, int], None] | None = None,
    profile: bool = False,
) -> Results:
    """Run a scenario (built-in name, TOML path or loaded Scenario).

    `replicates` stochastic replicates run together along the array's replicate axis;
    `seed` defaults to the scenario's; `start`/`end` override its period; `resolution`
    is "week" (every step) or "year" (sums per calendar year, far less memory);
    `profile=True` records the seconds spent in each phase of the step in
    `Results.timings`.
    """
    check_at_least(replicates, "--replicates")
    check_seed(seed)
    if resolution not in ("week", "year"):
        raise CorredorError(
            f"unknown resolution {resolution!r}", field="--resolution", fix="use 'week' or 'year'"
        )
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if start is not None or end is not None:
        sc = sc.with_period(start, end)
    check_run_size(sc, replicates, resolution=resolution)
    sim = Simulation(sc, replicates=replicates, seed=seed, resolution=resolution, profile=profile)
    data = sim.run(progress=progress)
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
