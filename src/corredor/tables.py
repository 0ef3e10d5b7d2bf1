"""Reading the project's CSV tables with one kind of error for a missing file or column."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from corredor.errors import CorredorError
from corredor.files import read_csv


def read_rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) of a CSV file after checking it exists and has `columns`.

    The file is decoded by `corredor.files` (UTF-8, with or without a byte-order mark);
    anything else stops with a message naming the file and the byte."""
    header, rows = read_csv(path)
    missing = [c for c in columns if c not in header]
    if missing:
        raise CorredorError(
            f"missing column {missing[0]!r}",
            file=path,
            field="header",
            fix=f"the header must contain {', '.join(columns)}",
        )
    for i, row in rows:
        # a short row's missing cells read as empty, like an empty cell
        yield i, {k: (v if v is not None else "") for k, v in row.items()}
