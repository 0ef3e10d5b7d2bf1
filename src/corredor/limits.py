"""Upper bounds on what a user may ask for, checked before any work starts.

A seed must fit the 64-bit integers results are stored with; a number of replicates,
draws or sweep points must fit in this machine's memory. The sizes here are estimates
from the scenario's network (how many numbers a run records per week), good to a factor
of about two: enough to refuse `--replicates 1000000000` at once with the numbers, instead
of a MemoryError after minutes of work, without refusing anything that would have run.
"""

from __future__ import annotations

import os
from typing import Any

from corredor.errors import CorredorError

# Seeds are stored as signed 64-bit integers (results attributes, sweep stores).
MAX_SEED = 2**63 - 1
WEEKS_PER_YEAR = 52
# Memory a run needs besides its recorded arrays: the interpreter, numpy, numba's
# compiled kernels and the compiled network (measured: about 100 MB for `baseline`).
BASE_MEMORY = 150 * 2**20
# Working arrays per replicate (routes, beliefs, stocks); measured well under 1 MB for
# `baseline`, counted generously for larger networks.
PER_REPLICATE = 2**20


def check_seed(seed: Any, field: str = "--seed") -> None:
    """A seed is a whole number from 0 to 2**63 - 1."""
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise CorredorError(f"{seed!r} is not a whole number", field=field, fix="e.g. 1")
    if not 0 <= seed <= MAX_SEED:
        raise CorredorError(
            f"{seed} is outside 0-{MAX_SEED} (2**63 - 1)",
            field=field,
            fix="use a whole number from 0 to 2**63 - 1",
        )


def check_at_least(value: Any, field: str, low: int = 1) -> None:
    """A count (replicates, draws, workers...) is a whole number of at least `low`."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise CorredorError(
            f"must be at least {low}" if isinstance(value, int) else f"{value!r} is not a count",
            field=field,
            fix=f"use {low} or more",
        )


def floats_per_step(sc: Any) -> int:
    """Numbers one replicate records per step: every recorded variable
    (`output_size.VARIABLES`) at the scenario's dimension sizes."""
    from corredor.output_size import VARIABLES, dimension_sizes

    sizes = dimension_sizes(sc)
    total = 0
    for dims in VARIABLES.values():
        n = 1
        for d in dims:
            n *= sizes[d]
        total += n
    return total


def run_bytes(sc: Any, runs: int, resolution: str = "week") -> int:
    """Bytes of the arrays `runs` replicates of `sc` record (float64)."""
    years = sc.end - sc.start + 1
    steps = years * (WEEKS_PER_YEAR if resolution == "week" else 1)
    return 8 * int(runs) * steps * floats_per_step(sc)


def memory_available() -> int | None:
    """Bytes of memory this process can still get (available RAM plus free swap), or
    None when the system does not say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            info = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in fh}
        return info.get("MemAvailable", info.get("MemFree", 0)) + info.get("SwapFree", 0)
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def human(n: float) -> str:
    """Bytes for people: 2.8 MB, 3.1 TB."""
    for unit in ("B", "kB", "MB", "GB", "TB", "PB", "EB"):
        if abs(n) < 1000 or unit == "EB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000.0
    return f"{n:,.1f} EB"  # pragma: no cover - the loop returns


def check_memory(needed: int, *, field: str, what: str, fix: str) -> None:
    """Refuse work whose estimated memory exceeds what this machine has available."""
    available = memory_available()
    if available is not None and needed > available:
        raise CorredorError(
            f"{what} would need about {human(needed)} of memory; this machine has "
            f"{human(available)} available",
            field=field,
            fix=fix,
        )


def run_memory(sc: Any, runs: int, resolution: str = "week") -> int:
    """Estimated peak memory of running `runs` replicates of `sc` at once and keeping
    their results (the recorded arrays, and a copy while they are written out)."""
    return BASE_MEMORY + PER_REPLICATE * int(runs) + 2 * run_bytes(sc, runs, resolution)


def check_run_size(
    sc: Any,
    runs: int,
    *,
    resolution: str = "week",
    field: str = "--replicates",
    what: str | None = None,
) -> int:
    """Refuse `runs` replicates of `sc` kept in memory if they cannot fit; returns the
    estimated bytes of their results."""
    what = what or f"{runs:,} replicates of {sc.name} ({resolution}ly results)"
    fix = "use fewer replicates" + (", or --resolution year" if resolution == "week" else "")
    check_memory(run_memory(sc, runs, resolution), field=field, what=what, fix=fix)
    return run_bytes(sc, runs, resolution)
