"""Why the parameter draws of docs/answers.md give Ecuadorian homicides far above the
observed: the Ecuadorian hub's price under the draws, and the parameters it follows.

Runs the default scenario 2015-2025 on N draws of its uncertain parameters (as
`corredor uncertainty` and tools/answers.py draw them: evidence ranges, calibrated values
at the centre), one replicate each, and writes docs/answers/draws.json:

- Ecuador's homicide rate 2017-2025 (the window of `fentanyl-focus`; mean per 100,000 a
  year): median, mean and 95th percentile over the draws, against the calibrated run (8
  replicates) and the observed series (history);
- the Ecuadorian hub's wholesale price in 2023 over its reference: median over the
  draws and the share of draws at 10 times the reference or more;
- the parameters whose draws rank-correlate most with that price and with the homicides.

    .venv/bin/python tools/draw_diagnostics.py [--draws 200] [--seed 1]

tools/answers.py reads the file when it writes docs/answers.md.

    .venv/bin/python tools/draw_diagnostics.py --oat markets.inventory_weeks [...]

prints instead, for each named parameter, the hub's 2023 price over its reference at
seven values across the parameter's evidence range, the others at the calibrated
values (one at a time; 2 replicates each): where the market leaves the calibrated state.
`--set markets.netback_cap=0` holds a parameter at a value in every run (draws or table).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from corredor.analysis.uncertainty import sample, uncertain_parameters
from corredor.engine import Simulation
from corredor.history import load_history
from corredor.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "answers" / "draws.json"
HUB = "ec-guayaquil-hub"
FIRST, LAST, PRICE_YEAR = 2017, 2025, 2023


def _homicide_rate(sim: Simulation, data: dict) -> np.ndarray:
    """(R,) Ecuador's mean homicide rate FIRST-LAST, per 100,000 a year."""
    ci = sim.c.countries.index("EC")
    keep = (sim.years >= FIRST) & (sim.years <= LAST)
    population = next(c.population for c in sim.scenario.network.countries if c.iso2 == "EC")
    per_year = data["homicides_country"][:, keep, ci].sum(axis=1) / (LAST - FIRST + 1)
    return per_year / population * 1e5


def _top(corr: pd.Series, n: int = 4) -> list[dict]:
    corr = corr.dropna()
    order = corr.abs().sort_values(ascending=False).index[:n]
    return [{"parameter": k, "spearman": round(float(corr[k]), 2)} for k in order]


def one_at_a_time(names: list[str], seed: int, fixed: dict[str, float] | None = None) -> int:
    """Print the hub's price over its reference across each parameter's range, with
    `fixed` parameters held at their values."""
    scenario = load_scenario("baseline").with_period(end=LAST)
    if fixed:
        scenario = scenario.with_parameters(fixed)
    ranges = {p.name: p for p in uncertain_parameters(scenario)}
    unknown = [n for n in names if n not in ranges]
    if unknown:
        print(f"not an uncertain parameter of the baseline: {', '.join(unknown)}")
        return 2
    held = "".join(f", {k} = {v:g}" for k, v in (fixed or {}).items())
    print(f"{HUB} price in {PRICE_YEAR} over its reference (2 replicates, seed {seed}{held})")
    for name in names:
        cells = []
        for value in np.linspace(ranges[name].low, ranges[name].high, 7):
            sim = Simulation(
                scenario.with_parameters({name: float(value)}), replicates=2, seed=seed
            )
            data = sim.run()
            hub = sim.c.trade_nodes.index(HUB)
            price = data["trade_price_usd_per_kg"][:, sim.years == PRICE_YEAR, hub].mean()
            cells.append(f"{value:.3g}: {price / sim.c.trade_ref_price[hub]:.1f}x")
        print(f"{name}  " + "  ".join(cells))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--oat", nargs="+", metavar="PARAM", help="one-at-a-time price table")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PARAM=VALUE",
        help="hold a parameter at a value in every run (e.g. markets.consumer_anchor=0)",
    )
    args = ap.parse_args(argv)
    fixed = {}
    for item in args.set:
        name, _, value = item.partition("=")
        fixed[name] = float(value)
    if args.oat:
        return one_at_a_time(args.oat, args.seed, fixed)
    t0 = time.perf_counter()
    scenario = load_scenario("baseline").with_period(end=LAST)
    if fixed:
        scenario = scenario.with_parameters(fixed)
    draws = sample(uncertain_parameters(scenario), args.draws, seed=args.seed)
    sim = Simulation(scenario, replicates=args.draws, seed=args.seed, draws=draws)
    data = sim.run()
    hom = _homicide_rate(sim, data)
    hub = sim.c.trade_nodes.index(HUB)
    in_year = sim.years == PRICE_YEAR
    ratio = data["trade_price_usd_per_kg"][:, in_year, hub].mean(axis=1) / float(
        sim.c.trade_ref_price[hub]
    )
    calibrated = Simulation(scenario, replicates=8, seed=args.seed)
    cal_hom = _homicide_rate(calibrated, calibrated.run())
    hist = load_history()
    obs = hist[
        (hist.series == "homicide_rate")
        & (hist.region == "EC")
        & (hist.year >= FIRST)
        & (hist.year <= LAST)
    ]
    table = pd.DataFrame(draws)
    out = {
        "draws": args.draws,
        "seed": args.seed,
        "window": [FIRST, LAST],
        "homicide_rate_draws": {
            "median": float(np.median(hom)),
            "mean": float(hom.mean()),
            "p95": float(np.percentile(hom, 95)),
        },
        "homicide_rate_calibrated": float(cal_hom.mean()),
        "homicide_rate_observed": float(obs.value.mean()) if len(obs) else None,
        "observed_years": sorted(int(y) for y in obs.year),
        "hub": HUB,
        "price_year": PRICE_YEAR,
        "hub_price_ratio_median": float(np.median(ratio)),
        "hub_price_at_10x_share": float((ratio >= 10).mean()),
        "homicides_vs_price_spearman": round(
            float(pd.Series(hom).corr(pd.Series(ratio), method="spearman")), 2
        ),
        "price_follows": _top(table.corrwith(pd.Series(ratio), method="spearman")),
        "homicides_follow": _top(table.corrwith(pd.Series(hom), method="spearman")),
        "command": f"python tools/draw_diagnostics.py --draws {args.draws} --seed {args.seed}",
        "seconds": round(time.perf_counter() - t0, 1),
        "machine": {"python": platform.python_version(), "date": time.strftime("%Y-%m-%d")},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
