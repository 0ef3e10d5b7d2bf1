"""Candidate routes: the paths each trafficking group may use, compiled to flat arrays.

A route is one group's path from where it buys to where it sells: from a production
area (`origins`) or a wholesale market (`buys`) to a wholesale market or a consumer
market (`sells`). For every such pair, simple paths through the nodes the group can use
are ranked by cost and risk, grouped by the sequence of countries they cross (the
"corridor signature"), and the best few of each signature are kept, so that every
group can shift between countries, not just between parallel roads.

While a pair has at most `routes.max_enumerated` simple paths of at most
`routes.max_hops` legs, all of them are listed (networkx) and ranked. Above that limit a
best-first search (`route_search.py`) finds the best ones without listing the others;
it keeps exactly the routes the complete list would give, unless its own step budget
runs out too. Either way the run says so (`RouteSet.search_note`, a
`RouteSearchWarning`, and the `route_search` attribute of the results).

Routes draw on stock blocks: at a production area each group holds its own stock (its
share of the area's output); at a wholesale market the stock is pooled and every
buyer's routes out of it compete for it. The engine never sees a graph: it sees
route-hop arrays sorted by (block, route, hop).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from corredor.errors import CorredorError
from corredor.network import INTERNATIONAL, Network
from corredor.route_search import BestFirst, Leg, SearchGraph, hazard, listed
from corredor.scenario import Scenario, allies_both_ways

# Nodes any group may pass: open water, transit countries (through local partners) and
# consumer markets. Production areas, hubs, border crossings and ports must lie in the
# group's territory or an ally's.
OPEN_KINDS = frozenset({"sea", "transit", "market"})
# Ties in score between paths found by the search are resolved within this relative gap.
SCORE_TOLERANCE = 1e-9
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
    # pairs (group, start, market) whose simple paths exceeded `routes.max_enumerated`
    # and were searched best-first instead (`PairSearch`); empty when every pair was
    # listed in full
    searched: list[PairSearch] = field(default_factory=list)
    # When routes evolve (routes.refresh_weeks > 0) the route arrays hold a pool: `initial`
    # marks the routes a run starts with (all of them when routes are fixed) and `pair`
    # the (group, start, market) pair of each route, an index into `pairs`.
    pair: np.ndarray | None = None  # (P,)
    initial: np.ndarray | None = None  # (P,) bool
    pairs: list[tuple[str, str, str]] = field(default_factory=list)
    # (B,) True when every pair of the stock kept every simple path it has (of at most
    # routes.max_hops legs): no larger pool (routes.pool_factor) could add a route to it
    complete: np.ndarray | None = None

    @property
    def n_routes(self) -> int:
        return len(self.group)

    @property
    def pooled(self) -> np.ndarray:
        """(B,) True for a wholesale market's pooled stock."""
        return self.block_group < 0

    @property
    def search_note(self) -> str | None:
        """What a run must say about how its routes were found: None when every pair's
        simple paths were listed in full, else which pairs were searched best-first and
        whether a search stopped at its step budget (its routes may then not be the
        best)."""
        return search_note(self.searched)


class RouteSearchWarning(UserWarning):
    """A pair had more simple paths than `routes.max_enumerated`: its routes were found
    by best-first search (and, if the search ran out of steps, may not be the best)."""


@dataclass(frozen=True)
class PairSearch:
    """How the routes of one (group, start, market) pair were found, when their simple
    paths were too many to list: best-first, after `limit` paths had been listed."""

    group: str
    start: str
    market: str
    limit: int  # routes.max_enumerated: the pair has more simple paths than this
    max_hops: int  # routes.max_hops: of at most this many legs
    steps: int  # partial paths the search took from its queue
    budget_hit: bool  # the search stopped at its step budget before it was done


def search_note(searched: list[PairSearch]) -> str | None:
    """One message for a run's searched pairs (None when there are none)."""
    if not searched:
        return None
    limit, hops = searched[0].limit, searched[0].max_hops
    short = [s for s in searched if s.budget_hit]
    examples = ", ".join(f"{s.group} {s.start}→{s.market}" for s in (short or searched)[:3])
    more = len(short or searched) - 3
    examples += f" and {more} more" if more > 0 else ""
    note = (
        f"{len(searched)} origin–market pair(s) have more than {limit:,} simple paths of "
        f"at most {hops} legs (routes.max_enumerated, routes.max_hops): their routes were "
        "found by best-first search on cost and detection instead of listing every path"
    )
    if short:
        return (
            note + f"; for {len(short)} of them ({examples}) the search stopped at its step "
            "budget (routes.search_steps), so their routes are the best it reached, "
            "maybe not the best: raise routes.search_steps or lower routes.max_hops"
        )
    return note + f" (e.g. {examples}); the routes kept are the same the full list would give"


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


def _score(net: Network, edges: list, half_price: float) -> float:
    """A path's rank (USD/kg): its cost plus half the market's price times its chance of
    being detected with no dedicated effort."""
    cost = sum(e.cost_usd_per_kg for e in edges)
    survive = np.prod([1.0 - e.base_detection for e in edges])
    return cost + half_price * (1.0 - survive)


def _select(candidates: list, per_corridor: int, max_per_pair: int) -> list:
    """Of candidates (score, signature, edges) sorted by score, the best `per_corridor`
    of each signature, at most `max_per_pair` in all."""
    kept, per_sig = [], {}
    for _, sig, edges in candidates:
        if per_sig.get(sig, 0) >= per_corridor:
            continue
        per_sig[sig] = per_sig.get(sig, 0) + 1
        kept.append(edges)
        if len(kept) >= max_per_pair:
            break
    return kept


def _view(net: Network, sub, market: str):
    """The group's subgraph without the consumer markets other than `market`: a consumer
    market is a destination only, so no path may pass through one."""
    return sub.subgraph(n for n in sub if n == market or net.node(n).kind != "market")


def _search_graph(net: Network, view, market: str) -> SearchGraph:
    legs = {
        u: [
            Leg(edge, edge.to, edge.cost_usd_per_kg, hazard(edge.base_detection))
            for edge in (
                net.edges[net.edge_index[key]] for (_, _, key) in view.out_edges(u, keys=True)
            )
        ]
        for u in view
    }
    return SearchGraph(legs, market)


def _searched(net, graph: SearchGraph, start, half_price, limits) -> tuple[list, BestFirst]:
    """Candidates (score, signature, edges) from a best-first search: every path scoring
    no worse than the last route the selection keeps, sorted by score."""
    max_hops, per_corridor, max_per_pair, _, steps = limits
    search = BestFirst(graph, start, max_hops, half_price, budget=steps)
    found, per_sig, kept, threshold = [], {}, 0, None
    for f, legs in search:
        if threshold is not None and f > threshold:
            break
        edges = [leg.edge for leg in legs]
        sig = country_signature(net, edges)
        found.append((_score(net, edges, half_price), sig, edges))
        if threshold is None and per_sig.get(sig, 0) < per_corridor:
            per_sig[sig] = per_sig.get(sig, 0) + 1
            kept += 1
            if kept >= max_per_pair:
                # paths still queued score at least f: collect the near-ties, then stop
                threshold = f + SCORE_TOLERANCE * max(1.0, abs(f))
    found.sort(key=lambda c: c[0])
    return found, search


def _candidates(net, graph: SearchGraph, start, ref_price, limits, searched):
    """Paths (score, signature, edges) from `start` to the market of `graph`, sorted by
    score: every simple path while they number at most `routes.max_enumerated`, else
    those a best-first search collects for the selection (recorded in `searched`)."""
    max_hops, _, _, limit, _ = limits
    market = graph.market
    half_price = 0.5 * ref_price[market]
    listed_paths = listed(graph, start, max_hops, limit)
    if listed_paths is not None:
        candidates = []
        for legs in listed_paths:
            edges = [leg.edge for leg in legs]
            candidates.append(
                (_score(net, edges, half_price), country_signature(net, edges), edges)
            )
        candidates.sort(key=lambda c: c[0])
        return candidates
    candidates, search = _searched(net, graph, start, half_price, limits)
    searched.append((start, market, limit, max_hops, search.steps, search.budget_hit))
    return candidates


def enumerate_routes(scenario: Scenario) -> RouteSet:
    """Enumerate and select candidate routes for every group; compile them to arrays."""
    net = scenario.network
    p = scenario.params
    per_corridor, max_per_pair = int(p["routes.per_corridor"]), int(p["routes.max_per_pair"])
    # Routes that evolve draw on a pool: what the selection keeps with both caps
    # multiplied by routes.pool_factor (a superset of the routes a run starts with).
    factor = int(p["routes.pool_factor"]) if p["routes.refresh_weeks"] > 0 else 1
    limits = (
        int(p["routes.max_hops"]),
        per_corridor * factor,
        max_per_pair * factor,
        int(p["routes.max_enumerated"]),
        int(p["routes.search_steps"]),
    )
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

    searched: list[PairSearch] = []
    graphs: dict[tuple[str, str], SearchGraph] = {}  # (group, market): the legs it may use

    pairs: list[tuple[str, str, str]] = []  # (group, start, market) of each pair

    def paths(gid: str, start: str, sells: list[str]) -> list[tuple[int, list, int, bool]]:
        """(market index, edges, pair index, a route the run starts with) of each kept
        route of the group from `start`. Marks the stock incomplete in `complete` when a
        pair has more paths than it keeps."""
        out, found = [], []
        for market in sells:
            sub = subgraphs[gid]
            if market not in sub or start not in sub:
                continue
            if (gid, market) not in graphs:
                graphs[gid, market] = _search_graph(net, _view(net, sub, market), market)
            n_searched = len(found)
            candidates = _candidates(net, graphs[gid, market], start, ref_price, limits, found)
            pool = _select(candidates, limits[1], limits[2])
            # a searched pair has more paths than it listed; a listed one, than it keeps
            complete[-1] &= len(found) == n_searched and len(pool) == len(candidates)
            first = {id(edges) for edges in _select(candidates, per_corridor, max_per_pair)}
            if pool:
                pairs.append((gid, start, market))
            for edges in pool:
                out.append((markets.index(market), edges, len(pairs) - 1, id(edges) in first))
        searched.extend(PairSearch(gid, *f) for f in found)
        return out

    routes: list[dict] = []
    blocks: list[tuple[int, int, float]] = []  # (group or -1, node index, share)
    complete: list[bool] = []  # of each block, then of the one being built
    for gi, (gid, group) in enumerate(groups):
        sells = group.sells or retail
        for area, share in group.origins.items():
            if share <= 0:
                continue
            complete.append(True)
            found = paths(gid, area, sells)
            if not found:
                raise CorredorError(
                    f"group {gid!r} has no route from {area!r} to any market it sells at",
                    file=scenario.file,
                    field=f"groups.{gid}.territory",
                    fix="extend the group's territory or allies, its `sells`, or add edges",
                )
            for market, edges, pair, initial in found:
                routes.append(
                    dict(
                        group=gi, origin=area, market=market, block=len(blocks), edges=edges,
                        pair=pair, initial=initial,
                    )
                )  # fmt: skip
            blocks.append((gi, net.node_index[area], share))
    for node in net.wholesale_markets:
        complete.append(True)
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
            for market, edges, pair, initial in found:
                routes.append(
                    dict(
                        group=gi, origin=node, market=market, block=len(blocks), edges=edges,
                        pair=pair, initial=initial,
                    )
                )  # fmt: skip
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
    note = search_note(searched)
    if note is not None:
        warnings.warn(note, RouteSearchWarning, stacklevel=2)
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
        searched=searched,
        pair=np.array([r["pair"] for r in routes], dtype=np.int64),
        initial=np.array([r["initial"] for r in routes], dtype=bool),
        pairs=pairs,
        complete=np.array(complete, dtype=bool),
    )
