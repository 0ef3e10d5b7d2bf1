"""Re-run the calibration that made the shipped values, and check them (tolerance zero).

A scenario's `[calibration]` table (in `baseline.toml`: the values shipped) records the
command, seed, corredor version and a digest of the inputs it was fitted to. This script

1. checks that the inputs are still those (otherwise the values cannot be reproduced
   and the scenario needs recalibrating: `make recalibrate`),
2. runs the recorded command (`--out` added; workers do not change the result),
3. compares every fitted value, the evaluations, the stopping reason and the objective
   with the shipped ones, exactly, and prints what differs.

    .venv/bin/python tools/reproduce_calibration.py             # make reproduce-calibration
    .venv/bin/python tools/reproduce_calibration.py --compare out/reproduce-calibration
    .venv/bin/python tools/reproduce_calibration.py --run-only --out out/calibration

Exit code 0 when everything matches, 1 otherwise.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "src" / "corredor" / "data" / "scenarios" / "baseline.toml"
# fields of [calibration] that a re-run must give again
RECORDED = ("evaluations", "stopped_on", "objective", "inputs_digest", "seed")


def flatten(table: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def read(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def compare(shipped: dict, fitted: dict) -> list[str]:
    """Differences between a shipped scenario table and a calibrated.toml table: every
    value calibrated.toml sets, and the recorded fields of [calibration]. Exact."""
    problems = []
    ours = flatten(shipped.get("parameters", {}))
    for name, value in flatten(fitted.get("parameters", {})).items():
        if name not in ours:
            problems.append(f"{name}: fitted {value!r}, not set in the shipped scenario")
        elif ours[name] != value:
            problems.append(f"{name}: shipped {ours[name]!r}, re-run {value!r}")
    for aid, table in fitted.get("agencies", {}).items():
        got = table.get("effort_scale")
        have = shipped.get("agencies", {}).get(aid, {}).get("effort_scale")
        if got != have:
            problems.append(f"agencies.{aid}.effort_scale: shipped {have!r}, re-run {got!r}")
    a, b = shipped.get("calibration", {}), fitted.get("calibration", {})
    for key in RECORDED:
        if a.get(key) != b.get(key):
            problems.append(f"[calibration] {key}: shipped {a.get(key)!r}, re-run {b.get(key)!r}")
    if not problems and not fitted.get("parameters"):
        problems.append("calibrated.toml sets no parameter")
    return problems


def current_digest(scenario: Path, record: dict) -> str:
    """The inputs digest of the scenario as it is now (same free parameters and
    observed series as the recorded command)."""
    from corredor.analysis.calibration import inputs_digest, parse_bounds
    from corredor.history import load_history, pure_equivalent
    from corredor.scenario import load_scenario

    args = shlex.split(record["command"])
    params = [args[i + 1] for i, a in enumerate(args) if a == "--param"]
    observed = next((args[i + 1] for i, a in enumerate(args) if a == "--observed"), None)
    # the calibration fits pure-equivalent seizures (history.pure_equivalent)
    observed_df = pure_equivalent(load_history(observed))
    return inputs_digest(load_scenario(scenario), observed_df, parse_bounds(params))


def run(command: str, out: Path, workers: int | None) -> float:
    args = shlex.split(command)
    if args[:2] != ["corredor", "calibrate"]:
        raise SystemExit(f"not a calibrate command: {command!r}")
    cmd = [sys.executable, "-m", "corredor.cli", *args[1:], "--out", str(out)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    print("running:", shlex.join(["corredor", *cmd[3:]]), flush=True)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, check=False)
    seconds = time.perf_counter() - t0
    print(f"the calibration ran for {seconds:.0f} s (exit code {done.returncode})", flush=True)
    if done.returncode != 0:
        raise SystemExit(f"the calibration failed or is incomplete (exit {done.returncode})")
    return seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", type=Path, default=SCENARIO, help="scenario file")
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "reproduce-calibration")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--compare", type=Path, help="only compare this output directory")
    ap.add_argument("--run-only", action="store_true", help="run, do not check (recalibrate)")
    ap.add_argument("--command", help="run this command instead of the recorded one")
    args = ap.parse_args(argv)

    shipped = read(args.scenario)
    record = shipped.get("calibration")
    if not record and not args.command:
        print(f"{args.scenario}: no [calibration] table, nothing to reproduce", file=sys.stderr)
        return 1
    command = args.command or record["command"]
    if args.run_only:
        run(command, args.out, args.workers)
        return 0
    print(f"shipped: {record['command']}")
    print(f"  seed {record['seed']}, corredor {record['corredor_version']}, ", end="")
    print(f"inputs {record['inputs_digest']}, {record['evaluations']} evaluations")
    now = current_digest(args.scenario, record)
    if now != record["inputs_digest"]:
        print(
            f"The inputs changed since the shipped calibration (digest {now}, recorded "
            f"{record['inputs_digest']}): the scenario, its network or the observed series "
            "are not those the values were fitted to. Recalibrate: make recalibrate",
            file=sys.stderr,
        )
        return 1
    from corredor.version import __version__

    if record["corredor_version"] != __version__:
        print(f"note: shipped with corredor {record['corredor_version']}, this is {__version__}")
    if args.compare is None:
        run(command, args.out, args.workers)
        outdir = args.out
    else:
        outdir = args.compare
    fitted = outdir / "calibrated.toml"
    if not fitted.is_file():
        print(f"{fitted}: missing (was the search incomplete?)", file=sys.stderr)
        return 1
    problems = compare(shipped, read(fitted))
    if problems:
        print(f"{len(problems)} difference(s) from the shipped calibration:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    n = len(flatten(read(fitted).get("parameters", {})))
    print(f"reproduced: all {n} fitted values and the [calibration] record are identical")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
