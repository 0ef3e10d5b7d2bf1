"""Ensemble benchmark: runs per second of an ensemble of the default scenario 2015-2030.

Goal (issue 5): a 1,000-member ensemble (parameter draws, one replicate each) in under
60 s on a 2-core machine, and near-linear speed-up with workers. Prints one row per
backend: in-process (one core), local worker processes, and a local two-worker Dask
cluster (LocalCluster, started here). Checks that every backend gives identical results.

    .venv/bin/python benchmarks/bench_ensemble.py [--n 1000] [--chunk 100] [--no-dask]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--n", type=int, default=1000, help="ensemble members (draws)")
    ap.add_argument("--chunk", type=int, default=100, help="runs per task")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--no-serial", action="store_true")
    args = ap.parse_args()

    from corredor.analysis.executors import executor
    from corredor.analysis.uncertainty import ensemble
    from corredor.scenario import load_scenario

    sc = load_scenario(args.scenario)
    rows, reference = [], None

    def record(label: str, ens) -> None:
        nonlocal reference
        runs = ens.data.sizes["replicate"]
        delivered = ens.data["delivered_kg"].values
        same = "" if reference is None else str(np.array_equal(reference, delivered))
        reference = delivered if reference is None else reference
        rows.append((label, runs, ens.seconds, runs / ens.seconds, same))

    if not args.no_serial:
        record("in-process, 1 core", ensemble(sc, n=args.n, seed=1, chunk=args.chunk))
    with executor(args.workers, preload=["corredor.analysis.uncertainty"]) as ex:
        label = f"local processes, {args.workers} workers"
        record(label, ensemble(sc, n=args.n, seed=1, chunk=args.chunk, executor=ex))
    if not args.no_dask:
        from distributed import LocalCluster

        with LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            t0 = time.perf_counter()
            with executor(scheduler=cluster.scheduler_address) as ex:
                ens = ensemble(sc, n=args.n, seed=1, chunk=args.chunk, executor=ex)
            label = f"Dask LocalCluster, {args.workers} workers"
            record(label, ens)
            del t0
    base = rows[0][3]
    print(f"\nEnsemble of {args.scenario} {sc.start}-{sc.end}, {args.n} draws, chunk {args.chunk}")
    print(f"{'backend':<34}{'runs':>6}{'seconds':>9}{'runs/s':>8}{'speed-up':>9}  same")
    for label, runs, secs, rate, same in rows:
        print(f"{label:<34}{runs:>6}{secs:>9.1f}{rate:>8.1f}{rate / base:>9.2f}  {same}")


if __name__ == "__main__":
    main()
