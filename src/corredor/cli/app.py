"""The `corredor` command-line application: the typer app, its consoles and the small
formatting helpers every command shares. Commands live in one module per family
(`run`, `inputs`, `compare`, `calibrate`, `uncertainty`, `sweep`, `validate`,
`dashboard`) and register themselves on `app`; `corredor.cli.main` imports them all and
is the entry point. Output formats (`--format table|plain|csv|json`, numbers for people)
are in `corredor.cli.formats`.

Only typer and rich are imported here: the model (numpy, pandas, numba) loads inside the
commands that need it, so `corredor --help` answers at once.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console

from corredor.progress import Progress
from corredor.version import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Corredor: simulate the cocaine corridor through Ecuador and the policies against it.",
)
network_app = typer.Typer(no_args_is_help=True, help="Inspect networks.")
app.add_typer(network_app, name="network")
console = Console()
err_console = Console(stderr=True)


def _show_version(value: bool) -> None:
    if value:
        print(f"corredor {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        callback=_show_version,
        is_eager=True,
    ),
) -> None:
    """Corredor: simulate the cocaine corridor through Ecuador and the policies against it."""


def num(x: float, signed: bool = False) -> str:
    """A number rounded by magnitude (2 decimals below 10, none above)."""
    digits = 2 if abs(x) < 10 else 0
    return f"{x:+,.{digits}f}" if signed else f"{x:,.{digits}f}"


class TaskBar:
    """`rich.progress.Progress`'s task interface (`add_task`, `update(task, completed=)`,
    `reset`, `stop`) over `corredor.progress.Progress`: a bar with the time left on a
    terminal, a plain line every ~10% of the work in a log or a pipe."""

    def __init__(self, label: str, unit: str, *, mode: str = "auto") -> None:
        self.progress = Progress(label, None, unit, mode=mode)

    def __enter__(self) -> TaskBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.close()

    def add_task(self, description: str = "", total: float | None = None, **_: Any) -> int:
        self.progress.total = total
        return 0

    def update(
        self,
        task: int = 0,
        *,
        completed: float | None = None,
        total: float | None = None,
        advance: float | None = None,
        **_: Any,
    ) -> None:
        done = self.progress.done if completed is None else completed
        if advance:
            done += advance
        self.progress.update(done, total)

    def reset(self, task: int = 0, *, total: float | None = None, completed: float = 0) -> None:
        self.progress.restart(completed, total)

    def stop(self) -> None:
        self.progress.close()


def progress_bar(label: str, unit: str) -> TaskBar:
    """Progress on stderr: label, bar, done/total UNIT and time left on a terminal; a
    plain line every ~10% of the work otherwise (logs never stay silent)."""
    return TaskBar(label, unit)
