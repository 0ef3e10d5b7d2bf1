"""Scenarios: TOML files a user can copy and edit, never code.

A scenario names a network, a period, parameter values, the trafficking groups and the
interdiction agencies. `extends` names a parent (a built-in scenario or a path); the
child states only what differs, and tables are merged key by key.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from corredor.errors import CorredorError, suggest
from corredor.interventions import parse_interventions
from corredor.network import INTERNATIONAL, Network, load_network
from corredor.parameters import CAPABILITIES, ParameterSet, Series, parse_series, parse_when

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


class GroupSpec(BaseModel):
    """A trafficking organisation (an archetype, never named people)."""

    model_config = ConfigDict(extra="forbid")
    label: str = ""
    origins: dict[str, float] = Field(min_length=1)
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

    model_config = ConfigDict(extra="forbid")
    label: str = ""
    country: str
    jurisdictions: list[str] = Field(min_length=1)
    budget: dict[str, Any] = {}
    # Multiplies every capability's budget: the agency's effort level relative to the
    # indices written in `budget` (calibrated where the indices are unknown).
    effort_scale: float = Field(1.0, gt=0.0, le=1000.0)
    strike_share: Any = 0.0
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
    factions: dict[str, Series] = field(default_factory=dict)
    interventions: list = field(default_factory=list)  # interventions.Intervention

    @property
    def title(self) -> str:
        return str(self.raw.get("title", self.name))

    def with_period(self, start: int | None = None, end: int | None = None) -> Scenario:
        raw = copy.deepcopy(self.raw)
        if start is not None:
            raw["start"] = start
        if end is not None:
            raw["end"] = end
        return build_scenario(raw, name=self.name, file=self.file, network=self.network)


def builtin_dir() -> Path:
    return Path(str(resources.files("corredor") / "data" / "scenarios"))


def builtin_scenarios() -> dict[str, Path]:
    return {p.stem: p for p in sorted(builtin_dir().glob("*.toml"))}


def _resolve_ref(ref: str, base: Path | None, file: str | None) -> Path:
    builtins = builtin_scenarios()
    if ref in builtins:
        return builtins[ref]
    path = Path(ref)
    if not path.is_absolute() and base is not None and not path.exists():
        path = base / path
    if path.is_file():
        return path
    if path.suffix == ".toml" or "/" in ref:
        raise CorredorError("scenario file not found", file=path, fix="check the path")
    raise CorredorError(
        f"unknown scenario {ref!r}",
        file=file,
        field="scenario",
        fix=f"use a file path or a built-in scenario; {suggest(ref, list(builtins))}",
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CorredorError(
            f"not valid TOML ({exc})", file=path, fix="correct the syntax at the line shown"
        ) from None
    except OSError as exc:
        raise CorredorError(f"cannot read file ({exc.strerror})", file=path) from None


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


def read_scenario_tree(ref: str | Path, *, _seen: tuple[Path, ...] = ()) -> tuple[dict, Path]:
    """Read a scenario and its `extends` chain into one merged table."""
    path = _resolve_ref(str(ref), None, None) if not isinstance(ref, Path) else ref
    if not path.is_file():
        raise CorredorError("scenario file not found", file=path, fix="check the path")
    path = path.resolve()
    if path in _seen:
        raise CorredorError(
            "scenario extends itself", file=path, field="extends", fix="break the cycle"
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
    if parent_ref is None:
        return data, path
    if not isinstance(parent_ref, str):
        raise CorredorError("must be a scenario name or path", file=path, field="extends")
    parent_path = _resolve_ref(parent_ref, path.parent, str(path))
    parent, _ = read_scenario_tree(parent_path, _seen=(*_seen, path))
    if "network" in data and isinstance(data["network"], str) and "network" in parent:
        # A relative network path is relative to the file that states it.
        data["_network_base"] = str(path.parent)
    elif "network" in parent:
        data.setdefault("_network_base", parent.get("_network_base", str(parent_path.parent)))
    return merge(parent, data), path


def load_scenario(ref: str | Path = "baseline") -> Scenario:
    """Load a scenario by built-in name or file path, merged and validated."""
    path = _resolve_ref(str(ref), Path.cwd(), None)
    raw, path = read_scenario_tree(path)
    raw.setdefault("_network_base", str(path.parent))
    name = str(raw.get("name") or path.stem)
    return build_scenario(raw, name=name, file=str(path))


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
    if seed < 0:
        raise CorredorError("must not be negative", file=file, field="seed", fix="use 0 or more")
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
        factions=factions,
    )
    scenario.interventions = parse_interventions(raw.get("interventions"), scenario, file)
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
    for area in sorted(producers):
        total = totals.get(area, 0.0)
        if abs(total - 1.0) > 1e-6:
            raise CorredorError(
                f"the groups' shares of production area {area!r} sum to {total:.4f}, not 1",
                file=file,
                field="groups.*.origins",
                fix=f"make the origins shares for {area} add up to 1 across groups",
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
            budgets[aid][cap] = parse_series(value, file=file, field=field).scaled(a.effort_scale)
    return budgets
