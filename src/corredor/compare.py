"""Compare scenarios: the same seed and replicates for each (common random numbers), so
the difference between two scenarios in one replicate is the effect of the policy, and
its spread across replicates is the uncertainty of that effect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from corredor.api import run
from corredor.errors import CorredorError
from corredor.results import Results

# name: (label, function of the dataset restricted to the window -> (replicate,) values)
OUTCOMES: dict[str, tuple[str, Callable[[xr.Dataset], xr.DataArray]]] = {
    "delivered_us_t": (
        "Delivered to the US (t)",
        lambda ds: ds["delivered_kg"].sel(market="mkt-us").sum("time") / 1e3,
    ),
    "delivered_eu_t": (
        "Delivered to Europe (t)",
        lambda ds: ds["delivered_kg"].sel(market="mkt-eu").sum("time") / 1e3,
    ),
    "delivered_t": (
        "Delivered, all markets (t)",
        lambda ds: ds["delivered_kg"].sum(("time", "market")) / 1e3,
    ),
    "seized_t": ("Seized (t)", lambda ds: ds["seized_kg"].sum(("time", "country")) / 1e3),
    "destroyed_t": (
        "Destroyed in strikes (t)",
        lambda ds: ds["destroyed_kg"].sum(("time", "country")) / 1e3,
    ),
    "transit_ec_t": (
        "Flow through Ecuador (t)",
        lambda ds: ds["transit_kg"].sel(country="EC").sum("time") / 1e3,
    ),
    "homicides_ec": (
        "Homicides in Ecuador",
        lambda ds: ds["homicides_country"].sel(country="EC").sum("time"),
    ),
    "deaths_crew": (
        "Crew killed in strikes",
        lambda ds: ds["deaths_crew"].sum(("time", "country")),
    ),
    "deaths_misidentified": (
        "People killed, not trafficking",
        lambda ds: ds["deaths_misidentified"].sum(("time", "country")),
    ),
}


@dataclass
class Comparison:
    table: pd.DataFrame  # one row per scenario x outcome
    first: int
    last: int
    replicates: int
    seed: int
    results: dict[str, Results] | None = None  # the runs behind the table, by scenario name


def compare(
    scenarios: list[str],
    *,
    replicates: int = 16,
    seed: int = 1,
    first: int | None = None,
    last: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Comparison:
    """Run each scenario with the same seed and summarise outcomes over [first, last]."""
    if len(scenarios) < 2:
        raise CorredorError(
            "give at least two scenarios",
            field="scenarios",
            fix="e.g. corredor compare baseline boat-strikes",
        )
    results: list[Results] = []
    for name in scenarios:
        if progress:
            progress(name)
        results.append(run(name, replicates=replicates, seed=seed, resolution="year"))
    years = results[0].data["year"].values
    first = int(years.min()) if first is None else first
    last = int(years.max()) if last is None else last
    if first > last:
        raise CorredorError(
            f"first year {first} is after last year {last}",
            field="--from",
            fix="choose a window inside the scenarios' period",
        )
    rows = []
    base_values: dict[str, np.ndarray] = {}
    for i, (name, res) in enumerate(zip(scenarios, results, strict=True)):
        ds = res.data
        window = ds.isel(time=(ds["year"] >= first) & (ds["year"] <= last))
        if window.sizes["time"] == 0:
            raise CorredorError(
                f"scenario {name!r} has no year in {first}-{last}",
                field="--from/--to",
                fix="choose years the scenarios cover",
            )
        for key, (label, fn) in OUTCOMES.items():
            values = np.asarray(fn(window).values, dtype=float)
            if i == 0:
                base_values[key] = values
            diff = values - base_values[key]
            rows.append(
                dict(
                    scenario=name,
                    outcome=key,
                    label=label,
                    mean=values.mean(),
                    p05=np.quantile(values, 0.05),
                    p95=np.quantile(values, 0.95),
                    diff_mean=diff.mean(),
                    diff_p05=np.quantile(diff, 0.05),
                    diff_p95=np.quantile(diff, 0.95),
                )
            )
    return Comparison(
        pd.DataFrame(rows),
        first,
        last,
        replicates,
        seed,
        results=dict(zip(scenarios, results, strict=True)),
    )
