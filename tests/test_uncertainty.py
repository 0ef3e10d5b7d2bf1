"""Parameter uncertainty, ensembles and sensitivity analysis."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import MINI, invoke_cli
from corredor.analysis.sensitivity import analyse, design
from corredor.analysis.uncertainty import Uncertain, ensemble, uncertain_parameters
from corredor.scenario import load_scenario


@pytest.mark.parametrize("dist", ["uniform", "triangular", "lognormal"])
def test_draws_stay_in_range_and_centre_where_declared(dist):
    p = Uncertain("x", dist, 0.1, 10.0, 1.0, "e", "-")
    u = (np.arange(20000) + 0.5) / 20000
    v = p.ppf(u)
    assert v.min() >= 0.1 and v.max() <= 10.0
    assert np.all(np.diff(v) >= 0)  # an inverse CDF is monotone
    if dist == "lognormal":  # median at the centre (the truncation is nearly symmetric)
        assert abs(np.median(v) - 1.0) < 0.1
    if dist == "triangular":  # mode at the centre: P(v <= mode) = (mode - low) / range
        assert abs((v <= 1.0).mean() - 0.9 / 9.9) < 1e-3


def test_every_uncertain_parameter_has_a_range_around_its_value():
    sc = load_scenario("baseline")
    params = uncertain_parameters(sc)
    assert len(params) >= 20
    for p in params:
        assert p.low <= p.high, p.name
        assert p.low <= p.centre <= p.high, (p.name, p.low, p.centre, p.high)


def test_sobol_recovers_the_analytic_ranking():
    """y = 4 u1 + 2 u2 + u3 with independent uniforms: S_i = a_i^2 / sum a^2
    = 16/21, 4/21, 1/21 and 0 for the unused fourth input."""
    names = ["a", "b", "c", "d"]
    u = design("sobol", names, 512, seed=3)
    y = 4 * u[:, 0] + 2 * u[:, 1] + u[:, 2]
    df = analyse("sobol", names, u, y, seed=3).set_index("parameter")
    assert list(df.index) == names
    for name, want in zip(names, [16 / 21, 4 / 21, 1 / 21, 0.0], strict=True):
        assert abs(df.loc[name, "S1"] - want) < 0.05, name
        assert abs(df.loc[name, "ST"] - want) < 0.05, name
    m = analyse("morris", names, u := design("morris", names, 10, 1), 4 * u[:, 0] + u[:, 1], 1)
    assert list(m.parameter[:2]) == ["a", "b"]


def test_ensemble_is_identical_whatever_runs_it():
    """Chunks carry their own seeds: in-process and two worker processes agree exactly."""
    from corredor.analysis.executors import executor

    sc = load_scenario(MINI).with_period(2015, 2016)
    serial = ensemble(sc, n=12, replicates=2, seed=4, chunk=8)
    with executor(2, preload=["corredor.analysis.uncertainty"]) as ex:
        pooled = ensemble(sc, n=12, replicates=2, seed=4, chunk=8, executor=ex)
    for name in ("delivered_kg", "seized_kg", "homicides_country", "param_violence.flow_coef"):
        np.testing.assert_array_equal(serial.data[name].values, pooled.data[name].values)
    assert serial.data.sizes["replicate"] == 24
    # replicates of one draw share its parameter values
    flow = serial.data["param_violence.flow_coef"].values.reshape(12, 2)
    assert (flow[:, 0] == flow[:, 1]).all() and len(np.unique(flow[:, 0])) == 12


def test_ensemble_quantiles_are_stable_when_the_seed_changes():
    """With 160 draws, the median of delivered cocaine moves by less than 5% and the 5%
    quantile by less than 15% between two seeds (the stated tolerance). The 95% quantile
    is not stable at this size: the upper tail is heavy (docs/uncertainty.md)."""
    sc = load_scenario(MINI).with_period(2015, 2017)
    stats = []
    for seed in (1, 2):
        df = ensemble(sc, n=160, seed=seed, chunk=80).summary()
        row = df[(df.metric == "delivered_t") & (df.region == "world") & (df.year == 2017)]
        stats.append(row[["median", "p05", "p95"]].iloc[0].to_numpy())
    a, b = stats
    assert abs(a[0] - b[0]) / a[0] < 0.05
    assert abs(a[1] - b[1]) / a[1] < 0.15


def test_ensemble_and_sensitivity_commands(tmp_path, capsys, monkeypatch):
    code, out = invoke_cli(
        ["ensemble", str(MINI), "--n", "6", "-w", "1", "--chunk", "6", "-o", str(tmp_path / "e")],
        capsys,
        monkeypatch,
    )
    assert code == 0, out
    assert "6 runs" in out and (tmp_path / "e" / "summary.csv").exists()
    assert (tmp_path / "e" / "ensemble.zarr").is_dir()
    args = ["sensitivity", str(MINI), "--method", "morris", "--n", "3", "-w", "1"]
    args += ["--outcome", "delivered_t", "--outcome", "seized_t", "-o", str(tmp_path / "s")]
    args += ["--param", "interdiction.k_road", "--param", "violence.flow_coef"]
    args += ["--param", "traffickers.choice_sharpness"]
    code, out = invoke_cli(args, capsys, monkeypatch)
    assert code == 0, out
    assert (tmp_path / "s" / "sensitivity.png").exists()
    text = (tmp_path / "s" / "sensitivity.csv").read_text()
    assert "interdiction.k_road" in text and "noise floor" in text


@pytest.mark.parametrize(
    "args, field",
    [
        (["ensemble", str(MINI), "--n", "0"], "--n"),
        (["ensemble", str(MINI), "--param", "routes.max_hops"], "--param"),
        (["ensemble", str(MINI), "--workers", "0"], "--workers"),
        (["sensitivity", str(MINI), "--outcome", "nonsense"], "--outcome"),
        (["sensitivity", str(MINI), "--outcome", "seized_t", "--method", "fast"], "--method"),
        (["sensitivity", str(MINI)], "--outcome"),
    ],
)
def test_bad_uncertainty_input(args, field, tmp_path, capsys, monkeypatch):
    code, out = invoke_cli([*args, "-o", str(tmp_path / "x")], capsys, monkeypatch)
    assert code == 2, out
    assert field in out
    assert not (tmp_path / "x").exists()


def test_sensitivity_against_a_reference(tmp_path, capsys, monkeypatch):
    """Outcomes as paired differences from a reference run with the same draws and seeds,
    including the tonnes a measure displaced rather than removed."""
    from corredor.analysis.sensitivity import sensitivity

    policy = tmp_path / "ports.toml"
    policy.write_text(
        f'extends = "{MINI}"\nname = "ports"\n[[interventions]]\n'
        'what = "inspection_share"\nnode = "ec-port"\nmode = "container"\n'
        'from = "2016"\nvalue = 0.5\n'
    )
    sc, ref = load_scenario(policy), load_scenario(MINI)
    only = ["interdiction.k_road", "violence.flow_coef", "traffickers.choice_sharpness"]
    res = sensitivity(
        sc, method="morris", outcomes=["displaced_t", "seized_t"], n=3, against=ref, only=only
    )
    assert res.against == "mini" and set(res.indices) == {"displaced_t", "seized_t"}
    # the same design against itself: every difference is exactly zero
    same = sensitivity(ref, method="morris", outcomes=["seized_t"], n=3, against=ref, only=only)
    assert (same.indices["seized_t"].mu_star == 0).all()
    code, out = invoke_cli(
        ["sensitivity", str(MINI), "--outcome", "displacement_index", "-o", str(tmp_path / "x")],
        capsys,
        monkeypatch,
    )
    assert code == 2 and "--against" in out


def test_fitted_parameters_are_drawn_with_their_median_at_the_fitted_value():
    """Calibrated values sit near an end of wide evidence ranges; their draws are split
    half below, half above (the old triangular mode put the median draw of enforcement
    swamping at 1.5 against a fitted 0.15)."""
    params = {p.name: p for p in uncertain_parameters(load_scenario("baseline"))}
    u = (np.arange(20001) + 0.5) / 20001
    for name in ("interdiction.k_origin", "interdiction.handling_time", "interdiction.k_container"):
        p = params[name]
        v = p.ppf(u)
        assert np.median(v) == pytest.approx(p.centre, rel=1e-3), name
        assert p.low <= v.min() and v.max() <= p.high and np.all(np.diff(v) >= 0), name
        assert (v < p.centre).mean() == pytest.approx(0.5, abs=1e-3), name
    assert not params["traffickers.prior_strength"].median_at_centre  # not fitted


def test_readme_states_how_many_parameters_the_ensemble_draws():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    stated = re.search(
        r"\((?:<!-- gen:uncertain-count baseline -->)?(\d+)(?:<!-- /gen -->)? in the baseline\)",
        readme,
    )
    assert stated is not None
    assert int(stated.group(1)) == len(uncertain_parameters(load_scenario("baseline")))
