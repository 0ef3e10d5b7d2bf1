"""Markets: where cocaine changes hands, at prices set by the stock waiting there.

Every place where cocaine is sold is a *trading node*: a production area (growers and
labs sell to exporters), a wholesale hand-off (an export coast, Central America, West
Africa: one group delivers, others buy and ship on) or a consumer market (its price is
the wholesale price in the consumer country; dealers sell on to users).

**Prices from stocks.** Traders at a market hold a stock; its cover is the stock over
the market's recent throughput (kg/week, smoothed over `markets.price_smoothing_weeks`).
When the cover is above `markets.inventory_weeks`, sellers cut prices to move the stock;
below it, buyers bid them up. Each week the log price closes a share
`markets.price_adjustment` of the log gap:

    ln P <- ln P - a * ln(stock / (inventory_weeks * throughput))

(the change is limited to 20% a week, and the price to [floor, cap] times its
reference). So scarcity after seizures raises prices and gluts lower them.

**Prices from risks and costs.** A market that is supplied also moves towards the cost
of landing a kilogram there. For a route r selling at market m, the break-even price is

    L_r = (P_b * (1 + mu) + C_r + pi_m) / a_r,      a_r = (1 - q_r) * keep_r - delta * d_r

with P_b the price where the route's cargo was bought, mu the markup, C_r transport
cost, pi_m the market's entry premium and a_r the share of a kilogram the sellers expect
to arrive (perceived risk q_r, known losses, strike penalty; `traffickers.py`): each stage's
price is the previous stage's plus transport cost, compensation for the risk of seizure
(a seized kilogram is replaced at its price where it was lost) and the markup, Reuter and
Kleiman's risks and prices. The market's landed cost L_m is the geometric mean of L_r
over the routes that delivered there, weighted by the kilograms they sent, smoothed over
`markets.price_smoothing_weeks`; each week the log price also closes a share
`markets.cost_anchor` of ln(L_m / P_m). Competition among sellers drives this: a price
above the landed cost draws more shipments, one below it makes sellers hold back. Without
this term (`cost_anchor` = 0) stage prices are linked only through the shipping decision,
and in Model v2's first calibration they drifted to their guards (docs/model.md).
Production areas have no routes selling at them: their price is set by their stock
alone (a glut at origin lowers it, and with it every landed cost downstream).

**The netback cap.** At a trading stage (production area, hand-off) the buyers take a
share f of the stock a week, so its cover settles at 1/f whatever arrives and a cover
target prices the dispatch rule. There a shortage (stock below target) bids the price up
no further than the buyers' netback V, the share-weighted value of the routes of the
stocks held there (`traffickers.py`): the shortage gap g < 0 becomes
(1 - w) g + w max(g, min(ln(P / V), 0)), w = `markets.netback_cap` (docs/model.md 7.8).
Without it (w = 0) stage prices ran to their caps over much of the parameters' ranges.

**Consumption.** Users buy at the retail price, which moves with the wholesale price
with elasticity `markets.price_transmission` (retail markups are largely fixed costs).
Consumption at a consumer market is

    C_m = min(stock_m, D_m(t) * (P_m / P_ref,m) ** (-eta * phi))          [kg/week]

with D_m(t) the demand at the reference price (growing at `demand_growth`, times the
`markets.demand_factor` lever, less what treatment removes), eta the retail price
elasticity (`markets.demand_elasticity`) and phi the transmission. Demand pulls: what is
not consumed stays in stock, lowers the price and slows shipments upstream.
"""

from __future__ import annotations

import numpy as np

from corredor.network import Network
from corredor.parameters import ParameterSet

WEEKS_PER_YEAR = 52
MAX_WEEKLY_CHANGE = np.log(1.2)  # a price moves at most 20% in a week


def weekly_demand_kg(
    net: Network, params: ParameterSet, markets: list[str], times: np.ndarray
) -> np.ndarray:
    """(T, M) demand of consumer markets at their reference price, kg per week."""
    rows = {m.node: m for m in net.markets}
    factor = params.series("markets.demand_factor").at(times) * params["markets.demand_scale"]
    out = np.empty((len(times), len(markets)))
    for j, mid in enumerate(markets):
        row = rows[mid]
        years = np.floor(times) - row.base_year
        out[:, j] = (
            row.demand_t_per_year * 1000.0 / WEEKS_PER_YEAR * (1 + row.demand_growth) ** years
        )
    return out * factor[:, None]


def consumption(
    stock: np.ndarray,
    demand: np.ndarray,
    price: np.ndarray,
    ref_price: np.ndarray,
    elasticity,
    transmission,
) -> np.ndarray:
    """(R, M) kg consumed this week at consumer markets (module docstring)."""
    wanted = demand * (price / ref_price) ** (-np.asarray(elasticity) * np.asarray(transmission))
    return np.minimum(stock, wanted)


MIN_ARRIVING = 0.05  # a route expected to deliver less than this share sets no cost
TINY_KG = 1e-6  # kg: below this a stock or a flow is nothing


def landed_cost(
    price: np.ndarray,
    value: np.ndarray,
    sent: np.ndarray,
    buy_trade: np.ndarray,
    sell_trade: np.ndarray,
    cost: np.ndarray,
    premium: np.ndarray,
    markup,
) -> tuple[np.ndarray, np.ndarray]:
    """(R, P) weight x ln(break-even price) of each route and (R, P) its weight (kg
    sent this week; zero for routes expected to deliver less than MIN_ARRIVING):
    summed per market, their ratio is the market's log landed cost (module docstring).

    `value` is the route value of `traffickers.py`, (P_m * a_r - C_r - pi_m) / (1 + mu),
    from which a_r is recovered at this week's prices. Reference implementation in
    numpy; the engine uses `kernels.landed_routes` and `kernels.landed_smooth`, and a
    test checks that they agree bit for bit.
    """
    mu = np.asarray(markup, dtype=float)
    mu = mu[:, None] if mu.ndim == 1 else mu
    sell = price[:, sell_trade]
    arriving = (value * (1.0 + mu) + cost + premium) / np.maximum(sell, 1e-9)
    weight = np.where(arriving > MIN_ARRIVING, sent, 0.0)
    breakeven = (price[:, buy_trade] * (1.0 + mu) + cost + premium) / np.maximum(
        arriving, MIN_ARRIVING
    )
    return weight * np.log(breakeven), weight


def mean_landed(log_sum: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """(R, N) landed cost of each market (USD/kg) from smoothed sums of weight x log
    cost and of weight; NaN where nothing was delivered (no pull on the price)."""
    has = weight > TINY_KG
    out = np.full(log_sum.shape, np.nan)
    np.exp(np.divide(log_sum, weight, out=np.zeros_like(log_sum), where=has), out=out, where=has)
    return out


def adjust_prices(
    price: np.ndarray,
    stock: np.ndarray,
    throughput: np.ndarray,
    ref_price: np.ndarray,
    cover_weeks,
    speed,
    floor,
    cap,
    landed: np.ndarray | None = None,
    anchor=0.0,
    shortage=1.0,
    netback: np.ndarray | None = None,
    netback_weight=0.0,
) -> np.ndarray:
    """(R, N) next week's prices at trading nodes from their stock and smoothed
    throughput (kg and kg/week) and, where `landed` (USD/kg) is not NaN, the pull
    `anchor` towards the landed cost (module docstring); `shortage` weighs a stock below
    its target (`markets.shortage_signal`); where `netback` (USD/kg) is not NaN (trading
    stages) a shortage bids no higher than it, with weight `netback_weight` (R,) (the
    netback cap, module docstring). A market with neither stock
    nor throughput nor landed cost keeps its price; stock nobody ships on lowers it."""
    tiny = TINY_KG
    target = np.asarray(cover_weeks) * throughput
    active = (stock > tiny) | (target > tiny)
    gap = np.log(np.maximum(stock, tiny)) - np.log(np.maximum(target, tiny))
    if netback is not None:  # trading stages: a shortage bids up to the netback only
        w = np.asarray(netback_weight)
        w = w[:, None] if w.ndim == 1 else w
        staged = ~np.isnan(netback)
        bid = np.minimum(np.log(price) - np.log(np.where(staged, netback, price)), 0.0)
        short = staged & (gap < 0)
        gap = np.where(short, (1.0 - w) * gap + w * np.maximum(gap, bid), gap)
    # `shortage` weighs a stock below its target (1: as a glut above it; 0: only gluts
    # move the price, a shortage acts through the landed cost alone)
    gap = np.where(gap < 0, np.asarray(shortage) * gap, gap)
    step = np.where(active, -np.asarray(speed) * gap, 0.0)
    if landed is not None:  # no pull where nothing was delivered: ln(P / P) = 0
        supplied = ~np.isnan(landed)
        step = step + np.asarray(anchor) * (
            np.log(np.where(supplied, landed, price)) - np.log(price)
        )
        active = active | supplied
    step = np.clip(step, -MAX_WEEKLY_CHANGE, MAX_WEEKLY_CHANGE)
    new = price * np.exp(np.where(active, step, 0.0))
    return np.clip(new, ref_price * np.asarray(floor), ref_price * np.asarray(cap))
