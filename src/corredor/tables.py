"""Reading the project's CSV tables with one kind of error for a missing file or column."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from corredor.errors import CorredorError


def read_rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) of a CSV file after checking it exists and has `columns`."""
    if not path.is_file():
        raise CorredorError("file not found", file=path, fix="check the path")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise CorredorError(
                f"missing column {missing[0]!r}",
                file=path,
                field="header",
                fix=f"the header must contain {', '.join(columns)}",
            )
        yield from enumerate(reader, start=2)
