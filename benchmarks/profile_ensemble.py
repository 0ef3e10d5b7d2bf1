"""Where an ensemble's time goes: one chunk of runs, phase by phase and function by function.

Runs one chunk of an ensemble of the default scenario 2015-2030 (100 parameter draws in
one engine batch, as `corredor ensemble` does) in this process and prints, per run:

- the batching around the engine: drawing parameters, compiling the network, building
  the result dataset, pickling it back to the parent, concatenating chunks;
- the engine's weekly phases (`Simulation(profile=True)`, as `corredor run --profile`);
- the functions with the most CPU time of their own (cProfile, a second run).

CPU times (`time.process_time`) are used so that other load on a shared machine
inflates them less than wall times.

    .venv/bin/python benchmarks/profile_ensemble.py [--runs 100]
    .venv/bin/python benchmarks/profile_ensemble.py --save benchmarks/results/profile.json
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pickle
import pstats
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--runs", type=int, default=100, help="runs in the chunk")
    ap.add_argument("--top", type=int, default=15, help="functions listed")
    ap.add_argument("--save", type=Path, help="also write the tables as JSON, with machine info")
    args = ap.parse_args()

    import xarray as xr

    from corredor.analysis.uncertainty import compiled_for, make_chunks, sample
    from corredor.analysis.uncertainty import uncertain_parameters as uncertain
    from corredor.engine import PHASES, Simulation
    from corredor.provenance import finish, machine_info
    from corredor.results import build_dataset
    from corredor.scenario import load_scenario

    machine = machine_info()
    sc = load_scenario(args.scenario)
    n = args.runs
    clock = time.process_time
    around: dict[str, float] = {}

    t = clock()
    params = uncertain(sc)
    values = sample(params, n, 1)
    (chunk,) = make_chunks(sc, values, n, 1, 1, n)
    around["draw parameters"] = clock() - t
    t = clock()
    compiled = compiled_for(sc)
    around["compile network (once per worker)"] = clock() - t
    # warm numba's compiled kernels so the timing is the steady state
    small = make_chunks(sc, sample(params, 2, 2), 2, 1, 2, 2)[0]
    Simulation(
        sc, replicates=2, seed=1, resolution="year", draws=small.draws, compiled=compiled
    ).run()

    prof = cProfile.Profile(timer=clock)
    t = clock()
    sim = Simulation(
        sc,
        replicates=n,
        seed=chunk.seed,
        resolution="year",
        draws=chunk.draws,
        compiled=compiled,
        profile=True,
    )
    around["set up the simulation"] = clock() - t
    data = sim.run()
    engine = sum(sim.timings.values())
    # the same run again under cProfile (its overhead kept out of the phase times)
    again = Simulation(
        sc, replicates=n, seed=chunk.seed, resolution="year", draws=chunk.draws, compiled=compiled
    )
    prof.enable()
    again.run()
    prof.disable()
    t = clock()
    build_dataset(sim, data)
    around["first dataset in a worker (lazy imports)"] = clock() - t
    t = clock()
    ds = build_dataset(sim, data)
    around["build the result dataset"] = clock() - t
    t = clock()
    blob = pickle.dumps(ds, protocol=pickle.HIGHEST_PROTOCOL)
    pickle.loads(blob)
    around[f"pickle the result ({len(blob) / 1e6:.1f} MB) and back"] = clock() - t
    t = clock()
    xr.concat([ds, ds], dim="replicate", data_vars="all", coords="minimal", compat="override")
    around["concatenate two chunks"] = clock() - t

    stats = pstats.Stats(prof)
    funcs = []
    for (file, line, name), (_, _, tottime, _, _) in stats.stats.items():
        where = file.split("/src/")[-1] if "/src/corredor/" in file else Path(file).name
        funcs.append(dict(function=f"{where}:{line} {name}", seconds=tottime))
    funcs.sort(key=lambda f: -f["seconds"])
    funcs = funcs[: args.top]

    def ms(seconds: float) -> float:
        return 1000 * seconds / n

    print(f"One chunk of {n} runs of {sc.name} {sc.start}-{sc.end} (CPU ms per run)")
    print("\nAround the engine")
    for k, v in around.items():
        print(f"  {k:<48}{ms(v):>8.2f}")
    print(f"\nEngine phases (total {ms(engine):.1f} ms per run)")
    for name in PHASES:
        v = sim.timings[name]
        print(f"  {name:<12}{ms(v):>8.1f}{100 * v / engine:>7.1f}%")
    print("\nFunctions by own CPU time")
    for f in funcs:
        print(f"  {f['function']:<70}{ms(f['seconds']):>8.1f}")
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        out = dict(
            kind="profile_ensemble",
            command=f"benchmarks/profile_ensemble.py --runs {n}",
            description=f"One ensemble chunk of {n} runs of {sc.name} {sc.start}-{sc.end}, "
            "CPU milliseconds per run.",
            machine=finish(machine),
            runs=n,
            around={k: ms(v) for k, v in around.items()},
            engine_ms=ms(engine),
            phases={k: ms(sim.timings[k]) for k in PHASES},
            functions=[dict(function=f["function"], ms=ms(f["seconds"])) for f in funcs],
        )
        args.save.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.save}")


if __name__ == "__main__":
    main()
