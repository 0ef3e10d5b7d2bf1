"""Engine benchmark: time the default scenario for several replicate counts.

Prints a table of wall time, weekly steps x replicates per second and peak memory
(resident set size of a fresh process per configuration, so figures do not mix).
Goals (issue #2): one replicate of 2015-2030 under 2 s on a 2-core machine, and
256 replicates costing less than 16 times one replicate.

    .venv/bin/python benchmarks/bench_engine.py [--scenario baseline] [--replicates 1 16 256]
    .venv/bin/python benchmarks/bench_engine.py --save benchmarks/results/engine.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time
from pathlib import Path


def _measure(scenario: str, replicates: int, resolution: str, queue) -> None:
    from corredor.engine import Simulation, compile_scenario
    from corredor.scenario import load_scenario

    t0 = time.perf_counter()
    sc = load_scenario(scenario)
    compiled = compile_scenario(sc)
    t1 = time.perf_counter()
    sim = Simulation(sc, replicates=replicates, resolution=resolution, compiled=compiled)
    sim.run()
    t2 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    steps = len(sim.times) + sim.warmup
    queue.put(
        dict(
            replicates=replicates,
            compile_s=t1 - t0,
            run_s=t2 - t1,
            steps=steps,
            warmup=sim.warmup,
            routes=compiled.routes.n_routes,
            peak_mb=peak_mb,
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--replicates", type=int, nargs="+", default=[1, 16, 256])
    ap.add_argument("--resolution", default="week", choices=["week", "year"])
    ap.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    ap.add_argument("--save", type=Path, help="also write the table as JSON, with machine info")
    args = ap.parse_args()
    from corredor.provenance import finish, machine_info

    machine = machine_info()
    ctx = mp.get_context("spawn")
    rows = []
    for r in args.replicates:
        queue = ctx.Queue()
        proc = ctx.Process(target=_measure, args=(args.scenario, r, args.resolution, queue))
        proc.start()
        proc.join()
        if proc.exitcode != 0 or queue.empty():
            raise SystemExit(f"benchmark with {r} replicates failed (exit code {proc.exitcode})")
        rows.append(queue.get())
    base = rows[0]["run_s"] / rows[0]["replicates"]
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
            command=f"benchmarks/bench_engine.py --scenario {args.scenario} --replicates {reps}",
            description=f"One process per row: the default {title}.",
            machine=finish(machine),
            rows=rows,
        )
        args.save.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(title)
    header = (
        f"{'replicates':>10} {'compile s':>10} {'run s':>8} {'step×rep/s':>12} "
        f"{'× one rep':>10} {'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        rate = row["steps"] * row["replicates"] / row["run_s"]
        print(
            f"{row['replicates']:>10} {row['compile_s']:>10.2f} {row['run_s']:>8.2f} "
            f"{rate:>12,.0f} {row['run_s'] / base:>10.1f} {row['peak_mb']:>8.0f}"
        )


if __name__ == "__main__":
    main()
