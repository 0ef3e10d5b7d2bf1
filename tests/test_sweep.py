"""Sweeps: identical results on local processes and on a Dask cluster, whatever the
chunking; interrupted (or killed) sweeps resume to exactly the uninterrupted store; dying
workers are retried; bad options name the option and the fix."""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from conftest import MINI, invoke_cli
from corredor.analysis.compare import OUTCOMES
from corredor.analysis.executors import LocalPool, WorkerLost, executor, run_tasks
from corredor.analysis.sweep import as_grid, open_sweep, run_sweep, run_task, summarize
from corredor.errors import CorredorError

# A small sweep of the mini corridor (2015-2020): 10 points x 3 replicates, levers from 2017.
LEVERS = ["ec_container_effort=0:4:5", "us_strike_share=0:1:2"]
OPTIONS = dict(replicates=3, seed=11, lever_year=2017, first=2017, last=2020)
CLI_OPTIONS = ["-r", "3", "--seed", "11", "--lever-from", "2017", "--from", "2017", "--to", "2020"]
ARRAYS = ("lever_values", "point_seed", "outcomes", "yearly")


def arrays(path: Path) -> dict[str, np.ndarray]:
    import zarr

    root = zarr.open_group(str(path), mode="r")
    return {name: root[name][...] for name in (*ARRAYS, "done")}


def assert_same_results(a: Path, b: Path) -> None:
    x, y = arrays(a), arrays(b)
    for name in ARRAYS:
        assert np.array_equal(x[name], y[name], equal_nan=True), name
    assert x["done"].all() and y["done"].all()
    assert not np.isnan(x["outcomes"]).any()


# -- task functions the workers run (module level, so workers can import them) ----------


def counted(task, *, calls: str):
    """run_task, leaving a file per call so the test can count calls per task."""
    (Path(calls) / f"{task.index}-{uuid.uuid4().hex}").touch()
    return run_task(task)


def crash_once(task, *, marker: str):
    """The first call kills its worker process outright; later calls run normally."""
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        return run_task(task)
    os.close(fd)
    os._exit(1)


def always_crash(task):
    os._exit(1)


def fail(task, *, calls: str):
    (Path(calls) / f"{task}-{uuid.uuid4().hex}").touch()
    raise ValueError(f"bug in task {task}")


def calls_per_task(calls: Path) -> dict[int, int]:
    out: dict[int, int] = {}
    for f in calls.iterdir():
        i = int(f.name.split("-")[0])
        out[i] = out.get(i, 0) + 1
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The uninterrupted sweep on the default backend (local processes), 2 points a task."""
    out = tmp_path_factory.mktemp("ref") / "ref.zarr"
    run_sweep(MINI, LEVERS, out=out, chunk_points=2, workers=2, **OPTIONS)
    return out


# -- results ----------------------------------------------------------------------------


def test_store_layout_loader_and_summary(reference):
    ds = open_sweep(reference)
    assert ds.sizes == {"point": 10, "replicate": 3, "outcome": len(OUTCOMES), "year": 6}
    assert ds["outcome"].values.tolist() == list(OUTCOMES)
    assert ds["done"].all()
    assert ds.attrs["levers"] == ["ec_container_effort", "us_strike_share"]
    assert ds["ec_container_effort"].values.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert ds["us_strike_share"].values.tolist() == [0, 1] * 5
    assert "[agencies.EC]" in ds.attrs["scenario_toml"]
    # totals over the window are the yearly values summed over it (to float32 precision:
    # the engine records some variables in single precision)
    window = ds["yearly"].sel(year=slice(2017, 2020)).sum("year")
    np.testing.assert_allclose(window, ds["outcomes"], rtol=1e-5)
    # the levers act: no strikes without a strike share, deaths with one; before the lever
    # year every point is the same scenario (only the seeds differ)
    deaths = ds["outcomes"].sel(outcome="deaths_crew")
    assert (deaths.where(ds["us_strike_share"] == 0, drop=True) == 0).all()
    assert (deaths.where(ds["us_strike_share"] == 1, drop=True) > 0).all()
    grid = as_grid(ds)
    assert grid["outcomes"].dims == (
        "ec_container_effort",
        "us_strike_share",
        "replicate",
        "outcome",
    )
    cell = grid["outcomes"].sel(ec_container_effort=2.0, us_strike_share=1.0)
    assert np.array_equal(cell.values, ds["outcomes"].values[5])
    df = summarize(ds)
    assert len(df) == 10 * len(OUTCOMES)
    assert {"ec_container_effort", "us_strike_share", "mean", "p05", "p95"} <= set(df.columns)


def test_dask_cluster_gives_exactly_the_local_results(reference, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        out = tmp_path / "dask.zarr"
        run_sweep(
            MINI, LEVERS, out=out, chunk_points=2, scheduler=cluster.scheduler_address, **OPTIONS
        )
        assert_same_results(reference, out)
        # a worker dying mid-task under Dask: the task is rescheduled, results unchanged
        out = tmp_path / "dask-crash.zarr"
        crash = functools.partial(crash_once, marker=str(tmp_path / "crashed"))
        run_sweep(
            MINI,
            LEVERS,
            out=out,
            chunk_points=5,
            scheduler=cluster.scheduler_address,
            task_fn=crash,
            **OPTIONS,
        )
        assert (tmp_path / "crashed").exists()
        assert_same_results(reference, out)


def test_chunking_and_worker_count_do_not_change_results(reference, tmp_path, capsys, monkeypatch):
    out = tmp_path / "cli.zarr"
    args = ["sweep", str(MINI), *sum((["--lever", x] for x in LEVERS), [])]
    code, text = invoke_cli(
        [*args, *CLI_OPTIONS, "--chunk-points", "3", "--workers", "1", "--out", str(out)],
        capsys,
        monkeypatch,
    )
    assert code == 0, text
    assert "10 points × 3 replicates" in text and "4 tasks run" in text
    assert_same_results(reference, out)


# -- interruptions ---------------------------------------------------------------------


def test_interrupted_sweep_resumes_to_the_same_store_without_recomputing(reference, tmp_path):
    out = tmp_path / "int.zarr"
    calls = tmp_path / "calls"
    calls.mkdir()
    task_fn = functools.partial(counted, calls=str(calls))

    def stop(i):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(MINI, LEVERS, out=out, chunk_points=2, task_fn=task_fn, on_task=stop, **OPTIONS)
    done_before = set(np.flatnonzero(arrays(out)["done"]).tolist())
    assert len(done_before) == 1
    stored: list[int] = []
    # resuming needs only --resume: every option is read back from the store
    result = run_sweep(MINI, out=out, resume=True, task_fn=task_fn, on_task=stored.append)
    assert result.already_done == 1 and result.ran == 4
    assert set(stored) == set(range(5)) - done_before
    counts = calls_per_task(calls)
    assert all(counts[i] == 1 for i in done_before)  # finished tasks were not run again
    assert_same_results(reference, out)


def test_killed_sweep_resumes_to_the_same_store(reference, tmp_path):
    out = tmp_path / "killed.zarr"
    args = ["sweep", str(MINI), *sum((["--lever", x] for x in LEVERS), []), *CLI_OPTIONS]
    cmd = [sys.executable, "-m", "corredor.cli", *args, "--chunk-points", "1", "--out", str(out)]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        n_done = 0
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "done").exists():
                n_done = int(arrays(out)["done"].sum())
                if n_done >= 1:
                    break
            time.sleep(0.02)
        # the whole process group: the sweep, its fork server and its workers
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    done = arrays(out)["done"]
    assert 1 <= done.sum() < len(done), (done, proc.stderr.read().decode())
    result = run_sweep(MINI, LEVERS, out=out, resume=True, **OPTIONS)
    assert result.already_done == done.sum()
    assert_same_results(reference, out)


# -- dying workers and failing tasks ---------------------------------------------------


def test_worker_dying_mid_task_is_retried(reference, tmp_path):
    out = tmp_path / "crash.zarr"
    crash = functools.partial(crash_once, marker=str(tmp_path / "crashed"))
    result = run_sweep(MINI, LEVERS, out=out, chunk_points=2, workers=2, task_fn=crash, **OPTIONS)
    assert (tmp_path / "crashed").exists()
    assert result.ran == 5
    assert_same_results(reference, out)


def test_task_loop_gives_up_on_a_task_that_always_kills_its_worker():
    with executor(workers=1) as pool, pytest.raises(WorkerLost, match="3 times"):
        run_tasks(always_crash, [0], executor=pool, on_result=lambda i, r: None, retries=2)


def test_task_loop_propagates_exceptions_without_retrying(tmp_path):
    calls = tmp_path / "calls"
    calls.mkdir()
    fn = functools.partial(fail, calls=str(calls))
    with LocalPool(1) as pool, pytest.raises(ValueError, match="bug in task 0"):
        run_tasks(fn, [0], executor=pool, on_result=lambda i, r: None)
    assert calls_per_task(calls) == {0: 1}


def test_unreachable_scheduler_names_the_option():
    with (
        pytest.raises(CorredorError) as exc,
        executor(scheduler="tcp://127.0.0.1:9", connect_timeout=1),
    ):
        pass
    assert exc.value.field == "--scheduler"


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--lever", "ec_container_effort"], "--lever"),
        (["--lever", "ec_container_effort=1:x:3"], "--lever"),
        (["--lever", "no_such_lever=1:2:2"], "--lever"),
        (["--lever", "co_container_effort=1:2:2"], "--lever"),  # mini has no Colombian agency
        (["--lever", "ec_container_effort=3:1:2"], "--lever"),
        (["--lever", "ec_container_effort=0:20:3"], "--lever"),  # above the bound 10
        (["--lever", "ec_container_effort=0:2"], "--lever"),  # a grid needs STEPS
        (["--lever", "ec_container_effort=0:2:3", "--design", "grid", "--n", "4"], "--n"),
        (["--lever", "ec_container_effort=0:2:3", "--design", "cube"], "--design"),
        (["--lever", "ec_container_effort=0:2:3", "-r", "0"], "--replicates"),
        (["--lever", "ec_container_effort=0:2:3", "--workers", "0"], "--workers"),
        (["--lever", "ec_container_effort=0:2", "--design", "lhs"], "--n"),
        (["--lever", "ec_container_effort=0:2:3", "--lever-from", "2030"], "--lever-from"),
        (["--lever", "ec_container_effort=0:2:3", "--from", "2010"], "--from"),
        ([], "--lever"),
    ],
)
def test_bad_sweep_options_exit_2_naming_the_option(args, field, tmp_path, capsys, monkeypatch):
    out = tmp_path / "bad.zarr"
    base = ["sweep", str(MINI), "--lever-from", "2017", "--out", str(out)]
    if "--lever-from" in args:
        base = ["sweep", str(MINI), "--out", str(out)]
    code, text = invoke_cli([*base, *args], capsys, monkeypatch)
    assert code == 2, text
    assert field in text and "Fix:" in text
    assert not out.exists()


def test_existing_store_needs_resume_and_the_same_spec(reference, tmp_path, capsys, monkeypatch):
    out = tmp_path / "copy.zarr"
    shutil.copytree(reference, out)
    before = arrays(out)
    args = ["sweep", str(MINI), *sum((["--lever", x] for x in LEVERS), []), "--out", str(out)]
    code, text = invoke_cli([*args, *CLI_OPTIONS], capsys, monkeypatch)
    assert code == 2 and "--out" in text and "--resume" in text
    different = [*CLI_OPTIONS[:3], "12", *CLI_OPTIONS[4:]]  # --seed 12
    code, text = invoke_cli([*args, *different, "--resume"], capsys, monkeypatch)
    assert code == 2 and "--seed" in text, text
    code, text = invoke_cli(
        ["sweep", str(MINI), "--lever", "ec_road_effort=1:2:2", "--out", str(out), "--resume"],
        capsys,
        monkeypatch,
    )
    assert code == 2 and "--lever" in text, text
    after = arrays(out)
    assert all(np.array_equal(before[k], after[k], equal_nan=True) for k in before)
    # a complete store resumes to nothing to do
    result = run_sweep(MINI, out=out, resume=True)
    assert result.ran == 0 and result.already_done == 5


def test_latin_hypercube_is_seeded_and_chunking_invariant(tmp_path):
    a, b = tmp_path / "a.zarr", tmp_path / "b.zarr"
    opts = dict(replicates=1, seed=3, lever_year=2017, n=5, workers=1)
    run_sweep(MINI, ["demand_factor=0.5:1.5", "ec_road_effort=0:3"], out=a, chunk_points=5, **opts)
    run_sweep(MINI, ["demand_factor=0.5:1.5", "ec_road_effort=0:3"], out=b, chunk_points=2, **opts)
    assert_same_results(a, b)
    values = arrays(a)["lever_values"]
    # one point in each fifth of each lever's range
    for j, (low, high) in enumerate([(0.5, 1.5), (0.0, 3.0)]):
        strata = np.floor((values[:, j] - low) / (high - low) * 5)
        assert sorted(strata.tolist()) == [0, 1, 2, 3, 4]
