"""Where and when a measured number was made: machine, software and commit.

Result files that documentation numbers are generated from (benchmark tables, the
calibration's `run.json`) carry `machine_info()`, so a reader can tell a figure measured
on a loaded 2-core machine from one measured on an idle workstation.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from corredor.version import CODE_DIGEST, __version__

# Libraries whose versions can change a floating-point result or an optimiser's path.
LIBRARIES = ("numpy", "scipy", "numba", "pandas", "xarray")


def cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cpu_model() -> str:
    """The processor's model name (Linux: /proc/cpuinfo), or what the platform says."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def git_commit(root: Path | None = None) -> str:
    """The checked-out commit of the repository holding the package (short hash, with
    `+dirty` when tracked files differ from it), or "" outside a git checkout."""
    root = root or Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return head + ("+dirty" if dirty else "")


def environment() -> dict[str, str]:
    """Python and the versions of the numerical libraries."""
    out = {"python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "not installed"
    return out


def machine_info() -> dict:
    """Cores, CPU model, load, date (UTC), commit and software of this measurement."""
    try:
        load = round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        load = None
    return dict(
        cores=cores(),
        cpu=cpu_model(),
        system=f"{platform.system()} {platform.release()}",
        load_average=load,
        date=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        commit=git_commit(),
        corredor=f"{__version__}+{CODE_DIGEST}",
        **environment(),
    )


def finish(machine: dict) -> dict:
    """`machine` with the load average at the end of the measurement added (other work
    on a shared machine that started during it shows there)."""
    try:
        return {**machine, "load_average_end": round(os.getloadavg()[0], 2)}
    except (AttributeError, OSError):
        return machine


def describe(machine: dict) -> str:
    """One line for a caption: '2 cores (AMD EPYC), 2026-12-01, commit abc123'."""
    day = str(machine.get("date", "")).split(" ")[0]
    parts = [f"{machine.get('cores', '?')} cores ({machine.get('cpu', 'unknown CPU')})", day]
    loads = [
        f"{machine[key]:g} at the {when}"
        for key, when in (("load_average", "start"), ("load_average_end", "end"))
        if machine.get(key) is not None
    ]
    if loads:
        parts.append("load average " + ", ".join(loads))
    if machine.get("commit"):
        parts.append(f"commit {machine['commit']}")
    return ", ".join(p for p in parts if p)
