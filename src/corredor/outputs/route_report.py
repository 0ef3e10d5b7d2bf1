"""Which routes carry a market's supply, and why: a diagnostic of the groups' route choice.

After a run, each candidate route to a market is listed with the countries it crosses,
its modes and legs, its cost, the detection risk the agencies impose in the last week
(before enforcement swamping), the risk its group perceives, the value the group
expects (USD/kg) and the tonnes it sent on the route in the last week. Risk, belief and
value are the state at the end of the run, so they explain the next week's choice.
When routes evolve (`routes.refresh_weeks > 0`) the candidates are a pool of which each
replicate uses its live routes only: `live_at_end` says in what share of replicates a
route is live at the end of the run and `weeks_live` how many of the weeks simulated
(warm-up included) it was live, on average; a pool route that never was live has 0 in
both. With fixed routes every route is live all the time.
This explains route composition, e.g. why a market is supplied by container rather
than by go-fast. Routes belong to trafficking-group archetypes; nothing here concerns
individual shipments, vessels or people.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from corredor import kernels
from corredor.engine import Simulation
from corredor.errors import CorredorError, suggest
from corredor.routes import country_signature


def route_table(
    sim: Simulation, market: str | None = None, group: str | None = None
) -> pd.DataFrame:
    """One row per candidate route (filtered by market and group), replicate means,
    sorted by tonnes per week; `sim` must have run."""
    c, routes = sim.c, sim.c.routes
    net = sim.scenario.network
    if market is not None and market not in routes.markets:
        raise CorredorError(
            f"no route ends at market {market!r}",
            field="--market",
            fix=suggest(market, routes.markets),
        )
    if group is not None and group not in c.groups:
        raise CorredorError(
            f"unknown group {group!r}", field="--group", fix=suggest(group, c.groups)
        )
    if getattr(sim, "last_sent", None) is None:
        raise CorredorError("the simulation has not run", fix="call sim.run() first")
    perceived, value, shares = sim.route_choice()
    det = sim.detection(len(sim.times) - 1)
    log_pass = np.log1p(-np.minimum(det.p_detect, 1 - 1e-12))
    true_risk = -np.expm1(kernels.route_sum(log_pass, routes.rh_edge, c.route_bounds))
    tonnes = sim.last_sent / 1000.0
    live, weeks_live = route_liveness(sim)
    rows = []
    for p, path in enumerate(routes.paths):
        legs = [net.edges[net.edge_index[eid]] for eid in path]
        modes = [leg.mode for i, leg in enumerate(legs) if i == 0 or legs[i - 1].mode != leg.mode]
        rows.append(
            dict(
                group=c.groups[routes.group[p]],
                origin=net.nodes[routes.origin[p]].id,
                market=routes.markets[routes.market[p]],
                countries=">".join(country_signature(net, legs)),
                modes=">".join(modes),
                legs=len(legs),
                cost_usd_per_kg=float(routes.cost[p]),
                risk=float(true_risk[:, p].mean()),
                perceived_risk=float(perceived[:, p].mean()),
                value_usd_per_kg=float(value[:, p].mean()),
                block_share=float(shares[:, p].mean()),
                t_last_week=float(tonnes[:, p].mean()),
                live_at_end=float(live[:, p].mean()),
                weeks_live=float(weeks_live[:, p].mean()),
                path=" ".join(path),
            )
        )
    df = pd.DataFrame(rows)
    if market is not None:
        df = df[df.market == market]
    if group is not None:
        df = df[df.group == group]
    return df.sort_values("t_last_week", ascending=False).reset_index(drop=True)


def route_liveness(sim: Simulation) -> tuple[np.ndarray, np.ndarray]:
    """(R, P) whether each route is live at the end of the run in each replicate, and
    (R, P) the weeks it was live (warm-up included): from the run's route evolution, or
    every route all the weeks simulated when routes are fixed."""
    ev = sim.evolution
    if ev is None:
        shape = (sim.R, sim.c.routes.n_routes)
        return np.ones(shape, dtype=bool), np.full(shape, sim.clock, dtype=np.int64)
    return ev.live, ev.weeks_live
