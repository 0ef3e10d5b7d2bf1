"""Results files, the tidy summary and the informational commands."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import corredor
from conftest import MINI, invoke_cli
from corredor.results import Results


@pytest.fixture(scope="module")
def mini_results():
    return corredor.run(MINI, replicates=3, seed=1)


def test_dataset_has_required_variables_and_provenance(mini_results):
    ds = mini_results.data
    for name in (
        "produced_kg",
        "delivered_kg",
        "seized_kg",
        "destroyed_kg",
        "lost_kg",
        "stock_kg",
        "flow_kg",
        "price_usd_per_kg",
        "homicides",
    ):
        assert name in ds, name
        assert ds[name].dims[:2] == ("replicate", "time")
    assert ds.attrs["scenario"] == "mini"
    assert ds.attrs["seed"] == 1
    assert ds.attrs["corredor_version"] == corredor.__version__
    assert ds.sizes["replicate"] == 3


def test_save_writes_netcdf_and_tidy_summary(mini_results, tmp_path):
    paths = mini_results.save(tmp_path / "o")
    assert {p.name for p in paths} == {"results.nc", "summary.csv"}
    df = pd.read_csv(tmp_path / "o" / "summary.csv")
    assert list(df.columns) == ["year", "metric", "region", "mean", "p05", "p95"]
    for metric in ("produced_t", "seized_t", "delivered_t", "transit_t", "homicides"):
        assert metric in set(df.metric), metric
    assert (df.p05 <= df["mean"] + 1e-9).all() and (df["mean"] <= df.p95 + 1e-9).all()
    assert {"CO", "EC", "NL", "US"} <= set(df[df.metric == "seized_t"].region)
    back = Results.load(tmp_path / "o")
    np.testing.assert_allclose(back.data["seized_kg"].values, mini_results.data["seized_kg"].values)
    assert not any(p.name.startswith(".tmp") for p in (tmp_path / "o").iterdir())


def test_summary_totals_match_dataset(mini_results):
    df = mini_results.summary()
    sel = df[(df.metric == "produced_t") & (df.region == "world") & (df.year == 2016)]
    ds = mini_results.data
    expected = ds["produced_kg"].where(ds["year"] == 2016).sum(("time", "area")).mean() / 1000
    assert sel["mean"].iloc[0] == pytest.approx(float(expected))


def test_cli_run_writes_outputs(capsys, monkeypatch, tmp_path):
    code, text = invoke_cli(
        ["run", str(MINI), "-r", "2", "--out", str(tmp_path / "o")], capsys, monkeypatch
    )
    assert code == 0, text
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert {"results.nc", "summary.csv", "corridors.png", "seizures.png", "map.png"} <= names
    assert "Production, world" in text and "Ecuador transit share" in text


def test_cli_run_profile_prints_every_phase(capsys, monkeypatch, tmp_path):
    from corredor.engine import PHASES

    args = ["run", str(MINI), "--out", str(tmp_path / "o"), "--no-figures", "--profile"]
    code, text = invoke_cli(args, capsys, monkeypatch)
    assert code == 0, text
    table = text[text.index("Time per phase") :]
    for name in PHASES:
        assert name in table


def test_step_is_a_plan_of_documented_phases(monkeypatch):
    from corredor.engine import PHASES, Simulation
    from corredor.scenario import load_scenario

    sim = Simulation(load_scenario(MINI).with_period(2015, 2015), profile=True)
    assert [f.__name__ for f in sim.phases] == list(PHASES)
    for f in sim.phases:
        doc = f.__doc__ or ""
        assert "Reads" in doc and ("writes" in doc or "Writes" in doc), f.__name__
    called = []
    for name in PHASES:  # the step runs exactly the plan, in order, every week
        original = getattr(sim, name)
        monkeypatch.setattr(sim, name, lambda wk, f=original, n=name: (called.append(n), f(wk))[1])
    sim.phases = [getattr(sim, name) for name in PHASES]
    sim.run()
    from corredor.engine import WARMUP_YEARS

    weeks = (WARMUP_YEARS + 1) * 52  # warm-up years and one recorded year
    assert called == list(PHASES) * weeks
    assert set(sim.timings) == set(PHASES) and all(v >= 0 for v in sim.timings.values())


def test_cli_informational_commands(capsys, monkeypatch):
    code, text = invoke_cli(["scenarios"], capsys, monkeypatch)
    assert code == 0 and "baseline" in text
    code, text = invoke_cli(["network", "show", "andean-pacific"], capsys, monkeypatch)
    assert code == 0 and "ec-guayaquil" in text
    code, text = invoke_cli(["parameters"], capsys, monkeypatch)
    assert code == 0 and "traffickers.choice_sharpness" in text
    code, text = invoke_cli(["evidence", "--search", "Guayaquil"], capsys, monkeypatch)
    assert code == 0 and "entries" in text


def test_transit_share_of_origin_is_consistent(mini_results):
    """All of a country's output passes its own nodes, though not in the year it is made:
    exporters hold stocks and ship when selling beats holding (Model v2), so a year's
    share strays from one, and the run's output-weighted mean stays close to it; shares
    elsewhere lie in [0, 1]."""
    df = mini_results.summary()
    own = df[(df.metric == "transit_share_of_origin") & (df.region == "CO>CO")]
    assert not own.empty
    assert own["mean"].between(0.75, 1.25).all()
    made = mini_results.annual("produced_kg").mean("replicate")
    made = made.isel(area=(made["area_country"] == "CO").values).sum("area")
    share = own.set_index("year")["mean"].reindex(made["year"].values).to_numpy()
    assert 0.95 < float((share * made.values).sum() / made.values.sum()) < 1.05
    other = df[(df.metric == "transit_share_of_origin") & (df.region == "CO>EC")]
    assert other["mean"].between(0.0, 1.0).all() and other["mean"].max() > 0


def test_sea_departures_by_basin_add_up():
    """Departures to sea by basin are the flow on land-to-sea edges into that basin's
    sea nodes, and the basins' shares sum to one (default network, two years)."""
    from corredor.engine import Simulation
    from corredor.results import Results, build_dataset
    from corredor.scenario import load_scenario

    sc = load_scenario("baseline").with_period(end=2016)
    sim = Simulation(sc, replicates=2, seed=3, resolution="year")
    res = Results(build_dataset(sim, sim.run()))
    s = res.summary()
    share = s[s.metric == "sea_departure_share"].groupby("year")["mean"].sum()
    np.testing.assert_allclose(share.values, 1.0)
    ds = res.data
    kind = dict(zip(ds.node.values, ds.node_kind.values, strict=True))
    basin = dict(zip(ds.node.values, ds.node_basin.values, strict=True))
    ep = [
        kind[f] != "sea" and basin[t] == "eastern-pacific"
        for f, t in zip(ds.edge_from.values, ds.edge_to.values, strict=True)
    ]
    want = res.annual("flow_kg").isel(edge=np.flatnonzero(ep)).sum("edge").mean("replicate")
    got = s[(s.metric == "sea_departures_t") & (s.region == "eastern-pacific")]["mean"]
    np.testing.assert_allclose(got.values, want.values / 1000.0, rtol=1e-6)  # float32 store
    assert set(s[s.metric == "sea_departure_share"].region) == {"eastern-pacific", "caribbean"}


def test_routes_table_explains_the_route_choice(tmp_path):
    """The route diagnostic: one row per candidate route, risks in [0, 1], the imposed
    risk is the legs' detection combined, shares sum to one per stock, and what the
    routes sent in the last week is what left the stocks."""
    from corredor.engine import Simulation
    from corredor.outputs.route_report import route_table
    from corredor.scenario import load_scenario

    sim = Simulation(load_scenario(MINI), replicates=2, seed=3, resolution="year")
    sim.run()
    df = route_table(sim)
    assert len(df) == sim.c.routes.n_routes
    for col in ("risk", "perceived_risk", "block_share"):
        assert df[col].between(0, 1).all(), col
    np.testing.assert_allclose(df.groupby(["group", "origin"]).block_share.sum(), 1.0)
    assert (df.t_last_week >= 0).all() and df.t_last_week.sum() > 0
    np.testing.assert_allclose(df.t_last_week.sum(), sim.last_sent.sum(axis=1).mean() / 1000)
    p = sim.detection(len(sim.times) - 1).p_detect.mean(axis=0)
    ids = [e.id for e in sim.scenario.network.edges]
    row = df.iloc[0]
    want = 1 - np.prod([1 - p[ids.index(eid)] for eid in row.path.split()])
    np.testing.assert_allclose(row.risk, want, rtol=1e-9)
    to_us = route_table(sim, market="mkt-us", group="south")
    assert set(to_us.market) == {"mkt-us"} and set(to_us.group) == {"south"}


def test_routes_command_and_its_bad_input(capsys, monkeypatch, tmp_path):
    out = tmp_path / "routes.csv"
    args = ["routes", str(MINI), "--market", "mkt-eu", "--top", "3", "--csv", str(out)]
    code, text = invoke_cli(args, capsys, monkeypatch)
    assert code == 0, text
    assert "end of 2020" in text and "perceived" in text
    table = pd.read_csv(out)
    assert set(table.market) == {"mkt-eu"} and len(table) > 3
    for bad, words in (
        (["--market", "mkt-mars"], ("--market", "no route ends")),
        (["--group", "east"], ("--group", "unknown group")),
        (["--year", "2031"], ("--year", "outside the scenario's period")),
        (["--top", "0"], ("--top", "use 1 or more")),
        (["--csv", str(tmp_path / "nowhere" / "r.csv")], ("--csv", "does not exist")),
    ):
        code, text = invoke_cli(["routes", str(MINI), *bad], capsys, monkeypatch)
        assert code == 2, text
        assert "Traceback" not in text
        for w in words:
            assert w in text, (w, text)
