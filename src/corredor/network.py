"""The transport network: places (nodes) and the legs between them (edges).

A network is a directory of CSV files described in `docs/network-format.md`. Rows are
validated with pydantic; cross-file rules (edges join existing nodes, production shares
sum to one, every market has demand data) are one check function each, so a problem is
reported as one clear message naming the file, the row, the field and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from corredor.errors import CorredorError, suggest
from corredor.evidence import (
    USER_FILE,
    Evidence,
    default_evidence,
    resolve_ref,
    split_refs,
    with_user_evidence,
)
from corredor.files import read_csv
from corredor.parameters import MODES

NODE_KINDS = ("production", "hub", "border", "port", "sea", "transit", "market")
INTERNATIONAL = "XS"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_ISO2 = re.compile(r"^[A-Z]{2}$")


def is_ref_column(name: str) -> bool:
    """Columns that cite evidence ids: `ref`, `refs`, `*_ref`, `*_refs`."""
    return name in ("ref", "refs") or name.endswith(("_ref", "_refs"))


class _Row(BaseModel):
    # inf and nan parse as floats; no quantity of a network is infinite
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, allow_inf_nan=False)
    # Reference columns the row's model does not declare (a user's own `source_ref`):
    # kept so their ids are resolved like the declared ones.
    _extra_refs: dict[str, str] = PrivateAttr(default_factory=dict)

    def ref_cells(self) -> list[tuple[str, str]]:
        """(column, text) of every evidence-citing cell of the row."""
        cells = [(n, getattr(self, n)) for n in type(self).model_fields if is_ref_column(n)]
        return cells + list(self._extra_refs.items())


class NodeRow(_Row):
    id: str
    name: str = Field(min_length=1)
    kind: Literal[NODE_KINDS]  # type: ignore[valid-type]
    country: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    population: float | None = Field(default=None, ge=0, le=1e10)
    production_share: float | None = Field(default=None, ge=0, le=1)
    ref: str = ""
    # For sea nodes: the transit-zone basin (e.g. eastern-pacific, caribbean) used to split
    # departures to sea as interdiction agencies report them; empty elsewhere.
    basin: str = ""

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("use lower-case letters, digits, '-' and '_' only")
        return v

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        if not _ISO2.match(v):
            raise ValueError(
                "use an ISO 3166-1 alpha-2 code such as EC, or XS for international waters"
            )
        return v


class EdgeRow(_Row):
    id: str = Field(min_length=1)
    from_: str = Field(alias="from", min_length=1)
    to: str = Field(min_length=1)
    mode: Literal[MODES]  # type: ignore[valid-type]
    # Upper bounds far above any real leg (once round the Earth, a year in transit,
    # a million tonnes a week) stop a typo before it overflows the arithmetic.
    distance_km: float = Field(gt=0, le=40_075)
    transit_days: float = Field(ge=0, le=365)
    capacity_kg_per_week: float = Field(ge=0, le=1e9)
    cost_usd_per_kg: float = Field(ge=0, le=1e7)
    base_detection: float = Field(ge=0, le=1)
    # Area or traffic an effort unit must search (the detection law's denominator): for
    # containers the port's container throughput; for other modes, by default, the
    # length of the corridor in thousands of km.
    exposure: float | None = Field(default=None, gt=0, le=1e9)
    jurisdiction: str | None = None
    # The searched domain the leg lies in (a row of domains.csv); by default a maritime
    # leg lies in the basin of its sea node, a road, trail or river leg in "roads" and an
    # air leg in "air", each in the leg's jurisdiction.
    domain: str = ""
    capacity_ref: str
    cost_ref: str
    detection_ref: str
    time_ref: str

    @model_validator(mode="after")
    def _default_exposure(self) -> EdgeRow:
        if self.exposure is None:
            self.exposure = 1.0 if self.mode == "container" else self.distance_km / 1000.0
        return self


class ProductionRow(_Row):
    country: str
    year: int = Field(ge=1900, le=2200)
    tonnes: float = Field(ge=0, le=1e7)
    ref: str = ""


class MarketRow(_Row):
    """A place where cocaine changes hands at a price.

    `retail`: a consumer market (a node of kind market) with demand at its reference
    price; its price is the wholesale price in the consumer country. `wholesale`: a
    hand-off on the way (an export coast, Central America, West Africa): sellers deliver
    to it, buyers take from it, and its price moves with the stock waiting there.
    `price_usd_per_kg` is the reference (starting) price; `entry_premium_usd_per_kg` the
    compensation (USD/kg) a trader requires to deliver into this market, for the risks
    of operating there that the model does not track (arrest, violence, corruption):
    Reuter and Kleiman's additive risk premium.
    """

    node: str
    role: Literal["retail", "wholesale"] = "retail"
    demand_t_per_year: float | None = Field(default=None, gt=0, le=1e7)
    price_usd_per_kg: float = Field(gt=0, le=1e7)
    base_year: int | None = Field(default=None, ge=1900, le=2200)
    demand_growth: float = Field(default=0.0, ge=-0.5, le=1.0)
    entry_premium_usd_per_kg: float = Field(default=0.0, ge=0, le=1e7)
    ref: str = ""


# Capabilities that search domains. Containers are searched per port, by throughput; a
# domain of capability "container" is a land checkpoint (ports of entry) whose legs are
# inspected once per crossing, its extent the traffic crossing it.
DOMAIN_CAPABILITIES = ("road", "maritime", "air", "container")


class DomainRow(_Row):
    """The extent an agency's effort of one capability has to search: a sea basin's area,
    a country's road network, its airspace. An agency's effort is spread over the
    domains it covers in proportion to their extent, so its search density is effort
    over extent, however many legs the network draws through them."""

    domain: str
    capability: Literal[DOMAIN_CAPABILITIES]  # type: ignore[valid-type]
    # Country whose legs in this domain it describes (an edge's jurisdiction); empty for
    # every jurisdiction without a row of its own.
    jurisdiction: str = ""
    extent: float = Field(gt=0, le=1e12)
    unit: str = Field(min_length=1)
    ref: str = ""


class CountryRow(_Row):
    iso2: str
    name: str
    population: float = Field(gt=0, le=1e10)
    base_homicide_rate: float = Field(ge=0, le=1e5)
    ref: str = ""


_REQUIRED = {
    NodeRow: ("id", "name", "kind", "country", "lat", "lon"),
    EdgeRow: (
        "id",
        "from",
        "to",
        "mode",
        "distance_km",
        "transit_days",
        "capacity_kg_per_week",
        "cost_usd_per_kg",
        "base_detection",
        "capacity_ref",
        "cost_ref",
        "detection_ref",
        "time_ref",
    ),
    ProductionRow: ("country", "year", "tonnes"),
    MarketRow: ("node", "price_usd_per_kg"),
    DomainRow: ("domain", "capability", "extent", "unit"),
    CountryRow: ("iso2", "name", "population", "base_homicide_rate"),
}
_FIXES = {
    "float_parsing": "write a plain number such as 12.5",
    "int_parsing": "write a whole number such as 2020",
    "literal_error": None,
    "greater_than_equal": None,
    "less_than_equal": None,
    "greater_than": None,
    "less_than": None,
    "finite_number": "write a finite number (not inf or nan)",
}


def _read_rows(path: Path, model: type[_Row]) -> list:
    """Read one CSV file into validated rows; empty cells count as missing."""
    if not path.is_file() and not path.is_dir():
        raise CorredorError(
            "file not found", file=path, fix="create it (see docs/network-format.md)"
        )
    header, reader = read_csv(path)
    missing = [c for c in _REQUIRED[model] if c not in header]
    if missing:
        raise CorredorError(
            f"missing column {missing[0]!r}",
            file=path,
            field="header",
            fix=f"add the column; required columns are {', '.join(_REQUIRED[model])} "
            "(docs/network-format.md)",
        )
    rows = []
    for i, raw in reader:
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
        data = {k: v for k, v in data.items() if v not in ("", None)}
        try:
            row = model.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"]) or "row"
            loc = "from" if loc == "from_" else loc
            msg = err["msg"]
            if err["type"] == "missing":
                msg, fix = "value is missing", "fill in the cell"
            else:
                fix = _FIXES.get(err["type"]) or "see docs/network-format.md for allowed values"
                got = data.get(loc)
                msg = f"{got!r}: {msg}" if got is not None else msg
            raise CorredorError(msg, file=path, field=f"row {i}, {loc}", fix=fix) from None
        row._extra_refs = {
            k: v for k, v in data.items() if is_ref_column(k) and k not in model.model_fields
        }
        rows.append(row)
    if not rows:
        raise CorredorError("file has no rows", file=path, fix="add at least one row")
    return rows


@dataclass
class Network:
    """A validated network, as tidy tables and the arrays the engine needs."""

    name: str
    path: Path
    nodes: list[NodeRow]
    edges: list[EdgeRow]
    production: list[ProductionRow] = field(default_factory=list)
    markets: list[MarketRow] = field(default_factory=list)
    countries: list[CountryRow] = field(default_factory=list)
    domains: list[DomainRow] = field(default_factory=list)
    # The evidence its references resolve against: the package's table plus the
    # network directory's own evidence.csv (default: the package's alone).
    evidence: dict[str, Evidence] | None = None

    def __post_init__(self) -> None:
        if self.evidence is None:
            self.evidence = default_evidence()
        self.node_index = {n.id: i for i, n in enumerate(self.nodes)}
        self.edge_index = {e.id: i for i, e in enumerate(self.edges)}

    # -- convenient views -------------------------------------------------
    @property
    def node_ids(self) -> list[str]:
        return [n.id for n in self.nodes]

    @property
    def edge_ids(self) -> list[str]:
        return [e.id for e in self.edges]

    def node(self, node_id: str) -> NodeRow:
        return self.nodes[self.node_index[node_id]]

    def nodes_of_kind(self, kind: str) -> list[NodeRow]:
        return [n for n in self.nodes if n.kind == kind]

    @property
    def country_codes(self) -> list[str]:
        """Every country code used by nodes or edge jurisdictions, sorted."""
        codes = {n.country for n in self.nodes} | {self.jurisdiction(e) for e in self.edges}
        return sorted(codes)

    def jurisdiction(self, edge: EdgeRow) -> str:
        """Country where an interdiction on this edge is recorded."""
        if edge.jurisdiction:
            return edge.jurisdiction
        to_c = self.node(edge.to).country
        return to_c if to_c != INTERNATIONAL else self.node(edge.from_).country

    def market(self, node_id: str) -> MarketRow | None:
        """The markets.csv row of a node, or None if nothing changes hands there."""
        return next((m for m in self.markets if m.node == node_id), None)

    @property
    def retail_markets(self) -> list[str]:
        """Consumer markets, in node order."""
        return [n.id for n in self.nodes if n.kind == "market"]

    @property
    def wholesale_markets(self) -> list[str]:
        """Hand-off markets, in node order."""
        roles = {m.node: m.role for m in self.markets}
        return [n.id for n in self.nodes if roles.get(n.id) == "wholesale"]

    def edge_domain(self, edge: EdgeRow) -> tuple[str, str] | None:
        """(capability, domain label) of the searched domain an edge lies in, or None
        when the network declares no domain for it (it is then searched on its own,
        with its `exposure` as extent)."""
        from corredor.parameters import MARITIME_MODES

        if edge.mode == "container":
            return None
        cap = "maritime" if edge.mode in MARITIME_MODES else "air" if edge.mode == "air" else "road"
        label = edge.domain
        checkpoint = [d for d in self.domains if d.domain == label and d.capability == "container"]
        if label and checkpoint:  # a land port of entry: its traffic is inspected
            cap = "container"
        if not label:
            if cap == "maritime":
                ends = [self.node(edge.from_), self.node(edge.to)]
                label = next((n.basin for n in ends if n.basin), "")
            else:
                label = "roads" if cap == "road" else "air"
        if not label:
            return None
        juris = self.jurisdiction(edge)
        rows = [d for d in self.domains if d.domain == label and d.capability == cap]
        row = next((d for d in rows if d.jurisdiction == juris), None) or next(
            (d for d in rows if not d.jurisdiction), None
        )
        if row is None:
            return None
        return cap, f"{label}/{row.jurisdiction or '*'}"

    def domain_extent(self, cap: str, key: str) -> float:
        label, juris = key.split("/")
        juris = "" if juris == "*" else juris
        return next(
            d.extent
            for d in self.domains
            if d.domain == label and d.capability == cap and d.jurisdiction == juris
        )

    def edge_array(self, attr: str) -> np.ndarray:
        return np.array([getattr(e, attr) for e in self.edges], dtype=float)

    def ref_cells(self):
        """(file name, row number, column, evidence id) of every citation in the files."""
        for fname, rows in (
            ("nodes.csv", self.nodes),
            ("edges.csv", self.edges),
            ("production.csv", self.production),
            ("markets.csv", self.markets),
            ("countries.csv", self.countries),
            ("domains.csv", self.domains),
        ):
            for i, row in enumerate(rows, start=2):
                for col, text in row.ref_cells():
                    for ref in split_refs(text):
                        yield fname, i, col, ref

    def refs(self) -> dict[str, list[str]]:
        """Every evidence id cited by the network, with where it is cited."""
        cited: dict[str, list[str]] = {}
        for fname, i, col, ref in self.ref_cells():
            cited.setdefault(ref, []).append(f"{fname} row {i} {col}")
        return cited


# -- cross-file checks: one function per rule ------------------------------------
Check = Callable[[Network], None]


def _unique(rows, key: str, fname: str, net: Network) -> None:
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        value = getattr(row, key)
        if value in seen:
            raise CorredorError(
                f"{key} {value!r} appears twice",
                file=net.path / fname,
                field=f"row {i}, {key}",
                fix="give every row its own id",
            )
        seen.add(value)


def check_unique_ids(net: Network) -> None:
    _unique(net.nodes, "id", "nodes.csv", net)
    _unique(net.edges, "id", "edges.csv", net)


def check_edge_endpoints(net: Network) -> None:
    ids = set(net.node_index)
    for i, e in enumerate(net.edges, start=2):
        for col, ref in (("from", e.from_), ("to", e.to)):
            if ref not in ids:
                raise CorredorError(
                    f"unknown node {ref!r}",
                    file=net.path / "edges.csv",
                    field=f"row {i}, {col}",
                    fix=f"use a node id from nodes.csv; {suggest(ref, ids)}",
                )
        if e.from_ == e.to:
            raise CorredorError(
                "edge goes from a node to itself",
                file=net.path / "edges.csv",
                field=f"row {i}, to",
                fix="join two different nodes",
            )


def check_jurisdictions(net: Network) -> None:
    for i, e in enumerate(net.edges, start=2):
        if e.jurisdiction is not None and not _ISO2.match(e.jurisdiction):
            raise CorredorError(
                f"{e.jurisdiction!r} is not a country code",
                file=net.path / "edges.csv",
                field=f"row {i}, jurisdiction",
                fix="use an ISO 3166-1 alpha-2 code such as EC, or leave it empty",
            )


def check_basins(net: Network) -> None:
    for i, n in enumerate(net.nodes, start=2):
        if not n.basin:
            continue
        if n.kind != "sea":
            raise CorredorError(
                f"node {n.id!r} is a {n.kind} node with a basin",
                file=net.path / "nodes.csv",
                field=f"row {i}, basin",
                fix="give a basin to sea nodes only, or leave it empty",
            )
        if not _ID.match(n.basin):
            raise CorredorError(
                f"basin {n.basin!r} is not a label",
                file=net.path / "nodes.csv",
                field=f"row {i}, basin",
                fix="use lower-case letters, digits, '-' and '_' only, e.g. eastern-pacific",
            )


def check_production_shares(net: Network) -> None:
    totals: dict[str, float] = {}
    members: dict[str, list[str]] = {}
    for i, n in enumerate(net.nodes, start=2):
        if n.kind == "production":
            members.setdefault(n.country, []).append(f"{n.id} {n.production_share}")
            if n.production_share is None:
                raise CorredorError(
                    "production node has no production_share",
                    file=net.path / "nodes.csv",
                    field=f"row {i}, production_share",
                    fix="give the share of its country's production made here (0-1)",
                )
            totals[n.country] = totals.get(n.country, 0.0) + n.production_share
    for country, total in totals.items():
        if abs(total - 1.0) > 1e-6:
            raise CorredorError(
                f"production shares of {country} sum to {total:.4f}, not 1 "
                f"({', '.join(members[country])})",
                file=net.path / "nodes.csv",
                field="production_share",
                fix=f"make the shares of {country}'s production nodes add up to 1",
            )
    if not totals:
        raise CorredorError(
            "network has no production node",
            file=net.path / "nodes.csv",
            field="kind",
            fix="add at least one node of kind 'production'",
        )


def check_markets(net: Network) -> None:
    market_ids = {n.id for n in net.nodes if n.kind == "market"}
    if not market_ids:
        raise CorredorError(
            "network has no market node",
            file=net.path / "nodes.csv",
            field="kind",
            fix="add at least one node of kind 'market'",
        )
    kinds = {n.id: n.kind for n in net.nodes}
    seen: set[str] = set()
    path = net.path / "markets.csv"
    for i, m in enumerate(net.markets, start=2):
        if m.role == "retail":
            if m.node not in market_ids:
                raise CorredorError(
                    f"{m.node!r} is not a market node",
                    file=path,
                    field=f"row {i}, node",
                    fix="use the id of a node of kind 'market', or set role = wholesale; "
                    + suggest(m.node, market_ids),
                )
            for col in ("demand_t_per_year", "base_year"):
                if getattr(m, col) is None:
                    raise CorredorError(
                        f"retail market {m.node!r} has no {col}",
                        file=path,
                        field=f"row {i}, {col}",
                        fix="give the consumer market's demand at its reference price",
                    )
        else:
            if m.node not in kinds:
                raise CorredorError(
                    f"unknown node {m.node!r}",
                    file=path,
                    field=f"row {i}, node",
                    fix=suggest(m.node, list(kinds)),
                )
            if kinds[m.node] in ("production", "sea", "market"):
                raise CorredorError(
                    f"a wholesale market cannot be a {kinds[m.node]} node ({m.node!r})",
                    file=path,
                    field=f"row {i}, role",
                    fix="put hand-offs at hub, port, border or transit nodes; consumer "
                    "markets are role retail",
                )
        if m.node in seen:
            raise CorredorError(
                f"market {m.node!r} appears twice",
                file=path,
                field=f"row {i}, node",
                fix="one row per market",
            )
        seen.add(m.node)
    for mid in sorted(market_ids - seen):
        raise CorredorError(
            f"market node {mid!r} has no demand data",
            file=path,
            field="node",
            fix=f"add a row for {mid} (docs/network-format.md)",
        )


def check_domains(net: Network) -> None:
    path = net.path / "domains.csv"
    seen: set[tuple[str, str, str]] = set()
    units: dict[str, str] = {}
    for i, d in enumerate(net.domains, start=2):
        key = (d.domain, d.capability, d.jurisdiction)
        if key in seen:
            raise CorredorError(
                f"domain {d.domain!r} ({d.capability}, {d.jurisdiction or 'any'}) appears twice",
                file=path,
                field=f"row {i}, domain",
                fix="one row per domain, capability and jurisdiction",
            )
        seen.add(key)
        if d.jurisdiction and not _ISO2.match(d.jurisdiction):
            raise CorredorError(
                f"{d.jurisdiction!r} is not a country code",
                file=path,
                field=f"row {i}, jurisdiction",
                fix="use an ISO 3166-1 alpha-2 code, or leave it empty for any jurisdiction",
            )
        if units.setdefault(d.capability, d.unit) != d.unit:
            raise CorredorError(
                f"{d.capability} domains in two units ({units[d.capability]!r}, {d.unit!r})",
                file=path,
                field=f"row {i}, unit",
                fix="give every domain of one capability in the same unit: the "
                "effectiveness k_<capability> is per unit of extent",
            )


def check_production_series(net: Network) -> None:
    producers = {n.country for n in net.nodes if n.kind == "production"}
    seen: set[tuple[str, int]] = set()
    for i, row in enumerate(net.production, start=2):
        if row.country not in producers:
            raise CorredorError(
                f"{row.country!r} has no production node",
                file=net.path / "production.csv",
                field=f"row {i}, country",
                fix=f"use one of {', '.join(sorted(producers))}",
            )
        if (row.country, row.year) in seen:
            raise CorredorError(
                f"{row.country} {row.year} appears twice",
                file=net.path / "production.csv",
                field=f"row {i}, year",
                fix="keep one row per country and year",
            )
        seen.add((row.country, row.year))
    missing = producers - {c for c, _ in seen}
    if missing:
        raise CorredorError(
            f"no production data for {', '.join(sorted(missing))}",
            file=net.path / "production.csv",
            field="country",
            fix="add at least one year of production per producing country",
        )


def check_countries(net: Network) -> None:
    if not net.countries:
        return
    known = {c.iso2 for c in net.countries}
    for i, n in enumerate(net.nodes, start=2):
        if n.country != INTERNATIONAL and n.country not in known:
            raise CorredorError(
                f"country {n.country!r} of node {n.id!r} is not listed in countries.csv",
                file=net.path / "nodes.csv",
                field=f"row {i}, country",
                fix=f"correct the code ({suggest(n.country, known | {INTERNATIONAL})}), "
                f"or add a row for {n.country} to countries.csv",
            )


def check_evidence_refs(net: Network) -> None:
    """Every cited id is an entry of the package's or the network's own evidence."""
    for fname, i, col, ref in net.ref_cells():
        resolve_ref(
            ref,
            net.evidence,
            file=net.path / fname,
            field=f"row {i}, {col}",
            own=net.path / USER_FILE,
        )


# Each check may assume the ones before it passed: countries are checked before the
# production shares summed by country, so an unknown code is named as such.
CHECKS: tuple[Check, ...] = (
    check_unique_ids,
    check_edge_endpoints,
    check_jurisdictions,
    check_countries,
    check_basins,
    check_production_shares,
    check_markets,
    check_domains,
    check_production_series,
    check_countries,
    check_evidence_refs,
)


def builtin_networks() -> dict[str, Path]:
    root = Path(str(resources.files("corredor") / "data" / "networks"))
    return {p.name: p for p in sorted(root.iterdir()) if (p / "nodes.csv").is_file()}


def resolve_network_path(ref: str | Path, *, base: Path | None = None, file=None) -> Path:
    """A built-in network name or a directory (relative to `base`) to a directory."""
    builtins = builtin_networks()
    if isinstance(ref, str) and ref in builtins:
        return builtins[ref]
    path = Path(ref)
    if not path.is_absolute() and base is not None:
        path = base / path
    if path.is_dir():
        return path
    raise CorredorError(
        f"unknown network {str(ref)!r}",
        file=file,
        field="network",
        fix=f"use a built-in network ({', '.join(builtins)}) "
        "or a directory with nodes.csv and edges.csv",
    )


def load_network(ref: str | Path, *, base: Path | None = None, file=None) -> Network:
    """Load and validate a network by built-in name or directory path."""
    path = resolve_network_path(ref, base=base, file=file)
    nodes = _read_rows(path / "nodes.csv", NodeRow)
    edges = _read_rows(path / "edges.csv", EdgeRow)
    optional = {}
    for fname, model in (
        ("production.csv", ProductionRow),
        ("markets.csv", MarketRow),
        ("countries.csv", CountryRow),
        ("domains.csv", DomainRow),
    ):
        optional[fname] = _read_rows(path / fname, model) if (path / fname).exists() else []
    if not optional["production.csv"]:
        raise CorredorError(
            "file not found",
            file=path / "production.csv",
            fix="add production by country and year (docs/network-format.md)",
        )
    net = Network(
        name=path.name,
        path=path,
        nodes=nodes,
        edges=edges,
        production=optional["production.csv"],
        markets=optional["markets.csv"],
        countries=optional["countries.csv"],
        domains=optional["domains.csv"],
        evidence=with_user_evidence(default_evidence(), path / USER_FILE),
    )
    for check in CHECKS:
        check(net)
    return net
