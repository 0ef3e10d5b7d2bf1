"""Engine benchmark: time the default scenario for several replicate counts.

Prints a table of wall and CPU time (setting up the simulation and running it), weekly
steps x replicates per second, CPU milliseconds per replicate-month (of the run itself,
every simulated week counted, warm-up included) and peak memory (resident set size of a
fresh process per configuration, so figures do not mix). Each process first pays the one-time costs
(loading the compiled kernels' cache, lazy imports) in an untimed one-year run, shown
apart. Goals (issues 2 and 17): one replicate of 2015-2030 under 2 s on a 2-core
machine, at most 1.7 ms of CPU per replicate-month at one replicate, and 256 replicates
costing less than 16 times one replicate.

    .venv/bin/python benchmarks/bench_engine.py [--scenario baseline] [--replicates 1 16 256]
    .venv/bin/python benchmarks/bench_engine.py --save benchmarks/results/engine.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import time
from pathlib import Path


def _measure(scenario: str, replicates: int, resolution: str, repeat: int, queue) -> None:
    from warmup import pay_one_time_costs  # benchmarks/ is on the path of the script

    from corredor.engine import WARMUP_YEARS, WEEKS_PER_YEAR, Simulation, compile_scenario
    from corredor.scenario import load_scenario

    # a child process: choose the kernels' drivers as the main process of a run would
    os.environ.setdefault("CORREDOR_THREADS", "auto")
    t0 = time.perf_counter()
    sc = load_scenario(scenario)
    compiled = compile_scenario(sc)
    t1 = time.perf_counter()
    pay_one_time_costs(sc, compiled)  # not timed below (benchmarks/warmup.py)
    first_s = time.perf_counter() - t1
    best = None
    for _ in range(repeat):  # the fastest of `repeat` runs: the least disturbed
        t2, c2 = time.perf_counter(), time.process_time()
        sim = Simulation(sc, replicates=replicates, resolution=resolution, compiled=compiled)
        c3 = time.process_time()
        sim.run()
        t4, c4 = time.perf_counter(), time.process_time()
        if best is None or t4 - t2 < best[0]:
            best = (t4 - t2, c4 - c2, c3 - c2)
        del sim
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    run_s, cpu_s, setup_cpu_s = best
    steps = (sc.end - sc.start + 1 + WARMUP_YEARS) * WEEKS_PER_YEAR
    queue.put(
        dict(
            replicates=replicates,
            compile_s=t1 - t0,
            first_s=first_s,
            run_s=run_s,
            cpu_s=cpu_s,
            setup_cpu_s=setup_cpu_s,
            repeat=repeat,
            months=steps * 12 / 52,
            steps=steps,
            warmup=WARMUP_YEARS * WEEKS_PER_YEAR,
            routes=compiled.routes.n_routes,
            peak_mb=peak_mb,
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--replicates", type=int, nargs="+", default=[1, 16, 256])
    ap.add_argument("--resolution", default="week", choices=["week", "year"])
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per row (fastest kept)")
    ap.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    ap.add_argument("--save", type=Path, help="also write the table as JSON, with machine info")
    args = ap.parse_args()
    from corredor.provenance import finish, machine_info

    machine = machine_info()
    ctx = mp.get_context("spawn")
    rows = []
    for r in args.replicates:
        queue = ctx.Queue()
        proc = ctx.Process(
            target=_measure, args=(args.scenario, r, args.resolution, args.repeat, queue)
        )
        proc.start()
        proc.join()
        if proc.exitcode != 0 or queue.empty():
            raise SystemExit(f"benchmark with {r} replicates failed (exit code {proc.exitcode})")
        rows.append(queue.get())
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    title = (
        f"scenario {args.scenario}, resolution {args.resolution}, "
        f"{rows[0]['steps']} weekly steps (incl. {rows[0]['warmup']} warm-up), "
        f"{rows[0]['routes']} routes"
    )
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        reps = " ".join(str(r) for r in args.replicates)
        data = dict(
            kind="bench_engine",
            command=f"benchmarks/bench_engine.py --scenario {args.scenario} --replicates {reps} "
            f"--repeat {args.repeat}",
            description=f"One process per row: the default {title}. Run: setting up the "
            "simulation and running it (the fastest of "
            f"{args.repeat}), after an untimed one-year run (one-time costs, shown as first "
            "run). BLAS on one thread; from 16 replicates the heavy kernels on numba's "
            "thread pool in the weeks where it is faster (corredor.threads). CPU time "
            "counts every thread.",
            machine=finish(machine),
            rows=rows,
        )
        args.save.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(title)
    header = (
        f"{'replicates':>10} {'compile s':>10} {'first s':>8} {'run s':>8} {'CPU s':>8} "
        f"{'step×rep/s':>12} {'CPU ms/rep-mo':>14} {'× one':>6} {'× one CPU':>10} "
        f"{'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    base = rows[0]["cpu_s"] / rows[0]["replicates"]
    base_wall = rows[0]["run_s"] / rows[0]["replicates"]
    for row in rows:
        rate = row["steps"] * row["replicates"] / row["run_s"]
        per_month = 1000 * (row["cpu_s"] - row["setup_cpu_s"]) / (row["replicates"] * row["months"])
        print(
            f"{row['replicates']:>10} {row['compile_s']:>10.2f} {row['first_s']:>8.2f} "
            f"{row['run_s']:>8.2f} {row['cpu_s']:>8.2f} {rate:>12,.0f} {per_month:>14.2f} "
            f"{row['run_s'] / base_wall:>6.1f} {row['cpu_s'] / base:>10.1f} {row['peak_mb']:>8.0f}"
        )


if __name__ == "__main__":
    main()
