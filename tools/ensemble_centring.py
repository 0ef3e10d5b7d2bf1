"""Why the ensemble's median is not the calibrated run (docs/uncertainty.md).

Prints, for the baseline:
1. the median draw of each calibrated parameter as the declared distribution alone
   would place it, and with the median pinned at the fitted value;
2. an ensemble of N draws (default 200, seed 1) three ways: the declared distributions
   (no pinning, as before), the fitted parameters' medians pinned (the default), every
   parameter's median pinned; each against the calibrated run (8 replicates, seed 1),
   for a few observed series;
3. one parameter at a time at its 25% and 75% quantiles, the others at their values
   (4 replicates each, to 2023): the response of US 2018 and Ecuador 2023 seizures.

Run: .venv/bin/python tools/ensemble_centring.py [N]   (about 4 minutes on 2 cores)
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np

from corredor.analysis import uncertainty as U
from corredor.api import run
from corredor.scenario import load_scenario

SERIES = [
    ("seized_t", "EC", 2025),
    ("seized_t", "EC", 2023),
    ("seized_t", "US", 2018),
    ("seized_t", "CO", 2020),
    ("homicide_rate", "EC", 2023),
]


def pick(df, metric, region, year, col):
    sel = df[(df.metric == metric) & (df.region == region) & (df.year == year)]
    return float(sel[col].iloc[0])


def drawn_medians(sc) -> None:
    u = (np.arange(20000) + 0.5) / 20000
    print("calibrated parameter: fitted value, median draw declared -> pinned")
    for p in U.uncertain_parameters(sc):
        if not p.median_at_centre:
            continue
        plain = dataclasses.replace(p, median_at_centre=False)
        print(
            f"  {p.name:32s} {p.centre:<9.4g} {np.median(plain.ppf(u)):.4g} -> "
            f"{np.median(p.ppf(u)):.4g}"
        )


def ensembles(sc, n: int) -> None:
    point = run(sc, replicates=8, seed=1, resolution="year").summary()
    original = U.uncertain_parameters
    for label, rule in (
        ("declared distributions (no pinning)", lambda p: False),
        ("fitted parameters' medians pinned (default)", lambda p: p.median_at_centre),
        ("every parameter's median pinned", lambda p: p.dist in ("triangular", "lognormal")),
    ):

        def patched(scenario, only=None, _rule=rule):
            return [
                dataclasses.replace(p, median_at_centre=_rule(p)) for p in original(scenario, only)
            ]

        U.uncertain_parameters = patched
        try:
            s = U.ensemble(sc, n=n, seed=1).summary()
        finally:
            U.uncertain_parameters = original
        print(f"{n} draws, {label}:")
        for m, r, y in SERIES:
            print(
                f"  {m} {r} {y}: calibrated run {pick(point, m, r, y, 'mean'):.0f}, "
                f"ensemble median {pick(s, m, r, y, 'median'):.0f} "
                f"(50% {pick(s, m, r, y, 'p25'):.0f}-{pick(s, m, r, y, 'p75'):.0f})"
            )


def one_at_a_time(sc) -> None:
    sc = sc.with_period(end=2023)
    params = U.uncertain_parameters(sc)
    values: dict[str, list[float]] = {p.name: [] for p in params}
    labels = []
    for p in params:
        for q in (0.25, 0.75):
            for o in params:
                values[o.name].append(float(o.ppf(np.array([q]))[0]) if o is p else o.centre)
            labels.append(p.name)
    for o in params:
        values[o.name].append(o.centre)
    n, reps = len(labels) + 1, 4
    data = U.run_batches(
        sc, {k: np.array(v) for k, v in values.items()}, n, replicates=reps, seed=1, chunk=1000
    )
    years = data["year"].values

    def seized(country, year):
        da = data["seized_kg"].sel(country=country).isel(time=years == year).sum("time")
        return (da.values / 1000).reshape(n, reps).mean(1)

    us, ec = seized("US", 2018), seized("EC", 2023)
    print(
        f"one at a time (25% / 75% quantile), fitted values: US 2018 {us[-1]:.0f} t, "
        f"EC 2023 {ec[-1]:.0f} t"
    )
    rows = [(labels[i], us[i], us[i + 1], ec[i], ec[i + 1]) for i in range(0, n - 1, 2)]
    rows.sort(key=lambda r: -(abs(r[1] - us[-1]) + abs(r[2] - us[-1])))
    for name, u25, u75, e25, e75 in rows[:8]:
        print(f"  {name:36s} US {u25:.0f} / {u75:.0f}   EC {e25:.0f} / {e75:.0f}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    sc = load_scenario("baseline")
    drawn_medians(sc)
    ensembles(sc, n)
    one_at_a_time(sc)


if __name__ == "__main__":
    main()
