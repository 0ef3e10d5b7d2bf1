"""Interdiction agencies: effort by capability turned into detection probabilities.

Each agency has a weekly budget of effort units per capability (container inspection,
road presence, maritime patrol, air surveillance, intelligence). Effort of capability c
is spread over the edges the agency covers (mode served by c, jurisdiction in the
agency's list) by the agency's allocation policy (`allocation.py`; the static policy
spreads it in proportion to each edge's `exposure`, the area or traffic to search, so
every covered edge gets the same search density). The detection law is random search:

    p_e = 1 - (1 - p0_e) * exp(-sum_a k_c * m_a * effort_{a,e} / exposure_e * s_e)

with `s_e` the days a shipment spends under search on the edge (its transit time; 1 for
a container, inspected once), so a crossing's hazard is search density times time in
the searched area and does not depend on how many legs the network cuts a corridor
into. `p0_e` is the edge's base detection, `k_c` the effectiveness of capability c
(`interdiction.k_*`) and `m_a = 1 + intel_gain * intelligence_a` the agency's
intelligence multiplier. On maritime edges, a share of an agency's detections
(`agencies.NAME.strike_share`, which may vary over time) ends in a lethal strike rather
than a boarding; the edge's strike share is that of its agencies, weighted by their
share of the hazard. The chance that a struck vessel was not trafficking
(`strikes.misidentified_share`) is divided by the striking agencies' intelligence
multiplier m_a: intelligence sharing means fewer wrong targets. Interdicted kilograms
are credited to countries in proportion to each source's share of the hazard: the base
detection to the edge's jurisdiction, an agency's effort to the jurisdiction, or to the
agency's own country on international waters.

Enforcement swamping: an agency's effort can only process so many detections a week
(boardings, container searches, arrests). With `interdiction.handling_time` h (effort-
unit-weeks per detected shipment), the detection on an edge carrying n shipments with
agency effort E is the Holling type II form

    p_eff = p / (1 + h * p * n / E)

applied to the agencies' part of p (the edge's base detection is nobody's workload), so
agencies' seizures approach the capacity E / h as traffic grows, and the risk per
shipment falls (Kleiman 1993, evidence param-handling-time). h = 0 is unlimited
capacity.

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
    effort: (X, E) agencies' effort units searching the edge (for `swamped`).
    """

    p_detect: np.ndarray
    strike_share: np.ndarray
    credit: np.ndarray
    misid_factor: np.ndarray
    effort: np.ndarray


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
    `origin` (T, A) weekly origin effort (seizures at origin, module docstring).
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

    @property
    def n_edges(self) -> int:
        return len(self.exposure)

    def static_effort(self, t: slice | int | np.ndarray) -> np.ndarray:
        """(…, A, E) effort of the static policy: budget spread in proportion to exposure."""
        weight = self.exposure_weight  # (A, E): share of capability budget on each edge
        return self.budget[t][..., self.cap_index] * weight

    @property
    def exposure_weight(self) -> np.ndarray:
        if not hasattr(self, "_exposure_weight"):
            w = np.zeros_like(self.covered, dtype=float)
            for ci in range(len(SEARCH)):
                on = self.covered & (self.cap_index == ci)[None, :]
                mass = np.where(on, self.exposure[None, :], 0.0)
                total = mass.sum(axis=1, keepdims=True)
                w += np.divide(mass, total, out=np.zeros_like(mass), where=total > 0)
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
    ) -> Detection:
        """Detection for a batch X: effort (X, A, E), k (X|1, 4), intel_gain scalar or
        (X|1, 1), intel (X|1, A) intelligence effort, strike (X|1, A) strike shares;
        optional `mult` (X|1, A, E) multiplier of agencies' hazard on edges (effort and
        effectiveness interventions) and `h_extra` (X|1, E) hazard added to the base
        detection (container inspection shares)."""
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
        total = h0 + hazard.sum(axis=1)
        p_detect = -np.expm1(-total)
        safe = np.where(total > 0, total, 1.0)
        credit = (
            np.concatenate([np.broadcast_to(h0, total.shape)[:, None, :], hazard], axis=1)
            / safe[:, None, :]
        )
        idle = total <= 0
        if idle.any():  # an edge nobody watches credits its (zero) seizures to its jurisdiction
            credit[:, 0, :] = np.where(idle, 1.0, credit[:, 0, :])
        strike = np.broadcast_to(strike, hazard.shape[:2])
        striking = np.einsum("xae,xa->xe", hazard, strike)
        strike_share = striking / safe * self.maritime[None, :]
        sharp = np.einsum("xae,xa->xe", hazard, strike / multiplier)
        misid_factor = np.divide(sharp, striking, out=np.ones_like(striking), where=striking > 0)
        return Detection(
            p_detect=p_detect,
            strike_share=strike_share,
            credit=credit,
            misid_factor=misid_factor,
            effort=np.einsum("xae,ae->xe", effort, self.covered.astype(float)),
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
    base_share: np.ndarray,
    shipments: np.ndarray,
    effort: np.ndarray,
    handling_time,
) -> np.ndarray:
    """(R, E) detection after enforcement swamping (module docstring).

    Only the agencies' part of the detection is swamped: `base_share` (X, E) is the share
    of detections due to the edge's base detection (`Detection.credit[:, 0]`), which no
    agency's capacity limits. With p_a = p * (1 - base_share), the result is
    p * base_share + p_a / (1 + h * p_a * n / E); `handling_time` h is a float or (R, 1).
    """
    p_agency = p_detect * (1.0 - base_share)
    load = np.asarray(handling_time) * p_agency * shipments
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
    cap_index = np.array([SEARCH.index(CAPABILITY_OF_MODE[m]) for m in modes], dtype=np.int64)
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
        for ei, (m, j) in enumerate(zip(modes, juris, strict=True)):
            cap = CAPABILITY_OF_MODE[m]
            covered[ai, ei] = j in agency.jurisdictions and cap in budgets
            source_country[ai + 1, ei] = cidx[j if j != INTERNATIONAL else agency.country]
        strike[:, ai] = scenario.strike_shares[aid].at(times)
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
        exposure=net.edge_array("exposure"),
        h0=-np.log1p(-p0),
        strike=strike,
        maritime=np.array([m in MARITIME_MODES for m in modes]),
        source_country=source_country,
        credit_matrix=credit_matrix,
        origin=origin,
        # time a shipment spends under search: the crossing, except for a container,
        # which is inspected once at the port whatever its voyage
        search_days=np.where(np.array(modes) == "container", 1.0, net.edge_array("transit_days")),
    )


def shipment_counts(
    rng: np.random.Generator, load_kg: np.ndarray, shipment_kg: np.ndarray
) -> np.ndarray:
    """Whole shipments carrying `load_kg` on each edge, rounded at random so that the
    expected count is exactly load / shipment size: a few kilograms are usually no
    shipment at all rather than one whole boat (which could be struck, killing a crew)."""
    expected = load_kg / shipment_kg
    whole = np.floor(expected)
    return (whole + (rng.random(expected.shape) < expected - whole)).astype(np.int64)
