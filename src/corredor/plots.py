"""Report figures (PNG, matplotlib, no internet) from a results Dataset.

Each function takes the `xarray.Dataset` of a run (`Results.data`) and a path. Country
outlines come from the package's Natural Earth extract (`data/geo/countries.geojson`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

KIND_COLOURS = {
    "production": "#2ca02c",
    "hub": "#8c564b",
    "border": "#ff7f0e",
    "port": "#1f77b4",
    "sea": "#17becf",
    "transit": "#9467bd",
    "market": "#d62728",
}
DPI = 120


@lru_cache(maxsize=1)
def country_polygons() -> list[tuple[str, np.ndarray]]:
    """(iso2, ring) pairs for every outer ring of the shipped country outlines."""
    path = resources.files("corredor") / "data" / "geo" / "countries.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    rings = []
    for feature in data["features"]:
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for poly in polys:
            rings.append((feature["properties"]["iso2"], np.asarray(poly[0], dtype=float)))
    return rings


def _annual_tonnes(da: xr.DataArray) -> xr.DataArray:
    return da.groupby("year").sum("time") / 1000.0


def plot_corridors(ds: xr.Dataset, path: Path) -> Path:
    """Stacked area: tonnes dispatched per year by departure country of the route
    (mean over replicates)."""
    t = _annual_tonnes(ds["corridor_kg"]).mean("replicate")
    fig, ax = plt.subplots(figsize=(8, 4.5))
    order = t.sum("year").sortby(t.sum("year"), ascending=False)["corridor"].values
    ax.stackplot(
        t["year"].values, *[t.sel(corridor=k).values for k in order], labels=order, alpha=0.85
    )
    ax.set_title("Flows by departure corridor (country where shipments leave by sea or air)")
    ax.set_ylabel("tonnes per year")
    ax.legend(loc="upper left", fontsize=8, ncol=2, frameon=False)
    ax.margins(x=0)
    return _save(fig, path)


def plot_seizures(ds: xr.Dataset, path: Path, top: int = 8) -> Path:
    """Seizures per year (t) by the country where they were recorded: mean line and,
    with several replicates, the 5-95% band."""
    t = _annual_tonnes(ds["seized_kg"])
    ranked = (
        t.mean("replicate").sum("year").sortby(t.mean("replicate").sum("year"), ascending=False)
    )
    keep = [c for c in ranked["country"].values[:top] if float(ranked.sel(country=c)) > 0]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    years = t["year"].values
    for code in keep:
        series = t.sel(country=code)
        line = ax.plot(years, series.mean("replicate"), label=code)[0]
        if series.sizes["replicate"] > 1:
            lo, hi = series.quantile([0.05, 0.95], dim="replicate").values
            ax.fill_between(years, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
    others = [c for c in t["country"].values if c not in keep]
    if others:
        ax.plot(
            years,
            t.sel(country=others).sum("country").mean("replicate"),
            "k--",
            label="other",
            linewidth=1,
        )
    ax.set_title("Seizures by country where recorded")
    ax.set_ylabel("tonnes per year")
    ax.legend(fontsize=8, ncol=3, frameon=False)
    ax.margins(x=0)
    return _save(fig, path)


def plot_map(ds: xr.Dataset, path: Path) -> Path:
    """Map of mean edge flows (t/year over the run and replicates) on country outlines."""
    flows = (ds["flow_kg"].sum("time") / 1000.0).mean("replicate")
    flows = flows / max(len(np.unique(ds["year"].values)), 1)
    lat = dict(zip(ds["node"].values, ds["node_lat"].values, strict=True))
    lon = dict(zip(ds["node"].values, ds["node_lon"].values, strict=True))
    xs, ys = np.asarray(ds["node_lon"].values), np.asarray(ds["node_lat"].values)
    # Frame the bulk of the network; a far-off market (e.g. Australia) is drawn off-frame.
    x_lo, x_hi = np.percentile(xs, [0, 97]) if len(xs) > 20 else (xs.min(), xs.max())
    pad_x, pad_y = max(5.0, 0.08 * (x_hi - x_lo)), max(5.0, 0.08 * np.ptp(ys))
    fig, ax = plt.subplots(figsize=(11, 6.5))
    rings = [ring for _, ring in country_polygons()]
    ax.add_collection(
        PolyCollection(rings, facecolor="#f2f2ee", edgecolor="#b5b5b5", linewidth=0.4, zorder=0)
    )
    segs = [
        [(lon[a], lat[a]), (lon[b], lat[b])]
        for a, b in zip(ds["edge_from"].values, ds["edge_to"].values, strict=True)
    ]
    f = flows.values
    top = float(f.max()) if f.size and f.max() > 0 else 1.0
    widths = 0.3 + 6.0 * f / top
    colours = np.where(f > 0, "#b2182b", "#cccccc")
    alphas = np.where(f > 0, 0.75, 0.4)
    lc = LineCollection(segs, linewidths=widths, colors=colours, zorder=1)
    lc.set_alpha(None)
    lc.set_color([matplotlib.colors.to_rgba(c, a) for c, a in zip(colours, alphas, strict=True)])
    ax.add_collection(lc)
    for kind, colour in KIND_COLOURS.items():
        sel = ds["node_kind"].values == kind
        if sel.any():
            ax.scatter(
                xs[sel],
                ys[sel],
                s=14,
                color=colour,
                zorder=2,
                label=kind,
                edgecolors="white",
                linewidths=0.4,
            )
    ax.set_xlim(x_lo - pad_x, x_hi + pad_x)
    ax.set_ylim(ys.min() - pad_y, ys.max() + pad_y)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    years = ds["year"].values
    ax.set_title(f"Mean cocaine flow per edge, {years.min()}–{years.max()} (t/year)")
    handles, labels = ax.get_legend_handles_labels()
    for value in (top / 4, top):
        handles.append(Line2D([], [], color="#b2182b", linewidth=0.3 + 6.0 * value / top))
        labels.append(f"{value:,.0f} t/yr")
    ax.legend(handles, labels, loc="lower left", fontsize=7, frameon=True, ncol=2)
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    path = Path(path)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def write_figures(ds: xr.Dataset, outdir: str | Path) -> list[Path]:
    """Write corridors.png, seizures.png and map.png into `outdir`; returns the paths."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    return [
        plot_corridors(ds, outdir / "corridors.png"),
        plot_seizures(ds, outdir / "seizures.png"),
        plot_map(ds, outdir / "map.png"),
    ]
