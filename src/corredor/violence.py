"""Violence: homicides at nodes driven by the flow through them and by rivalry over it.

Expected homicides per week at node n:

    lambda_n = flow_coef * F_n + contest_coef * C_n * K_n ** beta * I_n ** psi,
    C_n = F_n * sum_{g,h} s_gn * rival_gh * s_hn

with F_n the tonnes passing through n that week, s_gn group g's share of it and
rival_gh = 1 for two different groups that are not allied (0 otherwise): the second term
is the contested tonnage, the flow times the chance that two random kilograms belong to
rival groups (alliances may end at a date, turning allies into rivals). A group split
into k_g rival factions of equal size (`groups.NAME.factions`, dated) is k_g rivals:
its diagonal entry is rival_gg = 1 - 1/k_g, the chance that two of its kilograms belong
to different factions (0 for a united group).

K_n is the effective number of factions handling the flow at n, one over the Herfindahl
index of their shares (sum_g s_gn^2 / k_g), and beta (`violence.fragmentation_exponent`)
how the homicides per contested tonne grow with it: many small factions fight over more
frontiers, and no faction can deter the others. beta = 0 is contact alone; beta > 0
follows the finding that violence rose with the number of trafficking organisations
competing for the same ground (evidence param-fragmentation-exponent).

I_n is the wholesale price where the node lies relative to its reference (the mean over
the trading nodes of its country; 1 where there is none), and psi
(`violence.price_exponent`) how the violence over a contested tonne grows with its
value: when seizures make cocaine scarce, prices rise and the rents fought over grow
(Castillo, Mejia and Restrepo 2020), so enforcement can raise violence in the short run
while demand reduction, which lowers prices, lowers it.

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


def faction_count(factions: list, times: np.ndarray) -> np.ndarray:
    """(T, G) number of rival factions k_g of each group at `times` (1 = united).

    `factions` holds one `parameters.Series` (k >= 1, linear between dated points) per
    group; a fragmentation that goes on over years is a rising k.
    """
    if not factions:
        return np.ones((len(times), 0))
    return np.stack([f.at(times) for f in factions], axis=1)


def faction_split(k: np.ndarray) -> np.ndarray:
    """(…, G) 1 - 1/k_g: the chance that two kg of a group split into k_g equal factions
    belong to two different ones (0 for a united group)."""
    return 1.0 - 1.0 / np.asarray(k, dtype=float)


def expected_homicides(
    node_group_kg: np.ndarray,
    rival: np.ndarray,
    flow_coef: float,
    contest_coef: float,
    factions: np.ndarray | None = None,
    handler: sp.csr_matrix | None = None,
    exponent=0.0,
    price_index: np.ndarray | None = None,
    price_exponent=0.0,
) -> np.ndarray:
    """(R, N) expected homicides this week from (R, G, N) kg per group and node.

    `rival` is (G, G) rivalry between groups, `factions` (G,) the number of factions of
    each group (None: all united), `handler` who moves whose cargo (the sparse operator
    of `handler_operator`; None when every group moves its own), `exponent`
    (`violence.fragmentation_exponent`, float or (R, 1)) how the homicides per contested
    tonne grow with the effective number of factions at the node, `price_index` (R|1, N)
    the local price relative to its reference and `price_exponent` (float or (R, 1)) its
    weight (module docstring).
    """
    tonnes = node_group_kg / 1000.0
    if handler is not None:
        tonnes = np.asarray(tonnes.reshape(len(tonnes), -1) @ handler).reshape(tonnes.shape)
    total = tonnes.sum(axis=1)
    contested_sq = (tonnes * (rival @ tonnes)).sum(axis=1)  # sum_gh t_g rival_gh t_h
    k = np.ones(tonnes.shape[1]) if factions is None else np.asarray(factions, dtype=float)
    squares = tonnes * tonnes
    if np.any(k > 1):
        contested_sq = contested_sq + (faction_split(k)[:, None] * squares).sum(axis=1)
    contested = np.divide(contested_sq, total, out=np.zeros_like(total), where=total > 0)
    intensity = 1.0
    if np.any(np.asarray(exponent) != 0):
        # effective number of factions: 1 / Herfindahl index of the factions' shares
        hhi_sq = (squares / k[:, None]).sum(axis=1)  # sum_g t_g^2 / k_g = T^2 * HHI
        n_eff = np.divide(total * total, hhi_sq, out=np.ones_like(total), where=hhi_sq > 0)
        intensity = n_eff ** np.asarray(exponent)
    if price_index is not None and np.any(np.asarray(price_exponent) != 0):
        intensity = intensity * price_index ** np.asarray(price_exponent)
    return flow_coef * total + contest_coef * contested * intensity
