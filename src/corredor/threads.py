"""How a run uses the machine's threads.

Two rules, both about speed only (a replicate's numbers never depend on threads):

- **BLAS stays on one thread during a run.** The engine's few dense products (credit to
  countries, the violence price index) are small: at 256 replicates OpenBLAS splits
  them over every core, and its threads then spin between products, doubling the CPU
  a run costs for no gain in wall time (measured: `benchmarks/bench_networks.py`).
  OpenBLAS splits a product by blocks of its output, never along the summed axis, so
  one thread gives the same bits.
- **Many replicates run on the numba thread pool** (`parallel()`): the heavy weekly
  kernels have a serial and a parallel driver around one per-replicate body (see
  `kernels.py`). Replicates are independent, so both give the same numbers; one
  replicate, or a few, stay serial and pay no thread overhead. Numba's `workqueue`
  threading layer must not be entered from two Python threads at once (it aborts the
  process): a lock lets one run at a time use the pool, and a run that finds it busy
  goes serial, with the same results.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

# Replicates from which the parallel drivers pay: below it thread start-up costs more
# than it saves (one replicate-week of the heavy kernels is a few microseconds).
PARALLEL_MIN_REPLICATES = 16

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


@contextlib.contextmanager
def parallel(replicates: int) -> Iterator[bool]:
    """True inside the block when a run of `replicates` should use the parallel
    drivers: enough replicates, more than one thread, and the pool free. The pool is
    held until the block ends. CORREDOR_SERIAL=1 forces the serial drivers."""
    wanted = (
        replicates >= PARALLEL_MIN_REPLICATES
        and pool_threads() > 1
        and os.environ.get("CORREDOR_SERIAL", "") not in ("1", "true", "yes")
    )
    if not wanted or not _pool.acquire(blocking=False):
        yield False
        return
    try:
        yield True
    finally:
        _pool.release()
