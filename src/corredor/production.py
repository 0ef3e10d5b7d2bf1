"""Coca-to-cocaine production by area and week.

Input: potential production of pure cocaine HCl by country and year (network's
`production.csv`, UNODC-based). Each country's output is split over its production nodes
by `production_share`. Past the last data year the series grows at
`production.growth_after_data`; before the first year it holds the first value. In the
run, weekly output is multiplied by the area's price (what exporters pay there,
`markets.py`) relative to its reference, smoothed over `production.price_lag_weeks`,
raised to the power `production.supply_elasticity` (the input series is production at
the reference price; growers and labs make more when exporters pay more), and by
lognormal noise with coefficient of variation `production.noise_cv`.
"""

from __future__ import annotations

import numpy as np

from corredor.network import Network
from corredor.parameters import ParameterSet

WEEKS_PER_YEAR = 52


def annual_tonnes(
    net: Network, params: ParameterSet, years: np.ndarray, growth: float | None = None
) -> dict[str, np.ndarray]:
    """Tonnes per year for each producing country over `years` (data, held or grown)."""
    growth = params["production.growth_after_data"] if growth is None else growth
    out: dict[str, np.ndarray] = {}
    for country in sorted({r.country for r in net.production}):
        rows = sorted((r.year, r.tonnes) for r in net.production if r.country == country)
        data_years = np.array([y for y, _ in rows], dtype=float)
        data_t = np.array([t for _, t in rows], dtype=float)
        series = np.interp(years, data_years, data_t)
        after = years > data_years[-1]
        series[after] = data_t[-1] * (1.0 + growth) ** (years[after] - data_years[-1])
        out[country] = series
    return out


def weekly_base_kg(
    net: Network, params: ParameterSet, week_year: np.ndarray, growth: float | None = None
) -> np.ndarray:
    """(T, A) kg per week per production node, before price response and noise
    (`growth` overrides `production.growth_after_data`)."""
    areas = [n for n in net.nodes if n.kind == "production"]
    tonnes = annual_tonnes(net, params, week_year.astype(float), growth)
    out = np.empty((len(week_year), len(areas)))
    for j, node in enumerate(areas):
        out[:, j] = tonnes[node.country] * 1000.0 / WEEKS_PER_YEAR * node.production_share
    return out


def noise_factor(rng: np.random.Generator, shape: tuple[int, ...], cv) -> np.ndarray:
    """Mean-one lognormal multipliers with coefficient of variation `cv` (a float, or an
    array broadcasting against `shape`)."""
    if np.all(np.asarray(cv) <= 0):
        return np.ones(shape)
    sigma2 = np.log1p(cv * cv)
    return np.exp(rng.standard_normal(shape) * np.sqrt(sigma2) - 0.5 * sigma2)
