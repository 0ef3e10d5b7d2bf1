"""Candidate routes on networks of any size: every simple path is listed while a pair has
at most `routes.max_enumerated`; above that a best-first search finds the same routes
(never a truncated depth-first list), and the run says so."""

from __future__ import annotations

import csv
import itertools
import math
import random
import shutil
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA, MINI, assert_invariants
from corredor.engine import Simulation
from corredor.results import build_dataset
from corredor.route_search import BestFirst, Leg, SearchGraph, listed
from corredor.routes import RouteSearchWarning, enumerate_routes
from corredor.scenario import load_scenario

COUNTRIES = ("CO", "EC", "PE")
HUBS = 12
LIMIT = 20_000  # the default of routes.max_enumerated
HOPS = 12  # routes.max_hops: more than LIMIT paths to each market (10 and 11: to one)


def dense_network(where: Path, trail_capacity: float = 150.0) -> Path:
    """A production area with twelve trails out (its first legs, 150 kg/week each) to
    hubs in three countries joined by a mesh of roads, ports, the sea and two markets:
    more than 20,000 simple paths of at most 12 legs to each market. Production (60 t a
    year, 1.15 t a week) needs at least eight of the trails. Returns the scenario."""
    rng = random.Random(0)
    net = where / "net"
    net.mkdir(parents=True)
    shutil.copy(DATA / "mini" / "evidence.csv", net / "evidence.csv")

    def node(nid, kind, country, basin=""):
        share = 1.0 if kind == "production" else ""
        pop = 100_000 if kind in ("hub", "port") else ""
        return dict(
            id=nid, name=nid, kind=kind, country=country, lat=0, lon=-78,
            population=pop, production_share=share, ref="", basin=basin,
        )  # fmt: skip

    nodes = [node("src", "production", "CO")]
    nodes += [node(f"h{i:02d}", "hub", COUNTRIES[i % 3]) for i in range(HUBS)]
    nodes += [node(f"port-{c.lower()}", "port", c) for c in COUNTRIES]
    nodes += [node("sea", "sea", "XS", "eastern-pacific")]
    nodes += [node("mkt-us", "market", "US"), node("mkt-eu", "market", "NL")]
    edges = []

    def edge(a, b, mode, cost, detection, capacity, days=2):
        edges.append(
            {
                "id": f"{a}--{b}--{mode}", "from": a, "to": b, "mode": mode,
                "distance_km": 300, "transit_days": days,
                "capacity_kg_per_week": capacity, "cost_usd_per_kg": round(cost),
                "base_detection": detection, "exposure": 1, "jurisdiction": "",
                "capacity_ref": "t", "cost_ref": "t", "detection_ref": "t", "time_ref": "t",
            }
        )  # fmt: skip

    def detection(lo, hi):
        return round(rng.uniform(lo, hi), 4)

    for i in range(HUBS):
        edge(
            "src",
            f"h{i:02d}",
            "trail",
            rng.uniform(100, 600),
            detection(0.005, 0.03),
            trail_capacity,
        )
    for i in range(HUBS):
        for step in (1, 5):
            j = (i + step) % HUBS
            edge(
                f"h{i:02d}",
                f"h{j:02d}",
                "road",
                rng.uniform(50, 300),
                detection(0.002, 0.02),
                20_000,
            )
            edge(
                f"h{j:02d}",
                f"h{i:02d}",
                "road",
                rng.uniform(50, 300),
                detection(0.002, 0.02),
                20_000,
            )
    for i in range(HUBS):
        edge(
            f"h{i:02d}",
            f"port-{COUNTRIES[i % 3].lower()}",
            "road",
            rng.uniform(100, 400),
            0.01,
            20_000,
        )
    for c in COUNTRIES:
        edge(f"port-{c.lower()}", "sea", "gofast", rng.uniform(800, 1500), 0.02, 50_000, 3)
        edge(f"port-{c.lower()}", "mkt-eu", "container", rng.uniform(2000, 3000), 0.02, 50_000, 20)
    edge("sea", "mkt-us", "gofast", 1200, 0.02, 80_000, 5)

    def write(name, rows):
        with (net / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)

    write("nodes.csv", nodes)
    write("edges.csv", edges)
    write("production.csv", [dict(country="CO", year=y, tonnes=60, ref="") for y in (2015, 2020)])
    write(
        "markets.csv",
        [
            dict(node=m, demand_t_per_year=30, price_usd_per_kg=p, base_year=2015,
                 demand_growth=0, ref="")
            for m, p in (("mkt-us", 28_000), ("mkt-eu", 40_000))
        ],
    )  # fmt: skip
    scenario = where / "dense.toml"
    scenario.write_text(
        'name = "dense"\ntitle = "A dense test network"\nnetwork = "net"\n'
        "start = 2015\nend = 2015\nseed = 3\n\n"
        '[groups.g]\norigins = { src = 1.0 }\nterritory = ["CO", "EC", "PE"]\n\n'
        '[agencies.EC]\ncountry = "EC"\njurisdictions = ["EC"]\n'
        "budget = { road = 5, maritime = 5 }\n",
        encoding="utf-8",
    )
    return scenario


@pytest.fixture(scope="module")
def dense(tmp_path_factory):
    return load_scenario(dense_network(tmp_path_factory.mktemp("dense")))


def routes_of(sc, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RouteSearchWarning)
        return enumerate_routes(sc.with_parameters(params))


def first_legs(routes, market: str) -> set[str]:
    m = routes.markets.index(market)
    return {p[0] for p, k in zip(routes.paths, routes.market, strict=True) if k == m}


def group_graph(sc, market: str) -> nx.MultiDiGraph:
    """The edges the test's one group may use to `market` (other markets left out)."""
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(n.id for n in sc.network.nodes if n.kind != "market" or n.id == market)
    for e in sc.network.edges:
        if e.to in graph and e.from_ in graph:
            graph.add_edge(e.from_, e.to, key=e.id)
    return graph


# -- the default network: unchanged -------------------------------------------------------


def test_the_default_network_lists_every_path():
    sc = load_scenario("baseline")
    routes = enumerate_routes(sc)
    assert routes.searched == [] and routes.search_note is None
    assert routes.n_routes > 100
    # the most simple paths any of its pairs has is 13 (docs/model.md, 7.2)
    assert routes_of(sc, **{"routes.max_enumerated": 13}).searched == []
    assert routes_of(sc, **{"routes.max_enumerated": 12}).searched != []


@pytest.mark.parametrize("name", ["baseline", str(MINI)])
def test_the_search_finds_exactly_the_routes_the_full_list_keeps(name):
    # With routes.max_enumerated = 1 every pair with more than one path is searched.
    sc = load_scenario(name)
    listed_routes = enumerate_routes(sc)
    searched = routes_of(sc, **{"routes.max_enumerated": 1})
    assert searched.searched and not any(s.budget_hit for s in searched.searched)
    assert searched.paths == listed_routes.paths
    assert np.array_equal(searched.block, listed_routes.block)


# -- a network with more than 20,000 candidate paths ----------------------------------------


def test_every_first_leg_with_a_competitive_route_is_represented(dense):
    depth_first = {}
    for market in ("mkt-us", "mkt-eu"):
        # more than 20,000 simple paths of at most 12 legs from the area to the market
        paths = nx.all_simple_edge_paths(group_graph(dense, market), "src", market, HOPS)
        depth_first[market] = list(itertools.islice(paths, LIMIT + 1))
        assert len(depth_first[market]) == LIMIT + 1
    default = routes_of(dense, **{"routes.max_hops": HOPS})
    assert {s.market for s in default.searched} == {"mkt-us", "mkt-eu"}
    assert not any(s.budget_hit for s in default.searched)
    # The reference: every path listed, ranked and selected (about 3 s).
    full = routes_of(dense, **{"routes.max_hops": HOPS, "routes.max_enumerated": 10**6})
    assert full.searched == []
    assert default.paths == full.paths
    for market in ("mkt-us", "mkt-eu"):
        # Competitive first legs: those the full list keeps a route on. All are there, and
        # more than the first 20,000 paths depth first would offer (the old truncation).
        competitive = first_legs(full, market)
        assert len(competitive) >= 4
        assert competitive <= first_legs(default, market)
        offered = {path[0][2] for path in depth_first[market][:LIMIT]}
        assert competitive - offered, "the test network would not catch a truncated list"


def test_raising_max_hops_never_lowers_deliveries_by_more_than_noise(dense):
    means, sds, sims = [], [], {}
    for hops in (4, 6, 8, 10, 11, HOPS):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RouteSearchWarning)
            sim = Simulation(dense.with_parameters({"routes.max_hops": hops}), replicates=4, seed=1)
        data = sim.run()
        assert_invariants(sim, data)
        total = data["delivered_kg"].sum(axis=(1, 2))  # kg per replicate
        means.append(total.mean())
        sds.append(total.std(ddof=1))
        sims[hops] = (sim, data)
    assert means[0] > 40_000  # the network delivers most of its 60 t
    for i in range(1, len(means)):
        noise = 3.0 * math.sqrt((sds[i] ** 2 + sds[i - 1] ** 2) / 4)
        assert means[i] >= means[i - 1] - noise, (means, sds)
    # The run says how its routes were found.
    sim, data = sims[HOPS]
    assert "best-first search" in build_dataset(sim, data).attrs["route_search"]
    sim, data = sims[6]
    assert build_dataset(sim, data).attrs["route_search"].startswith("complete")


def test_a_run_that_searches_says_so(dense):
    with pytest.warns(RouteSearchWarning, match="best-first search") as caught:
        enumerate_routes(dense.with_parameters({"routes.max_hops": HOPS}))
    assert "more than 20,000 simple paths of at most 12 legs" in str(caught[0].message)
    with pytest.warns(RouteSearchWarning, match="stopped at its step budget"):
        routes = enumerate_routes(
            dense.with_parameters({"routes.max_hops": HOPS, "routes.search_steps": 5})
        )
    assert all(s.budget_hit for s in routes.searched) and routes.n_routes > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", RouteSearchWarning)
        enumerate_routes(dense.with_parameters({"routes.max_hops": 6}))  # listed: silent


# -- the search on random graphs ------------------------------------------------------------


class FakeEdge:
    def __init__(self, eid: str) -> None:
        self.id = eid


@st.composite
def random_graphs(draw):
    """A random multigraph on up to 7 nodes (node 0 the start, the last the market)."""
    n = draw(st.integers(3, 7))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
            min_size=1,
            max_size=20,
        )
    )
    legs: dict[str, list[Leg]] = {str(i): [] for i in range(n)}
    for k, (a, b) in enumerate(pairs):
        cost = draw(st.floats(0.0, 1000.0))
        detection = draw(st.floats(0.0, 0.5))
        legs[str(a)].append(Leg(FakeEdge(f"e{k}"), str(b), cost, -math.log1p(-detection)))
    return legs, str(n - 1), draw(st.integers(1, 5)), draw(st.floats(0.0, 50_000.0))


@settings(max_examples=40, deadline=None)
@given(random_graphs())
def test_listing_matches_networkx_and_search_finds_the_best_paths(case):
    legs, market, max_hops, half_price = case
    g = nx.MultiDiGraph()
    g.add_nodes_from(legs)
    for u, out in legs.items():
        for leg in out:
            g.add_edge(u, leg.to, key=leg.edge.id)
    # legs in networkx's order (by neighbour, then key), as routes.py builds them
    by_id = {leg.edge.id: leg for out in legs.values() for leg in out}
    graph = SearchGraph(
        {u: [by_id[k] for (_, _, k) in g.edges(u, keys=True)] for u in legs}, market
    )
    # listed(): the same paths in the same order as networkx's depth-first enumeration
    expected = [[k for (_, _, k) in p] for p in nx.all_simple_edge_paths(g, "0", market, max_hops)]
    everything = listed(graph, "0", max_hops, limit=10**6)
    assert [[leg.edge.id for leg in p] for p in everything] == expected
    if expected:
        assert listed(graph, "0", max_hops, limit=len(expected) - 1) is None

    # BestFirst: every path, in order of score, the k-th being the k-th best
    def score(p):
        cost = sum(leg.cost for leg in p)
        return cost + half_price * -math.expm1(-sum(leg.hazard for leg in p))

    search = BestFirst(graph, "0", max_hops, half_price, budget=10**6)
    found = list(search)
    assert not search.budget_hit
    assert sorted(tuple(leg.edge.id for leg in p) for _, p in found) == sorted(
        tuple(p) for p in expected
    )
    scores = [score(p) for _, p in found]
    tol = 1e-9 * max(1.0, max(scores, default=1.0))
    assert all(b >= a - tol for a, b in itertools.pairwise(scores))
    assert all(abs(f - score(p)) <= tol for f, p in found)
