"""Where batches of runs execute: local worker processes or a Dask cluster, behind the
`concurrent.futures.Executor` interface, and a task loop that survives dying workers.

`executor()` gives local worker processes (one per core by default) or, with a scheduler
address, the workers of an existing Dask (distributed) cluster. `run_tasks()` submits a
function over a list of tasks, hands each result to the caller in the main process as it
finishes, and resubmits a task whose worker died (a crash, an out-of-memory kill); an
exception raised by the function itself is a bug or a user error and is propagated.

Tasks should last seconds: each costs a round trip and, for local processes, pickling
its arguments.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from corredor.errors import CorredorError

_MALLOC_TUNED = False


def tune_worker_memory() -> None:
    """Keep freed memory for reuse in this process (Linux/glibc; once per process).

    Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also fixes
    glibc's mmap threshold: every large numpy temporary of the weekly loop is then
    mapped and unmapped from the OS, and a run takes almost twice as long (measured:
    13.4 s instead of 7.4 s for 100 runs). Raising both thresholds restores the speed
    of a plain process whatever launched the worker.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED or not sys.platform.startswith("linux"):
        return
    _MALLOC_TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, 64 * 2**20)
        libc.mallopt(m_trim_threshold, 256 * 2**20)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def watch_parent(pid: int, interval: float = 1.0) -> None:
    """Worker initializer: end this worker as soon as process `pid` (the one that made
    the pool) is gone, however it ended.

    Without it, a main process killed with SIGKILL (as the out-of-memory killer does)
    leaves its workers waiting forever for tasks: they hold both ends of their task
    queue, and the fork server and resource tracker stay alive because the workers hold
    their pipes. A daemon thread waits on a pidfd of the main process (Linux), or checks
    every `interval` seconds elsewhere, and exits the worker without cleanup: its
    results have nowhere to go."""
    import threading

    if os.name != "posix":  # pragma: no cover - spawned Windows workers are not orphaned
        return

    def end() -> None:
        os._exit(1)

    def wait_pidfd(fd: int) -> None:
        import select

        select.select([fd], [], [])
        end()

    def poll() -> None:
        import time

        while True:
            time.sleep(interval)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                end()
            except OSError:  # exists but not ours to signal: alive
                pass

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        end()
    except (AttributeError, OSError):
        target, args = poll, ()
    else:
        target, args = wait_pidfd, (fd,)
    threading.Thread(target=target, args=args, name="corredor-parent-watch", daemon=True).start()


class WorkerLost(RuntimeError):
    """A task's worker died more often than the retries allow."""


def default_workers() -> int:
    """Worker processes to start by default: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _start_method() -> str:
    # Never "fork": the parent may hold threads (numba, BLAS, Dask's event loop) whose
    # locks a forked child would inherit in an unknown state. A fork server is a clean
    # single-threaded process; with modules preloaded in it, workers start instantly.
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


class LocalPool(Executor):
    """Worker processes on this machine: a ProcessPoolExecutor that can be rebuilt.

    A worker that dies breaks a ProcessPoolExecutor for good; `restart()` replaces it by
    a fresh pool of the same size, so the task loop can resubmit unfinished tasks.
    """

    def __init__(
        self, workers: int, *, start_method: str | None = None, preload: Sequence[str] = ()
    ) -> None:
        if workers < 1:
            raise CorredorError("must be at least 1", field="--workers", fix="use 1 or more")
        from corredor.limits import BASE_MEMORY, check_memory

        # each worker is a Python process with the model loaded
        check_memory(
            workers * BASE_MEMORY,
            field="--workers",
            what=f"{workers:,} worker processes",
            fix=f"use fewer workers (this machine has {default_workers()} cores)",
        )
        self.max_workers = workers
        self._context = multiprocessing.get_context(start_method or _start_method())
        if preload and self._context.get_start_method() == "forkserver":
            self._context.set_forkserver_preload(list(preload))
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.max_workers,
            mp_context=self._context,
            initializer=watch_parent,
            initargs=(os.getpid(),),
        )

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        return self._pool.submit(fn, *args, **kwargs)

    def restart(self) -> None:
        """Replace a broken pool by a new one (workers of the old one are ended)."""
        self.terminate()
        self._pool = self._new_pool()

    def terminate(self) -> None:
        """End the workers now, abandoning running tasks (after an interrupt or error)."""
        pool = self._pool
        # The pool only knows how to wait for running tasks; our own workers are ended
        # by process id so an interrupted sweep stops at once.
        processes = dict(getattr(pool, "_processes", None) or {})
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes.values():
            if proc.is_alive():
                proc.terminate()
        for proc in processes.values():
            proc.join(timeout=5)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


class DaskPool(Executor):
    """The workers of a Dask (distributed) cluster, through the client's executor.

    Submissions are impure (`pure=False`): a resubmitted task runs again instead of
    returning the failed result Dask remembers under the same key.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self._executor = client.get_executor(pure=False)

    @property
    def max_workers(self) -> int:
        """Threads across the cluster's workers now (clusters may grow or shrink)."""
        return max(1, sum(self.client.nthreads().values()))

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait and not cancel_futures)


def _package_version() -> str:
    """Version and code digest of corredor as loaded in this process."""
    from corredor.version import CODE_DIGEST, __version__

    return f"{__version__}+{CODE_DIGEST}"


def _connect(scheduler: str, timeout: float) -> Any:
    from corredor.version import __version__

    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - a declared dependency
        raise CorredorError(
            "dask.distributed is not installed",
            field="--scheduler",
            fix="pip install 'dask[distributed]', or leave --scheduler out",
        ) from None
    address = scheduler if "://" in scheduler else f"tcp://{scheduler}"
    try:
        client = Client(address, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise CorredorError(
            f"cannot reach the Dask scheduler at {scheduler} ({type(exc).__name__}: {exc})",
            field="--scheduler",
            fix="give the address printed by `dask scheduler` (tcp://HOST:PORT, port 8786 by "
            "default) and check it is running and reachable; or leave --scheduler out to "
            "use local worker processes",
        ) from None
    # Results are only identical across backends if the workers run the same model.
    try:
        versions = client.run(_package_version)
    except Exception as exc:
        client.close()
        raise CorredorError(
            f"the cluster's workers cannot run corredor ({type(exc).__name__}: {exc})",
            field="--scheduler",
            fix=f"install corredor {__version__} in the workers' Python environment",
        ) from None
    mine = _package_version()
    wrong = {w: v for w, v in versions.items() if v != mine}
    if wrong:
        client.close()
        worker, version = next(iter(wrong.items()))
        raise CorredorError(
            f"worker {worker} runs corredor {version}, this process {mine} (version+code "
            "digest): the workers would not run the same model",
            field="--scheduler",
            fix=f"install this corredor ({mine}) on every worker and restart the workers",
        )
    return client


@contextmanager
def executor(
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    preload: Sequence[str] = (),
    connect_timeout: float = 10.0,
) -> Iterator[Executor]:
    """Yield an Executor: `workers` local processes (default: one per core), or, if
    `scheduler` is a Dask scheduler address (tcp://HOST:PORT), that cluster's workers.

    `preload` names modules worker processes import once at start (local only). On leaving
    the block normally, running tasks are awaited; after an exception or interrupt, local
    workers are ended at once and pending Dask tasks cancelled.
    """
    if scheduler is not None:
        client = _connect(scheduler, connect_timeout)
        pool: Executor = DaskPool(client)
        try:
            yield pool
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        else:
            pool.shutdown(wait=True)
        finally:
            client.close()
        return
    local = LocalPool(default_workers() if workers is None else workers, preload=preload)
    try:
        yield local
    except BaseException:
        local.terminate()
        raise
    else:
        local.shutdown(wait=True)


# -- the task loop ----------------------------------------------------------------------


def _worker_lost(exc: BaseException) -> bool:
    """Whether an exception means the worker died, not that the task raised."""
    if isinstance(exc, BrokenProcessPool):
        return True
    if "distributed" in sys.modules:
        from distributed.comm.core import CommClosedError
        from distributed.scheduler import KilledWorker

        return isinstance(exc, KilledWorker | CommClosedError)
    return False


def capacity(pool: Executor) -> int:
    """How many tasks the executor runs at once."""
    for attr in ("max_workers", "_max_workers"):
        value = getattr(pool, attr, None)
        if isinstance(value, int) and value > 0:
            return value
    return default_workers()


def run_tasks(
    fn: Callable[[Any], Any],
    tasks: Sequence[Any],
    *,
    executor: Executor,
    on_result: Callable[[int, Any], None],
    retries: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Run `fn(task)` for every task on `executor`; call `on_result(i, result)` in this
    process as each finishes (in completion order) and `progress(done, total)` after it.

    A task whose worker died is resubmitted, at most `retries` times. For local pools,
    only as many tasks as there are workers are submitted at once, so a death is charged
    to the tasks that were running (a co-running task is charged too: the pool cannot
    tell which one crashed). An exception raised by `fn` is re-raised at once, and so is
    one from `on_result`; unfinished tasks are then cancelled.
    """
    n = len(tasks)
    queue = deque(range(n))
    attempts = [0] * n
    running: dict[Future, int] = {}
    done = 0
    # Dask workers may be remote: keep a second task queued per thread to hide latency.
    ahead = 2 if isinstance(executor, DaskPool) else 1
    if progress is not None:
        progress(0, n)

    def lost(i: int, exc: BaseException | None) -> None:
        attempts[i] += 1
        if attempts[i] > retries:
            what = f"{type(exc).__name__}: {exc}" if exc is not None else "cancelled"
            raise WorkerLost(f"task {i} lost its worker {attempts[i]} times (last: {what})")
        queue.appendleft(i)

    try:
        while queue or running:
            broken = False
            limit = ahead * capacity(executor)  # asked once a round: Dask asks the scheduler
            while queue and len(running) < limit:
                i = queue.popleft()
                try:
                    running[executor.submit(fn, tasks[i])] = i
                except BrokenProcessPool:
                    queue.appendleft(i)
                    broken = True
                    break
            if running and not broken:
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                if any(
                    isinstance(f.exception(), BrokenProcessPool)
                    for f in finished
                    if not f.cancelled()
                ):
                    # A broken process pool fails every task it holds: collect them all.
                    broken = True
                    finished, _ = wait(list(running))
                for future in finished:
                    i = running.pop(future)
                    if future.cancelled():  # e.g. the cluster dropped it
                        lost(i, None)
                        continue
                    exc = future.exception()
                    if exc is None:
                        on_result(i, future.result())
                        done += 1
                        if progress is not None:
                            progress(done, n)
                    elif _worker_lost(exc):
                        lost(i, exc)
                    else:
                        raise exc
            if broken:
                restart = getattr(executor, "restart", None)
                if restart is None:
                    raise WorkerLost("a worker died and the executor cannot be restarted")
                restart()
    finally:
        for future in running:
            future.cancel()


def batch_executor(workers: int | None, scheduler: str | None = None, *, needed: bool = True):
    """The executor for batches of runs (ensembles, draws, ABC) as a context manager:
    None (run in this process) when not `needed` or with one local worker, otherwise
    local worker processes or the Dask cluster at `scheduler`."""
    from contextlib import nullcontext

    if not needed or (scheduler is None and workers == 1):
        return nullcontext(None)
    return executor(workers, scheduler, preload=["corredor.analysis.uncertainty"])
