"""Corredor: an open, calibrated and fast simulation of the cocaine trafficking corridor
through Ecuador and the policies that try to close it.

Quick start::

    import corredor
    res = corredor.run("baseline", replicates=16, seed=1)
    res.data            # xarray.Dataset
    res.summary()       # tidy table: year, metric, region, mean, p05, p95
"""

from __future__ import annotations

__version__ = "0.1.0"

from corredor.api import run  # noqa: E402
from corredor.network import load_network  # noqa: E402
from corredor.scenario import load_scenario  # noqa: E402

__all__ = ["__version__", "load_network", "load_scenario", "run"]
