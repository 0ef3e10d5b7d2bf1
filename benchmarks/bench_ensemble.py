"""Ensemble benchmark: runs per second of an ensemble of the default scenario 2015-2030.

Goal (issues 5 and 18): a 1,000-member ensemble (parameter draws, one replicate each)
in under 60 s on a 2-core machine with two local workers. Prints one row per backend:
in-process (one core), local worker processes, and a local two-worker Dask cluster
(LocalCluster, started here). Checks that every backend gives identical results.

Seconds are what a user waits for the ensemble: from creating the executor (worker
processes start, import the package and compile the network) to the gathered result;
starting a Dask cluster is not counted (in real use it already runs).

    .venv/bin/python benchmarks/bench_ensemble.py [--n 1000] [--chunk 100] [--no-dask]
    .venv/bin/python benchmarks/bench_ensemble.py --save benchmarks/results/ensemble.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--n", type=int, default=1000, help="ensemble members (draws)")
    ap.add_argument("--chunk", type=int, default=100, help="runs per task")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--no-serial", action="store_true")
    ap.add_argument("--save", type=Path, help="also write the table as JSON, with machine info")
    args = ap.parse_args()

    from corredor.analysis.executors import executor
    from corredor.analysis.uncertainty import ensemble
    from corredor.provenance import finish, machine_info
    from corredor.scenario import load_scenario

    machine = machine_info()  # load average before this benchmark adds its own
    sc = load_scenario(args.scenario)
    rows, reference = [], None

    def record(label: str, ens, seconds: float) -> None:
        nonlocal reference
        runs = ens.data.sizes["replicate"]
        delivered = ens.data["delivered_kg"].values
        same = None if reference is None else bool(np.array_equal(reference, delivered))
        reference = delivered if reference is None else reference
        rows.append(
            dict(backend=label, runs=runs, seconds=seconds, runs_per_s=runs / seconds, same=same)
        )

    if not args.no_serial:
        # one core: the kernels' serial drivers (a chunk of 100 runs would otherwise
        # use numba's thread pool, corredor.threads)
        threads_before = os.environ.get("CORREDOR_THREADS")
        os.environ["CORREDOR_THREADS"] = "serial"
        t0 = time.perf_counter()
        ens = ensemble(sc, n=args.n, seed=1, chunk=args.chunk)
        record("in-process, 1 core", ens, time.perf_counter() - t0)
        if threads_before is None:
            del os.environ["CORREDOR_THREADS"]
        else:
            os.environ["CORREDOR_THREADS"] = threads_before
    t0 = time.perf_counter()
    with executor(args.workers, preload=["corredor.analysis.uncertainty"]) as ex:
        ens = ensemble(sc, n=args.n, seed=1, chunk=args.chunk, executor=ex)
        seconds = time.perf_counter() - t0
    record(f"local processes, {args.workers} workers", ens, seconds)
    if not args.no_dask:
        from distributed import LocalCluster

        with LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            t0 = time.perf_counter()
            with executor(scheduler=cluster.scheduler_address) as ex:
                ens = ensemble(sc, n=args.n, seed=1, chunk=args.chunk, executor=ex)
                seconds = time.perf_counter() - t0
            record(f"Dask LocalCluster, {args.workers} workers", ens, seconds)
    base = rows[0]["runs_per_s"]
    title = (
        f"Ensemble of {args.scenario} {sc.start}-{sc.end}: {args.n:,} draws × 1 replicate, "
        f"chunks of {args.chunk} runs"
    )
    print(f"\n{title}")
    print(f"{'backend':<34}{'runs':>6}{'seconds':>9}{'runs/s':>8}{'speed-up':>9}  same")
    for r in rows:
        same = "" if r["same"] is None else ("yes" if r["same"] else "NO")
        print(
            f"{r['backend']:<34}{r['runs']:>6}{r['seconds']:>9.1f}{r['runs_per_s']:>8.1f}"
            f"{r['runs_per_s'] / base:>9.2f}  {same}"
        )
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        data = dict(
            kind="bench_ensemble",
            command="benchmarks/bench_ensemble.py "
            + f"--n {args.n} --chunk {args.chunk} --workers {args.workers}",
            description=title + "; seconds from starting the workers to the gathered result.",
            machine=finish(machine),
            rows=rows,
        )
        args.save.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.save}")


if __name__ == "__main__":
    main()
