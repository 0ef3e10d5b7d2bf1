"""The model's parameters, declared once: name, unit, default, hard bounds and evidence.

Scenario files override defaults by dotted name (`traffickers.choice_sharpness = 5`).
Hard `bounds` are what the model can run with (a probability stays in [0, 1]); the
uncertainty range a parameter is drawn from lives in its evidence entry (`low`, `high`).
Parameters flagged `series` may also be given as a dated table, e.g.
`strikes.share = { "2015" = 0.0, "2025-09-01" = 0.0, "2025-10-01" = 0.4 }`, interpolated
linearly between dates and held constant outside them.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from corredor.errors import CorredorError, suggest

MODES = ("road", "trail", "river", "container", "gofast", "semisub", "fishing", "air")
MARITIME_MODES = ("gofast", "semisub", "fishing")
# What an interdiction agency spends effort on (budgets by capability).
CAPABILITIES = ("container", "road", "maritime", "air", "intelligence", "origin")


@dataclass(frozen=True)
class Param:
    """A declared model parameter."""

    name: str
    unit: str
    default: float
    bounds: tuple[float, float]
    evidence: str
    doc: str
    series: bool = False
    integer: bool = False
    # How ensembles draw it within its evidence range (low-high): "triangular" (mode at
    # the scenario's value), "lognormal" (median at the scenario's value, the range as a
    # 90% interval, truncated to it), "uniform", or None (not drawn: structural).
    dist: str | None = "triangular"


def _p(name, unit, default, bounds, evidence, doc, **kw) -> Param:
    return Param(
        name, unit, float(default), (float(bounds[0]), float(bounds[1])), evidence, doc, **kw
    )


_BASE = [
    # production
    _p(
        "production.growth_after_data",
        "1/year",
        0.03,
        (-0.5, 1.0),
        "param-production-growth",
        "yearly growth of potential production after the last year of data",
    ),
    _p(
        "production.supply_elasticity",
        "-",
        0.15,
        (0.0, 5.0),
        "param-supply-elasticity",
        "elasticity of production to the lagged price of cocaine at its production area",
    ),
    _p(
        "production.noise_cv",
        "-",
        0.10,
        (0.0, 2.0),
        "param-production-noise",
        "coefficient of variation of weekly production noise (lognormal)",
    ),
    _p(
        "production.origin_price_usd_per_kg",
        "USD/kg",
        1500,
        (0.0, 1e6),
        "wdr2022-price-co-2019",
        "reference price of cocaine HCl at production areas (where exporters buy); prices "
        "there then move with the stock waiting to be shipped",
    ),
    _p(
        "production.price_lag_weeks",
        "weeks",
        52,
        (1, 520),
        "param-price-lag",
        "smoothing time of the area price that production responds to",
    ),
    # traffickers
    _p(
        "traffickers.choice_sharpness",
        "-",
        4.0,
        (0.0, 100.0),
        "param-choice-sharpness",
        "exponent of expected profit in route shares: share ~ profit^sharpness",
    ),
    _p(
        "traffickers.memory_half_life_weeks",
        "weeks",
        26,
        (1.0, 1000.0),
        "param-memory-half-life",
        "half-life of the weight of past shipments in the learned risk",
    ),
    _p(
        "traffickers.prior_strength",
        "shipments",
        20,
        (0.1, 1e6),
        "param-prior-strength",
        "weight (pseudo-shipments) of the initial risk belief per edge",
    ),
    _p(
        "traffickers.dispatch_rate",
        "1/week",
        0.6,
        (0.01, 1.0),
        "param-dispatch-rate",
        "largest share of a stock sent off in a week, when the margin is well above the "
        "markup (the dispatch decision, traffickers.ship_fraction)",
    ),
    _p(
        "traffickers.markup",
        "-",
        0.3,
        (0.0, 10.0),
        "param-markup",
        "return traders require on what they paid for a kilogram, beyond transport, risk "
        "and the market's entry premium (capital, time)",
    ),
    _p(
        "traffickers.margin_width",
        "-",
        0.4,
        (0.01, 5.0),
        "param-margin-width",
        "width of the dispatch decision in log margin: how gradually shipping slows as the "
        "margin falls to the markup",
    ),
    _p(
        "traffickers.holding_loss",
        "1/week",
        0.002,
        (0.0, 0.5),
        "param-holding-loss",
        "weekly share of stocks held at production areas and markets that is lost (theft, "
        "spoilage, stash seizures the model does not track); the cost of waiting",
    ),
    _p(
        "traffickers.presence_visibility",
        "-",
        0.5,
        (0.0, 1.0),
        "param-presence-visibility",
        "how much of the current agency presence on an edge, relative to its recent "
        "average, groups see when valuing routes (0: only learned risk; 1: all of it)",
    ),
    _p(
        "traffickers.strike_deterrence",
        "-",
        1.0,
        (0.0, 100.0),
        "param-strike-deterrence",
        "cost of a lethal strike to the shipper beyond the cargo lost, in units of the "
        "cargo's value at destination (crews lost, recruitment): weighs the publicly "
        "known strike risk in route values",
    ),
    # interdiction
    _p(
        "interdiction.k_container",
        "1/effort-unit",
        0.5,
        (0.0, 1e3),
        "param-k-container",
        "detection hazard per effort unit per thousand containers (or vehicles) a week inspected",
        dist="lognormal",
    ),
    _p(
        "interdiction.k_road",
        "1/(effort-unit·day)",
        0.2,
        (0.0, 1e3),
        "param-k-road",
        "detection hazard per effort unit per day, per thousand km of road network searched",
        dist="lognormal",
    ),
    _p(
        "interdiction.k_maritime",
        "1/(effort-unit·day)",
        5.0,
        (0.0, 1e3),
        "param-k-maritime",
        "detection hazard per effort unit per day, per thousand km2 of sea searched",
        dist="lognormal",
    ),
    _p(
        "interdiction.k_air",
        "1/(effort-unit·day)",
        0.2,
        (0.0, 1e3),
        "param-k-air",
        "detection hazard per effort unit per exposure unit per day on air edges",
        dist="lognormal",
    ),
    _p(
        "interdiction.intel_gain",
        "1/effort-unit",
        0.01,
        (0.0, 10.0),
        "param-intel-gain",
        "relative gain in an agency's effectiveness per intelligence effort unit",
    ),
    _p(
        "interdiction.k_origin",
        "1/(effort-unit·week)",
        0.0,
        (0.0, 10.0),
        "param-k-origin",
        "weekly hazard of seizure at origin (labs, stockpiles) per origin effort unit",
        dist="lognormal",
    ),
    _p(
        "interdiction.handling_time",
        "effort-unit-weeks/detection",
        0.0,
        (0.0, 1e3),
        "param-handling-time",
        "effort one detected shipment ties up (enforcement swamping; 0 = unlimited capacity)",
    ),
    _p(
        "interdiction.inspection_find_prob",
        "-",
        0.6,
        (0.0, 1.0),
        "param-inspection-find",
        "chance that inspecting a container that carries cocaine finds it",
    ),
    # costs (for cost per kg kept from consumers); effort units are relative indices
    *(
        _p(
            f"costs.{cap}_usd_per_unit_year",
            "USD/(effort-unit·year)",
            cost,
            (0.0, 1e10),
            f"param-cost-{cap}",
            f"cost of one {cap} effort unit sustained for a year",
            dist=None,
        )
        for cap, cost in (
            ("container", 5e6),
            ("road", 3e6),
            ("maritime", 12.7e6),
            ("air", 10e6),
            ("intelligence", 2e6),
            ("origin", 3e6),
        )
    ),
    _p(
        "costs.inspection_usd_per_percent_port_year",
        "USD/(percent·port·year)",
        3e6,
        (0.0, 1e10),
        "param-cost-inspection",
        "cost of inspecting one percent of a port's export containers for a year",
        dist=None,
    ),
    _p(
        "markets.treatment_usd_per_kg",
        "USD/(kg/year)",
        60000,
        (1.0, 1e9),
        "param-treatment-cost",
        "treatment and prevention spending per year that lowers demand by 1 kg per year",
        dist=None,
    ),
    # allocation policies (allocation.py)
    _p(
        "allocation.reactive_weight",
        "-",
        0.5,
        (0.0, 1.0),
        "param-allocation-reactive",
        "weight of recent seizures (vs exposure) in a reactive agency's effort split",
    ),
    _p(
        "allocation.intel_weight",
        "-",
        0.5,
        (0.0, 1.0),
        "param-allocation-intel",
        "weight of estimated flow (vs exposure) in an intelligence-led agency's effort split",
    ),
    _p(
        "allocation.intel_noise_cv",
        "-",
        1.0,
        (0.0, 10.0),
        "param-allocation-intel-noise",
        "error (coefficient of variation) of an agency's flow estimate without intelligence",
    ),
    _p(
        "allocation.memory_weeks",
        "weeks",
        8,
        (1.0, 520.0),
        "param-allocation-memory",
        "time over which dynamic policies average recent seizures and flows",
    ),
    # strikes
    _p(
        "strikes.misidentified_share",
        "-",
        0.1,
        (0.0, 0.99),
        "param-strike-misidentified",
        "probability that a struck vessel was not trafficking",
    ),
    _p(
        "strikes.pursuit_share",
        "-",
        0.26,
        (0.01, 1.0),
        "param-pursuit-share",
        "share of suspected maritime shipments that ordinary interdiction can pursue; a "
        "strike campaign can hit a share of the others (interdiction.strike_hazard)",
    ),
    # markets
    _p(
        "markets.demand_elasticity",
        "-",
        1.0,
        (0.05, 5.0),
        "param-demand-elasticity",
        "price elasticity of consumption (absolute value) with respect to the retail price",
    ),
    _p(
        "markets.price_transmission",
        "-",
        0.3,
        (0.0, 1.0),
        "param-price-transmission",
        "elasticity of retail prices to wholesale prices in consumer markets (retail "
        "markups are partly fixed costs, so retail moves less than wholesale)",
    ),
    _p(
        "markets.price_smoothing_weeks",
        "weeks",
        8,
        (1.0, 520.0),
        "param-price-smoothing",
        "time over which a market's throughput is averaged (the denominator of its "
        "inventory cover)",
    ),
    _p(
        "markets.inventory_weeks",
        "weeks",
        4,
        (0.5, 52.0),
        "param-inventory-weeks",
        "inventory traders hold at a market, in weeks of throughput, when its price is "
        "steady: more stock than this lowers the price, less raises it",
    ),
    _p(
        "markets.price_adjustment",
        "1/week",
        0.03,
        (0.001, 1.0),
        "param-price-adjustment",
        "share of the log gap between inventory and its target that the price closes in a "
        "week (how fast wholesale prices react to gluts and scarcity)",
    ),
    _p(
        "markets.cost_anchor",
        "1/week",
        0.2,
        (0.0, 1.0),
        "param-cost-anchor",
        "share of the log gap between a supplied market's price and the landed cost of its "
        "supply (previous stage's price, transport, risk, markup) closed in a week",
    ),
    _p(
        "markets.consumer_anchor",
        "-",
        1.0,
        (0.0, 1.0),
        "param-consumer-anchor",
        "weight of the cost anchor at consumer markets (1: as at every supplied market; 0: "
        "consumer prices set by stock against demand alone; a switch for experiments)",
        dist=None,
    ),
    _p(
        "markets.shortage_signal",
        "-",
        1.0,
        (0.0, 1.0),
        "param-shortage-signal",
        "weight of a stock below its inventory target in the price update (1: a shortage "
        "raises the price as a glut lowers it; 0: only gluts move it through the stock, "
        "a shortage through the landed cost; a switch for experiments)",
        dist=None,
    ),
    _p(
        "markets.netback_cap",
        "-",
        1.0,
        (0.0, 1.0),
        "param-netback-cap",
        "weight of the netback cap on a shortage at a trading stage (production area, "
        "hand-off): 1, a stock below its target raises the price only while it is below "
        "what a kg bought there fetches downstream less costs, risk and markup; 0, the "
        "stock cover alone (Model v2 as first calibrated, whose stage prices ran away)",
        dist=None,
    ),
    _p(
        "markets.proportional_premium",
        "-",
        1.0,
        (0.0, 1.0),
        "param-proportional-premium",
        "share of each market's entry premium (markets.csv) paid in proportion to the "
        "sale price of what arrives rather than as fixed USD per kg (0: Reuter and "
        "Kleiman's additive premium; 1: a multiplicative markup equal to it at the "
        "reference price)",
        dist=None,
    ),
    _p(
        "markets.price_floor",
        "-",
        0.02,
        (0.001, 1.0),
        "param-price-bounds",
        "lowest price of a market relative to its reference price (a numerical guard; the "
        "validation scorecard flags a market that stays on it)",
        dist=None,
    ),
    _p(
        "markets.price_cap",
        "-",
        50.0,
        (1.0, 1000.0),
        "param-price-bounds",
        "highest price of a market relative to its reference price (a numerical guard)",
        dist=None,
    ),
    _p(
        "markets.demand_scale",
        "-",
        1.0,
        (0.05, 20.0),
        "param-demand-scale",
        "multiplier on every consumer market's demand at its reference price (consumption "
        "is not observed; fitted so that production matches its observed series)",
    ),
    _p(
        "markets.demand_factor",
        "-",
        1.0,
        (0.0, 10.0),
        "param-demand-factor",
        "multiplier on every market's demand (a demand-side lever)",
        series=True,
    ),
    # violence
    _p(
        "violence.flow_coef",
        "homicides/t",
        0.3,
        (0.0, 1e4),
        "param-violence-flow",
        "homicides per tonne of cocaine passing through a node",
    ),
    _p(
        "violence.contest_coef",
        "homicides/t",
        0.5,
        (0.0, 1e4),
        "param-violence-contest",
        "homicides per tonne of contested flow (flow × chance two kg belong to rivals)",
    ),
    _p(
        "violence.price_exponent",
        "-",
        0.5,
        (0.0, 5.0),
        "param-violence-price",
        "elasticity of homicides per contested tonne to the local wholesale price relative "
        "to its reference: the value of the rents fought over (scarcity raises it)",
    ),
    _p(
        "violence.fragmentation_exponent",
        "-",
        0.0,
        (0.0, 5.0),
        "param-fragmentation-exponent",
        "growth of homicides per contested tonne with the effective number of factions",
    ),
    # routes (structural)
    _p(
        "routes.max_hops",
        "edges",
        10,
        (1, 30),
        "param-route-enumeration",
        "longest candidate route, in edges",
        integer=True,
    ),
    _p(
        "routes.per_corridor",
        "routes",
        2,
        (1, 50),
        "param-route-enumeration",
        "candidate routes kept per origin, market and sequence of countries",
        integer=True,
    ),
    _p(
        "routes.max_per_pair",
        "routes",
        12,
        (1, 500),
        "param-route-enumeration",
        "candidate routes kept per origin and market",
        integer=True,
    ),
    _p(
        "routes.max_enumerated",
        "paths",
        20_000,
        (1, 1e7),
        "param-route-search",
        "simple paths per origin and market listed in full; above it, best-first search",
        integer=True,
        dist=None,
    ),
    _p(
        "routes.refresh_weeks",
        "weeks",
        0,
        (0, 520),
        "param-route-refresh",
        "weeks between refreshes of each group's candidate routes from what it perceives "
        "(0: routes fixed for the run)",
        integer=True,
        dist=None,
    ),
    _p(
        "routes.pool_factor",
        "-",
        4,
        (1, 50),
        "param-route-refresh",
        "when routes evolve: the pool they are drawn from keeps this many times "
        "routes.per_corridor and routes.max_per_pair",
        integer=True,
        dist=None,
    ),
    # routes that evolve (route_evolution.py): when a route leaves or enters, hysteresis
    _p(
        "routes.leave_unused_share",
        "-",
        0.001,
        (0.0, 1.0),
        "param-route-evolution",
        "when routes evolve: a live route that carried less than this share of its stock's "
        "dispatch since the last revision leaves (unused)",
        dist=None,
    ),
    _p(
        "routes.leave_loss_share",
        "-",
        0.5,
        (0.01, 1.0),
        "param-route-evolution",
        "when routes evolve: a live route leaves once at least this share of what it carried "
        "since the last revision was lost, its group's perceived risk on it is at least this "
        "and it no longer pays; a route perceived this risky cannot enter",
        dist=None,
    ),
    _p(
        "routes.capacity_bound_share",
        "-",
        0.5,
        (0.0, 1.0),
        "param-route-evolution",
        "when routes evolve: share of the weeks since the last revision in which a stock's "
        "capacity bound (or an edge was full) that lets it open any pool route (or bars "
        "routes over that edge)",
        dist=None,
    ),
    _p(
        "routes.capacity_unsent_share",
        "-",
        0.01,
        (0.0, 1.0),
        "param-route-evolution",
        "when routes evolve: share of a week's offer a stock could not send above which "
        "capacity counts as binding that week",
        dist=None,
    ),
    _p(
        "routes.enter_risk_rise",
        "-",
        0.25,
        (0.0, 100.0),
        "param-route-evolution",
        "when routes evolve: relative rise of a stock's perceived dispatch risk since the "
        "last revision that lets it open a route more valuable than its worst live one",
        dist=None,
    ),
    _p(
        "routes.enter_risk_rise_min",
        "-",
        0.01,
        (0.0, 1.0),
        "param-route-evolution",
        "when routes evolve: the same rise in absolute terms (probability), also required",
        dist=None,
    ),
    _p(
        "routes.enter_better",
        "-",
        0.1,
        (0.0, 100.0),
        "param-route-evolution",
        "when routes evolve: a pool route perceived this much more valuable (relative) than "
        "every live route of its stock enters",
        dist=None,
    ),
    _p(
        "routes.min_stay_revisions",
        "revisions",
        2,
        (0, 100),
        "param-route-hysteresis",
        "when routes evolve: revisions a route that entered stays, at least",
        integer=True,
        dist=None,
    ),
    _p(
        "routes.no_return_revisions",
        "revisions",
        2,
        (0, 100),
        "param-route-hysteresis",
        "when routes evolve: revisions before a route that left may enter again",
        integer=True,
        dist=None,
    ),
    _p(
        "routes.entries_per_revision",
        "routes",
        1,
        (0, 50),
        "param-route-hysteresis",
        "when routes evolve: most routes one stock opens at one revision (0: routes only leave)",
        integer=True,
        dist=None,
    ),
    _p(
        "routes.search_steps",
        "steps",
        200_000,
        (1, 1e9),
        "param-route-search",
        "most partial paths a best-first route search extends per origin and market",
        integer=True,
        dist=None,
    ),
]

_MODE_DEFAULTS = {
    # mode: (load_kg, loss_rate, crew)
    "road": (400, 0.0, 2),
    "trail": (40, 0.005, 2),
    "river": (500, 0.01, 3),
    "container": (600, 0.0, 0),
    "gofast": (1500, 0.02, 3),
    "semisub": (4000, 0.05, 4),
    "fishing": (2000, 0.01, 5),
    "air": (500, 0.01, 2),
}
_MODE_PARAMS = []
for _m, (_load, _loss, _crew) in _MODE_DEFAULTS.items():
    _MODE_PARAMS += [
        _p(
            f"modes.{_m}.load_kg",
            "kg",
            _load,
            (1.0, 1e6),
            f"param-load-{_m}",
            f"typical cocaine load of one {_m} shipment",
        ),
        _p(
            f"modes.{_m}.loss_rate",
            "-",
            _loss,
            (0.0, 1.0),
            "param-loss-rates",
            f"share of cargo lost (sinking, jettison, spoilage) per {_m} leg",
        ),
        _p(
            f"modes.{_m}.crew",
            "people",
            _crew,
            (0.0, 100.0),
            "param-crew",
            f"people aboard or accompanying one {_m} shipment",
            # only crews of boats can die in strikes; the others are not drawn
            dist="triangular" if _m in MARITIME_MODES else None,
        ),
    ]

PARAMS: dict[str, Param] = {p.name: p for p in _BASE + _MODE_PARAMS}


def parse_when(key: str, *, file: str | None, field: str) -> float:
    """A date key 'YYYY' or 'YYYY-MM-DD' as fractional model years."""
    key = str(key).strip()
    try:
        if len(key) == 4 and key.isdigit():
            return float(key)
        day = _dt.date.fromisoformat(key)
    except ValueError:
        raise CorredorError(
            f"{key!r} is not a date",
            file=file,
            field=field,
            fix='use a year such as "2017" or a date such as "2025-09-01"',
        ) from None
    return day.year + (day.timetuple().tm_yday - 1) / 365.25


@dataclass(frozen=True)
class Series:
    """A value over time: points (model years, values), linear in between, flat outside."""

    when: tuple[float, ...]
    values: tuple[float, ...]

    @classmethod
    def constant(cls, value: float) -> Series:
        return cls((0.0,), (float(value),))

    def at(self, t: np.ndarray) -> np.ndarray:
        return np.interp(t, self.when, self.values)

    def scaled(self, factor: float) -> Series:
        return Series(self.when, tuple(v * factor for v in self.values))


def parse_series(
    raw: Any, *, file: str | None, field: str, bounds: tuple[float, float] = (0.0, math.inf)
) -> Series:
    """A number or a {date: number} table, checked against hard bounds."""
    if isinstance(raw, dict):
        if not raw:
            raise CorredorError("empty table", file=file, field=field, fix="give at least one date")
        points = sorted(
            (
                parse_when(k, file=file, field=f"{field}.{k}"),
                _check_number(v, file, f"{field}.{k}", bounds),
            )
            for k, v in raw.items()
        )
        return Series(tuple(p[0] for p in points), tuple(p[1] for p in points))
    return Series.constant(_check_number(raw, file, field, bounds))


def _check_number(raw: Any, file: str | None, field: str, bounds: tuple[float, float]) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise CorredorError(
            f"{raw!r} is not a number", file=file, field=field, fix="write a plain number"
        )
    value = float(raw)
    lo, hi = bounds
    if not math.isfinite(value) or not lo <= value <= hi:
        fix = (
            f"use a value of at least {lo:g}"
            if math.isinf(hi)
            else (f"use a value between {lo:g} and {hi:g}")
        )
        raise CorredorError(
            f"{value:g} is outside the allowed range [{lo:g}, {hi:g}]",
            file=file,
            field=field,
            fix=fix,
        )
    return value


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables to dotted keys; a table that is a dated series stays whole."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in PARAMS:
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


class ParameterSet:
    """Resolved parameter values for one run: defaults overridden by the scenario."""

    def __init__(self, overrides: dict[str, Any] | None = None, *, file: str | None = None):
        self._values: dict[str, float] = {n: p.default for n, p in PARAMS.items()}
        self._series: dict[str, Series] = {}
        for name, raw in flatten(overrides or {}).items():
            self.set(name, raw, file=file)

    def set(self, name: str, raw: Any, *, file: str | None = None) -> None:
        field = f"parameters.{name}"
        param = PARAMS.get(name)
        if param is None:
            raise CorredorError(
                f"unknown parameter {name!r}",
                file=file,
                field=field,
                fix=suggest(name, list(PARAMS)) + " (`corredor parameters` lists them)",
            )
        if isinstance(raw, dict):
            if not param.series:
                raise CorredorError(
                    "this parameter cannot vary over time",
                    file=file,
                    field=field,
                    fix="give a single number",
                )
            series = parse_series(raw, file=file, field=field, bounds=param.bounds)
            self._series[name] = series
            self._values[name] = series.values[0]
            return
        value = _check_number(raw, file, field, param.bounds)
        if param.integer and value != int(value):
            raise CorredorError(
                f"{value:g} is not a whole number", file=file, field=field, fix="use an integer"
            )
        self._values[name] = value
        self._series.pop(name, None)

    def __getitem__(self, name: str) -> float:
        return self._values[name]

    def series(self, name: str) -> Series:
        return self._series.get(name) or Series.constant(self._values[name])

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self._values)
        for name, s in self._series.items():
            out[name] = {f"{w:.4f}": v for w, v in zip(s.when, s.values, strict=True)}
        return out

    def mode(self, mode: str, what: str) -> float:
        return self._values[f"modes.{mode}.{what}"]
