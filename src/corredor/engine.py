"""The simulation engine: weekly steps, replicates as an array axis.

The network and the scenario are compiled once into arrays (routes as padded route-hop
tables and sparse incidence matrices); the time loop then works on (replicate, ...)
arrays only. Each week runs the phases in `PHASES`, in that order. Every stochastic
component draws from its own random stream, derived from the run seed with
`numpy.random.SeedSequence`, so two scenarios run with one seed share their noise
(common random numbers) and differ only by what the scenarios change.

Mass balance holds every week, for every replicate:
produced = consumed + seized + destroyed + lost + change in stock, where stock is the
drug held at production areas and wholesale markets, in transit towards markets, and in
consumer markets' stocks.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from corredor import interdiction, kernels, markets, production, threads, traffickers, violence
from corredor.allocation import Allocation
from corredor.errors import CorredorError
from corredor.network import INTERNATIONAL
from corredor.parameters import PARAMS, parse_when
from corredor.route_evolution import RouteEvolution
from corredor.routes import OPEN_KINDS, RouteSet, enumerate_routes
from corredor.scenario import Scenario, allies_both_ways

WEEKS_PER_YEAR = 52
WARMUP_YEARS = 2
PHASES = (
    "produce",  # output of each area joins the exporters' stocks there; stocks age
    "perceive",  # groups value routes from prices, learned risk and visible presence
    "dispatch",  # traders decide how much to ship; stocks go down routes within capacity
    "transit",  # shipments meet detection, strikes and losses edge by edge
    "learn",  # groups update their beliefs from their own shipments
    "deliver",  # survivors arrive after the route's transit time: sold at the market
    "markets",  # users consume; stocks against throughput move every market's price
    "violence",  # flows, rivalry and the value fought over set homicides
    "record",  # the week's outcomes are credited to countries and recorded
)
DISPATCH_PASSES = 3  # capacity-filling passes per week (see the dispatch phase)
# Recorded levels averaged over the weeks of a period (the other outputs are sums).
MEANS = ("price_usd_per_kg", "trade_price_usd_per_kg", "trade_stock_kg", "shipped_share")
STREAMS = ("production", "interdiction", "strikes", "violence", "allocation")

# Parameters that may take a different value in each replicate of one run (a parameter
# draw per replicate, for ensembles). The others shape the compiled network (routes,
# shipment sizes, losses) or are time series, and vary only between runs.
VARYING = (
    "production.growth_after_data",
    "production.supply_elasticity",
    "production.noise_cv",
    "production.origin_price_usd_per_kg",
    "production.price_lag_weeks",
    "traffickers.choice_sharpness",
    "traffickers.memory_half_life_weeks",
    "traffickers.prior_strength",
    "traffickers.dispatch_rate",
    "traffickers.strike_deterrence",
    "traffickers.markup",
    "traffickers.margin_width",
    "traffickers.holding_loss",
    "traffickers.presence_visibility",
    *interdiction.K_PARAMS,
    "interdiction.intel_gain",
    "interdiction.handling_time",
    "interdiction.k_origin",
    "allocation.reactive_weight",
    "allocation.intel_weight",
    "allocation.intel_noise_cv",
    "allocation.memory_weeks",
    "strikes.misidentified_share",
    "strikes.pursuit_share",
    "markets.demand_elasticity",
    "markets.price_transmission",
    "markets.price_smoothing_weeks",
    "markets.inventory_weeks",
    "markets.price_adjustment",
    "markets.cost_anchor",
    "markets.consumer_anchor",
    "markets.shortage_signal",
    "markets.netback_cap",
    "markets.price_floor",
    "markets.price_cap",
    "violence.price_exponent",
    "violence.flow_coef",
    "violence.contest_coef",
    "violence.fragmentation_exponent",
    *(
        f"modes.{m}.crew"
        for m in ("road", "trail", "river", "container", "gofast", "semisub", "fishing", "air")
    ),
)


def stream_seeds(seed: int) -> dict[str, np.random.SeedSequence]:
    """One SeedSequence per component, keyed by a stable hash of its name."""
    return {
        name: np.random.SeedSequence(seed, spawn_key=(zlib.crc32(name.encode()),))
        for name in STREAMS
    }


class Incidence:
    """A 0/1 map from one index set to another, applied as `x @ incidence` to (R, n) arrays.

    Stored transposed in CSR form so the product needs no per-call transpose (the
    dominant cost of `ndarray @ sparse` in scipy).
    """

    __slots__ = ("shape", "t")
    __array_ufunc__ = None  # make numpy defer `ndarray @ Incidence` to __rmatmul__

    def __init__(self, transposed: sp.csr_matrix) -> None:
        self.t = transposed
        self.shape = transposed.shape[::-1]

    def __rmatmul__(self, x: np.ndarray) -> np.ndarray:
        return (self.t @ x.T).T

    def by_route(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indptr, indices, data): the CSR form of the (rows, n) map itself, for kernels
        that walk it row by row (routes in order: each output still adds its rows in
        the order of the product)."""
        m = self.t.T.tocsr()
        return m.indptr, m.indices, m.data


@dataclass
class Compiled:
    """Everything the time loop needs, as arrays."""

    routes: RouteSet
    countries: list[str]
    modes: list[str]  # (E,) transport mode of each edge
    areas: list[str]
    producers: list[str]  # producing countries
    producer_idx: np.ndarray  # their positions in `countries`
    markets: list[str]  # consumer (retail) markets
    wholesale: list[str]  # wholesale hand-off markets
    trade_nodes: list[str]  # where cocaine is sold: areas, then wholesale, then retail
    groups: list[str]
    agencies: list[str]
    route_bounds: np.ndarray  # (P+1,) hops of route p are route_bounds[p]:route_bounds[p+1]
    rh_belief: np.ndarray  # (nnz,) index g*E + e of each hop into the groups' beliefs
    rh_new_country: np.ndarray  # (nnz,) model-country index first entered, or -1
    origin_country: np.ndarray  # (P,) model-country index of each route's origin
    inc_route_edge: Incidence  # (P, E)
    inc_route_corridor: Incidence  # (P, K)
    inc_route_group: Incidence  # (P, G)
    # (P, M*C) a route selling at consumer market m that crossed country c: what reaches
    # each market, by the countries on its last leg of the journey
    inc_route_market_via: Incidence
    # (P, M) a route selling at consumer market m: the basis of delivered_via_kg's shares
    inc_route_retail: Incidence
    inc_route_lag_market: Incidence  # (P, (L+1)*S), S = len(routes.markets)
    inc_route_sell: Incidence  # (P, Tn) one-hot: the trade node each route sells at
    area_of_block: np.ndarray  # (B,) index into areas (production blocks; 0 for pools)
    block_trade: np.ndarray  # (B,) trade-node index of each stock's location
    pool_of_wholesale: np.ndarray  # (W,) block index of each wholesale market's pool
    route_sell_trade: np.ndarray  # (P,) trade-node index of the market a route sells at
    route_sell_trade_of_market: np.ndarray  # (S,) trade-node index of each routes.market
    trade_ref_price: np.ndarray  # (Tn,) reference price of each trade node, USD/kg
    route_premium: np.ndarray  # (P,) additive part of its market's entry premium, USD/kg
    trade_to_node_price: np.ndarray  # (Tn, N) averages trade prices into a node's index
    production_block: np.ndarray  # (B,) 1 for a group's stock at a production area
    keep: np.ndarray  # (P,) share of cargo not lost (known to groups) x its market's entry keep
    max_lag: int
    load: np.ndarray  # (E,) kg per shipment
    loss: np.ndarray  # (E,) loss rate
    crew: np.ndarray  # (E,)
    capacity: np.ndarray  # (E,)
    ref_price: np.ndarray  # (M,) consumer markets' reference prices
    rival: np.ndarray  # (T, G, G) rivalry by week
    factions: np.ndarray  # (T, G) number of rival factions of each group (1 = united)
    handler: sp.csr_matrix  # (G*N, G*N) tonnes of g at a node -> moved by group h
    handler_dense: np.ndarray  # (N, G, G) the same, per node (for the compiled kernel)
    node_country: np.ndarray  # (N,) country index
    country_population: np.ndarray  # (C,)
    country_base_rate: np.ndarray  # (C,)
    # Compact indices for the compiled phases (kernels.py): only what routes can touch.
    slot_belief: np.ndarray  # (U,) belief index g*E + e of each (group, edge) routes use
    slot_edge: np.ndarray  # (U,) its edge e
    rh_slot: np.ndarray  # (nnz,) slot of each hop's belief
    node_slot_start: np.ndarray  # (N+1,) (node, group) slots of node n: [n]:[n+1]
    slot_group: np.ndarray  # (K,) group of each (node, group) slot, ascending per node
    rh_node_slot: np.ndarray  # (nnz,) (node, group) slot of each hop's end node
    route_node_slot: np.ndarray  # (P,) (node, group) slot of each route's origin
    origin_row: np.ndarray  # (C,) row of a producing country in `producers`, else -1
    route_buy_trade: np.ndarray  # (P,) trade-node index where a route's cargo is bought
    block_weight: np.ndarray  # (B,) share of its area's output a block receives


def model_countries(scenario: Scenario) -> list[str]:
    codes = set(scenario.network.country_codes)
    codes |= {a.country for a in scenario.agencies.values()}
    return sorted(codes)


def compile_scenario(scenario: Scenario) -> Compiled:
    """Turn a validated scenario into the arrays the time loop uses."""
    net = scenario.network
    params = scenario.params
    routes = enumerate_routes(scenario)
    countries = model_countries(scenario)
    cidx = {c: i for i, c in enumerate(countries)}
    # enumerate_routes indexes countries of the network; re-map to the model's list.
    net_codes = net.country_codes
    remap = np.array([cidx[c] for c in net_codes], dtype=np.int64)
    rh_new = np.where(routes.rh_new_country >= 0, remap[np.maximum(routes.rh_new_country, 0)], -1)
    origin_country = np.where(
        routes.origin_country >= 0, remap[np.maximum(routes.origin_country, 0)], -1
    )

    n_p, n_e = routes.n_routes, len(net.edges)
    groups = list(scenario.groups)
    n_g = len(groups)

    def incidence(rows, cols, n_rows, n_cols) -> Incidence:
        rows, cols = np.asarray(rows), np.asarray(cols)
        data = np.ones(len(rows))
        return Incidence(sp.csr_matrix((data, (cols, rows)), shape=(n_cols, n_rows)))

    areas = [n.id for n in net.nodes if n.kind == "production"]
    area_idx = {a: i for i, a in enumerate(areas)}
    modes = [e.mode for e in net.edges]
    load = np.array([params.mode(m, "load_kg") for m in modes])
    loss = np.array([params.mode(m, "loss_rate") for m in modes])
    crew = np.array([params.mode(m, "crew") for m in modes])
    keep_log = np.zeros(n_p)
    np.add.at(keep_log, routes.rh_route, np.log1p(-np.minimum(loss[routes.rh_edge], 1 - 1e-12)))
    max_lag = int(routes.lag_weeks.max())
    n_s = len(routes.markets)
    countries_rows = {c.iso2: c for c in net.countries}
    retail = net.retail_markets
    wholesale = net.wholesale_markets
    trade_nodes = areas + wholesale + retail
    tidx = {t: i for i, t in enumerate(trade_nodes)}
    rows = {m.node: m for m in net.markets}
    origin_price = params["production.origin_price_usd_per_kg"]
    trade_ref_price = np.array(
        [rows[t].price_usd_per_kg if t in rows else origin_price for t in trade_nodes]
    )
    trade_premium = np.array(
        [rows[t].entry_premium_usd_per_kg if t in rows else 0.0 for t in trade_nodes]
    )
    # `markets.proportional_premium`: the share of each market's entry premium paid as a
    # share of the sale price of what arrives (entry_keep) rather than in USD per kg
    proportional = float(params["markets.proportional_premium"])
    if proportional > 0:
        over = [
            t for t, p, r in zip(trade_nodes, trade_premium, trade_ref_price, strict=True) if p >= r
        ]
        if over:
            raise CorredorError(
                f"entry premium at or above the reference price at {', '.join(over)}",
                file="markets.csv",
                field="entry_premium_usd_per_kg",
                fix="a proportional premium must be less than price_usd_per_kg",
            )
    trade_keep = 1.0 - proportional * trade_premium / trade_ref_price
    trade_premium = (1.0 - proportional) * trade_premium
    handler = violence.handler_matrix(
        groups,
        {g: s.ground for g, s in scenario.groups.items()},
        allies_both_ways(scenario.groups),
        [(n.id, n.country, n.kind in OPEN_KINDS) for n in net.nodes],
    )
    pooled = routes.pooled
    block_node = [net.nodes[o].id for o in routes.block_origin]
    # Each node's price index is the mean over the trading nodes of its country.
    node_country_code = [n.country for n in net.nodes]
    trade_to_node = np.zeros((len(trade_nodes), len(net.nodes)))
    for ni, code in enumerate(node_country_code):
        mine = [i for i, t in enumerate(trade_nodes) if net.node(t).country == code]
        for i in mine:
            trade_to_node[i, ni] = 1.0 / len(mine)
    slots = _slots(routes, n_g, n_e, len(net.nodes))
    producers = sorted({net.node(a).country for a in areas})
    origin_row = np.full(len(countries), -1, dtype=np.int64)
    origin_row[[cidx[p] for p in producers]] = np.arange(len(producers))
    block_trade = np.array([tidx[node] for node in block_node], dtype=np.int64)
    route_sell = [tidx[routes.markets[m]] for m in routes.market]
    route_premium, entry_keep = trade_premium[route_sell], trade_keep[route_sell]
    return Compiled(
        routes=routes,
        countries=countries,
        modes=modes,
        areas=areas,
        producers=sorted({net.node(a).country for a in areas}),
        producer_idx=np.array(
            [cidx[p] for p in sorted({net.node(a).country for a in areas})], dtype=np.int64
        ),
        markets=retail,
        wholesale=wholesale,
        trade_nodes=trade_nodes,
        groups=groups,
        agencies=list(scenario.agencies),
        route_bounds=np.append(routes.route_start, len(routes.rh_edge)).astype(np.int64),
        rh_belief=(routes.group[routes.rh_route] * n_e + routes.rh_edge).astype(np.int64),
        rh_new_country=rh_new.astype(np.int64),
        origin_country=origin_country.astype(np.int64),
        inc_route_edge=incidence(routes.rh_route, routes.rh_edge, n_p, n_e),
        inc_route_corridor=incidence(
            np.flatnonzero(routes.corridor >= 0),
            routes.corridor[routes.corridor >= 0],
            n_p,
            len(routes.corridor_labels),
        ),
        inc_route_group=incidence(np.arange(n_p), routes.group, n_p, n_g),
        inc_route_market_via=_market_via(net, routes, retail, countries, incidence),
        inc_route_retail=_route_retail(routes, retail, incidence),
        inc_route_lag_market=incidence(
            np.arange(n_p), routes.lag_weeks * n_s + routes.market, n_p, (max_lag + 1) * n_s
        ),
        inc_route_sell=incidence(
            np.arange(n_p),
            np.array([tidx[routes.markets[m]] for m in routes.market], dtype=np.int64),
            n_p,
            len(tidx),
        ),
        area_of_block=np.array(
            [0 if pool else area_idx[node] for pool, node in zip(pooled, block_node, strict=True)],
            dtype=np.int64,
        ),
        block_trade=block_trade,
        pool_of_wholesale=np.array([block_node.index(w) for w in wholesale], dtype=np.int64),
        route_sell_trade=np.array([tidx[routes.markets[m]] for m in routes.market], dtype=np.int64),
        route_sell_trade_of_market=np.array([tidx[m] for m in routes.markets], dtype=np.int64),
        trade_ref_price=trade_ref_price,
        route_premium=route_premium,
        trade_to_node_price=trade_to_node,
        production_block=(~pooled).astype(float),
        keep=np.exp(keep_log) * entry_keep,
        max_lag=max_lag,
        load=load,
        loss=loss,
        crew=crew,
        capacity=net.edge_array("capacity_kg_per_week"),
        ref_price=np.array([rows[m].price_usd_per_kg for m in retail]),
        rival=violence.rivalry_matrix(
            groups,
            {g: s.allies for g, s in scenario.groups.items()},
            {
                g: {
                    a: parse_when(w, file=scenario.file, field="alliance_ends")
                    for a, w in s.alliance_ends.items()
                }
                for g, s in scenario.groups.items()
            },
            week_times(scenario.start, scenario.end)[0],
        ),
        handler=violence.handler_operator(handler),
        handler_dense=handler,
        factions=violence.faction_count(
            [scenario.factions[g] for g in groups], week_times(scenario.start, scenario.end)[0]
        ),
        node_country=np.array([cidx[n.country] for n in net.nodes], dtype=np.int64),
        country_population=np.array(
            [countries_rows[c].population if c in countries_rows else 0.0 for c in countries]
        ),
        country_base_rate=np.array(
            [
                countries_rows[c].base_homicide_rate if c in countries_rows else 0.0
                for c in countries
            ]
        ),
        **slots,
        origin_row=origin_row,
        route_buy_trade=block_trade[routes.block],
        block_weight=routes.block_share * (~pooled).astype(float),
    )


def _slots(routes: RouteSet, n_g: int, n_e: int, n_n: int) -> dict[str, np.ndarray]:
    """The compact indices of `Compiled`: the (group, edge) beliefs and (node, group)
    flows that routes can touch, so the phases skip what no route uses."""
    belief = routes.group[routes.rh_route].astype(np.int64) * n_e + routes.rh_edge
    slot_belief = np.unique(belief)
    # (node, group) keys, node-major: each node's groups in ascending order
    hop_key = routes.rh_to.astype(np.int64) * n_g + routes.group[routes.rh_route]
    origin_key = routes.origin.astype(np.int64) * n_g + routes.group
    keys = np.unique(np.concatenate([hop_key, origin_key]))
    return dict(
        slot_belief=slot_belief,
        slot_edge=slot_belief % n_e,
        rh_slot=np.searchsorted(slot_belief, belief).astype(np.int64),
        node_slot_start=np.searchsorted(keys, np.arange(n_n + 1) * n_g).astype(np.int64),
        slot_group=(keys % n_g).astype(np.int64),
        rh_node_slot=np.searchsorted(keys, hop_key).astype(np.int64),
        route_node_slot=np.searchsorted(keys, origin_key).astype(np.int64),
    )


def _market_via(net, routes: RouteSet, retail: list[str], countries: list[str], incidence):
    """(P, M*C) incidence of routes selling at a consumer market with the countries their
    nodes lie in (international waters and the market's own node left out)."""
    cidx = {c: i for i, c in enumerate(countries)}
    rows, cols = [], []
    for p, path in enumerate(routes.paths):
        market = routes.markets[routes.market[p]]
        if market not in retail:
            continue
        m = retail.index(market)
        crossed = set()
        for eid in path:
            edge = net.edges[net.edge_index[eid]]
            for node_id in (edge.from_, edge.to):
                node = net.node(node_id)
                if node.country != INTERNATIONAL and node.kind != "market":
                    crossed.add(node.country)
        for c in sorted(crossed):
            rows.append(p)
            cols.append(m * len(countries) + cidx[c])
    return incidence(rows, cols, routes.n_routes, len(retail) * len(countries))


def _route_retail(routes: RouteSet, retail: list[str], incidence):
    """(P, M) incidence of routes selling at each consumer market."""
    rows = [p for p in range(routes.n_routes) if routes.markets[routes.market[p]] in retail]
    cols = [retail.index(routes.markets[routes.market[p]]) for p in rows]
    return incidence(rows, cols, routes.n_routes, len(retail))


def week_times(start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Model time (fractional years) and calendar year of every weekly step."""
    years = np.repeat(np.arange(start, end + 1), WEEKS_PER_YEAR)
    week = np.tile(np.arange(WEEKS_PER_YEAR), end - start + 1)
    return years + week / WEEKS_PER_YEAR, years


# The recorded arrays in the order `kernels.record_week` takes them.
RECORDED = (
    "produced_kg",
    "delivered_kg",
    "consumed_kg",
    "delivered_via_kg",
    "seized_origin_kg",
    "seized_kg",
    "destroyed_kg",
    "strikes",
    "deaths_crew",
    "deaths_misidentified",
    "lost_kg",
    "stock_kg",
    "flow_kg",
    "interdicted_kg",
    "corridor_kg",
    "transit_kg",
    "transit_by_origin_kg",
    "price_usd_per_kg",
    "trade_price_usd_per_kg",
    "trade_stock_kg",
    "shipped_share",
    "homicides",
    "homicides_country",
    "group_profit_usd",
    "cost_usd",
    # what reached each market's route ends this week: the denominator of the
    # via-country shares, counted in the same (dispatch) week as delivered_via_kg
    "arriving_kg",
)


class Recorder:
    """Preallocated outputs at weekly or yearly resolution (flows summed, levels last).

    The record phase writes a week into every array at once (`kernels.record_week`,
    through the views in `flat`: (R, slots, width), one per name of `RECORDED`)."""

    def __init__(self, slots: np.ndarray, n_slots: int, shapes: dict[str, tuple], dtypes: dict):
        self.slots = slots
        self.n_slots = n_slots
        self.data = {
            name: np.zeros((shape[0], n_slots, *shape[1:]), dtype=dtypes.get(name, np.float64))
            for name, shape in shapes.items()
        }
        self.flat = tuple(
            a.reshape(a.shape[0], n_slots, -1) if a.ndim > 3 else a
            for a in (self.data[name] for name in RECORDED)
        )


@dataclass(slots=True)
class Week:
    """What one week's phases hand to each other: filled phase by phase, then dropped.

    Arrays are per replicate (first axis R); kg unless named otherwise. The state that
    lasts between weeks (stocks, beliefs, prices, the delivery pipeline) lives on the
    Simulation instead.
    """

    t: int  # index of the week in the recorded period (0 during the warm-up)
    rec: Recorder | None  # None in the warm-up year: state changes, nothing is recorded
    produced: np.ndarray | None = None  # (R, A) output of each production area
    origin_c: np.ndarray | None = None  # (R, C) seized at origin, by country
    held_lost: np.ndarray | None = None  # (R,) lost from stocks while held
    shares: np.ndarray | None = None  # (R, P) each route's share of its block's dispatch
    value: np.ndarray | None = None  # (R, P) each route's value, USD/kg delivered
    ship: np.ndarray | None = None  # (R, B) share of each stock sent off this week
    block_value: np.ndarray | None = None  # (R, B) share-weighted route value, USD/kg
    offered: np.ndarray | None = None  # (R, B) kg each stock offers its routes
    stock_before: np.ndarray | None = None  # (R, B) stocks before this week's dispatch
    ledger: np.ndarray | None = None  # (R, Tn) expected stock per market (check mode)
    sent: np.ndarray | None = None  # (R, P) sent on each route
    block_out: np.ndarray | None = None  # (R, B) sent off from each stock
    det: interdiction.Detection | None = None  # this week's detection on every edge
    struck: np.ndarray | None = None  # (R, E) shipments struck
    any_struck: bool = False  # any shipment struck this week
    frac: np.ndarray | None = None  # (R, E) share of shipments detected
    frac_struck: np.ndarray | None = None  # (R, E) share of shipments struck
    flow: np.ndarray | None = None  # (R, E) entering each edge
    interdicted: np.ndarray | None = None  # (R, E) detected (seized + destroyed)
    seized_e: np.ndarray | None = None  # (R, E)
    destroyed_e: np.ndarray | None = None  # (R, E) destroyed in strikes
    lost_e: np.ndarray | None = None  # (R, E) lost in transit (weather, spoilage)
    arrived: np.ndarray | None = None  # (R, P) reaching the end of each route
    own_kg: np.ndarray | None = None  # (R, U) each group's kg on each edge (belief slots)
    node_group: np.ndarray | None = None  # (R, K) each group's kg through each node (slots)
    transit: np.ndarray | None = None  # (R, C) kg crossing each country
    by_origin: np.ndarray | None = None  # (R, O*C) kg crossing, by producing country
    delivered: np.ndarray | None = None  # (R, S) arriving at each market routes sell at
    consumed: np.ndarray | None = None  # (R, M) consumed at each consumer market
    hom_where: np.ndarray | None = None  # (n,) nodes with expected homicides, r * N + n
    homicides: np.ndarray | None = None  # (n,) homicides drawn at those nodes
    homicides_country: np.ndarray | None = None  # (R, C) including the base rate


class Simulation:
    """One scenario, `replicates` stochastic replicates, run together as arrays.

    `draws` optionally gives parameters of `VARYING` a value per replicate ((R,) arrays):
    an ensemble of parameter draws then runs as one batch along the replicate axis.
    `check=True` verifies probability bounds and credit shares every week (for tests).
    `profile=True` sums the seconds spent in each phase into `timings`.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        replicates: int = 1,
        seed: int | None = None,
        resolution: str = "week",
        compiled: Compiled | None = None,
        draws: dict[str, np.ndarray] | None = None,
        check: bool = False,
        profile: bool = False,
    ) -> None:
        if replicates < 1:
            raise ValueError("replicates must be at least 1")
        if resolution not in ("week", "year"):
            raise ValueError("resolution must be 'week' or 'year'")
        self.scenario = scenario
        self.R = replicates
        self.seed = scenario.seed if seed is None else seed
        self.resolution = resolution
        self.check = check
        self.draws = _check_draws(draws or {}, replicates)
        self.c = compiled or compile_scenario(scenario)
        self.times, self.years = week_times(scenario.start, scenario.end)
        # Warm-up at start-year conditions, not recorded: a first year at reference
        # prices fills stocks, the pipeline and beliefs along the whole chain of
        # hand-offs; in a second year prices settle.
        self.warmup = WARMUP_YEARS * WEEKS_PER_YEAR
        p = scenario.params
        self.im = interdiction.compile_interdiction(scenario, self.times, self.c.countries)
        self.base_production = self._base_production()
        self.demand = markets.weekly_demand_kg(scenario.network, p, self.c.markets, self.times)
        self._apply_interventions()
        # (T, B) origin effort per stock block and (B, C) block -> country, or None
        self.origin_effort, self.block_to_country = self._origin_effort()
        self.allocation = Allocation(self.im, [a.policy for a in scenario.agencies.values()])
        self.k = np.stack(
            [np.broadcast_to(self.pv(name), (self.R, 1))[:, 0] for name in interdiction.K_PARAMS],
            axis=1,
        )  # (R, 4)
        self.dynamic = self.allocation.dynamic or any(
            n in self.draws
            for n in (*interdiction.K_PARAMS, "interdiction.intel_gain", "strikes.pursuit_share")
        )
        if self.dynamic:
            self.plan = None
        else:  # nothing differs by replicate: the whole run's detection in one batch
            self.plan = self.im.detect(
                self.im.static_effort(slice(None)),
                self.k[:1],
                p["interdiction.intel_gain"],
                self.im.intel,
                self.im.strike,
                self.hazard_mult,
                self.h_extra,
                p["strikes.pursuit_share"],
            )
        self._share: np.ndarray | None = None
        # (T, A) strikes each agency's assets can carry out per week (inf: no limit)
        self.strike_capacity = (
            np.stack(
                [
                    np.full(len(self.times), np.inf) if cap is None else cap.at(self.times)
                    for cap in (scenario.strike_capacity.get(a) for a in self.im.agencies)
                ],
                axis=1,
            )
            if self.im.agencies
            else np.zeros((len(self.times), 0))
        )
        self.node_to_country = np.zeros((len(self.c.node_country), len(self.c.countries)))
        self.node_to_country[np.arange(len(self.c.node_country)), self.c.node_country] = 1.0
        self.payers = [*self.im.agencies, "inspection", "treatment"]
        self.cost = self._costs()  # (T, payers) USD per week
        crew = np.stack(
            [np.broadcast_to(self.pv(f"modes.{m}.crew"), (self.R, 1))[:, 0] for m in self.c.modes],
            axis=1,
        )  # (R, E)
        self.crew = crew if any(n.endswith(".crew") for n in self.draws) else crew[:1]
        self.evolution: RouteEvolution | None = None  # set per run by _init_state
        self._pool: tuple = ()  # (True,): the kernels' parallel drivers (set during `run`)
        self.pool_weeks = 0  # weeks of the last run on the thread pool
        self._constants()
        # The plan of a week: one method per phase, in the order of PHASES.
        self.phases = [getattr(self, name) for name in PHASES]
        # Seconds spent in each phase over the run (warm-up included), when profiling.
        self.timings: dict[str, float] | None = dict.fromkeys(PHASES, 0.0) if profile else None

    def per_replicate(self, name: str) -> np.ndarray:
        """(R,) a parameter's value in every replicate (for the compiled kernels)."""
        if name not in self._per_replicate:
            self._per_replicate[name] = np.ascontiguousarray(
                np.broadcast_to(self.pv(name), (self.R, 1))[:, 0], dtype=float
            )
        return self._per_replicate[name]

    def pv(self, name: str):
        """A parameter's value: a float, or (R, 1) when it is drawn per replicate."""
        if name in self.draws:
            return self.draws[name][:, None]
        return self.scenario.params[name]

    def _constants(self) -> None:
        """What the phases use every week and a run never changes, computed once."""
        c, im = self.c, self.im
        self._per_replicate: dict[str, np.ndarray] = {}
        handling = self.pv("interdiction.handling_time")
        self._swamp = bool(np.any(handling > 0))
        self._area_ref_price = c.trade_ref_price[None, : len(c.areas)]
        # violence: nodes whose country has a market (a price index), and the factions
        self._covered_nodes = c.trade_to_node_price.sum(axis=0) > 0
        self._factions = c.factions.astype(float)
        base = c.country_base_rate * c.country_population / 1e5 / WEEKS_PER_YEAR
        self._base_homicides = np.ascontiguousarray(np.broadcast_to(base, (self.R, len(base))))
        self._no_origin = np.zeros((0, len(c.countries)))
        # detection week by week (parameters per replicate): kernels.detect_week
        cover = im.covered * (im.search_days / im.exposure)[None, :]  # (A, E)
        agency, edge = np.nonzero(cover.T)[::-1]  # edge-major, agencies ascending
        self._cover_start = np.searchsorted(edge, np.arange(im.n_edges + 1)).astype(np.int64)
        self._cover_agency = agency.astype(np.int64)
        self._cover_value = np.ascontiguousarray(cover[agency, edge])
        self._covered_f = im.covered.astype(float)
        self._maritime_f = im.maritime.astype(float)
        self._no_mult = np.zeros((0, *im.covered.shape))
        # the route incidences the record phase sums, route by route
        self._record_incidences = tuple(
            a
            for inc in (
                c.inc_route_market_via,
                c.inc_route_corridor,
                c.inc_route_group,
                c.inc_route_retail,
            )
            for a in inc.by_route()
        )
        self._sell_by_route = c.inc_route_sell.by_route()
        self._lag_by_route = c.inc_route_lag_market.by_route()
        # the exponent of consumers' price response (`markets.consumption`)
        self._consume_exponent = -np.asarray(self.pv("markets.demand_elasticity")) * np.asarray(
            self.pv("markets.price_transmission")
        )
        # seizures at origin (`interdiction.origin_seizure_share`): with one k_origin for
        # every replicate, each week's share is known before the run (element by element
        # the same numbers)
        self._origin_share = None
        if self.origin_effort is not None and "interdiction.k_origin" not in self.draws:
            self._origin_share = interdiction.origin_seizure_share(
                self.origin_effort, self.pv("interdiction.k_origin")
            )
        # production noise (`production.noise_factor`): the lognormal's constants
        cv = self.pv("production.noise_cv")
        self._noise_scale = self._noise_shift = None
        if not np.all(np.asarray(cv) <= 0):
            sigma2 = np.log1p(cv * cv)
            self._noise_scale, self._noise_shift = np.sqrt(sigma2), 0.5 * sigma2

    def _base_production(self) -> np.ndarray:
        """(T, R|1, A) kg per week per area before price response and noise."""
        sc = self.scenario
        name = "production.growth_after_data"
        if name not in self.draws:
            return production.weekly_base_kg(sc.network, sc.params, self.years)[:, None, :]
        out = np.empty((len(self.years), self.R, len(self.c.areas)))
        for r, growth in enumerate(self.draws[name]):
            out[:, r, :] = production.weekly_base_kg(
                sc.network, sc.params, self.years, growth=float(growth)
            )
        return out

    def _apply_interventions(self) -> None:
        """Turn the scenario's timed interventions into the arrays the weeks use."""
        sc, im, times = self.scenario, self.im, self.times
        n_t, n_a, n_e = len(times), len(im.agencies), im.n_edges
        self.effort_mult: np.ndarray | None = None  # (T, A, E) paid presence
        self.hazard_mult: np.ndarray | None = None  # (T, A, E) presence x effectiveness
        self.h_extra: np.ndarray | None = None  # (T, E) inspection hazard
        self.inspection_cost = np.zeros(n_t)  # USD per week
        self.treatment_cost = np.zeros(n_t)  # USD per week
        find = sc.params["interdiction.inspection_find_prob"]
        for item in sc.interventions:
            kind = item.spec.what
            if kind == "budget":
                a = item.agency
                for cap in item.capabilities:
                    if cap == "intelligence":
                        im.intel[:, a] = item.apply(im.intel[:, a], times)
                    elif cap == "origin":
                        im.origin[:, a] = item.apply(im.origin[:, a], times)
                    else:
                        ci = interdiction.SEARCH.index(cap)
                        im.budget[:, a, ci] = item.apply(im.budget[:, a, ci], times)
            elif kind in ("effort", "effectiveness"):
                if self.hazard_mult is None:
                    self.hazard_mult = np.ones((n_t, n_a, n_e))
                    self.effort_mult = np.ones((n_t, n_a, n_e))
                m = item.apply(np.ones(n_t), times)[:, None]
                for a in [item.agency] if item.agency is not None else range(n_a):
                    self.hazard_mult[:, a, item.edges] *= m
                    if kind == "effort":
                        self.effort_mult[:, a, item.edges] *= m
            elif kind == "inspection_share":
                if self.h_extra is None:
                    self.h_extra = np.zeros((n_t, n_e))
                share = np.clip(item.apply(np.zeros(n_t), times), 0.0, 1.0)
                self.h_extra[:, item.edges] += -np.log1p(-np.minimum(share * find, 1 - 1e-12))[
                    :, None
                ]
                ports = {e.from_ for e, on in zip(sc.network.edges, item.edges, strict=True) if on}
                self.inspection_cost += (
                    share
                    * 100.0
                    * len(ports)
                    * sc.params["costs.inspection_usd_per_percent_port_year"]
                    / WEEKS_PER_YEAR
                )
            elif kind == "strike_share":
                a = item.agency
                im.strike[:, a] = np.clip(item.apply(im.strike[:, a], times), 0.0, 1.0)
            elif kind == "production":
                cols = [self.c.areas.index(n) for n in item.areas]
                m = item.apply(np.ones(n_t), times)
                self.base_production = self.base_production.copy()
                self.base_production[:, :, cols] *= m[:, None, None]
            elif kind == "demand":
                cols = [self.c.markets.index(n) for n in item.markets]
                self.demand[:, cols] *= item.apply(np.ones(n_t), times)[:, None]
            elif kind == "treatment":
                cols = [self.c.markets.index(n) for n in item.markets]
                spend = item.apply(np.zeros(n_t), times)  # USD per year
                cut = spend / sc.params["markets.treatment_usd_per_kg"] / WEEKS_PER_YEAR
                split = self.demand[:, cols] / np.maximum(
                    self.demand[:, cols].sum(axis=1, keepdims=True), 1e-12
                )
                self.demand[:, cols] = np.maximum(self.demand[:, cols] - cut[:, None] * split, 0.0)
                self.treatment_cost += spend / WEEKS_PER_YEAR

    def _origin_effort(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(T, B) origin effort on each stock block (seizures at origin) and the (B, C)
        one-hot of each block's country; (None, None) when no agency has origin effort."""
        im = self.im
        if not im.origin.any():
            return None, None
        net, c = self.scenario.network, self.c
        block_country = [net.nodes[o].country for o in c.routes.block_origin]
        agencies = [(a, self.scenario.agencies[a].jurisdictions) for a in im.agencies]
        share = interdiction.origin_effort_matrix(agencies, block_country)
        share *= c.production_block[None, :]  # pooled market stocks are not at origin
        to_country = np.zeros((len(block_country), len(c.countries)))
        cidx = {code: i for i, code in enumerate(c.countries)}
        to_country[np.arange(len(block_country)), [cidx[b] for b in block_country]] = 1.0
        return im.origin @ share, to_country

    def _costs(self) -> np.ndarray:
        """(T, payers) USD per week: agencies' budget indices at their unit costs (with the
        extra effort of `effort` interventions), container inspection and treatment."""
        im, p = self.im, self.scenario.params
        unit = np.array([p[f"costs.{c}_usd_per_unit_year"] for c in interdiction.SEARCH])
        budget = im.budget.copy()
        if self.effort_mult is not None:
            # extra paid presence: the static split of each capability, scaled on edges
            w = im.exposure_weight  # (A, E)
            for ci in range(len(interdiction.SEARCH)):
                on = (im.cap_index == ci)[None, None, :]
                scale = (self.effort_mult * w[None] * on).sum(axis=2)  # (T, A)
                has = (w * on[0]).sum(axis=1) > 0
                budget[:, has, ci] *= scale[:, has]
        # Costs are per budget-index unit: an agency's effort_scale is how much effort an
        # index unit buys (calibrated from seizures), not extra spending.
        scale = np.array([self.scenario.agencies[a].effort_scale for a in im.agencies])
        budget = budget / scale[None, :, None]
        intel = im.intel / scale[None, :]
        origin = im.origin / scale[None, :]
        agencies = (
            budget @ unit
            + intel * p["costs.intelligence_usd_per_unit_year"]
            + origin * p["costs.origin_usd_per_unit_year"]
        )
        return np.column_stack(
            [agencies / WEEKS_PER_YEAR, self.inspection_cost, self.treatment_cost]
        )

    def detection(self, t: int) -> interdiction.Detection:
        """Detection on every edge this week, (1, E) or (R, E) arrays."""
        if self.plan is not None:
            pl = self.plan
            return interdiction.Detection(
                pl.p_detect[t : t + 1],
                pl.strike_share[t : t + 1],
                pl.credit[t : t + 1],
                pl.misid_factor[t : t + 1],
                pl.effort[t : t + 1],
                pl.hazard[t : t + 1],
            )
        gain = self.pv("interdiction.intel_gain")
        effort = self.allocation.effort(
            t,
            self.rng["allocation"],
            self.pv("allocation.reactive_weight"),
            self.pv("allocation.intel_weight"),
            self.pv("allocation.intel_noise_cv"),
            gain,
        )
        det = self._detect(t, effort)
        if self.check:
            check_detection(det)
        return det

    def _detect(self, t: int, effort: np.ndarray) -> interdiction.Detection:
        """`InterdictionModel.detect` for week t with parameters per replicate, compiled
        (`kernels.detect_week`; `_detect_reference` is the numpy, a test checks they
        give the same numbers)."""
        im, n_r, n_e = self.im, self.R, self.im.n_edges
        n_s = len(im.agencies) + 1
        h0 = im.h0 if self.h_extra is None else (im.h0[None, :] + self.h_extra[t][None])[0]
        total, hazard = np.empty((n_r, n_e)), np.empty((n_r, n_e))
        credit = np.empty((n_r, n_s, n_e))
        strike_share, misid_factor = np.empty((n_r, n_e)), np.empty((n_r, n_e))
        kernels.detect_week(
            self.k,
            im.cap_index,
            self.per_replicate("interdiction.intel_gain"),
            im.intel[t],
            im.strike[t],
            effort,
            self._no_mult if self.hazard_mult is None else self.hazard_mult[t][None],
            h0,
            self.per_replicate("strikes.pursuit_share"),
            self._cover_start,
            self._cover_agency,
            self._cover_value,
            self._maritime_f,
            total,
            credit,
            strike_share,
            misid_factor,
            hazard,
        )
        return interdiction.Detection(
            p_detect=-np.expm1(-total),
            strike_share=strike_share,
            credit=credit,
            misid_factor=misid_factor,
            effort=np.einsum("xae,ae->xe", effort, self._covered_f),
            hazard=hazard,
        )

    def _detect_reference(self, t: int, effort: np.ndarray) -> interdiction.Detection:
        """The week's detection by `InterdictionModel.detect` (numpy)."""
        im = self.im
        return im.detect(
            effort,
            self.k,
            self.pv("interdiction.intel_gain"),
            im.intel[t][None],
            im.strike[t][None],
            None if self.hazard_mult is None else self.hazard_mult[t][None],
            None if self.h_extra is None else self.h_extra[t][None],
            self.pv("strikes.pursuit_share"),
        )

    # -- state --------------------------------------------------------------------------
    def _init_state(self) -> None:
        c, R = self.c, self.R
        seeds = stream_seeds(self.seed)
        self.rng = {name: np.random.default_rng(s) for name, s in seeds.items()}
        n_e = len(c.load)
        n_ge = len(c.groups) * n_e
        self.stock = np.zeros((R, len(c.routes.block_start)))  # kg held by each block
        self.last_sent: np.ndarray | None = None  # (R, P) kg sent last week (diagnostics)
        self.pipeline = np.zeros((R, c.max_lag + 1, len(c.routes.markets)))
        # Consumer markets start with the stock they hold at their reference price.
        cover = np.broadcast_to(self.pv("markets.inventory_weeks"), (R, 1))
        self.retail_stock = cover * self.demand[:1]
        self.price = np.repeat(c.trade_ref_price[None, :], R, axis=0)  # (R, Tn)
        self.throughput = np.zeros((R, len(c.trade_nodes)))
        # smoothed flow-weighted log landed cost at each trading node, and its weight
        self.landed_log = np.zeros((R, len(c.trade_nodes)))
        self.landed_weight = np.zeros((R, len(c.trade_nodes)))
        self.throughput[:, -len(c.markets) :] = self.demand[:1]
        self.area_price = np.repeat(c.trade_ref_price[None, : len(c.areas)], R, axis=0)
        self.allocation.init_state(R)
        # Prior belief: the true per-shipment detection chance at the start, with a
        # weight of `prior_strength` shipments.
        det0 = self.detection(0)
        p_start = np.tile(det0.p_detect, (1, len(c.groups)))  # (R|1, G*E)
        strength = self.pv("traffickers.prior_strength")
        self.prior_mean = p_start
        # Beliefs about the (group, edge) pairs routes use (slots) change week by week,
        # the others keep their prior: the phases work on the slots, kept compact.
        slots = c.slot_belief
        self._alpha_all = np.broadcast_to(strength * p_start, (R, n_ge)).copy()
        self._beta_all = np.broadcast_to(strength * (1.0 - p_start), (R, n_ge)).copy()
        self._alpha = np.ascontiguousarray(self._alpha_all[:, slots])
        self._beta = np.ascontiguousarray(self._beta_all[:, slots])
        self._prior = np.ascontiguousarray(np.atleast_2d(self.prior_mean)[:, slots])
        # each slot's last belief and its hazard, so perceive skips unchanged ones
        self._belief_last = np.full((R, len(slots)), np.nan)
        self._hazard_last = np.zeros((R, len(slots)))
        half_life = np.broadcast_to(self.pv("traffickers.memory_half_life_weeks"), (R, 1))
        self.decay = 0.5 ** (1.0 / half_life[:, 0])  # (R,)
        self._rate = 1.0 - self.decay  # weight of this week in the groups' running views
        self.sharpness = np.ascontiguousarray(
            np.broadcast_to(self.pv("traffickers.choice_sharpness"), (R, 1))[:, 0], dtype=float
        )
        self.no_deterrence = np.zeros(R)  # strikes weigh in route values, not beliefs
        # What groups see: agencies' usual hazard on each edge (its recent average, for
        # visible presence) and the public rate of strikes per shipment on each edge.
        self.usual_hazard = np.broadcast_to(det0.hazard, (R, n_e)).copy()
        self.strike_rate = np.zeros((R, n_e))
        self.clock = 0  # weeks simulated, warm-up included: drives the delivery pipeline
        self.clock_offset = 0  # week at which belief counts were last rescaled
        # Each replicate's live routes, when they evolve (routes.refresh_weeks > 0).
        self.evolution = RouteEvolution.start(self.scenario.params, c.routes, c.capacity, R)
        self._buffers()

    @property
    def alpha(self) -> np.ndarray:
        """(R, G*E) each group's interdicted-shipment counts on each edge (its belief is
        alpha / (alpha + beta); counts kept multiplied by decay**-week, see `learn`)."""
        out = self._alpha_all.copy()
        out[:, self.c.slot_belief] = self._alpha
        return out

    @property
    def beta(self) -> np.ndarray:
        """(R, G*E) each group's passed-shipment counts on each edge (see `alpha`)."""
        out = self._beta_all.copy()
        out[:, self.c.slot_belief] = self._beta
        return out

    def _buffers(self) -> None:
        """The week's working arrays, allocated once per run: the compiled phases write
        into them every week (what lasts between weeks is the state above)."""
        c, R = self.c, self.R
        n_e, n_b, n_t = len(c.load), len(c.routes.block_start), len(c.trade_nodes)
        n_c, n_n = len(c.countries), len(c.node_country)

        def zeros(*shape, dtype=float):
            return np.zeros(shape, dtype=dtype)

        self._lost_here, self._held_lost = zeros(R, n_t), zeros(R)
        self._produced, self._no_noise = zeros(R, len(c.areas)), np.ones((R, len(c.areas)))
        self._taken, self._consumed = zeros(R, n_b), zeros(R, len(c.markets))
        self._stock_before, self._offered, self._block_out = (zeros(R, n_b) for _ in range(3))
        self._shipments = zeros(R, n_e, dtype=np.int64)
        self._p_eff = zeros(R, n_e)
        self._ship_where = zeros(R * n_e, dtype=np.int64)
        self._ship_n = zeros(R * n_e, dtype=np.int64)
        self._ship_p, self._ship_share = zeros(R * n_e), zeros(R * n_e)
        self._hit_n, self._hit_p = zeros(R * n_e, dtype=np.int64), zeros(R * n_e)
        self._no_struck = zeros(0, dtype=np.int64)
        self._detected, self._struck = zeros(R, n_e, dtype=np.int64), zeros(R, n_e, dtype=np.int64)
        (
            self._frac,
            self._frac_struck,
            self._flow,
            self._interdicted,
            self._destroyed,
            self._seized,
            self._lost,
        ) = (zeros(R, n_e) for _ in range(7))
        self._arrived = zeros(R, c.routes.n_routes)
        self._own = zeros(R, len(c.slot_belief))
        self._node_group = zeros(R, len(c.slot_group))
        self._transit = zeros(R, n_c)
        self._by_origin = zeros(R, len(c.producers) * n_c)
        self._incoming = zeros(R, c.inc_route_lag_market.shape[1])
        self._delivered = zeros(R, len(c.routes.markets))
        self._held, self._supply = zeros(R, n_t), zeros(R, n_t)
        self._hom_where, self._lam = zeros(R * n_n, dtype=np.int64), zeros(R * n_n)
        self._hom_country = zeros(R, n_c)
        n_rp = R * c.routes.n_routes
        self._breakeven, self._landed_w = zeros(n_rp), zeros(n_rp)
        self._landed_where = zeros(n_rp, dtype=np.int64)
        self._landed_sums = zeros(R, n_t)
        self._ship_arg = zeros(R, n_b)
        self._has = zeros(R, n_t, dtype=bool)
        self._ratio, self._landed_now, self._price_step = (zeros(R, n_t) for _ in range(3))
        self._price_logs = zeros(4, R, n_t)
        # (R, 1) weight of the anchor at consumer markets, or None when it is 1 everywhere
        weight = self.per_replicate("markets.consumer_anchor")[:, None]
        self._consumer_anchor = None if (weight == 1.0).all() else weight
        # (R, 1) weight of the netback bid at trading stages, or None when it is 0
        weight = self.per_replicate("markets.netback_cap")[:, None]
        self._netback_w = None if (weight == 0.0).all() else weight
        n_stage = n_t - len(c.markets)
        self._stage_of_block = np.zeros((n_b, n_stage))
        self._stage_of_block[np.arange(n_b), c.block_trade] = 1.0
        self._bid = np.full((R, n_t), np.nan)
        self._netback_weight, self._netback_lnv = zeros(R, n_b), zeros(R, n_b)
        n_p = c.routes.n_routes
        self._perceive_out = (zeros(R, n_p), zeros(R, n_p), zeros(R, n_p), zeros(R, n_b))

    # -- the run -----------------------------------------------------------------------
    def run(self, progress: Callable[[int, int], None] | None = None) -> dict[str, np.ndarray]:
        """Run warm-up then the recorded weeks; returns the recorded arrays."""
        c, R = self.c, self.R
        n_t = len(self.times)
        if self.resolution == "week":
            slots, n_slots = np.arange(n_t), n_t
        else:
            slots = self.years - self.years[0]
            n_slots = int(slots[-1]) + 1
        n_e, n_n, n_c = len(c.load), len(c.node_country), len(c.countries)
        shapes = {
            "produced_kg": (R, len(c.areas)),
            "delivered_kg": (R, len(c.markets)),
            "consumed_kg": (R, len(c.markets)),
            "delivered_via_kg": (R, len(c.markets), n_c),
            "arriving_kg": (R, len(c.markets)),
            "seized_kg": (R, n_c),
            "seized_origin_kg": (R, n_c),
            "destroyed_kg": (R, n_c),
            "lost_kg": (R,),
            "stock_kg": (R,),
            "flow_kg": (R, n_e),
            "interdicted_kg": (R, n_e),
            "corridor_kg": (R, len(c.routes.corridor_labels)),
            "transit_kg": (R, n_c),
            "transit_by_origin_kg": (R, len(c.producers), n_c),
            "price_usd_per_kg": (R, len(c.markets)),
            "trade_price_usd_per_kg": (R, len(c.trade_nodes)),
            "trade_stock_kg": (R, len(c.trade_nodes)),
            "shipped_share": (R, len(c.trade_nodes)),
            "homicides": (R, n_n),
            "homicides_country": (R, n_c),
            "group_profit_usd": (R, len(c.groups)),
            "strikes": (R, n_c),
            "deaths_crew": (R, n_c),
            "deaths_misidentified": (R, n_c),
            "cost_usd": (R, len(self.payers)),
        }
        small = {"flow_kg", "interdicted_kg", "homicides"}
        rec = Recorder(slots, n_slots, shapes, {k: np.float32 for k in small})
        self._init_state()
        # BLAS on one thread; many replicates on numba's pool in the weeks where it is
        # faster (`threads`: the same numbers either way)
        with threads.blas_single_thread(), threads.drivers(R) as drivers:
            self.prices_fixed = True
            for week in range(self.warmup):
                self.prices_fixed = week < WEEKS_PER_YEAR
                self._timed_step(drivers, 0, None)
            self.prices_fixed = False
            self.initial_stock = self.total_stock()
            for t in range(n_t):
                self._timed_step(drivers, t, rec)
                if progress is not None and (t % 13 == 12 or t == n_t - 1):
                    progress(t + 1, n_t)
        self._pool = ()
        self.pool_weeks = drivers.pool_weeks  # (for tests and benchmarks)
        if self.resolution == "year":
            weeks = np.bincount(slots)
            for name in MEANS:
                rec.data[name] /= weeks[None, :, None]
        self.slots, self.n_slots = slots, n_slots
        return rec.data

    def _timed_step(self, drivers: threads.WeekDrivers, t: int, rec: Recorder | None) -> None:
        """One week, with the kernels' drivers `drivers` chooses, timed for it."""
        self._pool = (True,) if drivers.parallel() else ()
        t0 = time.perf_counter()
        self.step(t, rec)
        drivers.took(time.perf_counter() - t0)

    def total_stock(self) -> np.ndarray:
        """(R,) kg held anywhere: stocks at areas and markets, in transit, at consumers."""
        return (
            self.stock.sum(axis=1) + self.pipeline.sum(axis=(1, 2)) + self.retail_stock.sum(axis=1)
        )

    def held(self) -> np.ndarray:
        """(R, Tn) kg held at each trading node: the stocks at production areas and
        wholesale markets and the dealers' stocks at consumer markets."""
        c = self.c
        out = np.zeros((self.R, len(c.trade_nodes)))
        np.add.at(out, (slice(None), c.block_trade), self.stock)
        out[:, len(out[0]) - len(c.markets) :] = self.retail_stock
        return out

    def route_choice(
        self, det: interdiction.Detection | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(R, P) each route's perceived risk, value and share of its stock's dispatch,
        from the groups' current beliefs, what they see this week (`det`) and prices:
        the perceive phase (`kernels.perceive_slots`; `route_choice_reference` is the same in
        numpy). The value (USD/kg) is what a kilogram bought here can pay for itself: the
        price at the route's market times the chance of arriving, less transport cost,
        the strike penalty and the market's entry premium, discounted by the markup
        (`traffickers.py`)."""
        risk, value, shares, self.block_value = self._perceive(det)
        return risk, value, shares

    def _perceive(self, det, buffers: bool = False):
        risk, value, shares, block_value = self._perceive_all(det, buffers)
        if self.evolution is not None and not self.evolution.all_live:
            # only live routes get a share of the dispatch
            shares, block_value = self.evolution.live_shares(
                value, self._buy_price(), self.sharpness, traffickers.MIN_VALUE
            )
        return risk, value, shares, block_value

    def _buy_price(self) -> np.ndarray:
        """(R, P) price of the stock each route draws on, USD/kg."""
        return self.price[:, self.c.block_trade[self.c.routes.block]]

    def _perceive_all(self, det, buffers: bool = False):
        """`kernels.perceive_slots` with this week's view: into the run's buffers (the
        perceive phase: the week's arrays, overwritten next week) or new arrays."""
        c, routes = self.c, self.c.routes
        if buffers:
            out = self._perceive_out
        else:
            n_r, n_p = self.R, routes.n_routes
            out = (*(np.empty((n_r, n_p)) for _ in range(3)), np.empty(self.stock.shape))
        det_hazard = self.usual_hazard[:1] * 0.0 if det is None else det.hazard
        visibility = self.per_replicate("traffickers.presence_visibility")
        if det is None:
            visibility = np.zeros(self.R)
        return kernels.perceive_slots(
            self._alpha,
            self._beta,
            self._prior,
            np.ascontiguousarray(det_hazard),
            self.usual_hazard,
            visibility,
            self.strike_rate,
            c.rh_slot,
            c.slot_edge,
            routes.rh_edge,
            c.route_bounds,
            self.price,
            c.route_sell_trade,
            c.route_buy_trade,
            c.keep,
            self.per_replicate("traffickers.strike_deterrence"),
            routes.cost,
            c.route_premium,
            self.per_replicate("traffickers.markup"),
            routes.block_start,
            self.sharpness,
            traffickers.MIN_VALUE,
            traffickers.FLOOR,
            self._belief_last,
            self._hazard_last,
            *out,
            *self._pool,
        )

    def route_choice_reference(
        self, det: interdiction.Detection | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The numpy reference of `route_choice` (tests compare them).

        (R, P) each route's perceived risk, value and share of its stock's dispatch,
        from the groups' current beliefs, what they see this week (`det`) and prices:
        the perceive phase. The value (USD/kg) is what a kilogram bought here can pay
        for itself: the price at the route's market times the chance of arriving, less
        transport cost, the strike penalty and the market's entry premium, discounted
        by the markup (`traffickers.py`)."""
        c, routes = self.c, self.c.routes
        belief = traffickers.perceived_edge_risk(self.alpha, self.beta, self.prior_mean)
        hazard = -np.log1p(-np.minimum(belief, 1 - 1e-12))  # (R, G*E)
        if det is not None:
            seen = traffickers.presence_factor(
                det.hazard, self.usual_hazard, self.pv("traffickers.presence_visibility")
            )  # (R|1, E)
        else:
            seen = np.ones((1, len(c.load)))
        strike_hz = -np.log1p(-np.minimum(self.strike_rate, 1 - 1e-12))
        risk, struck = kernels.route_risks(
            hazard,
            np.ascontiguousarray(seen),
            strike_hz,
            c.rh_belief,
            routes.rh_edge,
            c.route_bounds,
        )
        sell = self.price[:, c.route_sell_trade]
        gross = (
            sell
            * ((1.0 - risk) * c.keep[None, :] - self.pv("traffickers.strike_deterrence") * struck)
            - routes.cost[None, :]
            - c.route_premium[None, :]
        )
        value = gross / (1.0 + np.asarray(self.pv("traffickers.markup")))
        buy = self.price[:, c.block_trade[routes.block]]
        shares = kernels.block_shares(
            value - buy, routes.block_start, self.sharpness, traffickers.MIN_VALUE
        )
        if self.evolution is not None and not self.evolution.all_live:
            shares, _ = self.evolution.live_shares(
                value, buy, self.sharpness, traffickers.MIN_VALUE
            )
        return risk, value, shares

    def send(self, shares: np.ndarray, offered: np.ndarray) -> np.ndarray:
        """(R, P) kg sent on each route this week: each stock's offer (R, B) split by
        `shares` and filled up to capacity (the dispatch phase; stock not changed)."""
        c = self.c
        sent, _ = kernels.dispatch(
            offered,
            shares,
            c.capacity,
            c.routes.block_start,
            c.route_bounds,
            c.routes.rh_edge,
            DISPATCH_PASSES,
        )
        return sent

    def step(self, t: int, rec: Recorder | None) -> None:
        """One week: the phases of `PHASES`, in order. `rec` is None in the warm-up year,
        whose weeks change the state but record nothing."""
        wk = Week(t=t, rec=rec)
        if self.timings is None:
            for phase in self.phases:
                phase(wk)
        else:
            for name, phase in zip(PHASES, self.phases, strict=True):
                t0 = time.perf_counter()
                phase(wk)
                self.timings[name] += time.perf_counter() - t0
        if self.evolution is not None:
            self._evolve(wk)

    def _evolve(self, wk: Week) -> None:
        """Routes that evolve: add the week to the record of each replicate's routes and,
        every routes.refresh_weeks weeks, revise its live routes (`route_evolution`)."""
        ev = self.evolution
        ev.observe(wk.sent, wk.offered, wk.flow, wk.arrived)
        if ev.due(self.clock):
            risk, value, _, _ = self._perceive_all(wk.det)
            buy = self._buy_price()
            ev.revise(self.clock, risk, value, buy, self.sharpness, traffickers.MIN_VALUE)

    # -- the phases, in the order of PHASES --------------------------------------------
    def produce(self, wk: Week) -> None:
        """Each area's output (base x price response x noise) joins the exporters' stocks
        there; every stock then loses `holding_loss` of itself, and origin effort seizes
        part of the stocks at production areas (labs, stockpiles). Reads area_price;
        writes stock, retail_stock, wk.produced (R, A), wk.held_lost (R,) and
        wk.origin_c (R, C)."""
        c, pv = self.c, self.pv
        if self.check:  # per-market mass balance: every kg in and out of each market
            wk.ledger = self.held()
        if self._noise_scale is None:  # no noise: nothing drawn
            noise = self._no_noise
        else:  # `production.noise_factor`, its constants taken once per run
            noise = self.rng["production"].standard_normal((self.R, len(c.areas)))
            noise *= self._noise_scale
            noise -= self._noise_shift
            np.exp(noise, out=noise)
        # The input series is production at the reference price; growers and labs make
        # more when exporters pay more, less when they pay less.
        relative = self.area_price / self._area_ref_price
        response = relative ** pv("production.supply_elasticity")
        # the output (base x response x noise); stocks lose holding_loss of themselves
        # (lost_here, by trading node), then the week's output joins the production blocks
        wk.produced, wk.held_lost = self._produced, self._held_lost
        kernels.produce_stocks(
            self.stock,
            self.retail_stock,
            self.per_replicate("traffickers.holding_loss"),
            c.block_trade,
            self.base_production[wk.t],
            response,
            noise,
            wk.produced,
            c.area_of_block,
            c.block_weight,
            self._lost_here,
            wk.held_lost,
        )
        if self.check:
            wk.ledger[:, : len(c.areas)] += wk.produced
            wk.ledger -= self._lost_here
        if self.origin_effort is not None:  # labs and stockpiles seized before dispatch
            share = self._origin_share
            if share is None:  # k_origin drawn per replicate: this week's share
                share = interdiction.origin_seizure_share(
                    self.origin_effort[wk.t][None, :], pv("interdiction.k_origin")
                )
            else:
                share = share[wk.t][None, :]
            taken = self._taken
            kernels.seize_at_origin(self.stock, share, taken)
            wk.origin_c = taken @ self.block_to_country
            if self.check:
                np.subtract.at(wk.ledger, (slice(None), c.block_trade), taken)

    def perceive(self, wk: Week) -> None:
        """Groups value their routes from prices, learned risk, visible presence and
        public strikes (`route_choice`); each stock decides what share to ship
        (`traffickers.ship_fraction`). Reads alpha, beta, price, usual_hazard,
        strike_rate; writes wk.det, wk.value, wk.shares (R, P) and wk.ship (R, B)."""
        c = self.c
        wk.det = self.detection(wk.t)
        _, wk.value, wk.shares, block_value = self._perceive(wk.det, buffers=True)
        wk.block_value = block_value
        # `traffickers.ship_fraction`, in compiled passes around numpy's log and exp
        arg, wk.ship = self._ship_arg, np.empty_like(block_value)
        kernels.ship_log_args(block_value, self.price, c.block_trade, arg)
        np.log(arg, out=arg)
        kernels.ship_exp_args(arg, self.per_replicate("traffickers.margin_width"), arg)
        np.exp(arg, out=arg)
        kernels.ship_share(
            arg, block_value, self.per_replicate("traffickers.dispatch_rate"), wk.ship
        )

    def dispatch(self, wk: Week) -> None:
        """Each stock sends off its share down its routes, up to edge capacity (`send`).
        Reads stock, wk.ship, wk.shares; writes wk.sent (R, P), wk.block_out (R, B),
        last_sent and stock."""
        # Capacity is filled in passes: what a full route cannot take is offered to the
        # block's routes that still have room, in proportion to their shares; whatever
        # is left after the last pass stays in stock for next week.
        c = self.c
        wk.stock_before, wk.offered, wk.block_out = (
            self._stock_before,
            self._offered,
            self._block_out,
        )
        wk.sent = kernels.dispatch_week(
            wk.ship,
            self.stock,
            wk.shares,
            c.capacity,
            c.routes.block_start,
            c.route_bounds,
            c.routes.rh_edge,
            DISPATCH_PASSES,
            wk.stock_before,
            wk.offered,
            wk.block_out,
            *self._pool,
        )
        self.last_sent = wk.sent  # (R, P) kept for diagnostics (route_report)
        if self.check:
            np.subtract.at(wk.ledger, (slice(None), c.block_trade), wk.block_out)

    def transit(self, wk: Week) -> None:
        """Shipments meet detection (swamped when agencies are overloaded), strikes
        (within the campaign's capacity) and losses, edge by edge along each route.
        Reads wk.sent and wk.det; writes wk.frac/frac_struck (R, E), wk.struck (R, E),
        wk.flow, wk.interdicted, wk.seized_e, wk.destroyed_e, wk.lost_e (kg per edge),
        wk.arrived (R, P), wk.own_kg (R, U), wk.node_group (R, K), wk.transit,
        wk.by_origin (R, O*C), and what groups see next week: usual_hazard and
        strike_rate. (U, K: the belief and node slots of `Compiled`.)"""
        c, R = self.c, self.R
        routes, n_e = c.routes, len(c.load)
        det = wk.det
        # Shipments are whole boats and trucks, rounded at random
        # (`interdiction.shipment_counts`); then each is detected with the week's
        # chance, swamped when agencies are overloaded (`interdiction.swamped`), and a
        # detected one struck with the campaign's share of the hazard.
        uniform = self.rng["interdiction"].random((R, n_e))
        n = kernels.shipments_week(
            wk.sent,
            c.route_bounds,
            routes.rh_edge,
            c.load,
            uniform,
            det.p_detect,
            det.strike_share,
            det.credit[:, 0, :],
            det.effort,
            self.per_replicate("interdiction.handling_time"),
            self._swamp,
            self.im.domain,
            self.im.n_domains,
            self._shipments,
            self._p_eff,
            self._ship_where,
            self._ship_n,
            self._ship_p,
            self._ship_share,
        )
        if self.check and self._swamp:
            p_detect = self._p_eff
            if not ((p_detect >= 0) & (p_detect <= det.p_detect + 1e-12)).all():
                raise AssertionError("swamped detection outside [0, unswamped p]")
        # Draws only where there is something to draw: a binomial of 0 trials or of
        # probability 0 returns 0 without drawing, so the streams are the same.
        detected = self.rng["interdiction"].binomial(self._ship_n[:n], self._ship_p[:n])
        share = self._ship_share[:n]
        # strikes are possible where something was detected and the share is above 0
        m = kernels.strike_candidates(detected, share, n, self._hit_n, self._hit_p)
        struck = self.rng["strikes"].binomial(self._hit_n[:m], self._hit_p[:m]) if m else None
        wk.any_struck = kernels.scatter_counts(
            self._ship_where,
            n,
            detected,
            share,
            self._no_struck if struck is None else struck,
            self._detected,
            self._struck,
        )
        detected, wk.struck = self._detected, self._struck
        if wk.any_struck:
            wk.struck, escaped = self._strike_capacity(wk.t, wk.struck)
            detected = detected - escaped  # spotted by the campaign, but no asset was free
        wk.frac, wk.frac_struck = self._frac, self._frac_struck
        wk.flow, wk.arrived = self._flow, self._arrived
        wk.own_kg, wk.node_group = self._own, self._node_group
        wk.transit, wk.by_origin = self._transit, self._by_origin
        wk.interdicted, wk.destroyed_e = self._interdicted, self._destroyed
        wk.seized_e, wk.lost_e = self._seized, self._lost
        # What groups see: presence against its recent average, and strikes announced
        # per shipment on each edge, both averaged over the groups' memory.
        kernels.transit_week(
            wk.sent,
            detected,
            wk.struck,
            self._shipments,
            c.loss,
            c.route_bounds,
            routes.rh_edge,
            c.rh_slot,
            c.rh_node_slot,
            c.rh_new_country,
            c.route_node_slot,
            c.origin_country,
            c.origin_row,
            det.hazard,
            self._rate,
            self.usual_hazard,
            self.strike_rate,
            wk.frac,
            wk.frac_struck,
            wk.flow,
            wk.arrived,
            wk.own_kg,
            wk.node_group,
            wk.transit,
            wk.by_origin,
            wk.interdicted,
            wk.destroyed_e,
            wk.seized_e,
            wk.lost_e,
            *self._pool,
        )
        if self.allocation.dynamic:
            self.allocation.observe(wk.interdicted, wk.flow, self.pv("allocation.memory_weeks"))

    def _strike_capacity(self, t: int, struck: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(struck, escaped) (R, E): strikes beyond the week's capacity of the striking
        agencies (pooled) are not carried out; those boats escape, drawn at random among
        the week's strike opportunities."""
        cap = self.strike_capacity[t][self.im.strike[t] > 0].sum() if struck.any() else np.inf
        total = struck.sum(axis=1)
        over = total > cap
        if not over.any():
            return struck, np.zeros_like(struck)
        kept = struck.copy()
        for r in np.flatnonzero(over):
            kept[r] = self.rng["strikes"].multivariate_hypergeometric(struck[r], int(cap))
        return kept, struck - kept

    def learn(self, wk: Week) -> None:
        """Each group updates its belief about every edge from its own shipments there
        (seized or struck counts as lost). Reads wk.own_kg, wk.frac; writes alpha, beta
        (and rescales them when needed)."""
        # Lazy discounting: counts are kept multiplied by decay**-clock (see kernels.learn);
        # observations of week w weigh decay**-(w + 1) against the prior.
        weight = self.decay ** -float(self.clock + 1 - self.clock_offset)  # (R,)
        args = (self.c.slot_edge, wk.frac, wk.frac_struck, self.c.load, self.no_deterrence)
        if not kernels.learn_slots(self._alpha, self._beta, wk.own_kg, *args, weight):
            # a weight above 1e200: rescale long before overflow; the ratio is unaffected
            for counts in (self._alpha, self._beta, self._alpha_all, self._beta_all):
                counts /= weight[:, None]
            self.clock_offset = self.clock
            kernels.learn_slots(self._alpha, self._beta, wk.own_kg, *args, np.ones(self.R))

    def deliver(self, wk: Week) -> None:
        """Survivors enter the delivery pipeline and arrive after their route's transit
        time: at a wholesale market they join its pooled stock, at a consumer market its
        dealers' stock. Reads wk.arrived; writes pipeline, clock, stock, retail_stock
        and wk.delivered (R, S)."""
        c = self.c
        slot = self.clock % (c.max_lag + 1)
        self.clock += 1
        wk.delivered = self._delivered
        kernels.deliver_week(
            wk.arrived,
            *self._lag_by_route,
            self.pipeline,
            slot,
            self._incoming,
            wk.delivered,
            self.stock,
            c.pool_of_wholesale,
            self.retail_stock,
        )
        if self.check:
            wk.ledger[:, c.route_sell_trade_of_market] += wk.delivered

    def markets(self, wk: Week) -> None:
        """Users consume at consumer markets; every market's price then moves with its
        stock against its smoothed throughput (`markets.adjust_prices`); production
        areas' smoothed prices follow. Reads stock, retail_stock, wk.block_out; writes
        retail_stock, throughput, price (R, Tn), area_price and wk.consumed (R, M)."""
        c, t = self.c, wk.t
        n_a, n_m = len(c.areas), len(c.markets)
        # `markets.consumption`: its power in numpy, the rest compiled (market_books)
        response = (self.price[:, -n_m:] / c.ref_price[None, :]) ** self._consume_exponent
        wk.consumed = self._consumed
        # Consumers take their kg; the stock held at every trading node and its supply:
        # traders know what is on its way, so cargo in transit to a market counts towards
        # its supply (without it, delivery lags make prices overshoot and oscillate);
        # each node's outflow (dispatched, consumed) moves its smoothed throughput.
        kernels.market_books(
            self.retail_stock,
            self.demand[t],
            response,
            wk.consumed,
            self.stock,
            c.block_trade,
            self.pipeline,
            c.route_sell_trade_of_market,
            wk.block_out,
            self.throughput,
            self.per_replicate("markets.price_smoothing_weeks"),
            self._held,
            self._supply,
        )
        if self.check:
            wk.ledger[:, -n_m:] -= wk.consumed
            scale = max(1.0, float(np.abs(wk.ledger).max()))
            gap = np.abs(wk.ledger - self.held()).max()
            if gap > 1e-9 * scale:
                raise AssertionError(f"a market's stock is out of balance by {gap:g} kg")
        self.held_now = self._held
        # What a kilogram delivered at each market cost its sellers this week, averaged
        # over the routes that delivered there by the kilograms they sent.
        # (`markets.landed_cost` in two compiled passes around numpy's logarithm)
        # (the routes that sent nothing add exact zeros: only the others' logarithms)
        where, breakeven, weight = self._landed_where, self._breakeven, self._landed_w
        n = kernels.landed_routes_compact(
            self.price,
            wk.value,
            wk.sent,
            c.route_buy_trade,
            c.route_sell_trade,
            c.routes.cost,
            c.route_premium,
            self.per_replicate("traffickers.markup"),
            markets.MIN_ARRIVING,
            where,
            breakeven,
            weight,
        )
        np.log(breakeven[:n], out=breakeven[:n])
        kernels.landed_fold(
            where,
            breakeven,
            weight,
            n,
            *self._sell_by_route,
            self.per_replicate("markets.price_smoothing_weeks"),
            self.landed_log,
            self.landed_weight,
            self._landed_sums,
        )
        if getattr(self, "prices_fixed", False):
            return
        # `markets.adjust_prices` with the landed cost of `markets.mean_landed`, then
        # production areas' smoothed prices: compiled passes around numpy's exp and
        # log (one call each for all their arguments: the same numbers, without the
        # twenty-odd numpy calls that cost more than the arithmetic at one replicate)
        rep = self.per_replicate
        landed, cover = self._landed_now, rep("markets.inventory_weeks")
        kernels.landed_ratio(
            self.landed_log, self.landed_weight, markets.TINY_KG, self._has, self._ratio, landed
        )
        np.exp(self._ratio, out=landed, where=self._has)
        w = self._consumer_anchor
        if w is not None:  # the anchor at consumer markets weighted (an experiment)
            cols = slice(landed.shape[1] - len(c.markets), None)
            known = self._has[:, cols] & (w > 0)
            mixed = np.exp(
                w * np.log(np.where(known, landed[:, cols], 1.0))
                + (1.0 - w) * np.log(self.price[:, cols])
            )
            landed[:, cols] = np.where(known, mixed, np.nan)
        logs = self._price_logs
        kernels.price_log_args(
            self.price, self._supply, self.throughput, cover, landed, markets.TINY_KG, logs
        )
        np.log(logs, out=logs)
        bid = self._netback_bid(wk, logs[3])
        step = self._price_step
        kernels.price_steps(
            logs,
            self._supply,
            self.throughput,
            cover,
            landed,
            rep("markets.price_adjustment"),
            rep("markets.cost_anchor"),
            rep("markets.shortage_signal"),
            bid,
            rep("markets.netback_cap"),
            markets.TINY_KG,
            markets.MAX_WEEKLY_CHANGE,
            step,
        )
        np.exp(step, out=step)
        new = np.empty_like(self.price)
        kernels.price_apply(
            self.price,
            step,
            c.trade_ref_price,
            rep("markets.price_floor"),
            rep("markets.price_cap"),
            new,
            self.area_price,
            rep("production.price_lag_weeks"),
            n_a,
        )
        self.price = new

    def _netback_bid(self, wk: Week, log_price: np.ndarray) -> np.ndarray:
        """(R, Tn) min(ln(P / V), 0) at trading stages (production areas and hand-offs),
        NaN at consumer markets: how far a shortage may bid a stage's price up
        (`markets.adjust_prices`, `markets.netback_cap`). V is the netback of the stocks
        held there: their share-weighted route values (USD/kg), averaged in logs over
        the stock each held before dispatch."""
        bid = self._bid
        if self._netback_w is None:
            return bid
        stage = self._stage_of_block
        weight, lnv = self._netback_weight, self._netback_lnv
        kernels.netback_args(
            wk.stock_before, markets.TINY_KG, wk.block_value, traffickers.MIN_VALUE, weight, lnv
        )
        np.log(lnv, out=lnv)
        netback = np.exp(((weight * lnv) @ stage) / (weight @ stage))
        self.netback = netback
        kernels.netback_bid(log_price, np.log(netback), bid)
        return bid

    def violence(self, wk: Week) -> None:
        """Flows, rivalry between the groups handling them and the value of what they
        fight over set expected homicides at each node; recorded weeks draw them, with
        each country's base rate. Reads wk.node_group and price; writes wk.homicides
        (the draws, as nodes wk.hom_where (flat r * N + n) and counts) and
        wk.homicides_country (R, C)."""
        if wk.rec is None:  # expected homicides feed only the recorded draws
            return
        c = self.c
        relative = self.price / c.trade_ref_price[None, :]
        n = kernels.homicides_expected(
            wk.node_group,
            c.node_slot_start,
            c.slot_group,
            c.handler_dense,
            c.rival[wk.t],
            self._factions[wk.t],
            self.per_replicate("violence.flow_coef"),
            self.per_replicate("violence.contest_coef"),
            self.per_replicate("violence.fragmentation_exponent"),
            relative @ c.trade_to_node_price,
            self._covered_nodes,
            self.per_replicate("violence.price_exponent"),
            self._hom_where,
            self._lam,
            *self._pool,
        )
        rng_v = self.rng["violence"]
        # a Poisson draw of 0 expected returns 0 without drawing: draw the others only
        wk.hom_where = self._hom_where[:n]
        wk.homicides = rng_v.poisson(self._lam[:n])
        base = rng_v.poisson(self._base_homicides)
        kernels.homicides_by_country(
            wk.hom_where, wk.homicides, n, c.node_country, base, self._hom_country
        )
        wk.homicides_country = self._hom_country

    def record(self, wk: Week) -> None:
        """Credit seizures, strikes and deaths to countries (drawing the vessels struck in
        error) and add the week to the recorder. Reads the week; writes only `wk.rec`."""
        rec, t, det = wk.rec, wk.t, wk.det
        if rec is None:
            return
        c, pv = self.c, self.pv
        if wk.any_struck:
            struck = wk.struck
            misid = pv("strikes.misidentified_share") * det.misid_factor  # (R|1, E)
            # Vessels struck that were not trafficking: for each trafficking strike,
            # misid / (1 - misid) others in expectation (a Poisson count), same crew.
            # (No strike, nothing to draw: a Poisson of 0 draws nothing.)
            lam = struck * (misid / (1.0 - misid))
            hit = struck > 0
            wrong = np.zeros_like(struck)
            wrong[hit] = self.rng["strikes"].poisson(lam[hit])
            per_edge = np.stack(
                [
                    wk.seized_e,
                    wk.destroyed_e,
                    struck.astype(float),
                    struck * self.crew,
                    wrong * self.crew,
                ]
            )
            credited = self.to_countries(per_edge, t, det)
        else:  # no strike this week (every week before a campaign): nothing destroyed
            credited = self.to_countries(wk.seized_e[None], t, det)
        routes = c.routes
        kernels.record_week(
            rec.slots[t],
            wk.produced,
            wk.delivered,
            wk.consumed,
            self._no_origin if wk.origin_c is None else wk.origin_c,
            credited,
            wk.lost_e,
            wk.held_lost,
            self.stock,
            self.pipeline.reshape(self.R, -1),
            self.retail_stock,
            wk.flow,
            wk.interdicted,
            wk.transit,
            wk.by_origin,
            self.price,
            self.held_now,
            wk.offered,
            wk.stock_before,
            c.block_trade,
            wk.hom_where,
            wk.homicides,
            len(wk.hom_where),
            wk.homicides_country,
            wk.arrived,
            wk.sent,
            *self._record_incidences,
            c.route_sell_trade,
            c.route_buy_trade,
            routes.cost,
            self.cost[t],
            *rec.flat,
        )

    def to_countries(self, per_edge: np.ndarray, t: int, det: interdiction.Detection):
        """(K, R, C) credited to countries from (K, R, E) quantities on edges this week."""
        if self.plan is not None:
            # this week's (E, C) split of the whole run's plan (`country_share`)
            if self._share is None:
                self._share = np.zeros((self.im.n_edges, len(self.c.countries)))
            kernels.country_share_week(
                self.plan.credit[t], self.im.source_country, per_edge, self._share
            )
            return per_edge @ self._share
        return kernels.credit_countries(
            per_edge, det.credit, self.im.source_country, len(self.c.countries)
        )


def _check_draws(draws: dict[str, np.ndarray], n_rep: int) -> dict[str, np.ndarray]:
    """Per-replicate parameter values: known names, shape (R,), inside hard bounds."""
    out = {}
    for name, values in draws.items():
        if name not in VARYING:
            raise CorredorError(
                f"parameter {name!r} cannot vary between replicates of one run",
                field="draws",
                fix="draw it per run instead (a scenario override), or use one of: "
                + ", ".join(VARYING),
            )
        arr = np.asarray(values, dtype=float)
        if arr.shape != (n_rep,):
            raise CorredorError(
                f"{name}: {arr.shape} values for {n_rep} replicates",
                field="draws",
                fix="give one value per replicate",
            )
        lo, hi = PARAMS[name].bounds
        if not (np.isfinite(arr).all() and (arr >= lo).all() and (arr <= hi).all()):
            raise CorredorError(
                f"{name}: values outside [{lo:g}, {hi:g}]",
                field="draws",
                fix="draw inside the parameter's bounds",
            )
        out[name] = arr
    return out


def check_detection(det: interdiction.Detection) -> None:
    """Probabilities in [0, 1] and credit shares summing to 1 (raises AssertionError)."""
    for name in ("p_detect", "strike_share"):
        arr = getattr(det, name)
        if not ((arr >= 0) & (arr <= 1)).all():
            raise AssertionError(f"{name} outside [0, 1]")
    if not np.allclose(det.credit.sum(axis=1), 1.0, atol=1e-9) or det.credit.min() < -1e-12:
        raise AssertionError("credit shares do not sum to 1")
