"""One error type for every problem a user can fix: bad files, fields and values.

Each error names the file, the field and the fix, so the CLI can print one line and exit
with status 2 instead of showing a traceback.
"""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path


class CorredorError(Exception):
    """A problem in user input (scenario, network, data file, command-line option)."""

    def __init__(
        self,
        what: str,
        *,
        file: str | Path | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.what = what
        self.file = str(file) if file is not None else None
        self.field = field
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.file, self.field) if p)
        text = f"{where}: {self.what}" if where else self.what
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


def suggest(name: str, choices: list[str] | set[str] | tuple[str, ...], limit: int = 3) -> str:
    """A 'did you mean' hint listing the closest valid names (or a few valid ones)."""
    choices = sorted(choices)
    close = get_close_matches(name, choices, n=limit, cutoff=0.5)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    shown = ", ".join(repr(c) for c in choices[:8])
    more = f" (and {len(choices) - 8} more)" if len(choices) > 8 else ""
    return f"valid names are {shown}{more}"


def check_out_dir(out) -> None:
    """Refuse an output path that exists and is not a directory (`--out`)."""
    if out.exists() and not out.is_dir():
        raise CorredorError(
            "exists and is not a directory", field="--out", fix="choose a directory path"
        )
