"""Shared fixtures: the ten-node test corridor, copies of it to break, and invariant checks."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from corredor.engine import Simulation, check_detection

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.toml"


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A writable copy of the mini scenario and network; returns the scenario path."""
    shutil.copytree(DATA / "mini", tmp_path / "mini")
    shutil.copy(MINI, tmp_path / "mini.toml")
    return tmp_path / "mini.toml"


@pytest.fixture
def mini_searched(mini_copy: Path) -> Path:
    """The mini copy with searched domains (tests/data/mini-domains.csv): roads and sea
    extents that put the agencies' detection in a plausible range (0.07-0.33 a leg) at
    the calibrated effectiveness. Without them every leg is a domain of its own with
    extent 1, and the mini budgets saturate detection (1.0 on every sea leg, 0.87 on
    Ecuador's roads), which leaves Ecuador's route and the US market empty: enough for
    invariants, not for behaviour."""
    shutil.copy(DATA / "mini-domains.csv", mini_copy.parent / "mini" / "domains.csv")
    return mini_copy


def mass_residual(sim: Simulation, data: dict[str, np.ndarray]) -> np.ndarray:
    """produced - consumed - seized - destroyed - lost - change in stock, per step."""
    produced = data["produced_kg"].sum(-1)
    out = (
        data["consumed_kg"].sum(-1)
        + data["seized_kg"].sum(-1)
        + data["destroyed_kg"].sum(-1)
        + data["lost_kg"]
    )
    stock = data["stock_kg"]
    previous = np.concatenate([sim.initial_stock[:, None], stock[:, :-1]], axis=1)
    return produced - out - (stock - previous)


def assert_invariants(sim: Simulation, data: dict[str, np.ndarray]) -> None:
    """Mass balance, non-negativity, capacity and probability bounds for a weekly run."""
    produced = data["produced_kg"].sum(-1)
    scale = max(1.0, float(produced.max()), float(data["stock_kg"].max()))
    residual = mass_residual(sim, data)
    assert np.abs(residual).max() <= 1e-9 * scale, np.abs(residual).max()
    for name, arr in data.items():
        if name == "group_profit_usd":
            continue  # profits can be negative
        assert np.isfinite(arr).all(), name
        assert arr.min() >= -1e-9 * scale, (name, arr.min())
    cap = sim.c.capacity
    assert (data["flow_kg"] <= cap[None, None, :] * (1 + 1e-6) + 1e-6).all()
    if sim.plan is not None:  # detection of the whole run; dynamic runs use check=True
        check_detection(sim.plan)
    else:
        assert sim.check, "dynamic runs must be made with check=True to verify detection"
    assert (data["price_usd_per_kg"] > 0).all()
    assert (data["interdicted_kg"] <= data["flow_kg"] * (1 + 1e-6) + 1e-6).all()


def invoke_cli(args: list[str], capsys, monkeypatch) -> tuple[int, str]:
    """Run `corredor ARGS` in-process; returns (exit code, stdout + stderr)."""
    from corredor.cli import main as cli

    monkeypatch.setattr(sys, "argv", ["corredor", *args])
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out + out.err
