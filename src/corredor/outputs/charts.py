"""Charts of results: what a run, an ensemble, a comparison or a sweep looks like.

Each `*_figure` function returns a `matplotlib.figure.Figure` (made without pyplot: see
`style`) and each `plot_*` function writes one PNG and returns its path:

- a run (`Results.data`, kg per week per replicate): `corridors_figure` (flows by
  departure corridor) and `seizures_figure` (one panel per country, on its own scale,
  against the observed series);
- bands: `fan_figure`, medians with 50% and 90% bands of key series against the
  observed history (an ensemble's summary, or any run's with replicates);
- comparisons (the HTML report): `plot_scenario_panels`;
- sweeps: `response_figure`, how outcomes respond to one lever;
- `results_figure(ds, kind)`: what `Results.plot(kind=...)` draws (with the maps of
  `maps`).

This module imports only the model's inputs (observed history), never the analysis
layer or results: `Results.plot` reaches it without an import circle.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from corredor.outputs.maps import map_figure
from corredor.outputs.style import (
    OBSERVED_COLOUR,
    annual_tonnes,
    country_name,
    n_replicates,
    new_figure,
    note,
    palette,
    period,
    replicates_note,
    save,
    thousands,
    tonnes,
    year_axis,
)

KINDS = ("map", "corridors", "seizures", "fan")


# --- a run ----------------------------------------------------------------------------------


def corridors_figure(ds: xr.Dataset) -> Figure:
    """Stacked area of cocaine dispatched per year by departure corridor, in tonnes per year.

    `corridor_kg` (kg/week) is summed over the weeks of each calendar year, then averaged over
    replicates; the corridor is the country whose port or airstrip a shipment's route leaves
    from. Corridors are stacked largest first.
    """
    t = annual_tonnes(ds["corridor_kg"]).mean("replicate")
    totals = t.sum("year").values
    order = [str(c) for c in t["corridor"].values[np.argsort(-totals, kind="stable")]]
    years = t["year"].values
    stack = [t.sel(corridor=c).values for c in order]
    labels = [country_name(c) for c in order]
    colours = palette(len(order))
    fig = new_figure(figsize=(8.5, 4.5))
    ax = fig.subplots()
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
    year_axis(ax, years)
    thousands(ax)
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
    note(ax, replicates_note(ds))
    return fig


def plot_corridors(ds: xr.Dataset, path: str | Path) -> Path:
    """Write `corridors_figure(ds)` as a PNG; returns the path."""
    return save(corridors_figure(ds), path)


def _observed(series: str) -> dict[str, dict[int, float]]:
    """Observed values of one history series: region -> {year: value}."""
    from corredor.history import load_history

    df = load_history()
    df = df[df.series == series]
    out: dict[str, dict[int, float]] = {}
    for region, year, value in zip(df.region, df.year, df.value, strict=True):
        out.setdefault(str(region), {})[int(year)] = float(value)
    return out


def seizures_figure(ds: xr.Dataset, top: int = 8, observed: bool = True) -> Figure:
    """Seizures per year by the country recording them, in tonnes per year: one small
    panel per country, each on its own scale, so that small series are not flattened by
    large ones.

    `seized_kg` (kg/week) is summed within each calendar year. Lines are the mean over
    replicates; with more than one replicate a shaded band spans the 5th-95th percentile.
    The `top` countries by mean total get a panel; the rest are summed as "other". With
    `observed`, the observed seizures of the history (`corredor history`) are dots.
    """
    t = annual_tonnes(ds["seized_kg"])
    years = t["year"].values
    mean_total = t.mean("replicate").sum("year")
    ranked = [str(c) for c in t["country"].values[np.argsort(-mean_total.values, kind="stable")]]
    keep = [c for c in ranked[:top] if float(mean_total.sel(country=c)) > 0]
    others = [c for c in ranked if c not in keep]
    series = [(country_name(c), t.sel(country=c), c) for c in keep]
    if others and float(mean_total.sel(country=others).sum()) > 0:
        series.append(
            (f"other ({len(others)} countries)", t.sel(country=others).sum("country"), "")
        )
    seen = _observed("seized_t") if observed else {}
    banded = n_replicates(ds) > 1
    n = max(len(series), 1)
    ncols = 1 if n == 1 else 2 if n <= 4 else 3
    nrows = math.ceil(n / ncols)
    fig = new_figure(figsize=(3.4 * ncols + 0.4, 2.2 * nrows + 1.0), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    any_observed = False
    for ax, (label, s, code) in zip(axes.flat, series, strict=False):
        mean = s.mean("replicate").values
        ax.plot(
            years, mean, color="#b2182b", linewidth=1.6, marker="o" if len(years) == 1 else None
        )
        if banded:
            lo, hi = s.quantile([0.05, 0.95], dim="replicate").values
            ax.fill_between(years, lo, hi, color="#b2182b", alpha=0.18, linewidth=0)
        obs = {y: v for y, v in seen.get(code, {}).items() if years.min() <= y <= years.max()}
        if obs:
            any_observed = True
            ax.plot(
                list(obs),
                list(obs.values()),
                "o",
                color=OBSERVED_COLOUR,
                markersize=3.2,
                clip_on=False,
            )
        ax.set_title(label, fontsize=9)
        year_axis(ax, years)
        thousands(ax)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(series) :]:
        ax.axis("off")
    if not series:
        axes[0, 0].text(0.5, 0.5, "no seizures", transform=axes[0, 0].transAxes, ha="center")
    for row in axes:
        row[0].set_ylabel("t/year", fontsize=8)
    handles = [Line2D([], [], color="#b2182b", linewidth=1.6, label="simulated, mean")]
    if banded:
        handles.append(Patch(color="#b2182b", alpha=0.18, label="5–95% of replicates"))
    if any_observed:
        handles.append(
            Line2D([], [], marker="o", linestyle="", color=OBSERVED_COLOUR, label="observed")
        )
    fig.legend(
        handles=handles,
        loc="outside upper center",
        ncol=len(handles),
        fontsize=8,
        frameon=False,
        title="Seizures by the country recording them (t/year; each panel on its own scale)",
        title_fontsize=10,
    )
    fig.supxlabel(replicates_note(ds), x=0.99, ha="right", fontsize=7, color="#777777")
    return fig


def plot_seizures(ds: xr.Dataset, path: str | Path, top: int = 8) -> Path:
    """Write `seizures_figure(ds, top)` as a PNG; returns the path."""
    return save(seizures_figure(ds, top), path)


# --- bands of key series against history ----------------------------------------------------

# (metric, region, panel title, unit): the series of the fan chart, where present
FAN_SERIES = (
    ("produced_t", "world", "Production, world", "t/year"),
    ("seized_t", "EC", "Seized in Ecuador", "t/year"),
    ("seized_t", "CO", "Seized in Colombia", "t/year"),
    ("delivered_t", "world", "Delivered to consumer markets", "t/year"),
    ("transit_share_of_origin", "CO>EC", "Colombia's output crossing Ecuador", "share"),
    ("homicide_rate", "EC", "Homicide rate, Ecuador", "per 100,000"),
)
FAN_COLOUR = "#2c7fb8"


def fan_figure(summary: Any, *, observed: bool = True, title: str | None = None) -> Figure:
    """Fan chart of key series per year: the median across runs (line), the middle 50%
    (dark band) and 90% (light band), with the observed history as dots.

    `summary` is a tidy table with stats "ensemble" (`Results.summary("ensemble")`, the
    ensemble's summary.csv): columns year, metric, region, median, p05, p25, p75, p95.
    For an ensemble the bands cover parameter uncertainty and noise; for a run with
    replicates, noise only.
    """
    panels = []
    for metric, region, label, unit in FAN_SERIES:
        sel = summary[(summary.metric == metric) & (summary.region == region)].sort_values("year")
        if not sel.empty:
            panels.append((metric, region, label, unit, sel))
    seen = {m: _observed(m) for m in {p[0] for p in panels}} if observed else {}
    n = max(len(panels), 1)
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig = new_figure(figsize=(3.7 * ncols + 0.4, 2.5 * nrows + 1.1), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    any_observed = False
    for ax, (metric, region, label, unit, sel) in zip(axes.flat, panels, strict=False):
        years = sel.year.to_numpy()
        ax.fill_between(years, sel.p05, sel.p95, color=FAN_COLOUR, alpha=0.18, linewidth=0)
        ax.fill_between(years, sel.p25, sel.p75, color=FAN_COLOUR, alpha=0.38, linewidth=0)
        ax.plot(years, sel["median"], color=FAN_COLOUR, linewidth=1.7)
        obs = seen.get(metric, {}).get(region, {})
        obs = {y: v for y, v in obs.items() if years.min() <= y <= years.max()}
        if obs:
            any_observed = True
            ax.plot(
                list(obs),
                list(obs.values()),
                "o",
                color=OBSERVED_COLOUR,
                markersize=3.5,
                clip_on=False,
            )
        ax.set_title(label, fontsize=9)
        ax.set_ylabel(unit, fontsize=8)
        year_axis(ax, years)
        thousands(ax)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    if not panels:
        axes[0, 0].text(0.5, 0.5, "no key series", transform=axes[0, 0].transAxes, ha="center")
    handles = [
        Line2D([], [], color=FAN_COLOUR, linewidth=1.7, label="median"),
        Patch(color=FAN_COLOUR, alpha=0.38 + 0.18 * (1 - 0.38), label="50% of runs"),
        Patch(color=FAN_COLOUR, alpha=0.18, label="90% of runs"),
    ]
    if any_observed:
        handles.append(
            Line2D([], [], marker="o", linestyle="", color=OBSERVED_COLOUR, label="observed")
        )
    fig.legend(
        handles=handles,
        loc="outside upper center",
        ncol=len(handles),
        fontsize=8,
        frameon=False,
        title=title or "Key series: median, 50% and 90% of runs, against observed history",
        title_fontsize=10,
    )
    return fig


def plot_fan_chart(summary: Any, path: str | Path, *, title: str | None = None) -> Path:
    """Write `fan_figure(summary)` as a PNG; returns the path."""
    return save(fan_figure(summary, title=title), path)


# --- scenario comparison (the HTML report) ----------------------------------------------------

REFERENCE_COLOUR = "#333333"
WINDOW_COLOUR = "#f5efdc"


def scenario_colours(n: int) -> list:
    """One colour per scenario: dark grey for the reference (the first), then distinct hues."""
    return [REFERENCE_COLOUR, *palette(max(n - 1, 0))][:n]


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
    fig = new_figure(
        figsize=(min(3.6 * ncols, 12.0), 2.6 * nrows + 0.8),  # fits the page at ~80%
        layout="constrained",
    )
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
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
        year_axis(ax, years)
        ax.set_title(panel_title, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: tonnes(v) if v else "0"))
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    for row in axes:
        row[0].set_ylabel(ylabel, fontsize=8)
    handles = [Line2D([], [], color=colours[s], linewidth=1.8, label=s) for s in labels]
    if window is not None:
        handles.append(
            Line2D([], [], color=WINDOW_COLOUR, linewidth=8, label=f"window {period(window)}")
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
    text = "lines: mean" + (f"; bands: 5–95% across {reps} replicates" if reps > 1 else "")
    fig.supxlabel(text, x=0.99, ha="right", fontsize=7, color="#777777")
    return save(fig, path)


# --- sweeps -------------------------------------------------------------------------------------


def unit_of(label: str) -> tuple[str, str]:
    """'Delivered to the US (t)' -> ('Delivered to the US', 't'); no brackets: (label, '')."""
    if label.endswith(")") and " (" in label:
        head, _, unit = label[:-1].rpartition(" (")
        return head, unit
    return label, ""


def response_figure(
    table: Any,
    lever: str,
    levers: list[str],
    *,
    outcomes: list[str] | None = None,
    title: str | None = None,
    unit: str = "",
) -> Figure:
    """How outcomes respond to one lever: one panel per outcome, the lever on x, the mean
    across replicates of the outcome's total over the window on y, with its 5–95% band.

    `table` is a sweep's tidy table (`analysis.sweep.summarize`: point, one column per
    lever, outcome, label, mean, p05, p95). With other levers in the sweep, each
    combination of their values is a line when there are at most five combinations;
    otherwise the points are dots and a line joins the mean at each value of the lever
    (its band then spans the points' means).
    """
    outcomes = outcomes or list(dict.fromkeys(table.outcome))
    others = [lv for lv in levers if lv != lever]
    combos = table[others].drop_duplicates() if others else None
    lines = combos is None or len(combos) <= 5
    n = max(len(outcomes), 1)
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig = new_figure(figsize=(3.6 * ncols + 0.4, 2.6 * nrows + 1.1), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    colours = palette(len(combos) if combos is not None and lines else 1)
    handles: list = []
    for ax, name in zip(axes.flat, outcomes, strict=False):
        sel = table[table.outcome == name]
        if sel.empty:
            ax.axis("off")
            continue
        label, out_unit = unit_of(str(sel.label.iloc[0]))
        if lines:
            groups = (
                [("", sel)]
                if combos is None
                else [
                    (
                        ", ".join(f"{k} = {row[k]:.4g}" for k in others),
                        sel.loc[(sel[others] == row[others].values).all(axis=1)],
                    )
                    for _, row in combos.iterrows()
                ]
            )
            for colour, (name_of, part) in zip(colours, groups, strict=False):
                part = part.sort_values(lever)
                x = part[lever].to_numpy()
                ax.fill_between(x, part.p05, part.p95, color=colour, alpha=0.16, linewidth=0)
                ax.plot(x, part["mean"], color=colour, linewidth=1.6, marker="o", markersize=3)
                if ax is axes.flat[0] and name_of:
                    handles.append(Line2D([], [], color=colour, linewidth=1.6, label=name_of))
        else:
            ax.plot(sel[lever], sel["mean"], "o", color="#999999", markersize=2.5, alpha=0.6)
            grouped = sel.groupby(lever)["mean"]
            x = np.asarray(list(grouped.groups))
            ax.fill_between(x, grouped.min(), grouped.max(), color=colours[0], alpha=0.16)
            ax.plot(x, grouped.mean(), color=colours[0], linewidth=1.6)
        ax.set_title(label, fontsize=9)
        ax.set_ylabel(out_unit or "people", fontsize=8)  # the unlabelled outcomes count people
        ax.set_xlabel(f"{lever} ({unit})" if unit else lever, fontsize=8)
        ax.grid(color="#e3e3e3", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        thousands(ax)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(outcomes) :]:
        ax.axis("off")
    if not lines:
        handles = [
            Line2D([], [], color=colours[0], linewidth=1.6, label="mean over the other levers"),
            Line2D([], [], marker="o", linestyle="", color="#999999", label="design points"),
        ]
    elif not handles:
        handles = [Line2D([], [], color=colours[0], linewidth=1.6, label="mean of replicates")]
    handles.append(Patch(color=colours[0], alpha=0.16, label="5–95% of replicates"))
    fig.legend(
        handles=handles,
        loc="outside upper center",
        ncol=min(len(handles), 3),
        fontsize=8,
        frameon=False,
        title=title or f"Response to {lever} (totals over the outcome window)",
        title_fontsize=10,
    )
    return fig


# --- Results.plot -------------------------------------------------------------------------------


def results_figure(ds: xr.Dataset, kind: str = "map", *, summary: Any = None, **kw: Any) -> Figure:
    """The figure `Results.plot(kind)` draws from a run's dataset: "map" (flows with the
    corridor inset), "corridors", "seizures" (small multiples against observed) or
    "fan" (median, 50% and 90% bands across replicates of key series, against the
    observed history; `summary` is the run's `summary("ensemble")`)."""
    from corredor.errors import CorredorError

    if kind == "map":
        return map_figure(ds)
    if kind == "corridors":
        return corridors_figure(ds)
    if kind == "seizures":
        return seizures_figure(ds, **kw)
    if kind == "fan" and summary is not None:
        return fan_figure(summary, **kw)
    raise CorredorError(
        f"unknown kind of figure {kind!r}", field="kind", fix="use " + ", ".join(KINDS)
    )
