"""Interdiction agencies: effort by capability turned into detection probabilities.

Each agency has a weekly budget of effort units per capability (container inspection,
road presence, maritime patrol, air surveillance, intelligence). Effort of capability c
is spread over the edges the agency covers (mode served by c, jurisdiction in the
agency's list) in proportion to each edge's `exposure`, so every covered edge gets the
same search intensity (the static policy). The detection law is random search:

    p_e = 1 - (1 - p0_e) * exp(-sum_a k_c * m_a * effort_{a,e} / exposure_e)

with `p0_e` the edge's base detection, `k_c` the effectiveness of capability c
(`interdiction.k_*`) and `m_a = 1 + intel_gain * intelligence_a` the agency's
intelligence multiplier. On maritime edges, a share of an agency's detections
(`agencies.NAME.strike_share`, which may vary over time) ends in a lethal strike rather
than a boarding; the edge's strike share is that of its agencies, weighted by their
share of the hazard. Interdicted kilograms are attributed to countries in
proportion to each source's share of the hazard: the base detection to the edge's
jurisdiction, an agency's effort to the jurisdiction, or to the agency's own country on
international waters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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


@dataclass
class InterdictionPlan:
    """Detection per edge and week, and who gets the credit."""

    p_detect: np.ndarray  # (T, E) probability a shipment on the edge is detected
    share: np.ndarray  # (T, E, C) share of the edge's interdictions credited to country c
    strike_share: np.ndarray  # (T, E) share of detections that end in a lethal strike
    effort: np.ndarray  # (T, A, E) effort units per week an agency puts on an edge


def static_plan(scenario: Scenario, times: np.ndarray, countries: list[str]) -> InterdictionPlan:
    """The static allocation policy, evaluated at model times `times` (fractional years)."""
    net = scenario.network
    params = scenario.params
    n_t, n_e, n_c = len(times), len(net.edges), len(countries)
    cidx = {c: i for i, c in enumerate(countries)}
    modes = [e.mode for e in net.edges]
    exposure = net.edge_array("exposure")
    juris = [net.jurisdiction(e) for e in net.edges]
    p0 = np.clip(net.edge_array("base_detection"), 0.0, 1.0 - 1e-12)
    h0 = -np.log1p(-p0)

    agencies = list(scenario.agencies.items())
    effort = np.zeros((n_t, len(agencies), n_e))
    hazard = np.zeros((n_t, len(agencies), n_e))
    region = np.zeros((len(agencies), n_e), dtype=np.int64)
    for ai, (aid, agency) in enumerate(agencies):
        budgets = scenario.budgets[aid]
        intel = budgets["intelligence"].at(times) if "intelligence" in budgets else np.zeros(n_t)
        multiplier = 1.0 + params["interdiction.intel_gain"] * intel
        for ei, code in enumerate(juris):
            region[ai, ei] = cidx[code if code != INTERNATIONAL else agency.country]
        for cap, series in budgets.items():
            if cap == "intelligence":
                continue
            covered = np.array(
                [
                    CAPABILITY_OF_MODE[m] == cap and j in agency.jurisdictions
                    for m, j in zip(modes, juris, strict=True)
                ]
            )
            if not covered.any():
                continue
            weight = np.where(covered, exposure, 0.0)
            weight /= weight.sum()
            effort[:, ai, :] += series.at(times)[:, None] * weight[None, :]
            k = params[f"interdiction.k_{cap}"]
            hazard[:, ai, :] += (
                k * multiplier[:, None] * effort[:, ai, :] * covered[None, :] / exposure[None, :]
            )

    total = h0[None, :] + hazard.sum(axis=1)
    p_detect = -np.expm1(-total)
    share = np.zeros((n_t, n_e, n_c))
    base_region = np.array([cidx[c] for c in juris])
    share[:, np.arange(n_e), base_region] += h0[None, :]
    for ai in range(len(agencies)):
        np.add.at(share, (slice(None), np.arange(n_e), region[ai]), hazard[:, ai, :])
    safe = np.where(total > 0, total, 1.0)
    share /= safe[:, :, None]
    # An edge nobody watches credits its (zero) interdictions to its jurisdiction.
    idle = total <= 0
    if idle.any():
        t_idx, e_idx = np.nonzero(idle)
        share[t_idx, e_idx, base_region[e_idx]] = 1.0

    maritime = np.array([m in MARITIME_MODES for m in modes])
    strike = np.zeros((n_t, n_e))
    for ai, (aid, _) in enumerate(agencies):
        weight = np.divide(hazard[:, ai, :], safe)
        strike += weight * scenario.strike_shares[aid].at(times)[:, None]
    strike *= maritime[None, :]
    return InterdictionPlan(p_detect=p_detect, share=share, strike_share=strike, effort=effort)


def shipment_counts(
    rng: np.random.Generator, load_kg: np.ndarray, shipment_kg: np.ndarray
) -> np.ndarray:
    """Whole shipments carrying `load_kg` on each edge, rounded at random so that the
    expected count is exactly load / shipment size: a few kilograms are usually no
    shipment at all rather than one whole boat (which could be struck, killing a crew)."""
    expected = load_kg / shipment_kg
    whole = np.floor(expected)
    return (whole + (rng.random(expected.shape) < expected - whole)).astype(np.int64)
