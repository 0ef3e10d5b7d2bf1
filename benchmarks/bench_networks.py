"""Network-size benchmark: synthetic layered networks of 100, 1,000 and 5,000 edges (and,
with --default, the default network) run with 1, 16 and 256 replicates.

For each network (benchmarks/synthetic.py, seeded) the scenario is compiled once (route
search; its time is printed apart) and every replicate count runs in a fresh process,
so peak memory (resident set size) does not mix between rows. Columns:

- ms/rep-month: wall-clock and CPU milliseconds per replicate per simulated month
  (warm-up years included: every simulated week counts), after a short untimed run that
  pays one-time costs (numba cache, lazy imports); on a shared machine read CPU;
- peak MB: the process's peak resident memory;
- output: the estimated size of the recorded arrays (corredor.output_size, before
  compression) at the resolution the run used, and the size of results.nc as written;
- res: the recorded resolution; "auto" keeps weekly output under --max-output-gb and
  switches to yearly above it, as `corredor run` does;
- ×1 wall, ×1 CPU: time of the run against the 1-replicate run of the same network.

After each network, the memory per replicate-week: the growth of peak memory from the
1-replicate run to the largest weekly run, per added replicate and recorded week.

The 5,000-edge × 256-replicate case takes several minutes on a 2-core machine: it runs
only with --large. `--save FILE` writes the table as JSON with the machine it ran on
(benchmarks/results/networks.json; docs/performance-networks.md is generated from it by
tools/docs_numbers.py).

    .venv/bin/python benchmarks/bench_networks.py [--edges 100 1000 5000]
        [--replicates 1 16 256] [--years 4] [--large] [--default] [--resolution auto|week|year]
    .venv/bin/python benchmarks/bench_networks.py --default --large \\
        --save benchmarks/results/networks.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import pickle
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import build  # noqa: E402
from warmup import pay_one_time_costs  # noqa: E402

DEFAULT = "baseline"  # the built-in scenario whose network --default adds


def _measure(
    scenario: str, compiled_path: str, replicates: int, years: int, args: dict, queue
) -> None:
    import warnings

    from corredor.engine import Simulation
    from corredor.output_size import OutputSizeWarning, plan_output
    from corredor.results import Results, build_dataset
    from corredor.scenario import load_scenario

    # a child process: choose the kernels' drivers as the main process of a run would
    os.environ.setdefault("CORREDOR_THREADS", "auto")
    sc = load_scenario(scenario)
    sc = sc.with_period(end=sc.start + years - 1)
    with open(compiled_path, "rb") as fh:
        compiled = pickle.load(fh)
    plan = plan_output(sc, replicates, args["resolution"], args["max_output_gb"])
    pay_one_time_costs(sc, compiled)  # not timed below (benchmarks/warmup.py)
    sim = Simulation(sc, replicates=replicates, resolution=plan.resolution, compiled=compiled)
    w0, c0 = time.perf_counter(), time.process_time()
    data = sim.run()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", OutputSizeWarning)
        Results(build_dataset(sim, data)).save(tmp)
        file_mb = (Path(tmp) / "results.nc").stat().st_size / 1e6
    weeks = len(sim.times) + sim.warmup
    queue.put(
        dict(
            replicates=replicates,
            wall_s=wall,
            cpu_s=cpu,
            months=weeks * 12 / 52,
            weeks=weeks,
            recorded_weeks=len(sim.times),
            peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            estimate_mb=plan.bytes / 1e6,
            file_mb=file_mb,
            resolution=plan.resolution,
            pool_weeks=sim.pool_weeks,  # weeks on numba's thread pool (corredor.threads)
        )
    )


def _network(edges: int | None, seed: int, tmp: Path) -> tuple[str, str, dict]:
    """Generate (None: the default network) and compile one network; returns scenario
    path or name, pickle path, facts."""
    from corredor.engine import compile_scenario
    from corredor.scenario import load_scenario

    scenario = DEFAULT if edges is None else str(build(edges, seed=seed, out=tmp / f"syn{edges}"))
    sc = load_scenario(scenario)
    t0 = time.perf_counter()
    compiled = compile_scenario(sc)
    compile_s = time.perf_counter() - t0
    path = tmp / f"net{edges or 0}.pkl"
    with path.open("wb") as fh:
        pickle.dump(compiled, fh)
    facts = dict(
        network="default" if edges is None else "synthetic",
        edges=len(sc.network.edges),
        nodes=len(sc.network.nodes),
        routes=compiled.routes.n_routes,
        compile_s=compile_s,
    )
    return scenario, str(path), facts


def memory_per_replicate_week(rows: list[dict]) -> dict | None:
    """Growth of peak memory per added replicate-week (1 replicate to the largest
    weekly run) and the recorded arrays' size per replicate-week, in kB."""
    one = next((x for x in rows if x["replicates"] == 1), None)
    weekly = [x for x in rows if x["resolution"] == "week" and x["replicates"] > 1]
    if one is None or not weekly:
        return None
    big = max(weekly, key=lambda x: x["replicates"])
    added = (big["replicates"] - 1) * big["recorded_weeks"]
    return dict(
        replicates=big["replicates"],
        measured_kb=(big["peak_mb"] - one["peak_mb"]) * 1e3 / added,
        arrays_kb=big["estimate_mb"] * 1e3 / (big["replicates"] * big["recorded_weeks"]),
        peak_one_mb=one["peak_mb"],
        peak_big_mb=big["peak_mb"],
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edges", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument("--replicates", type=int, nargs="+", default=[1, 16, 256])
    ap.add_argument("--years", type=int, default=4, help="recorded years (after the warm-up)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--large", action="store_true", help="also run 5,000+ edges × 256")
    ap.add_argument("--default", action="store_true", help="also run the default network")
    ap.add_argument("--resolution", default="auto", choices=["auto", "week", "year"])
    ap.add_argument("--max-output-gb", type=float, default=1.0)
    ap.add_argument("--save", type=Path, help="also write the table as JSON, with machine info")
    args = ap.parse_args()
    from corredor.engine import WARMUP_YEARS
    from corredor.provenance import finish, machine_info

    machine = machine_info()  # load average before this benchmark adds its own
    ctx = mp.get_context("spawn")
    opts = dict(resolution=args.resolution, max_output_gb=args.max_output_gb)
    title = (
        f"synthetic layered networks (seed {args.seed}), {args.years} recorded years + "
        f"{WARMUP_YEARS} warm-up, resolution {args.resolution} (limit {args.max_output_gb:g} GB)"
    )
    print(title)
    header = (
        f"{'edges':>6} {'nodes':>6} {'routes':>6} {'reps':>5} {'wall ms/rep-mo':>14} "
        f"{'CPU ms/rep-mo':>13} {'peak MB':>8} {'est. MB':>9} {'file MB':>8} {'res':>4} "
        f"{'×1 wall':>7} {'×1 CPU':>6}"
    )
    networks = []
    with tempfile.TemporaryDirectory(prefix="corredor-bench-") as tmp:
        for edges in ([None] if args.default else []) + args.edges:
            scenario, compiled, facts = _network(edges, args.seed, Path(tmp))
            name = "the default network" if edges is None else f"{facts['edges']:,} edges"
            print(
                f"\n{name}, {facts['nodes']:,} nodes: compile (route search) "
                f"{facts['compile_s']:.1f} s, {facts['routes']:,} routes"
            )
            print(header)
            print("-" * len(header))
            one, rows, skipped = None, [], []
            for r in args.replicates:
                if facts["edges"] >= 5000 and r >= 256 and not args.large:
                    print(f"{facts['edges']:>6} {'':>13} {r:>5}  (skipped: run with --large)")
                    skipped.append(r)
                    continue
                queue = ctx.Queue()
                proc = ctx.Process(
                    target=_measure, args=(scenario, compiled, r, args.years, opts, queue)
                )
                proc.start()
                proc.join()
                if proc.exitcode != 0 or queue.empty():
                    raise SystemExit(f"{name} × {r} replicates failed ({proc.exitcode})")
                row = queue.get()
                rows.append(row)
                one = row if r == 1 else one
                per = 1000 / (row["replicates"] * row["months"])
                wall = f"{row['wall_s'] / one['wall_s']:.1f}" if one else "-"
                cpu = f"{row['cpu_s'] / one['cpu_s']:.1f}" if one else "-"
                print(
                    f"{facts['edges']:>6} {facts['nodes']:>6} {facts['routes']:>6} {r:>5} "
                    f"{row['wall_s'] * per:>14.2f} {row['cpu_s'] * per:>13.2f} "
                    f"{row['peak_mb']:>8.0f} {row['estimate_mb']:>9.1f} "
                    f"{row['file_mb']:>8.1f} {row['resolution']:>4} {wall:>7} {cpu:>6}",
                    flush=True,
                )
            memory = memory_per_replicate_week(rows)
            if memory:
                print(
                    f"memory per replicate-week: {memory['measured_kb']:.1f} kB measured (1 -> "
                    f"{memory['replicates']} replicates, weekly), {memory['arrays_kb']:.1f} kB "
                    "of recorded arrays"
                )
            networks.append(dict(**facts, rows=rows, skipped=skipped, memory=memory))
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        command = (
            "benchmarks/bench_networks.py"
            + (" --default" if args.default else "")
            + (" --large" if args.large else "")
            + f" --edges {' '.join(map(str, args.edges))}"
            + f" --replicates {' '.join(map(str, args.replicates))} --years {args.years}"
            + f" --seed {args.seed} --resolution {args.resolution}"
            + f" --max-output-gb {args.max_output_gb:g}"
        )
        data = dict(
            kind="bench_networks",
            command=command,
            description=title + "; one fresh process per row, timed after an untimed "
            "1-year run that pays one-time costs; BLAS on one thread, from 16 replicates "
            "the heavy kernels on numba's thread pool in the weeks where it is faster "
            "(corredor.threads). CPU time counts every thread.",
            machine=finish(machine),
            years=args.years,
            warmup_years=WARMUP_YEARS,
            seed=args.seed,
            networks=networks,
        )
        args.save.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.save}")


if __name__ == "__main__":
    main()
