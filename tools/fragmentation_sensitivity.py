"""How the held-out homicide fit depends on the fragmentation exponent.

For each value of `violence.fragmentation_exponent` (beta), the violence coefficients
(`violence.flow_coef`, `violence.contest_coef`) are refitted on the fitting window
(differential evolution then Nelder-Mead, as `corredor calibrate`) with every other
parameter at the default scenario's values, and Ecuador's homicide rate is compared with
the observed series inside the window and on the held-out years. Homicides do not feed
back into flows, so only these two coefficients need refitting.

    .venv/bin/python tools/fragmentation_sensitivity.py [--betas 0,0.3,0.6,1] [--workers 2]
    .venv/bin/python tools/fragmentation_sensitivity.py --save docs/calibration/fragmentation.json

Prints a Markdown table; with --save also writes the rows as JSON with the machine they
were measured on (`make fragmentation`), from which `make docs-numbers` writes the table
and figures of docs/calibration/fragmentation.md and the README.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from corredor.analysis.calibration import FREE, calibrate, with_params
from corredor.history import load_history
from corredor.scenario import load_scenario

VIOLENCE = tuple(p for p in FREE if p.name.startswith("violence."))
BETA = "violence.fragmentation_exponent"


def fit_one(beta: float, seed: int) -> dict:
    scenario = with_params(load_scenario("baseline"), {BETA: beta})
    observed = load_history()
    t0 = time.perf_counter()
    res = calibrate(scenario, observed, free=VIOLENCE, maxiter=10, seed=seed, alternatives=0)
    stats = res.stats[(res.stats.series == "homicide_rate") & (res.stats.region == "EC")]
    mape = {w: float(stats[stats.window == w].mape.iloc[0]) for w in ("fit", "held-out")}
    sel = res.table[(res.table.series == "homicide_rate") & (res.table.region == "EC")]
    held = sel[sel.year > res.fit_end]
    return dict(
        beta=beta,
        **res.best,
        objective=res.objective,
        fit=mape["fit"],
        held_out=mape["held-out"],
        years={int(r.year): (float(r["mean"]), float(r.value)) for _, r in held.iterrows()},
        seconds=time.perf_counter() - t0,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--betas", default="0,0.3,0.48,0.6,0.73,1.0,1.2")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--save", type=Path, help="also write the rows as JSON, with machine info")
    args = ap.parse_args(argv)
    from corredor.provenance import finish, machine_info

    machine = machine_info()
    started = time.perf_counter()
    betas = [float(b) for b in args.betas.split(",")]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        rows = list(pool.map(fit_one, betas, [args.seed] * len(betas)))
    years = sorted(rows[0]["years"])
    head = ["beta", "flow_coef", "contest_coef", "objective", "MAPE fit", "MAPE held-out"]
    head += [f"{y} sim (obs)" for y in years]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        cells = [
            f"{r['beta']:g}",
            f"{r['violence.flow_coef']:.4g}",
            f"{r['violence.contest_coef']:.4g}",
            f"{r['objective']:.4f}",
            f"{r['fit']:.1f}%",
            f"{r['held_out']:.1f}%",
        ]
        cells += [f"{r['years'][y][0]:.1f} ({r['years'][y][1]:g})" for y in years]
        print("| " + " | ".join(cells) + " |")
    seconds = time.perf_counter() - started
    print(f"\n{len(rows)} fits in {seconds:.0f} s", file=sys.stderr)
    if args.save:
        data = dict(
            kind="fragmentation_sensitivity",
            command="tools/fragmentation_sensitivity.py "
            f"--betas {args.betas} --workers {args.workers} --seed {args.seed}",
            seconds=seconds,
            machine=finish(machine),
            rows=[{**r, "years": {str(y): v for y, v in r["years"].items()}} for r in rows],
        )
        args.save.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
