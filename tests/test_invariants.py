"""Invariants on the test corridor, the default network and random networks (hypothesis)."""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MINI, assert_invariants
from corredor.allocation import POLICIES
from corredor.engine import Simulation
from corredor.network import load_network
from corredor.scenario import build_scenario, load_scenario


def test_mini_invariants_and_determinism():
    sc = load_scenario(MINI)
    a = Simulation(sc, replicates=3, seed=11)
    da = a.run()
    assert_invariants(a, da)
    b = Simulation(sc, replicates=3, seed=11)
    db = b.run()
    for name in da:
        np.testing.assert_array_equal(da[name], db[name], err_msg=name)
    c = Simulation(sc, replicates=3, seed=12)
    dc = c.run()
    assert not np.array_equal(da["seized_kg"], dc["seized_kg"])


def test_replicates_differ_but_share_structure():
    sc = load_scenario(MINI)
    sim = Simulation(sc, replicates=4, seed=3)
    data = sim.run()
    seized = data["seized_kg"].sum(axis=(1, 2))
    assert len(np.unique(seized)) == 4  # replicates are distinct draws


def test_yearly_resolution_matches_weekly_sums():
    sc = load_scenario(MINI)
    weekly = Simulation(sc, replicates=2, seed=5).run()
    yearly = Simulation(sc, replicates=2, seed=5, resolution="year").run()
    n_years = sc.end - sc.start + 1
    for name in ("produced_kg", "delivered_kg", "seized_kg", "flow_kg", "homicides"):
        w = weekly[name].reshape(2, n_years, 52, *weekly[name].shape[2:]).sum(axis=2)
        np.testing.assert_allclose(yearly[name], w, rtol=1e-5, err_msg=name)
    np.testing.assert_allclose(yearly["stock_kg"], weekly["stock_kg"][:, 51::52])


MODES = ["road", "trail", "river", "container", "gofast", "semisub", "fishing", "air"]


@st.composite
def random_corridors(draw):
    """A layered random network (production -> hubs -> ports -> sea -> markets) with
    groups and agencies, written as CSV files like a user's network."""
    n_prod = draw(st.integers(1, 3))
    n_hub = draw(st.integers(0, 3))
    n_port = draw(st.integers(1, 3))
    n_sea = draw(st.integers(0, 2))
    n_mkt = draw(st.integers(1, 2))
    countries = ["AA", "BB", "CC"]
    layers = [
        [(f"prod{i}", "production") for i in range(n_prod)],
        [(f"hub{i}", "hub") for i in range(n_hub)],
        [(f"port{i}", "port") for i in range(n_port)],
        [(f"sea{i}", "sea") for i in range(n_sea)],
        [(f"mkt{i}", "market") for i in range(n_mkt)],
    ]
    layers = [layer for layer in layers if layer]
    nodes = []
    for layer in layers:
        for nid, kind in layer:
            country = "XS" if kind == "sea" else draw(st.sampled_from(countries))
            if kind == "production":
                country = "AA"
            nodes.append(
                dict(
                    id=nid,
                    name=nid,
                    kind=kind,
                    country=country,
                    lat=draw(st.floats(-30, 30)),
                    lon=draw(st.floats(-100, 0)),
                    population=draw(st.integers(0, 10**6)),
                    production_share="",
                    basin="ocean" if kind == "sea" and draw(st.booleans()) else "",
                )
            )
    prods = [n for n in nodes if n["kind"] == "production"]
    weights = [draw(st.floats(0.05, 1.0)) for _ in prods]
    for n, w in zip(prods, weights, strict=True):
        n["production_share"] = w / sum(weights)
    # shares must sum to exactly one within 1e-6
    edges = []

    def edge(a, b):
        edges.append(
            dict(
                id=f"e{len(edges)}",
                **{"from": a},
                to=b,
                mode=draw(st.sampled_from(MODES)),
                distance_km=draw(st.floats(1, 5000)),
                transit_days=draw(st.floats(0, 30)),
                capacity_kg_per_week=draw(st.sampled_from([0.0, 500.0, 5e3, 5e4, 1e6])),
                cost_usd_per_kg=draw(st.floats(0, 5000)),
                base_detection=draw(st.floats(0, 0.9)),
                exposure=draw(st.one_of(st.just(""), st.floats(0.1, 100))),  # "": default
                jurisdiction="",
                capacity_ref="x",
                cost_ref="x",
                detection_ref="x",
                time_ref="x",
            )
        )

    for upper, lower in zip(layers, layers[1:], strict=False):
        for nid, _ in lower:  # every node reachable
            edge(draw(st.sampled_from(upper))[0], nid)
        for nid, _ in upper:  # every node leads on
            edge(nid, draw(st.sampled_from(lower))[0])
        for _ in range(draw(st.integers(0, 3))):
            edge(draw(st.sampled_from(upper))[0], draw(st.sampled_from(lower))[0])
    # Sometimes a hub is a wholesale hand-off: exporters may sell there, and a trader
    # group buys there and sells on to the consumer markets.
    hubs = [n["id"] for n in nodes if n["kind"] == "hub"]
    wholesale = draw(st.lists(st.sampled_from(hubs), unique=True, max_size=2)) if hubs else []
    n_groups = draw(st.integers(1, 3))
    groups = {}
    splits = [[draw(st.floats(0.1, 1.0)) for _ in range(n_groups)] for _ in prods]
    for g in range(n_groups):
        origins = {p["id"]: s[g] / sum(s) for p, s in zip(prods, splits, strict=True)}
        used = sorted({n["country"] for n in nodes} - {"XS"})
        groups[f"g{g}"] = dict(
            origins=origins,
            sells=draw(st.sampled_from([[], wholesale + [n for n, _ in layers[-1]]])),
            territory=used,
            allies=[f"g{g - 1}"] if g and draw(st.booleans()) else [],
            factions=draw(
                st.one_of(
                    st.floats(1.0, 30.0),
                    st.fixed_dictionaries(
                        {"2020-01-01": st.floats(1.0, 5.0), "2020-07-01": st.floats(1.0, 30.0)}
                    ),
                )
            ),
        )
    for i, hub in enumerate(wholesale):
        groups[f"trader{i}"] = dict(
            buys=[hub], territory=sorted({n["country"] for n in nodes} - {"XS"})
        )
    agencies = {}
    used = sorted({n["country"] for n in nodes} - {"XS"})
    for i, code in enumerate(draw(st.lists(st.sampled_from(used), unique=True))):
        agencies[f"a{i}"] = dict(
            country=code,
            jurisdictions=[code],
            budget={
                cap: draw(st.floats(0, 50))
                for cap in ("container", "road", "maritime", "air", "intelligence", "origin")
            },
            strike_share=draw(st.floats(0, 1)),
            strike_capacity=draw(st.sampled_from([None, 0.0, 1.0, 10.0])),
            policy=draw(st.sampled_from(POLICIES)),
        )
    tonnes = draw(st.floats(1, 2000))
    replicates = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31))
    # parameters drawn per replicate (an ensemble batch), anywhere in their hard bounds
    names = draw(st.lists(st.sampled_from(sorted(DRAWABLE)), unique=True, max_size=4))
    draws = {n: np.array([draw(st.floats(*DRAWABLE[n])) for _ in range(replicates)]) for n in names}
    for a in agencies.values():
        if a["strike_capacity"] is None:
            del a["strike_capacity"]
    domains = [
        dict(domain=d, capability=cap, jurisdiction=j, extent=draw(st.floats(0.5, 500)), unit=u)
        for d, cap, j, u in (("roads", "road", "", "thousand km"), ("ocean", "maritime", "", "km2"))
        if draw(st.booleans())
    ]
    wholesale_rows = [
        dict(node=h, role="wholesale", price_usd_per_kg=draw(st.floats(500, 20000)))
        for h in wholesale
    ]
    return nodes, edges, groups, agencies, tonnes, replicates, seed, draws, wholesale_rows, domains


DRAWABLE = {  # bounded well inside the hard limits so a year runs in reasonable time
    "interdiction.k_road": (0.0, 5.0),
    "interdiction.k_maritime": (0.0, 5.0),
    "interdiction.k_container": (0.0, 5.0),
    "interdiction.intel_gain": (0.0, 1.0),
    "interdiction.handling_time": (0.0, 50.0),
    "interdiction.k_origin": (0.0, 1.0),
    "traffickers.choice_sharpness": (0.0, 20.0),
    "traffickers.memory_half_life_weeks": (1.0, 200.0),
    "traffickers.strike_deterrence": (0.0, 20.0),
    "traffickers.dispatch_rate": (0.01, 1.0),
    "traffickers.holding_loss": (0.0, 0.5),
    "traffickers.presence_visibility": (0.0, 1.0),
    "markets.price_adjustment": (0.001, 1.0),
    "markets.inventory_weeks": (0.5, 52.0),
    "strikes.pursuit_share": (0.01, 1.0),
    "violence.price_exponent": (0.0, 3.0),
    "production.noise_cv": (0.0, 1.0),
    "production.growth_after_data": (-0.5, 1.0),
    "markets.demand_elasticity": (0.05, 5.0),
    "strikes.misidentified_share": (0.0, 0.9),
    "violence.contest_coef": (0.0, 100.0),
    "violence.fragmentation_exponent": (0.0, 3.0),
    "allocation.reactive_weight": (0.0, 1.0),
    "allocation.intel_noise_cv": (0.0, 5.0),
    "modes.gofast.crew": (0.0, 10.0),
}


def _write(path: Path, rows: list[dict]) -> None:
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


# random networks declare domains for some legs only, on purpose: DomainWarning is expected
@pytest.mark.filterwarnings("ignore::corredor.interdiction.DomainWarning")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_corridors())
def test_invariants_on_random_networks(case):
    nodes, edges, groups, agencies, tonnes, replicates, seed, draws, wholesale, domains = case
    with tempfile.TemporaryDirectory() as tmp:
        net_dir = Path(tmp)
        _write(net_dir / "nodes.csv", nodes)
        _write(net_dir / "edges.csv", edges)
        _write(net_dir / "production.csv", [dict(country="AA", year=2020, tonnes=tonnes)])
        _write(
            net_dir / "markets.csv",
            [
                dict(
                    node=n["id"],
                    role="retail",
                    demand_t_per_year=100,
                    price_usd_per_kg=30000,
                    base_year=2020,
                    demand_growth=0.0,
                )
                for n in nodes
                if n["kind"] == "market"
            ]
            + wholesale,
        )
        if domains:
            _write(net_dir / "domains.csv", domains)
        # the network's own evidence: the entry its `x` references cite
        own = Path(__file__).parent / "data" / "mini" / "evidence.csv"
        text = own.read_text(encoding="utf-8").replace("\nt,", "\nx,")
        (net_dir / "evidence.csv").write_text(text, encoding="utf-8")
        net = load_network(net_dir)
        raw = dict(start=2020, end=2020, seed=seed, groups=groups, agencies=agencies)
        sc = build_scenario(raw, name="random", file="random.toml", network=net)
        sim = Simulation(sc, replicates=replicates, draws=draws, check=True)
        data = sim.run()
        assert_invariants(sim, data)
        again = Simulation(sc, replicates=replicates, draws=draws).run()
        for name in data:
            np.testing.assert_array_equal(data[name], again[name])


def test_default_scenario_invariants():
    sc = load_scenario("baseline").with_period(2015, 2016)
    sim = Simulation(sc, replicates=2, seed=1)
    data = sim.run()
    assert_invariants(sim, data)
    net = sc.network
    assert len(net.nodes) >= 40 and len(net.edges) >= 80


def test_default_scenario_order_of_magnitude():
    """The brief's sanity check: world production in the thousands of tonnes, Ecuador
    seizing in the hundreds of tonnes around 2021-2023."""
    import corredor

    res = corredor.run("baseline", replicates=2, seed=1, start=2015, end=2023, resolution="year")
    df = res.summary()
    world = df[(df.metric == "produced_t") & (df.region == "world")].set_index("year")["mean"]
    assert 1000 <= world[2023] <= 6000
    ec = df[(df.metric == "seized_t") & (df.region == "EC")].set_index("year")["mean"]
    assert 100 <= ec.loc[2021:2023].mean() <= 1000


SPLITTABLE = ["s-border", "border-ecport", "ecport-sea", "sea-mx", "mx-us", "carib-us"]


@settings(max_examples=25, deadline=None)
@given(edge_id=st.sampled_from(SPLITTABLE), f=st.floats(0.05, 0.95))
def test_cutting_a_leg_in_two_leaves_its_detection_unchanged(edge_id, f):
    """Random search: the agencies' hazard of a crossing is effort density times time
    under search, so a leg cut into two (exposure and transit time split in proportion)
    keeps its total hazard, and every other edge keeps its own, under static allocation.
    (Before this law every covered edge had the same hazard, and a route's risk grew
    with the number of legs the network cut it into.)"""
    with tempfile.TemporaryDirectory() as d:
        _cut_and_compare(Path(d), edge_id, f)


def _agency_hazards(path: Path) -> dict[str, float]:
    """Agencies' hazard on every edge of a scenario under static allocation (mid-2016)."""
    from corredor.interdiction import compile_interdiction

    sc = load_scenario(path)
    countries = sorted({n.country for n in sc.network.nodes} | {"US", "MX"})
    im = compile_interdiction(sc, np.array([2016.5]), countries)
    k = np.array([[0.3, 0.05, 0.04, 0.02]])
    det = im.detect(im.static_effort(slice(None)), k, 0.0, im.intel, im.strike)
    total = -np.log1p(-np.minimum(det.p_detect[0], 1 - 1e-15))
    return dict(zip([e.id for e in sc.network.edges], total - im.h0, strict=True))


def _cut_and_compare(tmp: Path, edge_id: str, f: float) -> None:
    shutil.copytree(MINI.parent / "mini", tmp / "mini")
    mini_copy = Path(shutil.copy(MINI, tmp / "mini.toml"))
    before = _agency_hazards(mini_copy)
    net_dir = tmp / "mini"
    with (net_dir / "edges.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    with (net_dir / "nodes.csv").open() as fh:
        nodes = list(csv.DictReader(fh))
    row = next(r for r in rows if r["id"] == edge_id)
    sc = load_scenario(mini_copy)
    juris = sc.network.jurisdiction(sc.network.edges[sc.network.edge_index[edge_id]])
    maritime = row["mode"] in ("gofast", "semisub", "fishing")
    nodes.append(
        {
            **nodes[0],
            "id": "cut",
            "name": "cut",
            "kind": "sea" if maritime else "hub",
            "country": "XS" if maritime else juris,
            "production_share": "",
            "basin": "",
        }
    )
    halves = []
    for part, (a, b) in ((f, (row["from"], "cut")), (1 - f, ("cut", row["to"]))):
        halves.append(
            {
                **row,
                "id": f"{edge_id}-{len(halves)}",
                "from": a,
                "to": b,
                "distance_km": float(row["distance_km"]) * part,
                "transit_days": float(row["transit_days"]) * part,
                "exposure": float(row["exposure"]) * part,
                "jurisdiction": juris,
            }
        )
    rows = [r for r in rows if r["id"] != edge_id] + halves
    for name, table in (("edges.csv", rows), ("nodes.csv", nodes)):
        with (net_dir / name).open("w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(table[0]))
            w.writeheader()
            w.writerows(table)
    after = _agency_hazards(mini_copy)
    np.testing.assert_allclose(
        after[f"{edge_id}-0"] + after[f"{edge_id}-1"], before[edge_id], rtol=1e-9, atol=1e-12
    )
    for eid, h in before.items():
        if eid != edge_id:
            np.testing.assert_allclose(after[eid], h, rtol=1e-9, atol=1e-12, err_msg=eid)
