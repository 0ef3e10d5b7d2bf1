"""Levers: named policy parameters a sweep varies, each with a unit, hard bounds and a
default (in the style of the EMA Workbench's levers).

A lever changes the merged scenario table (`Scenario.raw`) *from a given year on* (the
lever year, 2026 unless stated) and leaves the past as the scenario has it: a dated
series gains a point on the eve of the lever year holding the old value, and a point on
1 January of that year with the new one. The changed table is then rebuilt with
`build_scenario`, so every validation of a scenario file applies to lever values too.

Three kinds of lever:

- "factor" levers multiply an agency's weekly budget of one capability (effort units per
  week) from the lever year on; later dated points of the budget are scaled as well, so
  the scenario's own plans keep their shape. 1 leaves the scenario unchanged.
- "value" levers set a series (a share, a parameter) to a constant from the lever year;
  their default is the scenario's own value on 1 January of that year.
- "intervention" levers append an `[[interventions]]` entry acting from 1 January of the
  lever year (e.g. a container inspection share at Ecuador's ports); their default adds
  nothing to detection.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from corredor.errors import CorredorError, suggest
from corredor.parameters import PARAMS, flatten, parse_series, parse_when
from corredor.scenario import Scenario, build_scenario

LEVER_YEAR = 2026  # policies studied by the built-in scenarios start in 2026
FIELD = "--lever"


@dataclass(frozen=True)
class Lever:
    """A policy parameter a sweep can vary.

    `path` locates the series the lever changes in the merged scenario table
    (e.g. ("agencies", "EC", "budget", "container") or ("parameters", "markets.demand_factor")).
    `kind` is "factor" (multiplies the series from `year`) or "value" (replaces it from
    `year` with a constant). `low`/`high` are hard bounds a sweep may not leave; `default`
    is the value that leaves the scenario as it is.
    """

    name: str
    unit: str
    low: float
    high: float
    default: float
    doc: str
    path: tuple[str, ...]
    kind: str
    year: int = LEVER_YEAR
    # For kind "intervention": the [[interventions]] entry the lever appends, as pairs
    # (its `from` is the lever year and its `value` the lever's value).
    intervention: tuple[tuple[str, Any], ...] = ()

    @property
    def target(self) -> str:
        """The dotted scenario field the lever changes, for tables and error messages."""
        return ".".join(self.path)

    def check(self, value: float, *, field: str = FIELD) -> float:
        """The value as a float, or a CorredorError if it is outside the hard bounds."""
        value = float(value)
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise CorredorError(
                f"{self.name} = {value:g} is outside its bounds [{self.low:g}, {self.high:g}]",
                field=field,
                fix=f"choose {self.name} values between {self.low:g} and {self.high:g} "
                "(`corredor levers SCENARIO` lists the bounds)",
            )
        return value

    def current(self, raw: dict[str, Any]) -> Any:
        """The scenario's raw value of the changed series (a number or a dated table)."""
        return _get(raw, self.path)

    def apply(self, raw: dict[str, Any], value: float) -> dict[str, Any]:
        """A copy of the merged scenario table with this lever set to `value` from `year`."""
        value = self.check(value)
        out = copy.deepcopy(raw)
        if self.kind == "intervention":
            entry = dict(self.intervention, value=value)
            entry["from"] = f"{self.year}-01-01"
            out["interventions"] = [*(out.get("interventions") or []), entry]
            return out
        old = self.current(raw)
        new_from = (lambda v: v * value) if self.kind == "factor" else (lambda v: value)
        later = self.kind == "factor"  # a factor keeps (and scales) later dated points
        _set(out, self.path, _from_year(old, self.year, new_from, keep_later=later))
        return out

    def with_year(self, year: int) -> Lever:
        return replace(self, year=year)


# -- where levers act in the scenario table ----------------------------------------------


def _get(raw: dict[str, Any], path: tuple[str, ...]) -> Any:
    if path[0] == "parameters":
        name = path[1]
        value = flatten(raw.get("parameters", {}) or {}).get(name)
        return PARAMS[name].default if value is None else value
    node: Any = raw
    for key in path[:-1]:
        node = node.get(key, {}) if isinstance(node, dict) else {}
    if not isinstance(node, dict):
        return None
    if path[-1] == "strike_share":
        return node.get("strike_share", 0.0)  # the scenario format's default
    return node.get(path[-1])


def _set(raw: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    if path[0] == "parameters":
        params = raw.setdefault("parameters", {})
        name = path[1]
        # A parameter may be written as a dotted key or as nested tables; keep one form.
        params.pop(name, None)
        node = params
        *heads, last = name.split(".")
        for key in heads:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[last] = value
        return
    node = raw
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _from_year(
    old: Any, year: int, new_from: Callable[[float], float], *, keep_later: bool
) -> dict[str, float]:
    """A dated table equal to `old` before `year` and to `new_from(old)` from 1 January.

    The point on the eve (31 December) holds the old value there, so the straight line
    the scenario interpolates before the lever year is unchanged; the step to the new
    value takes that one day, before any weekly step of the lever year.
    """
    eve_key = (dt.date(year, 1, 1) - dt.timedelta(days=1)).isoformat()
    eve, start = parse_when(eve_key, file=None, field=FIELD), float(year)
    series = parse_series(old, file=None, field=FIELD, bounds=(-math.inf, math.inf))
    points = old.items() if isinstance(old, dict) else ()
    table: dict[str, float] = {}
    for key, value in points:
        if parse_when(key, file=None, field=FIELD) < eve:
            table[str(key)] = value
    table[eve_key] = float(series.at(eve))
    table[str(year)] = float(new_from(float(series.at(start))))
    if keep_later:
        for key, value in points:
            if parse_when(key, file=None, field=FIELD) > start:
                table[str(key)] = float(new_from(float(value)))
    return table


# -- the catalogue ------------------------------------------------------------------------

_CAPABILITY_WORDS = {
    "container": "container inspection",
    "road": "road and border presence",
    "maritime": "maritime patrol",
    "air": "air surveillance",
}


def _effort(name: str, agency: str, capability: str, where: str) -> Lever:
    what = _CAPABILITY_WORDS[capability]
    return Lever(
        name=name,
        unit="× budget",
        low=0.0,
        high=10.0,
        default=1.0,
        doc=f"factor on {where}'s {what} effort (effort units/week)",
        path=("agencies", agency, "budget", capability),
        kind="factor",
    )


CATALOGUE: dict[str, Lever] = {
    lever.name: lever
    for lever in (
        _effort("ec_container_effort", "EC", "container", "Ecuador"),
        _effort("ec_road_effort", "EC", "road", "Ecuador"),
        _effort("ec_maritime_effort", "EC", "maritime", "Ecuador"),
        _effort("co_container_effort", "CO", "container", "Colombia"),
        _effort("pe_container_effort", "PE", "container", "Peru"),
        _effort("us_maritime_effort", "US", "maritime", "the US"),
        Lever(
            name="us_strike_share",
            unit="share",
            low=0.0,
            high=1.0,
            default=0.0,
            doc="share of US maritime detections that end in a lethal strike",
            path=("agencies", "US", "strike_share"),
            kind="value",
        ),
        Lever(
            name="ec_port_inspection_share",
            unit="share",
            low=0.0,
            high=1.0,
            default=0.0,
            doc="share of containers inspected on container legs in or out of Ecuador "
            "(on top of agencies' effort)",
            path=("interventions",),
            kind="intervention",
            intervention=(
                ("name", "lever ec_port_inspection_share"),
                ("what", "inspection_share"),
                ("mode", ["container"]),
                ("country", ["EC"]),
            ),
        ),
        Lever(
            name="demand_factor",
            unit="× demand",
            low=PARAMS["markets.demand_factor"].bounds[0],
            high=PARAMS["markets.demand_factor"].bounds[1],
            default=1.0,
            doc="multiplier on every market's demand",
            path=("parameters", "markets.demand_factor"),
            kind="value",
        ),
    )
}


def _applies(lever: Lever, sc: Scenario) -> bool:
    if lever.kind == "intervention":
        from corredor.scenario import TOP_LEVEL

        spec = dict(lever.intervention)
        net = sc.network
        return "interventions" in TOP_LEVEL and any(
            e.mode in spec["mode"]
            and spec["country"][0] in (net.node(e.from_).country, net.node(e.to).country)
            for e in net.edges
        )
    if lever.path[0] == "agencies":
        agency = lever.path[1]
        if agency not in sc.agencies:
            return False
        if lever.path[2] == "budget":
            return lever.path[3] in sc.budgets[agency]
        # a strike share only acts on maritime detections
        return "maritime" in sc.budgets[agency]
    return True


def levers_for(sc: Scenario, year: int = LEVER_YEAR) -> dict[str, Lever]:
    """The levers that act on this scenario (an agency lever needs that agency and
    capability), acting from `year`, with defaults that leave the scenario unchanged."""
    if not sc.start <= year <= sc.end:
        raise CorredorError(
            f"levers would act from {year}, outside the scenario's period {sc.start}-{sc.end}",
            field="--lever-from",
            fix=f"choose a year from {sc.start} to {sc.end}",
        )
    out = {}
    for name, lever in CATALOGUE.items():
        if not _applies(lever, sc):
            continue
        lever = lever.with_year(year)
        if lever.kind == "value":
            series = parse_series(
                lever.current(sc.raw),
                file=sc.file,
                field=lever.target,
                bounds=(-math.inf, math.inf),
            )
            lever = replace(lever, default=float(series.at(float(year))))
        out[name] = lever
    return out


def find_lever(sc: Scenario, name: str, year: int = LEVER_YEAR) -> Lever:
    """The named lever for this scenario, or a CorredorError naming `--lever` and a fix."""
    available = levers_for(sc, year)
    if name in available:
        return available[name]
    if name in CATALOGUE:
        raise CorredorError(
            f"lever {name!r} does not apply to scenario {sc.name!r} "
            f"(it has no {CATALOGUE[name].target})",
            field=FIELD,
            fix=f"use one of {', '.join(available)} (`corredor levers {sc.name}`)",
        )
    raise CorredorError(
        f"unknown lever {name!r}",
        field=FIELD,
        fix=f"{suggest(name, list(available))} (`corredor levers {sc.name}` lists them)",
    )


def apply_levers(sc: Scenario, levers: list[Lever], values: list[float]) -> Scenario:
    """The scenario with each lever set to its value, rebuilt and validated."""
    raw = sc.raw
    for lever, value in zip(levers, values, strict=True):
        raw = lever.apply(raw, value)
    return build_scenario(raw, name=sc.name, file=sc.file, network=sc.network)
