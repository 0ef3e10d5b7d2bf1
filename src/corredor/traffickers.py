"""Trafficking organisations: route choice under perceived risk, and learning from losses.

Each group keeps, for every edge, a time-weighted Beta belief about the chance that a
shipment on it is interdicted (after NarcoLogic's Beta–Bernoulli risk model). The
belief starts from a prior worth `traffickers.prior_strength` shipments; every week all
counts are discounted with half-life `traffickers.memory_half_life_weeks` and the group
adds what it saw on its own shipments (interdicted shipments to alpha, passed ones to
beta; a lethal strike counts `1 + traffickers.strike_deterrence` times). Discounting
keeps the ratio: a group that stopped using an edge keeps its last view of it (with
less and less confidence) until a new shipment tells it otherwise. The perceived risk
of a route is 1 - prod(1 - alpha/(alpha+beta)) over its edges.

Route value is expected profit per kg under perceived risk,

    V_r = P_m * (1 - q_r) * keep_r - C_r - P_origin,

(`keep_r` the known share not lost in transit, `C_r` transport cost, `P_origin` the cost
of the drug at the origin) and a group splits each origin's dispatch over its routes in
proportion to max(V_r, 1 USD)^sharpness.
"""

from __future__ import annotations

import numpy as np


def block_normalise(log_weight: np.ndarray, block_start: np.ndarray) -> np.ndarray:
    """Softmax of (R, P) log-weights within consecutive blocks of routes."""
    block_max = np.maximum.reduceat(log_weight, block_start, axis=1)
    sizes = np.diff(np.append(block_start, log_weight.shape[1]))
    w = np.exp(log_weight - np.repeat(block_max, sizes, axis=1))
    total = np.add.reduceat(w, block_start, axis=1)
    return w / np.repeat(total, sizes, axis=1)


MIN_VALUE = 1.0  # USD/kg: routes worth less still get a sliver of the dispatch


def route_shares(value: np.ndarray, block_start: np.ndarray, sharpness: float) -> np.ndarray:
    """Share of each block's dispatch sent on each route (rows sum to 1 per block).

    Reference implementation in numpy; the engine uses the compiled
    `kernels.block_shares`, and a test checks that both agree.
    """
    return block_normalise(sharpness * np.log(np.maximum(value, MIN_VALUE)), block_start)


# A vanishing pseudo-count that keeps alpha/(alpha+beta) defined after long disuse.
FLOOR = 1e-9


def perceived_edge_risk(alpha: np.ndarray, beta: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """alpha / (alpha + beta), falling back on the prior mean where counts vanished."""
    return (alpha + FLOOR * prior) / (alpha + beta + FLOOR)


def update_beliefs(
    alpha: np.ndarray, beta: np.ndarray, detected: np.ndarray, passed: np.ndarray, decay: float
) -> None:
    """Discount past counts, then add this week's own observations (in place).

    Reference implementation; the engine uses `kernels.learn`, which keeps counts
    multiplied by decay**-week instead of discounting every count every week (the
    belief alpha / (alpha + beta) is the same; a test checks it).
    """
    alpha *= decay
    alpha += detected
    beta *= decay
    beta += passed
