"""Figures: written offline from the results, for the test corridor and edge cases."""

from __future__ import annotations

import json
from importlib import resources

import pytest

import corredor
from conftest import MINI
from corredor.plots import country_polygons, write_figures


@pytest.fixture(scope="module")
def results():
    return corredor.run(MINI, replicates=2, seed=3, end=2016)


def test_write_figures(results, tmp_path):
    paths = write_figures(results.data, tmp_path)
    assert [p.name for p in paths] == ["corridors.png", "seizures.png", "map.png"]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000


def test_single_replicate_and_zero_flow_edges(tmp_path):
    res = corredor.run(MINI, replicates=1, seed=3, end=2015)
    ds = res.data.copy()
    ds["flow_kg"][:] = 0.0  # a map with no flow at all still draws
    assert len(write_figures(ds, tmp_path)) == 3


def test_country_outlines_ship_with_the_package():
    text = (resources.files("corredor") / "data" / "geo" / "countries.geojson").read_text()
    codes = {f["properties"]["iso2"] for f in json.loads(text)["features"]}
    assert len(codes) >= 30 and {"EC", "CO", "PE", "US", "BE", "NL", "ES"} <= codes
    assert len(country_polygons()) >= len(codes)
