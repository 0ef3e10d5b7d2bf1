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
reference). So scarcity after seizures raises prices and gluts lower them, and since
traders ship on only when the margin covers their markup (`traffickers.ship_fraction`),
prices settle where each stage's price is the previous stage's plus transport cost,
compensation for the risk of seizure and the markup: Reuter and Kleiman's risks and
prices, with the seized kilogram replaced at its price where it was lost.

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


def adjust_prices(
    price: np.ndarray,
    stock: np.ndarray,
    throughput: np.ndarray,
    ref_price: np.ndarray,
    cover_weeks,
    speed,
    floor,
    cap,
) -> np.ndarray:
    """(R, N) next week's prices at trading nodes from their stock and smoothed
    throughput (kg and kg/week; module docstring). A market with neither stock nor
    throughput keeps its price; stock nobody ships on lowers it."""
    tiny = 1e-6  # kg: below this a stock or a flow is nothing
    target = np.asarray(cover_weeks) * throughput
    active = (stock > tiny) | (target > tiny)
    gap = np.log(np.maximum(stock, tiny)) - np.log(np.maximum(target, tiny))
    step = np.clip(-np.asarray(speed) * gap, -MAX_WEEKLY_CHANGE, MAX_WEEKLY_CHANGE)
    new = price * np.exp(np.where(active, step, 0.0))
    return np.clip(new, ref_price * np.asarray(floor), ref_price * np.asarray(cap))
