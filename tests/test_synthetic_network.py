"""The benchmarks' synthetic network generator writes networks that load, cite their own
evidence and run with every invariant holding."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from conftest import assert_invariants
from corredor.analysis.evidence_check import check_scenarios
from corredor.engine import Simulation
from corredor.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("synthetic", ROOT / "benchmarks" / "synthetic.py")
synthetic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(synthetic)


def test_a_generated_network_runs_a_year_with_mass_balance(tmp_path):
    path = synthetic.build(60, seed=3, out=tmp_path / "a")
    sc = load_scenario(path)
    net = sc.network
    assert len(net.edges) == 60
    kinds = {n.kind for n in net.nodes}
    assert kinds == {"production", "hub", "border", "port", "sea", "market"}
    assert check_scenarios([sc])[1] == []  # every value cites its own evidence, in range
    sim = Simulation(sc.with_period(end=sc.start), replicates=2, seed=5, check=True)
    data = sim.run()
    assert_invariants(sim, data)
    assert data["delivered_kg"].sum() > 0 and data["flow_kg"].max() > 0


def test_the_generator_is_seeded(tmp_path):
    a = synthetic.build(60, seed=3, out=tmp_path / "a").parent
    b = synthetic.build(60, seed=3, out=tmp_path / "b").parent
    c = synthetic.build(60, seed=4, out=tmp_path / "c").parent
    files = ["scenario.toml", *(f"network/{f}" for f in ("nodes.csv", "edges.csv"))]
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert (a / "network/edges.csv").read_bytes() != (c / "network/edges.csv").read_bytes()
