"""Corredor: an open, calibrated and fast simulation of the cocaine trafficking corridor
through Ecuador and the policies that try to close it.

Quick start::

    import corredor
    res = corredor.run("baseline", replicates=16, seed=1)
    res.data            # xarray.Dataset
    res.summary()       # tidy table: year, metric, region, mean, p05, p95

The package root is the model and its inputs; `corredor.analysis` (comparison,
uncertainty, calibration, sweeps), `corredor.outputs` (figures and reports) and
`corredor.cli` work on it from outside (see docs/layout.md).
"""

from __future__ import annotations

from corredor.api import run
from corredor.network import load_network
from corredor.scenario import load_scenario
from corredor.version import CODE_DIGEST, __version__

__all__ = ["CODE_DIGEST", "__version__", "load_network", "load_scenario", "run"]
