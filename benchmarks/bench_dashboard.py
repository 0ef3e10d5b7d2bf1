"""Dashboard benchmark: how long "Try a policy" takes to answer.

Times the dashboard's policy run (the baseline and one policy, paired replicates,
2015-2030, differences over the lever year to 2030) through its adapter
`corredor.dashboard.model.compare_policies`, exactly as the page calls it: the first run
in a fresh server process (scenarios loaded and compiled, numba kernels loaded from
their cache), a second policy in the same process, and a return to the first setting
(served from the dashboard's cache). Goal (issue 16): 16 replicates under 10 s on 2 cores.

Wall time depends on what else the machine runs, so the table also gives this process's
CPU time (user + system, all its threads) and the load average at the start: on a
machine with a core to spare, wall time is close to CPU time.

    .venv/bin/python benchmarks/bench_dashboard.py [--replicates 16] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicates", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs of a new policy.")
    args = parser.parse_args()

    from corredor.dashboard import cache, model

    settings = model.Settings(replicates=args.replicates)
    load = os.getloadavg()[0]
    rows = []

    def timed(label: str, policy: model.Policy) -> None:
        key = ("compare", (policy,), settings)
        start, cpu = time.perf_counter(), time.process_time()
        cache.cached(key, lambda: model.compare_policies([policy], settings, keep_runs=True))
        rows.append((label, time.perf_counter() - start, time.process_time() - cpu))

    timed(
        "first policy in a fresh process", model.Policy("baseline", (("ec_container_effort", 2.0),))
    )
    for i in range(args.repeat):
        value = round(3.0 + 0.5 * i, 1)
        timed(
            f"new policy (ec_road_effort={value})",
            model.Policy("baseline", (("ec_road_effort", value),)),
        )
    timed(
        "back to the first policy (cache)",
        model.Policy("baseline", (("ec_container_effort", 2.0),)),
    )

    print(
        f"Try a policy: baseline + policy, {args.replicates} paired replicates, "
        f"{settings.start}-{settings.end}, {os.cpu_count()} cores, load average at start "
        f"{load:.1f}"
    )
    print(f"{'run':<44} {'wall s':>8} {'CPU s':>8}")
    for label, wall, cpu in rows:
        print(f"{label:<44} {wall:>8.2f} {cpu:>8.2f}")
    fresh = [(w, c) for label, w, c in rows if label.startswith("new policy")]
    if fresh:
        wall = sorted(w for w, _ in fresh)[len(fresh) // 2]
        cpu = sorted(c for _, c in fresh)[len(fresh) // 2]
        print(f"{'median of new policies':<44} {wall:>8.2f} {cpu:>8.2f}")


if __name__ == "__main__":
    main()
