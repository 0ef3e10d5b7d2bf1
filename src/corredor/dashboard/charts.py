"""Plotly figures for the dashboard, drawn from the tidy tables `model.py` returns.

Everything is local: maps are plain `go.Scatter` traces on longitude and latitude over
the country outlines the package ships (no map tiles, no mapbox, no geo traces, which
would fetch outlines from the web), and `CONFIG` tells plotly.js to load nothing remote.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

# plotly.js options for st.plotly_chart: no link to the plotly cloud, no remote outlines.
CONFIG = {
    "displaylogo": False,
    "showLink": False,
    "showSendToCloud": False,
    "topojsonURL": "",
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
KIND_COLOURS = {
    "production": "#1b9e77",
    "hub": "#7570b3",
    "border": "#e6ab02",
    "port": "#1f78b4",
    "sea": "#66c2e0",
    "transit": "#a6761d",
    "market": "#d7301f",
}
LAND, COAST, SEA, FLOW = "#f3f0e8", "#b9b4a8", "#eaf1f6", "#b2182b"
WIDTH_CLASSES = 6  # line widths on the map (plotly draws one width per trace)
MAX_WIDTH = 6.0


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _layout(fig: go.Figure, title: str, unit: str, years, height: int = 360) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left"),
        height=height,
        margin=dict(l=10, r=10, t=50, b=10),
        yaxis_title=unit,
        xaxis_title="year",
        hovermode="x unified",
        legend=dict(orientation="v", x=1.01, y=1, font=dict(size=11)),
    )
    span = int(np.ptp(years)) if len(years) else 0
    fig.update_xaxes(dtick=1 if span <= 16 else None, tickformat="d")
    fig.update_yaxes(rangemode="tozero")
    return fig


def bands(
    df: pd.DataFrame,
    *,
    title: str,
    unit: str,
    names: dict[str, str] | None = None,
    observed: pd.DataFrame | None = None,
    height: int = 360,
    log: bool = False,
) -> go.Figure:
    """Lines of the mean per region with a shaded 5-95% band across replicates; observed
    values (year, region, value) as markers of the same colour."""
    names = names or {}
    fig = go.Figure()
    regions = list(dict.fromkeys(df["region"]))
    for i, region in enumerate(regions):
        colour = PALETTE[i % len(PALETTE)]
        d = df[df["region"] == region].sort_values("year")
        label = names.get(region, region)
        if (d["p95"] > d["p05"]).any():
            fig.add_trace(
                go.Scatter(
                    x=np.r_[d["year"], d["year"][::-1]],
                    y=np.r_[d["p95"], d["p05"][::-1]],
                    fill="toself",
                    fillcolor=_rgba(colour, 0.18),
                    line=dict(width=0),
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=region,
                )
            )
        fig.add_trace(
            go.Scatter(
                x=d["year"],
                y=d["mean"],
                name=label,
                legendgroup=region,
                line=dict(color=colour, width=2),
                customdata=np.c_[d["p05"], d["p95"]],
                hovertemplate=f"{label}: %{{y:,.1f}} {unit} "
                f"[%{{customdata[0]:,.1f}}–%{{customdata[1]:,.1f}}]<extra></extra>",
            )
        )
        if observed is not None:
            o = observed[observed["region"] == region]
            if len(o):
                fig.add_trace(
                    go.Scatter(
                        x=o["year"],
                        y=o["value"],
                        mode="markers",
                        name=f"{label}, observed",
                        legendgroup=region,
                        marker=dict(color=colour, symbol="diamond-open", size=9, line_width=2),
                        hovertemplate=f"{label} observed: %{{y:,.1f}} {unit}<extra></extra>",
                    )
                )
    fig = _layout(fig, title, unit, df["year"].to_numpy(), height)
    if log:
        fig.update_yaxes(type="log", rangemode="normal", tickvals=_ticks_125(df), tickformat=",.0f")
    return fig


def _ticks_125(df: pd.DataFrame) -> list[float]:
    """Tick values 1, 2, 5 × 10^k spanning a table's bands (for a logarithmic axis)."""
    values = df[["p05", "mean", "p95"]].to_numpy(float)
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return []
    low, high = values.min(), values.max()
    ticks = []
    for power in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for m in (1, 2, 5):
            v = m * 10.0**power
            if low / 2 <= v <= high * 2:
                ticks.append(v)
    return ticks


def stacked(
    df: pd.DataFrame, *, title: str, unit: str, names: dict[str, str] | None = None
) -> go.Figure:
    """Stacked areas of the mean per region, largest first."""
    names = names or {}
    order = df.groupby("region")["mean"].sum().sort_values(ascending=False).index
    fig = go.Figure()
    for i, region in enumerate(order):
        d = df[df["region"] == region].sort_values("year")
        label = names.get(region, region)
        fig.add_trace(
            go.Scatter(
                x=d["year"],
                y=d["mean"],
                name=label,
                stackgroup="one",
                line=dict(width=0.5, color=PALETTE[i % len(PALETTE)]),
                hovertemplate=f"{label}: %{{y:,.0f}} {unit}<extra></extra>",
            )
        )
    return _layout(fig, title, unit, df["year"].to_numpy())


def _unwrap(lon: np.ndarray) -> np.ndarray:
    """Longitudes within 180° of the median, so a Pacific crossing heads west."""
    ref = float(np.median(lon)) if lon.size else 0.0
    return ref + (lon - ref + 180.0) % 360.0 - 180.0


def frame(nodes: pd.DataFrame, countries: tuple[str, ...] | None, margin: float = 1.5):
    """((lon0, lon1), (lat0, lat1)) around the nodes of `countries` (all when None)."""
    sel = nodes if countries is None else nodes[nodes["country"].isin(countries)]
    lon = _unwrap(nodes["lon"].to_numpy())[sel.index.to_numpy()]
    lat = sel["lat"].to_numpy()
    return (lon.min() - margin, lon.max() + margin), (lat.min() - margin, lat.max() + margin)


def flow_map(
    edges: pd.DataFrame,
    nodes: pd.DataFrame,
    outlines: list[tuple[str, np.ndarray]],
    *,
    title: str,
    extent: tuple[tuple[float, float], tuple[float, float]],
    height: int = 620,
) -> go.Figure:
    """Flow on every edge (t/year, line width by flow class) over the country outlines.

    `edges` has source, target, mode and t for one year; parallel legs (same places,
    different modes) are added together. Hovering a leg's midpoint gives its flow.
    """
    nodes = nodes.reset_index(drop=True)
    lon = _unwrap(nodes["lon"].to_numpy())
    lat = nodes["lat"].to_numpy()
    idx = {n: i for i, n in enumerate(nodes["node"])}
    (x0, x1), (y0, y1) = extent
    fig = go.Figure()
    # land: every outline ring as one filled trace (None separates the rings)
    xs: list = []
    ys: list = []
    shift = float(np.median(lon)) if len(lon) else 0.0
    for _, ring in outlines:
        rx = ring[:, 0]
        # draw each ring on the side of the antimeridian the network sits on
        rx = rx + 360.0 * np.round((shift - rx.mean()) / 360.0)
        xs += [*rx, None]
        ys += [*ring[:, 1], None]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            fill="toself",
            fillcolor=LAND,
            line=dict(color=COAST, width=0.6),
            hoverinfo="skip",
            showlegend=False,
        )
    )
    pairs = edges.groupby(["source", "target"], as_index=False).agg(
        t=("t", "sum"), modes=("mode", lambda m: ", ".join(sorted(set(m))))
    )
    pairs = pairs[pairs["source"].isin(idx) & pairs["target"].isin(idx)]
    fmax = float(pairs["t"].max()) if len(pairs) else 0.0
    idle = pairs[pairs["t"] <= 0]
    busy = pairs[pairs["t"] > 0]
    if len(idle):
        fig.add_trace(_segments(idle, idx, lon, lat, "#9a9a9a", 0.7, "no flow", dash="dot"))
    if len(busy) and fmax > 0:
        # classes of equal width on a square-root scale, so small flows stay visible
        level = np.ceil(np.sqrt(busy["t"] / fmax) * WIDTH_CLASSES).clip(1, WIDTH_CLASSES)
        for k in range(1, WIDTH_CLASSES + 1):
            part = busy[level == k]
            if len(part):
                upper = fmax * (k / WIDTH_CLASSES) ** 2
                fig.add_trace(
                    _segments(
                        part,
                        idx,
                        lon,
                        lat,
                        FLOW,
                        0.8 + (MAX_WIDTH - 0.8) * k / WIDTH_CLASSES,
                        f"up to {upper:,.0f} t/year",
                    )
                )
        ends = list(zip(busy["source"], busy["target"], strict=True))
        mid_x = [(lon[idx[a]] + lon[idx[b]]) / 2 for a, b in ends]
        mid_y = [(lat[idx[a]] + lat[idx[b]]) / 2 for a, b in ends]
        names = dict(zip(nodes["node"], nodes["name"], strict=True))
        text = [
            f"{names[a]} → {names[b]} ({m}): {t:,.1f} t/year"
            for a, b, m, t in zip(busy.source, busy.target, busy.modes, busy.t, strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=mid_x,
                y=mid_y,
                mode="markers",
                marker=dict(size=8, color="rgba(0,0,0,0)"),
                text=text,
                hovertemplate="%{text}<extra></extra>",
                showlegend=False,
            )
        )
    for kind, colour in KIND_COLOURS.items():
        sel = (nodes["kind"] == kind).to_numpy()
        if sel.any():
            fig.add_trace(
                go.Scatter(
                    x=lon[sel],
                    y=lat[sel],
                    mode="markers",
                    name=kind,
                    marker=dict(
                        color=colour,
                        size=10 if kind == "market" else 7,
                        line=dict(color="white", width=0.5),
                    ),
                    text=[
                        f"{n} ({c})"
                        for n, c in zip(nodes["name"][sel], nodes["country"][sel], strict=True)
                    ],
                    hovertemplate="%{text}<extra>" + kind + "</extra>",
                )
            )
    mid = math.radians(max(min((y0 + y1) / 2, 60), -60))
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left"),
        height=height,
        margin=dict(l=10, r=10, t=50, b=10),
        plot_bgcolor=SEA,
        legend=dict(x=1.01, y=1, font=dict(size=11), title="legs and places"),
        hovermode="closest",
    )
    fig.update_xaxes(range=[x0, x1], showgrid=False, zeroline=False, ticksuffix="°", title="lon")
    fig.update_yaxes(
        range=[y0, y1],
        showgrid=False,
        zeroline=False,
        ticksuffix="°",
        title="lat",
        scaleanchor="x",
        scaleratio=1.0 / math.cos(mid),
    )
    return fig


def _segments(pairs, idx, lon, lat, colour, width, name, dash=None) -> go.Scatter:
    xs: list = []
    ys: list = []
    for a, b in zip(pairs["source"], pairs["target"], strict=True):
        xs += [lon[idx[a]], lon[idx[b]], None]
        ys += [lat[idx[a]], lat[idx[b]], None]
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        line=dict(color=colour, width=width, dash=dash),
        opacity=0.75,
        name=name,
        hoverinfo="skip",
    )


def differences(rows: pd.DataFrame, *, title: str) -> go.Figure:
    """Horizontal bars of the relative change of each outcome (% of the reference), with
    the 90% interval of the paired difference as error bars."""
    rows = rows.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=rows["pct"],
            y=rows["label"],
            orientation="h",
            marker_color=[PALETTE[3] if v > 0 else PALETTE[0] for v in rows["pct"]],
            error_x=dict(
                type="data",
                symmetric=False,
                array=rows["pct_high"] - rows["pct"],
                arrayminus=rows["pct"] - rows["pct_low"],
                color="#444444",
            ),
            hovertemplate="%{y}: %{x:+.1f}%<extra></extra>",
        )
    )
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left"),
        height=60 + 28 * len(rows),
        margin=dict(l=10, r=10, t=50, b=10),
        xaxis_title="change from the reference, % (bars: 90% interval)",
    )
    fig.add_vline(x=0, line_color="#444444", line_width=1)
    return fig
