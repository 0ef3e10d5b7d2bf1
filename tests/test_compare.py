"""Scenario comparison and the built-in policy scenarios."""

from __future__ import annotations

import sys

import pytest

from corredor.analysis.compare import DERIVED, OUTCOMES, compare
from corredor.cli import main as cli
from corredor.errors import CorredorError
from corredor.scenario import builtin_scenarios, load_scenario


def test_builtin_scenarios_load_and_extend_baseline():
    names = builtin_scenarios()
    for name in (
        "baseline",
        "fentanyl-focus",
        "colombia-ports-secured",
        "boat-strikes",
        "secure-ecuador-ports",
        "joint-operations-2026",
        "demand-side",
    ):
        assert name in names
        sc = load_scenario(name)
        assert sc.start == 2015 and sc.end == 2030
        assert sc.raw.get("question")


def test_compare_identical_scenarios_gives_zero_difference():
    """Common random numbers: a scenario compared with itself differs by exactly zero."""
    res = compare(["baseline", "baseline"], replicates=2, seed=3, first=2015, last=2017)
    second = res.table.iloc[len(res.table) // 2 :]
    totals = second[second.outcome.isin(list(OUTCOMES))]
    assert len(totals) == len(OUTCOMES)
    assert (totals.diff_mean == 0).all() and (totals.diff_p05 == 0).all()
    # nothing kept from consumers, no targeted legs: derived ratios are undefined
    assert second[second.outcome.isin(list(DERIVED))].diff_mean.isna().all()


def test_stronger_strikes_destroy_more_and_kill_more():
    res = compare(["baseline", "boat-strikes"], replicates=4, seed=3, first=2026, last=2030)
    t = res.table.set_index(["scenario", "outcome"])
    assert t.loc[("boat-strikes", "destroyed_t"), "diff_mean"] > 0
    assert t.loc[("boat-strikes", "deaths_crew"), "diff_mean"] > 0
    # people not trafficking die wherever strikes happen (small, noisy counts: a level)
    assert t.loc[("boat-strikes", "deaths_misidentified"), "mean"] > 0


def test_compare_bad_input(capsys, monkeypatch):
    with pytest.raises(CorredorError):
        compare([], replicates=1)
    with pytest.raises(CorredorError, match="no year"):
        compare(["baseline"], replicates=1, first=2040, last=2041)
    monkeypatch.setattr(
        sys, "argv", ["corredor", "compare", "baseline", "no-such-scenario", "-r", "1"]
    )
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 2
    assert "no-such-scenario" in capsys.readouterr().err


def test_compare_with_parameter_draws_is_paired(tmp_path):
    """With --draws every scenario runs the same parameter draws and seeds: a scenario
    against itself differs by exactly zero, and a policy's effect is paired run by run."""
    from conftest import MINI

    policy = tmp_path / "strikes.toml"
    policy.write_text(
        f'extends = "{MINI}"\nname = "strikes"\n[[interventions]]\nwhat = "strike_share"\n'
        'agency = "US"\nfrom = "2016"\nvalue = 0.5\n'
    )
    res = compare([str(MINI), str(MINI), str(policy)], replicates=2, seed=2, draws=6)
    assert res.replicates == 12
    assert res.results[str(policy)].data.sizes["replicate"] == 12
    t = res.table.set_index(["scenario", "outcome"])
    same = res.table.iloc[len(OUTCOMES) + len(DERIVED) : 2 * (len(OUTCOMES) + len(DERIVED))]
    assert (same[same.outcome.isin(list(OUTCOMES))].diff_mean == 0).all()
    assert t.loc[(str(policy), "deaths_crew"), "diff_p05"] >= 0
    assert t.loc[(str(policy), "deaths_crew"), "diff_mean"] > 0


def test_compare_command_accepts_a_scenario_twice(capsys, monkeypatch):
    """The CLI table is built by position: a scenario compared with itself prints zeros."""
    from conftest import MINI, invoke_cli

    code, out = invoke_cli(["compare", str(MINI), str(MINI), "-r", "2"], capsys, monkeypatch)
    assert code == 0, out
    assert "Δ 0 [0, 0]" in out


def test_a_policy_whose_cost_is_not_modelled_shows_so_never_zero(tmp_path, capsys, monkeypatch):
    """A strike share costs nothing in the model: its spending and cost per kg are
    'cost not modelled', not 0.00 (the old table printed 0.00 [+0.00, +0.00]); a budget
    change is costed and keeps its numbers."""
    from conftest import MINI, invoke_cli

    strikes = tmp_path / "strikes.toml"
    strikes.write_text(
        f'extends = "{MINI}"\nname = "strikes"\n[[interventions]]\nwhat = "strike_share"\n'
        'agency = "US"\nfrom = "2016"\nvalue = 0.5\n'
    )
    budget = tmp_path / "budget.toml"
    budget.write_text(
        f'extends = "{MINI}"\nname = "budget"\n[[interventions]]\nwhat = "budget"\n'
        'agency = "EC"\nfrom = "2016"\nfactor = 2\n'
    )
    res = compare([str(MINI), str(strikes), str(budget)], replicates=2, seed=2)
    t = res.table.set_index(["scenario", "outcome"])
    for key in ("cost_musd", "cost_per_kg_kept_usd", "cost_per_kg_kept_us_usd"):
        assert t.loc[(str(strikes), key), "note"] == "cost not modelled"
        assert t.loc[(str(strikes), key), ["mean", "diff_mean"]].isna().all()
        assert t.loc[(str(budget), key), "note"] == ""
    assert t.loc[(str(budget), "cost_musd"), "diff_mean"] > 0
    code, out = invoke_cli(["compare", str(MINI), str(strikes), "-r", "2"], capsys, monkeypatch)
    assert code == 0, out
    assert out.count("cost not modelled") == 3
