"""Figures: written offline from a tiny synthetic results Dataset with the engine's schema."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.colors import to_rgba

from corredor.outputs.plots import (
    change_map_figure,
    country_polygons,
    fan_figure,
    map_figure,
    plot_map,
    response_figure,
    seizures_figure,
    sensitivity_figure,
    write_figures,
)
from corredor.outputs.style import NEUTRAL_COLOUR

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


def synthetic(
    replicates: int = 2,
    years: tuple[int, ...] = (2020, 2021),
    seed: int = 0,
    nodes: dict | None = None,
    edges: list | None = None,
):
    """A results Dataset with the engine's dims, coords and variables, random kg per week
    (on the five-node NODES/EDGES, or on the nodes and edges given)."""
    NODES = nodes or globals()["NODES"]  # noqa: N806
    EDGES = edges or globals()["EDGES"]  # noqa: N806
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
        "edge_jurisdiction": ("edge", ["EC"] * len(EDGES)),
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


# --- figures that show the corridor (issue 15) ------------------------------------------------

CORRIDOR_NAMES = (
    "Guayaquil",
    "Posorja",
    "Puerto Bolívar",
    "Manta",
    "Esmeraldas",
    "Buenaventura",
    "Tumaco",
    "Paita",
)


def network_results(seed: int = 0, replicates: int = 4, years=(2020, 2021)):
    """Random flows on the default network's nodes and edges."""
    from corredor.network import load_network

    net = load_network("andean-pacific")
    nodes = {n.id: (n.name, n.kind, n.country, n.lat, n.lon) for n in net.nodes}
    edges = [(e.from_, e.to, e.mode) for e in net.edges]
    return synthetic(replicates=replicates, years=years, seed=seed, nodes=nodes, edges=edges)


def texts_of(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_map_has_a_corridor_inset_with_ports_and_crossings_named(tmp_path):
    fig = map_figure(network_results())
    insets = [ax for ax in fig.axes if ax.get_label() == "inset"]
    assert len(insets) == 1
    names = texts_of(insets[0])
    for name in CORRIDOR_NAMES:
        assert name in names, (name, names)
    assert {"Rumichaca", "Huaquillas", "San Miguel"} <= set(names)  # border crossings
    # the inset's labels do not cover one another
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    boxes = [t.get_window_extent(renderer) for t in insets[0].texts if t.get_text() in names]
    overlaps = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]
    assert not overlaps
    # a small network has no inset
    assert not [ax for ax in map_figure(synthetic()).axes if ax.get_label() == "inset"]


def _collections(fig, label: str) -> list:
    return [c for ax in fig.axes for c in ax.collections if c.get_label() == label]


def test_change_map_draws_indistinct_changes_in_neutral_grey():
    ref = network_results(seed=1, replicates=8)
    new = ref.copy(deep=True)
    edges = list(ref["edge"].values)
    rng = np.random.default_rng(5)
    # every edge: noise that straddles zero; one edge: a clear fall in every replicate
    shape = (ref.sizes["replicate"], 1, ref.sizes["edge"])  # one shift per replicate and edge
    new["flow_kg"].values[:] = ref["flow_kg"].values + rng.normal(0.0, 300.0, shape)
    new["flow_kg"].values[:, :, edges.index(edges[0])] = 0.0
    fig = change_map_figure(ref, new, names=("reference", "policy"))
    neutral = _collections(fig, "no distinguishable change")
    coloured = _collections(fig, "distinguishable change")
    assert neutral and coloured
    grey = to_rgba(NEUTRAL_COLOUR)
    assert all(tuple(c)[:3] == grey[:3] for coll in neutral for c in coll.get_colors())
    assert all(tuple(c)[:3] != grey[:3] for coll in coloured for c in coll.get_colors())
    labels = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().texts]
    assert any("no distinguishable change" in t for t in labels)
    # the same runs: nothing coloured
    same = change_map_figure(ref, ref.copy(deep=True))
    assert not _collections(same, "distinguishable change")


def test_seizures_are_small_multiples_against_observed():
    ds = network_results(years=(2018, 2019, 2020))
    ds = ds.assign_coords(country=["CO", "EC", "US", "PE"])
    fig = seizures_figure(ds)
    titled = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titled) == 4 and any("Ecuador" in t for t in titled)
    legend = [t.get_text() for t in fig.legends[0].texts]
    assert "observed" in legend and "5–95% of replicates" in legend


def test_fan_chart_shows_median_bands_and_history():
    import pandas as pd

    rows = []
    for year in range(2015, 2026):
        for metric, region, level in (("seized_t", "EC", 100.0), ("produced_t", "world", 2e3)):
            m = level * (1 + 0.05 * (year - 2015))
            rows.append(
                dict(
                    year=year,
                    metric=metric,
                    region=region,
                    median=m,
                    p05=0.5 * m,
                    p25=0.8 * m,
                    p75=1.2 * m,
                    p95=1.6 * m,
                )
            )
    fig = fan_figure(pd.DataFrame(rows))
    assert sorted(ax.get_title() for ax in fig.axes if ax.get_title()) == [
        "Production, world",
        "Seized in Ecuador",
    ]
    legend = [t.get_text() for t in fig.legends[0].texts]
    assert legend == ["median", "50% of runs", "90% of runs", "observed"]


def test_response_curves_one_panel_per_outcome(tmp_path):
    import pandas as pd

    rows = []
    for point, (a, b) in enumerate((a, b) for a in (1.0, 2.0, 3.0) for b in (0.0, 1.0)):
        for outcome, label in (("delivered_t", "Delivered (t)"), ("homicides_ec", "Homicides")):
            rows.append(
                dict(
                    point=point,
                    effort=a,
                    share=b,
                    outcome=outcome,
                    label=label,
                    mean=10 * a + b,
                    p05=9 * a,
                    p95=11 * a + b,
                )
            )
    fig = response_figure(pd.DataFrame(rows), "effort", ["effort", "share"], unit="× budget")
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["Delivered", "Homicides"]
    assert panels[0].get_xlabel() == "effort (× budget)" and panels[0].get_ylabel() == "t"
    assert len(panels[0].lines) == 2  # one line per value of the other lever


def test_sensitivity_figure_ranks_with_units(tmp_path):
    import types

    import pandas as pd

    from corredor.analysis.uncertainty import Uncertain

    params = [
        Uncertain("traffickers.choice_sharpness", "triangular", 1, 8, 4, "e", "-"),
        Uncertain("interdiction.k_road", "lognormal", 0.01, 0.1, 0.02, "e", "1/(effort-unit·day)"),
    ]
    table = pd.DataFrame(
        dict(
            parameter=["interdiction.k_road", "noise", "traffickers.choice_sharpness"],
            mu_star=[30.0, 5.0, 1.0],
            mu_star_conf=[3.0, 1.0, 0.5],
            sigma=[1.0, 1.0, 1.0],
        )
    )
    res = types.SimpleNamespace(
        method="morris",
        indices={"delivered_eu_t": table},
        params=params,
        runs=30,
        first=2026,
        last=2030,
        against=None,
    )
    path = sensitivity_figure(res, tmp_path / "s.png")
    assert_png(path)
