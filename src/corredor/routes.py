"""Candidate routes: the paths each trafficking group may use, compiled to flat arrays.

For every group, origin area and market, simple paths through the nodes the group can
use are enumerated with networkx, grouped by the sequence of countries they cross (the
"corridor signature"), and the cheapest few of each signature are kept, so that every
group can shift between countries, not just between parallel roads. The engine never
sees a graph: it sees route-hop arrays sorted by (group, origin, route, hop).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from corredor.errors import CorredorError
from corredor.network import INTERNATIONAL, Network
from corredor.scenario import Scenario, allies_both_ways

# Nodes any group may pass: open water, transit countries (through local partners) and
# consumer markets. Production areas, hubs, border crossings and ports must lie in the
# group's territory or an ally's.
OPEN_KINDS = frozenset({"sea", "transit", "market"})
# Enumeration stops after this many simple paths per origin-market pair (large networks).
MAX_ENUMERATED = 20_000
MARITIME_OR_AIR = frozenset({"container", "gofast", "semisub", "fishing", "air"})


@dataclass
class RouteSet:
    """Routes as arrays. A route is one group's path from an origin area to a market."""

    group: np.ndarray  # (P,) group index
    origin: np.ndarray  # (P,) production-node index
    market: np.ndarray  # (P,) market index (position in `markets`)
    block: np.ndarray  # (P,) index of the (group, origin) stock the route draws on
    block_start: np.ndarray  # (B,) first route of each block (routes sorted by block)
    block_group: np.ndarray  # (B,)
    block_origin: np.ndarray  # (B,) node index
    block_share: np.ndarray  # (B,) group's share of the origin's output
    cost: np.ndarray  # (P,) USD/kg summed over edges
    lag_weeks: np.ndarray  # (P,) whole weeks from dispatch to delivery
    corridor: np.ndarray  # (P,) corridor index (departure country)
    corridor_labels: list[str]
    # route-hop arrays, sorted by route then hop
    rh_route: np.ndarray  # (H,)
    rh_edge: np.ndarray  # (H,)
    rh_to: np.ndarray  # (H,) node reached by the hop
    rh_new_country: np.ndarray  # (H,) country index entered for the first time, or -1
    route_start: np.ndarray  # (P,) first hop of each route
    origin_country: np.ndarray  # (P,) country index of the origin
    paths: list[tuple[str, ...]]  # edge ids of each route (for reports)
    markets: list[str]

    @property
    def n_routes(self) -> int:
        return len(self.group)


def _allowed_nodes(net: Network, scenario: Scenario, gid: str) -> set[str]:
    reach = scenario.groups[gid].ground  # a group can always leave its areas
    # Alliances work both ways: a group that names us as an ally shares its ground.
    for ally in allies_both_ways(scenario.groups)[gid]:
        reach |= set(scenario.groups[ally].territory)
    allowed = set()
    for n in net.nodes:
        if n.kind in OPEN_KINDS or n.id in reach or n.country in reach:
            allowed.add(n.id)
    return allowed


def country_signature(net: Network, path_edges: list) -> tuple[str, ...]:
    """The countries a path crosses, in order (international waters left out)."""
    countries: list[str] = []
    for e in path_edges:
        for node_id in (e.from_, e.to):
            c = net.node(node_id).country
            if c != INTERNATIONAL and (not countries or countries[-1] != c):
                countries.append(c)
    return tuple(countries)


def _corridor(net: Network, path_edges: list) -> str:
    """The country a shipment leaves the producing region from: where it first goes to
    sea or air; for an all-land route, the last country before the market."""
    for e in path_edges:
        if e.mode in MARITIME_OR_AIR:
            return net.node(e.from_).country
    last = [e for e in path_edges if net.node(e.to).kind != "market"]
    return net.node(last[-1].to).country if last else net.node(path_edges[0].from_).country


def enumerate_routes(scenario: Scenario) -> RouteSet:
    """Enumerate and select candidate routes for every group; compile them to arrays."""
    net = scenario.network
    p = scenario.params
    max_hops = int(p["routes.max_hops"])
    per_corridor = int(p["routes.per_corridor"])
    max_per_pair = int(p["routes.max_per_pair"])
    markets = [n.id for n in net.nodes if n.kind == "market"]
    ref_price = {m.node: m.price_usd_per_kg for m in net.markets}
    countries = net.country_codes
    cidx = {c: i for i, c in enumerate(countries)}

    graph = nx.MultiDiGraph()
    graph.add_nodes_from(net.node_ids)
    for e in net.edges:
        graph.add_edge(e.from_, e.to, key=e.id)

    routes: list[dict] = []
    blocks: list[tuple[int, int, float]] = []
    for gi, (gid, group) in enumerate(scenario.groups.items()):
        allowed = _allowed_nodes(net, scenario, gid)
        sub = graph.subgraph(allowed)
        for area, share in group.origins.items():
            if share <= 0:
                continue
            found = 0
            for market in markets:
                if market not in sub:
                    continue
                candidates = []
                for k, epath in enumerate(
                    nx.all_simple_edge_paths(sub, area, market, cutoff=max_hops)
                ):
                    if k >= MAX_ENUMERATED:
                        break
                    edges = [net.edges[net.edge_index[key]] for (_, _, key) in epath]
                    # Markets are destinations only: a path may not pass through another one.
                    if any(net.node(e.to).kind == "market" for e in edges[:-1]):
                        continue
                    cost = sum(e.cost_usd_per_kg for e in edges)
                    survive = np.prod([1.0 - e.base_detection for e in edges])
                    score = cost + 0.5 * ref_price[market] * (1.0 - survive)
                    candidates.append((score, country_signature(net, edges), edges))
                candidates.sort(key=lambda c: c[0])
                kept, per_sig = [], {}
                for _score, sig, edges in candidates:
                    if per_sig.get(sig, 0) >= per_corridor:
                        continue
                    per_sig[sig] = per_sig.get(sig, 0) + 1
                    kept.append(edges)
                    if len(kept) >= max_per_pair:
                        break
                for edges in kept:
                    routes.append(
                        dict(
                            group=gi,
                            origin=net.node_index[area],
                            market=markets.index(market),
                            block=len(blocks),
                            edges=edges,
                        )
                    )
                found += len(kept)
            if found == 0:
                raise CorredorError(
                    f"group {gid!r} has no route from {area!r} to any market",
                    file=scenario.file,
                    field=f"groups.{gid}.territory",
                    fix="extend the group's territory or allies, or add edges to the network",
                )
            blocks.append((gi, net.node_index[area], share))

    corridor_labels = sorted({_corridor(net, r["edges"]) for r in routes})
    rh_route, rh_edge, rh_to, rh_new = [], [], [], []
    route_start = []
    for ri, r in enumerate(routes):
        route_start.append(len(rh_route))
        seen = {net.nodes[r["origin"]].country}
        for e in r["edges"]:
            rh_route.append(ri)
            rh_edge.append(net.edge_index[e.id])
            rh_to.append(net.node_index[e.to])
            c = net.node(e.to).country
            if c != INTERNATIONAL and c not in seen and net.node(e.to).kind != "market":
                rh_new.append(cidx[c])
                seen.add(c)
            else:
                rh_new.append(-1)
    block_arr = np.array([r["block"] for r in routes], dtype=np.int64)
    block_start = np.searchsorted(block_arr, np.arange(len(blocks)))
    return RouteSet(
        group=np.array([r["group"] for r in routes], dtype=np.int64),
        origin=np.array([r["origin"] for r in routes], dtype=np.int64),
        market=np.array([r["market"] for r in routes], dtype=np.int64),
        block=block_arr,
        block_start=block_start.astype(np.int64),
        block_group=np.array([b[0] for b in blocks], dtype=np.int64),
        block_origin=np.array([b[1] for b in blocks], dtype=np.int64),
        block_share=np.array([b[2] for b in blocks], dtype=float),
        cost=np.array([sum(e.cost_usd_per_kg for e in r["edges"]) for r in routes]),
        lag_weeks=np.array(
            [int(round(sum(e.transit_days for e in r["edges"]) / 7.0)) for r in routes],
            dtype=np.int64,
        ),
        corridor=np.array(
            [corridor_labels.index(_corridor(net, r["edges"])) for r in routes], dtype=np.int64
        ),
        corridor_labels=corridor_labels,
        rh_route=np.array(rh_route, dtype=np.int64),
        rh_edge=np.array(rh_edge, dtype=np.int64),
        rh_to=np.array(rh_to, dtype=np.int64),
        rh_new_country=np.array(rh_new, dtype=np.int64),
        route_start=np.array(route_start, dtype=np.int64),
        origin_country=np.array(
            [cidx[net.nodes[r["origin"]].country] for r in routes], dtype=np.int64
        ),
        paths=[tuple(e.id for e in r["edges"]) for r in routes],
        markets=markets,
    )
