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


def _code_digest() -> str:
    """Hash of the package's code and data as they were when it was imported: two
    processes with the same digest run the same model (a Dask worker started before an
    edit keeps the old digest, even though its version string is unchanged)."""
    import hashlib
    from pathlib import Path

    root = Path(__file__).parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".csv", ".toml", ".geojson") and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


CODE_DIGEST = _code_digest()

from corredor.api import run  # noqa: E402
from corredor.network import load_network  # noqa: E402
from corredor.scenario import load_scenario  # noqa: E402

__all__ = ["__version__", "load_network", "load_scenario", "run"]
