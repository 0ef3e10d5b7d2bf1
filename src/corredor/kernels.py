"""Compiled inner loops (numba) of the weekly phases.

Routes are stored flat: the hops of route p are positions route_start[p] to
route_start[p + 1] - 1 of the route-hop arrays. Each kernel loops over replicates and
routes once, skipping routes with nothing on them, instead of building
(replicate x route x hop) arrays in numpy.

The heaviest phases (perceive, dispatch, transit, homicides; record too, serial only)
are written as one body per replicate, `_x_replicate(r, ...)`, which reads and writes
only row r of the arrays that vary by replicate, and two drivers: a serial loop, and
`_x_parallel`, the same loop as numba's `prange` over replicates. A replicate's
arithmetic does not depend on which thread runs it, so both give the same bits; the
engine chooses (`threads`). The public kernel runs the parallel driver when given
`pool=True`; called without `pool`, it is compiled without it (numba prunes the
branch), so a serial run never pays the parallel drivers' compilation.

The first kernels are the building blocks and numpy references' companions (route
sums, capacity-filling dispatch, shares, learning, homicides); the section "the weekly
phases, fused" holds what the engine's phases call each week.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# Wants smaller than this (kg per route and week) are not sent: they stay in stock. Routes
# with a negligible share then cost nothing in the kernels.
MIN_SHIPMENT_KG = 1e-6


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
    """Carry each route's cargo hop by hop and accumulate what the week records (the
    dense form of `transit_week`'s route walk, kept as its reference).

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
        for pass_ in range(passes):
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
            overflow = False  # no edge over capacity: every route's scale is 1
            for e in range(n_e):
                if intended[e] > room[e]:
                    overflow = True
                    break
            for b in range(n_b):
                end = block_start[b + 1] if b + 1 < n_b else n_p
                total_open = 0.0
                for p in range(block_start[b], end):
                    s = 1.0
                    if want[p] == 0.0 or not overflow:
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
            if not constrained or pass_ == passes - 1:
                break  # everything offered fitted, or no pass left: room is not needed
            # capacity used this pass
            for p in range(n_p):
                got = want[p] * scale[p]
                if got > 0.0:
                    for j in range(route_bounds[p], route_bounds[p + 1]):
                        e = rh_edge[j]
                        room[e] = max(room[e] - got, 0.0)
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


# -- the weekly phases, fused ----------------------------------------------------------
# The kernels below do in one compiled call what a phase did in a run of numpy calls,
# with every floating-point operation in the same order, so a seeded run gives the same
# numbers bit for bit (tests/test_week_kernels.py checks each against the numpy it
# replaces). Two rules keep it so: transcendental functions (exp, log, powers) that the
# numpy code evaluated stay in numpy, between kernels, because numpy may use its own
# SIMD versions where numba calls the C library; and sums follow numpy's order:
# `_pairwise` is numpy's pairwise summation of a contiguous row (`x.sum(axis=-1)`),
# `_segment_sum` that of `np.add.reduceat`, `incidence_apply` scipy's CSR product.
# A product may also walk the routes one by one (the incidence given route by route,
# `engine.Incidence.by_route`): each output still adds its routes in route order, and
# routes that moved nothing are skipped, their terms being exact zeros (a sum starting
# at +0.0 is unchanged by adding 0.0) - on large networks most routes are idle in a week.
# Arrays of shape (R|1, ...) are per replicate or shared by all (row 0).


@njit(cache=True, nogil=True)
def _pairwise_block(x, r, lo, n):  # pragma: no cover - compiled
    """numpy's pairwise sum of x[r, lo:lo + n] for n <= 128: 8 accumulators."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += x[r, lo + i]
        return res
    r0 = x[r, lo]
    r1 = x[r, lo + 1]
    r2 = x[r, lo + 2]
    r3 = x[r, lo + 3]
    r4 = x[r, lo + 4]
    r5 = x[r, lo + 5]
    r6 = x[r, lo + 6]
    r7 = x[r, lo + 7]
    i = 8
    last = n - n % 8
    while i < last:
        r0 += x[r, lo + i]
        r1 += x[r, lo + i + 1]
        r2 += x[r, lo + i + 2]
        r3 += x[r, lo + i + 3]
        r4 += x[r, lo + i + 4]
        r5 += x[r, lo + i + 5]
        r6 += x[r, lo + i + 6]
        r7 += x[r, lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += x[r, lo + i]
        i += 1
    return res


@njit(cache=True, nogil=True)
def _pairwise(x, r, lo, n):  # pragma: no cover - compiled
    """numpy's pairwise sum of x[r, lo:lo + n]: blocks of at most 128, halves (cut at a
    multiple of 8) summed recursively; here with an explicit stack (numba caches no
    recursive function)."""
    if n <= 128:
        return _pairwise_block(x, r, lo, n)
    s_lo = np.empty(64, dtype=np.int64)
    s_n = np.empty(64, dtype=np.int64)
    s_state = np.empty(64, dtype=np.int64)
    vals = np.empty(64)
    s_lo[0], s_n[0], s_state[0] = lo, n, 0
    top, nv = 1, 0
    while top > 0:
        i = top - 1
        size = s_n[i]
        if size <= 128:
            vals[nv] = _pairwise_block(x, r, s_lo[i], size)
            nv += 1
            top -= 1
            continue
        half = size // 2
        half -= half % 8
        if s_state[i] == 0:  # left half first
            s_state[i] = 1
            s_lo[top], s_n[top], s_state[top] = s_lo[i], half, 0
            top += 1
        elif s_state[i] == 1:  # then the right half
            s_state[i] = 2
            s_lo[top], s_n[top], s_state[top] = s_lo[i] + half, size - half, 0
            top += 1
        else:  # both done: left + right
            vals[nv - 2] = vals[nv - 2] + vals[nv - 1]
            nv -= 1
            top -= 1
    return vals[0]


@njit(cache=True, nogil=True)
def _rowsum(x, r):  # pragma: no cover - compiled
    """x[r].sum() as numpy computes it (x 2-D, rows contiguous)."""
    return 0.0 + _pairwise(x, r, 0, x.shape[1])


@njit(cache=True, nogil=True)
def _segment_sum(x, r, start, end):  # pragma: no cover - compiled
    """np.add.reduceat's sum of x[r, start:end]: the first element plus the rest."""
    if end - start == 1:
        return x[r, start]
    return x[r, start] + _pairwise(x, r, start + 1, end - start - 1)


@njit(cache=True, nogil=True)
def _nonneg(v):  # pragma: no cover - compiled
    """np.maximum(v, 0.0) (keeps NaN and a zero's sign as numpy does)."""
    return v if (v >= 0.0 or v != v) else 0.0


@njit(cache=True, nogil=True)
def incidence_apply(indptr, indices, data, x, out):  # pragma: no cover - compiled
    """out (R, n) = x (R, m) @ M for a sparse M given as the CSR form (n, m) of its
    transpose (`engine.Incidence.t`): each output summed in CSR order, as scipy does."""
    n_r = x.shape[0]
    n = indptr.shape[0] - 1
    for r in range(n_r):
        for i in range(n):
            acc = 0.0
            for jj in range(indptr[i], indptr[i + 1]):
                acc += data[jj] * x[r, indices[jj]]
            out[r, i] = acc


@njit(cache=True, nogil=True)
def credit_countries(per_edge, credit, source_country, n_countries):  # pragma: no cover
    """(K, R, C) quantities on edges (K, R, E) credited to countries with the shares
    `credit` (R|1, S, E) of each source, whose country is source_country (S, E): the
    engine's `(per_edge * credit) @ credit_matrix`, in scipy's order."""
    n_k, n_r, n_e = per_edge.shape
    n_s = credit.shape[1]
    out = np.zeros((n_k, n_r, n_countries))
    edges = np.empty(n_e, dtype=np.int64)
    for k in range(n_k):
        for r in range(n_r):
            rc = 0 if credit.shape[0] == 1 else r
            # an edge with nothing on it adds 0: skip it (finite values, sums unchanged)
            n = 0
            for e in range(n_e):
                if per_edge[k, r, e] != 0.0:
                    edges[n] = e
                    n += 1
            for s in range(n_s):
                for i in range(n):
                    e = edges[i]
                    out[k, r, source_country[s, e]] += per_edge[k, r, e] * credit[rc, s, e]
    return out


@njit(cache=True, nogil=True)
def produce_stocks(
    stock,
    retail_stock,
    holding_loss,
    block_trade,
    base,
    response,
    noise,
    produced,
    area_of_block,
    block_weight,
    lost_here,
    held_lost,
):  # pragma: no cover - compiled
    """The produce phase's stock keeping, in place: each area's output produced (R, A) =
    base (R|1, A) x response x noise (R, A); every stock loses `holding_loss` (R,) of
    itself (lost_here (R, Tn) by trading node, held_lost (R,) in all), then each
    production block gains its weight (B,) of its area's output."""
    n_r, n_b = stock.shape
    n_t = lost_here.shape[1]
    n_m = retail_stock.shape[1]
    n_a = produced.shape[1]
    one_b = base.shape[0] == 1
    for r in range(n_r):
        rb = 0 if one_b else r
        for a in range(n_a):
            produced[r, a] = base[rb, a] * response[r, a] * noise[r, a]
        h = holding_loss[r]
        for i in range(n_t):
            lost_here[r, i] = 0.0
        for b in range(n_b):
            lost_here[r, block_trade[b]] += stock[r, b]
        for m in range(n_m):
            lost_here[r, n_t - n_m + m] = retail_stock[r, m]
        for i in range(n_t):
            lost_here[r, i] = h * lost_here[r, i]
        held_lost[r] = _rowsum(lost_here, r)
        keep = 1.0 - h
        for b in range(n_b):
            stock[r, b] *= keep
        for m in range(n_m):
            retail_stock[r, m] *= keep
        for b in range(n_b):
            stock[r, b] += produced[r, area_of_block[b]] * block_weight[b]


@njit(cache=True, nogil=True)
def seize_at_origin(stock, share, taken):  # pragma: no cover - compiled
    """Seizures at origin, in place: taken (R, B) = stock x share (R|1, B) of each
    stock; the stock loses it."""
    n_r, n_b = stock.shape
    one = share.shape[0] == 1
    for r in range(n_r):
        rs = 0 if one else r
        for b in range(n_b):
            x = stock[r, b] * share[rs, b]
            taken[r, b] = x
            stock[r, b] -= x


@njit(cache=True, nogil=True)
def _fill_replicate(
    r, offered, shares, capacity, block_start, route_bounds, rh_edge, passes, sent
):  # pragma: no cover - compiled
    """`dispatch` for replicate r, into sent[r] (reads and writes no other replicate's
    rows). The same arithmetic in the same order, in fewer sweeps over the route hops:
    the capacity a pass used comes off `room` in the next pass's first sweep (each
    edge's room still loses its routes' cargo in route order, before it is read), and
    each overflowing edge's room / intended is taken once, not once per hop through it
    (min over a route's hops is the same whatever order, and 1.0 stands for an edge that
    does not overflow: scales start at 1). The shares a pass re-offers (each open
    route's share over the block's open total) are taken in the next pass's first
    sweep, so the last pass computes none."""
    n_b = offered.shape[1]
    n_p = shares.shape[1]
    n_e = capacity.shape[0]
    left = offered[r].copy()
    room = capacity.copy()
    intended = np.empty(n_e)
    ratio = np.empty(n_e)
    total_open = np.empty(n_b)  # each block's open shares in the last pass
    want = np.empty(n_p)
    used = np.zeros(n_p)  # what each route got in the last pass: still to come off room
    for p in range(n_p):
        sent[r, p] = 0.0
    for pass_ in range(passes):
        constrained = False
        intended[:] = 0.0
        for b in range(n_b):
            end = block_start[b + 1] if b + 1 < n_b else n_p
            tot = total_open[b]
            for p in range(block_start[b], end):
                if pass_ == 0:
                    share = shares[r, p]
                else:  # want holds the route's scale in the last pass
                    share = shares[r, p] / tot if (want[p] >= 1.0 and tot > 0.0) else 0.0
                w = left[b] * share
                if w < MIN_SHIPMENT_KG:  # negligible: stays in stock
                    w = 0.0
                want[p] = w
                g = used[p]
                if w > 0.0 or g > 0.0:
                    for j in range(route_bounds[p], route_bounds[p + 1]):
                        e = rh_edge[j]
                        if g > 0.0:
                            room[e] = max(room[e] - g, 0.0)
                        if w > 0.0:
                            intended[e] += w
        overflow = False  # no edge over capacity: every route's scale is 1
        for e in range(n_e):
            if intended[e] > room[e]:
                ratio[e] = room[e] / intended[e]
                overflow = True
            else:
                ratio[e] = 1.0
        for b in range(n_b):
            end = block_start[b + 1] if b + 1 < n_b else n_p
            tot = 0.0
            got_block = 0.0
            for p in range(block_start[b], end):
                s = 1.0
                if want[p] != 0.0 and overflow:
                    for j in range(route_bounds[p], route_bounds[p + 1]):
                        s = min(s, ratio[rh_edge[j]])
                    if s < 1.0:
                        constrained = True
                got = want[p] * s
                used[p] = got
                sent[r, p] += got
                got_block += got
                if s >= 1.0:
                    tot += shares[r, p]
                want[p] = s  # (want is not read again this pass: keep the scale)
            total_open[b] = tot
            left[b] = max(left[b] - got_block, 0.0)
        if not constrained or pass_ == passes - 1:
            break  # everything offered fitted, or no pass left: room is not needed


@njit(cache=True, nogil=True)
def _dispatch_replicate(
    r,
    ship,
    stock,
    shares,
    capacity,
    block_start,
    route_bounds,
    rh_edge,
    passes,
    stock_before,
    offered,
    block_out,
    sent,
):  # pragma: no cover - compiled
    """`dispatch_week` for replicate r."""
    n_b = stock.shape[1]
    n_p = shares.shape[1]
    for b in range(n_b):
        stock_before[r, b] = stock[r, b]
        offered[r, b] = ship[r, b] * stock[r, b]
    _fill_replicate(r, offered, shares, capacity, block_start, route_bounds, rh_edge, passes, sent)
    for b in range(n_b):
        end = block_start[b + 1] if b + 1 < n_b else n_p
        out = _segment_sum(sent, r, block_start[b], end)
        block_out[r, b] = out
        stock[r, b] = _nonneg(stock[r, b] - out)


@njit(cache=True, nogil=True)
def dispatch_week(
    ship,
    stock,
    shares,
    capacity,
    block_start,
    route_bounds,
    rh_edge,
    passes,
    stock_before,
    offered,
    block_out,
    pool=None,
):  # pragma: no cover - compiled
    """The dispatch phase: each block offers `ship` (R, B) of its stock, sent down its
    routes within capacity (`dispatch`, in `_fill_replicate`'s fewer sweeps); block_out
    (R, B) is what left each block and comes off its stock. Returns sent (R, P)."""
    n_r = stock.shape[0]
    sent = np.empty((n_r, shares.shape[1]))
    args = (
        ship,
        stock,
        shares,
        capacity,
        block_start,
        route_bounds,
        rh_edge,
        passes,
        stock_before,
        offered,
        block_out,
        sent,
    )
    if pool is not None:  # (None: this branch is not compiled)
        _dispatch_parallel(n_r, *args)
    else:
        for r in range(n_r):
            _dispatch_replicate(r, *args)
    return sent


@njit(cache=True, nogil=True, parallel=True)
def _dispatch_parallel(n_r, *args):  # pragma: no cover - compiled
    """`_dispatch_replicate` for every replicate, on the numba thread pool."""
    for r in prange(n_r):
        _dispatch_replicate(np.int64(r), *args)  # (prange's index may be unsigned)


@njit(cache=True, nogil=True)
def shipments_and_detection(
    sent,
    edge_indptr,
    edge_indices,
    edge_data,
    load,
    uniform,
    p_detect,
    strike_share,
    credit0,
    effort,
    handling,
    swamp,
    domain,
    n_domains,
    shipments,
    p_eff,
    where,
    n_out,
    p_out,
    share_out,
):  # pragma: no cover - compiled
    """Shipments on every edge and their chance of detection, in one pass.

    kg per edge from sent (R, P) (the route-edge incidence, CSR of its transpose);
    whole shipments of `load` kg rounded at random with `uniform` (R, E)
    (`interdiction.shipment_counts`); detection p_detect (R|1, E) swamped when `swamp`
    (`interdiction.swamped`, handling (R,) effort-weeks per detection, effort (R|1, E),
    credit0 (R|1, E) the base detection's share); the strikes' share of detections.
    Writes shipments (R, E) and p_eff (R, E), and for the edges with shipments (flat
    index r * E + e, in C order) their count, detection and strike share: the inputs of
    the week's binomial draws, which return 0 without drawing for no shipment. Returns
    how many. (`shipments_week` is the same from the routes' hops, skipping idle routes.)
    """
    n_r = sent.shape[0]
    n_e = load.shape[0]
    load_e = np.empty(n_e)
    scratch = (np.empty(n_e), np.empty(n_domains))
    k = 0
    for r in range(n_r):
        for e in range(n_e):
            acc = 0.0
            for jj in range(edge_indptr[e], edge_indptr[e + 1]):
                acc += edge_data[jj] * sent[r, edge_indices[jj]]
            load_e[e] = acc
        k = _shipments_replicate(
            r,
            load_e,
            load,
            uniform,
            p_detect,
            strike_share,
            credit0,
            effort,
            handling,
            swamp,
            domain,
            shipments,
            p_eff,
            where,
            n_out,
            p_out,
            share_out,
            k,
            *scratch,
        )
    return k


@njit(cache=True, nogil=True)
def shipments_week(
    sent,
    route_bounds,
    rh_edge,
    load,
    uniform,
    p_detect,
    strike_share,
    credit0,
    effort,
    handling,
    swamp,
    domain,
    n_domains,
    shipments,
    p_eff,
    where,
    n_out,
    p_out,
    share_out,
):  # pragma: no cover - compiled
    """`shipments_and_detection` with each edge's kg summed from the routes' hops:
    walking the routes in order adds each edge's cargo in the order of the incidence
    product (route by route) and skips the routes that sent nothing, whose terms
    (1.0 x 0.0) leave a sum unchanged (it starts at +0.0, and x + 0.0 is x). On large
    networks most routes are idle in a given week."""
    n_r, n_p = sent.shape
    n_e = load.shape[0]
    load_e = np.empty(n_e)
    scratch = (np.empty(n_e), np.empty(n_domains))
    k = 0
    for r in range(n_r):
        for e in range(n_e):
            load_e[e] = 0.0
        for p in range(n_p):
            a = sent[r, p]
            if a != 0.0:
                for j in range(route_bounds[p], route_bounds[p + 1]):
                    load_e[rh_edge[j]] += a
        k = _shipments_replicate(
            r,
            load_e,
            load,
            uniform,
            p_detect,
            strike_share,
            credit0,
            effort,
            handling,
            swamp,
            domain,
            shipments,
            p_eff,
            where,
            n_out,
            p_out,
            share_out,
            k,
            *scratch,
        )
    return k


@njit(cache=True, nogil=True)
def _shipments_replicate(
    r,
    load_e,
    load,
    uniform,
    p_detect,
    strike_share,
    credit0,
    effort,
    handling,
    swamp,
    domain,
    shipments,
    p_eff,
    where,
    n_out,
    p_out,
    share_out,
    k,
    p_agency,
    by_domain,
):  # pragma: no cover - compiled
    """Replicate r's shipments and detection from its kg per edge load_e (E,), the
    draws' inputs written from position k on; returns the next position."""
    n_e = load.shape[0]
    rp = 0 if p_detect.shape[0] == 1 else r
    rf = 0 if effort.shape[0] == 1 else r
    for e in range(n_e):
        expected = load_e[e] / load[e]
        whole = np.floor(expected)
        up = 1.0 if uniform[r, e] < expected - whole else 0.0
        shipments[r, e] = np.int64(whole + up)
    if swamp:
        for d in range(by_domain.shape[0]):
            by_domain[d] = 0.0
        for e in range(n_e):
            free = credit0[rp, e] * (1.0 - strike_share[rp, e]) + strike_share[rp, e]
            p_agency[e] = p_detect[rp, e] * (1.0 - free)
            by_domain[domain[e]] += p_agency[e] * shipments[r, e]
        for e in range(n_e):
            work = handling[r] * by_domain[domain[e]]
            f = effort[rf, e]
            ratio = work / f if f > 0 else 0.0
            p_eff[r, e] = p_detect[rp, e] - p_agency[e] + p_agency[e] / (1.0 + ratio)
    else:
        for e in range(n_e):
            p_eff[r, e] = p_detect[rp, e]
    for e in range(n_e):
        if shipments[r, e] > 0:
            p = p_eff[r, e]
            share = strike_share[rp, e] * p_detect[rp, e] / max(p, 1e-300)
            where[k] = r * n_e + e
            n_out[k] = shipments[r, e]
            p_out[k] = p
            share_out[k] = min(share, 1.0)
            k += 1
    return k


@njit(cache=True, nogil=True)
def strike_candidates(detected_c, share, n, det_out, share_out):  # pragma: no cover
    """The inputs of the week's strike draws: the detections detected_c and strike
    shares of the n edges with shipments where a strike is possible (something detected,
    a share above 0), in order, into det_out and share_out; returns how many."""
    m = 0
    for i in range(n):
        if detected_c[i] > 0 and share[i] > 0.0:
            det_out[m] = detected_c[i]
            share_out[m] = share[i]
            m += 1
    return m


@njit(cache=True, nogil=True)
def scatter_counts(where, n, detected_c, share, struck_c, detected, struck):  # pragma: no cover
    """Full (R, E) detected and struck shipments from the draws on edges with shipments
    (struck_c has one value for each edge of `strike_candidates`, in order). Returns
    whether any shipment was struck."""
    n_e = detected.shape[1]
    detected[:] = 0
    struck[:] = 0
    j = 0
    any_struck = False
    for i in range(n):
        r = where[i] // n_e
        e = where[i] - r * n_e
        detected[r, e] = detected_c[i]
        if detected_c[i] > 0 and share[i] > 0.0:
            struck[r, e] = struck_c[j]
            any_struck |= struck_c[j] != 0
            j += 1
    return any_struck


@njit(cache=True, nogil=True)
def _transit_replicate(
    r,
    sent,
    detected,
    struck,
    shipments,
    loss,
    route_bounds,
    rh_edge,
    rh_slot,
    rh_node_slot,
    rh_new_country,
    route_node_slot,
    route_origin_country,
    origin_row,
    hazard,
    rate,
    usual_hazard,
    strike_rate,
    frac,
    frac_struck,
    flow,
    arrived,
    own,
    node_group,
    country,
    by_origin,
    interdicted,
    destroyed,
    seized,
    lost,
):  # pragma: no cover - compiled
    """`transit_week` for replicate r (its rows only)."""
    n_p = sent.shape[1]
    n_e = loss.shape[0]
    n_c = country.shape[1]
    one_h = hazard.shape[0] == 1
    survive = np.empty(n_e)
    for e in range(n_e):
        n = shipments[r, e]
        if n > 0:
            frac[r, e] = detected[r, e] / n
            frac_struck[r, e] = struck[r, e] / n
        else:
            frac[r, e] = 0.0
            frac_struck[r, e] = 0.0
        survive[e] = (1.0 - frac[r, e]) * (1.0 - loss[e])
        flow[r, e] = 0.0
    own[r, :] = 0.0
    node_group[r, :] = 0.0
    country[r, :] = 0.0
    by_origin[r, :] = 0.0
    for p in range(n_p):
        a = sent[r, p]
        if a <= 0.0:
            arrived[r, p] = 0.0
            continue
        oc = route_origin_country[p]
        o = -1
        if oc >= 0:  # leaving a production area (from a market: counted on arrival)
            o = origin_row[oc]
            node_group[r, route_node_slot[p]] += a
            country[r, oc] += a
            by_origin[r, o * n_c + oc] += a
        for j in range(route_bounds[p], route_bounds[p + 1]):
            e = rh_edge[j]
            flow[r, e] += a
            own[r, rh_slot[j]] += a
            c = rh_new_country[j]
            if c >= 0:
                country[r, c] += a
                if oc >= 0:
                    by_origin[r, o * n_c + c] += a
            a *= survive[e]
            node_group[r, rh_node_slot[j]] += a
        arrived[r, p] = a
    rh = 0 if one_h else r
    for e in range(n_e):
        f = flow[r, e]
        interdicted[r, e] = f * frac[r, e]
        destroyed[r, e] = f * frac_struck[r, e]
        seized[r, e] = interdicted[r, e] - destroyed[r, e]
        lost[r, e] = f * (1.0 - frac[r, e]) * loss[e]
        usual_hazard[r, e] += rate[r] * (hazard[rh, e] - usual_hazard[r, e])
        if shipments[r, e] > 0:
            strike_rate[r, e] += rate[r] * (frac_struck[r, e] - strike_rate[r, e])


@njit(cache=True, nogil=True)
def transit_week(
    sent,
    detected,
    struck,
    shipments,
    loss,
    route_bounds,
    rh_edge,
    rh_slot,
    rh_node_slot,
    rh_new_country,
    route_node_slot,
    route_origin_country,
    origin_row,
    hazard,
    rate,
    usual_hazard,
    strike_rate,
    frac,
    frac_struck,
    flow,
    arrived,
    own,
    node_group,
    country,
    by_origin,
    interdicted,
    destroyed,
    seized,
    lost,
    pool=None,
):  # pragma: no cover - compiled
    """The transit phase after the week's draws (`transit` for the route walk).

    frac, frac_struck (R, E): shares of shipments detected and struck; each route's cargo
    walks its hops, surviving (1 - frac) * (1 - loss) of each edge; per edge the kg
    entering (flow), interdicted, destroyed in strikes, seized, lost; per route what
    arrives; own (R, U) kg each group sent into each edge it uses (belief slots, hop j's
    rh_slot[j]); node_group (R, K) kg each group passed through each node (slots of
    (node, group), a route's origin at route_node_slot); country (R, C) kg entering
    each country and by_origin (R, O*C) the same by producing country (origin_row of the
    route's origin country). Then what groups see next week: usual_hazard moves towards
    hazard (R|1, E) at `rate` (R,), strike_rate towards frac_struck where ships sailed.
    """
    args = (
        sent,
        detected,
        struck,
        shipments,
        loss,
        route_bounds,
        rh_edge,
        rh_slot,
        rh_node_slot,
        rh_new_country,
        route_node_slot,
        route_origin_country,
        origin_row,
        hazard,
        rate,
        usual_hazard,
        strike_rate,
        frac,
        frac_struck,
        flow,
        arrived,
        own,
        node_group,
        country,
        by_origin,
        interdicted,
        destroyed,
        seized,
        lost,
    )
    if pool is not None:  # (None: this branch is not compiled)
        _transit_parallel(sent.shape[0], *args)
    else:
        for r in range(sent.shape[0]):
            _transit_replicate(r, *args)


@njit(cache=True, nogil=True, parallel=True)
def _transit_parallel(n_r, *args):  # pragma: no cover - compiled
    """`_transit_replicate` for every replicate, on the numba thread pool."""
    for r in prange(n_r):
        _transit_replicate(np.int64(r), *args)  # (prange's index may be unsigned)


@njit(cache=True, nogil=True)
def learn_slots(alpha, beta, own, slot_edge, frac, frac_struck, load, deterrence, weight):
    """`learn` on the belief slots groups use: alpha, beta and own (R, U), slot u a
    group's belief about edge slot_edge[u]; beliefs elsewhere never change. Returns
    False, changing nothing, when a weight is above 1e200: counts must be rescaled
    first (`Simulation.learn`)."""
    n_r, n_u = own.shape
    for r in range(n_r):  # pragma: no cover - compiled
        if weight[r] > 1e200:
            return False
    for r in range(n_r):
        for u in range(n_u):
            kg = own[r, u]
            if kg <= 0.0:
                continue
            e = slot_edge[u]
            n = kg / load[e] * weight[r]
            alpha[r, u] += n * (frac[r, e] + deterrence[r] * frac_struck[r, e])
            beta[r, u] += n * (1.0 - frac[r, e])
    return True


@njit(cache=True, nogil=True)
def deliver_week(
    arrived,
    lag_indptr,
    lag_indices,
    lag_data,
    pipeline,
    slot,
    incoming,
    delivered,
    stock,
    pool_of_wholesale,
    retail_stock,
):  # pragma: no cover - compiled
    """The deliver phase: what arrived (R, P) joins the pipeline (R, L+1, S) at its
    route's lag; the slot due this week is delivered (R, S) and emptied, into the
    wholesale pools and the consumer markets' stocks. The routes' (lag, market) slots
    are given route by route (CSR of (P, (L+1) S)): each slot adds its routes in route
    order, as the incidence product, skipping the routes where nothing arrived (exact
    zeros)."""
    n_r, n_p = arrived.shape
    n_l = pipeline.shape[1]
    n_s = pipeline.shape[2]
    n_w = pool_of_wholesale.shape[0]
    for r in range(n_r):
        incoming[r, :] = 0.0
        for p in range(n_p):
            a = arrived[r, p]
            if a != 0.0:
                for jj in range(lag_indptr[p], lag_indptr[p + 1]):
                    incoming[r, lag_indices[jj]] += lag_data[jj] * a
    for r in range(n_r):
        for i in range(n_l):
            o = (slot + i) % n_l
            for s in range(n_s):
                pipeline[r, o, s] += incoming[r, i * n_s + s]
        for s in range(n_s):
            delivered[r, s] = pipeline[r, slot, s]
            pipeline[r, slot, s] = 0.0
        for w in range(n_w):
            stock[r, pool_of_wholesale[w]] += delivered[r, w]
        for m in range(n_s - n_w):
            retail_stock[r, m] += delivered[r, n_w + m]


@njit(cache=True, nogil=True)
def market_books(
    retail_stock,
    demand,
    response,
    consumed,
    stock,
    block_trade,
    pipeline,
    sell_of_market,
    block_out,
    throughput,
    tau,
    held,
    supply,
):  # pragma: no cover - compiled
    """The markets phase's bookkeeping: users take consumed (R, M) from the consumer
    markets' stocks, what they want (demand (M,) x the price response (R, M)) within
    the stock (`markets.consumption` after its power); held (R, Tn) stock at every
    trading node, supply = held plus what is on its way (the pipeline), and the
    throughput (outflow: dispatched block_out (R, B), consumed) smoothed over tau (R,)
    weeks."""
    n_r, n_t = held.shape
    n_b = stock.shape[1]
    n_m = retail_stock.shape[1]
    n_l = pipeline.shape[1]
    n_s = pipeline.shape[2]
    out = np.empty(n_t)
    for r in range(n_r):
        for m in range(n_m):
            consumed[r, m] = _np_minimum(retail_stock[r, m], demand[m] * response[r, m])
        for m in range(n_m):
            retail_stock[r, m] = _nonneg(retail_stock[r, m] - consumed[r, m])
        for i in range(n_t):
            held[r, i] = 0.0
            supply[r, i] = 0.0
            out[i] = 0.0
        for b in range(n_b):
            held[r, block_trade[b]] += stock[r, b]
            out[block_trade[b]] += block_out[r, b]
        for m in range(n_m):
            held[r, n_t - n_m + m] = retail_stock[r, m]
            out[n_t - n_m + m] = consumed[r, m]
        for s in range(n_s):
            acc = 0.0
            for i in range(n_l):
                acc += pipeline[r, i, s]
            supply[r, sell_of_market[s]] = acc
        for i in range(n_t):
            supply[r, i] = held[r, i] + supply[r, i]
            throughput[r, i] += (out[i] - throughput[r, i]) / tau[r]


@njit(cache=True, nogil=True)
def _homicides_replicate(
    r,
    node_group,
    node_slot_start,
    slot_group,
    handler,
    rival,
    factions,
    flow_coef,
    contest_coef,
    exponent,
    index,
    covered,
    psi,
    full,
):  # pragma: no cover - compiled
    """`homicides_expected` for replicate r: expected homicides at every node into
    full[r] (0 where none)."""
    n_n = node_slot_start.shape[0] - 1
    n_g = rival.shape[0]
    moved = np.zeros(n_g)
    active = np.empty(n_g, dtype=np.int64)  # groups moving something here, ascending
    rp = 0 if index.shape[0] == 1 else r
    for n in range(n_n):
        full[r, n] = 0.0
    for n in range(n_n):
        any_kg = False
        for j in range(node_slot_start[n], node_slot_start[n + 1]):
            if node_group[r, j] > 0.0:
                any_kg = True
        if not any_kg:
            continue
        for h in range(n_g):
            moved[h] = 0.0
        for j in range(node_slot_start[n], node_slot_start[n + 1]):
            kg = node_group[r, j]
            if kg <= 0.0:
                continue
            g = slot_group[j]
            for h in range(n_g):
                w = handler[n, g, h]
                if w != 0.0:
                    moved[h] += kg * w / 1000.0
        # groups that move nothing add nothing (exact zeros): sum over the others
        n_act = 0
        for h in range(n_g):
            if moved[h] != 0.0:
                active[n_act] = h
                n_act += 1
        total = 0.0
        for i in range(n_act):
            total += moved[active[i]]
        if total <= 0.0:
            continue
        contested_sq = 0.0
        hhi_sq = 0.0
        for i in range(n_act):
            g = active[i]
            tg = moved[g]
            for i2 in range(n_act):
                h = active[i2]
                contested_sq += tg * rival[g, h] * moved[h]
            contested_sq += (1.0 - 1.0 / factions[g]) * tg * tg
            hhi_sq += tg * tg / factions[g]
        intensity = 1.0  # (1 ** x is 1: powers of 1 are not taken)
        if exponent[r] != 0.0 and hhi_sq > 0.0:
            concentration = total * total / hhi_sq
            if concentration != 1.0:
                intensity = concentration ** exponent[r]
        if psi[r] != 0.0 and covered[n]:
            intensity *= index[rp, n] ** psi[r]
        value = flow_coef[r] * total + contest_coef[r] * contested_sq / total * intensity
        full[r, n] = value


@njit(cache=True, nogil=True)
def homicides_expected(
    node_group,
    node_slot_start,
    slot_group,
    handler,
    rival,
    factions,
    flow_coef,
    contest_coef,
    exponent,
    index,
    covered,
    psi,
    where,
    lam,
    pool=None,
):  # pragma: no cover - compiled
    """`expected_homicides` from the (node, group) slots of node_group (R, K) (node n's
    slots node_slot_start[n]:node_slot_start[n + 1], groups ascending), with the price
    index index (R|1, N) where `covered` and 1 elsewhere. Writes the nodes with
    expected homicides above zero (flat index r * N + n, C order) and their value;
    returns how many."""
    n_r = node_group.shape[0]
    n_n = node_slot_start.shape[0] - 1
    full = np.empty((n_r, n_n))
    args = (
        node_group,
        node_slot_start,
        slot_group,
        handler,
        rival,
        factions,
        flow_coef,
        contest_coef,
        exponent,
        index,
        covered,
        psi,
        full,
    )
    if pool is not None:  # (None: this branch is not compiled)
        _homicides_parallel(n_r, *args)
    else:
        for r in range(n_r):
            _homicides_replicate(r, *args)
    # the nodes with homicides expected, in C order (r, then n), as one serial loop
    k = 0
    for r in range(n_r):
        for n in range(n_n):
            if full[r, n] != 0.0:
                where[k] = r * n_n + n
                lam[k] = full[r, n]
                k += 1
    return k


@njit(cache=True, nogil=True, parallel=True)
def _homicides_parallel(n_r, *args):  # pragma: no cover - compiled
    """`_homicides_replicate` for every replicate, on the numba thread pool."""
    for r in prange(n_r):
        _homicides_replicate(np.int64(r), *args)  # (prange's index may be unsigned)


@njit(cache=True, nogil=True)
def _perceive_replicate(
    r,
    alpha,
    beta,
    prior,
    det_hazard,
    usual,
    visibility,
    strike_rate,
    rh_slot,
    slot_edge,
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
    belief_last,
    hazard_last,
    risk,
    value,
    shares,
    block_value,
):  # pragma: no cover - compiled
    """`perceive_slots` for replicate r (its rows of every array; a replicate reads and
    writes nothing of another, so replicates may run on separate threads)."""
    n_e = usual.shape[1]
    n_u = alpha.shape[1]
    n_p = route_bounds.shape[0] - 1
    n_b = block_start.shape[0]
    seen = np.empty(n_e)
    strike_hz = np.empty(n_e)
    belief_hz = np.empty(n_u)
    rp = 0 if prior.shape[0] == 1 else r
    rd = 0 if det_hazard.shape[0] == 1 else r
    any_strike = False
    for e in range(n_e):
        u = usual[r, e]
        ratio = det_hazard[rd, e] / u if u > 0.0 else 1.0
        seen[e] = 1.0 + visibility[r] * (ratio - 1.0)
        sr = strike_rate[r, e]
        strike_hz[e] = -np.log1p(-min(sr, 1.0 - 1e-12)) if sr != 0.0 else 0.0
        if sr != 0.0:
            any_strike = True
    for i in range(n_u):
        b = (alpha[r, i] + belief_floor * prior[rp, i]) / (alpha[r, i] + beta[r, i] + belief_floor)
        # Beliefs change only where the group shipped last week (about half the slots):
        # the logarithm of an unchanged belief is last week's, taken again for nothing.
        # (A function of its argument alone: reusing it changes no bit; NaN never equals.)
        if b == belief_last[r, i]:
            belief_hz[i] = hazard_last[r, i]
        else:
            hz = -np.log1p(-min(b, 1.0 - 1e-12))
            belief_hz[i] = hz
            belief_last[r, i] = b
            hazard_last[r, i] = hz
        # a slot is one group's view of one edge: its hazard times the presence seen
        # there is the same product in every hop through it, taken once per slot
        belief_hz[i] *= seen[slot_edge[i]]
    for p in range(n_p):
        h = 0.0
        s = 0.0
        for j in range(route_bounds[p], route_bounds[p + 1]):
            h += belief_hz[rh_slot[j]]
        if any_strike:  # else every strike hazard is +0.0, and so is their sum
            for j in range(route_bounds[p], route_bounds[p + 1]):
                s += strike_hz[rh_edge[j]]
        q = -np.expm1(-h)
        d = -np.expm1(-s) if s != 0.0 else 0.0  # -expm1(-0.0) is 0.0
        risk[r, p] = q
        sell = price[r, sell_trade[p]]
        gross = sell * ((1.0 - q) * keep[p] - deterrence[r] * d) - cost[p] - premium[p]
        value[r, p] = gross / (1.0 + markup[r])
    # Most routes are worth less than `floor` to their group (over 80% on the default
    # and on generated networks): their utility is sharpness * log(floor), one logarithm
    # for all, and within a block they share one weight exp(u - top). Each exp and log
    # below is still taken of the same argument as before, so the numbers are the same.
    log_floor = np.log(floor)
    for b_i in range(n_b):
        end = block_start[b_i + 1] if b_i + 1 < n_b else n_p
        top = -np.inf
        for p in range(block_start[b_i], end):
            net = max(value[r, p] - price[r, buy_trade[p]], floor)
            u = sharpness[r] * (log_floor if net == floor else np.log(net))
            shares[r, p] = u
            if u > top:
                top = u
        total = 0.0
        last_x = np.nan  # the last argument of exp in this block (NaN: none yet)
        last_w = 0.0
        for p in range(block_start[b_i], end):
            x = shares[r, p] - top
            if x != last_x:
                last_w = np.exp(x)
                last_x = x
            shares[r, p] = last_w
            total += last_w
        v = 0.0
        last_w = np.nan  # (the routes at the floor share one weight: one division)
        last_s = 0.0
        for p in range(block_start[b_i], end):
            w = shares[r, p]
            if w != last_w:
                last_s = w / total
                last_w = w
            shares[r, p] = last_s
            v += last_s * value[r, p]
        block_value[r, b_i] = v


@njit(cache=True, nogil=True)
def perceive_slots(
    alpha,
    beta,
    prior,
    det_hazard,
    usual,
    visibility,
    strike_rate,
    rh_slot,
    slot_edge,
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
    belief_last,
    hazard_last,
    risk,
    value,
    shares,
    block_value,
    pool=None,
):  # pragma: no cover - compiled
    """`perceive` on the belief slots (alpha, beta, prior (R|1, U): the U (group, edge)
    beliefs routes use; hop j's slot rh_slot[j]), each belief's hazard computed once per
    slot and each edge's strike hazard once per edge instead of once per hop: the same
    numbers. belief_last, hazard_last (R, U) remember each slot's last belief and its
    hazard (NaN at first), so an unchanged belief's logarithm is not taken again.
    Writes risk, value, shares (R, P) and block_value (R, B), and returns them."""
    n_r = alpha.shape[0]
    args = (
        alpha,
        beta,
        prior,
        det_hazard,
        usual,
        visibility,
        strike_rate,
        rh_slot,
        slot_edge,
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
        belief_last,
        hazard_last,
        risk,
        value,
        shares,
        block_value,
    )
    if pool is not None:  # (None: this branch is not compiled)
        _perceive_parallel(n_r, *args)
    else:
        for r in range(n_r):
            _perceive_replicate(r, *args)
    return risk, value, shares, block_value


@njit(cache=True, nogil=True, parallel=True)
def _perceive_parallel(n_r, *args):  # pragma: no cover - compiled
    """`_perceive_replicate` for every replicate, on the numba thread pool."""
    for r in prange(n_r):
        _perceive_replicate(np.int64(r), *args)  # (prange's index may be unsigned)


@njit(cache=True, nogil=True)
def detect_week(
    k,
    cap_index,
    gain,
    intel,
    strike,
    effort,
    mult,
    h0,
    pursuit,
    cover_start,
    cover_agency,
    cover_value,
    maritime,
    total,
    credit,
    strike_share,
    misid_factor,
    hazard_sum,
):  # pragma: no cover - compiled
    """`InterdictionModel.detect` for one week with parameters per replicate, except
    its transcendental step: writes the total hazard (R, E) (p_detect is
    -expm1(-total), taken in numpy), credit (R, S, E), strike_share, misid_factor and
    the agencies' summed hazard (R, E). k (R, 4); gain, pursuit (R|1,); intel, strike
    (A,); effort (R|1, A, E); mult (1, A, E), or (0, A, E) for none; h0 (E,) with any
    extra inspection hazard; the agencies searching edge e (ascending) are
    cover_agency[cover_start[e]:cover_start[e + 1]], with cover_value their covered *
    search days / extent (an agency not searching an edge adds exactly 0 to its sums);
    maritime (E,) 1.0 on maritime edges."""
    n_r = k.shape[0]
    n_s, n_e = credit.shape[1], credit.shape[2]
    one_g = gain.shape[0] == 1
    one_p = pursuit.shape[0] == 1
    one_f = effort.shape[0] == 1
    has_mult = mult.shape[0] > 0
    multiplier = np.empty(n_s - 1)
    su = np.empty(n_s - 1)
    for r in range(n_r):
        g = gain[0 if one_g else r]
        pu = pursuit[0 if one_p else r]
        unpursued = (1.0 - pu) / pu
        rf = 0 if one_f else r
        for a in range(n_s - 1):
            multiplier[a] = 1.0 + g * intel[a]
            su[a] = strike[a] * unpursued
        for e in range(n_e):
            hs = 0.0
            ss = 0.0
            sharp = 0.0
            for i in range(cover_start[e], cover_start[e + 1]):
                a = cover_agency[i]
                v = k[r, cap_index[e]] * multiplier[a] * effort[rf, a, e] * cover_value[i]
                if has_mult:
                    v = v * mult[0, a, e]
                hs += v
                sv = v * su[a] * maritime[e]
                ss += sv
                if sv != 0.0:  # 0 / m adds nothing
                    sharp += sv / multiplier[a]
            tot = h0[e] + hs + ss
            total[r, e] = tot
            hazard_sum[r, e] = hs
            safe = tot if tot > 0 else 1.0
            credit[r, 0, e] = 1.0 if tot <= 0 else h0[e] / safe
            for a in range(1, n_s):
                credit[r, a, e] = 0.0
            for i in range(cover_start[e], cover_start[e + 1]):
                a = cover_agency[i]
                v = k[r, cap_index[e]] * multiplier[a] * effort[rf, a, e] * cover_value[i]
                if has_mult:
                    v = v * mult[0, a, e]
                both = v + v * su[a] * maritime[e]
                credit[r, 1 + a, e] = both / safe if both != 0.0 else 0.0
            strike_share[r, e] = ss / safe
            misid_factor[r, e] = sharp / ss if ss > 0 else 1.0


@njit(cache=True, nogil=True)
def _add32(out, r, slot, i, v):  # pragma: no cover - compiled
    """out[r, slot, i] += v for a float32 record, rounded as numpy's in-place add."""
    out[r, slot, i] = np.float32(np.float64(out[r, slot, i]) + v)


@njit(cache=True, nogil=True)
def _record_replicate(
    r,
    slot,
    produced,
    delivered,
    consumed,
    origin_c,
    credited,
    lost_e,
    held_lost,
    stock,
    pipeline,
    retail_stock,
    flow,
    interdicted,
    transit,
    by_origin,
    price,
    held_now,
    offered,
    stock_before,
    block_trade,
    hom_where,
    hom_count,
    n_hom,
    hom_country,
    arrived,
    sent,
    via_indptr,
    via_indices,
    via_data,
    corridor_indptr,
    corridor_indices,
    corridor_data,
    group_indptr,
    group_indices,
    group_data,
    retail_indptr,
    retail_indices,
    retail_data,
    route_sell_trade,
    route_buy_trade,
    route_cost,
    cost,
    rec_produced,
    rec_delivered,
    rec_consumed,
    rec_via,
    rec_origin,
    rec_seized,
    rec_destroyed,
    rec_strikes,
    rec_crew,
    rec_wrong,
    rec_lost,
    rec_stock,
    rec_flow,
    rec_interdicted,
    rec_corridor,
    rec_transit,
    rec_by_origin,
    rec_price,
    rec_trade_price,
    rec_trade_stock,
    rec_shipped,
    rec_homicides,
    rec_hom_country,
    rec_profit,
    rec_cost,
    rec_arriving,
    scratch,
):  # pragma: no cover - compiled
    """`record_week` for replicate r, homicides at nodes aside (its rows only)."""
    n_m = consumed.shape[1]
    n_s = delivered.shape[1]
    n_c = transit.shape[1]
    n_t = price.shape[1]
    n_b = block_trade.shape[0]
    n_p = sent.shape[1]
    strikes = credited.shape[0] > 1
    has_origin = origin_c.shape[0] > 0
    shipped = np.empty(n_t)
    held = np.empty(n_t)
    for i in range(produced.shape[1]):
        rec_produced[r, slot, i] += produced[r, i]
    for m in range(n_m):
        rec_delivered[r, slot, m] += delivered[r, n_s - n_m + m]
        rec_consumed[r, slot, m] += consumed[r, m]
    # Route by route, the sums of the incidence products (scipy's order: each output
    # adds its routes in route order, from +0.0), over the routes that sent something:
    # an idle route's terms are exact zeros (1.0 x 0.0, and a profit of 0 x price - 0 x
    # cost), which leave a sum unchanged. The incidences are given route by route (CSR
    # of (P, n)).
    via, corridor, group, arriving = scratch
    via[:] = 0.0
    corridor[:] = 0.0
    group[:] = 0.0
    arriving[:] = 0.0
    for p in range(n_p):
        a = arrived[r, p]
        x = sent[r, p]
        if a == 0.0 and x == 0.0:
            continue
        for jj in range(via_indptr[p], via_indptr[p + 1]):
            via[via_indices[jj]] += via_data[jj] * a
        for jj in range(corridor_indptr[p], corridor_indptr[p + 1]):
            corridor[corridor_indices[jj]] += corridor_data[jj] * x
        revenue = a * price[r, route_sell_trade[p]]
        spend = x * (route_cost[p] + price[r, route_buy_trade[p]])
        profit = revenue - spend
        for jj in range(group_indptr[p], group_indptr[p + 1]):
            group[group_indices[jj]] += group_data[jj] * profit
        for jj in range(retail_indptr[p], retail_indptr[p + 1]):
            arriving[retail_indices[jj]] += retail_data[jj] * a
    for i in range(via.shape[0]):
        rec_via[r, slot, i] += via[i]
    for c in range(n_c):
        seized = credited[0, r, c]
        if has_origin:
            seized = seized + origin_c[r, c]
            rec_origin[r, slot, c] += origin_c[r, c]
        rec_seized[r, slot, c] += seized
        if strikes:
            rec_destroyed[r, slot, c] += credited[1, r, c]
    rec_lost[r, slot] += _rowsum(lost_e, r) + held_lost[r]
    rec_stock[r, slot] = _rowsum(stock, r) + _rowsum(pipeline, r) + _rowsum(retail_stock, r)
    for e in range(flow.shape[1]):  # (adding 0 changes nothing: skipped)
        if flow[r, e] != 0.0:
            _add32(rec_flow, r, slot, e, flow[r, e])
        if interdicted[r, e] != 0.0:
            _add32(rec_interdicted, r, slot, e, interdicted[r, e])
    for i in range(corridor.shape[0]):
        rec_corridor[r, slot, i] += corridor[i]
    for c in range(n_c):
        rec_transit[r, slot, c] += transit[r, c]
    for i in range(by_origin.shape[1]):
        rec_by_origin[r, slot, i] += by_origin[r, i]
    for m in range(n_m):
        rec_price[r, slot, m] += price[r, n_t - n_m + m]
    for i in range(n_t):
        rec_trade_price[r, slot, i] += price[r, i]
        rec_trade_stock[r, slot, i] += held_now[r, i]
        shipped[i] = 0.0
        held[i] = 0.0
    for b in range(n_b):
        shipped[block_trade[b]] += offered[r, b]
        held[block_trade[b]] += stock_before[r, b]
    for i in range(n_t):
        rec_shipped[r, slot, i] += shipped[i] / held[i] if held[i] > 0 else 0.0
    for c in range(n_c):
        rec_hom_country[r, slot, c] += hom_country[r, c]
    for g in range(group.shape[0]):
        rec_profit[r, slot, g] += group[g]
    if strikes:
        for c in range(n_c):
            rec_strikes[r, slot, c] += credited[2, r, c]
            rec_crew[r, slot, c] += credited[3, r, c]
            rec_wrong[r, slot, c] += credited[4, r, c]
    for i in range(cost.shape[0]):
        rec_cost[r, slot, i] += cost[i]
    for m in range(arriving.shape[0]):
        rec_arriving[r, slot, m] += arriving[m]


@njit(cache=True, nogil=True)
def record_week(
    slot,
    produced,
    delivered,
    consumed,
    origin_c,
    credited,
    lost_e,
    held_lost,
    stock,
    pipeline,
    retail_stock,
    flow,
    interdicted,
    transit,
    by_origin,
    price,
    held_now,
    offered,
    stock_before,
    block_trade,
    hom_where,
    hom_count,
    n_hom,
    hom_country,
    arrived,
    sent,
    via_indptr,
    via_indices,
    via_data,
    corridor_indptr,
    corridor_indices,
    corridor_data,
    group_indptr,
    group_indices,
    group_data,
    retail_indptr,
    retail_indices,
    retail_data,
    route_sell_trade,
    route_buy_trade,
    route_cost,
    cost,
    rec_produced,
    rec_delivered,
    rec_consumed,
    rec_via,
    rec_origin,
    rec_seized,
    rec_destroyed,
    rec_strikes,
    rec_crew,
    rec_wrong,
    rec_lost,
    rec_stock,
    rec_flow,
    rec_interdicted,
    rec_corridor,
    rec_transit,
    rec_by_origin,
    rec_price,
    rec_trade_price,
    rec_trade_stock,
    rec_shipped,
    rec_homicides,
    rec_hom_country,
    rec_profit,
    rec_cost,
    rec_arriving,
):  # pragma: no cover - compiled
    """The record phase: the week's outcomes added into the recorded arrays at `slot`
    (the week, or its year; stock_kg is set, the rest summed: what the engine's numpy
    added array by array before). origin_c (R, C), or (0, C) without seizures at origin;
    credited (K, R, C) kg credited to countries: seized, then with strikes (K = 5)
    destroyed, strikes, crew and misidentified deaths; homicides as the Poisson draws
    at hom_where (flat r * N + n); arriving_kg from arrived (R, P) and the routes'
    consumer markets. The incidences (via, corridor, group, retail) are CSR of (P, n),
    route by route (`engine.Incidence.by_route`). Arrays of 2-D records are (R, slots,
    width)."""
    n_r = produced.shape[0]
    n_n = rec_homicides.shape[2]
    args = (
        slot,
        produced,
        delivered,
        consumed,
        origin_c,
        credited,
        lost_e,
        held_lost,
        stock,
        pipeline,
        retail_stock,
        flow,
        interdicted,
        transit,
        by_origin,
        price,
        held_now,
        offered,
        stock_before,
        block_trade,
        hom_where,
        hom_count,
        n_hom,
        hom_country,
        arrived,
        sent,
        via_indptr,
        via_indices,
        via_data,
        corridor_indptr,
        corridor_indices,
        corridor_data,
        group_indptr,
        group_indices,
        group_data,
        retail_indptr,
        retail_indices,
        retail_data,
        route_sell_trade,
        route_buy_trade,
        route_cost,
        cost,
        rec_produced,
        rec_delivered,
        rec_consumed,
        rec_via,
        rec_origin,
        rec_seized,
        rec_destroyed,
        rec_strikes,
        rec_crew,
        rec_wrong,
        rec_lost,
        rec_stock,
        rec_flow,
        rec_interdicted,
        rec_corridor,
        rec_transit,
        rec_by_origin,
        rec_price,
        rec_trade_price,
        rec_trade_stock,
        rec_shipped,
        rec_homicides,
        rec_hom_country,
        rec_profit,
        rec_cost,
        rec_arriving,
    )
    # (serial: a parallel driver over its 64 arrays took numba 20 s to compile, for
    # a sixth of a week's time at 256 replicates)
    scratch = (
        np.empty(rec_via.shape[2]),
        np.empty(rec_corridor.shape[2]),
        np.empty(rec_profit.shape[2]),
        np.empty(rec_arriving.shape[2]),
    )
    for r in range(n_r):
        _record_replicate(r, *args, scratch)
    for i in range(n_hom):
        r = hom_where[i] // n_n
        n = hom_where[i] - r * n_n
        _add32(rec_homicides, r, slot, n, np.float64(hom_count[i]))


@njit(cache=True, nogil=True)
def homicides_by_country(where, count, n, node_country, base, out):  # pragma: no cover
    """out (R, C) = base (R, C) homicides (a country's base rate) plus the trade's
    homicides at its nodes (counts at flat index r * N + n)."""
    n_r, n_c = base.shape
    n_n = node_country.shape[0]
    total = np.zeros((n_r, n_c), dtype=np.int64)
    for i in range(n):
        r = where[i] // n_n
        total[r, node_country[where[i] - r * n_n]] += count[i]
    for r in range(n_r):
        for c in range(n_c):
            out[r, c] = np.float64(base[r, c]) + np.float64(total[r, c])


@njit(cache=True, nogil=True)
def country_share_week(credit, source_country, per_edge, out):  # pragma: no cover
    """out (E, C): share of each edge's interdictions credited to each country, from
    one week's credit (S, E) by source (`InterdictionModel.country_share`, one week),
    on the edges where per_edge (K, R, E) has something to credit. Other rows keep last
    week's (finite) shares: multiplied by 0, they add exactly nothing to the product."""
    n_s, n_e = credit.shape
    n_k, n_r = per_edge.shape[0], per_edge.shape[1]
    for e in range(n_e):
        used = False
        for k in range(n_k):
            for r in range(n_r):
                if per_edge[k, r, e] != 0.0:
                    used = True
        if not used:
            continue
        out[e, :] = 0.0
        for s in range(n_s):
            out[e, source_country[s, e]] += credit[s, e]


@njit(cache=True, nogil=True)
def landed_routes(
    price,
    value,
    sent,
    buy_trade,
    sell_trade,
    cost,
    premium,
    markup,
    min_arriving,
    breakeven,
    weight,
):  # pragma: no cover - compiled
    """`markets.landed_cost` without its logarithm: each route's break-even price
    (R, P) and weight (kg sent, 0 for routes expected to deliver less than
    `min_arriving`), in the same order of operations (a test checks they agree)."""
    n_r, n_p = value.shape
    for r in range(n_r):
        grow = 1.0 + markup[r]
        for p in range(n_p):
            sell = max(price[r, sell_trade[p]], 1e-9)
            arriving = (value[r, p] * grow + cost[p] + premium[p]) / sell
            weight[r, p] = sent[r, p] if arriving > min_arriving else 0.0
            breakeven[r, p] = (price[r, buy_trade[p]] * grow + cost[p] + premium[p]) / max(
                arriving, min_arriving
            )


@njit(cache=True, nogil=True)
def landed_smooth(
    indptr, indices, data, log_cost, weight, tau, landed_log, landed_weight, sums
):  # pragma: no cover - compiled
    """Each market's sums of weight x log cost and of weight over the routes selling
    there (the incidence product, in scipy's order), folded into their smoothed values
    with time constant `tau` (R,) weeks."""
    incidence_apply(indptr, indices, data, log_cost, sums)
    n_r, n_t = sums.shape
    for r in range(n_r):
        for i in range(n_t):
            landed_log[r, i] += (sums[r, i] - landed_log[r, i]) / tau[r]
    incidence_apply(indptr, indices, data, weight, sums)
    for r in range(n_r):
        for i in range(n_t):
            landed_weight[r, i] += (sums[r, i] - landed_weight[r, i]) / tau[r]


@njit(cache=True, nogil=True)
def landed_routes_compact(
    price,
    value,
    sent,
    buy_trade,
    sell_trade,
    cost,
    premium,
    markup,
    min_arriving,
    where,
    breakeven,
    weight,
):  # pragma: no cover - compiled
    """`landed_routes` for the routes whose logarithm counts: those with a weight, and
    any whose break-even price has no finite logarithm (0 x its log is NaN). The others
    add 0 x a finite logarithm, an exact zero, to their market's sums; for a route that
    sent nothing that is known from bounds on the break-even price's numerator and
    denominator, without its two divisions. Writes their flat index r * P + p,
    break-even price and weight from position 0, in order; returns how many (the engine
    takes numpy's log of the prices, then `landed_fold`)."""
    n_r, n_p = value.shape
    k = 0
    for r in range(n_r):
        grow = 1.0 + markup[r]
        for p in range(n_p):
            gross = value[r, p] * grow + cost[p] + premium[p]
            at = price[r, sell_trade[p]]
            if sent[r, p] == 0.0 and abs(gross) <= 1e140 and at == at and min_arriving >= 1e-3:
                # no weight, and a break-even price in (0, inf), known without dividing:
                # its numerator in [1e-150, 1e300] over at least min_arriving and at most
                # 1e149 (|gross| / 1e-9)
                num = price[r, buy_trade[p]] * grow + cost[p] + premium[p]
                if num >= 1e-150 and num <= 1e300:
                    continue
            sell = max(at, 1e-9)
            arriving = gross / sell
            w = sent[r, p] if arriving > min_arriving else 0.0
            be = (price[r, buy_trade[p]] * grow + cost[p] + premium[p]) / max(
                arriving, min_arriving
            )
            if w != 0.0 or not (be > 0.0 and be < np.inf):
                where[k] = r * n_p + p
                breakeven[k] = be
                weight[k] = w
                k += 1
    return k


@njit(cache=True, nogil=True)
def landed_fold(
    where, log_cost, weight, n, indptr, indices, data, tau, landed_log, landed_weight, sums
):  # pragma: no cover - compiled
    """`landed_smooth` from `landed_routes_compact`'s n routes (log_cost: numpy's log of
    their break-even prices), the routes' markets given route by route (CSR of (P, Tn)):
    each market's sums of weight x log cost and of weight add its routes in route order,
    as the incidence product does, and fold into the smoothed values over tau (R,)
    weeks."""
    n_r, n_t = sums.shape
    n_p = indptr.shape[0] - 1
    for half in range(2):
        sums[:] = 0.0
        r = 0  # (the routes come replicate by replicate: no division to find r)
        for i in range(n):
            while where[i] >= (r + 1) * n_p:
                r += 1
            p = where[i] - r * n_p
            x = log_cost[i] * weight[i] if half == 0 else weight[i]
            for jj in range(indptr[p], indptr[p + 1]):
                sums[r, indices[jj]] += data[jj] * x
        out = landed_log if half == 0 else landed_weight
        for r in range(n_r):
            for i in range(n_t):
                out[r, i] += (sums[r, i] - out[r, i]) / tau[r]


@njit(cache=True, nogil=True)
def _np_maximum(x, floor):  # pragma: no cover - compiled
    """np.maximum(x, floor) of a float (NaN kept)."""
    return x if (x >= floor or x != x) else floor


@njit(cache=True, nogil=True)
def _np_minimum(x, y):  # pragma: no cover - compiled
    """np.minimum(x, y) of floats: NaN if either is NaN, and y of two equal values
    (of zeros of either sign), as numpy's loops."""
    return x if (x < y or x != x) else y


@njit(cache=True, nogil=True)
def _np_clip(x, lo, hi):  # pragma: no cover - compiled
    """np.clip(x, lo, hi) of a float, as numpy's clip loop: max with lo, then min with
    hi, NaN kept."""
    if x == x:
        x = x if x > lo else lo
    if x == x:
        x = x if x < hi else hi
    return x


@njit(cache=True, nogil=True)
def landed_ratio(log_sum, weight, tiny, has, ratio, landed):  # pragma: no cover - compiled
    """`markets.mean_landed` without its exp: has (R, Tn) weight > tiny; ratio the
    log landed cost log_sum / weight there (0 elsewhere); landed NaN elsewhere (its
    exp where `has` is numpy's, in the engine)."""
    n_r, n_t = log_sum.shape
    for r in range(n_r):
        for i in range(n_t):
            h = weight[r, i] > tiny
            has[r, i] = h
            ratio[r, i] = log_sum[r, i] / weight[r, i] if h else 0.0
            if not h:
                landed[r, i] = np.nan


@njit(cache=True, nogil=True)
def netback_args(stock_before, tiny, block_value, min_value, weight, value):  # pragma: no cover
    """The netback's weights, stock_before + tiny, and the argument of its logarithm,
    np.maximum(block_value, min_value), into weight and value (R, B)."""
    n_r, n_b = stock_before.shape
    for r in range(n_r):
        for b in range(n_b):
            weight[r, b] = stock_before[r, b] + tiny
            value[r, b] = _np_maximum(block_value[r, b], min_value)


@njit(cache=True, nogil=True)
def netback_bid(log_price, log_netback, bid):  # pragma: no cover - compiled
    """bid[:, :S] = np.minimum(log_price[:, :S] - log_netback, 0.0), S trading stages."""
    n_r, n_s = log_netback.shape
    for r in range(n_r):
        for i in range(n_s):
            bid[r, i] = _np_minimum(log_price[r, i] - log_netback[r, i], 0.0)


@njit(cache=True, nogil=True)
def price_log_args(price, supply, throughput, cover, landed, tiny, args):  # pragma: no cover
    """The arguments of `markets.adjust_prices`'s four logarithms, into args (4, R, Tn):
    stock and target cover (each at least `tiny`), the landed cost where known (else
    the price) and the price. cover (R,) weeks of throughput."""
    n_r, n_t = price.shape
    for r in range(n_r):
        for i in range(n_t):
            args[0, r, i] = _np_maximum(supply[r, i], tiny)
            args[1, r, i] = _np_maximum(cover[r] * throughput[r, i], tiny)
            land = landed[r, i]
            args[2, r, i] = land if land == land else price[r, i]
            args[3, r, i] = price[r, i]


@njit(cache=True, nogil=True)
def price_steps(
    logs,
    supply,
    throughput,
    cover,
    landed,
    speed,
    anchor,
    shortage,
    bid,
    cap,
    tiny,
    max_change,
    step,
):  # pragma: no cover - compiled
    """`markets.adjust_prices`'s weekly log step from the logarithms of
    `price_log_args` (logs (4, R, Tn)), clipped to max_change, 0 where the market is
    inactive (no stock, no target, no landed cost): the argument of its exp. bid (R, Tn)
    is min(ln(P / netback), 0) at trading stages (NaN elsewhere), cap (R,) its weight."""
    n_r, n_t = supply.shape
    for r in range(n_r):
        for i in range(n_t):
            active = supply[r, i] > tiny or cover[r] * throughput[r, i] > tiny
            gap = logs[0, r, i] - logs[1, r, i]
            b = bid[r, i]
            if gap < 0 and b == b:  # a shortage bids no higher than the netback
                gap = (1.0 - cap[r]) * gap + cap[r] * _np_maximum(gap, b)
            if gap < 0:  # below its target: weighed by shortage (1 leaves it as is)
                gap = shortage[r] * gap
            s = -speed[r] * gap if active else 0.0
            s = s + anchor[r] * (logs[2, r, i] - logs[3, r, i])
            if landed[r, i] == landed[r, i]:  # supplied: the landed cost pulls
                active = True
            s = _np_clip(s, -max_change, max_change)
            step[r, i] = s if active else 0.0


@njit(cache=True, nogil=True)
def price_apply(
    price, growth, ref_price, floor, cap, new, area_price, lag, n_areas
):  # pragma: no cover - compiled
    """New prices (R, Tn) = price x growth (exp of `price_steps`) within ref_price x
    [floor, cap] (`markets.adjust_prices`'s last line); then production areas'
    smoothed prices move towards their new prices over `lag` (R,) weeks."""
    n_r, n_t = price.shape
    for r in range(n_r):
        for i in range(n_t):
            new[r, i] = _np_clip(
                price[r, i] * growth[r, i], ref_price[i] * floor[r], ref_price[i] * cap[r]
            )
        for a in range(n_areas):
            area_price[r, a] += (new[r, a] - area_price[r, a]) / lag[r]


@njit(cache=True, nogil=True)
def ship_log_args(value, price, block_trade, out):  # pragma: no cover - compiled
    """`traffickers.ship_fraction`'s argument of its logarithm: each stock's route value
    (R, B) over the price where it is held (both at least 1e-9), into out (R, B)."""
    n_r, n_b = value.shape
    for r in range(n_r):
        for b in range(n_b):
            out[r, b] = _np_maximum(value[r, b], 1e-9) / _np_maximum(price[r, block_trade[b]], 1e-9)


@njit(cache=True, nogil=True)
def ship_exp_args(margin, width, out):  # pragma: no cover - compiled
    """`traffickers.ship_fraction`'s argument of its exp: -clip(margin / width, -50, 50)
    (width (R,)), into out (R, B) (may be margin itself)."""
    n_r, n_b = margin.shape
    for r in range(n_r):
        for b in range(n_b):
            out[r, b] = -_np_clip(margin[r, b] / width[r], -50.0, 50.0)


@njit(cache=True, nogil=True)
def ship_share(growth, value, max_rate, out):  # pragma: no cover - compiled
    """`traffickers.ship_fraction`: max_rate (R,) / (1 + exp(-z)) where the route value
    is positive, 0 elsewhere; growth (R, B) is exp(-z)."""
    n_r, n_b = value.shape
    for r in range(n_r):
        for b in range(n_b):
            out[r, b] = max_rate[r] / (1.0 + growth[r, b]) * (1.0 if value[r, b] > 0 else 0.0)
