"""The engine's fused phase kernels give the numbers of the numpy they replace, bit for bit.

Each kernel of the `the weekly phases, fused` section of kernels.py is compared with
`np.array_equal` (not a tolerance) to the numpy or scipy expression it stands for, on
random inputs with values spread over many orders of magnitude (so that any change in
the order of a sum would show), and on the arrays of a running simulation.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from conftest import DATA, MINI
from corredor import interdiction, kernels
from corredor.engine import PHASES, Simulation, Week
from corredor.scenario import load_scenario


def spread(rng: np.random.Generator, shape) -> np.ndarray:
    """Values of both signs over 16 orders of magnitude, with exact zeros."""
    x = rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 8, shape)
    return np.where(rng.random(shape) < 0.1, 0.0, x)


@njit(cache=True)
def _row_sums(x):
    return np.array([kernels._rowsum(x, r) for r in range(x.shape[0])])


@njit(cache=True)
def _segment_sums(x, starts):
    n_r, n_p = x.shape
    out = np.empty((n_r, starts.shape[0]))
    for r in range(n_r):
        for b in range(starts.shape[0]):
            end = starts[b + 1] if b + 1 < starts.shape[0] else n_p
            out[r, b] = kernels._segment_sum(x, r, starts[b], end)
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3000), st.integers(0, 2**32 - 1))
def test_sums_follow_numpy_order(n, seed):
    """Row sums (pairwise, blocks of 128) and np.add.reduceat segments, exactly."""
    rng = np.random.default_rng(seed)
    x = spread(rng, (2, n))
    assert np.array_equal(_row_sums(x), x.sum(axis=1))
    cuts = rng.choice(np.arange(1, n), min(n - 1, int(rng.integers(0, 40))), replace=False)
    starts = np.concatenate([[0], np.sort(cuts)]).astype(np.int64)
    assert np.array_equal(_segment_sums(x, starts), np.add.reduceat(x, starts, axis=1))


def _stages_started(draws: dict, seed: int) -> Simulation:
    """The stages network's 2019, three replicates with `draws`, state initialised."""
    sc = load_scenario(DATA / "stages.toml").with_period(2019, 2019)
    sim = Simulation(sc, replicates=3, seed=seed, draws=draws)
    sim._init_state()
    return sim


@pytest.fixture(scope="module")
def stages_sim():
    """A simulation of the stages network mid-run, with parameters drawn per replicate
    (detection week by week) and a strike campaign."""
    sim = _stages_started(
        {
            "interdiction.k_maritime": [0.5, 1.0, 2.0],
            "strikes.pursuit_share": [0.2, 0.5, 0.9],
            "interdiction.intel_gain": [0.0, 0.3, 1.0],
        },
        seed=4,
    )
    for week in range(60):
        wk = Week(t=min(week, 40), rec=None)
        for name in PHASES:
            getattr(sim, name)(wk)
    return sim


def test_incidence_products_match_scipy(stages_sim):
    c, rng = stages_sim.c, np.random.default_rng(2)
    for inc in (c.inc_route_edge, c.inc_route_group, c.inc_route_market_via):
        x = spread(rng, (4, inc.shape[0]))
        out = np.empty((4, inc.shape[1]))
        kernels.incidence_apply(inc.t.indptr, inc.t.indices, inc.t.data, x, out)
        assert np.array_equal(out, x @ inc)


def test_weekly_detection_matches_the_interdiction_model(stages_sim):
    sim = stages_sim
    for t in (0, 20, 51):
        effort = sim.im.static_effort(t)[None]
        got, want = sim._detect(t, effort), sim._detect_reference(t, effort)
        for name in ("p_detect", "strike_share", "credit", "misid_factor", "effort", "hazard"):
            assert np.array_equal(getattr(got, name), getattr(want, name)), name


def test_credit_to_countries_matches_the_sparse_product(stages_sim):
    sim, rng = stages_sim, np.random.default_rng(3)
    det = sim.detection(30)
    per_edge = np.abs(spread(rng, (5, sim.R, sim.im.n_edges)))
    flat = (per_edge[:, :, None, :] * det.credit[None]).reshape(5 * sim.R, -1)
    want = np.asarray(flat @ sim.im.credit_matrix).reshape(5, sim.R, -1)
    got = kernels.credit_countries(
        per_edge, det.credit, sim.im.source_country, len(sim.c.countries)
    )
    assert np.array_equal(got, want)


def test_weekly_country_share_matches_the_whole_run():
    sim = Simulation(load_scenario(MINI).with_period(end=2016), replicates=1)
    whole = sim.im.country_share(sim.plan.credit)
    out = np.zeros(whole.shape[1:])
    every_edge = np.ones((1, 1, whole.shape[1]))
    for t in (0, 7, len(whole) - 1):
        kernels.country_share_week(sim.plan.credit[t], sim.im.source_country, every_edge, out)
        assert np.array_equal(out, whole[t])
    # only the rows of edges with something to credit are rewritten
    some = np.zeros_like(every_edge)
    some[0, 0, 2] = 1.0
    kernels.country_share_week(sim.plan.credit[0], sim.im.source_country, some, out)
    assert np.array_equal(out[2], whole[0, 2]) and np.array_equal(out[3:], whole[-1, 3:])


@pytest.mark.parametrize("swamp", [False, True])
def test_shipments_and_detection_match_the_interdiction_functions(stages_sim, swamp):
    sim, c, rng = stages_sim, stages_sim.c, np.random.default_rng(5)
    det = sim.detection(12)
    n_r, n_e = sim.R, len(c.load)
    sent = np.abs(spread(rng, (n_r, c.routes.n_routes))) * 1e-3
    handling = np.array([0.0, 0.3, 2.0]) if swamp else np.zeros(n_r)
    uniform = rng.random((n_r, n_e))
    shipments, p_eff = np.empty((n_r, n_e), np.int64), np.empty((n_r, n_e))
    where, n_out = np.empty(n_r * n_e, np.int64), np.empty(n_r * n_e, np.int64)
    p_out, share_out = np.empty(n_r * n_e), np.empty(n_r * n_e)
    inc = c.inc_route_edge.t
    n = kernels.shipments_and_detection(
        sent,
        inc.indptr,
        inc.indices,
        inc.data,
        c.load,
        uniform,
        det.p_detect,
        det.strike_share,
        det.credit[:, 0, :],
        det.effort,
        handling,
        swamp,
        sim.im.domain,
        sim.im.n_domains,
        shipments,
        p_eff,
        where,
        n_out,
        p_out,
        share_out,
    )
    load_e = sent @ c.inc_route_edge
    expected = load_e / c.load
    whole = np.floor(expected)
    want_ships = (whole + (uniform < expected - whole)).astype(np.int64)
    want_p = det.p_detect
    if swamp:
        free = det.credit[:, 0, :] * (1.0 - det.strike_share) + det.strike_share
        want_p = interdiction.swamped(
            det.p_detect,
            free,
            want_ships,
            det.effort,
            handling[:, None],
            sim.im.domain,
            sim.im.n_domains,
        )
    want_p = np.broadcast_to(want_p, (n_r, n_e))
    share = np.minimum(det.strike_share * det.p_detect / np.maximum(want_p, 1e-300), 1.0)
    on = want_ships > 0
    assert np.array_equal(shipments, want_ships) and np.array_equal(p_eff, want_p)
    assert np.array_equal(where[:n], np.flatnonzero(on))
    assert np.array_equal(n_out[:n], want_ships[on]) and np.array_equal(p_out[:n], want_p[on])
    assert np.array_equal(share_out[:n], np.broadcast_to(share, (n_r, n_e))[on])


@pytest.mark.parametrize("swamp", [False, True])
def test_shipments_from_the_routes_hops_match_the_incidence_product(stages_sim, swamp):
    """`shipments_week` (edge loads summed route by route, idle routes skipped) gives
    `shipments_and_detection`'s outputs bit for bit, idle routes and all."""
    sim, c, rng = stages_sim, stages_sim.c, np.random.default_rng(15)
    det = sim.detection(12)
    n_r, n_e, n_p = sim.R, len(c.load), c.routes.n_routes
    handling = np.array([0.0, 0.3, 2.0]) if swamp else np.zeros(n_r)
    for _ in range(5):
        sent = np.abs(spread(rng, (n_r, n_p))) * (rng.random((n_r, n_p)) < 0.4)
        uniform = rng.random((n_r, n_e))
        outs = []
        for fused in (False, True):
            out = (
                np.empty((n_r, n_e), np.int64),
                np.empty((n_r, n_e)),
                np.empty(n_r * n_e, np.int64),
                np.empty(n_r * n_e, np.int64),
                np.empty(n_r * n_e),
                np.empty(n_r * n_e),
            )
            if fused:
                where = (c.route_bounds, c.routes.rh_edge)
                call = kernels.shipments_week
            else:
                inc = c.inc_route_edge.t
                where = (inc.indptr, inc.indices, inc.data)
                call = kernels.shipments_and_detection
            n = call(
                sent,
                *where,
                c.load,
                uniform,
                det.p_detect,
                det.strike_share,
                det.credit[:, 0, :],
                det.effort,
                handling,
                swamp,
                sim.im.domain,
                sim.im.n_domains,
                *out,
            )
            outs.append((n, out))
        (n_a, a), (n_b, b) = outs
        assert n_a == n_b
        for x, y in zip(a[:2], b[:2], strict=True):
            assert np.array_equal(x, y)
        for x, y in zip(a[2:], b[2:], strict=True):
            assert np.array_equal(x[:n_a], y[:n_a])


def test_transit_walk_matches_the_route_kernel(stages_sim):
    """transit_week's route walk and edge outcomes against kernels.transit and numpy."""
    sim, c, rng = stages_sim, stages_sim.c, np.random.default_rng(6)
    routes, n_r, n_e = c.routes, sim.R, len(c.load)
    sent = np.abs(spread(rng, (n_r, routes.n_routes))) * (rng.random((n_r, routes.n_routes)) < 0.7)
    shipments = rng.integers(0, 5, (n_r, n_e))
    detected = np.minimum(rng.integers(0, 3, (n_r, n_e)), shipments)
    struck = np.minimum(rng.integers(0, 2, (n_r, n_e)), detected)
    hazard = rng.random((1, n_e))
    usual, strike_rate = rng.random((n_r, n_e)), rng.random((n_r, n_e))
    usual0, strike_rate0 = usual.copy(), strike_rate.copy()
    out = {
        k: np.zeros((n_r, n))
        for k, n in dict(
            frac=n_e,
            frac_struck=n_e,
            flow=n_e,
            arrived=routes.n_routes,
            own=len(c.slot_belief),
            node_group=len(c.slot_group),
            country=len(c.countries),
            by_origin=len(c.producers) * len(c.countries),
            interdicted=n_e,
            destroyed=n_e,
            seized=n_e,
            lost=n_e,
        ).items()
    }
    rate = 1.0 - sim.decay
    kernels.transit_week(
        sent,
        detected,
        struck,
        shipments,
        c.loss,
        c.route_bounds,
        routes.rh_edge,
        c.rh_slot,
        c.rh_node_slot,
        c.rh_new_country,
        c.route_node_slot,
        c.origin_country,
        c.origin_row,
        hazard,
        rate,
        usual,
        strike_rate,
        *out.values(),
    )
    frac = np.divide(detected, shipments, out=np.zeros((n_r, n_e)), where=shipments > 0)
    frac_struck = np.divide(struck, shipments, out=np.zeros((n_r, n_e)), where=shipments > 0)
    survive = (1.0 - frac) * (1.0 - c.loss[None, :])
    n_g, n_n, n_c = len(c.groups), len(c.node_country), len(c.countries)
    flow, arrived, own, node_group, country, by_origin = kernels.transit(
        sent,
        survive,
        c.route_bounds,
        routes.rh_edge,
        routes.rh_to,
        c.rh_new_country,
        routes.group,
        routes.origin,
        c.origin_country,
        n_g,
        n_n,
        n_c,
    )
    assert np.array_equal(out["frac"], frac) and np.array_equal(out["frac_struck"], frac_struck)
    assert np.array_equal(out["flow"], flow) and np.array_equal(out["arrived"], arrived)
    assert np.array_equal(out["own"], own[:, c.slot_belief])
    # slot j of node n holds group slot_group[j]: index g * N + n of the dense array
    keys = c.slot_group * n_n + np.repeat(np.arange(n_n), np.diff(c.node_slot_start))
    assert np.array_equal(out["node_group"], node_group[:, keys])
    node_group[:, keys] = 0.0
    assert not node_group.any()  # no flow outside the slots
    assert np.array_equal(out["country"], country)
    by_origin = by_origin.reshape(n_r, n_c, n_c)[:, c.producer_idx, :].reshape(n_r, -1)
    assert np.array_equal(out["by_origin"], by_origin)
    assert np.array_equal(out["interdicted"], flow * frac)
    assert np.array_equal(out["destroyed"], flow * frac_struck)
    assert np.array_equal(out["seized"], flow * frac - flow * frac_struck)
    assert np.array_equal(out["lost"], flow * (1.0 - frac) * c.loss[None, :])
    usual0 += rate[:, None] * (hazard - usual0)
    strike_rate0 += np.where(shipments > 0, rate[:, None] * (frac_struck - strike_rate0), 0.0)
    assert np.array_equal(usual, usual0) and np.array_equal(strike_rate, strike_rate0)


def test_dispatch_week_matches_dispatch_and_reduceat(stages_sim):
    sim, c, rng = stages_sim, stages_sim.c, np.random.default_rng(7)
    n_r, n_b = sim.R, len(c.routes.block_start)
    stock = np.abs(spread(rng, (n_r, n_b)))
    ship = rng.random((n_r, n_b))
    shares = rng.random((n_r, c.routes.n_routes))
    shares /= np.repeat(
        np.add.reduceat(shares, c.routes.block_start, axis=1),
        np.diff(np.append(c.routes.block_start, c.routes.n_routes)),
        axis=1,
    )
    before, offered, block_out = (np.empty((n_r, n_b)) for _ in range(3))
    want_stock = stock.copy()
    sent = kernels.dispatch_week(
        ship,
        stock,
        shares,
        c.capacity,
        c.routes.block_start,
        c.route_bounds,
        c.routes.rh_edge,
        3,
        before,
        offered,
        block_out,
    )
    want_sent, _ = kernels.dispatch(
        ship * want_stock,
        shares,
        c.capacity,
        c.routes.block_start,
        c.route_bounds,
        c.routes.rh_edge,
        3,
    )
    out = np.add.reduceat(want_sent, c.routes.block_start, axis=1)
    assert np.array_equal(sent, want_sent) and np.array_equal(block_out, out)
    assert np.array_equal(before, want_stock) and np.array_equal(offered, ship * want_stock)
    assert np.array_equal(stock, np.maximum(want_stock - out, 0.0))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 5), st.integers(1, 7), st.integers(0, 2**31 - 1))
def test_homicides_from_slots_match_the_dense_kernel(n_r, n_g, n_n, seed):
    rng = np.random.default_rng(seed)
    kg = rng.exponential(500.0, (n_r, n_g, n_n)) * (rng.random((n_r, n_g, n_n)) < 0.5)
    handler = rng.random((n_n, n_g, n_g)) * (rng.random((n_n, n_g, n_g)) < 0.6)
    handler[:, np.arange(n_g), np.arange(n_g)] += 0.1
    handler /= handler.sum(axis=2, keepdims=True)
    rival = (rng.random((n_g, n_g)) < 0.5).astype(float)
    factions = rng.uniform(1.0, 4.0, n_g)
    coefs = [rng.uniform(0, 2, n_r) for _ in range(3)]
    price, covered, psi = rng.uniform(0.2, 3.0, (n_r, n_n)), rng.random(n_n) < 0.7, rng.random(n_r)
    want = kernels.expected_homicides(
        kg, handler, rival, factions, *coefs, np.where(covered, price, 1.0), psi
    )
    # every (node, group) pair is a slot, node-major
    slots = kg.transpose(0, 2, 1).reshape(n_r, -1).copy()
    start = np.arange(n_n + 1, dtype=np.int64) * n_g
    where, lam = np.empty(n_r * n_n, np.int64), np.empty(n_r * n_n)
    n = kernels.homicides_expected(
        slots,
        start,
        np.tile(np.arange(n_g), n_n),
        handler,
        rival,
        factions,
        *coefs,
        price,
        covered,
        psi,
        where,
        lam,
    )
    assert np.array_equal(where[:n], np.flatnonzero(want))
    assert np.array_equal(lam[:n], want.ravel()[want.ravel() != 0])


@given(seed=st.integers(0, 2**32 - 1), n_r=st.integers(1, 4))
@settings(max_examples=30, deadline=None)
def test_landed_cost_kernels_match_markets_landed_cost(seed, n_r):
    """`kernels.landed_routes` + numpy's log + `kernels.landed_smooth` give the smoothed
    sums the engine once computed with `markets.landed_cost` and two sparse products."""
    import scipy.sparse as sp

    from corredor import markets
    from corredor.engine import Incidence

    rng = np.random.default_rng(seed)
    n_p, n_t = 9, 5
    price = 10.0 ** rng.uniform(1, 5, (n_r, n_t))
    value = rng.uniform(-2e4, 9e4, (n_r, n_p))
    sent = np.where(rng.random((n_r, n_p)) < 0.3, 0.0, rng.uniform(0, 1e4, (n_r, n_p)))
    buy = rng.integers(0, n_t, n_p)
    sell = rng.integers(0, n_t, n_p)
    cost, premium = rng.uniform(0, 2e3, n_p), rng.uniform(0, 3e4, n_p)
    markup = rng.uniform(0, 1, n_r)
    tau = rng.uniform(1, 20, n_r)
    inc = Incidence(sp.csr_matrix((np.ones(n_p), (sell, np.arange(n_p))), shape=(n_t, n_p)))
    start_log, start_w = spread(rng, (n_r, n_t)), np.abs(spread(rng, (n_r, n_t)))

    log_cost, weight = markets.landed_cost(price, value, sent, buy, sell, cost, premium, markup)
    want_log = start_log + (log_cost @ inc - start_log) / tau[:, None]
    want_w = start_w + (weight @ inc - start_w) / tau[:, None]

    breakeven, w = np.empty((n_r, n_p)), np.empty((n_r, n_p))
    kernels.landed_routes(
        price, value, sent, buy, sell, cost, premium, markup, markets.MIN_ARRIVING, breakeven, w
    )
    np.log(breakeven, out=breakeven)
    breakeven *= w
    got_log, got_w, sums = start_log.copy(), start_w.copy(), np.empty((n_r, n_t))
    t = inc.t
    kernels.landed_smooth(t.indptr, t.indices, t.data, breakeven, w, tau, got_log, got_w, sums)
    assert np.array_equal(w, weight)
    assert np.array_equal(breakeven, log_cost)
    assert np.array_equal(got_log, want_log)
    assert np.array_equal(got_w, want_w)


def test_compiled_price_update_matches_markets_adjust_prices():
    """The markets phase's compiled passes around numpy's exp and log give
    `markets.adjust_prices` (with `markets.mean_landed`) and the areas' smoothed prices,
    bit for bit, with parameters drawn per replicate, from the first weeks (markets with no
    landed cost yet: NaN, no pull) on, with and without the netback cap on shortages."""
    from corredor import markets

    sim = _stages_started(
        {
            "markets.cost_anchor": [0.0, 0.2, 0.6],
            "markets.shortage_signal": [1.0, 0.0, 0.5],
            "markets.netback_cap": [1.0, 0.5, 0.0],
            "markets.price_adjustment": [0.05, 0.1, 0.4],
            "markets.inventory_weeks": [2.0, 4.0, 9.0],
            "markets.price_floor": [0.2, 0.5, 0.9],
            "markets.price_cap": [1.1, 2.0, 5.0],
            "production.price_lag_weeks": [1.0, 4.0, 12.0],
        },
        seed=6,
    )
    sim.prices_fixed = False
    saw_nan = saw_capped = False
    for week in range(70):
        wk = Week(t=min(week, 40), rec=None)
        for name in PHASES[:6]:
            getattr(sim, name)(wk)
        price, area = sim.price.copy(), sim.area_price.copy()
        sim.markets(wk)
        landed = markets.mean_landed(sim.landed_log, sim.landed_weight)
        # the trading stages' netback (consumer markets: none)
        n_stage = sim.netback.shape[1]
        netback = np.full_like(price, np.nan)
        netback[:, :n_stage] = sim.netback
        saw_capped |= bool((sim.netback < price[:, :n_stage]).any())
        saw_nan |= bool(np.isnan(landed).any())
        pv = sim.pv
        want = markets.adjust_prices(
            price,
            sim._supply,
            sim.throughput,
            sim.c.trade_ref_price[None, :],
            pv("markets.inventory_weeks"),
            pv("markets.price_adjustment"),
            pv("markets.price_floor"),
            pv("markets.price_cap"),
            landed=landed,
            anchor=pv("markets.cost_anchor"),
            shortage=pv("markets.shortage_signal"),
            netback=netback,
            netback_weight=pv("markets.netback_cap"),
        )
        n_a = len(sim.c.areas)
        want_area = area + (want[:, :n_a] - area) / pv("production.price_lag_weeks")
        assert np.array_equal(sim.price, want), week
        assert np.array_equal(sim.area_price, want_area), week
        for name in PHASES[7:]:
            getattr(sim, name)(wk)
    assert saw_nan and saw_capped


def _runs_by_driver(monkeypatch, scenario, replicates, seed):
    """Runs with the kernels' parallel drivers, the serial ones, and the two alternating
    (the automatic choice, forced to probe every other week)."""
    from corredor import threads

    monkeypatch.setattr(threads, "PARALLEL_MIN_REPLICATES", 2)
    monkeypatch.setattr(threads, "pool_threads", lambda: 2)  # even on one core
    out = []
    for how in ("parallel", "serial", "auto"):
        monkeypatch.setenv("CORREDOR_THREADS", how)
        monkeypatch.setattr(threads, "PROBE_WEEKS", 10**6 if how == "auto" else 4)
        sim = Simulation(scenario, replicates=replicates, seed=seed)
        data = sim.run()
        weeks = len(sim.times) + sim.warmup
        assert sim.pool_weeks == {"parallel": weeks, "serial": 0, "auto": weeks // 2}[how]
        state = [sim.price, sim.stock, sim.pipeline, sim.alpha, sim.beta, sim.usual_hazard]
        out.append((data, state))
    return out


@pytest.mark.parametrize("network", ["generated", "default"])
def test_parallel_drivers_give_the_serial_numbers(monkeypatch, tmp_path, network):
    """Replicates on numba's thread pool, all weeks or every other week, give every
    recorded array and the final state of the serial drivers, bit for bit: on a
    generated network with route evolution and on the default network with a strike
    campaign."""
    import importlib.util

    if network == "generated":
        spec = importlib.util.spec_from_file_location(
            "synthetic", DATA.parents[1] / "benchmarks" / "synthetic.py"
        )
        synthetic = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(synthetic)
        sc = load_scenario(synthetic.build(100, seed=9, out=tmp_path / "net"))
        sc = sc.with_parameters({"routes.refresh_weeks": 8}).with_period(end=sc.start)
    else:
        sc = load_scenario("boat-strikes").with_period(2025, 2025)
    (par, par_state), (ser, ser_state), (mixed, mixed_state) = _runs_by_driver(
        monkeypatch, sc, 8, 12
    )
    for data, state in ((par, par_state), (mixed, mixed_state)):
        assert data.keys() == ser.keys()
        for name in data:
            assert np.array_equal(data[name], ser[name], equal_nan=True), name
        for a, b in zip(state, ser_state, strict=True):
            assert np.array_equal(a, b)


def test_produce_and_ship_fraction_match_their_numpy_references():
    """The produce phase's noise equals `production.noise_factor` on the same stream,
    and perceive's compiled ship fraction `traffickers.ship_fraction`, bit for bit, with
    their parameters drawn per replicate."""
    import copy

    from corredor import production, traffickers

    sim = _stages_started(
        {
            "production.noise_cv": [0.0, 0.1, 0.5],
            "traffickers.margin_width": [0.05, 0.2, 1.0],
            "traffickers.dispatch_rate": [0.1, 0.5, 1.0],
        },
        seed=8,
    )
    for week in range(30):
        wk = Week(t=week, rec=None)
        stream = copy.deepcopy(sim.rng["production"])
        area_price = sim.area_price.copy()
        sim.produce(wk)
        noise = production.noise_factor(
            stream, (sim.R, len(sim.c.areas)), sim.pv("production.noise_cv")
        )
        response = (area_price / sim._area_ref_price) ** sim.pv("production.supply_elasticity")
        assert np.array_equal(wk.produced, sim.base_production[wk.t] * response * noise)
        sim.perceive(wk)
        _, _, _, block_value = sim._perceive(wk.det)
        want = traffickers.ship_fraction(
            block_value,
            sim.price[:, sim.c.block_trade],
            sim.pv("traffickers.margin_width"),
            sim.pv("traffickers.dispatch_rate"),
        )
        assert np.array_equal(wk.ship, want)
        for name in PHASES[2:]:
            getattr(sim, name)(wk)


def test_consumption_and_origin_seizures_match_their_numpy_references():
    """The markets phase's consumption equals `markets.consumption`, and the seizures at
    origin `interdiction.origin_seizure_share` of the stocks, bit for bit: with their
    parameters drawn per replicate, and with one k_origin for the whole run (its shares
    taken before the run)."""
    from corredor import markets

    sim = _stages_started(
        {
            "markets.demand_elasticity": [0.1, 0.5, 1.5],
            "markets.price_transmission": [0.2, 0.6, 1.0],
        },
        seed=9,
    )
    sim.prices_fixed = False
    for week in range(40):
        wk = Week(t=week, rec=None)
        for name in PHASES[:6]:
            getattr(sim, name)(wk)
        want = markets.consumption(
            sim.retail_stock.copy(),
            sim.demand[wk.t][None, :],
            sim.price[:, -len(sim.c.markets) :],
            sim.c.ref_price[None, :],
            sim.pv("markets.demand_elasticity"),
            sim.pv("markets.price_transmission"),
        )
        for name in PHASES[6:]:
            getattr(sim, name)(wk)
        assert np.array_equal(wk.consumed, want), week
    # seizures at origin: each week's shares, and the stocks they take
    sim = Simulation(load_scenario("baseline").with_period(2024, 2025))
    assert sim._origin_share is not None
    k = sim.pv("interdiction.k_origin")
    for t in (0, 30, 90):
        want = interdiction.origin_seizure_share(sim.origin_effort[t][None, :], k)
        assert np.array_equal(sim._origin_share[t][None, :], want)
    rng = np.random.default_rng(4)
    stock = np.abs(spread(rng, (3, sim._origin_share.shape[1])))
    for share in (sim._origin_share[5][None, :], rng.random(stock.shape)):
        got, taken = stock.copy(), np.empty_like(stock)
        kernels.seize_at_origin(got, share, taken)
        assert np.array_equal(taken, stock * share)
        assert np.array_equal(got, stock - stock * share)


def test_route_incidences_list_their_routes_in_order():
    """The kernels that walk routes one by one (shipments, deliver, markets, record) add
    each output's routes in the order of the incidence products: each row of the
    transposed incidences lists its routes in ascending order, each once (routes are
    simple paths: an entry is 1.0, never a route's repeated edge)."""
    from corredor.engine import compile_scenario

    for scenario in ("baseline", MINI, DATA / "stages.toml"):
        c = compile_scenario(load_scenario(scenario))
        for name in ("edge", "corridor", "group", "market_via", "retail", "lag_market", "sell"):
            t = getattr(c, f"inc_route_{name}").t
            assert np.all(t.data == 1.0), name
            for i in range(t.shape[0]):
                assert np.all(np.diff(t.indices[t.indptr[i] : t.indptr[i + 1]]) > 0), name


def test_recorded_route_sums_match_the_incidence_products(monkeypatch):
    """The record phase's sums over routes (kg reaching markets by country crossed and
    in all, kg by corridor, groups' profit) equal the sparse products the engine once
    added week by week, bit for bit."""
    sc = load_scenario("boat-strikes").with_period(2025, 2025)
    names = ("delivered_via_kg", "arriving_kg", "corridor_kg", "group_profit_usd")
    seen = []
    record = Simulation.record

    def checked(self, wk):
        rec = wk.rec
        if rec is None:
            return record(self, wk)
        slot = rec.slots[wk.t]
        before = {k: rec.data[k][:, slot].copy() for k in names}
        record(self, wk)
        c = self.c
        profit = wk.arrived * self.price[:, c.route_sell_trade] - wk.sent * (
            c.routes.cost[None, :] + self.price[:, c.route_buy_trade]
        )
        n_r = self.R
        want = {
            "delivered_via_kg": (wk.arrived @ c.inc_route_market_via).reshape(n_r, -1),
            "arriving_kg": wk.arrived @ c.inc_route_retail,
            "corridor_kg": wk.sent @ c.inc_route_corridor,
            "group_profit_usd": profit @ c.inc_route_group,
        }
        for k in names:
            got = rec.data[k][:, slot].reshape(n_r, -1)
            assert np.array_equal(got, before[k].reshape(n_r, -1) + want[k]), k
        seen.append(wk.t)

    monkeypatch.setattr(Simulation, "record", checked)
    Simulation(sc, replicates=2, seed=3).run()
    assert len(seen) == 52


@given(seed=st.integers(0, 2**32 - 1), n_r=st.integers(1, 4))
@settings(max_examples=40, deadline=None)
def test_landed_cost_of_the_routes_that_count_matches_every_route(seed, n_r):
    """`landed_routes_compact` + numpy's log + `landed_fold` (only the routes with a
    weight, or a break-even price without a finite log) give `landed_routes` + log +
    `landed_smooth` over every route, bit for bit: idle routes, NaN and infinite logs
    included."""
    import scipy.sparse as sp

    from corredor import markets
    from corredor.engine import Incidence

    rng = np.random.default_rng(seed)
    n_p, n_t = 12, 5
    price = 10.0 ** rng.uniform(1, 5, (n_r, n_t))
    value = rng.uniform(-2e4, 9e4, (n_r, n_p))
    sent = np.where(rng.random((n_r, n_p)) < 0.5, 0.0, rng.uniform(0, 1e4, (n_r, n_p)))
    buy = rng.integers(0, n_t, n_p)
    sell = rng.integers(0, n_t, n_p)
    # negative costs too: break-even prices at or below 0 (log -inf or NaN)
    cost = rng.uniform(-1e5, 2e3, n_p) * (rng.random(n_p) < 0.8)
    premium = rng.uniform(0, 3e4, n_p) * (rng.random(n_p) < 0.7)
    markup = rng.uniform(0, 1, n_r)
    tau = rng.uniform(1, 20, n_r)
    # and extremes: route values beyond 1e140, costs beyond 1e300, tiny break-evens
    value[:, 0] = 1e150 * rng.choice([-1.0, 1.0])
    cost[1] = 1e301 * rng.random()
    cost[2] = -price[:, buy[2]].min() * (1.0 + markup.max())
    inc = Incidence(sp.csr_matrix((np.ones(n_p), (sell, np.arange(n_p))), shape=(n_t, n_p)))
    start_log, start_w = spread(rng, (n_r, n_t)), np.abs(spread(rng, (n_r, n_t)))
    args = (price, value, sent, buy, sell, cost, premium, markup, markets.MIN_ARRIVING)

    breakeven, w = np.empty((n_r, n_p)), np.empty((n_r, n_p))
    kernels.landed_routes(*args, breakeven, w)
    with np.errstate(all="ignore"):
        np.log(breakeven, out=breakeven)
        breakeven *= w
    want_log, want_w, sums = start_log.copy(), start_w.copy(), np.empty((n_r, n_t))
    t = inc.t
    kernels.landed_smooth(t.indptr, t.indices, t.data, breakeven, w, tau, want_log, want_w, sums)

    where, be, wc = np.empty(n_r * n_p, np.int64), np.empty(n_r * n_p), np.empty(n_r * n_p)
    n = kernels.landed_routes_compact(*args, where, be, wc)
    with np.errstate(all="ignore"):
        np.log(be[:n], out=be[:n])
    got_log, got_w = start_log.copy(), start_w.copy()
    kernels.landed_fold(where, be, wc, n, *inc.by_route(), tau, got_log, got_w, sums)
    assert np.array_equal(got_log, want_log, equal_nan=True)
    assert np.array_equal(got_w, want_w, equal_nan=True)


def test_deliver_week_matches_the_lag_incidence_product(stages_sim):
    """The deliver phase's kernel (routes walked one by one, those where nothing arrived
    skipped) adds to the pipeline what the (lag, market) incidence product gives, bit for
    bit, and delivers the slot due."""
    sim, c, rng = stages_sim, stages_sim.c, np.random.default_rng(11)
    n_r, n_p = sim.R, c.routes.n_routes
    n_l, n_s = c.max_lag + 1, len(c.routes.markets)
    arrived = np.abs(spread(rng, (n_r, n_p))) * (rng.random((n_r, n_p)) < 0.5)
    pipeline = np.abs(spread(rng, (n_r, n_l, n_s)))
    stock, retail = (
        np.abs(spread(rng, sim.stock.shape)),
        np.abs(spread(rng, sim.retail_stock.shape)),
    )
    want_pipe, want_stock, want_retail = pipeline.copy(), stock.copy(), retail.copy()
    incoming = (arrived @ c.inc_route_lag_market).reshape(n_r, n_l, n_s)
    slot = 3 % n_l
    for i in range(n_l):
        want_pipe[:, (slot + i) % n_l] += incoming[:, i]
    want_delivered = want_pipe[:, slot].copy()
    want_pipe[:, slot] = 0.0
    n_w = len(c.pool_of_wholesale)
    want_stock[:, c.pool_of_wholesale] += want_delivered[:, :n_w]
    want_retail += want_delivered[:, n_w:]
    delivered = np.empty((n_r, n_s))
    kernels.deliver_week(
        arrived,
        *c.inc_route_lag_market.by_route(),
        pipeline,
        slot,
        np.empty((n_r, n_l * n_s)),
        delivered,
        stock,
        c.pool_of_wholesale,
        retail,
    )
    assert np.array_equal(pipeline, want_pipe) and np.array_equal(delivered, want_delivered)
    assert np.array_equal(stock, want_stock) and np.array_equal(retail, want_retail)
