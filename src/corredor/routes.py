"""Candidate routes: the paths each trafficking group may use, compiled to flat arrays.

A route is one group's path from where it buys to where it sells: from a production
area (`origins`) or a wholesale market (`buys`) to a wholesale market or a consumer
market (`sells`). For every such pair, simple paths through the nodes the group can use
are enumerated with networkx, grouped by the sequence of countries they cross (the
"corridor signature"), and the cheapest few of each signature are kept, so that every
group can shift between countries, not just between parallel roads.

Routes draw on stock blocks: at a production area each group holds its own stock (its
share of the area's output); at a wholesale market the stock is pooled and every
buyer's routes out of it compete for it. The engine never sees a graph: it sees
route-hop arrays sorted by (block, route, hop).
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
    """Routes as arrays. A route is one group's path from a stock to a market."""

    group: np.ndarray  # (P,) group index
    origin: np.ndarray  # (P,) node index where the route starts (area or wholesale market)
    market: np.ndarray  # (P,) index into `markets` of the market the route sells at
    block: np.ndarray  # (P,) index of the stock block the route draws on
    block_start: np.ndarray  # (B,) first route of each block (routes sorted by block)
    block_group: np.ndarray  # (B,) the group holding the stock, -1 for a pooled market
    block_origin: np.ndarray  # (B,) node index of the stock
    block_share: np.ndarray  # (B,) group's share of the area's output (1 for a pool)
    cost: np.ndarray  # (P,) USD/kg summed over edges
    lag_weeks: np.ndarray  # (P,) whole weeks from dispatch to delivery
    corridor: np.ndarray  # (P,) corridor index (departure country), -1 for a domestic leg
    corridor_labels: list[str]
    # route-hop arrays, sorted by route then hop
    rh_route: np.ndarray  # (H,)
    rh_edge: np.ndarray  # (H,)
    rh_to: np.ndarray  # (H,) node reached by the hop
    rh_new_country: np.ndarray  # (H,) country index entered for the first time, or -1
    route_start: np.ndarray  # (P,) first hop of each route
    # (P,) country index of a production area the route leaves, -1 for a route leaving a
    # wholesale market (its cargo was counted where it entered that market)
    origin_country: np.ndarray
    paths: list[tuple[str, ...]]  # edge ids of each route (for reports)
    markets: list[str]  # every market a route can sell at: wholesale, then retail

    @property
    def n_routes(self) -> int:
        return len(self.group)

    @property
    def pooled(self) -> np.ndarray:
        """(B,) True for a wholesale market's pooled stock."""
        return self.block_group < 0


def _allowed_nodes(net: Network, scenario: Scenario, gid: str) -> set[str]:
    group = scenario.groups[gid]
    # a group can always leave its areas and the markets where it buys
    reach = group.ground | set(group.buys)
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


def _corridor(net: Network, path_edges: list) -> str | None:
    """The country a shipment leaves for abroad from: where it first goes to sea or air;
    for an all-land route to a consumer market, the last country before it. None for a
    land route to a wholesale market (a step towards the departure, not a departure)."""
    for e in path_edges:
        if e.mode in MARITIME_OR_AIR:
            return net.node(e.from_).country
    if net.node(path_edges[-1].to).kind != "market":
        return None
    last = [e for e in path_edges if net.node(e.to).kind != "market"]
    return net.node(last[-1].to).country if last else net.node(path_edges[0].from_).country


def _candidates(net, sub, start, market, ref_price, max_hops, per_corridor, max_per_pair):
    """The kept paths (lists of edges) from `start` to `market` in the subgraph `sub`."""
    if market not in sub or start not in sub:
        return []
    candidates = []
    for k, epath in enumerate(nx.all_simple_edge_paths(sub, start, market, cutoff=max_hops)):
        if k >= MAX_ENUMERATED:
            break
        edges = [net.edges[net.edge_index[key]] for (_, _, key) in epath]
        # Consumer markets are destinations only: a path may not pass through one.
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
    return kept


def enumerate_routes(scenario: Scenario) -> RouteSet:
    """Enumerate and select candidate routes for every group; compile them to arrays."""
    net = scenario.network
    p = scenario.params
    limits = (int(p["routes.max_hops"]), int(p["routes.per_corridor"]))
    max_per_pair = int(p["routes.max_per_pair"])
    retail = net.retail_markets
    markets = net.wholesale_markets + retail
    ref_price = {m.node: m.price_usd_per_kg for m in net.markets}
    countries = net.country_codes
    cidx = {c: i for i, c in enumerate(countries)}

    graph = nx.MultiDiGraph()
    graph.add_nodes_from(net.node_ids)
    for e in net.edges:
        graph.add_edge(e.from_, e.to, key=e.id)

    groups = list(scenario.groups.items())
    subgraphs = {gid: graph.subgraph(_allowed_nodes(net, scenario, gid)) for gid, _ in groups}

    def paths(gid: str, start: str, sells: list[str]) -> list[tuple[int, list]]:
        out = []
        for market in sells:
            for edges in _candidates(
                net, subgraphs[gid], start, market, ref_price, *limits, max_per_pair
            ):
                out.append((markets.index(market), edges))
        return out

    routes: list[dict] = []
    blocks: list[tuple[int, int, float]] = []  # (group or -1, node index, share)
    for gi, (gid, group) in enumerate(groups):
        sells = group.sells or retail
        for area, share in group.origins.items():
            if share <= 0:
                continue
            found = paths(gid, area, sells)
            if not found:
                raise CorredorError(
                    f"group {gid!r} has no route from {area!r} to any market it sells at",
                    file=scenario.file,
                    field=f"groups.{gid}.territory",
                    fix="extend the group's territory or allies, its `sells`, or add edges",
                )
            for market, edges in found:
                routes.append(
                    dict(group=gi, origin=area, market=market, block=len(blocks), edges=edges)
                )
            blocks.append((gi, net.node_index[area], share))
    for node in net.wholesale_markets:
        buyers = [(gi, gid, g) for gi, (gid, g) in enumerate(groups) if node in g.buys]
        if not buyers:
            raise CorredorError(
                f"nobody buys at wholesale market {node!r}",
                file=scenario.file,
                field="groups.*.buys",
                fix=f"add {node!r} to the `buys` of a group that can ship on from it",
            )
        found_any = False
        for gi, gid, g in buyers:
            found = paths(gid, node, g.sells or retail)
            if not found:
                raise CorredorError(
                    f"group {gid!r} has no route from {node!r} to any market it sells at",
                    file=scenario.file,
                    field=f"groups.{gid}.buys",
                    fix="extend the group's territory or allies, its `sells`, or add edges",
                )
            found_any = True
            for market, edges in found:
                routes.append(
                    dict(group=gi, origin=node, market=market, block=len(blocks), edges=edges)
                )
        if found_any:
            blocks.append((-1, net.node_index[node], 1.0))

    labels = [_corridor(net, r["edges"]) for r in routes]
    corridor_labels = sorted({c for c in labels if c is not None})
    rh_route, rh_edge, rh_to, rh_new = [], [], [], []
    route_start = []
    for ri, r in enumerate(routes):
        route_start.append(len(rh_route))
        seen = {net.node(r["origin"]).country}
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
    from_area = [net.node(r["origin"]).kind == "production" for r in routes]
    return RouteSet(
        group=np.array([r["group"] for r in routes], dtype=np.int64),
        origin=np.array([net.node_index[r["origin"]] for r in routes], dtype=np.int64),
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
            [-1 if c is None else corridor_labels.index(c) for c in labels], dtype=np.int64
        ),
        corridor_labels=corridor_labels,
        rh_route=np.array(rh_route, dtype=np.int64),
        rh_edge=np.array(rh_edge, dtype=np.int64),
        rh_to=np.array(rh_to, dtype=np.int64),
        rh_new_country=np.array(rh_new, dtype=np.int64),
        route_start=np.array(route_start, dtype=np.int64),
        origin_country=np.array(
            [
                cidx[net.node(r["origin"]).country] if area else -1
                for r, area in zip(routes, from_area, strict=True)
            ],
            dtype=np.int64,
        ),
        paths=[tuple(e.id for e in r["edges"]) for r in routes],
        markets=markets,
    )
