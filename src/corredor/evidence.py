"""The evidence table: every number in the default scenario points to an entry here.

An entry records a figure with its unit, year, place, source and a short quote, plus the
low–high range that uncertainty runs draw from. Modelling assumptions are entries too
(`kind = assumption`), so an assumption is visible, ranged and citable like a datum.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from corredor.errors import CorredorError
from corredor.tables import read_rows

COLUMNS = (
    "id",
    "kind",
    "value",
    "unit",
    "year",
    "place",
    "publisher",
    "title",
    "date",
    "link",
    "quote",
    "confidence",
    "low",
    "high",
    "notes",
)
KINDS = {"observation", "estimate", "assumption", "derived"}
CONFIDENCE = {"high", "medium", "low"}


@dataclass(frozen=True)
class Evidence:
    """One sourced figure (or stated assumption) with its uncertainty range."""

    id: str
    kind: str
    value: float
    unit: str
    year: str
    place: str
    publisher: str
    title: str
    date: str
    link: str
    quote: str
    confidence: str
    low: float
    high: float
    notes: str

    def contains(self, x: float, rel_tol: float = 1e-9) -> bool:
        """True when x lies in [low, high] (with a tiny tolerance for rounding)."""
        span = max(abs(self.low), abs(self.high), 1.0) * rel_tol
        return self.low - span <= x <= self.high + span


def default_path() -> Path:
    return Path(str(resources.files("corredor") / "data" / "evidence.csv"))


def _number(raw: str, path: Path, row: int, field: str) -> float:
    try:
        value = float(raw)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(raw)
        return value
    except ValueError:
        raise CorredorError(
            f"{raw!r} is not a number",
            file=path,
            field=f"row {row}, {field}",
            fix="write a plain, finite number such as 12.5",
        ) from None


def load_evidence(path: str | Path | None = None) -> dict[str, Evidence]:
    """Read and validate an evidence CSV; returns entries keyed by id."""
    path = Path(path) if path is not None else default_path()
    entries: dict[str, Evidence] = {}
    for i, row in read_rows(path, COLUMNS):
        eid = (row["id"] or "").strip()
        if not eid:
            raise CorredorError("empty id", file=path, field=f"row {i}, id", fix="give an id")
        if eid in entries:
            raise CorredorError(
                f"id {eid!r} appears twice",
                file=path,
                field=f"row {i}, id",
                fix="make ids unique",
            )
        kind = row["kind"].strip()
        if kind not in KINDS:
            raise CorredorError(
                f"unknown kind {kind!r}",
                file=path,
                field=f"row {i}, kind",
                fix=f"use one of {', '.join(sorted(KINDS))}",
            )
        conf = row["confidence"].strip()
        if conf not in CONFIDENCE:
            raise CorredorError(
                f"unknown confidence {conf!r}",
                file=path,
                field=f"row {i}, confidence",
                fix="use high, medium or low",
            )
        value = _number(row["value"], path, i, "value")
        low = _number(row["low"], path, i, "low")
        high = _number(row["high"], path, i, "high")
        if low > high:
            raise CorredorError(
                f"low {low} is greater than high {high}",
                file=path,
                field=f"row {i}, low/high",
                fix="swap the bounds",
            )
        fields = {c: (row[c] or "").strip() for c in COLUMNS}
        fields.update(id=eid, kind=kind, value=value, low=low, high=high, confidence=conf)
        entries[eid] = Evidence(**fields)
    return entries


@lru_cache(maxsize=1)
def default_evidence() -> dict[str, Evidence]:
    """The package's evidence table (cached)."""
    return load_evidence()


def split_refs(text: str | None) -> list[str]:
    """Evidence references are written `id1;id2`."""
    if not text:
        return []
    return [part.strip() for part in str(text).split(";") if part.strip()]


# -- a user's own evidence ---------------------------------------------------------
# A network directory (or a scenario file's directory) may carry its own `evidence.csv`
# in the package's schema. Its entries are added to the package's; an id the package
# already has is an error unless the row is identical (a copied entry), because a
# user entry that silently replaced a package one would change what the package's
# parameters cite and the ranges `corredor evidence --check` holds them to.
USER_FILE = "evidence.csv"


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime_ns: int, size: int) -> dict[str, Evidence]:
    return load_evidence(path)


def load_user_evidence(path: Path) -> dict[str, Evidence]:
    """A user's evidence file (cached until the file changes)."""
    stat = path.stat()
    return _load_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def with_user_evidence(base: dict[str, Evidence], path: Path) -> dict[str, Evidence]:
    """`base` plus the entries of the evidence file at `path`, if there is one."""
    if not path.is_file():
        return base
    extra = load_user_evidence(path)
    clash = [(i, eid) for i, eid in enumerate(extra, start=2) if eid in base]
    for row, eid in clash:
        if base[eid] != extra[eid]:
            raise CorredorError(
                f"id {eid!r} is already an entry of "
                + ("the package's evidence table" if eid in default_evidence() else "another")
                + " evidence file, with different content",
                file=path,
                field=f"row {row}, id",
                fix=f"give your entry its own id (e.g. prefix it with your project's name) "
                f"and cite that id, or copy the existing row unchanged "
                f"(`corredor evidence --id {eid}` shows it)",
            )
    if not extra:
        return base
    return {**base, **extra}


def resolve_ref(ref: str, evidence: dict[str, Evidence], *, file, field: str, own: Path) -> None:
    """Raise a CorredorError when `ref` names no entry of `evidence`.

    `own` is the evidence file the user could add the entry to (it need not exist)."""
    if ref in evidence:
        return
    from corredor.errors import suggest

    close = suggest(ref, evidence) if evidence else ""
    hint = f" ({close})" if close.startswith("did you mean") else ""
    raise CorredorError(
        f"unknown evidence id {ref!r}",
        file=file,
        field=field,
        fix=f"cite an existing entry{hint} or add a row with id {ref!r} to {own} "
        "(the columns of the package's table, docs/network-format.md)",
    )
