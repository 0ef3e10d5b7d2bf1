"""Compiled scenarios kept per worker process: the route enumeration and arrays of a
scenario, built once and shared by every batch (ensemble chunk or calibration
evaluation) that the process runs."""

from __future__ import annotations

from corredor.scenario import Scenario

_COMPILED: dict[str, object] = {}  # per worker process: compiled networks by scenario


def compiled_for(scenario: Scenario):
    """The scenario's compiled routes and arrays, built once per process (route
    enumeration costs about half a second; every chunk of an ensemble shares it)."""
    import json

    from corredor.engine import compile_scenario

    key = json.dumps(
        {k: v for k, v in scenario.raw.items() if not k.startswith("_")},
        sort_keys=True,
        default=str,
    ) + str(scenario.network.path)
    if key not in _COMPILED:
        _COMPILED.clear()  # one scenario at a time is enough
        _COMPILED[key] = compile_scenario(scenario)
    return _COMPILED[key]
