"""Command-line command `corredor report` (issue 4: the HTML report)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""

    @app.command()
    def report(
        scenarios: list[str] = typer.Argument(..., help="Scenarios; the first is the reference."),
        replicates: int = typer.Option(16, "--replicates", "-r", help="Replicates per scenario."),
        seed: int = typer.Option(1, "--seed", "-s", help="Seed shared by all scenarios."),
        first: int = typer.Option(None, "--from", help="First year of the summary window."),
        last: int = typer.Option(None, "--to", help="Last year of the summary window."),
        out: Path = typer.Option(Path("out/report"), "--out", "-o", help="Report directory."),
        draws: int = typer.Option(
            0,
            "--draws",
            help="Parameter draws shared by all scenarios (intervals then include "
            "parameter uncertainty); 0: the scenarios' own values.",
        ),
        workers: int = typer.Option(None, "--workers", "-w", help="Worker processes with --draws."),
    ) -> None:
        """Write a self-contained HTML report comparing scenarios (figures embedded)."""
        from corredor.cli import console, err_console
        from corredor.errors import CorredorError
        from corredor.report import write_report

        if draws < 0:
            raise CorredorError("must not be negative", field="--draws", fix="use 0 or more")
        command = "corredor " + shlex.join(sys.argv[1:])
        from corredor.executors import batch_executor

        pool = batch_executor(workers, needed=draws > 0)
        with err_console.status("loading scenarios") as status, pool as ex:
            path = write_report(
                scenarios,
                out=out,
                replicates=replicates,
                seed=seed,
                first=first,
                last=last,
                command=command,
                progress=status.update,
                draws=draws,
                executor=ex,
            )
        console.print(f"Wrote {path}")
