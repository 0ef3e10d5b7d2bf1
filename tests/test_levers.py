"""Levers: which apply to a scenario, what they change (from the lever year only), bounds,
the `--lever` syntax and the `corredor levers` command."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from conftest import MINI, invoke_cli
from corredor.analysis.levers import CATALOGUE, apply_levers, find_lever, levers_for
from corredor.analysis.sweep import LeverRange, parse_lever_range, to_toml
from corredor.engine import week_times
from corredor.errors import CorredorError
from corredor.scenario import load_scenario


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


@pytest.fixture(scope="module")
def weeks():
    return week_times(2015, 2030)[0]


def series_of(sc, lever, weeks):
    """The weekly values of the series a lever changes."""
    kind, *rest = lever.path
    if kind == "parameters":
        return sc.params.series(rest[0]).at(weeks)
    agency = rest[0]
    if rest[1] == "strike_share":
        return sc.strike_shares[agency].at(weeks)
    return sc.budgets[agency][rest[2]].at(weeks)


def test_baseline_has_every_lever_with_defaults_from_the_scenario(baseline):
    levers = levers_for(baseline)
    assert set(CATALOGUE) - set(levers) <= {"ec_port_inspection_share"}  # needs interventions
    assert levers["us_strike_share"].default == pytest.approx(0.5)  # the 2025 campaign
    assert levers["demand_factor"].default == 1.0
    assert levers["ec_container_effort"].default == 1.0
    assert all(lv.year == 2026 for lv in levers.values())


def test_levers_at_default_leave_the_baseline_exactly_unchanged(baseline, weeks):
    levers = [lv for lv in levers_for(baseline).values() if lv.kind != "intervention"]
    changed = apply_levers(baseline, levers, [lv.default for lv in levers])
    for lever in levers:
        before, after = series_of(baseline, lever, weeks), series_of(changed, lever, weeks)
        assert np.array_equal(before, after), lever.name


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ec_container_effort", 2.0),
        ("co_container_effort", 0.5),
        ("ec_road_effort", 3.0),
        ("us_maritime_effort", 0.0),
        ("us_strike_share", 0.8),
        ("demand_factor", 0.7),
    ],
)
def test_a_lever_changes_its_series_from_2026_only(baseline, weeks, name, value):
    lever = levers_for(baseline)[name]
    changed = apply_levers(baseline, [lever], [value])
    before, after = series_of(baseline, lever, weeks), series_of(changed, lever, weeks)
    past = weeks < 2026
    assert np.array_equal(before[past], after[past])
    expected = before[~past] * value if lever.kind == "factor" else np.full((~past).sum(), value)
    np.testing.assert_allclose(after[~past], expected, rtol=1e-12)
    # nothing else moved: the other levers' series are the baseline's
    for other in levers_for(baseline).values():
        if other.name != name and other.kind != "intervention":
            assert np.array_equal(
                series_of(baseline, other, weeks), series_of(changed, other, weeks)
            )


def test_port_inspection_lever_adds_an_intervention_from_the_lever_year(baseline):
    if "ec_port_inspection_share" not in levers_for(baseline):
        pytest.skip("this version of the scenario format has no [[interventions]]")
    lever = levers_for(baseline)["ec_port_inspection_share"]
    changed = apply_levers(baseline, [lever], [0.3])
    (added,) = [i for i in changed.interventions if i.spec.what == "inspection_share"]
    assert added.spec.value == 0.3 and added.start == 2026.0
    ports = {e.from_ for e, on in zip(baseline.network.edges, added.edges, strict=True) if on}
    assert ports and all(baseline.network.node(p).country == "EC" for p in ports)
    assert "interventions" not in baseline.raw  # the input is not modified


PLAN = """
extends = "baseline"
[agencies.EC.budget]
container = { "2015" = 10, "2025" = 25, "2027" = 25, "2028" = 50, "2029" = 100 }
[parameters]
markets.demand_factor = { "2015" = 1.0, "2027" = 1.0, "2030" = 0.9 }
"""


@pytest.fixture
def plan(tmp_path):
    """A scenario with plans after the lever year: ports x4 by 2029, demand -10% by 2030
    (the demand factor written as nested tables)."""
    path = tmp_path / "plan.toml"
    path.write_text(PLAN, encoding="utf-8")
    return load_scenario(path)


def test_factor_levers_scale_later_dated_points_of_a_scenario(plan):
    lever = levers_for(plan)["ec_container_effort"]
    changed = apply_levers(plan, [lever], [2.0])
    series = changed.budgets["EC"]["container"]
    assert series.at(np.array([2025.5, 2026.5, 2029.5])).tolist() == [25.0, 50.0, 200.0]


def test_demand_lever_replaces_a_dated_parameter_in_either_spelling(plan):
    lever = levers_for(plan)["demand_factor"]
    assert lever.default == 1.0
    changed = apply_levers(plan, [lever], [0.5])
    factor = changed.params.series("markets.demand_factor")
    assert factor.at(np.array([2025.9, 2028.0, 2030.0])).tolist() == [1.0, 0.5, 0.5]
    raw = dict(plan.raw, parameters={"markets.demand_factor": 0.9})  # a dotted key
    out = lever.apply(raw, 0.5)
    assert "markets.demand_factor" not in out["parameters"]
    assert out["parameters"]["markets"]["demand_factor"] == {"2025-12-31": 0.9, "2026": 0.5}


def test_apply_does_not_modify_its_input(baseline):
    before = to_toml(baseline.raw)
    levers_for(baseline)["ec_container_effort"].apply(baseline.raw, 4.0)
    assert to_toml(baseline.raw) == before


def test_agency_levers_are_skipped_when_the_scenario_lacks_the_agency():
    sc = load_scenario(MINI)
    levers = levers_for(sc, 2017)
    assert "co_container_effort" not in levers  # mini has no Colombian agency
    assert "ec_maritime_effort" not in levers  # Ecuador has no maritime budget there
    assert {"ec_container_effort", "us_strike_share", "demand_factor"} <= set(levers)
    with pytest.raises(CorredorError, match="does not apply") as exc:
        find_lever(sc, "co_container_effort", 2017)
    assert exc.value.field == "--lever"


def test_unknown_lever_and_out_of_bounds_values_name_the_option(baseline):
    with pytest.raises(CorredorError, match="ec_container_effort") as exc:
        find_lever(baseline, "ec_container_efort")
    assert exc.value.field == "--lever"
    lever = levers_for(baseline)["us_strike_share"]
    with pytest.raises(CorredorError, match=r"outside its bounds \[0, 1\]"):
        lever.apply(baseline.raw, 1.5)
    with pytest.raises(CorredorError) as exc:
        levers_for(baseline, 2040)
    assert exc.value.field == "--lever-from"


def test_parse_lever_range():
    assert parse_lever_range("ec_road_effort=1:4:4") == LeverRange("ec_road_effort", 1, 4, 4)
    assert parse_lever_range(" x = 0.5 : 2 ") == LeverRange("x", 0.5, 2.0, None)
    assert parse_lever_range("x=3") == LeverRange("x", 3.0, 3.0, 1)
    for bad in (
        "x",
        "=1:2:3",
        "x=a:2:3",
        "x=1:2:0",
        "x=1:2:2.5",
        "x=3:1:2",
        "x=1:2:3:4",
        "x=1:2:1",
    ):
        with pytest.raises(CorredorError) as exc:
            parse_lever_range(bad)
        assert exc.value.field == "--lever", bad


def test_merged_scenario_toml_round_trips(baseline):
    raw = {k: v for k, v in baseline.raw.items() if not k.startswith("_")}
    assert tomllib.loads(to_toml(raw)) == raw
    odd = {"a": {"b c": [1, 2.5, 'x"y'], "d": {"e": {"2015": 1.0}}}, "f": float("inf")}
    assert tomllib.loads(to_toml(odd)) == odd


def test_levers_command_lists_units_bounds_and_defaults(capsys, monkeypatch):
    code, text = invoke_cli(["levers", "baseline"], capsys, monkeypatch)
    assert code == 0
    for name in levers_for(load_scenario("baseline")):
        assert name in text
    code, text = invoke_cli(["levers", str(MINI)], capsys, monkeypatch)
    assert code == 2 and "--lever-from" in text  # mini ends in 2020, levers start in 2026
