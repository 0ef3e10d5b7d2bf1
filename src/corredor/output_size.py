"""How large a run's results will be, known before it runs, and what to do above a limit.

Weekly results grow as edges × weeks × replicates: 256 replicates of a 1,000-edge network
over 16 years hold about 1.7 GB in the two per-edge arrays alone, in memory and in
results.nc. A run at the default resolution ("auto") records weekly when the estimate
stays under the limit (default 1 GB) and yearly sums above it, with a message; a run
that asks for weekly output explicitly and would exceed the limit is refused with the
figure and the options. Yearly sums keep every total the summaries, figures,
comparisons and reports use; only the week-by-week detail is lost.

The estimate is the size of the recorded arrays (what `Results.data` holds, before
results.nc compresses them), from the scenario alone: no route search, no run.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any  # scenarios are typed Any: scenario.py depends on this module (via limits)

from corredor.errors import CorredorError
from corredor.network import INTERNATIONAL

WEEKS_PER_YEAR = 52
DEFAULT_LIMIT_GB = 1.0
GB = 1e9
RESOLUTIONS = ("auto", "week", "year")
# The recorded variables (engine.Simulation.run) and their dimensions after
# (replicate, time); the large per-edge and per-node arrays are recorded as float32.
VARIABLES = {
    "produced_kg": ("area",),
    "delivered_kg": ("market",),
    "consumed_kg": ("market",),
    "delivered_via_kg": ("market", "country"),
    "arriving_kg": ("market",),
    "seized_kg": ("country",),
    "seized_origin_kg": ("country",),
    "destroyed_kg": ("country",),
    "lost_kg": (),
    "stock_kg": (),
    "flow_kg": ("edge",),
    "interdicted_kg": ("edge",),
    "corridor_kg": ("corridor",),
    "transit_kg": ("country",),
    "transit_by_origin_kg": ("origin", "country"),
    "price_usd_per_kg": ("market",),
    "trade_price_usd_per_kg": ("trade_node",),
    "trade_stock_kg": ("trade_node",),
    "shipped_share": ("trade_node",),
    "homicides": ("node",),
    "homicides_country": ("country",),
    "group_profit_usd": ("group",),
    "strikes": ("country",),
    "deaths_crew": ("country",),
    "deaths_misidentified": ("country",),
    "cost_usd": ("payer",),
}
FLOAT32 = {"flow_kg", "interdicted_kg", "homicides"}


class OutputSizeWarning(UserWarning):
    """A run switched to yearly resolution because weekly results would be too large."""


def dimension_sizes(scenario: Any) -> dict[str, int]:
    """Length of each results dimension for a scenario (corridors: an upper bound)."""
    net = scenario.network
    countries = set(net.country_codes) | {a.country for a in scenario.agencies.values()}
    areas = [n for n in net.nodes if n.kind == "production"]
    return {
        "area": len(areas),
        "market": sum(n.kind == "market" for n in net.nodes),
        # where cocaine changes hands: production areas, hand-offs, consumer markets
        "trade_node": len(areas) + len(net.wholesale_markets) + len(net.retail_markets),
        "country": len(countries),
        "origin": len({n.country for n in areas}),
        # routes are labelled by the country they leave from: at most every country
        "corridor": len(countries - {INTERNATIONAL}),
        "edge": len(net.edges),
        "node": len(net.nodes),
        "group": len(scenario.groups),
        "payer": len(scenario.agencies) + 2,  # agencies, inspection, treatment
    }


def periods(scenario: Any, resolution: str) -> int:
    """Recorded time steps: weeks, or calendar years."""
    years = scenario.end - scenario.start + 1
    return years * WEEKS_PER_YEAR if resolution == "week" else years


def estimate_bytes(scenario: Any, replicates: int, resolution: str) -> int:
    """Bytes of the recorded arrays of a run (Results.data before compression)."""
    sizes = dimension_sizes(scenario)
    per_slot = 0
    for name, dims in VARIABLES.items():
        cells = math.prod(sizes[d] for d in dims)
        per_slot += cells * (4 if name in FLOAT32 else 8)
    return replicates * periods(scenario, resolution) * per_slot + 8 * replicates


@dataclass(frozen=True)
class OutputPlan:
    """The resolution a run will record at, its estimated size and why."""

    resolution: str  # "week" or "year"
    bytes: int
    note: str = ""  # set when "auto" switched to yearly


def _gb(n: float) -> str:
    """A size in MB below 1 GB, else in GB."""
    return f"{n / 1e6:.3g} MB" if n < GB else f"{n / GB:.3g} GB"


def _limit_for(n: float) -> str:
    """The smallest --max-output-gb (two significant digits, rounded up) that holds n."""
    gb = n / GB
    step = 10 ** (math.floor(math.log10(gb)) - 1)
    return f"{math.ceil(gb / step - 1e-9) * step:.10g}"


def plan_output(
    scenario: Any,
    replicates: int,
    resolution: str = "auto",
    max_output_gb: float | None = DEFAULT_LIMIT_GB,
    *,
    cli: bool = False,
) -> OutputPlan:
    """Choose the recorded resolution under the output limit.

    "auto" records weekly when the estimate fits under `max_output_gb` and yearly sums
    otherwise (the plan's `note` says so); an explicit "week" above the limit raises a
    CorredorError with the figure and the options; None means no limit. `cli` names the
    options as command-line flags instead of keyword arguments in messages.
    """
    if resolution not in RESOLUTIONS:
        raise CorredorError(
            f"unknown resolution {resolution!r}",
            field="--resolution" if cli else "resolution",
            fix="use auto, week or year",
        )
    if max_output_gb is not None and not max_output_gb > 0:
        raise CorredorError(
            f"{max_output_gb:g} GB leaves no room for results",
            field="--max-output-gb" if cli else "max_output_gb",
            fix="give a positive size in GB",
        )
    if resolution == "year":
        return OutputPlan("year", estimate_bytes(scenario, replicates, "year"))
    weekly = estimate_bytes(scenario, replicates, "week")
    limit = math.inf if max_output_gb is None else max_output_gb * GB
    if weekly <= limit:
        return OutputPlan("week", weekly)
    sizes = dimension_sizes(scenario)
    what = (
        f"weekly results would take about {_gb(weekly)} ({sizes['edge']:,} edges × "
        f"{periods(scenario, 'week'):,} weeks × {replicates:,} replicates), above the "
        f"{max_output_gb:g} GB limit"
    )
    yearly = estimate_bytes(scenario, replicates, "year")
    fits = int(limit // estimate_bytes(scenario, 1, "week"))
    if cli:
        options = (
            f"--resolution year ({_gb(yearly)}), "
            + (f"at most {fits} replicates, " if fits >= 1 else "")
            + f"a shorter period (--start/--end), or --max-output-gb {_limit_for(weekly)}"
        )
    else:
        options = (
            f'resolution="year" ({_gb(yearly)}), '
            + (f"replicates={fits} or fewer, " if fits >= 1 else "")
            + f"a shorter period (start/end), or max_output_gb={_limit_for(weekly)}"
        )
    if resolution == "week":
        raise CorredorError(
            what, field="--resolution" if cli else "resolution", fix=f"use {options}"
        )
    note = (
        f"{what}: recording yearly sums instead ({_gb(yearly)}). For weekly output use "
        + (options.split(", ", 1)[1])
    )
    return OutputPlan("year", yearly, note)


def warn_if_switched(plan: OutputPlan) -> None:
    """Emit an OutputSizeWarning when the plan switched to yearly resolution."""
    if plan.note:
        warnings.warn(plan.note, OutputSizeWarning, stacklevel=3)
