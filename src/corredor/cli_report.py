"""Command-line command `corredor report` (issue 4: the HTML report)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
