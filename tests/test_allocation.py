"""Allocation policies and parameters drawn per replicate."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import MINI, assert_invariants
from corredor.allocation import POLICIES
from corredor.engine import Simulation
from corredor.errors import CorredorError
from corredor.interdiction import SEARCH
from corredor.scenario import build_scenario, load_scenario


def _with_policy(policy: str, **agency_changes) -> object:
    sc = load_scenario(MINI)
    raw = dict(sc.raw)
    agencies = {k: dict(v) for k, v in raw["agencies"].items()}
    for aid in agencies:
        agencies[aid]["policy"] = policy
    for aid, changes in agency_changes.items():
        agencies[aid].update(changes)
    raw["agencies"] = agencies
    return build_scenario(raw, name=f"mini-{policy}", file=sc.file, network=sc.network)


@pytest.mark.parametrize("policy", POLICIES)
def test_every_policy_spends_exactly_the_budget(policy):
    sc = _with_policy(policy, EC={"budget": {"container": 10, "road": 10, "intelligence": 5}})
    sim = Simulation(sc, replicates=3, seed=1, check=True)
    data = sim.run()
    assert_invariants(sim, data)
    m = sim.im
    # effort after a year of observations, whatever its split, adds up to the budget
    t = 60
    effort = sim.allocation.effort(t, sim.rng["allocation"], 0.5, 0.5, 1.0, 0.01)
    for a in range(len(m.agencies)):
        for ci in range(len(SEARCH)):
            on = m.covered[a] & (m.cap_index == ci)
            if not on.any():
                continue
            spent = effort[:, a, on].sum(axis=1)
            np.testing.assert_allclose(spent, m.budget[t, a, ci], rtol=1e-12)
            assert (effort[:, a, ~m.covered[a]] == 0).all()


def test_static_policy_equals_precomputed_plan():
    """The per-week path (used when effort is dynamic) gives the same detection as the
    whole-run plan for the static policy."""
    sc = load_scenario(MINI)
    static = Simulation(sc, replicates=2, seed=3)
    k_road = sc.params["interdiction.k_road"]  # the scenario's own value, drawn per replicate
    forced = Simulation(sc, replicates=2, seed=3, draws={"interdiction.k_road": [k_road] * 2})
    assert static.plan is not None and forced.plan is None
    forced._init_state()
    for t in (0, 100, 300):
        det = forced.detection(t)
        np.testing.assert_allclose(det.p_detect[0], static.plan.p_detect[t], rtol=1e-12)
        np.testing.assert_allclose(det.credit[0], static.plan.credit[t], rtol=1e-12)


def test_reactive_policy_follows_seizures():
    sc = _with_policy("reactive")
    sim = Simulation(sc, replicates=2, seed=2, check=True)
    sim.run()
    m, alloc = sim.im, sim.allocation
    a = m.agencies.index("EC")
    road = m.covered[a] & (m.cap_index == SEARCH.index("road"))
    effort = alloc.effort(0, None, 1.0, 0.0, 0.0, 0.0)[:, a, road]
    seized = alloc.recent_seized[:, road]
    assert seized.sum() > 0
    # with full weight on seizures, effort is proportional to recent seizures
    np.testing.assert_allclose(
        effort / effort.sum(axis=1, keepdims=True),
        seized / seized.sum(axis=1, keepdims=True),
        rtol=1e-9,
    )


def test_intelligence_sharpens_the_flow_estimate():
    """With much intelligence effort an intelligence-led agency's split tracks the true
    flow; without it, its estimate is noisier (larger error against the true split)."""
    errors = {}
    for intel in (0.0, 1000.0):
        # little road effort, so that the sharpened effort does not close the roads
        # (with no flow there is nothing to track)
        sc = _with_policy(
            "intelligence", EC={"budget": {"container": 10, "road": 0.5, "intelligence": intel}}
        )
        sim = Simulation(sc.with_period(2015, 2016), replicates=8, seed=4, check=True)
        sim.run()
        m, alloc = sim.im, sim.allocation
        a = m.agencies.index("EC")
        road = m.covered[a] & (m.cap_index == SEARCH.index("road"))
        rng = np.random.default_rng(0)
        t = len(sim.times) - 1
        split = alloc.effort(t, rng, 0.0, 1.0, 1.0, 0.01)[:, a, road]
        split /= split.sum(axis=1, keepdims=True)
        flow = alloc.recent_flow[:, road] / alloc.recent_flow[:, road].sum(axis=1, keepdims=True)
        errors[intel] = np.abs(split - flow).mean()
    assert errors[1000.0] < 0.2 * errors[0.0]


@pytest.mark.parametrize(
    "name, value",
    [
        ("traffickers.choice_sharpness", 8.0),
        ("violence.contest_coef", 50.0),
        ("violence.fragmentation_exponent", 0.8),
        ("production.growth_after_data", 0.2),
        ("interdiction.k_road", 0.5),
        ("modes.road.crew", 4.0),
    ],
)
def test_a_drawn_parameter_acts_like_a_scenario_value(name, value):
    """A batch whose replicates all draw one value equals a run with that value in the
    scenario (random streams are shared along the replicate axis, so replicates of a
    batch are only comparable with runs of the same batch composition)."""
    sc = load_scenario(MINI)
    batch = Simulation(sc, replicates=3, seed=9, draws={name: [value] * 3}, resolution="year")
    got = batch.run()
    raw = dict(sc.raw)
    raw["parameters"] = {**raw.get("parameters", {}), name: value}
    one = build_scenario(raw, name="mini", file=sc.file, network=sc.network)
    want = Simulation(one, replicates=3, seed=9, resolution="year").run()
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-9, atol=1e-9, err_msg=key)


def test_drawn_values_act_per_replicate():
    sc = load_scenario(MINI)
    coef = [0.0, 10.0, 1000.0]
    data = Simulation(sc, replicates=3, seed=9, draws={"violence.contest_coef": coef}).run()
    trade = data["homicides"].sum(axis=(1, 2))
    assert trade[0] < trade[1] < trade[2]


def test_bad_draws_are_refused():
    sc = load_scenario(MINI)
    with pytest.raises(CorredorError, match="cannot vary"):
        Simulation(sc, replicates=2, draws={"routes.max_hops": [3, 4]})
    with pytest.raises(CorredorError, match="one value per replicate"):
        Simulation(sc, replicates=2, draws={"violence.flow_coef": [1.0]})
    with pytest.raises(CorredorError, match="outside"):
        Simulation(sc, replicates=2, draws={"strikes.misidentified_share": [0.5, 1.5]})


def test_unknown_policy_is_a_clear_error(mini_copy):
    text = mini_copy.read_text().replace(
        "budget = { container = 20 }", 'budget = { container = 20 }\npolicy = "psychic"'
    )
    mini_copy.write_text(text)
    with pytest.raises(CorredorError, match="agencies.EU.policy"):
        load_scenario(mini_copy)
