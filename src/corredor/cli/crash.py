"""What a user sees when a command fails for a reason that is not their input.

No traceback reaches a user. An error Corredor did not foresee becomes one line naming
the command, the path of a log file holding the details (the traceback, the command
line, versions) and a request to report it; a full disk, a read-only folder or memory
running out become one line saying so and what to do. Set CORREDOR_DEBUG=1 to see the
traceback instead (for developers). Logs go to $CORREDOR_LOG_DIR, else
$XDG_STATE_HOME/corredor, else ~/.local/state/corredor, else the temporary folder.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path

# Exit statuses: 2 for a problem in the user's input or environment they can fix,
# 1 for a failure of corredor itself, 130 for an interrupt (as shells report Ctrl-C).
# (click ends a command whose reader went away, `corredor parameters | head`, quietly
# with status 1.)
EXIT_INPUT, EXIT_BUG, EXIT_INTERRUPTED = 2, 1, 130
REPORT_TO = "the Corredor issue tracker"


def command_name(argv: list[str] | None = None) -> str:
    """`corredor run`, `corredor network show`: the command words, without arguments."""
    argv = sys.argv if argv is None else argv
    words = ["corredor"]
    for arg in argv[1:]:
        if arg.startswith("-") or len(words) == 3:
            break
        words.append(arg)
        if arg != "network":  # the only group of subcommands
            break
    return " ".join(words)


def log_dir() -> Path:
    """Where crash logs are written (see the module docstring)."""
    explicit = os.environ.get("CORREDOR_LOG_DIR")
    if explicit:
        return Path(explicit)
    state = os.environ.get("XDG_STATE_HOME")
    base = Path(state) if state else Path.home() / ".local" / "state"
    return base / "corredor"


def write_log(exc: BaseException) -> Path | None:
    """Write the details of an unexpected error to a new log file; returns its path."""
    from corredor.version import CODE_DIGEST, __version__

    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = "\n".join(
        [
            f"corredor {__version__} (code digest {CODE_DIGEST})",
            f"time: {_dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"command: {' '.join(sys.argv)}",
            f"working directory: {os.getcwd()}",
            f"python: {sys.version.split()[0]} on {platform.platform()}",
            "",
            "".join(traceback.format_exception(exc)),
        ]
    )
    for folder in (log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"corredor-crash-{stamp}-{os.getpid()}.log"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def _short(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def explain(exc: BaseException) -> tuple[str, int]:
    """The one-line message for an exception that escaped a command, and the exit status.

    Writes a log file for errors that are corredor's own."""
    from corredor.outset import WRITE_ERRORS, write_error

    command = command_name()
    if isinstance(exc, MemoryError):
        return (
            f"`{command}` ran out of memory. Fix: ask for less at once (fewer replicates, "
            "draws or points, --resolution year, smaller --chunk), or use a machine with more "
            "memory",
            EXIT_INPUT,
        )
    if isinstance(exc, OSError) and exc.errno in WRITE_ERRORS:
        return str(write_error(exc, field=None)), EXIT_INPUT
    log = write_log(exc)
    where = f"the details are in {log}" if log else "no log could be written"
    return (
        f"`{command}` stopped on an unexpected error ({_short(exc)}). This is a problem in "
        f"corredor, not in your input: {where}. Please report it to {REPORT_TO}, with that "
        "file and the command you ran",
        EXIT_BUG,
    )


def debugging() -> bool:
    """Whether CORREDOR_DEBUG asks for tracebacks."""
    return os.environ.get("CORREDOR_DEBUG", "") not in ("", "0")
