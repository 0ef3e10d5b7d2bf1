"""`corredor evidence --check [SCENARIO]`: every number of a scenario cites evidence.

Checks, for every built-in scenario (or the scenarios given) and the network it uses,
against the package's evidence plus the user's own (the network directory's and the
scenario files' `evidence.csv`):
- every parameter's evidence id exists, and every value the scenario runs with (default
  or override, each point of a dated series) lies inside that entry's low–high range;
- every evidence id cited by the scenario, its groups and agencies, and by the network
  files exists;
- every edge's capacity, cost and base detection lies inside the range of the entry its
  `capacity_ref`, `cost_ref` and (first) `detection_ref` cite;
- every intervention cites evidence, and its value (or factor) lies inside the range of
  the first entry it cites.
Production, market and country rows are checked for existence of their references only:
one entry there often supports several columns or a derived total.

Passing certifies bookkeeping, not support: many entries are Corredor's own assumptions.
`support_split` counts the distinct values checked by the kind of entry they rest on:
an external source, a Corredor derivation from external figures, or a Corredor
assumption (`origin`).
"""

from __future__ import annotations

from functools import lru_cache

from corredor.evidence import Evidence, default_evidence, split_refs
from corredor.parameters import PARAMS
from corredor.scenario import Scenario, builtin_scenarios, cited_refs, load_scenario

# What an evidence entry rests on, and how the split is worded.
ORIGINS = ("external", "derived", "assumption")
ORIGIN_LABEL = {
    "external": "external source",
    "derived": "Corredor derivation",
    "assumption": "Corredor assumption",
}


def origin(entry: Evidence) -> str:
    """'external' for a published source; 'derived' for a figure Corredor computed from
    published ones; 'assumption' for Corredor's own assumption (publisher Corredor)."""
    if not entry.publisher.startswith("Corredor"):
        return "external"
    return "derived" if entry.kind == "derived" else "assumption"


EDGE_COLUMNS = (
    ("capacity_ref", "capacity_kg_per_week"),
    ("cost_ref", "cost_usd_per_kg"),
    ("detection_ref", "base_detection"),
)


def check_builtins(
    evidence: dict[str, Evidence] | None = None, supports: dict[str, str] | None = None
) -> tuple[int, list[str]]:
    """Check every built-in scenario; returns (number of checks made, problems found).

    `evidence` replaces the table the scenarios resolve against (tests use it). When
    given, `supports` is filled with the evidence id each distinct value checked
    against a range rests on."""
    scenarios = [load_scenario(name) for name in builtin_scenarios()]
    return check_scenarios(scenarios, evidence, supports)


def check_scenarios(
    scenarios: list[Scenario],
    override: dict[str, Evidence] | None = None,
    supports: dict[str, str] | None = None,
) -> tuple[int, list[str]]:
    """Check scenarios against their own evidence (or `override` when given); returns
    (number of checks made, problems found); `supports` as in `check_builtins`."""
    supports = {} if supports is None else supports
    problems: list[str] = []
    checks = 0
    evidence: dict[str, Evidence] = {}  # the current scenario's, filled in the loop

    def exists(ref: str, where: str) -> bool:
        nonlocal checks
        checks += 1
        if ref not in evidence:
            problems.append(f"{where}: evidence entry {ref!r} does not exist")
            return False
        return True

    def within(ref: str, value: float, where: str) -> None:
        nonlocal checks
        if not exists(ref, where):
            return
        checks += 1
        # one value per place and number: the same default in nine scenarios is one value
        supports[f"{where.split(', ', 1)[-1]}={value:g}"] = ref
        e = evidence[ref]
        if not e.contains(value):
            problems.append(
                f"{where}: value {value:g} lies outside [{e.low:g}, {e.high:g}] of {ref!r}"
            )

    def covered(values: list[float], refs: list[str], where: str, example: str) -> None:
        """Some entry among `refs` (a group's or agency's) has a range holding every value."""
        nonlocal checks
        checks += 1
        if not any(r in evidence and all(evidence[r].contains(v) for v in values) for r in refs):
            problems.append(
                f"{where}: no entry in its refs has a range containing {max(values):g} "
                f"(cite one, e.g. {example})"
            )

    networks_done: set[str] = set()
    for sc in scenarios:
        name = sc.name
        evidence.clear()
        evidence.update(sc.evidence if override is None else override)
        for pname, param in PARAMS.items():
            series = sc.params.series(pname)
            for value in series.values:
                within(param.evidence, value, f"scenario {name}, parameters.{pname}")
        for where, ref in cited_refs(sc):
            if not where.startswith("interventions"):  # checked with their values below
                exists(ref, f"scenario {name}, {where}")
        for gid, g in sc.groups.items():
            split = [v for v in sc.factions[gid].values if v != 1.0]
            if split:  # a fragmented group: some cited entry must cover its faction counts
                covered(split, g.refs, f"scenario {name}, groups.{gid}.factions", "scen-factions")
        for aid, a in sc.agencies.items():
            if a.effort_scale != 1.0:
                where = f"scenario {name}, agencies.{aid}.effort_scale"
                covered([a.effort_scale], a.refs, where, "scen-effort-scale")
        for item in sc.interventions:
            where = f"scenario {name}, interventions ({item.label})"
            checks += 1
            if not item.spec.refs:
                problems.append(f"{where}: cites no evidence (add refs = [...])")
                continue
            number = item.spec.value if item.spec.value is not None else item.spec.factor
            within(item.spec.refs[0], number, where)
            for ref in item.spec.refs[1:]:
                exists(ref, where)
        net = sc.network
        if str(net.path) in networks_done:
            continue
        networks_done.add(str(net.path))
        for ref, places in net.refs().items():
            exists(ref, f"network {net.name}, {places[0]}")
        for i, edge in enumerate(net.edges, start=2):
            for ref_col, value_col in EDGE_COLUMNS:
                refs = split_refs(getattr(edge, ref_col))
                if refs:
                    within(
                        refs[0],
                        getattr(edge, value_col),
                        f"network {net.name}, edges.csv row {i}, {value_col}",
                    )
    return checks, problems


def support_split(evidence: dict[str, Evidence] | None = None) -> dict[str, int]:
    """Distinct values of the built-in scenarios and network checked against an entry's
    range, counted by what the entry rests on (keys of ORIGINS)."""
    if evidence is None:
        return dict(_default_split())
    supports: dict[str, str] = {}
    check_builtins(evidence, supports)
    counts = dict.fromkeys(ORIGINS, 0)
    for ref in supports.values():
        if ref in evidence:
            counts[origin(evidence[ref])] += 1
    return counts


@lru_cache(maxsize=1)
def _default_split() -> tuple[tuple[str, int], ...]:
    """support_split of the package's own evidence (built-in data: computed once)."""
    return tuple(support_split(default_evidence()).items())


def entry_split(evidence: dict[str, Evidence] | None = None) -> dict[str, int]:
    """Evidence entries counted by what they rest on (keys of ORIGINS)."""
    evidence = default_evidence() if evidence is None else evidence
    counts = dict.fromkeys(ORIGINS, 0)
    for e in evidence.values():
        counts[origin(e)] += 1
    return counts
