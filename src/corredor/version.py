"""The package's version and a digest of its code and data, recorded in every result."""

from __future__ import annotations

import hashlib
from pathlib import Path

__version__ = "0.1.0"


def _code_digest() -> str:
    """Hash of the package's code and data as they were when it was imported: two
    processes with the same digest run the same model (a Dask worker started before an
    edit keeps the old digest, even though its version string is unchanged)."""
    root = Path(__file__).parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".csv", ".toml", ".geojson") and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


CODE_DIGEST = _code_digest()
