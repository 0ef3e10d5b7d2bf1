"""Where the built-in inputs live, without loading the model: the shipped scenario files
by name (`corredor scenarios` lists them without importing numpy or pydantic)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def builtin_dir() -> Path:
    """The directory of the shipped scenario files."""
    return Path(str(resources.files("corredor") / "data" / "scenarios"))


def builtin_scenarios() -> dict[str, Path]:
    """Built-in scenario names (file stems) and their TOML files, sorted by name."""
    return {p.stem: p for p in sorted(builtin_dir().glob("*.toml"))}
