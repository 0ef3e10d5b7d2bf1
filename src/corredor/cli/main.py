"""The `corredor` entry point: every command module registered on the app; user errors
become one message and exit code 2, and no traceback ever reaches a user (see
`corredor.cli.crash`)."""

from __future__ import annotations

import sys
import warnings

import typer

# Importing the command modules registers their commands on `app`.
from corredor.cli import (  # noqa: F401
    calibrate,
    compare,
    dashboard,
    inputs,
    run,
    sweep,
    uncertainty,
    validate,
)
from corredor.cli.app import app, err_console
from corredor.cli.crash import EXIT_INTERRUPTED, debugging, explain
from corredor.errors import CorredorError


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Corredor's own warnings (routes found by search, output switched to yearly) as one
    `warning:` line, like the other notes of a command; others as Python shows them."""
    if category.__module__.startswith("corredor"):
        err_console.print(f"[yellow]warning:[/] {message}", highlight=False, soft_wrap=True)
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


_python_showwarning = warnings.showwarning


def main() -> None:
    """Entry point: user errors become one message and exit code 2; unexpected errors one
    message, a log file and exit code 1."""
    warnings.showwarning = _show_warning
    try:
        # In non-standalone mode click returns the code of a `typer.Exit` instead of
        # raising it; pass it on so a failed check exits non-zero.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except CorredorError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort as exc:
        if isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt):
            err_console.print("interrupted")
            sys.exit(EXIT_INTERRUPTED)
        err_console.print("aborted")
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:
        # Usage errors of the command-line parser (click, vendored by newer typer) arrive
        # here in non-standalone mode; they know how to print themselves.
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(exc.exit_code or 2)
        if debugging():
            raise
        # The catch-all: one line, a log file with the details, a request to report it.
        message, status = explain(exc)
        err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
        sys.exit(status)


if __name__ == "__main__":
    main()
