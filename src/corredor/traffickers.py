"""Trafficking organisations: route choice under perceived risk, learning from losses,
and the decision to ship or wait.

Each group keeps, for every edge, a time-weighted Beta belief about the chance that a
shipment on it is interdicted (after NarcoLogic's Beta–Bernoulli risk model). The
belief starts from a prior worth `traffickers.prior_strength` shipments; every week all
counts are discounted with half-life `traffickers.memory_half_life_weeks` and the group
adds what it saw on its own shipments (interdicted shipments, seized or struck, to
alpha; passed ones to beta). Discounting keeps the ratio: a group that stopped using an
edge keeps its last view of it (with less and less confidence) until a new shipment
tells it otherwise.

Groups also see what is visible: agencies' presence on an edge now against its recent
average (checkpoints, patrols; `traffickers.presence_visibility` theta scales the
learned hazard by 1 + theta * (presence ratio - 1)), and the lethal strikes announced
on an edge (a public rate, `strike_risk`). The perceived risk of a route is
q_r = 1 - prod(1 - q_e) over its edges, its strike risk d_r likewise.

Route value is what a kilogram bought here can pay for itself delivered there, under
that risk (Reuter and Kleiman's risks and prices):

    V_r = (P_m * ((1 - q_r) * keep_r - delta * d_r) - C_r - pi_m) / (1 + mu),

with P_m the price at the market the route sells at, `keep_r` the known share not lost
in transit, delta (`traffickers.strike_deterrence`) the cost of a strike beyond the
cargo, in cargo values, `C_r` transport cost, pi_m the market's entry premium (USD/kg:
compensation for the risks of delivering there that the model does not track, such as
arrest; markets.csv) and mu the return traders require on what they pay
(`traffickers.markup`). With `markets.proportional_premium` w > 0 a share w of the
premium is paid in proportion to the sale price instead (the compiled `keep_r` then
includes the factor 1 - w * pi_m / P_ref,m and pi_m is (1 - w) of the premium:
docs/model.md 7.4). A stock bought at price P is split over its routes in
proportion to max(V_r - P, 1 USD)^sharpness.

Shipping is a decision (`ship_fraction`): a stock sends off a share

    f = f_max * logistic(ln(Vbar / P) / w)

per week, with Vbar the share-weighted value of its routes, w
`traffickers.margin_width` and f_max `traffickers.dispatch_rate`: half the ceiling when
the routes just pay the markup. When prices downstream fall or risk rises, traders hold
their stock, paying `traffickers.holding_loss` a week, and wait out raids they can see.
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


def ship_fraction(value, price, width, max_rate) -> np.ndarray:
    """(R, B) share of each stock sent off this week (module docstring). `value` is the
    share-weighted route value (USD/kg, markup and premiums taken off) and `price` the
    local price (USD/kg); a stock with no route worth anything sends nothing."""
    margin = np.log(np.maximum(value, 1e-9) / np.maximum(price, 1e-9))
    z = np.clip(margin / np.asarray(width), -50.0, 50.0)
    return np.asarray(max_rate) / (1.0 + np.exp(-z)) * (value > 0)


def presence_factor(hazard: np.ndarray, usual: np.ndarray, visibility) -> np.ndarray:
    """(R|1, E) multiplier of the learned hazard from visible presence: agencies'
    hazard now over its recent average, weighted by `visibility` (1 where no agency
    searches)."""
    shape = np.broadcast_shapes(hazard.shape, usual.shape)
    hazard = np.broadcast_to(hazard, shape)
    ratio = np.divide(hazard, usual, out=np.ones(shape), where=usual > 0)
    return 1.0 + np.asarray(visibility) * (ratio - 1.0)


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
