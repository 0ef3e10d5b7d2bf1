"""The compiled kernels agree with their plain numpy reference implementations."""

from __future__ import annotations

import numpy as np

from corredor import kernels, traffickers


def test_block_shares_matches_reference():
    rng = np.random.default_rng(0)
    value = rng.normal(20000, 15000, size=(3, 9))
    starts = np.array([0, 4, 5], dtype=np.int64)
    ref = traffickers.route_shares(value, starts, 4.0)
    got = kernels.block_shares(value, starts, np.full(len(value), 4.0), traffickers.MIN_VALUE)
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    sums = np.add.reduceat(got, starts, axis=1)
    np.testing.assert_allclose(sums, 1.0)


def test_lazy_discounting_gives_the_same_beliefs():
    """Inflating new counts by decay**-week equals discounting old counts every week."""
    rng = np.random.default_rng(1)
    n_r, n_g, n_e = 2, 2, 3
    load = np.array([100.0, 500.0, 1000.0])
    decay = 0.9
    a_ref = np.full((n_r, n_g * n_e), 2.0)
    b_ref = np.full((n_r, n_g * n_e), 18.0)
    a_lazy, b_lazy = a_ref.copy(), b_ref.copy()
    for week in range(30):
        own = rng.uniform(0, 5000, size=(n_r, n_g * n_e)) * (rng.random((n_r, n_g * n_e)) < 0.6)
        frac = rng.uniform(0, 0.5, size=(n_r, n_e))
        struck = frac * rng.uniform(0, 0.5, size=(n_r, n_e))
        shipments = own / np.tile(load, n_g)
        traffickers.update_beliefs(
            a_ref,
            b_ref,
            shipments * (np.tile(frac, n_g) + 3.0 * np.tile(struck, n_g)),
            shipments * (1 - np.tile(frac, n_g)),
            decay,
        )
        kernels.learn(
            a_lazy,
            b_lazy,
            own,
            frac,
            struck,
            load,
            np.full(n_r, 3.0),
            np.full(n_r, decay ** -float(week + 1)),
        )
    np.testing.assert_allclose(a_lazy / (a_lazy + b_lazy), a_ref / (a_ref + b_ref), rtol=1e-9)


def test_dispatch_respects_capacity_and_refills():
    # one block, two routes over edges 0 and 1; route 0 prefers edge 0 of capacity 10
    offered = np.array([[100.0]])
    shares = np.array([[0.9, 0.1]])
    capacity = np.array([10.0, 1000.0])
    bounds = np.array([0, 1, 2], dtype=np.int64)
    rh_edge = np.array([0, 1], dtype=np.int64)
    sent, left = kernels.dispatch(offered, shares, capacity, np.array([0]), bounds, rh_edge, 3)
    assert sent[0, 0] <= 10.0 + 1e-9
    assert sent.sum() == np.float64(100.0) or abs(sent.sum() - 100.0) < 1e-9
    assert abs(left[0, 0]) < 1e-9
    one_pass, left1 = kernels.dispatch(offered, shares, capacity, np.array([0]), bounds, rh_edge, 1)
    assert one_pass.sum() < 100.0 and left1[0, 0] > 0


def test_compiled_perceive_matches_the_numpy_reference():
    """kernels.perceive (the engine's) equals Simulation.route_choice_reference, mid-run,
    with beliefs learned, presence varying and strikes announced."""
    from conftest import DATA
    from corredor.engine import PHASES, Simulation, Week
    from corredor.scenario import load_scenario

    sc = load_scenario(DATA / "stages.toml").with_period(2019, 2019)
    sim = Simulation(sc, replicates=3, seed=2)
    sim._init_state()
    for week in range(80):
        wk = Week(t=min(week, 40), rec=None)
        for name in PHASES:
            getattr(sim, name)(wk)
    det = sim.detection(40)
    for got, want in zip(sim.route_choice(det), sim.route_choice_reference(det), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    for got, want in zip(sim.route_choice(), sim.route_choice_reference(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
