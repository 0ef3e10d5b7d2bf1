"""How listing commands print: `--format table|plain|csv|json`, and numbers for people.

Every command that prints a table builds a list of **records** (dicts of plain values:
str, int, float, None; numbers unrounded) and a list of **columns** (how the table form
shows them), and hands both to `emit`:

- `table` (default on a terminal): a table that fits the window. Numbers are never cut:
  number columns never wrap or shrink; text columns wrap, and if the table still does
  not fit, the text columns marked `drop` go first (highest first), and a line names
  them. If even that is too wide, the table is printed at the width it needs.
- `plain` (default when output is not a terminal: a pipe, a log, a notebook's `!`): the
  same table, complete, at the width its content needs, in ASCII, without colour.
- `csv`: one header line, then one line per record, every field of the records (not
  only the columns shown) with full precision; `--csv FILE` writes this to a file too.
- `json`: a list of records (or, for a command with several tables, an object of
  lists), numbers unrounded, NaN as null.

A new command (e.g. `corredor validate`) uses it like this::

    from corredor.cli.formats import Column, CsvOption, FormatOption, emit

    @app.command()
    def things(fmt: str = FormatOption(), csv: Path = CsvOption()) -> None:
        records = [{"name": "a", "value": 81e6, "unit": "USD", "meaning": "..."}]
        emit(
            records,
            [
                Column("name", no_wrap=True),
                Column("value", number=True, unit_key="unit"),   # "81 million USD"
                Column("meaning", drop=1),                       # dropped first if too wide
            ],
            fmt=fmt, title="Things", caption="what the numbers mean", csv_path=csv,
        )

`human(x, unit)` and `exact(x, unit)` format single numbers the same way elsewhere
("81 million USD", "1,290 t"): `human` rounds a model output to about three
significant digits, `exact` shows an input value as it was written.

Nothing here imports numpy or pandas: `corredor scenarios` and `--help` stay fast.
"""

from __future__ import annotations

import contextlib
import csv as csv_module
import io
import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from corredor.errors import CorredorError
from corredor.numbers import exact, human

FORMATS = ("table", "plain", "csv", "json")


def FormatOption() -> Any:  # noqa: N802 - reads like the typer.Option it returns
    """The `--format` option every listing command takes."""
    return typer.Option(
        None,
        "--format",
        "-F",
        help="table (fits the window), plain (complete, for logs and pipes), csv or json. "
        "Default: table on a terminal, plain otherwise.",
        show_default=False,
    )


def CsvOption(help: str = "Also write the table as CSV to this file.") -> Any:  # noqa: N802
    """The `--csv FILE` option of commands whose table is natural to keep as a file."""
    return typer.Option(None, "--csv", help=help)


# -- columns and records ------------------------------------------------------------------------


@dataclass
class Column:
    """How a table shows one column of the records.

    `key` is the record field (default: the header); `cell` turns a whole record into
    the text shown instead. `number` columns are right-aligned and never wrapped or cut,
    formatted with `human` (`exact=True`: with `exact`), followed by the unit in `unit`
    or in the record's field `unit_key`. Text columns wrap; when the table is too wide,
    those with `drop` > 0 are left out, highest first.
    """

    header: str
    key: str | None = None
    cell: Callable[[dict[str, Any]], Any] | None = None
    number: bool = False
    exact: bool = False
    unit: str | None = None
    unit_key: str | None = None
    signed: bool = False
    drop: int = 0
    no_wrap: bool = False

    def text(self, record: dict[str, Any]) -> str:
        value = self.cell(record) if self.cell is not None else record.get(self.key or self.header)
        if isinstance(value, str):
            return value
        if hasattr(value, "item"):  # numpy scalars
            value = value.item()
        if value is None:
            return ""
        unit = record.get(self.unit_key) if self.unit_key else self.unit
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.exact:
                return exact(value, unit)
            return human(value, unit, signed=self.signed)
        return str(value)


def _plain(value: Any) -> Any:
    """A record value as JSON/CSV wants it: numpy scalars to Python, NaN to None."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        with contextlib.suppress(ValueError, TypeError):
            value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def fields_of(records: Sequence[dict[str, Any]]) -> list[str]:
    """Every field of the records, in order of first appearance."""
    seen: dict[str, None] = {}
    for r in records:
        for k in r:
            seen.setdefault(k, None)
    return list(seen)


def to_csv(records: Sequence[dict[str, Any]], fields: list[str] | None = None) -> str:
    """The records as CSV text (header line first); empty cells for None and NaN."""
    fields = fields or fields_of(records)
    buf = io.StringIO()
    writer = csv_module.writer(buf, lineterminator="\n")
    writer.writerow(fields)
    for r in records:
        row = []
        for f in fields:
            v = _plain(r.get(f))
            row.append("" if v is None else v)
        writer.writerow(row)
    return buf.getvalue()


def to_json(data: Any) -> str:
    """Records (or an object of record lists) as indented JSON; NaN as null."""

    def clean(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {str(k): clean(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [clean(v) for v in obj]
        return _plain(obj)

    return json.dumps(clean(data), indent=2, ensure_ascii=False, default=str)


def records_of(df: Any) -> list[dict[str, Any]]:
    """A pandas DataFrame's rows as records (values converted to plain Python)."""
    return [{k: _plain(v) for k, v in row.items()} for row in df.to_dict("records")]


# -- choosing and printing -------------------------------------------------------------------


def stdout_is_terminal() -> bool:
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def resolve(fmt: str | None) -> str:
    """The format to use: the one asked for, else table on a terminal, plain otherwise."""
    if fmt is None:
        return "table" if stdout_is_terminal() else "plain"
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise CorredorError(
            f"unknown format {fmt!r}", field="--format", fix="use table, plain, csv or json"
        )
    return fmt


TEXT_MIN = 12  # text columns narrower than this fold their longest words


def _widths(cells: list[list[str]], columns: list[Column]) -> tuple[list[int], list[int]]:
    """Per column: the natural width (longest line) and the least it may take (all of it
    for numbers and no-wrap columns; up to TEXT_MIN for text, whose words then fold)."""
    from rich.cells import cell_len

    natural, least = [], []
    for j, col in enumerate(columns):
        lines = [line for row in cells for line in row[j].split("\n")] + [col.header]
        full = max((cell_len(x) for x in lines), default=1)
        words = [w for x in lines for w in x.split()] or [""]
        longest = max(cell_len(w) for w in words)
        natural.append(max(full, 1))
        least.append(full if (col.number or col.no_wrap) else max(1, min(longest, TEXT_MIN)))
    return natural, least


def _overhead(n: int) -> int:
    return 3 * n + 1  # a border before each column and after the last, one space each side


def _fit(natural: list[int], least: list[int], room: int) -> list[int]:
    """Widths from `least` up to `natural`, sharing the room left in proportion to what
    each column still lacks (only text columns can lack anything)."""
    widths = list(least)
    spare = room - sum(widths)
    while spare > 0:
        lacking = [j for j, w in enumerate(widths) if w < natural[j]]
        if not lacking:
            break
        need = sum(natural[j] - widths[j] for j in lacking)
        given = 0
        for j in lacking:
            extra = min(natural[j] - widths[j], max(1, (natural[j] - widths[j]) * spare // need))
            extra = min(extra, spare - given)
            widths[j] += extra
            given += extra
            if given >= spare:
                break
        spare -= given
        if given == 0:
            break
    return widths


def _rich_table(cells, columns: list[Column], widths, title, caption, plain: bool):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(title) if title else None,
        caption=Text(caption) if caption else None,
        box=box.ASCII2 if plain else box.HEAVY_HEAD,
        title_justify="left" if plain else "center",
        caption_justify="left" if plain else "center",
        title_style="" if plain else "italic",
        caption_style="" if plain else "dim",
        header_style="" if plain else "bold",
        show_lines=any("\n" in c for row in cells for c in row),
    )
    for col, w in zip(columns, widths, strict=True):
        table.add_column(
            Text(col.header),
            justify="right" if col.number else "left",
            width=w,
            no_wrap=col.number or col.no_wrap,
            overflow="fold",
        )
    for row in cells:
        table.add_row(*(Text(c) for c in row))
    return table


def render(
    records: Sequence[dict[str, Any]],
    columns: list[Column],
    *,
    title: str | None = None,
    caption: str | None = None,
    plain: bool = False,
    width: int | None = None,
) -> tuple[str, list[str]]:
    """The table as text, and the headers of the columns left out to fit `width`.

    `plain`: complete, every column at its natural width. Otherwise fit `width` (the
    terminal's): text columns wrap, then `drop` columns go, highest first; numbers are
    never cut (if they alone do not fit, the table is printed as wide as it needs)."""
    from rich.console import Console

    shown = list(columns)
    cells_all = [[c.text(r) for c in columns] for r in records]
    dropped: list[str] = []
    while True:
        idx = [columns.index(c) for c in shown]
        cells = [[row[j] for j in idx] for row in cells_all]
        natural, least = _widths(cells, shown)
        if plain:
            widths = natural
            break
        room = (width or 80) - _overhead(len(shown))
        droppable = [c for c in shown if c.drop > 0]
        if sum(least) <= room or not droppable:
            widths = _fit(natural, least, room)
            break
        victim = max(reversed(droppable), key=lambda c: c.drop)  # equal drop: rightmost
        shown.remove(victim)
        dropped.append(victim.header)
    need = sum(widths) + _overhead(len(shown))
    table = _rich_table(cells, shown, widths, title, caption, plain)
    out = io.StringIO()
    console = Console(
        file=out,
        width=max(need, 20 if plain else (width or 80)),
        no_color=plain,
        color_system=None if plain else "auto",
        force_terminal=not plain and stdout_is_terminal(),
        highlight=False,
        emoji=False,
    )
    console.print(table, crop=False)
    text = out.getvalue()
    if plain:  # no padding at line ends in logs and files
        text = "".join(line.rstrip() + "\n" for line in text.splitlines())
    return text, dropped


def emit(
    records: Sequence[dict[str, Any]],
    columns: list[Column],
    *,
    fmt: str | None,
    title: str | None = None,
    caption: str | None = None,
    csv_path: Path | None = None,
    fields: list[str] | None = None,
    notes: Iterable[str] = (),
    csv_records: Sequence[dict[str, Any]] | None = None,
) -> None:
    """Print records in the chosen format (see the module docstring); with `csv_path`,
    also write them as CSV there (all fields, full precision; `csv_records` instead, when
    the file should hold another form, e.g. one row per observation). `notes` are lines
    printed after a table (never into CSV or JSON, which must stay parseable)."""
    fmt = resolve(fmt)
    records = list(records)
    if csv_path is not None:
        write_csv(records if csv_records is None else list(csv_records), csv_path, fields)
    if fmt == "csv":
        sys.stdout.write(to_csv(records, fields))
        return
    if fmt == "json":
        sys.stdout.write(to_json(records) + "\n")
        return
    print_table(records, columns, plain=fmt == "plain", title=title, caption=caption)
    for line in notes:
        print(line)
    if csv_path is not None:
        print(f"Wrote {csv_path}")


def print_table(records, columns, *, plain: bool, title=None, caption=None) -> None:
    """Print one table (table or plain form) to stdout, naming any columns left out."""
    from rich.console import Console

    width = Console().width if not plain else None
    text, dropped = render(records, columns, title=title, caption=caption, plain=plain, width=width)
    sys.stdout.write(text)
    if dropped:
        print(
            f"(not shown, to fit {width} columns: {', '.join(dropped)}; "
            "see them with --format plain, csv or json, or a wider window)"
        )


def emit_tables(
    tables: dict[str, tuple[Sequence[dict[str, Any]], list[Column], str | None]],
    *,
    fmt: str | None,
    which: str | None = None,
    option: str = "--table",
) -> None:
    """Print several named tables (name: (records, columns, title)). CSV holds one
    table, so with `--format csv` one must be chosen (`which`); JSON gives an object
    with one list per table."""
    fmt = resolve(fmt)
    if which is not None:
        if which not in tables:
            raise CorredorError(
                f"unknown table {which!r}", field=option, fix="use " + " or ".join(tables)
            )
        tables = {which: tables[which]}
    if fmt == "csv":
        if len(tables) > 1:
            raise CorredorError(
                "CSV holds one table",
                field=option,
                fix="add " + " or ".join(f"{option} {name}" for name in tables),
            )
        records, _, _ = next(iter(tables.values()))
        sys.stdout.write(to_csv(list(records)))
        return
    if fmt == "json":
        data = {name: list(r) for name, (r, _, _) in tables.items()}
        sys.stdout.write(to_json(data if len(data) > 1 else next(iter(data.values()))) + "\n")
        return
    for records, columns, title in tables.values():
        print_table(list(records), columns, plain=fmt == "plain", title=title)


def write_csv(records: Sequence[dict[str, Any]], path: Path, fields=None) -> Path:
    """Write records as CSV to `path` (its directory must exist), replacing it whole."""
    import os
    import tempfile

    path = Path(path)
    if not path.parent.is_dir():
        raise CorredorError(
            f"directory {path.parent} does not exist", field="--csv", fix="create it first"
        )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(to_csv(list(records), fields))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
