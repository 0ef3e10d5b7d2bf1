"""Policies as data: interventions, their validation, and the stylised facts the
built-in questions rest on (tests of the engine's behaviour, not of fixed numbers)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import MINI, invoke_cli
from corredor.analysis.compare import compare, targeted_edges
from corredor.engine import WEEKS_PER_YEAR, Simulation
from corredor.errors import CorredorError
from corredor.scenario import build_scenario, load_scenario


def _row(table, scenario, outcome):
    return table[(table.scenario == scenario) & (table.outcome == outcome)].iloc[0]


@pytest.fixture(scope="module")
def port_runs():
    """Baseline, Colombian ports secured and Ecuadorian ports secured, 2025-2029."""
    names = ["baseline", "colombia-ports-secured", "secure-ecuador-ports"]
    scs = [load_scenario(n).with_period(2025, 2029) for n in names]
    return compare(scs, replicates=4, seed=2, first=2027, last=2029)


@pytest.mark.xfail(
    strict=True,
    reason="changed answer (issue 13, 2026-12-03): recalibrated with the netback cap, the "
    "multiplicative entry premium and effort over all declared domains, securing Colombia's "
    "ports changes flow through Ecuador by -270 t [-1,180, +378] over 2027-2029 "
    "(4 replicates): no displacement noise can separate",
)
def test_securing_colombian_ports_displaces_flow_into_ecuador(port_runs):
    t = port_runs.table
    ec = _row(t, "colombia-ports-secured", "transit_ec_t")
    assert ec.diff_mean > 0  # more flow through Ecuador
    share = {
        n: port_runs.results[n].annual("transit_kg").sel(country="EC").sum()
        / port_runs.results[n].annual("produced_kg").sum()
        for n in ("baseline", "colombia-ports-secured")
    }
    assert share["colombia-ports-secured"] > share["baseline"]
    # delivered flow falls by less than flow on the targeted legs
    sc = load_scenario("colombia-ports-secured")
    legs = np.flatnonzero(targeted_edges(sc))
    flows = {}
    for n in ("baseline", "colombia-ports-secured"):
        ds = port_runs.results[n].data
        w = ds.isel(time=ds["year"] >= 2027)
        flows[n] = float(w["flow_kg"].isel(edge=legs).sum()) / 1e3 / 4
    targeted_fall = flows["baseline"] - flows["colombia-ports-secured"]
    delivered_fall = -_row(t, "colombia-ports-secured", "delivered_t").diff_mean
    assert targeted_fall > 0
    assert delivered_fall < targeted_fall


def test_inspecting_ecuadorian_ports_seizes_more_there_and_ships_less_from_them(port_runs):
    """Inspections at Ecuador's five ports from 2027: a larger share of what leaves them
    by container is seized, and less leaves them. (Total seizures in Ecuador may fall:
    traffickers move away from the inspected ports, so there is less to seize.)"""
    runs = port_runs.results
    sc = load_scenario("secure-ecuador-ports")
    ports = {"ec-guayaquil", "ec-posorja", "ec-puerto-bolivar", "ec-manta", "ec-esmeraldas"}
    legs = [i for i, e in enumerate(sc.network.edges) if e.from_ in ports and e.mode == "container"]
    out = {}
    for n in ("baseline", "secure-ecuador-ports"):
        ds = runs[n].data
        w = ds.isel(time=ds["year"] >= 2028, edge=legs)  # after the year of ramp-up
        out[n] = (float(w["flow_kg"].sum()), float(w["interdicted_kg"].sum()))
    (flow_b, cut_b), (flow_s, cut_s) = out["baseline"], out["secure-ecuador-ports"]
    assert flow_b > 0
    assert cut_s / flow_s > cut_b / flow_b  # a larger share seized at the ports
    assert flow_s < flow_b  # and less shipped from them
    # not asserted: a displacement index. Consumption is demand-pulled and the run keeps
    # almost no kilogram from consumers, so the index (displaced share of the fall) is
    # undefined


def _mini_with(interventions: list[dict], base=None, **params):
    sc = load_scenario(MINI) if base is None else base
    raw = dict(sc.raw)
    raw["interventions"] = interventions
    raw["parameters"] = {**raw.get("parameters", {}), **params}
    return build_scenario(raw, name="mini-policy", file=sc.file, network=sc.network)


STRIKES = {"what": "strike_share", "agency": "US", "from": "2016-01-01", "value": 0.5}


def test_strikes_kill_and_destroy_only_when_there_are_strikes():
    on = Simulation(_mini_with([STRIKES]), replicates=3, seed=5).run()
    assert on["destroyed_kg"].sum() > 0
    assert on["deaths_crew"].sum() > 0
    assert on["deaths_misidentified"].sum() > 0
    before = on["destroyed_kg"][:, :52].sum()  # the campaign starts in 2016
    assert before == 0
    off = Simulation(_mini_with([{**STRIKES, "value": 0.0}]), replicates=3, seed=5).run()
    for name in ("destroyed_kg", "strikes", "deaths_crew", "deaths_misidentified"):
        assert off[name].sum() == 0, name
    none = Simulation(
        _mini_with([STRIKES], **{"strikes.misidentified_share": 0.0}), replicates=3, seed=5
    ).run()
    assert none["deaths_misidentified"].sum() == 0 and none["deaths_crew"].sum() > 0


def test_constant_presence_beats_raids_of_equal_effort():
    """Documented direction (border-presence.toml): with detection concave in effort,
    the same effort spent constantly interdicts more than in raids."""
    names = ["border-presence", "border-presence-raids"]
    scs = [load_scenario(n).with_period(2025, 2029) for n in names]
    sims = [Simulation(sc, replicates=4, seed=8, resolution="year") for sc in scs]
    # equal total effort over whole cycles
    weeks = (np.arange(len(sims[0].times)) >= 2 * WEEKS_PER_YEAR) & (
        np.arange(len(sims[0].times)) < 5 * WEEKS_PER_YEAR
    )
    totals = [s.effort_mult[weeks].sum() for s in sims]
    assert totals[0] == pytest.approx(totals[1], rel=1e-9)
    legs = np.flatnonzero(targeted_edges(scs[0]))
    caught = []
    for sim in sims:
        data = sim.run()
        caught.append(data["interdicted_kg"][:, 2:, legs].sum())
    assert caught[0] > caught[1]


def test_treatment_lowers_demand_and_costs_what_it_says():
    spend = 5e8  # USD per year in the US market from 2016
    item = {"what": "treatment", "node": "mkt-us", "from": "2016-01-01", "value": spend}
    base = Simulation(load_scenario(MINI), replicates=2, seed=1)
    treated = Simulation(
        _mini_with([item], **{"markets.treatment_usd_per_kg": 25000}), replicates=2, seed=1
    )
    us = treated.c.markets.index("mkt-us")
    t = 3 * WEEKS_PER_YEAR
    cut = base.demand[t, us] - treated.demand[t, us]
    assert cut == pytest.approx(spend / 25000 / WEEKS_PER_YEAR)
    payer = treated.payers.index("treatment")
    assert treated.cost[t, payer] == pytest.approx(spend / WEEKS_PER_YEAR)
    assert treated.cost[:WEEKS_PER_YEAR, payer].sum() == 0


def test_cost_per_kg_kept_is_computed_from_the_runs():
    sc = load_scenario(MINI)
    # treatment large enough to cut both markets' demand below supply (smaller amounts
    # keep nothing on this network: see the expected failure below)
    items = [
        {"what": "treatment", "node": m, "from": "2017-01-01", "value": 1.5e10}
        for m in ("mkt-us", "mkt-eu")
    ]
    treated = _mini_with(items)
    res = compare([sc, treated], replicates=3, seed=4, first=2018, last=2020)
    t = res.table
    ds0, ds1 = (res.results[n].data for n in ("mini", "mini-policy"))

    def window(ds, name):
        return ds[name].isel(time=ds["year"] >= 2018)

    # kept from consumers: consumption, which demand pulls in Model v2
    kept_kg = (window(ds0, "consumed_kg") - window(ds1, "consumed_kg")).sum(("time", "market"))
    extra = (window(ds1, "cost_usd") - window(ds0, "cost_usd")).sum(("time", "payer"))
    want = float(extra.mean()) / float(kept_kg.mean())
    got = _row(t, "mini-policy", "cost_per_kg_kept_usd").diff_mean
    assert kept_kg.mean() > 0
    assert got == pytest.approx(want, rel=1e-9)


def test_treatment_keeps_kilograms_from_consumers(mini_searched):
    """With detection in a plausible range (mini_searched) the US market is supplied and
    treatment worth 2e9 USD a year lowers what its consumers take."""
    sc = load_scenario(mini_searched)
    item = {"what": "treatment", "node": "mkt-us", "from": "2017-01-01", "value": 2e9}
    res = compare([sc, _mini_with([item], base=sc)], replicates=3, seed=4, first=2018, last=2020)
    assert _row(res.table, "mini-policy", "consumed_us_t").diff_mean < 0


def test_raid_pattern_keeps_the_total():
    sc = _mini_with(
        [
            {
                "what": "effort",
                "agency": "EC",
                "mode": "road",
                "from": "2016-01-01",
                "factor": 2.0,
                "pattern": {"on_weeks": 4, "off_weeks": 8},
            }
        ]
    )
    item = sc.interventions[0]
    times = Simulation(sc).times
    m = item.apply(np.ones(len(times)), times)
    cycle = slice(WEEKS_PER_YEAR, WEEKS_PER_YEAR + 12 * 4)  # four whole cycles from 2016
    assert m[cycle].sum() == pytest.approx(2.0 * 48)
    assert set(np.round(m[cycle], 9)) == {0.0, 6.0}
    assert (m[:WEEKS_PER_YEAR] == 1).all()


def test_interventions_add_up_along_extends(tmp_path):
    child = tmp_path / "more.toml"
    child.write_text(
        'extends = "boat-strikes"\nname = "more"\n[[interventions]]\n'
        'what = "effectiveness"\nagency = "EC"\nfrom = "2027"\nfactor = 1.2\n'
    )
    sc = load_scenario(child)
    assert [i.spec.what for i in sc.interventions] == ["strike_share", "effectiveness"]


BAD = [
    ('what = "teleport"\nfrom = "2020"\nfactor = 2', "interventions[1].what"),
    ('what = "effort"\nnode = "atlantis"\nfrom = "2020"\nfactor = 2', "node"),
    ('what = "effort"\nmode = "rocket"\nfrom = "2020"\nfactor = 2', "mode"),
    ('what = "effort"\nagency = "XX"\nfrom = "2020"\nfactor = 2', "agency"),
    ('what = "budget"\nfrom = "2020"\nfactor = 2', "agency"),
    ('what = "effort"\nagency = "EC"\nfrom = "2020"\nfactor = 2\nvalue = 3', "factor"),
    ('what = "effort"\nagency = "EC"\nfrom = "2020"\nvalue = 3', "value"),
    ('what = "inspection_share"\nmode = "container"\nfrom = "2020"\nvalue = 1.5', "value"),
    ('what = "effort"\nagency = "EC"\nfrom = "2020"\nfactor = -1', "factor"),
    ('what = "effort"\nagency = "EC"\nfrom = "2020"\nto = "2019"\nfactor = 2', "to"),
    ('what = "effort"\nagency = "EC"\nfactor = 2', "from"),
    ('what = "effort"\nfrom = "2020"\nfactor = 2', "node"),
    ('what = "effort"\nagency = "EC"\nfrom = "someday"\nfactor = 2', "from"),
    ('what = "demand"\nnode = "co-port"\nfrom = "2020"\nfactor = 0.5', "node"),
    ('what = "effort"\nagency = "EC"\nfrom = "2020"\nfactor = 2\ncolour = "red"', "colour"),
]


@pytest.mark.parametrize("body, field", BAD)
def test_bad_interventions_get_one_clear_message(
    body, field, mini_copy, tmp_path, capsys, monkeypatch
):
    text = mini_copy.read_text() + "\n[[interventions]]\n" + body + "\n"
    mini_copy.write_text(text)
    with pytest.raises(CorredorError) as exc:
        load_scenario(mini_copy)
    msg = str(exc.value)
    assert "interventions[1]" in msg and field in msg and str(mini_copy) in msg
    code, out = invoke_cli(["run", str(mini_copy), "-o", str(tmp_path / "o")], capsys, monkeypatch)
    assert code == 2 and "Traceback" not in out
    assert not (tmp_path / "o").exists()


def test_intelligence_means_fewer_misidentified_strikes():
    """The chance that a struck vessel was not trafficking falls with the striking
    agency's intelligence (divided by its multiplier 1 + intel_gain * intelligence)."""
    ratios = []
    for intel in (0.0, 400.0):
        sc = _mini_with(
            [
                STRIKES,
                {
                    "what": "budget",
                    "agency": "US",
                    "capability": "intelligence",
                    "from": "2015-01-01",
                    "value": intel,
                },
            ],
            **{"strikes.misidentified_share": 0.3},
        )
        data = Simulation(sc, replicates=4, seed=6).run()
        ratios.append(data["deaths_misidentified"].sum() / data["deaths_crew"].sum())
    # expected ratio m / (1 - m): 0.43 without intelligence, m = 0.3 / 5 -> 0.064 with it
    assert ratios[0] > 0.3 and ratios[1] < 0.15
