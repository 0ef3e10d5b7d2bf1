"""Routes that evolve: each replicate's groups revise which candidate routes they use.

With `routes.refresh_weeks = n > 0` the route arrays hold a pool (`routes.py`: the routes
the selection keeps with its caps multiplied by `routes.pool_factor`); each replicate
has its own set of live routes, starting with those a fixed run would use. A route that
is not live gets no share of its stock's dispatch (`live_shares`). Every n weeks (warm-up
included) each replicate revises its sets from what happened since the last revision and
what its groups now perceive (learned risk, visible presence, prices):

- a live route **leaves** when it carried less than `UNUSED_SHARE` of what its stock sent
  ("unused"), or when at least `LOSS_SHARE` of what it carried was seized, struck or
  lost on the way, its group has learned it (perceived risk at least `LOSS_SHARE`: one
  unlucky interval of few shipments is not enough) and it no longer pays (perceived
  value at most the purchase price) ("losses"). A stock keeps at least one live route:
  its most valuable.
- each stock opens at most **one** route per revision: the pool route of highest
  perceived value among those that qualify. Under capacity pressure (in at least
  `BOUND_SHARE` of the interval's weeks the stock could not send all it offered) any
  route qualifies ("capacity"); otherwise one perceived more valuable than every live
  route by `BETTER` ("better"), or, when the perceived risk of the stock's dispatch
  (share-weighted over its live routes) rose by `RISK_RISE` (relative, and at least
  `RISK_RISE_MIN` absolute) since the last revision, one more valuable than its worst
  live route ("risk"). In every case the route must pay (value above the purchase
  price), its perceived risk must be below `LOSS_SHARE`, and it must use no edge that
  was full in `BOUND_SHARE` of the interval's weeks (it could carry nothing more).
- hysteresis: a route that entered stays at least `HOLD` revisions; a route that left
  cannot return for `COOLDOWN` revisions; a route leaves on losses only once they are
  learned, and returns only once its perceived risk is below `LOSS_SHARE` again.

The pool bounds how many routes can be live. Only shares change: stocks, the delivery
pipeline and beliefs are untouched, so mass balance holds through a revision, and
nothing is drawn at random, so a seed gives the same run. Each replicate revises from
its own state only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from corredor.routes import RouteSet

UNUSED_SHARE = 0.001  # of the stock's dispatch over the interval: below, the route is unused
LOSS_SHARE = 0.5  # of what a route carried over the interval, lost on the way: it leaves
BOUND_SHARE = 0.5  # of the interval's weeks with the stock's offer not all sent
UNSENT = 0.01  # share of a week's offer left unsent that counts as capacity binding
FULL = 1.0 - 1e-6  # an edge carrying this share of its capacity is full
RISK_RISE = 0.25  # relative rise of perceived dispatch risk that opens a route
RISK_RISE_MIN = 0.01  # ... and absolute
BETTER = 0.1  # a pool route perceived this much more valuable than every live route enters
HOLD = 2  # revisions a route that entered stays, at least
COOLDOWN = 2  # revisions before a route that left may return


@dataclass
class Change:
    """One route entering or leaving the live set of one replicate."""

    week: int  # weeks simulated, warm-up included, when the revision was made
    replicate: int
    route: int
    entered: bool
    reason: str  # "capacity", "risk" (entering); "unused", "losses" (leaving)


@dataclass
class RouteEvolution:
    """The live routes of every replicate and what a revision needs since the last one."""

    routes: RouteSet
    capacity: np.ndarray  # (E,) kg/week
    replicates: int
    interval: int  # weeks between revisions
    live: np.ndarray = field(init=False)  # (R, P) bool
    changes: list[Change] = field(default_factory=list)

    def __post_init__(self) -> None:
        rs, R = self.routes, self.replicates
        n_p, n_b = rs.n_routes, len(rs.block_start)
        self.live = np.broadcast_to(rs.initial, (R, n_p)).copy()
        self.all_live = bool(self.live.all())  # then shares need no masking
        self.sizes = np.diff(np.append(rs.block_start, n_p))
        # revisions since a route entered (routes a run starts with count as settled)
        self.age = np.full((R, n_p), HOLD, dtype=np.int64)
        self.cooldown = np.zeros((R, n_p), dtype=np.int64)
        self.hop_start = np.append(rs.route_start, len(rs.rh_edge))[:-1]
        self.last_risk: np.ndarray | None = None  # (R, B) at the previous revision
        self.weeks = 0
        self.carried = np.zeros((R, n_p))  # kg sent on each route
        self.arrived = np.zeros((R, n_p))  # kg of it that reached the route's market
        self.block_sent = np.zeros((R, n_b))  # kg each stock sent
        self.bound = np.zeros((R, n_b))  # weeks its offer was not all sent
        self.full = np.zeros((R, len(self.capacity)))  # weeks each edge was full

    # -- every week ---------------------------------------------------------------------
    def live_shares(self, value, buy, sharpness, floor) -> tuple[np.ndarray, np.ndarray]:
        """(R, P) shares of each stock's dispatch over its live routes and (R, B) each
        stock's share-weighted value: the perceive phase's split (shares proportional to
        max(value - buy, floor) ** sharpness) restricted to live routes."""
        block_start = self.routes.block_start
        log_w = np.asarray(sharpness)[:, None] * np.log(np.maximum(value - buy, floor))
        log_w = np.where(self.live, log_w, -np.inf)
        top = np.maximum.reduceat(log_w, block_start, axis=1)
        w = np.exp(log_w - np.repeat(top, self.sizes, axis=1))
        shares = w / np.repeat(np.add.reduceat(w, block_start, axis=1), self.sizes, axis=1)
        return shares, np.add.reduceat(shares * value, block_start, axis=1)

    def observe(self, sent, offered, flow, arrived) -> None:
        """Add one week: (R, P) kg sent, (R, B) kg offered, (R, E) kg entering each edge,
        (R, P) kg of what was sent that will reach the route's market."""
        block_start = self.routes.block_start
        out = np.add.reduceat(sent, block_start, axis=1)
        self.weeks += 1
        self.carried += sent
        self.arrived += arrived
        self.block_sent += out
        self.bound += (offered - out) > UNSENT * offered
        self.full += (flow >= FULL * self.capacity[None, :]) & (self.capacity[None, :] > 0)

    def due(self, week: int) -> bool:
        return week > 0 and week % self.interval == 0

    # -- every `interval` weeks ---------------------------------------------------------
    def revise(self, week: int, risk, value, buy, sharpness, floor) -> None:
        """Revise every replicate's live routes from the interval's record and the
        groups' current (R, P) perceived risk and value (USD/kg) and purchase price."""
        rs = self.routes
        block_start, sizes = rs.block_start, self.sizes
        per_block = lambda x: np.add.reduceat(x, block_start, axis=1)  # noqa: E731
        spread = lambda x: np.repeat(x, sizes, axis=1)  # noqa: E731 (R, B) -> (R, P)
        self.age += self.live
        self.cooldown = np.maximum(self.cooldown - 1, 0)
        worth = value - buy  # USD/kg a route earns over the purchase price
        # leaving
        sent = spread(self.block_sent)
        unused = (sent > 0) & (self.carried < UNUSED_SHARE * sent)
        lost = self.carried - self.arrived
        losing = (
            (self.carried > 0)
            & (lost >= LOSS_SHARE * self.carried)
            & (risk >= LOSS_SHARE)
            & (worth <= 0)
        )
        leave = self.live & (self.age >= HOLD) & (unused | losing)
        left_over = per_block(self.live & ~leave)
        for r, b in zip(*np.nonzero(left_over == 0), strict=True):
            # a stock keeps its best route
            lo = block_start[b]
            seg = np.where(self.live[r, lo : lo + sizes[b]], worth[r, lo : lo + sizes[b]], -np.inf)
            leave[r, lo + int(np.argmax(seg))] = False
        self.live &= ~leave
        self.cooldown[leave] = COOLDOWN
        self._log(week, leave, False, np.where(unused, "unused", "losses"))
        # entering
        shares, _ = self.live_shares(value, buy, sharpness, floor)
        risk_now = per_block(shares * risk)
        capacity = self.bound >= BOUND_SHARE * self.weeks
        risen = np.zeros_like(capacity)
        if self.last_risk is not None:
            risen = (risk_now > (1 + RISK_RISE) * self.last_risk) & (
                risk_now - self.last_risk > RISK_RISE_MIN
            )
        self.last_risk = risk_now
        full_edges = self.full >= BOUND_SHARE * self.weeks  # (R, E)
        uses_full = np.add.reduceat(full_edges[:, rs.rh_edge], self.hop_start, axis=1) > 0
        can = ~self.live & (self.cooldown == 0) & (worth > 0) & (risk < LOSS_SHARE) & ~uses_full
        worst = np.minimum.reduceat(np.where(self.live, value, np.inf), block_start, axis=1)
        best = np.maximum.reduceat(np.where(self.live, value, -np.inf), block_start, axis=1)
        by_capacity = spread(capacity)
        by_risk = spread(risen) & (value > spread(worst))
        better = value > (1.0 + BETTER) * spread(best)
        pick = np.where(can & (by_capacity | by_risk | better), value, -np.inf)
        enter = np.zeros_like(self.live)
        top = np.maximum.reduceat(pick, block_start, axis=1)
        for r, b in zip(*np.nonzero(np.isfinite(top)), strict=True):
            lo = block_start[b]
            enter[r, lo + int(np.argmax(pick[r, lo : lo + sizes[b]]))] = True
        self.live |= enter
        self.all_live = bool(self.live.all())
        self.age[enter] = 0
        reason = np.where(by_capacity, "capacity", np.where(better, "better", "risk"))
        self._log(week, enter, True, reason)
        self._reset()

    def _log(self, week: int, which: np.ndarray, entered: bool, reasons: np.ndarray) -> None:
        for r, p in zip(*np.nonzero(which), strict=True):
            self.changes.append(Change(week, int(r), int(p), entered, str(reasons[r, p])))

    def _reset(self) -> None:
        self.weeks = 0
        for arr in (self.carried, self.arrived, self.block_sent, self.bound, self.full):
            arr[...] = 0.0

    def summary(self) -> str:
        """One line for the results' attributes."""
        R = self.replicates
        ins = sum(c.entered for c in self.changes)
        outs = len(self.changes) - ins
        return (
            f"evolving: revised every {self.interval} weeks from a pool of "
            f"{self.routes.n_routes} routes ({int(self.routes.initial.sum())} at the start); "
            f"{ins / R:.1f} entries and {outs / R:.1f} exits per replicate, "
            f"{self.live.sum() / R:.1f} routes live at the end"
        )
