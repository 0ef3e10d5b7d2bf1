"""Routes that evolve: each replicate's groups revise which candidate routes they use.

With `routes.refresh_weeks = n > 0` the route arrays hold a pool (`routes.py`: the routes
the selection keeps with its caps multiplied by `routes.pool_factor`); each replicate
has its own set of live routes, starting with those a fixed run would use. A route that
is not live gets no share of its stock's dispatch (`live_shares`). Every n weeks (warm-up
included) each replicate revises its sets from what happened since the last revision and
what its groups now perceive (learned risk, visible presence, prices):

- a live route **leaves** when it carried less than `leave_unused_share` of what its
  stock sent ("unused"), or when at least `leave_loss_share` of what it carried was
  seized, struck or lost on the way, its group has learned it (perceived risk at least
  `leave_loss_share`: one unlucky interval of few shipments is not enough) and it no
  longer pays (perceived value at most the purchase price) ("losses"). A stock keeps at
  least one live route: its most valuable.
- each stock opens at most `entries_per_revision` routes per revision (default one):
  the pool routes of highest perceived value among those that qualify. Under capacity
  pressure (in at least `capacity_bound_share` of the interval's weeks the stock left
  more than `capacity_unsent_share` of its offer unsent) any route qualifies
  ("capacity"); otherwise one perceived more valuable than every live route by
  `enter_better` ("better"), or, when the perceived risk of the stock's dispatch
  (share-weighted over its live routes) rose by `enter_risk_rise` (relative, and at
  least `enter_risk_rise_min` absolute) since the last revision, one more valuable than
  its worst live route ("risk"). In every case the route must pay (value above the
  purchase price), its perceived risk must be below `leave_loss_share`, and it must use
  no edge that was full in `capacity_bound_share` of the interval's weeks (it could
  carry nothing more).
- hysteresis: a route that entered stays at least `min_stay_revisions` revisions; a
  route that left cannot return for `no_return_revisions` revisions; a route leaves on
  losses only once they are learned, and returns only once its perceived risk is below
  `leave_loss_share` again.

The thresholds are the `routes.*` parameters of those names (`Thresholds`). The pool
bounds how many routes can be live: it is searched once, before the run (docs/model.md
7.2 says why, and what to do when it is too small). Only shares change: stocks, the
delivery pipeline and beliefs are untouched, so mass balance holds through a revision,
and nothing is drawn at random, so a seed gives the same run. Each replicate revises
from its own state only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from corredor.parameters import PARAMS
from corredor.routes import RouteSet

# An edge carrying this share of its capacity counts as full: a numerical tolerance for
# "equal to its capacity" (the dispatch fills routes up to capacity in floating point),
# not a behavioural threshold, so it is not a parameter.
FULL = 1.0 - 1e-6


@dataclass(frozen=True)
class Thresholds:
    """When a route leaves or enters, and the hysteresis: the `routes.*` parameters of
    routes that evolve (`parameters.py` declares them, with units, bounds and evidence;
    the names below are theirs without the prefix)."""

    leave_unused_share: float  # of the stock's dispatch over the interval: below, unused
    leave_loss_share: float  # of what a route carried, lost on the way (and of perceived risk)
    capacity_bound_share: float  # of the interval's weeks with the stock's offer not all sent
    capacity_unsent_share: float  # of a week's offer left unsent: capacity binds that week
    enter_risk_rise: float  # relative rise of perceived dispatch risk that opens a route
    enter_risk_rise_min: float  # ... and absolute
    enter_better: float  # a pool route perceived this much more valuable than every live one
    min_stay_revisions: int  # revisions a route that entered stays, at least
    no_return_revisions: int  # revisions before a route that left may return
    entries_per_revision: int  # routes each stock may open at one revision, at most

    @classmethod
    def of(cls, params) -> Thresholds:
        """The thresholds of a scenario's parameters (a `ParameterSet` or a mapping)."""
        values = {}
        for f in fields(cls):
            value = params[f"routes.{f.name}"]
            values[f.name] = int(value) if f.type == "int" else float(value)
        return cls(**values)

    @classmethod
    def default(cls) -> Thresholds:
        return cls.of({name: p.default for name, p in PARAMS.items()})


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
    thresholds: Thresholds = field(default_factory=Thresholds.default)
    live: np.ndarray = field(init=False)  # (R, P) bool
    changes: list[Change] = field(default_factory=list)

    @classmethod
    def start(cls, params, routes: RouteSet, capacity, replicates: int) -> RouteEvolution | None:
        """The evolution of a run with these parameters (`routes.refresh_weeks` and the
        thresholds), or None when its routes are fixed."""
        interval = int(params["routes.refresh_weeks"])
        if interval <= 0:
            return None
        return cls(routes, capacity, replicates, interval, Thresholds.of(params))

    def __post_init__(self) -> None:
        rs, R = self.routes, self.replicates
        n_p, n_b = rs.n_routes, len(rs.block_start)
        self.live = np.broadcast_to(rs.initial, (R, n_p)).copy()
        self.all_live = bool(self.live.all())  # then shares need no masking
        self.sizes = np.diff(np.append(rs.block_start, n_p))
        # revisions since a route entered (routes a run starts with count as settled)
        self.age = np.full((R, n_p), self.thresholds.min_stay_revisions, dtype=np.int64)
        self.cooldown = np.zeros((R, n_p), dtype=np.int64)
        self.hop_start = np.append(rs.route_start, len(rs.rh_edge))[:-1]
        self.last_risk: np.ndarray | None = None  # (R, B) at the previous revision
        self.weeks = 0
        self.carried = np.zeros((R, n_p))  # kg sent on each route
        self.arrived = np.zeros((R, n_p))  # kg of it that reached the route's market
        self.block_sent = np.zeros((R, n_b))  # kg each stock sent
        self.bound = np.zeros((R, n_b))  # weeks its offer was not all sent
        self.full = np.zeros((R, len(self.capacity)))  # weeks each edge was full
        # over the whole run (warm-up included), for reports: weeks observed, weeks each
        # route was live, and revisions at which a stock under pressure (capacity bound
        # or risk risen) found no pool route it could open: in all (`starved`), and when
        # its pool holds fewer routes than it has paths (`short`: a larger pool_factor
        # would have offered more)
        self.weeks_run = 0
        self.revisions = 0
        self.weeks_live = np.zeros((R, n_p), dtype=np.int64)
        self.starved = np.zeros(R, dtype=np.int64)
        self.short = np.zeros(R, dtype=np.int64)
        complete = rs.complete if rs.complete is not None else np.zeros(n_b, dtype=bool)
        self.incomplete = ~complete

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
        self.weeks_run += 1
        self.weeks_live += self.live
        self.carried += sent
        self.arrived += arrived
        self.block_sent += out
        self.bound += (offered - out) > self.thresholds.capacity_unsent_share * offered
        self.full += (flow >= FULL * self.capacity[None, :]) & (self.capacity[None, :] > 0)

    def due(self, week: int) -> bool:
        return week > 0 and week % self.interval == 0

    # -- every `interval` weeks ---------------------------------------------------------
    def revise(self, week: int, risk, value, buy, sharpness, floor) -> None:
        """Revise every replicate's live routes from the interval's record and the
        groups' current (R, P) perceived risk and value (USD/kg) and purchase price."""
        rs, th = self.routes, self.thresholds
        block_start, sizes = rs.block_start, self.sizes
        per_block = lambda x: np.add.reduceat(x, block_start, axis=1)  # noqa: E731
        spread = lambda x: np.repeat(x, sizes, axis=1)  # noqa: E731 (R, B) -> (R, P)
        per_block_max = lambda x: np.maximum.reduceat(x, block_start, axis=1)  # noqa: E731
        self.revisions += 1
        self.age += self.live
        self.cooldown = np.maximum(self.cooldown - 1, 0)
        worth = value - buy  # USD/kg a route earns over the purchase price
        # leaving
        sent = spread(self.block_sent)
        unused = (sent > 0) & (self.carried < th.leave_unused_share * sent)
        lost = self.carried - self.arrived
        losing = (
            (self.carried > 0)
            & (lost >= th.leave_loss_share * self.carried)
            & (risk >= th.leave_loss_share)
            & (worth <= 0)
        )
        leave = self.live & (self.age >= th.min_stay_revisions) & (unused | losing)
        left_over = per_block(self.live & ~leave)
        for r, b in zip(*np.nonzero(left_over == 0), strict=True):
            # a stock keeps its best route
            lo = block_start[b]
            seg = np.where(self.live[r, lo : lo + sizes[b]], worth[r, lo : lo + sizes[b]], -np.inf)
            leave[r, lo + int(np.argmax(seg))] = False
        self.live &= ~leave
        self.cooldown[leave] = th.no_return_revisions
        self._log(week, leave, False, np.where(unused, "unused", "losses"))
        # entering
        shares, _ = self.live_shares(value, buy, sharpness, floor)
        risk_now = per_block(shares * risk)
        capacity = self.bound >= th.capacity_bound_share * self.weeks
        risen = np.zeros_like(capacity)
        if self.last_risk is not None:
            risen = (risk_now > (1 + th.enter_risk_rise) * self.last_risk) & (
                risk_now - self.last_risk > th.enter_risk_rise_min
            )
        self.last_risk = risk_now
        full_edges = self.full >= th.capacity_bound_share * self.weeks  # (R, E)
        uses_full = np.add.reduceat(full_edges[:, rs.rh_edge], self.hop_start, axis=1) > 0
        can = (
            ~self.live
            & (self.cooldown == 0)
            & (worth > 0)
            & (risk < th.leave_loss_share)
            & ~uses_full
        )
        worst = np.minimum.reduceat(np.where(self.live, value, np.inf), block_start, axis=1)
        best = np.maximum.reduceat(np.where(self.live, value, -np.inf), block_start, axis=1)
        by_capacity = spread(capacity)
        by_risk = spread(risen) & (value > spread(worst))
        better = value > (1.0 + th.enter_better) * spread(best)
        pick = np.where(can & (by_capacity | by_risk | better), value, -np.inf)
        starved = (capacity | risen) & ~np.isfinite(per_block_max(pick))  # (R, B)
        self.starved += starved.sum(axis=1)
        self.short += (starved & self.incomplete[None, :]).sum(axis=1)
        enter = np.zeros_like(self.live)
        for _ in range(th.entries_per_revision):  # the most valuable first
            top = per_block_max(pick)
            for r, b in zip(*np.nonzero(np.isfinite(top)), strict=True):
                lo = block_start[b]
                p = lo + int(np.argmax(pick[r, lo : lo + sizes[b]]))
                enter[r, p] = True
                pick[r, p] = -np.inf
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
            f"evolving: revised every {self.interval} weeks ({self.revisions} revisions) "
            "from a pool of "
            f"{self.routes.n_routes} routes ({int(self.routes.initial.sum())} at the start); "
            f"{ins / R:.1f} entries and {outs / R:.1f} exits per replicate, "
            f"{self.live.sum() / R:.1f} routes live at the end; a stock under pressure "
            f"found no pool route to open {self.starved.sum() / R:.1f} times per replicate, "
            f"{self.short.sum() / R:.1f} of them with paths left out of its pool (a larger "
            "routes.pool_factor would offer them)"
        )
