"""Reading the files a user gives: one place that turns bytes into text and CSV rows.

Every file the program reads (scenario TOML, network and evidence CSV tables, observed
history, a posterior sample) goes through `read_text`, so every reader accepts the same
thing, UTF-8 with or without a byte-order mark, and refuses anything else with one
message naming the file, the byte and where it is, and the fix: save it as UTF-8. A
spreadsheet that saves "CSV" as Windows-1252 (`Nariño` becomes byte 0xF1), an editor that
saves UTF-16, a binary file given by mistake and a directory given as a file all stop
here, before any parser sees them.

`read_csv` adds what the csv module does not check: a quote that is opened and never
closed swallows the rows after it into one cell, which would otherwise surface much
later as a "missing value" somewhere else.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from corredor.errors import CorredorError

UTF8_FIX = "save it as UTF-8 (in a spreadsheet: 'CSV UTF-8'; in an editor: encoding UTF-8)"
_OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
# File signatures of things people give instead of text tables.
_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx or OpenDocument file is one)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office document"),
    (b"\x89HDF", "an HDF5/NetCDF file"),
    (b"%PDF", "a PDF document"),
    (b"\x7fELF", "a program"),
)


def read_bytes(path: str | Path, *, field: str | None = None) -> bytes:
    """The bytes of a file, or one CorredorError naming it (missing, a directory,
    unreadable)."""
    path = Path(path)
    if path.is_dir():
        raise CorredorError(
            "is a directory, not a file",
            file=path,
            field=field,
            fix="give the path of a file (not of the folder that holds it)",
        )
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CorredorError(
            "file not found", file=path, field=field, fix="check the path"
        ) from None
    except PermissionError:
        raise CorredorError(
            "cannot read the file (permission denied)",
            file=path,
            field=field,
            fix="check the file's permissions",
        ) from None
    except OSError as exc:
        raise CorredorError(
            f"cannot read the file ({exc.strerror or exc})",
            file=path,
            field=field,
            fix="check the path and the disk",
        ) from None


def decode(data: bytes, path: str | Path, *, field: str | None = None) -> str:
    """UTF-8 text (a leading byte-order mark dropped) or one CorredorError naming the
    file, the offending byte, its position and the fix."""
    for bom, name in _OTHER_BOMS:
        if data.startswith(bom):
            raise CorredorError(f"is {name} text, not UTF-8", file=path, field=field, fix=UTF8_FIX)
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise CorredorError(
                f"is {what}, not a text file",
                file=path,
                field=field,
                fix="give the text file itself (export tables as 'CSV UTF-8')",
            )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    nul = data.find(b"\x00", 0, 65536)
    if nul >= 0:
        line, column = _line_column(data, nul)
        raise CorredorError(
            f"is not a text file: it holds a NUL byte at byte {nul} (line {line}, "
            f"column {column}); a binary file, or text saved as UTF-16",
            file=path,
            field=field,
            fix=UTF8_FIX,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        pos = exc.start
        line, column = _line_column(data, pos)
        guess = ""
        try:
            data.decode("cp1252")
            guess = " (it looks like Windows-1252/Latin-1, as spreadsheets often save)"
        except UnicodeDecodeError:
            pass
        raise CorredorError(
            f"is not UTF-8 text: byte 0x{data[pos]:02X} at byte {pos} (line {line}, "
            f"column {column}) is not valid UTF-8{guess}",
            file=path,
            field=field,
            fix=UTF8_FIX,
        ) from None


def _line_column(data: bytes, pos: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, pos) + 1
    column = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
    return line, column


def read_text(path: str | Path, *, field: str | None = None) -> str:
    """A text file's content, decoded as UTF-8 (see `decode`)."""
    return decode(read_bytes(path, field=field), path, field=field)


def read_csv(
    path: str | Path, *, field: str | None = None
) -> tuple[list[str], Iterator[tuple[int, dict[str, str | None]]]]:
    """The header (names stripped) and the rows of a CSV file as (row number, {column:
    cell}); row 2 is the first row under the header, as a spreadsheet numbers it.

    Cells missing at the end of a short row are None. A quote that is never closed is an
    error naming the line it opens on.
    """
    path = Path(path)
    text = read_text(path, field=field)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CorredorError(
            "file is empty", file=path, field=field, fix="add a header row"
        ) from None
    except csv.Error as exc:
        raise _csv_error(path, field, 1, exc) from None
    return header, _rows(path, field, reader, header)


def _rows(path: Path, field: str | None, reader, header: list[str]):
    row_number = 1
    line = reader.line_num  # physical line the next record starts after
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _csv_error(path, field, start, exc) from None
        line = reader.line_num
        if not cells:  # a blank line
            continue
        row_number += 1
        spans = line > start
        if spans and len(cells) != len(header) and any("\n" in c or "\r" in c for c in cells):
            raise CorredorError(
                f'a quote (") opened on line {start} is not closed on that line, so the '
                f"rows up to line {line} were read as one cell",
                file=path,
                field=f"line {start}",
                fix="close the quote, or remove it (quotes are only needed around cells "
                "that contain commas)",
            )
        row = {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(header)}
        yield row_number, row


def _csv_error(path: Path, field: str | None, line: int, exc: csv.Error) -> CorredorError:
    text = str(exc)
    if "EOF" in text or "unexpected end of data" in text:
        return CorredorError(
            f'a quote (") opened on or after line {line} is never closed',
            file=path,
            field=f"line {line}",
            fix="close the quote, or remove it (quotes are only needed around cells that "
            "contain commas)",
        )
    return CorredorError(
        f"not a valid CSV table ({text})",
        file=path,
        field=f"line {line}",
        fix="check the quotes and commas on that line",
    )
