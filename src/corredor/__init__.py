"""Corredor: an open, calibrated and fast simulation of the cocaine trafficking corridor
through Ecuador and the policies that try to close it.

Quick start::

    import corredor
    res = corredor.run("baseline", replicates=16, seed=1)
    res                 # scenario, period, replicates and key totals
    res.data            # xarray.Dataset
    res.summary()       # tidy table: year, metric, region, mean, p05, p95
    res.plot("map")     # a matplotlib figure

The package root is the model and its inputs; `corredor.analysis` (comparison,
uncertainty, calibration, sweeps), `corredor.outputs` (figures and reports) and
`corredor.cli` work on it from outside (see docs/layout.md, and docs/api.md for the
Python API).

This module is the public facade. Its names load on first use (PEP 562 `__getattr__`),
so `import corredor` and the command line's `--help` do not import numpy, pandas or
numba; `corredor.compare`, `corredor.ensemble`, `corredor.sweep` and `corredor.validate`
reach into the analysis layer only when called for.
"""

from __future__ import annotations

from typing import Any

from corredor.version import __version__

__all__ = [
    "CODE_DIGEST",
    "Results",
    "Scenario",
    "__version__",
    "compare",
    "ensemble",
    "load_network",
    "load_scenario",
    "run",
    "sweep",
    "validate",
]


def __getattr__(name: str) -> Any:  # noqa: C901 - one branch per public name
    # Each import sits in its own branch so that a name pulls in only what it needs.
    if name == "run":
        from corredor.api import run as value
    elif name == "load_scenario":
        from corredor.scenario import load_scenario as value
    elif name == "Scenario":
        from corredor.scenario import Scenario as value
    elif name == "load_network":
        from corredor.network import load_network as value
    elif name == "Results":
        from corredor.results import Results as value
    elif name == "CODE_DIGEST":
        from corredor.version import code_digest

        value = code_digest()
    elif name == "compare":
        from corredor.analysis.api import compare as value
    elif name == "ensemble":
        from corredor.analysis.api import ensemble as value
    elif name == "sweep":
        from corredor.analysis.api import sweep as value
    elif name == "validate":
        try:
            from corredor.analysis.validate import validate as value
        except ModuleNotFoundError as exc:
            if exc.name != "corredor.analysis.validate":
                raise
            raise AttributeError(
                "corredor.validate is not available in this version (no corredor.analysis."
                "validate module)"
            ) from None
    else:
        raise AttributeError(f"module 'corredor' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
