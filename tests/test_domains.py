"""Searched domains: a leg an agency searches in a network that declares domains of its
capability, but in none of them, is reported (it would be searched as a domain of its
own and its detection could saturate)."""

from __future__ import annotations

import shutil
import warnings

import pytest

from conftest import DATA
from corredor.engine import Simulation
from corredor.interdiction import DomainWarning
from corredor.scenario import load_scenario


def test_a_searched_leg_outside_every_declared_domain_is_reported(mini_copy):
    rows = (DATA / "mini-domains.csv").read_text().splitlines()
    kept = [r for r in rows if not r.startswith("roads,road,EC,")]  # Ecuador's roads
    (mini_copy.parent / "mini" / "domains.csv").write_text("\n".join(kept) + "\n")
    with pytest.warns(DomainWarning) as seen:
        Simulation(load_scenario(mini_copy), replicates=1, seed=1)
    text = str(seen[0].message)
    assert "s-border (road, jurisdiction EC, searched by EC)" in text
    assert "border-ecport" in text and "domains.csv" in text and "Fix:" in text


def test_declared_domains_and_no_domains_file_are_silent(mini_searched, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DomainWarning)
        Simulation(load_scenario(mini_searched), replicates=1, seed=1)  # all declared
        shutil.copytree(DATA / "mini", tmp_path / "plain" / "mini")
        shutil.copy(DATA / "mini.toml", tmp_path / "plain" / "mini.toml")
        # no domains.csv: every leg is its own domain by design, nothing to report
        Simulation(load_scenario(tmp_path / "plain" / "mini.toml"), replicates=1, seed=1)
        Simulation(load_scenario("baseline"), replicates=1, seed=1)  # the default network
