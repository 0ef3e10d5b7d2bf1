"""Start-up benchmark: how long the command line takes to answer (issue 15).

Each command runs in a fresh process several times; the table gives the median and the
fastest wall time, the modules imported (from `python -X importtime`) and whether numpy
was among them. Goal: `corredor --help` and `corredor scenarios` under 1 s on a 2-core
machine (the package loads numpy, pandas and numba only for commands that run the model).
The last row, importing the model, is what every command paid before lazy imports.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

GOAL_S = 1.0
# (label, python arguments, under the goal?)
CASES = [
    ("corredor --help", ["-m", "corredor.cli", "--help"], True),
    ("corredor --version", ["-m", "corredor.cli", "--version"], True),
    ("corredor scenarios", ["-m", "corredor.cli", "scenarios"], True),
    ("corredor scenarios --format json", ["-m", "corredor.cli", "scenarios", "-F", "json"], True),
    ("import corredor", ["-c", "import corredor"], True),
    ("import the model (corredor.run)", ["-c", "import corredor; corredor.run"], False),
]


def _time(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return seconds


def _imports(args: list[str], env: dict[str, str]) -> tuple[int, bool]:
    """Modules imported (lines of -X importtime) and whether numpy was one of them."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args], capture_output=True, text=True, env=env
    )
    names = [
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    ][1:]  # the first line is the header
    return len(names), "numpy" in names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="Runs per command.")
    opts = parser.parse_args()
    env = dict(os.environ, COLUMNS="100", PYTHONDONTWRITEBYTECODE="0")
    os.chdir(Path(__file__).resolve().parents[1])
    print(
        f"Start-up of the command line: {opts.repeat} fresh processes per command, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, Python "
        f"{sys.version.split()[0]}"
    )
    rows = []
    for label, args, goal in CASES:
        _time(args, env)  # warm the byte-code cache and the file system
        times = [_time(args, env) for _ in range(opts.repeat)]
        modules, numpy = _imports(args, env)
        median = statistics.median(times)
        verdict = ("met" if median < GOAL_S else "MISSED") if goal else "-"
        rows.append((label, median, min(times), modules, "yes" if numpy else "no", verdict))
    header = ("command", "median s", "best s", "modules", "numpy", f"< {GOAL_S:g} s")
    widths = [
        max(len(str(r[i])) if i != 1 and i != 2 else 8 for r in [header, *rows])
        for i in range(len(header))
    ]
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-|-".join("-" * w for w in widths))
    for label, median, best, modules, numpy, verdict in rows:
        cells = (label, f"{median:.2f}", f"{best:.2f}", str(modules), numpy, verdict)
        print(" | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))


if __name__ == "__main__":
    main()
