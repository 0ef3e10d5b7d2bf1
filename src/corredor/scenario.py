"""Scenarios: TOML files a user can copy and edit, never code.

A scenario names a network, a period, parameter values, the trafficking groups and the
interdiction agencies. `extends` names a parent (a built-in scenario or a path); the
child states only what differs, and tables are merged key by key.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from corredor import catalog
from corredor.errors import CorredorError, suggest
from corredor.evidence import USER_FILE, Evidence, resolve_ref, split_refs, with_user_evidence
from corredor.files import read_text
from corredor.interventions import parse_interventions
from corredor.limits import MAX_SEED
from corredor.network import INTERNATIONAL, Network, load_network
from corredor.parameters import (
    CAPABILITIES,
    ParameterSet,
    Series,
    flatten,
    parse_series,
    parse_when,
)

TOP_LEVEL = {
    "name",
    "title",
    "question",
    "description",
    "extends",
    "network",
    "start",
    "end",
    "seed",
    "parameters",
    "groups",
    "agencies",
    "interventions",
    "refs",
    "calibration",  # how the fitted values were made: command, seed, version, inputs
}
FIRST_YEAR, LAST_YEAR = 1990, 2100
# Longest `extends` chain followed; deeper chains are a mistake, not a design.
MAX_EXTENDS = 64
# Effort units per week of one capability of one agency: far above any real budget (the
# built-in ones are at most a few hundred), low enough to keep costs finite.
MAX_EFFORT = 1e6


class GroupSpec(BaseModel):
    """A trafficking organisation (an archetype, never named people)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    label: str = ""
    # Share of each production area's output the group buys from growers and labs.
    origins: dict[str, float] = {}
    # Wholesale markets (hand-offs) where the group buys from other groups.
    buys: list[str] = []
    # Markets the group sells to: wholesale hand-offs or consumer markets; empty means
    # every consumer (retail) market.
    sells: list[str] = []
    territory: list[str] = Field(min_length=1)
    allies: list[str] = []
    alliance_ends: dict[str, str] = {}
    # Rival factions inside the group: a number, or a dated table (a split or a
    # fragmentation over time); 1 is a united group.
    factions: Any = 1
    refs: list[str] = []

    @property
    def ground(self) -> set[str]:
        """Countries and node ids the group holds itself: its territory and its areas."""
        return set(self.territory) | set(self.origins)


def allies_both_ways(groups: dict[str, GroupSpec]) -> dict[str, set[str]]:
    """Each group's allies, whichever of the two named the alliance."""
    out = {gid: set(g.allies) - {gid} for gid, g in groups.items()}
    for gid, g in groups.items():
        for ally in g.allies:
            if ally in out and ally != gid:
                out[ally].add(gid)
    return out


class AgencySpec(BaseModel):
    """An interdiction agency and its weekly effort by capability."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    label: str = ""
    country: str
    jurisdictions: list[str] = Field(min_length=1)
    # Searched domains (domains.csv labels) the agency's road, maritime and air effort
    # is limited to, e.g. a border force that searches the border and not the interior;
    # empty: every domain of its jurisdictions.
    domains: list[str] = []
    budget: dict[str, Any] = {}
    # Multiplies every capability's budget: the agency's effort level relative to the
    # indices written in `budget` (calibrated where the indices are unknown).
    effort_scale: float = Field(1.0, gt=0.0, le=1000.0)
    # Share of the suspected maritime shipments that ordinary interdiction cannot pursue
    # which a strike campaign hits instead (a dated table for a campaign).
    strike_share: Any = 0.0
    # Strikes the campaign's assets can carry out per week (empty: no limit).
    strike_capacity: Any = None
    policy: Literal["static", "reactive", "intelligence"] = "static"
    refs: list[str] = []


@dataclass
class Scenario:
    """A resolved scenario: merged TOML, its network and its parameters."""

    name: str
    file: str
    raw: dict[str, Any]
    network: Network
    start: int
    end: int
    seed: int
    params: ParameterSet
    groups: dict[str, GroupSpec]
    agencies: dict[str, AgencySpec]
    budgets: dict[str, dict[str, Series]]
    strike_shares: dict[str, Series]
    strike_capacity: dict[str, Series | None] = field(default_factory=dict)
    factions: dict[str, Series] = field(default_factory=dict)
    interventions: list = field(default_factory=list)  # interventions.Intervention
    # What its references resolve against: the package's evidence, the network's own
    # evidence.csv and an evidence.csv next to any scenario file of its `extends` chain.
    evidence: dict[str, Evidence] = field(default_factory=dict)
    # Things a user should know that do not stop a run (e.g. an inherited intervention
    # that never acts inside a shortened period).
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.raw.get("title", self.name))

    def with_period(self, start: int | None = None, end: int | None = None) -> Scenario:
        """The same scenario over another period (`--start`/`--end`): an error about the
        years names those options, not the scenario file."""
        check_period(self, start, end)
        raw = copy.deepcopy(self.raw)
        if start is not None:
            raw["start"] = start
        if end is not None:
            raw["end"] = end
        return build_scenario(raw, name=self.name, file=self.file, network=self.network)

    def with_parameters(self, values: Mapping[str, Any], *, name: str | None = None) -> Scenario:
        """A new scenario with these parameter values, by name (`corredor parameters`
        lists them), e.g. `{"traffickers.choice_sharpness": 6}`; a dated table
        `{"2026-01-01": 2.0}` for a parameter that may vary over time. The rest is as in
        this scenario; its record (`raw`, saved with every result) holds the new values,
        so a saved run says exactly what ran. `name` renames the new scenario."""
        if not isinstance(values, Mapping):
            raise CorredorError(
                "must be a mapping of parameter names to values", field="parameters"
            )
        raw = copy.deepcopy(self.raw)
        current = raw.get("parameters") or {}
        if not isinstance(current, dict):
            raise CorredorError("must be a table", file=self.file, field="parameters")
        merged = flatten(current)  # dotted names: one key per parameter, whatever the nesting
        merged.update({str(k): copy.deepcopy(v) for k, v in values.items()})
        raw["parameters"] = merged
        return self._rebuilt(raw, name)

    def with_interventions(
        self, items: Sequence[Mapping[str, Any]], *, name: str | None = None
    ) -> Scenario:
        """A new scenario with these timed interventions added after its own. Each is a
        dict with the keys of a `[[interventions]]` entry of a scenario file
        (docs/scenarios.md), e.g. `{"what": "effort", "agency": "EC", "capability":
        "container", "factor": 2, "from": "2027-01-01"}`. The record holds them."""
        if isinstance(items, Mapping):
            items = [items]
        raw = copy.deepcopy(self.raw)
        raw["interventions"] = list(raw.get("interventions") or []) + [
            dict(copy.deepcopy(item)) for item in items
        ]
        return self._rebuilt(raw, name)

    def _rebuilt(self, raw: dict[str, Any], name: str | None) -> Scenario:
        if name is not None:
            raw["name"] = name
        return build_scenario(raw, name=name or self.name, file=self.file, network=self.network)


def check_period(sc: Scenario, start: int | None, end: int | None) -> None:
    """Check a period given on the command line (or to `corredor.run`) against the
    calendar and against the scenario's own years."""
    for option, year in (("--start", start), ("--end", end)):
        if year is None:
            continue
        if isinstance(year, bool) or not isinstance(year, int):
            raise CorredorError(f"{year!r} is not a whole year", field=option, fix="e.g. 2020")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CorredorError(
                f"{year} is outside {FIRST_YEAR}-{LAST_YEAR}",
                field=option,
                fix="use a calendar year",
            )
    first = sc.start if start is None else start
    last = sc.end if end is None else end
    if first <= last:
        return
    if start is not None and end is not None:
        raise CorredorError(
            f"--start {start} is after --end {end}",
            field="--start/--end",
            fix="give a start year no later than the end year",
        )
    if start is not None:
        raise CorredorError(
            f"--start {start} is after the scenario's last year {sc.end}",
            field="--start",
            fix=f"choose --start {sc.end} or earlier, or give a later --end too",
        )
    raise CorredorError(
        f"--end {end} is before the scenario's first year {sc.start}",
        field="--end",
        fix=f"choose --end {sc.start} or later, or give an earlier --start too",
    )


def builtin_dir() -> Path:
    return catalog.builtin_dir()


def builtin_scenarios() -> dict[str, Path]:
    return catalog.builtin_scenarios()


def _resolve_ref(ref: str, base: Path | None, file: str | None) -> Path:
    builtins = builtin_scenarios()
    if ref in builtins:
        return builtins[ref]
    path = Path(ref)
    if not path.is_absolute() and base is not None and not path.exists():
        path = base / path
    if path.is_file():
        return path
    if path.is_dir():
        raise CorredorError(
            "is a directory, not a scenario file",
            file=path,
            field="scenario" if file is None else "extends",
            fix="give the path of a .toml file, or a built-in scenario name",
        )
    if path.suffix == ".toml" or "/" in ref:
        raise CorredorError("scenario file not found", file=path, fix="check the path")
    raise CorredorError(
        f"unknown scenario {ref!r}",
        file=file,
        field="scenario",
        fix=f"use a file path or a built-in scenario; {suggest(ref, list(builtins))}",
    )


def _read_toml(path: Path) -> dict[str, Any]:
    # read_text refuses what is not UTF-8 and drops a byte-order mark, which tomllib
    # would report as a syntax error at line 1, column 1
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CorredorError(
            f"not valid TOML ({exc})", file=path, fix="correct the syntax at the line shown"
        ) from None


def merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: tables merge key by key, anything else in the child replaces the
    parent's, except `interventions`, which add to the parent's (parent's first)."""
    out = copy.deepcopy(parent)
    for key, value in child.items():
        if key == "interventions" and isinstance(value, list):
            out[key] = list(out.get(key) or []) + copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(out.get(key), dict) and not _is_series(value):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _is_series(table: dict[str, Any]) -> bool:
    return bool(table) and all(str(k)[:4].isdigit() for k in table)


def read_scenario_tree(ref: str | Path) -> tuple[dict, Path]:
    """Read a scenario and its `extends` chain into one merged table.

    The chain is followed in a loop, not by recursion, so a deep chain cannot exhaust the
    stack; it stops at MAX_EXTENDS levels and at a file that is already in the chain."""
    path = _resolve_ref(str(ref), None, None) if not isinstance(ref, Path) else ref
    if not path.is_file():
        raise CorredorError("scenario file not found", file=path, fix="check the path")
    chain: list[tuple[dict, Path]] = []
    while True:
        path = path.resolve()
        seen = [p for _, p in chain]
        if path in seen:
            child = seen[-1]
            if path == child:
                what = "scenario extends itself"
            else:
                loop = [*seen[seen.index(path) :], path]
                what = "scenario files extend each other in a circle: " + " -> ".join(
                    p.name for p in loop
                )
            raise CorredorError(
                what,
                file=child,
                field="extends",
                fix="make one of them extend a scenario outside the circle (e.g. baseline)",
            )
        if len(chain) > MAX_EXTENDS:
            raise CorredorError(
                f"more than {MAX_EXTENDS} levels of `extends`",
                file=chain[0][1],
                field="extends",
                fix="extend a scenario nearer the base of the chain",
            )
        data = _read_toml(path)
        unknown = sorted(set(data) - TOP_LEVEL)
        if unknown:
            raise CorredorError(
                f"unknown key {unknown[0]!r}",
                file=path,
                field=unknown[0],
                fix=suggest(unknown[0], TOP_LEVEL),
            )
        parent_ref = data.pop("extends", None)
        chain.append((data, path))
        if parent_ref is None:
            break
        if not isinstance(parent_ref, str):
            raise CorredorError("must be a scenario name or path", file=path, field="extends")
        path = _resolve_ref(parent_ref, path.parent, str(path))
    # merge from the base down to the file asked for
    merged, parent_path = chain[-1]
    for data, path in reversed(chain[:-1]):
        parent = merged
        if "network" in data and isinstance(data["network"], str) and "network" in parent:
            # A relative network path is relative to the file that states it.
            data["_network_base"] = str(path.parent)
        elif "network" in parent:
            data.setdefault("_network_base", parent.get("_network_base", str(parent_path.parent)))
        merged, parent_path = merge(parent, data), path
    # the files of the `extends` chain, parent first (for user evidence and messages)
    merged["_chain"] = [str(p) for _, p in reversed(chain)]
    # interventions add up along the chain: the last ones are the file's own
    merged["_own_interventions"] = len(chain[0][0].get("interventions") or [])
    return merged, chain[0][1]


def load_scenario(ref: str | Path = "baseline") -> Scenario:
    """Load a scenario by built-in name or file path, merged and validated."""
    path = _resolve_ref(str(ref), Path.cwd(), None)
    raw, path = read_scenario_tree(path)
    raw.setdefault("_network_base", str(path.parent))
    name = str(raw.get("name") or path.stem)
    scenario = build_scenario(raw, name=name, file=str(path))
    check_scenario_refs(scenario)
    _check_own_interventions_act(scenario)
    return scenario


def _evidence_dirs(raw: dict[str, Any]) -> list[Path]:
    """Directories of the user's scenario files in the chain (parent first)."""
    builtin = builtin_dir().resolve()
    dirs: list[Path] = []
    for file in raw.get("_chain", []):
        folder = Path(file).parent
        if folder != builtin and folder not in dirs:
            dirs.append(folder)
    return dirs


def scenario_evidence(raw: dict[str, Any], network: Network) -> dict[str, Evidence]:
    """The network's evidence plus the evidence.csv next to each scenario file."""
    evidence = network.evidence
    for folder in _evidence_dirs(raw):
        if folder.resolve() != network.path.resolve():
            evidence = with_user_evidence(evidence, folder / USER_FILE)
    return evidence


def cited_refs(sc: Scenario) -> list[tuple[str, str]]:
    """(field, evidence id) of every reference the scenario states."""
    refs = sc.raw.get("refs", [])
    top = split_refs(refs) if isinstance(refs, str) else [str(r) for r in refs]
    cited = [("refs", r) for r in top]
    for gid, g in sc.groups.items():
        cited += [(f"groups.{gid}.refs", r) for r in g.refs]
    for aid, a in sc.agencies.items():
        cited += [(f"agencies.{aid}.refs", r) for r in a.refs]
    for i, item in enumerate(sc.interventions):
        cited += [(f"interventions[{i + 1}].refs", r) for r in item.spec.refs]
    return cited


def check_scenario_refs(sc: Scenario) -> None:
    """Every id the scenario cites is an entry of its evidence (package or user)."""
    refs = sc.raw.get("refs", [])
    if not isinstance(refs, str | list):
        raise CorredorError(
            "must be a list of evidence ids", file=sc.file, field="refs", fix='refs = ["id", ...]'
        )
    for where, ref in cited_refs(sc):
        if ref not in sc.evidence:
            file = _stating_file(ref, sc)
            own = Path(file).parent / USER_FILE
            resolve_ref(ref, sc.evidence, file=file, field=where, own=own)


def _stating_file(ref: str, sc: Scenario) -> str:
    """The file of the `extends` chain that writes `ref` (the child first), for messages."""
    for file in reversed(sc.raw.get("_chain", [])):
        try:
            if f'"{ref}"' in Path(file).read_text(encoding="utf-8", errors="replace"):
                return file
        except OSError:
            continue
    return sc.file


def idle_interventions(sc: Scenario) -> list[tuple[int, str]]:
    """(index, reason) of the interventions that never act inside the scenario's period."""
    out = []
    for item in sc.interventions:
        if item.start >= sc.end + 1:
            out.append(
                (item.index, f"{item.label} starts {item.spec.start}, after the last year {sc.end}")
            )
        elif item.end <= sc.start:
            out.append(
                (item.index, f"{item.label} ends {item.spec.end}, before the first year {sc.start}")
            )
    return out


def _check_own_interventions_act(sc: Scenario) -> None:
    """An intervention a file declares must act inside that file's period. Inherited ones
    may fall outside a period a child file shortens: they are only reported
    (`Scenario.notes`), since a child cannot remove them."""
    own = int(sc.raw.get("_own_interventions", 0))
    first_own = len(sc.interventions) - own
    for index, reason in idle_interventions(sc):
        if index >= first_own:
            raise CorredorError(
                f"{reason}: it would never act",
                file=sc.file,
                field=f"interventions[{index + 1}]",
                fix=f"date it inside {sc.start}-{sc.end}, change the scenario's start/end, "
                "or remove it",
            )


def _int_field(raw: dict, key: str, file: str, default: int | None = None) -> int:
    value = raw.get(key, default)
    if value is None:
        raise CorredorError("missing", file=file, field=key, fix=f"add `{key} = ...`")
    if isinstance(value, bool) or not isinstance(value, int):
        raise CorredorError(f"{value!r} is not a whole number", file=file, field=key)
    return value


def build_scenario(
    raw: dict[str, Any], *, name: str, file: str, network: Network | None = None
) -> Scenario:
    """Validate a merged scenario table and bind it to its network."""
    if network is None:
        net_ref = raw.get("network")
        if not isinstance(net_ref, str):
            raise CorredorError(
                "missing or not a name",
                file=file,
                field="network",
                fix='add `network = "andean-pacific"` or a directory path',
            )
        base = Path(raw.get("_network_base", "."))
        network = load_network(net_ref, base=base, file=file)
    start = _int_field(raw, "start", file)
    end = _int_field(raw, "end", file)
    for key, year in (("start", start), ("end", end)):
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CorredorError(
                f"{year} is outside {FIRST_YEAR}-{LAST_YEAR}",
                file=file,
                field=key,
                fix="use a calendar year",
            )
    if start > end:
        raise CorredorError(
            f"start year {start} is after end year {end}",
            file=file,
            field="start",
            fix="make start no later than end",
        )
    seed = _int_field(raw, "seed", file, default=0)
    if not 0 <= seed <= MAX_SEED:
        raise CorredorError(
            f"{seed} is outside 0-{MAX_SEED} (2**63 - 1)",
            file=file,
            field="seed",
            fix="use a whole number from 0 to 2**63 - 1",
        )
    record = raw.get("calibration", {})
    if not isinstance(record, dict) or not all(
        isinstance(v, str | int | float | bool) for v in record.values()
    ):
        raise CorredorError(
            "must be a table of plain values (command, seed, corredor_version, ...)",
            file=file,
            field="calibration",
            fix="copy the [calibration] table written by `corredor calibrate`",
        )
    params_raw = raw.get("parameters", {})
    if not isinstance(params_raw, dict):
        raise CorredorError("must be a table", file=file, field="parameters")
    params = ParameterSet(params_raw, file=file)
    groups = _validate_table(raw.get("groups", {}), GroupSpec, "groups", file)
    agencies = _validate_table(raw.get("agencies", {}), AgencySpec, "agencies", file)
    if not groups:
        raise CorredorError(
            "no trafficking groups",
            file=file,
            field="groups",
            fix="declare at least one [groups.NAME] table",
        )
    _check_groups(groups, network, file)
    budgets = _check_agencies(agencies, network, file)
    strike_shares = {
        aid: parse_series(
            a.strike_share, file=file, field=f"agencies.{aid}.strike_share", bounds=(0.0, 1.0)
        )
        for aid, a in agencies.items()
    }
    strike_capacity = {
        aid: None
        if a.strike_capacity is None
        else parse_series(
            a.strike_capacity,
            file=file,
            field=f"agencies.{aid}.strike_capacity",
            bounds=(0.0, 1e6),
        )
        for aid, a in agencies.items()
    }
    factions = {
        gid: parse_series(
            g.factions, file=file, field=f"groups.{gid}.factions", bounds=(1.0, 1000.0)
        )
        for gid, g in groups.items()
    }
    scenario = Scenario(
        name=name,
        file=file,
        raw=raw,
        network=network,
        start=start,
        end=end,
        seed=seed,
        params=params,
        groups=groups,
        agencies=agencies,
        budgets=budgets,
        strike_shares=strike_shares,
        strike_capacity=strike_capacity,
        factions=factions,
        evidence=scenario_evidence(raw, network),
    )
    scenario.interventions = parse_interventions(raw.get("interventions"), scenario, file)
    scenario.notes = [
        f"{reason}: it never acts in this run" for _, reason in idle_interventions(scenario)
    ]
    return scenario


def _validate_table(table: Any, model: type[BaseModel], key: str, file: str) -> dict:
    if not isinstance(table, dict):
        raise CorredorError("must be a table of named entries", file=file, field=key)
    out = {}
    for name, body in table.items():
        if not isinstance(body, dict):
            raise CorredorError("must be a table", file=file, field=f"{key}.{name}")
        try:
            out[name] = model.model_validate(body)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            fix = "remove it" if err["type"] == "extra_forbidden" else "see docs/scenarios.md"
            if err["type"] == "extra_forbidden":
                fix = f"remove it; allowed keys are {', '.join(model.model_fields)}"
            raise CorredorError(
                err["msg"], file=file, field=f"{key}.{name}.{loc}", fix=fix
            ) from None
    return out


def _check_groups(groups: dict[str, GroupSpec], net: Network, file: str) -> None:
    producers = {n.id for n in net.nodes if n.kind == "production"}
    countries = {n.country for n in net.nodes}
    totals: dict[str, float] = {}
    for gid, g in groups.items():
        for area, share in g.origins.items():
            field = f"groups.{gid}.origins.{area}"
            if area not in producers:
                raise CorredorError(
                    f"unknown production node {area!r}",
                    file=file,
                    field=field,
                    fix=f"use a production node of network {net.name!r}; "
                    f"{suggest(area, producers)}",
                )
            if not 0.0 <= share <= 1.0:
                raise CorredorError(
                    f"share {share:g} is outside [0, 1]",
                    file=file,
                    field=field,
                    fix="give the share of the area's output this group handles (0-1)",
                )
            totals[area] = totals.get(area, 0.0) + share
        for item in g.territory:
            if item not in countries and item not in net.node_index:
                raise CorredorError(
                    f"{item!r} is neither a country code of the network nor a node id",
                    file=file,
                    field=f"groups.{gid}.territory",
                    fix=suggest(item, countries | set(net.node_index)),
                )
        for ally in g.allies:
            if ally not in groups or ally == gid:
                raise CorredorError(
                    f"unknown ally {ally!r}",
                    file=file,
                    field=f"groups.{gid}.allies",
                    fix=suggest(ally, [k for k in groups if k != gid]),
                )
        for ally, when in g.alliance_ends.items():
            if ally not in g.allies:
                raise CorredorError(
                    f"{ally!r} is not among the group's allies",
                    file=file,
                    field=f"groups.{gid}.alliance_ends.{ally}",
                    fix="list it under allies first",
                )
            parse_when(when, file=file, field=f"groups.{gid}.alliance_ends.{ally}")
        _check_trade(gid, g, net, file)
    for area in sorted(producers):
        total = totals.get(area, 0.0)
        if abs(total - 1.0) > 1e-6:
            raise CorredorError(
                f"the groups' shares of production area {area!r} sum to {total:.4f}, not 1",
                file=file,
                field="groups.*.origins",
                fix=f"make the origins shares for {area} add up to 1 across groups",
            )


def _check_trade(gid: str, g: GroupSpec, net: Network, file: str) -> None:
    """A group buys at production areas (`origins`) or wholesale markets (`buys`) and
    sells at markets (`sells`): each named place must be a market of the right role."""
    wholesale = set(net.wholesale_markets)
    selling = wholesale | set(net.retail_markets)
    if not g.origins and not g.buys:
        raise CorredorError(
            "the group buys nowhere",
            file=file,
            field=f"groups.{gid}.origins",
            fix="give `origins` (production areas) or `buys` (wholesale markets)",
        )
    for node in g.buys:
        if node not in wholesale:
            raise CorredorError(
                f"{node!r} is not a wholesale market of network {net.name!r}",
                file=file,
                field=f"groups.{gid}.buys",
                fix="name a node with role wholesale in markets.csv; "
                + suggest(node, sorted(wholesale) or ["(none)"]),
            )
    for node in g.sells:
        if node not in selling:
            raise CorredorError(
                f"{node!r} is not a market of network {net.name!r}",
                file=file,
                field=f"groups.{gid}.sells",
                fix="name a node listed in markets.csv; " + suggest(node, sorted(selling)),
            )
        if node in g.buys:
            raise CorredorError(
                f"the group both buys and sells at {node!r}",
                file=file,
                field=f"groups.{gid}.sells",
                fix="a group sells where it does not buy",
            )


def _check_agencies(
    agencies: dict[str, AgencySpec], net: Network, file: str
) -> dict[str, dict[str, Series]]:
    countries = set(net.country_codes) - {INTERNATIONAL}
    budgets: dict[str, dict[str, Series]] = {}
    for aid, a in agencies.items():
        for code in a.jurisdictions:
            if code not in set(net.country_codes):
                raise CorredorError(
                    f"no edge is recorded in {code!r}",
                    file=file,
                    field=f"agencies.{aid}.jurisdictions",
                    fix=suggest(code, countries),
                )
        labels = {d.domain for d in net.domains} | {n.id for n in net.nodes if n.kind == "port"}
        for label in a.domains:
            if label not in labels:
                raise CorredorError(
                    f"unknown domain {label!r}",
                    file=file,
                    field=f"agencies.{aid}.domains",
                    fix="name a domain of the network's domains.csv or a port; "
                    + suggest(label, sorted(labels) or ["(none)"]),
                )
        budgets[aid] = {}
        for cap, value in a.budget.items():
            field = f"agencies.{aid}.budget.{cap}"
            if cap not in CAPABILITIES:
                raise CorredorError(
                    f"unknown capability {cap!r}",
                    file=file,
                    field=field,
                    fix=suggest(cap, CAPABILITIES),
                )
            budgets[aid][cap] = parse_series(
                value, file=file, field=field, bounds=(0.0, MAX_EFFORT)
            ).scaled(a.effort_scale)
    return budgets
