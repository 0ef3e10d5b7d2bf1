"""Sweep benchmark: runs per second of a small sweep of the default scenario on local
worker processes (1 and 2) and on a local 2-worker Dask cluster.

A "run" is one replicate of the whole period (2015-2030, weekly steps). Wall time
includes starting local worker processes and their first (numba cache) call, but not
starting the Dask cluster, which in real use already exists. Every backend must give
the same store; the script checks that too.

    .venv/bin/python benchmarks/bench_sweep.py [--points 8] [--replicates 4]
    .venv/bin/python benchmarks/bench_sweep.py --save benchmarks/results/sweep.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np


def _sweep(out: Path, points: int, replicates: int, **backend) -> dict:
    from corredor.analysis.sweep import run_sweep

    t0 = time.perf_counter()
    result = run_sweep(
        "baseline",
        [f"ec_container_effort=0.5:4:{points}"],
        out=out,
        replicates=replicates,
        seed=1,
        chunk_points=1,
        **backend,
    )
    wall = time.perf_counter() - t0
    runs = result.n_points * replicates
    return dict(
        wall_s=wall,
        runs=runs,
        runs_per_s=runs / wall,
        task_s=float(np.mean(result.task_seconds)),
    )


def _outcomes(path: Path) -> np.ndarray:
    import zarr

    return zarr.open_group(str(path), mode="r")["outcomes"][...]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=8, help="design points (one per task)")
    ap.add_argument("--replicates", type=int, default=4)
    ap.add_argument("--save", type=Path, help="also write the table as JSON, with machine info")
    args = ap.parse_args()
    from corredor.provenance import finish, machine_info

    machine = machine_info()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for workers in (1, 2):
            out = base / f"local{workers}.zarr"
            rows.append(
                (
                    "local processes",
                    workers,
                    out,
                    _sweep(out, args.points, args.replicates, workers=workers),
                )
            )
        from distributed import LocalCluster

        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            out = base / "dask.zarr"
            stats = _sweep(out, args.points, args.replicates, scheduler=cluster.scheduler_address)
            rows.append(("Dask LocalCluster", 2, out, stats))
        reference = _outcomes(rows[0][2])
        same = [np.array_equal(reference, _outcomes(r[2])) for r in rows]
    title = (
        f"Sweep of baseline 2015-2030: {args.points} points x {args.replicates} replicates "
        f"= {args.points * args.replicates} runs, one point per task"
    )
    print(title)
    print(f"{'backend':<20}{'workers':>8}{'wall s':>9}{'runs/s':>9}{'s/task':>9}{'same':>6}")
    for (name, workers, _, s), ok in zip(rows, same, strict=True):
        print(
            f"{name:<20}{workers:>8}{s['wall_s']:>9.1f}{s['runs_per_s']:>9.2f}"
            f"{s['task_s']:>9.2f}{'yes' if ok else 'NO':>6}"
        )
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        data = dict(
            kind="bench_sweep",
            command=f"benchmarks/bench_sweep.py --points {args.points} "
            f"--replicates {args.replicates}",
            description=title + "; wall time includes starting local workers.",
            machine=finish(machine),
            rows=[
                dict(backend=name, workers=workers, same=bool(ok), **s)
                for (name, workers, _, s), ok in zip(rows, same, strict=True)
            ],
        )
        args.save.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.save}")


if __name__ == "__main__":
    main()
