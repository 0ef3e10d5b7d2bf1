"""The `corredor` entry point: every command module registered on the app; user errors
become one message and exit code 2."""

from __future__ import annotations

import sys

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
)
from corredor.cli.app import app, err_console
from corredor.errors import CorredorError


def main() -> None:
    """Entry point: user errors become one message and exit code 2."""
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
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except Exception as exc:
        # Usage errors of the command-line parser (click, vendored by newer typer) arrive
        # here in non-standalone mode; they know how to print themselves.
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(exc.exit_code or 2)
        raise


if __name__ == "__main__":
    main()
