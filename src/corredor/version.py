"""The package's version and a digest of its code and data, recorded in every result."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

__version__ = "0.1.0"


@cache
def code_digest() -> str:
    """Hash of the package's code and data, taken the first time it is asked for (the
    model's results module asks when it is imported, so in a process that runs the model
    it is the code that was loaded): two processes with the same digest run the same
    model (a Dask worker started before an edit keeps the old digest, even though its
    version string is unchanged). Computed on demand so that `import corredor` and the
    command line's `--help` stay fast."""
    root = Path(__file__).parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".csv", ".toml", ".geojson") and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def __getattr__(name: str) -> str:
    # `from corredor.version import CODE_DIGEST` still works, computed on first use.
    if name == "CODE_DIGEST":
        return code_digest()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
