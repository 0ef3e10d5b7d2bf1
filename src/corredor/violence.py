"""Violence: homicides at nodes driven by the flow through them and by rivalry over it.

Expected homicides per week at node n:

    lambda_n = flow_coef * F_n + contest_coef * F_n * sum_{g,h} s_gn * rival_gh * s_hn

with F_n the tonnes passing through n that week, s_gn group g's share of it and
rival_gh = 1 for two different groups that are not allied (0 otherwise): the second term
is the contested tonnage, the flow times the chance that two random kilograms belong to
rival groups (alliances may end at a date, turning allies into rivals). A group split
into k_g rival factions of equal size (`groups.NAME.factions`, dated) is k_g rivals:
its diagonal entry is rival_gg = 1 - 1/k_g, the chance that two of its kilograms belong
to different factions (0 for a united group).

Shares are of the tonnes each group *handles* at the node, not of the tonnes it owns: on
ground outside a group's own territory (reached through an alliance) its cargo is moved
by the allies whose territory it is, split equally among them. Foreign suppliers and
buyers hire local gangs as logistics providers, so rivalry in a country is rivalry
between the groups that hold ground there (`handler_matrix`). Recorded
homicides are Poisson draws. A country's total adds homicides
not driven by the trade in the model: `base_homicide_rate` per 100,000 people per year.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def rivalry_matrix(
    groups: list[str],
    allies: dict[str, list[str]],
    ends: dict[str, dict[str, float]] | None = None,
    times: np.ndarray | None = None,
) -> np.ndarray:
    """(T, G, G) 1 for rival pairs, 0 for a group with itself and for allies (either way).

    An alliance with an end date (`alliance_ends`, model years) turns into rivalry from
    that date: this is how a cartel split or a broken pact enters the model.
    """
    times = np.zeros(1) if times is None else times
    ends = ends or {}
    idx = {g: i for i, g in enumerate(groups)}
    rival = np.repeat((1.0 - np.eye(len(groups)))[None], len(times), axis=0)
    for g, names in allies.items():
        for a in names:
            end = ends.get(g, {}).get(a, np.inf)
            allied = times < end
            rival[allied, idx[g], idx[a]] = rival[allied, idx[a], idx[g]] = 0.0
    return rival


def handler_matrix(
    groups: list[str],
    own_ground: dict[str, set[str]],
    allies: dict[str, set[str]],
    nodes: list[tuple[str, str, bool]],
) -> np.ndarray:
    """(N, G, G) share of group g's tonnes at node n handled by group h (rows sum to 1).

    `own_ground[g]`: node ids and country codes of g's territory and production areas;
    `allies[g]`: g's allies, both ways; `nodes`: (id, country, open to all) per node.
    A group handles its own cargo on its own ground and on open nodes (sea, transit,
    markets); elsewhere its allies holding that ground do, in equal parts.
    """
    idx = {g: i for i, g in enumerate(groups)}
    out = np.zeros((len(nodes), len(groups), len(groups)))
    for n, (nid, country, is_open) in enumerate(nodes):
        holders = {h for h in groups if nid in own_ground[h] or country in own_ground[h]}
        for g in groups:
            hosts = [] if is_open or g in holders else [h for h in allies[g] if h in holders]
            for h in hosts or [g]:
                out[n, idx[g], idx[h]] = 1.0 / max(len(hosts), 1)
    return out


def handler_operator(handler: np.ndarray) -> sp.csr_matrix:
    """The (N, G, G) handler matrix as a sparse (G*N, G*N) operator on group-major
    tonnes flattened from (R, G, N): mostly the identity, so cheap to apply each week."""
    n_n, n_g, _ = handler.shape
    n_idx, g_idx, h_idx = np.nonzero(handler)
    return sp.csr_matrix(
        (handler[n_idx, g_idx, h_idx], (g_idx * n_n + n_idx, h_idx * n_n + n_idx)),
        shape=(n_g * n_n, n_g * n_n),
    )


def faction_split(factions: list, times: np.ndarray) -> np.ndarray:
    """(T, G) 1 - 1/k_g: chance two kg of group g belong to two of its k_g factions.

    `factions` holds one `parameters.Series` (k >= 1, linear between dated points) per
    group; a fragmentation that goes on over years is a rising k.
    """
    if not factions:
        return np.zeros((len(times), 0))
    k = np.stack([f.at(times) for f in factions], axis=1)
    return 1.0 - 1.0 / k


def expected_homicides(
    node_group_kg: np.ndarray,
    rival: np.ndarray,
    flow_coef: float,
    contest_coef: float,
    split: np.ndarray | None = None,
    handler: sp.csr_matrix | None = None,
) -> np.ndarray:
    """(R, N) expected homicides this week from (R, G, N) kg per group and node.

    `rival` is (G, G) rivalry between groups, `split` (G,) rivalry inside each group
    (see `faction_split`; None for united groups), `handler` who moves whose cargo (the
    sparse operator of `handler_operator`; None when every group moves its own).
    """
    tonnes = node_group_kg / 1000.0
    if handler is not None:
        tonnes = np.asarray(tonnes.reshape(len(tonnes), -1) @ handler).reshape(tonnes.shape)
    total = tonnes.sum(axis=1)
    contested_sq = (tonnes * (rival @ tonnes)).sum(axis=1)  # sum_gh t_g rival_gh t_h
    if split is not None and split.any():
        contested_sq = contested_sq + np.einsum("g,rgn->rn", split, tonnes * tonnes)
    contested = np.divide(contested_sq, total, out=np.zeros_like(total), where=total > 0)
    return flow_coef * total + contest_coef * contested
