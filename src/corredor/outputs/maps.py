"""Maps of the network: mean flow per edge (with an inset of the Ecuador–Colombia–Peru
corridor, where the model's detail is), and the change in flow between two scenarios.

Edges are drawn as gentle arcs bending to the right of their direction, so that the two
directions of a pair and a leg lying along a longer one stay apart; thin lines are drawn
over thick ones, so a large flow never hides a small one. Nodes are dots coloured by
kind over Natural Earth outlines; labels are placed where they do not cover each other.
`map_figure` and `change_map_figure` return figures; `plot_map` and
`plot_flow_change_map` write PNGs.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import Bbox

from corredor.outputs.style import (
    COAST,
    FLOW_COLOUR,
    IDLE_COLOUR,
    KIND_COLOURS,
    LAND,
    NEUTRAL_COLOUR,
    SEA,
    country_polygons,
    new_figure,
    note,
    period,
    replicates_note,
    save,
    tonnes,
)

MAX_WIDTH = 8.0  # points, for the largest edge flow on the map
MIN_WIDTH = 0.6  # points, so that small positive flows stay visible
BEND = 0.12  # arcs bulge by this share of their length
# The inset: Ecuador, southern Colombia and northern Peru (lon0, lon1, lat0, lat1), where
# the ports and border crossings the policies act on lie a few dozen km apart.
INSET = (-82.6, -75.2, -5.9, 4.6)
INSET_LABELS = ("port", "border")  # node kinds named in the inset
INSET_COUNTRIES = {"EC": "ECUADOR", "CO": "COLOMBIA", "PE": "PERU"}
INCREASE_COLOUR = "#b2182b"  # more flow than the reference
DECREASE_COLOUR = "#2166ac"  # less flow than the reference


# --- the flow map ---------------------------------------------------------------------------


def map_figure(ds: xr.Dataset) -> Figure:
    """Map of the mean flow on each edge, in tonnes per year, with a corridor inset.

    `flow_kg` (kg/week) is summed over the whole run, divided by the number of calendar
    years and averaged over replicates; parallel edges (same origin and destination,
    different modes) are added together. Line width is proportional to that flow (the
    same scale on the map and in the inset); edges that carried nothing are thin faint
    dashes. The frame fits the node coordinates with a margin; a lone node far from the
    rest (e.g. an Asia-Oceania market) is pinned to the frame edge in the direction its
    routes leave, with its name. When at least three nodes lie in the Ecuador–Colombia–
    Peru corridor, an inset (right) shows it enlarged, its ports and border crossings
    named; a rectangle on the map marks it.
    """
    n_years = max(len(np.unique(ds["year"].values)), 1)
    flow = ds["flow_kg"].sum("time") / 1000.0 / n_years
    flow = flow.mean("replicate") if "replicate" in flow.dims else flow
    geo = _Geometry(ds)
    pairs: dict[tuple[int, int], float] = {}
    for a, b, f in zip(ds["edge_from"].values, ds["edge_to"].values, flow.values, strict=True):
        key = (geo.index[str(a)], geo.index[str(b)])
        pairs[key] = pairs.get(key, 0.0) + max(float(f), 0.0)
    geo.pin(list(pairs))
    values = np.asarray(list(pairs.values()))
    fmax = float(values.max()) if values.size and values.max() > 0 else 0.0

    fig, ax, ax_in = _layout(geo)
    for axes, dots in ((ax, 1.0), (ax_in, 2.2)):
        if axes is not None:
            _draw_flows(axes, geo, pairs, fmax)
            _draw_dots(axes, geo, size=dots)
    _finish_map(fig, ax, ax_in, geo, 40)
    years = ds["year"].values
    span = period((int(years.min()), int(years.max())))
    ax.set_title(f"Mean cocaine flow per edge, {span} (t/year)")
    note(ax, f"{replicates_note(ds)}; outlines: Natural Earth")
    _legends(ax_in if ax_in is not None else ax, geo, fmax)
    return fig


def _layout(geo: _Geometry) -> tuple[Figure, object, object | None]:
    """The figure and its axes: the whole network, and (when at least three nodes lie in
    it) the corridor inset on the right; land drawn on both."""
    has_inset = int(geo.inside(INSET).sum()) >= 3
    fig = new_figure(figsize=(15.5, 7.4) if has_inset else (10, 7))
    if has_inset:
        ax = fig.add_axes((0.03, 0.08, 0.52, 0.84))
        ax_in = fig.add_axes((0.60, 0.08, 0.27, 0.84))
        ax_in.set_label("inset")
        _draw_land(ax_in, INSET[0], INSET[1])
    else:
        ax = fig.add_axes((0.06, 0.08, 0.72, 0.84))
        ax_in = None
    _draw_land(ax, geo.frame[0], geo.frame[1])
    return fig, ax, ax_in


def _finish_map(fig: Figure, ax, ax_in, geo: _Geometry, pin_size: float) -> None:
    """Frames, market names, far nodes pinned; on the inset its frame on the main map,
    country names and the names of its ports and border crossings."""
    _mark_off_map(ax, geo, pin_size)
    for i in np.flatnonzero(geo.core & (geo.kinds == "market")):
        ax.annotate(
            geo.names[i],
            (geo.px[i], geo.py[i]),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=7,
            color="#7f0000",
            zorder=4,
        )
    _map_axes(ax, geo.frame)
    if ax_in is None:
        return
    ix0, ix1, iy0, iy1 = INSET
    ax.add_patch(
        Rectangle(
            (ix0, iy0), ix1 - ix0, iy1 - iy0, fill=False, edgecolor="#333333", lw=0.9, zorder=5
        )
    )
    ax.annotate(
        "inset", (ix1, iy1), xytext=(3, 2), textcoords="offset points", fontsize=7, color="#333"
    )
    _map_axes(ax_in, INSET)
    _country_names(ax_in, INSET)
    ax_in.set_title("Ecuador–Colombia–Peru corridor (inset)", fontsize=10)
    inset = geo.inside(INSET)
    named = [i for kind in INSET_LABELS for i in np.flatnonzero(inset & (geo.kinds == kind))]
    place_labels(
        fig,
        ax_in,
        [(geo.px[i], geo.py[i]) for i in named],
        [short_name(geo.names[i]) for i in named],
        obstacles=[(geo.px[i], geo.py[i]) for i in np.flatnonzero(inset)],
    )


def plot_map(ds: xr.Dataset, path: str | Path) -> Path:
    """Write `map_figure(ds)` as a PNG; returns the path."""
    return save(map_figure(ds), path)


def short_name(name: str) -> str:
    """A place's name without its explanations: 'Port of Guayaquil' -> 'Guayaquil',
    'Rumichaca crossing (Carchi–Nariño)' -> 'Rumichaca', 'Tumaco port' -> 'Tumaco'."""
    name = re.sub(r"\s*\([^)]*\)", "", name)
    name = re.sub(r"^Port of\s+", "", name)
    name = re.sub(r"\s+(port|crossing|staging area|coca region)$", "", name)
    return name.strip()


def _legends(ax, geo: _Geometry, fmax: float) -> None:
    kind_handles = [
        Line2D([], [], marker="o", linestyle="", color=colour, markersize=5, label=kind)
        for kind, colour in KIND_COLOURS.items()
        if (geo.kinds == kind).any()
    ]
    leg1 = ax.legend(
        handles=kind_handles,
        title="node kind",
        loc="upper left",
        bbox_to_anchor=(1.03, 1.0),
        fontsize=8,
        title_fontsize=8,
        frameon=False,
    )
    ax.add_artist(leg1)
    leg1.set_clip_on(False)  # add_artist clips to the axes; this legend sits outside them
    width_handles = [
        Line2D([], [], color=FLOW_COLOUR, alpha=0.7, linewidth=_width(v, fmax), label=tonnes(v))
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
        bbox_to_anchor=(1.03, 0.0),
        fontsize=8,
        title_fontsize=8,
        frameon=False,
        handlelength=3,
    )


# --- the change map -------------------------------------------------------------------------


def change_map_figure(
    reference: xr.Dataset,
    scenario: xr.Dataset,
    *,
    first: int | None = None,
    last: int | None = None,
    names: tuple[str, str] = ("reference", "scenario"),
) -> Figure:
    """Map of the change in mean flow per edge, scenario minus reference, in tonnes per year.

    `flow_kg` is summed over the years `first`–`last` (default: all years of the reference),
    divided by the number of those years, and differenced replicate by replicate (the runs
    share random numbers, so each difference is the policy's effect in that replicate).
    Parallel edges (same origin and destination, different modes) are added together. Line
    width is proportional to the mean change. Only changes whose 5–95% interval across
    replicates excludes zero are coloured: red for more flow than the reference, blue for
    less. Changes whose interval includes zero ("no distinguishable change") are drawn in
    neutral grey, thin. Changes below 1% of the largest one are left out; the network is
    drawn in light grey underneath. With one replicate there is no interval: every change
    is coloured, and the note says so.
    """
    years = np.asarray(reference["year"].values)
    first = int(years.min()) if first is None else first
    last = int(years.max()) if last is None else last
    edges = [e for e in reference["edge"].values if e in set(scenario["edge"].values)]
    ref = _window_flow_t(reference, first, last).sel(edge=edges)
    new = _window_flow_t(scenario, first, last).sel(edge=edges)
    paired = ref.sizes["replicate"] == new.sizes["replicate"]
    if paired:
        diff = new.values - ref.values  # (replicate, edge), paired
    else:  # not paired: only the difference of the means is meaningful
        diff = (new.mean("replicate") - ref.mean("replicate")).values[None, :]

    geo = _Geometry(reference)
    edge_from = reference["edge_from"].sel(edge=edges).values
    edge_to = reference["edge_to"].sel(edge=edges).values
    pair_of = [
        (geo.index[str(a)], geo.index[str(b)]) for a, b in zip(edge_from, edge_to, strict=True)
    ]
    keys = sorted(set(pair_of))
    slot = {k: j for j, k in enumerate(keys)}
    by_pair = np.zeros((diff.shape[0], len(keys)))
    np.add.at(by_pair, (slice(None), [slot[k] for k in pair_of]), diff)
    mean = by_pair.mean(axis=0)
    lo, hi = np.quantile(by_pair, [0.05, 0.95], axis=0)
    clear = (lo > 0) | (hi < 0) if by_pair.shape[0] > 1 else np.ones(len(keys), dtype=bool)
    geo.pin(keys)
    biggest = float(np.abs(mean).max()) if mean.size else 0.0

    base = [_arc(geo.px[a], geo.py[a], geo.px[b], geo.py[b]) for a, b in keys]
    shown = [j for j in range(len(keys)) if biggest > 0 and abs(mean[j]) >= 0.01 * biggest]
    neutral = [j for j in shown if not clear[j]]
    coloured = sorted((j for j in shown if clear[j]), key=lambda j: -abs(mean[j]))
    fig, ax, ax_in = _layout(geo)
    for axes, dots in ((ax, 0.6), (ax_in, 1.8)):
        if axes is None:
            continue
        axes.add_collection(
            LineCollection(base, colors="#c4c4c4", linewidths=0.5, alpha=0.7, zorder=1)
        )
        if neutral:
            axes.add_collection(
                LineCollection(
                    [base[j] for j in neutral],
                    colors=NEUTRAL_COLOUR,
                    linewidths=[min(_width(abs(mean[j]), biggest), 2.0) for j in neutral],
                    alpha=0.8,
                    capstyle="round",
                    zorder=2,
                    label="no distinguishable change",
                )
            )
        if coloured:  # thick first, so thin changes stay visible on top
            axes.add_collection(
                LineCollection(
                    [base[j] for j in coloured],
                    colors=[
                        to_rgba(INCREASE_COLOUR if mean[j] > 0 else DECREASE_COLOUR, 0.85)
                        for j in coloured
                    ],
                    linewidths=[_width(abs(mean[j]), biggest) for j in coloured],
                    capstyle="round",
                    zorder=3,
                    label="distinguishable change",
                )
            )
        _draw_dots(axes, geo, size=dots)
    if not shown:
        ax.text(
            0.5,
            0.5,
            "no change in flow on any edge",
            transform=ax.transAxes,
            ha="center",
            color="#555555",
        )
    _finish_map(fig, ax, ax_in, geo, 30)
    ax.set_title(
        f"Change in mean flow per edge, {names[1]} minus {names[0]}, "
        f"{period((first, last))} (t/year)",
        fontsize=10,
    )
    handles = [
        Line2D([], [], color=INCREASE_COLOUR, alpha=0.85, linewidth=3, label="more flow"),
        Line2D([], [], color=DECREASE_COLOUR, alpha=0.85, linewidth=3, label="less flow"),
        Line2D(
            [],
            [],
            color=NEUTRAL_COLOUR,
            linewidth=2,
            label="no distinguishable change\n(90% interval includes zero)",
        ),
    ]
    handles += [
        Line2D([], [], color="#555555", linewidth=_width(v, biggest), label=f"± {tonnes(v)}")
        for v in _key_values(biggest)
    ]
    (ax_in if ax_in is not None else ax).legend(
        handles=handles,
        title="change, t/year",
        loc="upper left",
        bbox_to_anchor=(1.03, 1.0),
        fontsize=8,
        title_fontsize=8,
        frameon=False,
        handlelength=3,
    )
    reps = diff.shape[0]
    if reps > 1:
        what = f"mean of {reps} paired replicates"
    else:
        what = (
            "one replicate: no interval, every change coloured"
            if paired
            else ("difference of means: no interval, every change coloured")
        )
    note(ax, f"{what}; outlines: Natural Earth")
    return fig


def plot_flow_change_map(
    reference: xr.Dataset,
    scenario: xr.Dataset,
    path: str | Path,
    *,
    first: int | None = None,
    last: int | None = None,
    names: tuple[str, str] = ("reference", "scenario"),
) -> Path:
    """Write `change_map_figure(...)` as a PNG; returns the path."""
    return save(change_map_figure(reference, scenario, first=first, last=last, names=names), path)


def _window_flow_t(ds: xr.Dataset, first: int, last: int) -> xr.DataArray:
    """Mean flow per edge over the calendar years first–last, t/year, by replicate."""
    years = np.asarray(ds["year"].values)
    inside = (years >= first) & (years <= last)
    n_years = max(len(np.unique(years[inside])), 1)
    flow = ds["flow_kg"].isel(time=inside).sum("time") / 1000.0 / n_years
    return flow if "replicate" in flow.dims else flow.expand_dims(replicate=[0])


# --- geometry ---------------------------------------------------------------------------------


class _Geometry:
    """Where the nodes of a results dataset are drawn: longitudes unwrapped around the
    network, the frame fitted to the main group of nodes, far nodes pinned to its edge."""

    def __init__(self, ds: xr.Dataset) -> None:
        self.ds = ds
        self.nodes = [str(n) for n in ds["node"].values]
        self.index = {n: i for i, n in enumerate(self.nodes)}
        self.kinds = np.asarray([str(k) for k in ds["node_kind"].values])
        self.names = [str(n) for n in ds["node_name"].values]
        self.lat = np.asarray(ds["node_lat"].values, dtype=float)
        self.raw_lon = np.asarray(ds["node_lon"].values, dtype=float)
        self.lon = _unwrap(self.raw_lon)
        self.core = _core_nodes(self.lon)
        (x0, x1), (y0, y1) = _extent(self.lon[self.core], self.lat[self.core])
        self.frame = (x0, x1, y0, y1)
        self.px, self.py = self.lon.copy(), self.lat.copy()

    def pin(self, links: list[tuple[int, int]]) -> None:
        self.px, self.py = _pin_off_frame(self.lon, self.lat, self.core, links, self.frame)

    def inside(self, box: tuple[float, float, float, float]) -> np.ndarray:
        x0, x1, y0, y1 = box
        return (self.lon >= x0) & (self.lon <= x1) & (self.lat >= y0) & (self.lat <= y1)


def _arc(xa: float, ya: float, xb: float, yb: float, n: int = 18) -> np.ndarray:
    """Points of a quadratic curve from a to b bulging to the right of the direction a->b
    by BEND of its length (so a->b and b->a never overlap)."""
    dx, dy = xb - xa, yb - ya
    mx, my = (xa + xb) / 2 + BEND * dy, (ya + yb) / 2 - BEND * dx
    t = np.linspace(0.0, 1.0, n)[:, None]
    a, m, b = np.array([xa, ya]), np.array([mx, my]), np.array([xb, yb])
    return (1 - t) ** 2 * a + 2 * (1 - t) * t * m + t**2 * b


def _draw_flows(ax, geo: _Geometry, pairs: dict[tuple[int, int], float], fmax: float) -> None:
    """Idle edges as faint dashes; busy ones as arcs, thickest first (thin on top)."""
    idle = [k for k, v in pairs.items() if v <= 0]
    busy = sorted(((k, v) for k, v in pairs.items() if v > 0), key=lambda kv: -kv[1])
    if idle:
        ax.add_collection(
            LineCollection(
                [_arc(geo.px[a], geo.py[a], geo.px[b], geo.py[b]) for a, b in idle],
                colors=IDLE_COLOUR,
                linewidths=0.6,
                linestyles=(0, (2, 2)),
                alpha=0.5,
                zorder=1,
            )
        )
    if busy:
        ax.add_collection(
            LineCollection(
                [_arc(geo.px[a], geo.py[a], geo.px[b], geo.py[b]) for (a, b), _ in busy],
                colors=FLOW_COLOUR,
                linewidths=[_width(v, fmax) for _, v in busy],
                alpha=0.6,
                capstyle="round",
                zorder=2,
            )
        )


def _draw_dots(ax, geo: _Geometry, size: float) -> None:
    extra = sorted(set(geo.kinds) - set(KIND_COLOURS))  # unknown kinds still get drawn
    for kind in [*KIND_COLOURS, *extra]:
        sel = (geo.kinds == kind) & geo.core
        if not sel.any():
            continue
        ax.scatter(
            geo.px[sel],
            geo.py[sel],
            s=(26 if kind == "market" else 16) * size,
            color=KIND_COLOURS.get(kind, "#444444"),
            edgecolors="white",
            linewidths=0.5,
            zorder=4,
        )


def _mark_off_map(ax, geo: _Geometry, size: float) -> None:
    """Pin nodes outside the map frame to its edge, with their name and coordinates."""
    x0, x1, _, _ = geo.frame
    for i in np.flatnonzero(~geo.core):
        colour = KIND_COLOURS.get(geo.kinds[i], "#444444")
        lon, lat = geo.lon[i], geo.lat[i]
        side = "left" if lon < x0 else "right" if lon > x1 else "center"
        marker = {"left": "<", "right": ">"}.get(side, "D")
        ax.scatter([geo.px[i]], [geo.py[i]], s=size, marker=marker, color=colour, zorder=4)
        where = f"{abs(lat):.0f}°{'S' if lat < 0 else 'N'}"
        where += f" {abs(geo.raw_lon[i]):.0f}°{'W' if geo.raw_lon[i] < 0 else 'E'}"
        ax.annotate(
            f"{geo.names[i]}\n(off map, {where})",
            (geo.px[i], geo.py[i]),
            xytext=(6 if side != "right" else -6, 0),
            textcoords="offset points",
            ha="left" if side != "right" else "right",
            va="center",
            fontsize=7,
            color="#333333",
            bbox={"facecolor": SEA, "edgecolor": "none", "alpha": 0.8, "pad": 1.0},
            zorder=5,
        )


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


def _country_names(ax, box: tuple[float, float, float, float]) -> None:
    """Faint country names at the middle of each country's land inside the box."""
    x0, x1, y0, y1 = box
    for code, label in INSET_COUNTRIES.items():
        pts = [
            ring[(ring[:, 0] >= x0) & (ring[:, 0] <= x1) & (ring[:, 1] >= y0) & (ring[:, 1] <= y1)]
            for iso, ring in country_polygons()
            if iso == code
        ]
        pts = np.concatenate(pts) if pts else np.empty((0, 2))
        if len(pts) < 3:
            continue
        x, y = np.median(pts, axis=0)
        ax.text(
            x,
            y,
            label,
            fontsize=9,
            color="#a39e92",
            ha="center",
            va="center",
            style="italic",
            zorder=0.5,
        )


def _map_axes(ax, frame: tuple[float, float, float, float]) -> None:
    """Frame, equal-distance aspect at the frame's mid-latitude, degree tick labels."""
    x0, x1, y0, y1 = frame
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1.0 / np.cos(np.deg2rad(np.clip((y0 + y1) / 2, -60, 60))))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _deg(v, "E", "W")))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _deg(v, "N", "S")))
    ax.tick_params(labelsize=8)


# Label positions tried in turn, in points from the node: (dx, dy, ha, va, leader line).
_SPOTS = [
    (6, 3, "left", "bottom", False),
    (6, -3, "left", "top", False),
    (-6, 3, "right", "bottom", False),
    (-6, -3, "right", "top", False),
    (0, 7, "center", "bottom", False),
    (0, -7, "center", "top", False),
    (16, 12, "left", "bottom", True),
    (16, -12, "left", "top", True),
    (-16, 12, "right", "bottom", True),
    (-16, -12, "right", "top", True),
    (26, 0, "left", "center", True),
    (-26, 0, "right", "center", True),
    (30, 22, "left", "bottom", True),
    (-30, 22, "right", "bottom", True),
    (30, -22, "left", "top", True),
    (-30, -22, "right", "top", True),
]


def place_labels(
    fig: Figure,
    ax,
    points: list[tuple[float, float]],
    labels: list[str],
    *,
    obstacles: list[tuple[float, float]] = (),
    fontsize: float = 7.5,
) -> list:
    """Name points without covering each other or the dots: each label takes the first
    of a list of positions around its point (near first, then farther with a leader
    line) that overlaps no label placed before, no dot and stays inside the axes; if
    none is free, the one overlapping least. Returns the text artists."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    ax.apply_aspect()
    frame = ax.get_window_extent(renderer)
    dots = [
        Bbox.from_bounds(x - 4, y - 4, 8, 8)
        for x, y in ax.transData.transform(np.asarray(obstacles, dtype=float).reshape(-1, 2))
    ]
    placed: list[Bbox] = []
    texts = []
    for (x, y), label in zip(points, labels, strict=True):
        best = None
        for dx, dy, ha, va, leader in _SPOTS:
            text = ax.annotate(
                label,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                color="#1a1a1a",
                zorder=6,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 0.6},
                arrowprops=(
                    {"arrowstyle": "-", "color": "#555555", "lw": 0.5, "shrinkA": 0, "shrinkB": 2}
                    if leader
                    else None
                ),
            )
            box = text.get_window_extent(renderer)
            own = Bbox.from_bounds(*ax.transData.transform((x, y)) - 4, 8, 8)
            cost = sum(_overlap(box, b) for b in placed) + sum(
                _overlap(box, b) for b in dots if not np.allclose(b.bounds, own.bounds)
            )
            cost += box.width * box.height - _overlap(box, frame)  # outside the axes
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, text, box)
            else:
                text.remove()
            if cost == 0:
                break
        placed.append(best[2])
        texts.append(best[1])
    return texts


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


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


def _deg(value: float, pos: str, neg: str) -> str:
    value = (value + 180.0) % 360.0 - 180.0 if pos == "E" else value
    if abs(value) < 1e-9 or abs(abs(value) - 180.0) < 1e-9:
        return f"{abs(value):.0f}°"
    return f"{abs(value):.0f}°{pos if value > 0 else neg}"
