"""Figures (PNG or matplotlib figures, no internet) from results: the one module to
import for any of them.

- a run: `write_figures` writes corridors.png, seizures.png and map.png (`charts`,
  `maps`); `Results.plot(kind)` draws the same as figures (`charts.results_figure`);
- an ensemble: `plot_fan_chart` (median, 50% and 90% bands against observed history);
- a comparison: `plot_scenario_panels`, `plot_flow_change_map` (the change map: only
  changes distinguishable from zero in colour, the others in neutral grey);
- a sweep: `plot_responses` (one response-curve figure per lever, a panel per outcome);
- sensitivity: `sensitivity_figure` (ranked bars with units).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from corredor.numbers import human
from corredor.outputs.charts import (  # noqa: F401 - the charts, re-exported
    KINDS,
    corridors_figure,
    fan_figure,
    plot_corridors,
    plot_fan_chart,
    plot_scenario_panels,
    plot_seizures,
    response_figure,
    results_figure,
    scenario_colours,
    seizures_figure,
    unit_of,
)
from corredor.outputs.maps import (  # noqa: F401 - the map functions, re-exported
    change_map_figure,
    map_figure,
    plot_flow_change_map,
    plot_map,
)
from corredor.outputs.style import (  # noqa: F401 - shared helpers, re-exported
    DPI,
    KIND_COLOURS,
    country_name,
    country_polygons,
    load_countries,
    new_figure,
    save,
    thousands,
)


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


# --- sweeps -------------------------------------------------------------------------------------


def plot_responses(ds: Any, outdir: str | Path, stem: str = "sweep") -> list[Path]:
    """Write one response figure per lever of a sweep (`analysis.sweep.open_sweep`) to
    OUTDIR/STEM-LEVER.png; returns the paths."""
    from corredor.analysis.sweep import summarize

    table = summarize(ds)
    levers = list(ds.attrs["levers"])
    outdir = Path(outdir)
    paths = []
    for lever in levers:
        unit = str(ds[lever].attrs.get("units", ""))
        fig = response_figure(
            table,
            lever,
            levers,
            title=f"Response of {ds.attrs['scenario']} to {lever}, totals {ds.attrs['window']} "
            f"({ds.attrs['replicates']} replicates per point)",
            unit=unit,
        )
        paths.append(save(fig, outdir / f"{stem}-{lever}.png"))
    return paths


# --- sensitivity --------------------------------------------------------------------------------


def _outcome_label(name: str, against: str | None) -> tuple[str, str]:
    """(what the outcome is, its unit) for a sensitivity outcome name."""
    from corredor.analysis.compare import OUTCOMES

    if name == "displacement_index":
        return "Displacement index (share of the targeted fall still delivered)", "share"
    if name == "displaced_t":
        return "Displaced flow (t)", "t"
    label, unit = unit_of(OUTCOMES[name][0]) if name in OUTCOMES else (name, "")
    unit = unit or "people"  # the outcomes without a unit count people
    if against:
        label = f"{label}, difference from {against}"
    return label, unit


def sensitivity_figure(res: Any, path: str | Path, top: int = 15) -> Path:
    """Ranked horizontal bars per outcome, largest at the top: Sobol total-order index
    (share of the outcome's variance, with its first-order part and confidence) or
    Morris mu* (mean absolute effect of moving a parameter across its range, in the
    outcome's unit over the window, with its confidence). Parameters are labelled with
    their unit; each bar carries its value. Writes a PNG and returns its path."""
    outcomes = list(res.indices)
    units = {p.name: p.unit for p in res.params}
    rows = max(min(top, max((len(res.indices[o]) for o in outcomes), default=1)), 1)
    fig = new_figure(figsize=(7.4 * len(outcomes), 0.36 * rows + 1.9), layout="constrained")
    axes = fig.subplots(1, len(outcomes), squeeze=False)
    for ax, name in zip(axes[0], outcomes, strict=True):
        df = res.indices[name].head(top).iloc[::-1]
        names = [
            f"{p} ({units[p]})" if units.get(p) and units[p] != "-" else str(p)
            for p in df.parameter
        ]
        names = [
            "noise (random seed)" if p == "noise" else n
            for p, n in zip(df.parameter, names, strict=True)
        ]
        ypos = np.arange(len(df))
        what, unit = _outcome_label(name, getattr(res, "against", None))
        if res.method == "sobol":
            value = df.ST.to_numpy(dtype=float)
            ax.barh(
                ypos,
                value,
                xerr=df.ST_conf,
                color="#4477aa",
                height=0.7,
                label="total (ST)",
                error_kw={"lw": 0.8, "ecolor": "#555555"},
            )
            ax.barh(ypos, df.S1, color="#ee6677", height=0.35, label="first order (S1)")
            ax.set_xlabel("share of the outcome's variance (0–1)", fontsize=8)
            ax.legend(loc="lower right", fontsize=8, frameon=False)
        else:
            value = df.mu_star.to_numpy(dtype=float)
            ax.barh(
                ypos,
                value,
                xerr=df.mu_star_conf,
                color="#4477aa",
                height=0.7,
                error_kw={"lw": 0.8, "ecolor": "#555555"},
            )
            ax.set_xlabel(
                f"mu*: mean absolute effect of a parameter over its range ({unit})", fontsize=8
            )
        ax.set_yticks(ypos, names, fontsize=8)
        conf = (df.ST_conf if res.method == "sobol" else df.mu_star_conf).to_numpy(dtype=float)
        reach = value + np.nan_to_num(conf)
        top_value = float(np.nanmax(reach)) if len(value) else 0.0
        for y, v, end in zip(ypos, value, reach, strict=True):
            if np.isfinite(v):
                ax.annotate(
                    human(v),
                    (max(end, v, 0.0), y),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                    color="#333333",
                )
        if top_value > 0:
            ax.set_xlim(0, top_value * 1.25)
        ax.grid(axis="x", color="#e3e3e3", linewidth=0.6)
        ax.set_axisbelow(True)
        thousands(ax, "x")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_title(f"{what}, {res.first}–{res.last}", fontsize=9, loc="left")
    fig.suptitle(
        f"{res.method.capitalize()} sensitivity: parameters ranked by their effect "
        f"({res.runs} runs)",
        fontsize=11,
    )
    return save(fig, path)
