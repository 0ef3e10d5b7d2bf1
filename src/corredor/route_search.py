"""Best-first search for the best candidate routes when there are too many to list.

`routes.py` ranks the simple paths from a start to a market by a score in USD/kg: the
transport cost plus half the market's reference price times the chance of being detected
somewhere on the way,

    score = C + 0.5 * P_m * (1 - exp(-H)),   C = sum of cost_e,  H = sum of -log(1 - d_e)

(`1 - exp(-H)` is `1 - prod(1 - d_e)`, with `d_e` an edge's base detection). When a pair
has more simple paths than `routes.max_enumerated`, listing them all costs too much, so
this module finds the best ones without listing the rest: a best-first (A*) search over
partial paths, ordered by

    f = 0.5-score of (C + C*(v), H + H*(v))

where C*(v) and H*(v) are the least cost and the least hazard from the path's end v to
the market (Dijkstra on the reversed graph; they ignore that a path must be simple, so
they never overestimate). The score grows with both C and H, so f never overestimates a
completion's score and never decreases as a path is extended: complete paths leave the
queue in order of their score, and the first k found are the k best simple paths of at
most `max_hops` legs, exactly (ties aside). Partial paths that cannot reach the market
within `max_hops` legs (a breadth-first hop bound) are dropped. The search stops after
`budget` steps (partial paths taken from the queue); `BestFirst.budget_hit` says when
that happened, and then the paths found are the best of those the search reached.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from corredor.network import EdgeRow


@dataclass(frozen=True)
class Leg:
    """One edge out of a node, with what the search adds up along a path."""

    edge: EdgeRow  # the network's edge
    to: str
    cost: float  # USD/kg
    hazard: float  # -log(1 - base detection)


def hazard(detection: float) -> float:
    """-log(1 - d): detection chances multiply as (1 - d), hazards add."""
    return math.inf if detection >= 1.0 else -math.log1p(-detection)


class SearchGraph:
    """The legs a group may use towards one market, with lower bounds to that market.

    `out` maps each node to its legs (in the order given); `cost_to`, `hazard_to` and
    `hops_to` hold, for every node that can reach the market, the least cost, least
    hazard and fewest legs to it."""

    def __init__(self, legs: dict[str, list[Leg]], market: str) -> None:
        self.out = legs
        self.market = market
        incoming: dict[str, list[tuple[str, Leg]]] = {}
        for u, out in legs.items():
            for leg in out:
                incoming.setdefault(leg.to, []).append((u, leg))
        self.cost_to = _dijkstra(incoming, market, lambda leg: leg.cost)
        self.hazard_to = _dijkstra(incoming, market, lambda leg: leg.hazard)
        self.hops_to = {market: 0}
        queue = deque([market])
        while queue:
            v = queue.popleft()
            for u, _ in incoming.get(v, ()):
                if u not in self.hops_to:
                    self.hops_to[u] = self.hops_to[v] + 1
                    queue.append(u)


def _dijkstra(incoming, target: str, weight) -> dict[str, float]:
    """Least total weight from every node to `target` (walking `incoming` backwards)."""
    best = {target: 0.0}
    heap = [(0.0, target)]
    while heap:
        d, v = heapq.heappop(heap)
        if d > best[v]:
            continue
        for u, leg in incoming.get(v, ()):
            nd = d + weight(leg)
            if u not in best or nd < best[u]:
                best[u] = nd
                heapq.heappush(heap, (nd, u))
    return best


def listed(graph: SearchGraph, start: str, max_hops: int, limit: int) -> list[list[Leg]] | None:
    """Every simple path of at most `max_hops` legs from `start` to the graph's market,
    depth first in the order of `graph.out` (the order `networkx.all_simple_edge_paths`
    gives), or None when there are more than `limit`. Branches that cannot reach the
    market within the hops left are not explored (the hop bound): they hold no path."""
    market, out, hops_to = graph.market, graph.out, graph.hops_to
    paths: list[list[Leg]] = []
    if start == market or hops_to.get(start, max_hops + 1) > max_hops:
        return paths
    trail: list[Leg] = []
    on_path = {start}
    stack = [iter(out.get(start, ()))]
    while stack:
        depth = len(trail) + 1  # legs of a path that takes the next leg
        leg = next(
            (
                leg
                for leg in stack[-1]
                if leg.to not in on_path and depth + hops_to.get(leg.to, max_hops) <= max_hops
            ),
            None,
        )
        if leg is None:
            stack.pop()
            if trail:
                on_path.discard(trail.pop().to)
            continue
        if leg.to == market:  # a destination only: never passed through
            paths.append([*trail, leg])
            if len(paths) > limit:
                return None
            continue
        trail.append(leg)
        on_path.add(leg.to)
        stack.append(iter(out.get(leg.to, ())))
    return paths


class BestFirst:
    """Simple paths from `start` to the graph's market, best score first (module doc).

    Iterating yields (f, legs): f is the path's score computed from its sums (equal to
    the score `routes.py` computes, up to rounding), legs the path's `Leg`s in order."""

    def __init__(
        self, graph: SearchGraph, start: str, max_hops: int, half_price: float, budget: int
    ) -> None:
        self.graph = graph
        self.start = start
        self.max_hops = max_hops
        self.half_price = half_price
        self.budget = budget
        self.steps = 0  # partial paths taken from the queue
        self.budget_hit = False

    def score(self, cost: float, haz: float) -> float:
        return cost + self.half_price * -math.expm1(-haz)

    def __iter__(self) -> Iterator[tuple[float, list[Leg]]]:
        g, market = self.graph, self.graph.market
        start = self.start
        if start == market or g.hops_to.get(start, self.max_hops + 1) > self.max_hops:
            return
        # queue entries: (f, order, node, cost, hazard, hops, trail); a trail is a linked
        # list (leg, previous trail) so a path is stored once, whatever its extensions
        order = 0
        heap = [(self.score(g.cost_to[start], g.hazard_to[start]), order, start, 0.0, 0.0, 0, None)]
        while heap:
            f, _, node, cost, haz, hops, trail = heapq.heappop(heap)
            if node == market:
                legs = []
                while trail is not None:
                    legs.append(trail[0])
                    trail = trail[1]
                yield f, legs[::-1]
                continue
            if self.steps >= self.budget:
                self.budget_hit = True
                return
            self.steps += 1
            on_path = {start}
            t = trail
            while t is not None:
                on_path.add(t[0].to)
                t = t[1]
            for leg in g.out.get(node, ()):
                v = leg.to
                if v in on_path or v not in g.hops_to or hops + 1 + g.hops_to[v] > self.max_hops:
                    continue
                c, h = cost + leg.cost, haz + leg.hazard
                order += 1
                f_v = self.score(c + g.cost_to[v], h + g.hazard_to[v])
                heapq.heappush(heap, (f_v, order, v, c, h, hops + 1, (leg, trail)))
