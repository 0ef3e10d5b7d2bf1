"""What every figure shares: size and colours, country outlines and names, axes of years,
and how figures are made and saved.

Figures are `matplotlib.figure.Figure` objects made without pyplot: no global state, no
backend chosen at import (a notebook keeps its own), nothing to close; saving a PNG uses
the Agg renderer. Country outlines are the Natural Earth extract shipped in
`corredor.data.geo`, so nothing is downloaded.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

import matplotlib
import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

DPI = 120
KIND_COLOURS = {
    "production": "#1b9e77",
    "hub": "#7570b3",
    "border": "#e6ab02",
    "port": "#1f78b4",
    "sea": "#66c2e0",
    "transit": "#a6761d",
    "market": "#d7301f",
}
FLOW_COLOUR = "#b2182b"
IDLE_COLOUR = "#9a9a9a"
NEUTRAL_COLOUR = "#8c8c8c"  # a change not distinguishable from zero
OBSERVED_COLOUR = "#111111"
LAND, COAST, SEA = "#f3f0e8", "#b9b4a8", "#eaf1f6"
SPECIAL_NAMES = {"XS": "international waters"}


def new_figure(**kw) -> Figure:
    """A figure outside pyplot (see the module docstring); in a notebook it shows itself
    when it is a cell's value."""
    kw.setdefault("dpi", DPI)
    _show_in_notebooks()
    return Figure(**kw)


def _show_in_notebooks() -> None:
    """In an IPython kernel, display figures as PNG images unless the user already chose
    a format: pyplot's inline backend does this, but our figures never touch pyplot."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "kernel", None) is None:
        return
    formatters = shell.display_formatter.formatters
    for mime in ("image/png", "image/svg+xml", "application/pdf", "image/jpeg"):
        if mime in formatters and Figure in formatters[mime].type_printers:
            return
    from IPython.core.pylabtools import select_figure_formats

    select_figure_formats(shell, {"png"}, bbox_inches="tight", facecolor="white")


def save(fig: Figure, path: str | Path) -> Path:
    """Write the figure as PNG (white background, cropped to what is drawn)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, bbox_inches="tight", facecolor="white")
    return path


@lru_cache(maxsize=1)
def load_countries() -> dict:
    """The shipped country outlines as a GeoJSON FeatureCollection (Natural Earth 1:110m)."""
    path = resources.files("corredor.data.geo") / "countries.geojson"
    return json.loads(path.read_text(encoding="utf-8"))


def country_polygons() -> list[tuple[str, np.ndarray]]:
    """(iso2, outer ring as an (n, 2) lon/lat array) for every polygon of the outlines."""
    rings = []
    for feature in load_countries()["features"]:
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for poly in polys:
            rings.append((feature["properties"]["iso2"], np.asarray(poly[0], dtype=float)))
    return rings


def country_name(code: str) -> str:
    """Short label 'Name (XX)' for an ISO2 code; the bare code when it is unknown."""
    names = {f["properties"]["iso2"]: f["properties"]["name"] for f in load_countries()["features"]}
    name = SPECIAL_NAMES.get(code) or names.get(code)
    return f"{name} ({code})" if name else str(code)


def annual_tonnes(da: xr.DataArray) -> xr.DataArray:
    """Sum of a weekly kg flow within each calendar year, in tonnes (keeps `replicate`)."""
    out = da.groupby("year").sum("time") / 1000.0
    return out if "replicate" in out.dims else out.expand_dims(replicate=[0])


def n_replicates(ds: xr.Dataset) -> int:
    return int(ds.sizes.get("replicate", 1))


def replicates_note(ds: xr.Dataset) -> str:
    n = n_replicates(ds)
    return "1 replicate" if n == 1 else f"mean of {n} replicates"


def year_axis(ax, years: np.ndarray, *, zero: bool = True) -> None:
    """Whole years on x, light horizontal grid, no top or right frame; y from 0."""
    years = np.asarray(years)
    if len(years) <= 8:
        ax.set_xticks(years)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
    if len(years) > 1:
        ax.set_xlim(years.min(), years.max())
    elif len(years):
        ax.set_xlim(years[0] - 0.5, years[0] + 0.5)
    if zero:
        ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def palette(n: int) -> list:
    """Distinct colours, without tab10's grey (kept for "other")."""
    if n <= 9:
        cmap = matplotlib.colormaps["tab10"]
        return [cmap(i) for i in (0, 1, 2, 3, 4, 5, 6, 8, 9)[:n]]
    cmap = matplotlib.colormaps["tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def tonnes(value: float) -> str:
    """A flow for a legend or an axis: whole tonnes from 10 up, two digits below."""
    if value >= 10:
        return f"{value:,.0f}"
    return f"{value:.2g}"


def thousands(ax, axis: str = "y") -> None:
    """Tick labels with thousands separators (and no exponent)."""
    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 10 or v == 0 else f"{v:.3g}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def note(ax, text: str, *, below: float = 26) -> None:
    """A small grey note under the bottom-right corner of the axes."""
    ax.annotate(
        text,
        (1.0, 0.0),
        xytext=(0, -below),
        textcoords="offset points",
        xycoords="axes fraction",
        ha="right",
        va="top",
        fontsize=7,
        color="#777777",
    )


def period(window: tuple[int, int]) -> str:
    return f"{window[0]}" if window[0] == window[1] else f"{window[0]}–{window[1]}"
