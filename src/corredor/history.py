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


# --- bulk seizures as pure equivalents ------------------------------------------------

PURITY_COLUMNS = ("region", "first_year", "last_year", "purity", "low", "high", "ref")
# Series observed as bulk weights (seized cocaine of unknown purity); every other series
# is already in the model's units (pure tonnes, rates, shares, counts).
BULK_SERIES = ("seized_t",)


def purity_path() -> Path:
    return Path(str(resources.files("corredor") / "data" / "history" / "purity.csv"))


def load_purity(
    path: str | Path | None = None, evidence: dict[str, Evidence] | None = None
) -> pd.DataFrame:
    """Purity of seized cocaine (share of pure hydrochloride in a bulk kilogram) by region
    (`*` for any other region) and period, with its low-high range and evidence id."""
    path = Path(path) if path is not None else purity_path()
    evidence = default_evidence() if evidence is None else evidence
    rows = []
    for i, raw in read_rows(path, PURITY_COLUMNS):
        try:
            first, last = int(raw["first_year"]), int(raw["last_year"])
            value, low, high = (float(raw[k]) for k in ("purity", "low", "high"))
        except (TypeError, ValueError):
            raise CorredorError(
                "a year or a purity is not a number",
                file=path,
                field=f"row {i}",
                fix="write plain numbers, e.g. 2015 and 0.9",
            ) from None
        if not 0 < low <= value <= high <= 1:
            raise CorredorError(
                f"purity {value:g} with range {low:g}-{high:g} is not a share",
                file=path,
                field=f"row {i}, purity/low/high",
                fix="use 0 < low <= purity <= high <= 1",
            )
        if first > last:
            raise CorredorError(
                f"first year {first} is after last year {last}",
                file=path,
                field=f"row {i}, first_year",
                fix="swap the years",
            )
        ref = (raw["ref"] or "").strip()
        if ref not in evidence:
            raise CorredorError(
                f"evidence entry {ref!r} does not exist",
                file=path,
                field=f"row {i}, ref",
                fix="cite an id listed by `corredor evidence`",
            )
        region = (raw["region"] or "").strip() or "*"
        rows.append(
            dict(region=region, first=first, last=last, purity=value, low=low, high=high, ref=ref)
        )
    if not rows:
        raise CorredorError("file has no rows", file=path, fix="add a row for region *")
    return pd.DataFrame(rows)


def pure_equivalent(observed: pd.DataFrame, purity: pd.DataFrame | None = None) -> pd.DataFrame:
    """`observed` (columns of `load_history`) with bulk series converted to pure tonnes.

    Adds `value_bulk` (the value as reported), `purity`, `purity_low`, `purity_high`
    (1 for series that are not bulk) and `purity_ref`; `value` becomes the pure
    equivalent. A bulk observation that no purity row covers is an error."""
    purity = load_purity() if purity is None else purity
    out = observed.copy()
    out["value_bulk"] = out["value"]
    factors = {k: [] for k in ("purity", "purity_low", "purity_high", "purity_ref")}
    for series, region, year in zip(out["series"], out["region"], out["year"], strict=True):
        if series not in BULK_SERIES:
            for k, v in zip(factors, (1.0, 1.0, 1.0, ""), strict=True):
                factors[k].append(v)
            continue
        inside = purity[(purity["first"] <= year) & (purity["last"] >= year)]
        own = inside[inside["region"] == region]
        row = own if not own.empty else inside[inside["region"] == "*"]
        if row.empty:
            raise CorredorError(
                f"no purity for {series} {region} {year}",
                file=purity_path(),
                field="region/first_year/last_year",
                fix=f"add a row covering {region} (or *) in {year}",
            )
        r = row.iloc[0]
        for k, v in zip(factors, (r.purity, r.low, r.high, r.ref), strict=True):
            factors[k].append(v)
    for k, values in factors.items():
        out[k] = values
    out["value"] = out["value_bulk"] * out["purity"]
    return out
