"""Where a simulated week's time goes: per phase, per compiled kernel, per random draw.

Runs one network (the default one, or a synthetic layered one of --edges edges,
benchmarks/synthetic.py) for --years recorded years after the warm-up, with
--replicates replicates, after an untimed one-year run that pays one-time costs
(compiled kernels' cache, lazy imports), and prints microseconds per replicate-week:

- each phase of the weekly step (`Simulation(profile=True)`);
- each kernel of corredor.kernels and each numpy Generator method the run calls, timed
  around every call (the wrappers add about a microsecond per call, so at one
  replicate the figures are a little high). What a phase spends outside the listed
  calls is its Python and numpy work.

Wall-clock timings: run it on an idle machine. CORREDOR_THREADS=serial|parallel fixes the
kernels' drivers (corredor.threads); by default they are chosen as in any run.

    .venv/bin/python benchmarks/profile_week.py [--edges 1000] [--replicates 1] [--years 4]
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import build  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edges", type=int, help="a synthetic network (default: the default one)")
    ap.add_argument("--replicates", type=int, default=1)
    ap.add_argument("--years", type=int, default=4, help="recorded years (after the warm-up)")
    ap.add_argument("--seed", type=int, default=1, help="the synthetic network's seed")
    ap.add_argument("--top", type=int, default=25, help="calls listed")
    args = ap.parse_args()

    from corredor import kernels
    from corredor.engine import Simulation, compile_scenario
    from corredor.scenario import load_scenario

    tmp = tempfile.TemporaryDirectory(prefix="corredor-profile-")
    name = "baseline"
    if args.edges:
        name = str(build(args.edges, seed=args.seed, out=Path(tmp.name) / "net"))
    sc = load_scenario(name)
    sc = sc.with_period(end=sc.start + args.years - 1)
    compiled = compile_scenario(sc)
    Simulation(sc.with_period(end=sc.start), resolution="year", compiled=compiled).run()

    spent: collections.Counter = collections.Counter()

    def timed(label, f):
        def call(*a, **k):
            t = time.perf_counter()
            out = f(*a, **k)
            spent[label] += time.perf_counter() - t
            return out

        return call

    for fname in dir(kernels):
        if not fname.startswith("_") and hasattr(getattr(kernels, fname), "py_func"):
            setattr(kernels, fname, timed(f"kernel {fname}", getattr(kernels, fname)))

    class Draws:  # a numpy Generator whose methods are timed
        def __init__(self, rng, stream):
            self.rng, self.stream = rng, stream

        def __getattr__(self, method):
            return timed(f"draw {self.stream}.{method}", getattr(self.rng, method))

    init_state = Simulation._init_state

    def init_timed(sim):
        init_state(sim)
        sim.rng = {k: Draws(v, k) for k, v in sim.rng.items()}

    Simulation._init_state = init_timed
    sim = Simulation(sc, replicates=args.replicates, compiled=compiled, profile=True)
    w0, c0 = time.perf_counter(), time.process_time()
    sim.run()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    weeks = len(sim.times) + sim.warmup
    per = 1e6 / (weeks * args.replicates)
    months = weeks * 12 / 52
    net = f"{args.edges:,} edges" if args.edges else "the default network"
    print(
        f"{net}, {compiled.routes.n_routes:,} routes, {args.replicates} replicates, "
        f"{weeks} weeks: {1000 * wall / (args.replicates * months):.2f} ms wall, "
        f"{1000 * cpu / (args.replicates * months):.2f} ms CPU per replicate-month; "
        f"{sim.pool_weeks} weeks on the thread pool"
    )
    print(f"\n{'phase':<44} {'µs / replicate-week':>20}")
    for phase, seconds in sim.timings.items():
        print(f"{phase:<44} {seconds * per:>20.2f}")
    print(f"\n{'call':<44} {'µs / replicate-week':>20}")
    for label, seconds in spent.most_common(args.top):
        print(f"{label:<44} {seconds * per:>20.2f}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
