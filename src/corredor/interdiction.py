"""Interdiction agencies: effort by capability turned into detection probabilities.

Each agency has a weekly budget of effort units per capability (container inspection,
road presence, maritime patrol, air surveillance, intelligence). Effort of capability c
is spread over the *domains* the agency searches: the sea basins, road networks and
airspace of its jurisdictions (`domains.csv`), in proportion to their extent, and over
the ports it inspects in proportion to their container throughput. Every leg through a
domain sees the domain's search density, effort over extent, however many legs the
network draws through it (a leg without a declared domain is a domain of its own, with
its `exposure` as extent). The detection law is random search:

    p_e = 1 - (1 - p0_e) * exp(-sum_a k_c * m_a * effort_{a,d(e)} / extent_d(e) * s_e)

with `s_e` the days a shipment spends under search on the edge (its transit time; 1 for
a container, inspected once), so a crossing's hazard is search density times time in
the searched area and does not depend on how many legs the network cuts a corridor
into. `p0_e` is the base detection of a crossing, counted once per voyage (a maritime
leg that leaves a sea node continues a voyage and adds none). `k_c` is the
effectiveness of capability c (`interdiction.k_*`) and `m_a = 1 + intel_gain *
intelligence_a` the agency's intelligence multiplier. (Dynamic allocation policies
shift effort between edges; each edge then sees its own effort over its domain's
extent.)

Strike campaigns. Ordinary maritime interdiction can pursue only a share r of the
suspected shipments it detects (`strikes.pursuit_share`: asset shortfalls leave the
rest, `southcom-unaddressed-2014`). A campaign of lethal strikes hits a share sigma_a
(`agencies.NAME.strike_share`, dated) of the others: it adds the hazard
`sigma_a * (1 - r) / r` times the agency's maritime hazard, so strikes remove boats
ordinary interdiction would not have stopped. The share of an edge's detections that
are strikes is the campaign's share of the hazard. The chance that a struck vessel was
not trafficking (`strikes.misidentified_share`) is divided by the striking agencies'
intelligence multiplier m_a: intelligence sharing means fewer wrong targets. Strikes are
limited by the campaign's assets (`agencies.NAME.strike_capacity` per week, applied in
the engine). Interdicted kilograms are credited to countries in proportion to each
source's share of the hazard: the base detection to the edge's jurisdiction, an
agency's effort to the jurisdiction, or to the agency's own country on international
waters.

Enforcement swamping: an agency's effort can only process so many detections a week
(boardings, container searches, arrests). With `interdiction.handling_time` h (effort-
unit-weeks per detected shipment), the detection on the edges of a domain carrying n_e
shipments with agency effort E (the domain's) is the Holling type II form

    p_eff,e = p_e / (1 + h * sum_{e' in domain} p_e' * n_e' / E)

applied to the agencies' boarding part of p (the base detection is nobody's workload,
and strikes are limited by the campaign's capacity instead), so seizures in a domain
approach the capacity E / h as traffic grows, and the risk per shipment falls (Kleiman
1993, evidence param-handling-time). h = 0 is unlimited capacity.

Seizures at origin: the `origin` capability (lab raids, stockpile and inland seizures in
producing areas) takes a weekly share `1 - exp(-k_origin * E_c)` of the stock waiting
in a producing country's areas, with `E_c` the origin effort of the agencies covering
country c (each agency's split equally over the producing countries it covers). It is
credited to that country; it does not depend on routes, so traffickers cannot avoid it.

The same function (`detect`) serves a whole run at once when nothing varies between
replicates (the leading axis is then time) and one week at a time when effort or
effectiveness differ by replicate (the leading axis is then the replicate).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from corredor.network import INTERNATIONAL
from corredor.parameters import MARITIME_MODES
from corredor.scenario import Scenario

CAPABILITY_OF_MODE = {
    "container": "container",
    "road": "road",
    "trail": "road",
    "river": "road",
    "gofast": "maritime",
    "semisub": "maritime",
    "fishing": "maritime",
    "air": "air",
}
# Capabilities that search edges, in the order of the effectiveness columns (k_*).
SEARCH = ("container", "road", "maritime", "air")
K_PARAMS = tuple(f"interdiction.k_{c}" for c in SEARCH)


@dataclass
class Detection:
    """Detection on every edge for a batch (weeks of one run, or replicates of one week).

    p_detect: (X, E) probability that a shipment on the edge is detected;
    strike_share: (X, E) share of detections ending in a lethal strike;
    misid_factor: (X, E) multiplier of the misidentification probability of those
    strikes: 1 / (1 + intel_gain * intelligence) of the striking agencies, weighted by
    their share of the strikes (better intelligence, fewer wrong targets);
    credit: (X, S, E) share of the edge's interdictions credited to each source
    (source 0 the base detection, source 1 + a agency a); sums to 1 over sources;
    effort: (X, E) agencies' effort units searching the edge's domain (for `swamped`);
    hazard: (X, E) agencies' boarding hazard (before swamping), for the groups' view of
    visible presence.
    """

    p_detect: np.ndarray
    strike_share: np.ndarray
    credit: np.ndarray
    misid_factor: np.ndarray
    effort: np.ndarray
    hazard: np.ndarray


@dataclass
class InterdictionModel:
    """The compiled interdiction structure of a scenario (everything but the effort split).

    Arrays: `budget` (T, A, 4) weekly effort per agency and search capability;
    `intel` (T, A) intelligence effort; `covered` (A, E) whether agency a searches edge e
    (with the capability serving the edge's mode); `cap_index` (E,) the capability of
    each edge; `exposure` (E,); `h0` (E,) base hazard; `strike` (T, A) strike shares;
    `maritime` (E,); `source_country` (S, E) country index credited for each source;
    `credit_matrix` a sparse (S*E, C) one-hot of source_country, so credited kg per
    country are `(kg[:, None, :] * credit).reshape(X, S*E) @ credit_matrix`;
    `origin` (T, A) weekly origin effort (seizures at origin, module docstring);
    `domain` (E,) index of each edge's searched domain (`domain_labels`), whose extent
    is `exposure`; `voyage_start` (E,) False for maritime legs that continue a voyage;
    `legless` (A, 4) extent of the declared domains an agency searches that no leg
    crosses (counted in the extent its effort is spread over).
    """

    agencies: list[str]
    budget: np.ndarray
    intel: np.ndarray
    covered: np.ndarray
    cap_index: np.ndarray
    exposure: np.ndarray
    h0: np.ndarray
    strike: np.ndarray
    maritime: np.ndarray
    source_country: np.ndarray
    credit_matrix: sp.csr_matrix
    origin: np.ndarray
    search_days: np.ndarray
    domain: np.ndarray
    domain_labels: list[str]
    # effort there finds nothing the model carries, but is not concentrated on the legs
    legless: np.ndarray

    @property
    def n_edges(self) -> int:
        return len(self.exposure)

    @property
    def n_domains(self) -> int:
        return len(self.domain_labels)

    def static_effort(self, t: slice | int | np.ndarray) -> np.ndarray:
        """(…, A, E) effort of the static policy: budget spread in proportion to exposure."""
        weight = self.exposure_weight  # (A, E): share of capability budget on each edge
        return self.budget[t][..., self.cap_index] * weight

    @property
    def exposure_weight(self) -> np.ndarray:
        """(A, E) share of an agency's capability budget searching the domain of each
        edge: the domain's extent over the extent of every domain the agency covers with
        that capability (each domain counted once, however many legs cross it)."""
        if not hasattr(self, "_exposure_weight"):
            w = np.zeros_like(self.covered, dtype=float)
            for ci in range(len(SEARCH)):
                on = self.covered & (self.cap_index == ci)[None, :]
                extent = np.zeros(self.n_domains)
                extent[self.domain] = self.exposure  # every edge carries its domain's
                for a in range(on.shape[0]):
                    doms = np.unique(self.domain[on[a]])
                    if len(doms) == 0:
                        continue
                    spread = extent[doms].sum() + self.legless[a, ci]
                    w[a, on[a]] = self.exposure[on[a]] / spread
            self._exposure_weight = w
        return self._exposure_weight

    def detect(
        self,
        effort: np.ndarray,
        k: np.ndarray,
        intel_gain: np.ndarray | float,
        intel: np.ndarray,
        strike: np.ndarray,
        mult: np.ndarray | None = None,
        h_extra: np.ndarray | None = None,
        pursuit: np.ndarray | float = 1.0,
    ) -> Detection:
        """Detection for a batch X: effort (X, A, E), k (X|1, 4), intel_gain scalar or
        (X|1, 1), intel (X|1, A) intelligence effort, strike (X|1, A) strike shares;
        optional `mult` (X|1, A, E) multiplier of agencies' hazard on edges (effort and
        effectiveness interventions), `h_extra` (X|1, E) hazard added to the base
        detection (container inspection shares) and `pursuit` (scalar or (X|1, 1)) the
        share of suspected maritime shipments ordinary interdiction can pursue."""
        k_edge = np.asarray(k)[:, self.cap_index]  # (X|1, E)
        multiplier = 1.0 + np.asarray(intel_gain) * intel  # (X|1, A)
        hazard = (
            k_edge[:, None, :]
            * multiplier[:, :, None]
            * effort
            * (self.covered * (self.search_days / self.exposure)[None, :])[None]
        )  # (X, A, E)
        if mult is not None:
            hazard = hazard * mult
        h0 = self.h0[None, :] if h_extra is None else self.h0[None, :] + h_extra
        # A strike campaign hits a share of the suspected shipments nobody could pursue.
        strike = np.broadcast_to(strike, hazard.shape[:2])
        unpursued = (1.0 - np.asarray(pursuit)) / np.asarray(pursuit)
        strike_hz = hazard * (strike * unpursued)[:, :, None] * self.maritime[None, None, :]
        total = h0 + hazard.sum(axis=1) + strike_hz.sum(axis=1)
        p_detect = -np.expm1(-total)
        safe = np.where(total > 0, total, 1.0)
        credit = (
            np.concatenate(
                [np.broadcast_to(h0, total.shape)[:, None, :], hazard + strike_hz], axis=1
            )
            / safe[:, None, :]
        )
        idle = total <= 0
        if idle.any():  # an edge nobody watches credits its (zero) seizures to its jurisdiction
            credit[:, 0, :] = np.where(idle, 1.0, credit[:, 0, :])
        striking = strike_hz.sum(axis=1)
        strike_share = striking / safe
        sharp = (strike_hz / multiplier[:, :, None]).sum(axis=1)
        misid_factor = np.divide(sharp, striking, out=np.ones_like(striking), where=striking > 0)
        return Detection(
            p_detect=p_detect,
            strike_share=strike_share,
            credit=credit,
            misid_factor=misid_factor,
            effort=np.einsum("xae,ae->xe", effort, self.covered.astype(float)),
            hazard=hazard.sum(axis=1),
        )

    def country_share(self, credit: np.ndarray) -> np.ndarray:
        """(X, E, C) share of each edge's interdictions credited to each country."""
        n_x, n_s, n_e = credit.shape
        out = np.zeros((n_x, n_e, self.credit_matrix.shape[1]))
        edges = np.arange(n_e)
        for s in range(n_s):
            np.add.at(out, (slice(None), edges, self.source_country[s]), credit[:, s, :])
        return out


def origin_seizure_share(origin_effort: np.ndarray, k_origin) -> np.ndarray:
    """(R|1, B) weekly share of each stock block seized at origin: 1 - exp(-k E_b)."""
    return -np.expm1(-np.asarray(k_origin) * origin_effort)


def origin_effort_matrix(
    agencies: list[tuple[str, list[str]]], block_country: list[str]
) -> np.ndarray:
    """(A, B) share of agency a's origin effort on stock block b: split equally over the
    producing countries it covers, each block seeing its country's whole effort."""
    producing = set(block_country)
    out = np.zeros((len(agencies), len(block_country)))
    for ai, (_, jurisdictions) in enumerate(agencies):
        mine = [c for c in jurisdictions if c in producing]
        for bi, c in enumerate(block_country):
            if c in mine:
                out[ai, bi] = 1.0 / len(mine)
    return out


def swamped(
    p_detect: np.ndarray,
    free_share: np.ndarray,
    shipments: np.ndarray,
    effort: np.ndarray,
    handling_time,
    domain: np.ndarray | None = None,
    n_domains: int = 0,
) -> np.ndarray:
    """(R, E) detection after enforcement swamping (module docstring).

    Only the agencies' boarding part of the detection is swamped: `free_share` (X, E)
    is the share of detections no agency's workload limits (the base detection, and
    strikes). With p_a = p * (1 - free_share), the result is p - p_a + p_a / (1 + h L /
    E), with L the expected detections p_a * n over the edge's domain (`domain`, (E,)
    indices; None: each edge on its own) and E its effort; `handling_time` h is a float
    or (R, 1).
    """
    p_agency = p_detect * (1.0 - free_share)
    load = p_agency * shipments
    if domain is not None:
        by_domain = np.zeros((load.shape[0], n_domains))
        np.add.at(by_domain, (slice(None), domain), load)
        load = by_domain[:, domain]
    load = np.asarray(handling_time) * load
    shape = np.broadcast_shapes(load.shape, effort.shape)
    ratio = np.divide(load, effort, out=np.zeros(shape), where=effort > 0)
    return p_detect - p_agency + p_agency / (1.0 + ratio)


def compile_interdiction(
    scenario: Scenario, times: np.ndarray, countries: list[str]
) -> InterdictionModel:
    """Budgets, coverage and crediting of a scenario's agencies at model times `times`."""
    net = scenario.network
    n_t, n_e, n_c = len(times), len(net.edges), len(countries)
    cidx = {c: i for i, c in enumerate(countries)}
    modes = [e.mode for e in net.edges]
    juris = [net.jurisdiction(e) for e in net.edges]
    caps = []
    for e, m in zip(net.edges, modes, strict=True):
        found = net.edge_domain(e)
        caps.append(found[0] if found else CAPABILITY_OF_MODE[m])  # checkpoints: container
    cap_index = np.array([SEARCH.index(c) for c in caps], dtype=np.int64)
    p0 = np.clip(net.edge_array("base_detection"), 0.0, 1.0 - 1e-12)

    agencies = list(scenario.agencies.items())
    n_a = len(agencies)
    budget = np.zeros((n_t, n_a, len(SEARCH)))
    intel = np.zeros((n_t, n_a))
    origin = np.zeros((n_t, n_a))
    covered = np.zeros((n_a, n_e), dtype=bool)
    strike = np.zeros((n_t, n_a))
    source_country = np.zeros((n_a + 1, n_e), dtype=np.int64)
    source_country[0] = [cidx[c] for c in juris]
    for ai, (aid, agency) in enumerate(agencies):
        budgets = scenario.budgets[aid]
        for cap, series in budgets.items():
            if cap == "intelligence":
                intel[:, ai] = series.at(times)
            elif cap == "origin":
                origin[:, ai] = series.at(times)
            else:
                budget[:, ai, SEARCH.index(cap)] = series.at(times)
        for ei, j in enumerate(juris):
            cap = caps[ei]
            covered[ai, ei] = j in agency.jurisdictions and cap in budgets
            if agency.domains:  # an agency limited to named domains or ports
                covered[ai, ei] &= domain_name(net, net.edges[ei]) in agency.domains
            source_country[ai + 1, ei] = cidx[j if j != INTERNATIONAL else agency.country]
        strike[:, ai] = scenario.strike_shares[aid].at(times)
    # Searched domains: a leg with a declared domain shares it (and its extent) with the
    # other legs through it; any other leg is a domain of its own.
    exposure = net.edge_array("exposure")
    labels: list[str] = []
    domain = np.zeros(n_e, dtype=np.int64)
    declared: dict[str, float] = {}
    for ei, e in enumerate(net.edges):
        found = net.edge_domain(e)
        if e.mode == "container":  # a port's inspectors search all its containers
            port = e.from_ if net.node(e.from_).kind == "port" else e.to
            key = f"port:{port}"
        elif found:
            key = f"{found[0]}:{found[1]}"
            declared[key] = net.domain_extent(*found)
        else:
            key = f"edge:{e.id}"
        if key not in labels:
            labels.append(key)
        domain[ei] = labels.index(key)
    _warn_undeclared(net, scenario, covered, labels, domain, caps)
    # A domain's extent: as declared; for a port, the throughput of all its legs.
    extent = np.zeros(len(labels))
    np.add.at(extent, domain, exposure)
    for key, value in declared.items():
        extent[labels.index(key)] = value
    exposure = extent[domain]
    legless = _legless_extent(net, agencies, scenario, labels)
    # A voyage's base detection counts once: legs leaving a sea node continue one.
    sea = {n.id for n in net.nodes if n.kind == "sea"}
    continuing = np.array(
        [m in MARITIME_MODES and e.from_ in sea for e, m in zip(net.edges, modes, strict=True)]
    )
    p0 = np.where(continuing, 0.0, p0)
    rows = np.arange((n_a + 1) * n_e)
    credit_matrix = sp.csr_matrix(
        (np.ones(len(rows)), (rows, source_country.ravel())), shape=((n_a + 1) * n_e, n_c)
    )
    return InterdictionModel(
        agencies=[a for a, _ in agencies],
        budget=budget,
        intel=intel,
        covered=covered,
        cap_index=cap_index,
        exposure=exposure,
        h0=-np.log1p(-p0),
        strike=strike,
        maritime=np.array([m in MARITIME_MODES for m in modes]),
        source_country=source_country,
        credit_matrix=credit_matrix,
        origin=origin,
        # time a shipment spends under search: the crossing, except for a container,
        # which is inspected once at the port whatever its voyage
        search_days=np.where(
            cap_index == SEARCH.index("container"), 1.0, net.edge_array("transit_days")
        ),
        domain=domain,
        domain_labels=labels,
        legless=legless,
    )


def _legless_extent(net, agencies, scenario, labels) -> np.ndarray:
    """(A, 4) extent of the declared domains (domains.csv rows with a jurisdiction) of
    each agency's jurisdictions and search capabilities that no leg crosses: an agency
    searches all its waters, roads or airspace, not only where the network draws legs,
    so these count in the extent its effort is spread over (`exposure_weight`). An
    agency limited to named `domains` counts only those."""
    out = np.zeros((len(agencies), len(SEARCH)))
    for ai, (aid, agency) in enumerate(agencies):
        budgets = scenario.budgets[aid]
        for d in net.domains:
            if not d.jurisdiction or d.jurisdiction not in agency.jurisdictions:
                continue
            if d.capability not in budgets:
                continue
            if agency.domains and d.domain not in agency.domains:
                continue
            if f"{d.capability}:{d.domain}/{d.jurisdiction}" in labels:
                continue  # crossed by a leg: counted with it
            out[ai, SEARCH.index(d.capability)] += d.extent
    return out


class DomainWarning(UserWarning):
    """A leg an agency searches lies in no declared domain of a network that declares
    domains for its capability: it is searched on its own, with its exposure as extent."""


def _warn_undeclared(net, scenario, covered, labels, domain, caps) -> None:
    """Warn about searched legs that fell back to a domain of their own in a network whose
    domains.csv describes other domains of the same capability: the agency's effort for
    that jurisdiction then concentrates on one short leg (extent = its exposure, often
    below 1 against thousands for a declared sea or road network), which can make its
    detection 1 every week. Networks without domains.csv use the fallback by design."""
    declared = {d.capability for d in net.domains}
    lonely = [
        ei
        for ei, e in enumerate(net.edges)
        if covered[:, ei].any()
        and e.mode != "container"
        and caps[ei] in declared
        and labels[domain[ei]].startswith("edge:")
    ]
    if not lonely:
        return
    agencies = list(scenario.agencies)
    shown = []
    for ei in lonely[:5]:
        e = net.edges[ei]
        who = ", ".join(a for ai, a in enumerate(agencies) if covered[ai, ei])
        shown.append(f"{e.id} ({caps[ei]}, jurisdiction {net.jurisdiction(e)}, searched by {who})")
    more = f" and {len(lonely) - 5} more" if len(lonely) > 5 else ""
    warnings.warn(
        f"{net.path / 'domains.csv'}: {len(lonely)} searched leg(s) lie in no declared "
        f"domain: {'; '.join(shown)}{more}. Each is searched as a domain of its own with "
        "its exposure as extent, so the agency's effort there concentrates on one leg. "
        "Fix: add a row to domains.csv for the leg's domain (its basin or 'roads', the "
        "capability and the jurisdiction), or name a declared domain in the leg's "
        "`domain` column of edges.csv",
        DomainWarning,
        stacklevel=3,
    )


def domain_name(net, edge) -> str | None:
    """The name an agency's `domains` uses for the domain an edge lies in: a row of
    domains.csv, or for a container leg its port's node id; None for an edge searched on
    its own."""
    found = net.edge_domain(edge)
    if found is not None:
        return found[1].split("/")[0]
    if edge.mode == "container":
        return edge.from_ if net.node(edge.from_).kind == "port" else edge.to
    return None


def shipment_counts(
    rng: np.random.Generator, load_kg: np.ndarray, shipment_kg: np.ndarray
) -> np.ndarray:
    """Whole shipments carrying `load_kg` on each edge, rounded at random so that the
    expected count is exactly load / shipment size: a few kilograms are usually no
    shipment at all rather than one whole boat (which could be struck, killing a crew)."""
    expected = load_kg / shipment_kg
    whole = np.floor(expected)
    return (whole + (rng.random(expected.shape) < expected - whole)).astype(np.int64)
