"""The tools that ship a calibration and check that it reproduces (tolerance zero)."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest

from corredor.errors import CorredorError
from corredor.scenario import build_scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]


def tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reproduce = tool("reproduce_calibration")
ship = tool("ship_calibration")
BASELINE = ROOT / "src" / "corredor" / "data" / "scenarios" / "baseline.toml"

FITTED = """# Fitted by `corredor calibrate`
extends = "baseline"
name = "baseline-calibrated"
refs = ["calibration-2026-11"]

[calibration]
command = "corredor calibrate baseline --maxiter 15 --seed 1"
seed = 1
corredor_version = "0.1.0"
inputs_digest = "0123456789abcdef"
evaluations = 1234
stopped_on = "generation limit"
objective = 0.0612345

[parameters]
interdiction.k_container = 0.123457
violence.contest_coef = 0.654321
"""


def test_ship_writes_values_and_record_and_the_checker_accepts_them():
    shipped_text = ship.ship(FITTED, BASELINE.read_text(encoding="utf-8"))
    shipped = tomllib.loads(shipped_text)
    assert shipped["parameters"]["interdiction"]["k_container"] == 0.123457
    assert shipped["calibration"]["evaluations"] == 1234
    assert shipped_text.count("[calibration]") == 1
    # shipping twice replaces the record instead of adding one
    again = ship.ship(FITTED.replace("1234", "999"), shipped_text)
    assert again.count("[calibration]") == 1 and "evaluations = 999" in again
    # the checker: identical values pass, a last-digit difference fails
    fitted = tomllib.loads(FITTED)
    assert reproduce.compare(shipped, fitted) == []
    moved = tomllib.loads(FITTED.replace("0.654321", "0.654322"))
    assert reproduce.compare(shipped, moved) == [
        "violence.contest_coef: shipped 0.654321, re-run 0.654322"
    ]
    other = tomllib.loads(FITTED.replace("1234", "1235"))
    assert any("evaluations" in p for p in reproduce.compare(shipped, other))


def test_ship_refuses_an_incomplete_search():
    text = FITTED.replace('"generation limit"', '"time budget"')
    with pytest.raises(SystemExit, match="incomplete"):
        ship.ship(text, BASELINE.read_text(encoding="utf-8"))


def test_calibration_record_must_hold_plain_values():
    sc = load_scenario("tests/data/mini.toml")
    raw = {**sc.raw, "calibration": {"command": "corredor calibrate x", "seed": 1}}
    assert build_scenario(raw, name="m", file="m.toml").raw["calibration"]["seed"] == 1
    raw["calibration"] = {"seed": {"nested": 1}}
    with pytest.raises(CorredorError, match="calibration"):
        build_scenario(raw, name="m", file="m.toml")
