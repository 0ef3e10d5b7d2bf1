"""Violence: homicides at nodes driven by the flow through them and by rivalry over it.

Expected homicides per week at node n:

    lambda_n = flow_coef * F_n + contest_coef * F_n * sum_{g,h} s_gn * rival_gh * s_hn

with F_n the tonnes passing through n that week, s_gn group g's share of it and
rival_gh = 1 for two different groups that are not allied (0 otherwise): the second term
is the contested tonnage, the flow times the chance that two random kilograms belong to
rival groups (alliances may end at a date, turning allies into rivals). Recorded
homicides are Poisson draws. A country's total adds homicides
not driven by the trade in the model: `base_homicide_rate` per 100,000 people per year.
"""

from __future__ import annotations

import numpy as np


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


def expected_homicides(
    node_group_kg: np.ndarray, rival: np.ndarray, flow_coef: float, contest_coef: float
) -> np.ndarray:
    """(R, N) expected homicides this week from (R, G, N) kg per group and node."""
    tonnes = node_group_kg / 1000.0
    total = tonnes.sum(axis=1)
    contested_sq = (tonnes * (rival @ tonnes)).sum(axis=1)  # sum_gh t_g rival_gh t_h
    contested = np.divide(contested_sq, total, out=np.zeros_like(total), where=total > 0)
    return flow_coef * total + contest_coef * contested
