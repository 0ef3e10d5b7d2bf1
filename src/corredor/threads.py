"""How a run uses the machine's threads.

Only speed depends on threads, never a number: a replicate's arithmetic is the same
whichever thread does it.

- **BLAS stays on one thread during a run.** The engine's few dense products (credit to
  countries, the violence price index) are small: at 256 replicates OpenBLAS splits
  them over every core, and its threads then spin between products, doubling the CPU
  a run costs for no gain in wall time (`benchmarks/bench_networks.py`). OpenBLAS
  splits a product by blocks of its output, never along the summed axis, so one thread
  gives the same bits.
- **Many replicates may run on numba's thread pool.** The heavy weekly kernels have a
  serial and a parallel driver around one per-replicate body (`kernels.py`).
  Replicates are independent, so both drivers give the same numbers, and a run may
  switch between them from one week to the next. Threads pay only on a machine with an
  idle core: on a shared machine whose other cores are busy, waiting for a thread that
  is not scheduled makes a week several times slower. So `WeekDrivers` measures: it
  tries both drivers for a few weeks at the start of every year of the run and uses
  the faster for the rest of that year. One replicate, or a few, stay serial.
- A worker process (an ensemble's or a sweep's, local or Dask) stays serial: its sibling
  workers already use the other cores.
- Numba's `workqueue` threading layer must not be entered from two Python threads at
  once (it aborts the process): a lock lets one run at a time use the pool; a run that
  finds it taken stays serial.

`CORREDOR_THREADS=serial` or `=parallel` fixes the choice (for tests); `=auto` measures
even in a worker process (for benchmarks, which time runs in child processes).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Iterator

# Replicates from which the parallel drivers are considered: below it thread start-up
# costs more than it saves (a replicate-week of the heavy kernels is a few microseconds).
PARALLEL_MIN_REPLICATES = 16
PROBE_EVERY = 52  # weeks between two trials of the drivers
PROBE_WEEKS = 4  # weeks of a trial, alternating serial and parallel

# OpenMP's threads wait for work passively (they sleep; by default they spin for a
# while): measured at 256 replicates on 2 cores, spinning bought 10% of wall time for
# 25% more CPU, and on a machine whose other core is busy it made weeks several times
# slower. Read when numba starts its OpenMP pool (its first parallel call); a value
# set by the user is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

_pool = threading.Lock()
_blas = None  # threadpoolctl's controller, found once per process (it scans libraries)


@contextlib.contextmanager
def blas_single_thread() -> Iterator[None]:
    """BLAS limited to one thread inside the block, as before outside it."""
    global _blas
    try:
        if _blas is None:
            from threadpoolctl import ThreadpoolController

            _blas = ThreadpoolController()
        limit = _blas.limit(limits=1, user_api="blas")
    except Exception:  # noqa: BLE001 - no controller: threads only cost time, not numbers
        yield
        return
    with limit:
        yield


def pool_threads() -> int:
    """Threads of numba's pool (NUMBA_NUM_THREADS, by default the machine's cores)."""
    from numba import config

    return int(config.NUMBA_NUM_THREADS)


def mode() -> str:
    """'auto' (measure), 'serial' or 'parallel': CORREDOR_THREADS, or when it is not set,
    'auto' in a program's main process and 'serial' in a worker process."""
    value = os.environ.get("CORREDOR_THREADS", "").strip().lower()
    if value in ("serial", "parallel", "auto"):
        return value
    return "auto" if multiprocessing.parent_process() is None else "serial"


class WeekDrivers:
    """Which drivers the kernels use, week by week: `serial()` before each week, and
    `took(seconds)` after it. In 'auto' mode each trial alternates serial and parallel
    weeks and keeps, for the weeks that follow, the driver with the shorter week."""

    def __init__(self, allowed: bool, how: str) -> None:
        self.allowed, self.how = allowed, how
        self.week = 0
        self.best = {False: float("inf"), True: float("inf")}
        self.choice = False
        self.pool_weeks = 0  # weeks run on the thread pool

    def parallel(self) -> bool:
        """True when this week's kernels should use the parallel drivers."""
        if not self.allowed or self.how == "serial":
            use = False
        elif self.how == "parallel":
            use = True
        else:
            phase = self.week % PROBE_EVERY
            if phase == 0:
                self.best = {False: float("inf"), True: float("inf")}
            use = bool(phase % 2) if phase < PROBE_WEEKS else self.choice
        self._now = use
        self.pool_weeks += use
        return use

    def took(self, seconds: float) -> None:
        """The wall time of the week just run."""
        if self.week % PROBE_EVERY < PROBE_WEEKS:
            self.best[self._now] = min(self.best[self._now], seconds)
            self.choice = self.best[True] < self.best[False]
        self.week += 1


@contextlib.contextmanager
def drivers(replicates: int) -> Iterator[WeekDrivers]:
    """The week-by-week choice of drivers for a run of `replicates`: the parallel ones
    are allowed with enough replicates, more than one thread and the pool free (held
    until the block ends)."""
    how = mode()
    wanted = how != "serial" and (
        how == "parallel" or (replicates >= PARALLEL_MIN_REPLICATES and pool_threads() > 1)
    )
    if not wanted or not _pool.acquire(blocking=False):
        yield WeekDrivers(False, how)
        return
    try:
        yield WeekDrivers(True, how)
    finally:
        _pool.release()
