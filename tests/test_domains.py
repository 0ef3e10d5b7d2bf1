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


def test_declared_domains_no_leg_crosses_take_their_share_of_the_effort(mini_searched):
    """An agency searches every declared domain of its jurisdictions, whether or not a
    leg crosses it: a legless domain adds its extent to what the agency's effort of that
    capability is spread over, so the legs drawn get less (and in proportion to their
    extents); other agencies and capabilities are untouched."""
    import numpy as np

    from corredor.interdiction import SEARCH, compile_interdiction

    def weights():
        sc = load_scenario(mini_searched)
        codes = sorted(set(sc.network.country_codes))
        im = compile_interdiction(sc, np.array([2016.0]), codes)
        return im, im.exposure_weight.copy()

    im, before = weights()
    path = mini_searched.parent / "mini" / "domains.csv"
    # the US agency (jurisdictions US, MX) gains 1,500 thousand km2 of legless MX waters
    path.write_text(path.read_text() + "caribbean,maritime,MX,1500,thousand km2,t\n")
    im2, after = weights()
    us, maritime = im.agencies.index("US"), SEARCH.index("maritime")
    added = im2.legless - im.legless
    assert added[us, maritime] == 1500 and added.sum() == 1500
    sea = im.covered[us] & (im.cap_index == maritime)
    assert sea.any()
    total = before[us, sea].sum()  # shares of the US maritime effort on the legs drawn
    extent = 1500 / (1500 + sum(np.unique(im.exposure[sea])))  # counted once per domain
    assert after[us, sea].sum() == pytest.approx(total * (1 - extent))
    np.testing.assert_allclose(after[us, sea] / before[us, sea], 1 - extent)
    other = np.ones_like(before, dtype=bool)
    other[us, sea] = False
    np.testing.assert_array_equal(after[other], before[other])
