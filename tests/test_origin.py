"""Seizures at origin: labs and stockpiles taken in producing countries before dispatch."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from conftest import MINI, assert_invariants
from corredor import interdiction
from corredor.engine import Simulation
from corredor.scenario import build_scenario, load_scenario


def _mini(origin_budget, k_origin=0.01, interventions=None):
    sc = load_scenario(MINI)
    raw = copy.deepcopy(sc.raw)
    raw["agencies"]["CO"] = dict(
        country="CO", jurisdictions=["CO"], budget={"road": 5, "origin": origin_budget}
    )
    raw.setdefault("parameters", {})["interdiction.k_origin"] = k_origin
    if interventions:
        raw["interventions"] = interventions
    return build_scenario(raw, name="mini-origin", file="mini-origin.toml", network=sc.network)


def test_origin_seizures_are_credited_to_the_producing_country_and_balance():
    sc = _mini(20)
    sim = Simulation(sc, replicates=2, seed=3, check=True)
    data = sim.run()
    assert_invariants(sim, data)
    countries = list(sim.c.countries)
    origin = data["seized_origin_kg"]
    assert origin[..., countries.index("CO")].sum() > 0
    others = [i for i, c in enumerate(countries) if c != "CO"]
    assert origin[..., others].sum() == 0
    assert (origin <= data["seized_kg"] + 1e-9).all()  # part of the seizures


def test_more_origin_effort_seizes_more_at_origin_and_delivers_less():
    runs = {}
    for budget in (0, 10, 40):
        data = Simulation(_mini(budget), replicates=2, seed=3).run()
        runs[budget] = (data["seized_origin_kg"].sum(), data["delivered_kg"].sum())
    assert runs[0][0] == 0
    assert runs[0][0] < runs[10][0] < runs[40][0]
    assert runs[40][1] < runs[0][1]


def test_an_origin_budget_intervention_changes_origin_seizures_from_its_date():
    base = Simulation(_mini(10), replicates=1, seed=3, resolution="year").run()
    raid = [
        dict(
            name="lab raids doubled",
            what="budget",
            agency="CO",
            capability="origin",
            factor=2.0,
            **{"from": "2018-01-01"},
            refs=["x"],
        )
    ]
    more = Simulation(_mini(10, interventions=raid), replicates=1, seed=3, resolution="year").run()
    by_year = (more["seized_origin_kg"] - base["seized_origin_kg"]).sum(axis=(0, 2))
    assert np.allclose(by_year[:3], 0.0)  # 2015-2017 unchanged
    assert (by_year[3:] > 0).all()


@pytest.mark.parametrize("k", [0.0, 1e-3, 0.1, 5.0])
def test_origin_share_is_a_probability(k):
    share = interdiction.origin_seizure_share(np.array([[0.0, 1.0, 100.0]]), k)
    assert ((share >= 0) & (share <= 1)).all()
    assert share[0, 0] == 0.0
