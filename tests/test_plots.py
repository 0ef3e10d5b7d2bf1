"""Figures: written offline from a tiny synthetic results Dataset with the engine's schema."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from corredor.outputs.plots import country_polygons, plot_map, write_figures

PNG = b"\x89PNG\r\n\x1a\n"
NODES = {  # id: (name, kind, country, lat, lon)
    "co-narino": ("Nariño", "production", "CO", 1.6, -78.0),
    "ec-guayaquil": ("Guayaquil", "port", "EC", -2.2, -79.9),
    "sea-pac": ("Pacific", "sea", "XS", 8.0, -90.0),
    "mkt-us": ("United States", "market", "US", 39.0, -95.0),
    "mkt-asia": ("Asia and Oceania", "market", "AU", -33.9, 151.2),
}
EDGES = [  # from, to, mode
    ("co-narino", "ec-guayaquil", "road"),
    ("ec-guayaquil", "sea-pac", "gofast"),
    ("sea-pac", "mkt-us", "gofast"),
    ("ec-guayaquil", "mkt-asia", "container"),
]


def synthetic(replicates: int = 2, years: tuple[int, ...] = (2020, 2021), seed: int = 0):
    """A results Dataset with the engine's dims, coords and variables, random kg per week."""
    rng = np.random.default_rng(seed)
    year = np.repeat(years, 52)
    time = pd.to_datetime([f"{y}-01-01" for y in year]) + pd.to_timedelta(
        np.tile(np.arange(52) * 7, len(years)), unit="D"
    )
    sizes = {
        "replicate": replicates,
        "time": len(time),
        "node": len(NODES),
        "edge": len(EDGES),
        "market": 2,
        "country": 4,
        "area": 1,
        "group": 2,
        "corridor": 2,
    }

    def var(*dims):
        return (
            ("replicate", "time", *dims),
            rng.gamma(2.0, 500.0, [sizes[d] for d in ("replicate", "time", *dims)]),
        )

    nodes = list(NODES)
    coords = {
        "replicate": np.arange(replicates),
        "time": time,
        "year": ("time", year.astype(np.int64)),
        "node": nodes,
        "node_name": ("node", [NODES[n][0] for n in nodes]),
        "node_kind": ("node", [NODES[n][1] for n in nodes]),
        "node_country": ("node", [NODES[n][2] for n in nodes]),
        "node_lat": ("node", [NODES[n][3] for n in nodes]),
        "node_lon": ("node", [NODES[n][4] for n in nodes]),
        "edge": [f"{a}--{b}--{m}" for a, b, m in EDGES],
        "edge_from": ("edge", [a for a, _, _ in EDGES]),
        "edge_to": ("edge", [b for _, b, _ in EDGES]),
        "edge_mode": ("edge", [m for _, _, m in EDGES]),
        "edge_jurisdiction": ("edge", ["EC", "EC", "", "EC"]),
        "market": ["mkt-us", "mkt-asia"],
        "country": ["CO", "EC", "US", "XS"],
        "area": ["co-narino"],
        "group": ["g1", "g2"],
        "corridor": ["EC", "CO"],
    }
    data = {
        "produced_kg": var("area"),
        "delivered_kg": var("market"),
        "seized_kg": var("country"),
        "destroyed_kg": var("country"),
        "lost_kg": var(),
        "stock_kg": var(),
        "flow_kg": var("edge"),
        "interdicted_kg": var("edge"),
        "corridor_kg": var("corridor"),
        "transit_kg": var("country"),
        "price_usd_per_kg": var("market"),
        "homicides": var("node"),
        "homicides_country": var("country"),
    }
    return xr.Dataset(data, coords=coords)


def assert_png(path) -> None:
    assert path.exists() and path.read_bytes()[:8] == PNG and path.stat().st_size > 2000


def test_write_figures_writes_three_pngs(tmp_path):
    paths = write_figures(synthetic(), tmp_path / "figs")
    assert [p.name for p in paths] == ["corridors.png", "seizures.png", "map.png"]
    for p in paths:
        assert_png(p)


def test_country_outlines_ship_with_the_package():
    text = (resources.files("corredor.data.geo") / "countries.geojson").read_text("utf-8")
    features = json.loads(text)["features"]
    codes = {f["properties"]["iso2"] for f in features}
    assert len(features) >= 30
    assert {"EC", "CO", "PE", "US", "FR", "NO", "NL", "ES", "AU"} <= codes
    assert all(len(f["properties"]["iso3"]) == 3 and f["properties"]["name"] for f in features)
    assert len(country_polygons()) >= len(features)


@pytest.mark.parametrize("replicates", [1, 2])
def test_map_with_an_idle_edge(tmp_path, replicates):
    ds = synthetic(replicates=replicates, years=(2020,))
    ds["flow_kg"].loc[{"edge": ds["edge"].values[1]}] = 0.0
    assert_png(plot_map(ds, tmp_path / "map.png"))


def test_single_replicate_and_no_flow_at_all(tmp_path):
    ds = synthetic(replicates=1)
    ds["flow_kg"][:] = 0.0
    ds["seized_kg"][:] = 0.0
    for p in write_figures(ds, tmp_path):
        assert_png(p)
