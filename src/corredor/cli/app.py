"""The `corredor` command-line application: the typer app, its consoles and the small
formatting helpers every command shares. Commands live in one module per family
(`run`, `inputs`, `compare`, `calibrate`, `uncertainty`, `sweep`, `dashboard`) and
register themselves on `app`; `corredor.cli.main` imports them all and is the entry
point."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Corredor: simulate the cocaine corridor through Ecuador and the policies against it.",
)
network_app = typer.Typer(no_args_is_help=True, help="Inspect networks.")
app.add_typer(network_app, name="network")
console = Console()
err_console = Console(stderr=True)


def num(x: float, signed: bool = False) -> str:
    """A number rounded by magnitude (2 decimals below 10, none above)."""
    digits = 2 if abs(x) < 10 else 0
    return f"{x:+,.{digits}f}" if signed else f"{x:,.{digits}f}"


def progress_bar(label: str, unit: str) -> Progress:
    """A transient progress bar on stderr: label, bar, done/total UNIT, time left."""
    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} " + unit),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )
