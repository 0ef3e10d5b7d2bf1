"""Dashboard benchmark: how long "Try a policy" takes to answer.

Times the dashboard's policy run (the baseline and one policy, paired replicates,
2015-2030, differences over the lever year to 2030) through its adapter
`corredor.dashboard.model.compare_policies`, exactly as the page calls it: the first run
in a fresh server process (scenarios loaded and compiled, numba kernels loaded from
their cache), a second policy in the same process, and a return to the first setting
(served from the dashboard's cache). Goal (issue 16): 16 replicates under 10 s on 2 cores.

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
    rows = []

    def timed(label: str, policy: model.Policy) -> None:
        key = ("compare", (policy,), settings)
        start = time.perf_counter()
        cache.cached(key, lambda: model.compare_policies([policy], settings, keep_runs=True))
        rows.append((label, time.perf_counter() - start))

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
        f"{settings.start}-{settings.end}, {os.cpu_count()} cores"
    )
    print(f"{'run':<44} {'seconds':>8}")
    for label, seconds in rows:
        print(f"{label:<44} {seconds:>8.2f}")
    fresh = [s for label, s in rows if label.startswith("new policy")]
    if fresh:
        print(f"{'median of new policies':<44} {sorted(fresh)[len(fresh) // 2]:>8.2f}")


if __name__ == "__main__":
    main()
