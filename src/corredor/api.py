"""The Python API: run a scenario and get a Results object."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from corredor.engine import Simulation
from corredor.errors import CorredorError
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
    if replicates < 1:
        raise CorredorError("must be at least 1", field="replicates", fix="use 1 or more")
    if seed is not None and seed < 0:
        raise CorredorError("must not be negative", field="seed", fix="use 0 or more")
    if resolution not in ("week", "year"):
        raise CorredorError(
            f"unknown resolution {resolution!r}", field="resolution", fix="use 'week' or 'year'"
        )
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if start is not None or end is not None:
        sc = sc.with_period(start, end)
    sim = Simulation(sc, replicates=replicates, seed=seed, resolution=resolution, profile=profile)
    data = sim.run(progress=progress)
    return Results(build_dataset(sim, data), timings=sim.timings)
