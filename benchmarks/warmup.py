"""One-time costs paid before a benchmark times a run: the compiled kernels loaded from
their cache, lazy imports, and the kernels' parallel drivers (loaded on first use)."""

from __future__ import annotations

import os

from corredor.engine import Simulation


def pay_one_time_costs(scenario, compiled) -> None:
    """Run a one-year stub serially, then on the thread pool, untimed."""
    stub = scenario.with_period(end=scenario.start)
    Simulation(stub, resolution="year", compiled=compiled).run()
    before, os.environ["CORREDOR_THREADS"] = os.environ.get("CORREDOR_THREADS"), "parallel"
    try:
        Simulation(stub, replicates=2, resolution="year", compiled=compiled).run()
    finally:
        if before is None:
            del os.environ["CORREDOR_THREADS"]
        else:
            os.environ["CORREDOR_THREADS"] = before
