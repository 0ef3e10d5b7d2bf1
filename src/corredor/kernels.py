"""Compiled inner loops (numba) for the per-week phases the profile shows dominate.

Routes are stored flat: the hops of route p are positions route_start[p] to
route_start[p + 1] - 1 of the route-hop arrays. Each kernel loops over replicates and
routes once, skipping routes with nothing on them, instead of building
(replicate x route x hop) arrays in numpy. Loops are serial: results are bit-for-bit
reproducible and the parallelism lives one level up (replicates, ensembles, workers).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Wants smaller than this (kg per route and week) are not sent: they stay in stock. Routes
# with a negligible share then cost nothing in the kernels.
MIN_SHIPMENT_KG = 1e-6


@njit(cache=True, nogil=True)
def route_min(values, rh_index, route_start):  # pragma: no cover - compiled
    """(R, P) minimum of values[r, rh_index[j]] over each route's hops."""
    n_r = values.shape[0]
    n_p = route_start.shape[0] - 1
    out = np.empty((n_r, n_p))
    for r in range(n_r):
        for p in range(n_p):
            m = np.inf
            for j in range(route_start[p], route_start[p + 1]):
                v = values[r, rh_index[j]]
                if v < m:
                    m = v
            out[r, p] = m
    return out


@njit(cache=True, nogil=True)
def route_sum(values, rh_index, route_start):  # pragma: no cover - compiled
    """(R, P) sum of values[r, rh_index[j]] over each route's hops."""
    n_r = values.shape[0]
    n_p = route_start.shape[0] - 1
    out = np.zeros((n_r, n_p))
    for r in range(n_r):
        for p in range(n_p):
            s = 0.0
            for j in range(route_start[p], route_start[p + 1]):
                s += values[r, rh_index[j]]
            out[r, p] = s
    return out


@njit(cache=True, nogil=True)
def transit(
    sent,
    survive,
    route_start,
    rh_edge,
    rh_to,
    rh_new_country,
    route_group,
    route_origin,
    route_origin_country,
    n_groups,
    n_nodes,
    n_countries,
):  # pragma: no cover - compiled
    """Carry each route's cargo hop by hop and accumulate what the week records.

    sent: (R, P) kg dispatched; survive: (R, E) share of what enters an edge that leaves
    it (not interdicted, not lost). Returns
    flow (R, E) kg entering each edge; arrived (R, P) kg reaching the market;
    own (R, G*E) kg each group sent into each edge; node_group (R, G*N) kg each group
    passed through each node (dispatch at the origin, arrivals elsewhere);
    transit (R, C) kg entering each country (origin country at dispatch, then the first
    edge into each new country, counted before interdiction on that edge);
    by_origin (R, C*C) the same split by the route's origin country (origin * C + country).
    A route leaving a wholesale market (origin country -1) counts neither its start (the
    cargo was counted when it arrived there) nor by origin (pooled stock has none).
    """
    n_r, n_p = sent.shape
    n_e = survive.shape[1]
    flow = np.zeros((n_r, n_e))
    arrived = np.zeros((n_r, n_p))
    own = np.zeros((n_r, n_groups * n_e))
    node_group = np.zeros((n_r, n_groups * n_nodes))
    country = np.zeros((n_r, n_countries))
    by_origin = np.zeros((n_r, n_countries * n_countries))
    for r in range(n_r):
        for p in range(n_p):
            a = sent[r, p]
            if a <= 0.0:
                continue
            g = route_group[p]
            oc = route_origin_country[p]
            if oc >= 0:  # leaving a production area (from a market: counted on arrival)
                node_group[r, g * n_nodes + route_origin[p]] += a
                country[r, oc] += a
                by_origin[r, oc * n_countries + oc] += a
            for j in range(route_start[p], route_start[p + 1]):
                e = rh_edge[j]
                flow[r, e] += a
                own[r, g * n_e + e] += a
                c = rh_new_country[j]
                if c >= 0:
                    country[r, c] += a
                    if oc >= 0:
                        by_origin[r, oc * n_countries + c] += a
                a *= survive[r, e]
                node_group[r, g * n_nodes + rh_to[j]] += a
            arrived[r, p] = a
    return flow, arrived, own, node_group, country, by_origin


@njit(cache=True, nogil=True)
def dispatch(offered, shares, capacity, block_start, route_bounds, rh_edge, passes):
    """Send each block's offered stock down its routes without exceeding edge capacity.

    offered: (R, B) kg each (group, origin) block offers this week; shares: (R, P) its
    split over routes (summing to 1 within a block). In each pass, what routes want is
    scaled down on edges that would overflow; what full routes could not take is offered
    again to the block's routes that still have room, in proportion to their shares.
    Returns sent (R, P) kg and what is left of each block's offer (R, B).
    """  # pragma: no cover - compiled
    n_r, n_b = offered.shape
    n_p = shares.shape[1]
    n_e = capacity.shape[0]
    sent = np.zeros((n_r, n_p))
    left = offered.copy()
    room = np.empty(n_e)
    intended = np.empty(n_e)
    open_share = np.empty(n_p)
    want = np.empty(n_p)
    scale = np.empty(n_p)
    for r in range(n_r):
        room[:] = capacity
        open_share[:] = shares[r]
        for _ in range(passes):
            constrained = False
            intended[:] = 0.0
            for b in range(n_b):
                end = block_start[b + 1] if b + 1 < n_b else n_p
                for p in range(block_start[b], end):
                    want[p] = left[r, b] * open_share[p]
                    if want[p] < MIN_SHIPMENT_KG:  # negligible: stays in stock
                        want[p] = 0.0
                    if want[p] > 0.0:
                        for j in range(route_bounds[p], route_bounds[p + 1]):
                            intended[rh_edge[j]] += want[p]
            for b in range(n_b):
                end = block_start[b + 1] if b + 1 < n_b else n_p
                total_open = 0.0
                for p in range(block_start[b], end):
                    s = 1.0
                    if want[p] == 0.0:
                        scale[p] = s
                        continue
                    for j in range(route_bounds[p], route_bounds[p + 1]):
                        e = rh_edge[j]
                        if intended[e] > room[e]:
                            s = min(s, room[e] / intended[e])
                    scale[p] = s
                    if s < 1.0 and want[p] > 0.0:
                        constrained = True
                got_block = 0.0
                for p in range(block_start[b], end):
                    got = want[p] * scale[p]
                    sent[r, p] += got
                    got_block += got
                    if scale[p] >= 1.0:
                        total_open += shares[r, p]
                for p in range(block_start[b], end):
                    open_share[p] = (
                        shares[r, p] / total_open if (scale[p] >= 1.0 and total_open > 0.0) else 0.0
                    )
                left[r, b] = max(left[r, b] - got_block, 0.0)
            # capacity used this pass
            for p in range(n_p):
                got = want[p] * scale[p]
                if got > 0.0:
                    for j in range(route_bounds[p], route_bounds[p + 1]):
                        e = rh_edge[j]
                        room[e] = max(room[e] - got, 0.0)
            if not constrained:  # everything offered fitted: later passes would add nothing
                break
    return sent, left


@njit(cache=True, nogil=True)
def block_shares(value, block_start, sharpness, floor):
    """(R, P) shares proportional to max(value, floor)**sharpness[r] within each block."""
    n_r, n_p = value.shape
    n_b = block_start.shape[0]
    out = np.empty((n_r, n_p))
    for r in range(n_r):
        for b in range(n_b):
            end = block_start[b + 1] if b + 1 < n_b else n_p
            top = -np.inf
            for p in range(block_start[b], end):
                u = sharpness[r] * np.log(max(value[r, p], floor))
                out[r, p] = u
                if u > top:
                    top = u
            total = 0.0
            for p in range(block_start[b], end):
                w = np.exp(out[r, p] - top)
                out[r, p] = w
                total += w
            for p in range(block_start[b], end):
                out[r, p] /= total
    return out


@njit(cache=True, nogil=True)
def learn(alpha, beta, own_kg, frac, frac_struck, load, deterrence, weight):
    """Add this week's own observations to every group's edge beliefs (in place).

    own_kg: (R, G*E) kg each group sent into each edge; a shipment is `load` kg. Counts
    are stored multiplied by `weight[r]` = decay_r**(-week), so discounting the past costs
    nothing: alpha / (alpha + beta) is unchanged by a common factor. `deterrence` (R,)
    is the extra weight of a struck shipment.
    """  # pragma: no cover - compiled
    n_r, n_ge = own_kg.shape
    n_e = load.shape[0]
    for r in range(n_r):
        for k in range(n_ge):
            kg = own_kg[r, k]
            if kg <= 0.0:
                continue
            e = k % n_e
            n = kg / load[e] * weight[r]
            alpha[r, k] += n * (frac[r, e] + deterrence[r] * frac_struck[r, e])
            beta[r, k] += n * (1.0 - frac[r, e])


@njit(cache=True, nogil=True)
def route_risks(belief_hz, seen, strike_hz, rh_belief, rh_edge, route_start):
    """(R, P) perceived risk and strike risk of every route in one pass over its hops.

    belief_hz: (R, G*E) learned hazard of each group on each edge, scaled on each edge
    by `seen` (R|1, E), the visible presence; strike_hz: (R, E) public strike hazard.
    A route's risk is 1 - exp(-sum of its hops' hazards).
    """  # pragma: no cover - compiled
    n_r = belief_hz.shape[0]
    n_p = route_start.shape[0] - 1
    one = seen.shape[0] == 1
    risk = np.empty((n_r, n_p))
    struck = np.empty((n_r, n_p))
    for r in range(n_r):
        rs = 0 if one else r
        for p in range(n_p):
            h = 0.0
            s = 0.0
            for j in range(route_start[p], route_start[p + 1]):
                e = rh_edge[j]
                h += belief_hz[r, rh_belief[j]] * seen[rs, e]
                s += strike_hz[r, e]
            risk[r, p] = -np.expm1(-h)
            struck[r, p] = -np.expm1(-s)
    return risk, struck


@njit(cache=True, nogil=True)
def expected_homicides(
    node_group, handler, rival, factions, flow_coef, contest_coef, exponent, price, psi
):  # pragma: no cover - compiled
    """(R, N) expected homicides of `violence.expected_homicides`, in one pass.

    node_group: (R, G, N) kg each group moved through each node; handler: (N, G, G) share
    of g's tonnes at n moved by h; rival: (G, G); factions: (G,) rival factions of each
    group; flow_coef, contest_coef, exponent, psi: (R,) per replicate; price: (R|1, N)
    the local price index. The reference implementation in numpy is
    `violence.expected_homicides` (a test checks they agree).
    """
    n_r, n_g, n_n = node_group.shape
    out = np.zeros((n_r, n_n))
    moved = np.empty(n_g)
    one = price.shape[0] == 1
    for r in range(n_r):
        rp = 0 if one else r
        for n in range(n_n):
            total = 0.0
            for h in range(n_g):
                moved[h] = 0.0
            for g in range(n_g):
                kg = node_group[r, g, n]
                if kg <= 0.0:
                    continue
                for h in range(n_g):
                    w = handler[n, g, h]
                    if w != 0.0:
                        moved[h] += kg * w / 1000.0
            for h in range(n_g):
                total += moved[h]
            if total <= 0.0:
                continue
            contested_sq = 0.0
            hhi_sq = 0.0
            for g in range(n_g):
                tg = moved[g]
                if tg == 0.0:
                    continue
                for h in range(n_g):
                    contested_sq += tg * rival[g, h] * moved[h]
                contested_sq += (1.0 - 1.0 / factions[g]) * tg * tg
                hhi_sq += tg * tg / factions[g]
            intensity = 1.0
            if exponent[r] != 0.0 and hhi_sq > 0.0:
                intensity = (total * total / hhi_sq) ** exponent[r]
            if psi[r] != 0.0:
                intensity *= price[rp, n] ** psi[r]
            out[r, n] = flow_coef[r] * total + contest_coef[r] * contested_sq / total * intensity
    return out


@njit(cache=True, nogil=True)
def perceive(
    alpha,
    beta,
    prior,
    det_hazard,
    usual,
    visibility,
    strike_rate,
    rh_belief,
    rh_edge,
    route_bounds,
    price,
    sell_trade,
    buy_trade,
    keep,
    deterrence,
    cost,
    premium,
    markup,
    block_start,
    sharpness,
    floor,
    belief_floor,
):  # pragma: no cover - compiled
    """The perceive phase in one pass (`Simulation.route_choice` describes it).

    Returns risk, value, shares (R, P) and each block's share-weighted value (R, B).
    `prior`, `det_hazard` may have one row for all replicates; the others are per
    replicate ((R,) parameters). The numpy reference is `Simulation.route_choice_reference`
    (a test checks they agree).
    """
    n_r = alpha.shape[0]
    n_e = usual.shape[1]
    n_p = route_bounds.shape[0] - 1
    n_b = block_start.shape[0]
    risk = np.empty((n_r, n_p))
    value = np.empty((n_r, n_p))
    shares = np.empty((n_r, n_p))
    block_value = np.zeros((n_r, n_b))
    seen = np.empty(n_e)
    for r in range(n_r):
        rp = 0 if prior.shape[0] == 1 else r
        rd = 0 if det_hazard.shape[0] == 1 else r
        for e in range(n_e):
            u = usual[r, e]
            ratio = det_hazard[rd, e] / u if u > 0.0 else 1.0
            seen[e] = 1.0 + visibility[r] * (ratio - 1.0)
        for p in range(n_p):
            h = 0.0
            s = 0.0
            for j in range(route_bounds[p], route_bounds[p + 1]):
                e = rh_edge[j]
                k = rh_belief[j]
                b = (alpha[r, k] + belief_floor * prior[rp, k]) / (
                    alpha[r, k] + beta[r, k] + belief_floor
                )
                b = min(b, 1.0 - 1e-12)
                h += -np.log1p(-b) * seen[e]
                sr = min(strike_rate[r, e], 1.0 - 1e-12)
                s += -np.log1p(-sr)
            q = -np.expm1(-h)
            d = -np.expm1(-s)
            risk[r, p] = q
            sell = price[r, sell_trade[p]]
            gross = sell * ((1.0 - q) * keep[p] - deterrence[r] * d) - cost[p] - premium[p]
            value[r, p] = gross / (1.0 + markup[r])
        for b_i in range(n_b):
            end = block_start[b_i + 1] if b_i + 1 < n_b else n_p
            top = -np.inf
            for p in range(block_start[b_i], end):
                net = value[r, p] - price[r, buy_trade[p]]
                u = sharpness[r] * np.log(max(net, floor))
                shares[r, p] = u
                if u > top:
                    top = u
            total = 0.0
            for p in range(block_start[b_i], end):
                w = np.exp(shares[r, p] - top)
                shares[r, p] = w
                total += w
            v = 0.0
            for p in range(block_start[b_i], end):
                shares[r, p] /= total
                v += shares[r, p] * value[r, p]
            block_value[r, b_i] = v
    return risk, value, shares, block_value
