"""Report figures (PNG, matplotlib Agg, no internet) from a results Dataset.

Each `plot_*` function takes the `xarray.Dataset` of a run (`Results.data`, kg per week per
replicate) and an output path, writes one PNG and returns the path; `write_figures` writes all
three. Country outlines come from the Natural Earth extract shipped in `corredor.data.geo`.
`plot_scenario_panels` and `plot_flow_change_map` compare scenarios (the HTML report's figures).
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
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

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
LAND, COAST, SEA = "#f3f0e8", "#b9b4a8", "#eaf1f6"
MAX_WIDTH = 8.0  # points, for the largest edge flow on the map
MIN_WIDTH = 0.6  # points, so that small positive flows stay visible
SPECIAL_NAMES = {"XS": "international waters"}


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


# --- helpers ------------------------------------------------------------------------------


def _annual_tonnes(da: xr.DataArray) -> xr.DataArray:
    """Sum of a weekly kg flow within each calendar year, in tonnes (keeps `replicate`)."""
    out = da.groupby("year").sum("time") / 1000.0
    return out if "replicate" in out.dims else out.expand_dims(replicate=[0])


def _n_replicates(ds: xr.Dataset) -> int:
    return int(ds.sizes.get("replicate", 1))


def _replicates_note(ds: xr.Dataset) -> str:
    n = _n_replicates(ds)
    return "1 replicate" if n == 1 else f"mean of {n} replicates"


def _year_axis(ax, years: np.ndarray) -> None:
    if len(years) <= 8:
        ax.set_xticks(years)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
    if len(years) > 1:
        ax.set_xlim(years.min(), years.max())
    else:
        ax.set_xlim(years[0] - 0.5, years[0] + 0.5)
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _palette(n: int) -> list:
    """Distinct colours, without tab10's grey (kept for "other")."""
    if n <= 9:
        cmap = plt.get_cmap("tab10")
        return [cmap(i) for i in (0, 1, 2, 3, 4, 5, 6, 8, 9)[:n]]
    cmap = plt.get_cmap("tab20")
    return [cmap(i % cmap.N) for i in range(n)]


def _save(fig, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fig.savefig(path, dpi=DPI, bbox_inches="tight", facecolor="white")
    finally:
        plt.close(fig)
    return path


# --- figures ------------------------------------------------------------------------------


def plot_corridors(ds: xr.Dataset, path: str | Path) -> Path:
    """Stacked area of cocaine dispatched per year by departure corridor, in tonnes per year.

    `corridor_kg` (kg/week) is summed over the weeks of each calendar year, then averaged over
    replicates; the corridor is the country whose port or airstrip a shipment's route leaves
    from. Corridors are stacked largest first.
    """
    t = _annual_tonnes(ds["corridor_kg"]).mean("replicate")
    totals = t.sum("year").values
    order = [str(c) for c in t["corridor"].values[np.argsort(-totals, kind="stable")]]
    years = t["year"].values
    stack = [t.sel(corridor=c).values for c in order]
    labels = [country_name(c) for c in order]
    colours = _palette(len(order))
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    if len(years) > 1:
        ax.stackplot(years, *stack, labels=labels, colors=colours, alpha=0.9, linewidth=0.3)
    else:  # one year: stacked bar, an area would have no width
        bottom = 0.0
        for values, label, colour in zip(stack, labels, colours, strict=True):
            ax.bar(years, values, bottom=bottom, width=0.6, label=label, color=colour)
            bottom = bottom + values
    ax.set_title("Flows by departure corridor")
    ax.set_ylabel("tonnes per year")
    ax.set_xlabel("year")
    _year_axis(ax, years)
    handles, names = ax.get_legend_handles_labels()
    ax.legend(
        handles[::-1],
        names[::-1],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
        title="departure corridor",
        title_fontsize=8,
    )
    _note(ax, _replicates_note(ds))
    return _save(fig, path)


def plot_seizures(ds: xr.Dataset, path: str | Path, top: int = 8) -> Path:
    """Seizures per year by the country recording them, in tonnes per year.

    `seized_kg` (kg/week) is summed within each calendar year. Lines are the mean over
    replicates; with more than one replicate a shaded band spans the 5th-95th percentile.
    The `top` countries by mean total are drawn; the rest are summed as "other" (dashed).
    """
    t = _annual_tonnes(ds["seized_kg"])
    years = t["year"].values
    mean_total = t.mean("replicate").sum("year")
    ranked = [str(c) for c in t["country"].values[np.argsort(-mean_total.values, kind="stable")]]
    keep = [c for c in ranked[:top] if float(mean_total.sel(country=c)) > 0]
    others = [c for c in ranked if c not in keep]
    series = [(country_name(c), t.sel(country=c), "-") for c in keep]
    if others and float(mean_total.sel(country=others).sum()) > 0:
        series.append((f"other ({len(others)})", t.sel(country=others).sum("country"), "--"))
    banded = _n_replicates(ds) > 1
    colours = _palette(len(keep)) + ["#555555"]
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    for (label, s, style), colour in zip(series, colours, strict=False):
        mean = s.mean("replicate").values
        marker = "o" if len(years) == 1 else None
        ax.plot(years, mean, style, color=colour, label=label, linewidth=1.6, marker=marker)
        if banded:
            lo, hi = s.quantile([0.05, 0.95], dim="replicate").values
            ax.fill_between(years, lo, hi, color=colour, alpha=0.18, linewidth=0)
    if not series:
        ax.text(0.5, 0.5, "no seizures", transform=ax.transAxes, ha="center", color="#777777")
    ax.set_title("Seizures by country")
    ax.set_ylabel("tonnes per year")
    ax.set_xlabel("year")
    _year_axis(ax, years)
    if series:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    _note(ax, _replicates_note(ds) + (", band 5–95%" if banded else ""))
    return _save(fig, path)


def _mark_off_map(ax, ds, px, py, lon, lat, core, kinds, labels, x0, x1, size) -> None:
    """Pin nodes outside the map frame to its edge, with their name and coordinates."""
    raw_lon = np.asarray(ds["node_lon"].values, dtype=float)
    for i in np.flatnonzero(~core):
        colour = KIND_COLOURS.get(kinds[i], "#444444")
        side = "left" if lon[i] < x0 else "right" if lon[i] > x1 else "center"
        marker = {"left": "<", "right": ">"}.get(side, "D")
        ax.scatter([px[i]], [py[i]], s=size, marker=marker, color=colour, zorder=3)
        where = f"{abs(lat[i]):.0f}°{'S' if lat[i] < 0 else 'N'}"
        where += f" {abs(raw_lon[i]):.0f}°{'W' if raw_lon[i] < 0 else 'E'}"
        ax.annotate(
            f"{labels[i]}\n(off map, {where})",
            (px[i], py[i]),
            xytext=(6 if side != "right" else -6, 0),
            textcoords="offset points",
            ha="left" if side != "right" else "right",
            va="center",
            fontsize=7,
            color="#333333",
            bbox={"facecolor": SEA, "edgecolor": "none", "alpha": 0.8, "pad": 1.0},
            zorder=4,
        )


def plot_map(ds: xr.Dataset, path: str | Path) -> Path:
    """Map of the mean flow on each edge, in tonnes per year.

    `flow_kg` (kg/week) is summed over the whole run, divided by the number of calendar years
    and averaged over replicates; parallel edges (same origin and destination, different
    modes) are added together. Line width is proportional to that flow; edges that carried
    nothing are thin faint dashes. Nodes are dots coloured by kind, over Natural Earth country
    outlines. The frame fits the node coordinates with a margin; a lone node far from the rest
    (e.g. an Asia-Oceania market) is pinned to the frame edge in the direction its routes
    leave, with its name.
    """
    n_years = max(len(np.unique(ds["year"].values)), 1)
    flow = ds["flow_kg"].sum("time") / 1000.0 / n_years
    flow = flow.mean("replicate") if "replicate" in flow.dims else flow
    nodes = [str(n) for n in ds["node"].values]
    kinds = np.asarray([str(k) for k in ds["node_kind"].values])
    names = [str(n) for n in ds["node_name"].values]
    lat = np.asarray(ds["node_lat"].values, dtype=float)
    lon = _unwrap(np.asarray(ds["node_lon"].values, dtype=float))
    core = _core_nodes(lon)
    (x0, x1), (y0, y1) = _extent(lon[core], lat[core])
    index = {n: i for i, n in enumerate(nodes)}
    pairs: dict[tuple[int, int], float] = {}
    for a, b, f in zip(ds["edge_from"].values, ds["edge_to"].values, flow.values, strict=True):
        key = (index[str(a)], index[str(b)])
        pairs[key] = pairs.get(key, 0.0) + max(float(f), 0.0)
    px, py = _pin_off_frame(lon, lat, core, list(pairs), (x0, x1, y0, y1))
    keys = sorted(pairs, key=pairs.get)  # thick lines on top
    values = np.asarray([pairs[k] for k in keys])
    fmax = float(values.max()) if values.size and values.max() > 0 else 0.0

    fig, ax = plt.subplots(figsize=(10, 7))
    ax.set_facecolor(SEA)
    rings = [ring for _, ring in country_polygons()]
    for shift, crosses in ((-360.0, x0 < -180.0), (360.0, x1 > 180.0)):
        if crosses:  # the frame runs past the antimeridian: draw the outlines there too
            rings += [ring + (shift, 0.0) for _, ring in country_polygons()]
    ax.add_collection(
        PolyCollection(rings, facecolor=LAND, edgecolor=COAST, linewidth=0.5, zorder=0)
    )
    idle = [k for k, v in zip(keys, values, strict=True) if v <= 0]
    busy = [(k, v) for k, v in zip(keys, values, strict=True) if v > 0]
    if idle:
        segs = [[(px[a], py[a]), (px[b], py[b])] for a, b in idle]
        ax.add_collection(
            LineCollection(
                segs,
                colors=IDLE_COLOUR,
                linewidths=0.6,
                linestyles=(0, (2, 2)),
                alpha=0.5,
                zorder=1,
            )
        )
    if busy:
        segs = [[(px[a], py[a]), (px[b], py[b])] for (a, b), _ in busy]
        widths = [_width(v, fmax) for _, v in busy]
        ax.add_collection(
            LineCollection(
                segs, colors=FLOW_COLOUR, linewidths=widths, alpha=0.7, capstyle="round", zorder=2
            )
        )
    kind_handles = []
    extra = sorted(set(kinds) - set(KIND_COLOURS))  # unknown kinds still get drawn
    for kind, colour in [*KIND_COLOURS.items(), *((k, "#444444") for k in extra)]:
        sel = kinds == kind
        if not sel.any():
            continue
        ax.scatter(
            px[sel & core],
            py[sel & core],
            s=26 if kind == "market" else 16,
            color=colour,
            edgecolors="white",
            linewidths=0.5,
            zorder=3,
        )
        kind_handles.append(
            Line2D([], [], marker="o", linestyle="", color=colour, markersize=5, label=kind)
        )
    _mark_off_map(ax, ds, px, py, lon, lat, core, kinds, names, x0, x1, 40)
    for i in np.flatnonzero(core & (kinds == "market")):
        ax.annotate(
            names[i],
            (px[i], py[i]),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=7,
            color="#7f0000",
            zorder=4,
        )

    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1.0 / np.cos(np.deg2rad(np.clip((y0 + y1) / 2, -60, 60))))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _deg(v, "E", "W")))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _deg(v, "N", "S")))
    ax.tick_params(labelsize=8)
    years = ds["year"].values
    period = f"{years.min()}" if years.min() == years.max() else f"{years.min()}–{years.max()}"
    ax.set_title(f"Mean cocaine flow per edge, {period} (t/year)")

    leg1 = ax.legend(
        handles=kind_handles,
        title="node kind",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        title_fontsize=8,
        frameon=False,
    )
    ax.add_artist(leg1)
    leg1.set_clip_on(False)  # add_artist clips to the axes; this legend sits outside them
    width_handles = [
        Line2D([], [], color=FLOW_COLOUR, alpha=0.7, linewidth=_width(v, fmax), label=_tonnes(v))
        for v in _key_values(fmax)
    ]
    width_handles.append(
        Line2D(
            [], [], color=IDLE_COLOUR, alpha=0.5, linewidth=0.6, linestyle=(0, (2, 2)), label="0"
        )
    )
    ax.legend(
        handles=width_handles,
        title="flow, t/year",
        loc="lower left",
        bbox_to_anchor=(1.01, 0.0),
        fontsize=8,
        title_fontsize=8,
        frameon=False,
        handlelength=3,
    )
    _note(ax, f"{_replicates_note(ds)}; outlines: Natural Earth")
    return _save(fig, path)


def write_figures(ds: xr.Dataset, outdir: str | Path) -> list[Path]:
    """Write corridors.png, seizures.png and map.png into `outdir` (created if needed).

    Returns the three paths, in that order.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    return [
        plot_corridors(ds, outdir / "corridors.png"),
        plot_seizures(ds, outdir / "seizures.png"),
        plot_map(ds, outdir / "map.png"),
    ]


# --- map helpers --------------------------------------------------------------------------


def _unwrap(lon: np.ndarray) -> np.ndarray:
    """Longitudes within 180° of the network's median, so that e.g. a Pacific crossing to
    Australia heads west, not across Africa."""
    if lon.size == 0:
        return lon
    ref = float(np.median(lon))
    return ref + (lon - ref + 180.0) % 360.0 - 180.0


def _core_nodes(lon: np.ndarray, gap: float = 60.0) -> np.ndarray:
    """Mask of the nodes that set the frame: all of them, unless a few (< 10%) sit more than
    `gap` degrees of longitude away from the main group."""
    mask = np.ones(lon.size, dtype=bool)
    if lon.size < 3:
        return mask
    order = np.argsort(lon)
    cuts = np.flatnonzero(np.diff(lon[order]) > gap) + 1
    groups = np.split(order, cuts)
    main = max(groups, key=len)
    if lon.size - len(main) < 0.1 * lon.size:
        mask[:] = False
        mask[main] = True
    return mask


def _pin_off_frame(lon, lat, core, links, frame) -> tuple[np.ndarray, np.ndarray]:
    """Drawing positions: off-frame nodes move, just inside the frame, to where the line
    from their linked on-frame nodes (their mean position) towards them leaves the frame."""
    x0, x1, y0, y1 = frame
    ix, iy = 0.015 * (x1 - x0), 0.015 * (y1 - y0)
    lo, hi = np.array([x0 + ix, y0 + iy]), np.array([x1 - ix, y1 - iy])
    px, py = lon.copy(), lat.copy()
    for i in np.flatnonzero(~core):
        linked = [b if a == i else a for a, b in links if i in (a, b)]
        linked = [j for j in linked if core[j]] or list(np.flatnonzero(core))
        start = np.clip([lon[linked].mean(), lat[linked].mean()], lo, hi)
        step = np.array([lon[i], lat[i]]) - start
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(step < 0, (lo - start) / step, np.where(step > 0, (hi - start) / step, 1))
        px[i], py[i] = start + min(1.0, float(t.min())) * step
    return px, py


def _extent(lon: np.ndarray, lat: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """(x0, x1), (y0, y1) around the points with a margin of 8% of the span, at least 3°."""
    pad_x = max(3.0, 0.08 * float(np.ptp(lon)))
    pad_y = max(3.0, 0.08 * float(np.ptp(lat)))
    x0, x1 = float(lon.min()) - pad_x, float(lon.max()) + pad_x
    y0 = max(float(lat.min()) - pad_y, -90.0)
    y1 = min(float(lat.max()) + pad_y, 90.0)
    return (x0, x1), (y0, y1)


def _width(value: float, fmax: float) -> float:
    if fmax <= 0:
        return MIN_WIDTH
    return max(MAX_WIDTH * value / fmax, MIN_WIDTH)


def _key_values(fmax: float) -> list[float]:
    """Two or three round flows for the width key, the largest not above `fmax`."""
    if fmax <= 0:
        return []
    exp = np.floor(np.log10(fmax))
    steps = [s * 10**exp for s in (1, 2, 5)]
    top = max(s for s in steps if s <= fmax)
    values = [top, top / 4, top / 16]
    return [v for v in values if _width(v, fmax) > MIN_WIDTH * 1.5] or [top]


def _tonnes(value: float) -> str:
    if value >= 10:
        return f"{value:,.0f}"
    return f"{value:.2g}"


def _deg(value: float, pos: str, neg: str) -> str:
    value = (value + 180.0) % 360.0 - 180.0 if pos == "E" else value
    if abs(value) < 1e-9 or abs(abs(value) - 180.0) < 1e-9:
        return f"{abs(value):.0f}°"
    return f"{abs(value):.0f}°{pos if value > 0 else neg}"


def _note(ax, text: str) -> None:
    ax.annotate(
        text,
        (1.0, 0.0),
        xytext=(0, -26),
        textcoords="offset points",
        xycoords="axes fraction",
        ha="right",
        va="top",
        fontsize=7,
        color="#777777",
    )


# --- scenario comparison figures (used by the HTML report) --------------------------------

REFERENCE_COLOUR = "#333333"
INCREASE_COLOUR = "#b2182b"  # more flow than the reference
DECREASE_COLOUR = "#2166ac"  # less flow than the reference
WINDOW_COLOUR = "#f5efdc"


def scenario_colours(n: int) -> list:
    """One colour per scenario: dark grey for the reference (the first), then distinct hues."""
    return [REFERENCE_COLOUR, *_palette(max(n - 1, 0))][:n]


def plot_scenario_panels(
    panels: list[tuple[str, dict[str, xr.DataArray]]],
    path: str | Path,
    *,
    title: str,
    ylabel: str,
    window: tuple[int, int] | None = None,
    ncols: int = 3,
) -> Path:
    """Small multiples comparing scenarios year by year, with 5–95% bands across replicates.

    `panels` is a list of (panel title, {scenario label: DataArray}); each DataArray holds one
    value per year and replicate (dims `year` and, optionally, `replicate`) in the unit named
    by `ylabel` (e.g. tonnes per year). Each scenario is a line (its mean over replicates)
    with a shaded band from the 5th to the 95th percentile; the first scenario is the
    reference, drawn in dark grey. `window` (first, last year) is shaded as the years the
    comparison table sums over.
    """
    n = max(len(panels), 1)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(min(3.6 * ncols, 12.0), 2.6 * nrows + 0.8),  # fits the page at ~80%
        squeeze=False,
        sharex=True,
        layout="constrained",
    )
    labels: list[str] = []
    for _, series in panels:
        labels += [s for s in series if s not in labels]
    colours = dict(zip(labels, scenario_colours(len(labels)), strict=True))
    for ax, (panel_title, series) in zip(axes.flat, panels, strict=False):
        years = np.asarray([0])
        for label, da in series.items():
            da = da if "replicate" in da.dims else da.expand_dims(replicate=[0])
            years = np.asarray(da["year"].values)
            mean = da.mean("replicate").values
            colour = colours[label]
            style = {"linewidth": 1.8 if label == labels[0] else 1.4, "zorder": 3}
            if len(years) == 1:
                style["marker"] = "o"
            ax.plot(years, mean, color=colour, label=label, **style)
            if da.sizes["replicate"] > 1:
                lo, hi = da.quantile([0.05, 0.95], dim="replicate").values
                ax.fill_between(years, lo, hi, color=colour, alpha=0.16, linewidth=0, zorder=2)
        if window is not None and (years.min() < window[0] or years.max() > window[1]):
            ax.axvspan(window[0] - 0.5, window[1] + 0.5, color=WINDOW_COLOUR, zorder=0)
        _year_axis(ax, years)
        ax.set_title(panel_title, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _tonnes(v) if v else "0"))
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    for row in axes:
        row[0].set_ylabel(ylabel, fontsize=8)
    handles = [Line2D([], [], color=colours[s], linewidth=1.8, label=s) for s in labels]
    if window is not None:
        handles.append(
            Line2D([], [], color=WINDOW_COLOUR, linewidth=8, label=f"window {_period(window)}")
        )
    # The title heads the legend: a suptitle and an "outside" legend would overlap.
    fig.legend(
        handles=handles,
        loc="outside upper center",
        ncol=min(len(handles), 4),
        fontsize=8,
        frameon=False,
        title=title,
        title_fontsize=11,
    )
    reps = max((da.sizes.get("replicate", 1) for _, s in panels for da in s.values()), default=1)
    note = "lines: mean" + (f"; bands: 5–95% across {reps} replicates" if reps > 1 else "")
    fig.supxlabel(note, x=0.99, ha="right", fontsize=7, color="#777777")
    return _save(fig, path)


def plot_flow_change_map(
    reference: xr.Dataset,
    scenario: xr.Dataset,
    path: str | Path,
    *,
    first: int | None = None,
    last: int | None = None,
    names: tuple[str, str] = ("reference", "scenario"),
) -> Path:
    """Map of the change in mean flow per edge, scenario minus reference, in tonnes per year.

    `flow_kg` is summed over the years `first`–`last` (default: all years of the reference),
    divided by the number of those years, and differenced replicate by replicate (the runs
    share random numbers, so each difference is the policy's effect in that replicate).
    Parallel edges (same origin and destination, different modes) are added together. Line
    width is proportional to the mean change; red means more flow than the reference, blue
    less; a faded line means the 5–95% interval of the change across replicates includes
    zero. Changes below 1% of the largest one are left out; the network is drawn in light
    grey underneath. Nodes, outlines and frame follow `plot_map`.
    """
    years = np.asarray(reference["year"].values)
    first = int(years.min()) if first is None else first
    last = int(years.max()) if last is None else last
    edges = [e for e in reference["edge"].values if e in set(scenario["edge"].values)]
    ref = _window_flow_t(reference, first, last).sel(edge=edges)
    new = _window_flow_t(scenario, first, last).sel(edge=edges)
    if ref.sizes["replicate"] == new.sizes["replicate"]:
        diff = new.values - ref.values  # (replicate, edge), paired
    else:  # not paired: only the difference of the means is meaningful
        diff = (new.mean("replicate") - ref.mean("replicate")).values[None, :]

    nodes = [str(n) for n in reference["node"].values]
    index = {n: i for i, n in enumerate(nodes)}
    edge_from = reference["edge_from"].sel(edge=edges).values
    edge_to = reference["edge_to"].sel(edge=edges).values
    keys = sorted({(index[str(a)], index[str(b)]) for a, b in zip(edge_from, edge_to, strict=True)})
    slot = {k: j for j, k in enumerate(keys)}
    cols = [slot[(index[str(a)], index[str(b)])] for a, b in zip(edge_from, edge_to, strict=True)]
    by_pair = np.zeros((diff.shape[0], len(keys)))
    np.add.at(by_pair, (slice(None), cols), diff)
    mean = by_pair.mean(axis=0)
    lo, hi = np.quantile(by_pair, [0.05, 0.95], axis=0)
    clear = (lo > 0) | (hi < 0)

    kinds = np.asarray([str(k) for k in reference["node_kind"].values])
    labels = [str(n) for n in reference["node_name"].values]
    lat = np.asarray(reference["node_lat"].values, dtype=float)
    lon = _unwrap(np.asarray(reference["node_lon"].values, dtype=float))
    core = _core_nodes(lon)
    (x0, x1), (y0, y1) = _extent(lon[core], lat[core])
    px, py = _pin_off_frame(lon, lat, core, keys, (x0, x1, y0, y1))
    biggest = float(np.abs(mean).max()) if mean.size else 0.0

    fig, ax = plt.subplots(figsize=(10, 7))
    _draw_land(ax, x0, x1)
    ax.add_collection(
        LineCollection(
            [[(px[a], py[a]), (px[b], py[b])] for a, b in keys],
            colors="#c4c4c4",
            linewidths=0.5,
            alpha=0.7,
            zorder=1,
        )
    )
    shown = [j for j in np.argsort(np.abs(mean)) if biggest > 0 and abs(mean[j]) >= 0.01 * biggest]
    if shown:
        ax.add_collection(
            LineCollection(
                [
                    [(px[keys[j][0]], py[keys[j][0]]), (px[keys[j][1]], py[keys[j][1]])]
                    for j in shown
                ],
                colors=[
                    _with_alpha(INCREASE_COLOUR if mean[j] > 0 else DECREASE_COLOUR, clear[j])
                    for j in shown
                ],
                linewidths=[_width(abs(mean[j]), biggest) for j in shown],
                capstyle="round",
                zorder=2,
            )
        )
    else:
        ax.text(
            0.5,
            0.5,
            "no change in flow on any edge",
            transform=ax.transAxes,
            ha="center",
            color="#555555",
        )
    _draw_nodes(ax, reference, kinds, labels, lat, lon, core, px, py, (x0, x1))
    _map_axes(ax, (x0, x1, y0, y1))
    ax.set_title(
        f"Change in mean flow per edge, {names[1]} minus {names[0]}, "
        f"{_period((first, last))} (t/year)",
        fontsize=10,
    )
    handles = [
        Line2D([], [], color=_with_alpha(INCREASE_COLOUR, True), linewidth=3, label="more flow"),
        Line2D([], [], color=_with_alpha(DECREASE_COLOUR, True), linewidth=3, label="less flow"),
        Line2D(
            [],
            [],
            color=_with_alpha(DECREASE_COLOUR, False),
            linewidth=3,
            label="faded: 90% interval\nincludes zero",
        ),
    ]
    handles += [
        Line2D([], [], color="#555555", linewidth=_width(v, biggest), label=f"± {_tonnes(v)}")
        for v in _key_values(biggest)
    ]
    ax.legend(
        handles=handles,
        title="change, t/year",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        title_fontsize=8,
        frameon=False,
        handlelength=3,
    )
    reps = diff.shape[0]
    note = f"mean of {reps} paired replicates" if reps > 1 else "difference of means"
    _note(ax, f"{note}; outlines: Natural Earth")
    return _save(fig, path)


def _period(window: tuple[int, int]) -> str:
    return f"{window[0]}" if window[0] == window[1] else f"{window[0]}–{window[1]}"


def _window_flow_t(ds: xr.Dataset, first: int, last: int) -> xr.DataArray:
    """Mean flow per edge over the calendar years first–last, t/year, by replicate."""
    years = np.asarray(ds["year"].values)
    inside = (years >= first) & (years <= last)
    n_years = max(len(np.unique(years[inside])), 1)
    flow = ds["flow_kg"].isel(time=inside).sum("time") / 1000.0 / n_years
    return flow if "replicate" in flow.dims else flow.expand_dims(replicate=[0])


def _with_alpha(colour: str, strong: bool) -> tuple:
    # Faded lines stay readable on the land colour; alpha is baked into the RGBA tuple so
    # that one LineCollection can mix strong and faded edges.
    r, g, b, _ = to_rgba(colour)
    return (r, g, b, 0.85 if strong else 0.3)


def _draw_land(ax, x0: float, x1: float) -> None:
    """Sea background and country outlines, repeated across the antimeridian if needed."""
    ax.set_facecolor(SEA)
    rings = [ring for _, ring in country_polygons()]
    for shift, crosses in ((-360.0, x0 < -180.0), (360.0, x1 > 180.0)):
        if crosses:
            rings += [ring + (shift, 0.0) for _, ring in country_polygons()]
    ax.add_collection(
        PolyCollection(rings, facecolor=LAND, edgecolor=COAST, linewidth=0.5, zorder=0)
    )


def _draw_nodes(ax, ds, kinds, labels, lat, lon, core, px, py, xrange) -> None:
    """Small dots coloured by node kind; market names; off-frame nodes pinned and named."""
    x0, x1 = xrange
    for kind in sorted(set(kinds)):
        sel = (kinds == kind) & core
        ax.scatter(
            px[sel],
            py[sel],
            s=18 if kind == "market" else 8,
            color=KIND_COLOURS.get(kind, "#444444"),
            edgecolors="white",
            linewidths=0.4,
            zorder=3,
        )
    for i in np.flatnonzero(core & (kinds == "market")):
        ax.annotate(
            labels[i],
            (px[i], py[i]),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=7,
            color="#7f0000",
            zorder=4,
        )
    _mark_off_map(ax, ds, px, py, lon, lat, core, kinds, labels, x0, x1, 30)


def _map_axes(ax, frame: tuple[float, float, float, float]) -> None:
    """Frame, equal-distance aspect at the frame's mid-latitude, degree tick labels."""
    x0, x1, y0, y1 = frame
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1.0 / np.cos(np.deg2rad(np.clip((y0 + y1) / 2, -60, 60))))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _deg(v, "E", "W")))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _deg(v, "N", "S")))
    ax.tick_params(labelsize=8)


def sensitivity_figure(res, path) -> None:
    """Horizontal bars per outcome: total (Sobol ST) or mu* (Morris) with confidence."""
    outcomes = list(res.indices)
    top = 12
    fig, axes = plt.subplots(
        1, len(outcomes), figsize=(5.2 * len(outcomes), 0.35 * top + 1.6), squeeze=False
    )
    for ax, name in zip(axes[0], outcomes, strict=True):
        df = res.indices[name].head(top).iloc[::-1]
        if res.method == "sobol":
            ax.barh(df.parameter, df.ST, xerr=df.ST_conf, color="#4477aa", label="total (ST)")
            ax.barh(df.parameter, df.S1, color="#ee6677", height=0.4, label="first order (S1)")
            ax.set_xlabel("share of variance")
            ax.legend(loc="lower right", fontsize=8)
        else:
            ax.barh(df.parameter, df.mu_star, xerr=df.mu_star_conf, color="#4477aa")
            ax.set_xlabel("mu* (outcome units per parameter range)")
        ax.set_title(f"{name}, {res.first}–{res.last}", fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
    fig.suptitle(f"{res.method.capitalize()} sensitivity ({res.runs} runs)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
