"""Ship a finished calibration: its values and record into baseline.toml, its report
into docs/calibration.

    .venv/bin/python tools/ship_calibration.py out/calibration      # part of make recalibrate

Copies the fitted values of OUTDIR/calibrated.toml over the same lines of the scenario
file's [parameters] table, replaces its [calibration] table (command, seed, version,
inputs digest, evaluations, stopping reason, objective) and copies the report files
(calibration.md/.html, fit.png, the CSV tables, run.json, calibrated.toml) into
docs/calibration. Refuses an incomplete search. Afterwards: regenerate the regression
snapshots (tools/update_regression.py) and the documentation numbers (make docs-numbers);
`make recalibrate` does all of it.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "src" / "corredor" / "data" / "scenarios" / "baseline.toml"
DOCS = ROOT / "docs" / "calibration"


def calibration_block(text: str) -> list[str]:
    """The [calibration] table of a calibrated.toml, as lines (header included)."""
    lines = text.splitlines()
    start = lines.index("[calibration]")
    end = start + 1
    while end < len(lines) and lines[end].strip() and not lines[end].startswith("["):
        end += 1
    return lines[start:end]


def ship(fitted_text: str, scenario_text: str) -> str:
    """The scenario text with the fitted values and [calibration] table of `fitted_text`."""
    fitted = tomllib.loads(fitted_text)
    record = fitted.get("calibration", {})
    if record.get("stopped_on") == "time budget" or "# INCOMPLETE" in fitted_text:
        raise SystemExit("refusing to ship an incomplete calibration (stopped on its budget)")
    lines = scenario_text.splitlines()
    # 1. the fitted values replace the same dotted lines of [parameters]
    for name, value in _dotted(fitted.get("parameters", {})).items():
        pattern = re.compile(rf"^{re.escape(name)}\s*=")
        hits = [i for i, line in enumerate(lines) if pattern.match(line)]
        if len(hits) != 1:
            raise SystemExit(f"{name}: expected one `{name} = ...` line, found {len(hits)}")
        lines[hits[0]] = (
            f"{name} = {value!r}" if isinstance(value, str) else f"{name} = {value:.6g}"
        )
    for aid, table in fitted.get("agencies", {}).items():
        raise SystemExit(f"agencies.{aid}: ship effort scales by hand ({table})")
    # 2. the [calibration] table, replaced or inserted before [parameters]
    block = calibration_block(fitted_text)
    if "[calibration]" in lines:
        start = lines.index("[calibration]")
        end = start + 1
        while end < len(lines) and lines[end].strip() and not lines[end].startswith("["):
            end += 1
        lines[start:end] = block
    else:
        at = lines.index("[parameters]")
        header = [
            "# How the fitted values below were made: `make reproduce-calibration` re-runs",
            "# the command and checks every value; `make recalibrate` refits and ships.",
        ]
        lines[at:at] = [*header, *block, ""]
    return "\n".join(lines) + "\n"


def _dotted(table: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_dotted(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path, help="a `corredor calibrate --out` directory")
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    ap.add_argument("--docs", type=Path, default=DOCS)
    args = ap.parse_args(argv)
    fitted = args.outdir / "calibrated.toml"
    if not fitted.is_file():
        print(f"{fitted}: missing", file=sys.stderr)
        return 1
    text = ship(fitted.read_text(encoding="utf-8"), args.scenario.read_text(encoding="utf-8"))
    args.scenario.write_text(text, encoding="utf-8")
    print(f"updated {args.scenario}")
    from corredor.outputs.calibration_report import REPORT_FILES

    args.docs.mkdir(parents=True, exist_ok=True)
    for name in REPORT_FILES:
        src = args.outdir / name
        if src.is_file():
            shutil.copy2(src, args.docs / name)
            print(f"copied {name} to {args.docs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
