"""Observed history: the annual series the model is calibrated and checked against.

Each row of `data/history/observed.csv` (or a user file with the same columns) is one
observation citing an evidence entry; series names are metrics of `Results.summary()`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from corredor.errors import CorredorError, suggest
from corredor.evidence import Evidence, default_evidence
from corredor.tables import read_rows

COLUMNS = ("series", "region", "year", "value", "ref")
SERIES = {
    "produced_t": "t/year",
    "seized_t": "t/year",
    "delivered_t": "t/year",
    "homicide_rate": "per 100,000/year",
    "homicides": "people/year",
    "transit_share": "share of world production",
    "transit_share_of_origin": "share of a producing country's output (region ORIGIN>COUNTRY)",
    "strikes": "lethal strikes on boats per year",
    "deaths_crew": "people killed in lethal strikes per year",
}


@dataclass(frozen=True)
class Observation:
    series: str
    region: str
    year: int
    value: float
    ref: str


def default_path() -> Path:
    return Path(str(resources.files("corredor") / "data" / "history" / "observed.csv"))


def load_history(
    path: str | Path | None = None, evidence: dict[str, Evidence] | None = None
) -> pd.DataFrame:
    """Read and validate observed series; returns a DataFrame with COLUMNS."""
    path = Path(path) if path is not None else default_path()
    evidence = default_evidence() if evidence is None else evidence
    rows: list[Observation] = []
    seen: dict[tuple[str, str, int], int] = {}
    for i, raw in read_rows(path, COLUMNS):
        series = (raw["series"] or "").strip()
        if series not in SERIES:
            raise CorredorError(
                f"unknown series {series!r}",
                file=path,
                field=f"row {i}, series",
                fix=suggest(series, SERIES),
            )
        try:
            year = int(raw["year"])
            value = float(raw["value"])
            if not math.isfinite(value):
                raise ValueError(value)
        except (TypeError, ValueError):
            raise CorredorError(
                f"year {raw['year']!r} or value {raw['value']!r} is not a number",
                file=path,
                field=f"row {i}, year/value",
                fix="write plain numbers",
            ) from None
        region = (raw["region"] or "").strip()
        key = (series, region, year)
        if key in seen:
            raise CorredorError(
                f"{series} {region} {year} appears twice (rows {seen[key]} and {i})",
                file=path,
                field=f"row {i}, year",
                fix="keep one row per series, region and year",
            )
        seen[key] = i
        ref = (raw["ref"] or "").strip()
        if ref not in evidence:
            raise CorredorError(
                f"evidence entry {ref!r} does not exist",
                file=path,
                field=f"row {i}, ref",
                fix="cite an id listed by `corredor evidence`",
            )
        if value < 0:
            raise CorredorError(
                f"value {value:g} is negative",
                file=path,
                field=f"row {i}, value",
                fix="observed series are non-negative",
            )
        rows.append(Observation(series, region, year, value, ref))
    if not rows:
        raise CorredorError("file has no rows", file=path, fix="add observations")
    return pd.DataFrame([vars(r) for r in rows], columns=list(COLUMNS))
