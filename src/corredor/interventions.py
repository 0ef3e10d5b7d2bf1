"""Timed interventions: policy changes a scenario declares as data.

A scenario lists `[[interventions]]`; each changes one lever on one target from a date,
optionally to a date, as a factor or an absolute value, optionally ramping in linearly
and optionally concentrated into intermittent operations:

    [[interventions]]
    name = "Guayaquil inspects 30% of containers"
    what = "inspection_share"        # see KINDS
    node = ["ec-guayaquil"]          # target: node, edge, mode, country and/or agency
    mode = ["container"]
    from = "2026-01-01"
    to = "2030-12-31"                # optional: in force until the end otherwise
    value = 0.3                      # or factor = 2.0
    ramp_weeks = 26                  # optional linear ramp-in
    pattern = { on_weeks = 4, off_weeks = 8 }   # optional: raids with the same total
    refs = ["..."]

Kinds (`what`) and their units:
- `budget`: an agency's weekly effort units by capability (`agency`, optional
  `capability`; factor or value).
- `effort`: effort of agencies (all, or `agency`) on the selected edges (factor): more or
  less presence there, paid for (it counts in costs).
- `effectiveness`: detection hazard of agencies (all, or `agency`) on the selected edges
  (factor): better intelligence, logistics or equipment, not more effort.
- `inspection_share`: share of containers inspected on the selected edges (value, 0-1);
  adds hazard -ln(1 - share x interdiction.inspection_find_prob) credited to the edge's
  jurisdiction.
- `strike_share`: share of an agency's maritime detections ending in a lethal strike
  (`agency`; factor or value, 0-1).
- `production`: potential production of the selected production areas (factor):
  eradication, alternative development, or a boom.
- `demand`: demand of the selected markets (factor): prevention, changing tastes.
- `treatment`: treatment and prevention spending in the selected markets (value, USD per
  year), lowering their demand by spending / markets.treatment_usd_per_kg kg per year,
  split by demand.

The activation g(t) is 0 before `from`, rises linearly to 1 over `ramp_weeks`, and is 0
after `to`. A factor f acts as 1 + (f - 1) g(t), a value v as x + (v - x) g(t). A
pattern multiplies the result, while active, by (on + off) / on during the first `on`
weeks of each cycle and by 0 during the `off` weeks, so the total over whole cycles is
unchanged: the same effort as raids instead of constant presence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from corredor.errors import CorredorError, suggest
from corredor.parameters import CAPABILITIES, MODES, parse_when

KINDS = (
    "budget",
    "effort",
    "effectiveness",
    "inspection_share",
    "strike_share",
    "production",
    "demand",
    "treatment",
)
EDGE_KINDS = ("effort", "effectiveness", "inspection_share")
WEEKS_PER_YEAR = 52


class Pattern(BaseModel):
    """Intermittent operations: `on_weeks` of action in every `on_weeks + off_weeks`."""

    model_config = ConfigDict(extra="forbid")
    on_weeks: int = Field(gt=0, le=5200)
    off_weeks: int = Field(ge=0, le=5200)


class InterventionSpec(BaseModel):
    """One `[[interventions]]` entry of a scenario file."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)
    name: str = ""
    what: Literal[KINDS]  # type: ignore[valid-type]
    agency: str | None = None
    capability: str | None = None
    node: list[str] = []
    edge: list[str] = []
    mode: list[str] = []
    country: list[str] = []
    start: str = Field(alias="from")
    end: str | None = Field(default=None, alias="to")
    # Upper bounds far beyond any policy (a thousandfold change, ten trillion USD a year,
    # a century of ramp) keep the arithmetic finite.
    factor: float | None = Field(default=None, ge=0.0, le=1e3)
    value: float | None = Field(default=None, ge=0.0, le=1e13)
    ramp_weeks: float = Field(default=0.0, ge=0.0, le=5200.0)
    pattern: Pattern | None = None
    refs: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _listify(cls, data):
        if isinstance(data, dict):
            data = dict(data)
            for key in ("node", "edge", "mode", "country"):
                if isinstance(data.get(key), str):
                    data[key] = [data[key]]
            for key in ("from", "to"):
                if isinstance(data.get(key), int):
                    data[key] = str(data[key])
        return data


@dataclass
class Intervention:
    """A validated intervention bound to the network: indices and its time profile."""

    spec: InterventionSpec
    index: int
    start: float  # model years
    end: float  # model years (inf if open)
    agency: int | None  # index into the scenario's agencies
    capabilities: list[str]  # for budget
    edges: np.ndarray  # (E,) bool: selected edges (edge kinds)
    areas: list[str]  # production nodes (production)
    markets: list[str]  # market nodes (demand, treatment)

    @property
    def label(self) -> str:
        return self.spec.name or f"intervention {self.index + 1} ({self.spec.what})"

    def activation(self, times: np.ndarray) -> np.ndarray:
        """g(t) in [0, 1] at model times (fractional years)."""
        ramp = self.spec.ramp_weeks / WEEKS_PER_YEAR
        after = times - self.start
        # a ramp rises linearly over its length; no ramp is a step at `from`
        g = np.clip(after / ramp, 0.0, 1.0) if ramp > 0 else (after >= -1e-9).astype(float)
        return np.where(times < self.end, g, 0.0)

    def pattern(self, times: np.ndarray) -> np.ndarray:
        """Multiplier of the intermittent pattern (1 where none or inactive)."""
        p = self.spec.pattern
        if p is None:
            return np.ones(len(times))
        cycle = p.on_weeks + p.off_weeks
        week = np.floor((times - self.start) * WEEKS_PER_YEAR + 1e-6).astype(np.int64)
        active = (times >= self.start - 1e-9) & (times < self.end)
        on = (week % cycle) < p.on_weeks
        mult = np.where(on, cycle / p.on_weeks, 0.0)
        return np.where(active, mult, 1.0)

    def apply(self, base: np.ndarray, times: np.ndarray) -> np.ndarray:
        """The changed series: base (T, ...) under this intervention's factor or value."""
        g = self.activation(times).reshape(-1, *([1] * (base.ndim - 1)))
        if self.spec.factor is not None:
            out = base * (1.0 + (self.spec.factor - 1.0) * g)
        else:
            out = base + (self.spec.value - base) * g
        return out * self.pattern(times).reshape(g.shape)


def parse_interventions(raw, scenario, file: str) -> list[Intervention]:
    """Validate `[[interventions]]` against the scenario's network and agencies."""
    from pydantic import ValidationError

    if raw is None:
        return []
    if not isinstance(raw, list):
        raise CorredorError(
            "must be a list of tables",
            file=file,
            field="interventions",
            fix="write each one as an [[interventions]] table",
        )
    net = scenario.network
    agencies = list(scenario.agencies)
    out = []
    for i, body in enumerate(raw):
        field = f"interventions[{i + 1}]"
        if not isinstance(body, dict):
            raise CorredorError("must be a table", file=file, field=field)
        try:
            spec = InterventionSpec.model_validate(body)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            fix = "see docs/scenarios.md (interventions)"
            if err["type"] == "extra_forbidden":
                fix = "remove it; allowed keys are " + ", ".join(
                    f.alias or n for n, f in InterventionSpec.model_fields.items()
                )
            elif loc == "what":
                fix = "use one of " + ", ".join(KINDS)
            elif loc == "from":
                fix = 'add from = "YYYY-MM-DD" (when it starts)'
            raise CorredorError(err["msg"], file=file, field=f"{field}.{loc}", fix=fix) from None
        if spec.name:
            field = f"{field} ({spec.name})"
        out.append(_bind(spec, i, field, scenario, net, agencies, file))
    return out


def _bind(spec, i, field, scenario, net, agencies, file) -> Intervention:
    def err(msg: str, sub: str, fix: str) -> CorredorError:
        return CorredorError(msg, file=file, field=f"{field}.{sub}", fix=fix)

    start = parse_when(spec.start, file=file, field=f"{field}.from")
    end = parse_when(spec.end, file=file, field=f"{field}.to") if spec.end else np.inf
    if end <= start:
        raise err("ends before it starts", "to", "make `to` later than `from`")
    if (spec.factor is None) == (spec.value is None):
        raise err("give exactly one of factor or value", "factor", "e.g. factor = 2.0")
    kind = spec.what
    factor_only = ("effort", "effectiveness", "production", "demand")
    if kind in factor_only and spec.factor is None:
        raise err(f"a {kind} intervention takes a factor", "value", "use factor = ...")
    if kind in ("inspection_share", "treatment") and spec.value is None:
        unit = "a share between 0 and 1" if kind == "inspection_share" else "USD per year"
        raise err(f"a {kind} intervention takes a value ({unit})", "factor", "use value = ...")
    share_kinds = ("inspection_share", "strike_share")
    if kind in share_kinds and spec.value is not None and spec.value > 1.0:
        raise err(f"{spec.value:g} is not a share", "value", "use a value between 0 and 1")
    agency = None
    if spec.agency is not None:
        if spec.agency not in agencies:
            raise err(f"unknown agency {spec.agency!r}", "agency", suggest(spec.agency, agencies))
        agency = agencies.index(spec.agency)
    if kind in ("budget", "strike_share") and agency is None:
        raise err(f"a {kind} intervention needs an agency", "agency", f"one of {agencies}")
    caps: list[str] = []
    if kind == "budget":
        if spec.capability is not None and spec.capability not in CAPABILITIES:
            raise err(
                f"unknown capability {spec.capability!r}",
                "capability",
                suggest(spec.capability, CAPABILITIES),
            )
        caps = [spec.capability] if spec.capability else list(CAPABILITIES)
    for node in spec.node:
        if node not in net.node_index:
            raise err(f"unknown node {node!r}", "node", suggest(node, list(net.node_index)))
    edge_ids = [e.id for e in net.edges]
    for edge in spec.edge:
        if edge not in edge_ids:
            raise err(f"unknown edge {edge!r}", "edge", suggest(edge, edge_ids))
    for mode in spec.mode:
        if mode not in MODES:
            raise err(f"unknown mode {mode!r}", "mode", suggest(mode, MODES))
    codes = set(net.country_codes) | {n.country for n in net.nodes}
    for code in spec.country:
        if code not in codes:
            raise err(f"unknown country {code!r}", "country", suggest(code, codes))

    mask = np.ones(len(net.edges), dtype=bool)
    if spec.edge:
        mask &= np.array([e.id in spec.edge for e in net.edges])
    if spec.node:
        mask &= np.array([e.from_ in spec.node or e.to in spec.node for e in net.edges])
    if spec.mode:
        mask &= np.array([e.mode in spec.mode for e in net.edges])
    if spec.country:
        mask &= np.array(
            [
                net.jurisdiction(e) in spec.country
                or net.node(e.from_).country in spec.country
                or net.node(e.to).country in spec.country
                for e in net.edges
            ]
        )
    selects = spec.node or spec.edge or spec.mode or spec.country
    if kind in EDGE_KINDS:
        if not selects and agency is None:
            raise err(
                "selects no target",
                "node",
                "name a node, edge, mode, country or agency the change applies to",
            )
        if not mask.any():
            raise err("selects no edge of the network", "node", "widen the selection")

    def pick(kind_name: str) -> list[str]:
        nodes = [n for n in net.nodes if n.kind == kind_name]
        chosen = [
            n.id
            for n in nodes
            if (not spec.node or n.id in spec.node)
            and (not spec.country or n.country in spec.country)
        ]
        if not chosen:
            raise err(
                f"selects no {kind_name} node",
                "node",
                f"name {kind_name} nodes or their countries; {kind_name} nodes: "
                + ", ".join(n.id for n in nodes),
            )
        return chosen

    areas = pick("production") if kind == "production" else []
    markets = pick("market") if kind in ("demand", "treatment") else []
    return Intervention(spec, i, start, end, agency, caps, mask, areas, markets)
