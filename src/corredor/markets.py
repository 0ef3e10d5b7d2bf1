"""Consumer markets: demand, and prices that clear the market.

Demand at the reference price grows at each market's `demand_growth` from its base
year, times the `markets.demand_factor` lever. Supply is the delivered flow, smoothed
over `markets.price_smoothing_weeks`. The price follows the inverse demand curve of
constant elasticity eta (`markets.demand_elasticity`):

    P_m = P_ref_m * clip((Q_m / D_m) ** (-1 / eta), floor, cap)

so scarcity raises prices (the risk premium passed to consumers) and gluts lower them.
"""

from __future__ import annotations

import numpy as np

from corredor.network import Network
from corredor.parameters import ParameterSet

WEEKS_PER_YEAR = 52


def weekly_demand_kg(
    net: Network, params: ParameterSet, markets: list[str], times: np.ndarray
) -> np.ndarray:
    """(T, M) demand at the reference price, kg per week."""
    rows = {m.node: m for m in net.markets}
    factor = params.series("markets.demand_factor").at(times)
    out = np.empty((len(times), len(markets)))
    for j, mid in enumerate(markets):
        row = rows[mid]
        years = np.floor(times) - row.base_year
        out[:, j] = (
            row.demand_t_per_year * 1000.0 / WEEKS_PER_YEAR * (1 + row.demand_growth) ** years
        )
    return out * factor[:, None]


def clear_price(
    supply: np.ndarray,
    demand: np.ndarray,
    ref_price: np.ndarray,
    elasticity: float,
    floor: float,
    cap: float,
) -> np.ndarray:
    """Market price (USD/kg) for smoothed supply `supply` against `demand` (kg/week)."""
    ratio = np.maximum(supply, 1e-9) / np.maximum(demand, 1e-9)
    return ref_price * np.clip(ratio ** (-1.0 / elasticity), floor, cap)
