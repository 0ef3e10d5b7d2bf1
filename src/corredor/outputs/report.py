"""The HTML report of a scenario comparison (`corredor report`).

One self-contained HTML file (inline CSS, figures embedded as base64 PNG, no scripts, no
web fonts: it opens offline) that states the question each scenario asks, its assumptions
with their sources, the comparison table, flows over time by route and by country with
5–95% bands across replicates, a map of the change in flow per edge, and a paragraph of
findings written from the numbers by `findings` (never by hand).

Totals are over a window of calendar years; tonnes are of pure cocaine hydrochloride.
Differences are paired by replicate: every scenario runs with the same seed, so the
difference in one replicate is the effect of the policy and its spread across replicates
is the chance variation of that effect.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from corredor.analysis.compare import Comparison, compare
from corredor.errors import CorredorError, check_out_dir
from corredor.evidence import Evidence, default_evidence
from corredor.files import read_text
from corredor.scenario import load_scenario
from corredor.version import __version__

REPORT_FILE = "report.html"
TABLE_FILE = "comparison.csv"
FIGURES_DIR = "figures"
KEY_OUTCOME = "delivered_t"  # the headline of each finding, when the table has it
LEVEL_OUTCOMES = ("seized_t", "transit_ec_t", "homicides_ec")  # context for the levels
DEATH_OUTCOMES = ("deaths_crew", "deaths_misidentified")  # reported in their own sentence
DEATH_PHRASES = {
    "deaths_crew": "crew members",
    "deaths_misidentified": "people who were not trafficking",
}
MINUS = "\u2212"  # a real minus sign: a hyphen is easy to miss in front of a number

# How an outcome reads inside a sentence; any other outcome uses its label.
PHRASES = {
    "delivered_t": "cocaine delivered to consumer markets",
    "delivered_us_t": "cocaine delivered to the US",
    "delivered_eu_t": "cocaine delivered to Europe",
    "seized_t": "seizures",
    "destroyed_t": "cocaine destroyed in strikes",
    "transit_ec_t": "flow through Ecuador",
    "homicides_ec": "homicides in Ecuador",
    "deaths_crew": "crew members killed in strikes",
    "deaths_misidentified": "people killed in strikes who were not trafficking",
}


# --- inputs -------------------------------------------------------------------------------


@dataclass
class ScenarioInfo:
    """What the report says about one scenario: its question and stated assumptions."""

    given: str  # the name or path as given on the command line (the table's key)
    name: str  # the scenario's own name
    title: str
    question: str
    refs: list[str]  # evidence ids behind its assumptions
    file: str
    header: str  # the comment block at the top of its file, '#' removed
    body: str  # the rest of its own file (TOML), i.e. what it states or changes
    start: int
    end: int

    @property
    def short(self) -> str:
        """The title up to its first colon: 'Boat strikes widened'."""
        return self.title.split(":")[0].strip() or self.name


def split_header(text: str) -> tuple[str, str]:
    """(leading comment block without the '#' marks, the rest of the file) of a TOML text."""
    lines = text.splitlines()
    header = []
    i = 0
    while i < len(lines) and lines[i].lstrip().startswith("#"):
        line = lines[i].lstrip()[1:]
        header.append(line[1:] if line.startswith(" ") else line)
        i += 1
    return "\n".join(header).strip("\n"), "\n".join(lines[i:]).strip("\n")


def scenario_info(given: str) -> ScenarioInfo:
    """Load a scenario (built-in name or path) and read its question, refs and header."""
    sc = load_scenario(given)
    try:
        text = read_text(sc.file)
    except CorredorError:
        text = ""
    header, body = split_header(text)
    refs = sc.raw.get("refs", [])
    return ScenarioInfo(
        given=given,
        name=sc.name,
        title=sc.title,
        question=str(sc.raw.get("question", "")),
        refs=[str(r) for r in refs] if isinstance(refs, list) else [str(refs)],
        file=sc.file,
        header=header,
        body=body,
        start=sc.start,
        end=sc.end,
    )


def check_inputs(
    names: list[str], replicates: int, first: int | None, last: int | None, out: Path
) -> None:
    """Reject bad options before anything runs (the scenarios are checked when loaded)."""
    if not names:
        raise CorredorError(
            "give at least one scenario", field="scenarios", fix="e.g. corredor report baseline"
        )
    if len(set(names)) < len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise CorredorError(
            f"scenario {twice!r} is given twice", field="scenarios", fix="name each scenario once"
        )
    if replicates < 1:
        raise CorredorError("must be at least 1", field="--replicates", fix="use 1 or more")
    if first is not None and last is not None and first > last:
        raise CorredorError(
            f"first year {first} is after last year {last}",
            field="--from",
            fix="make --from no later than --to",
        )
    check_out_dir(out)
    blocked = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        raise CorredorError(
            f"{blocked} is a file, not a directory", field="--out", fix="choose another path"
        )


def _window(infos: list[ScenarioInfo], first: int | None, last: int | None) -> tuple[int, int]:
    """The summary window; defaults to the reference's period, must lie in every scenario's."""
    first = infos[0].start if first is None else first
    last = infos[0].end if last is None else last
    if first > last:
        raise CorredorError(
            f"first year {first} is after last year {last}",
            field="--from/--to",
            fix="make --from no later than --to",
        )
    for info in infos:
        if first < info.start or last > info.end:
            raise CorredorError(
                f"window {first}-{last} is outside scenario {info.name!r}'s period "
                f"{info.start}-{info.end}",
                field="--from/--to",
                fix=f"choose years within {info.start}-{info.end}",
            )
    return first, last


def run_comparison(
    names: list[str],
    *,
    replicates: int,
    seed: int,
    first: int,
    last: int,
    progress: Callable[[str], None] | None = None,
    draws: int = 0,
    executor=None,
    steps: Callable[[float, int], None] | None = None,
) -> Comparison:
    """Run the scenarios through `compare`; one scenario gives its outcomes, NaN differences."""
    options = dict(
        replicates=replicates,
        seed=seed,
        first=first,
        last=last,
        progress=progress,
        draws=draws,
        executor=executor,
        steps=steps,
    )
    result = compare(names, **options)
    if len(names) > 1:
        return result
    # With nothing to compare against, a difference would only be a misleading zero.
    result.table = result.table.assign(diff_mean=np.nan, diff_p05=np.nan, diff_p95=np.nan)
    return result


# --- numbers as text ----------------------------------------------------------------------


def fmt_number(x: float, signed: bool = False) -> str:
    """A number rounded for reading: thousands separated, about three significant digits."""
    if x is None or not math.isfinite(x):
        return "–"
    a = abs(x)
    if a >= 100:
        text = f"{a:,.0f}"
    elif a == 0:
        text = "0"
    else:
        text = f"{a:.3g}"
    if text.strip("0.,") == "":
        return "0"
    if x < 0:
        return MINUS + text
    return ("+" + text) if signed else text


def fmt_percent(x: float) -> str:
    """A signed percentage: +12%, −3.4%."""
    if not math.isfinite(x):
        return "–"
    text = f"{abs(x):.0f}" if abs(x) >= 10 else f"{abs(x):.1f}"
    if text.strip("0.") == "":
        return "0%"
    return (MINUS if x < 0 else "+") + text + "%"


def split_label(label: str) -> tuple[str, str]:
    """'Delivered to the US (t)' -> ('Delivered to the US', 't'); no unit -> ''."""
    match = re.fullmatch(r"\s*(.*?)\s*\(([^()]*)\)\s*", str(label))
    return (match.group(1), match.group(2)) if match else (str(label).strip(), "")


def _phrase(outcome: str, label: str) -> str:
    if outcome in PHRASES:
        return PHRASES[outcome]
    name, _ = split_label(label)
    # lower-case the first letter unless the word is an acronym ("US", "EU")
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def _amount(x: float, unit: str, signed: bool = False) -> str:
    return f"{fmt_number(x, signed)} {unit}".strip()


def _interval(lo: float, hi: float, unit: str, signed: bool = False) -> str:
    return f"{fmt_number(lo, signed)} to {fmt_number(hi, signed)} {unit}".strip()


def _period(first: int, last: int) -> str:
    return f"{first}" if first == last else f"{first}–{last}"


def _finite(*values: float) -> bool:
    return all(v is not None and math.isfinite(float(v)) for v in values)


def includes_zero(lo: float, hi: float) -> bool:
    """True when the interval [lo, hi] contains zero (the change may be nothing)."""
    return lo <= 0.0 <= hi


# --- findings -----------------------------------------------------------------------------


def findings(
    table: pd.DataFrame,
    first: int,
    last: int,
    *,
    titles: dict[str, str] | None = None,
    replicates: int | None = None,
    draws: int = 0,
    caveats: dict[str, list[str]] | None = None,
) -> list[str]:
    """Paragraphs of plain-language findings, generated from a comparison table.

    `caveats` maps outcome keys to plain-words warnings (failed validation checks that
    bear on them, `Scorecard.caveats`); those on strike deaths follow the sentence that
    gives the deaths.

    With `draws` > 0 the runs are parameter draws × `replicates`, and the closing note says
    the intervals include parameter uncertainty.

    `table` has one row per scenario × outcome with columns scenario, outcome, label, mean,
    p05, p95, diff_mean, diff_p05, diff_p95 (totals over `first`–`last`; differences from
    the first scenario, paired by replicate). The first paragraph gives the reference's
    levels; then one paragraph per other scenario: the change in the headline outcome
    (delivered cocaine when present) with its 90% interval, said to be "not distinguishable
    from zero" when that interval includes zero, the largest relative changes among the
    other outcomes, and strike deaths when there are any. `titles` maps scenario keys to
    the names used in the text.
    """
    titles = titles or {}
    window = _period(first, last)
    scenarios = list(dict.fromkeys(table["scenario"]))
    if not scenarios:
        return []
    rows = {s: table[table["scenario"] == s].set_index("outcome") for s in scenarios}
    ref = scenarios[0]
    outcomes = list(rows[ref].index)
    key = KEY_OUTCOME if KEY_OUTCOME in outcomes else outcomes[0]

    def name(s: str) -> str:
        return titles.get(s, s)

    paragraphs = []
    role = " (the reference)" if len(scenarios) > 1 else ""
    text = f"Over {window} in {name(ref)}{role}: " + _levels(rows[ref], key) + "."
    text += _with_caveats(_deaths(rows[ref], None, window), caveats)
    paragraphs.append(text)
    for s in scenarios[1:]:
        text = _headline(rows[s], rows[ref], key, name(s), name(ref), window)
        text += _relative_changes(rows[s], rows[ref], key)
        text += _with_caveats(_deaths(rows[s], name(ref), window), caveats)
        paragraphs.append(text)
    if draws:
        runs = draws * (replicates or 1)
        note = (
            f"Ranges and intervals are the 5th to 95th percentiles across {runs} runs: "
            f"{draws} draws of the uncertain parameters from their evidence ranges × "
            f"{replicates or 1} replicate{'s' if (replicates or 1) != 1 else ''}, the same "
            "draws and random numbers in every scenario. They show parameter uncertainty and "
            "chance variation, not uncertainty in the model's structure."
        )
    else:
        note = (
            "Ranges and intervals are the 5th to 95th percentiles across "
            + (f"{replicates} replicates" if replicates else "replicates")
            + " that share random numbers; they show chance variation in the simulation, "
            "not uncertainty in its parameters or structure."
        )
    if not draws and replicates is not None and replicates < 10:
        note += (
            f" With {replicates} replicate{'s' if replicates != 1 else ''} they are rough: "
            "run more (e.g. --replicates 32) before quoting them."
        )
    paragraphs.append(note)
    return paragraphs


def _levels(rows: pd.DataFrame, key: str) -> str:
    """'cocaine delivered … 13,258 t (90% range 13,194 to 13,296 t), seizures …'."""
    shown = [key] + [o for o in LEVEL_OUTCOMES if o in rows.index and o != key]
    if len(shown) == 1:
        shown += [o for o in rows.index if o != key and _finite(rows.loc[o, "mean"])][:3]
    parts = []
    for outcome in shown:
        r = rows.loc[outcome]
        _, unit = split_label(r["label"])
        part = f"{_phrase(outcome, r['label'])} {_amount(r['mean'], unit)}"
        if _finite(r["p05"], r["p95"]) and r["p95"] > r["p05"]:
            part += f" (90% range {_interval(r['p05'], r['p95'], unit)})"
        parts.append(part)
    return ", ".join(parts)


def _headline(rows, ref_rows, key, name, ref_name, window) -> str:
    r, base = rows.loc[key], ref_rows.loc[key]
    _, unit = split_label(r["label"])
    phrase = _phrase(key, r["label"])
    d, lo, hi = float(r["diff_mean"]), float(r["diff_p05"]), float(r["diff_p95"])
    if not _finite(d, lo, hi):
        return (
            f"{name} gives {phrase} of {_amount(r['mean'], unit)} over {window}; "
            f"its difference from {ref_name} is not available."
        )
    if d == 0 and lo == 0 and hi == 0:
        return (
            f"Compared with {ref_name}, {name} leaves {phrase} unchanged over {window} "
            "in every replicate."
        )
    pct = ""
    if _finite(base["mean"]) and base["mean"] != 0 and d:
        pct = f"{fmt_percent(100.0 * d / abs(base['mean']))}; "
    interval = f"90% interval of the difference {_interval(lo, hi, unit, signed=True)}"
    if includes_zero(lo, hi):
        # No direction is claimed for an effect that may be nothing.
        return (
            f"Compared with {ref_name}, {name} has no effect on {phrase} distinguishable "
            f"from zero over {window}: the difference is {_amount(d, unit, signed=True)} "
            f"({pct}{interval})."
        )
    verb = "reduces" if d < 0 else "increases"
    return (
        f"Compared with {ref_name}, {name} {verb} {phrase} by {_amount(abs(d), unit)} "
        f"over {window} ({pct}{interval})."
    )


def _relative_changes(rows, ref_rows, key, top: int = 3) -> str:
    """The largest relative changes that are clear of zero; the rest named as unclear."""
    clear, from_zero, unclear, own = [], [], [], []
    for outcome in rows.index:
        if outcome == key or outcome in DEATH_OUTCOMES or outcome not in ref_rows.index:
            continue
        r, base = rows.loc[outcome], ref_rows.loc[outcome]
        phrase = _phrase(outcome, r["label"])
        d, lo, hi = float(r["diff_mean"]), float(r["diff_p05"]), float(r["diff_p95"])
        if not _finite(base["mean"]) and _finite(r["mean"]):
            own.append((outcome, r, phrase))  # defined only against the reference
            continue
        if not _finite(d, lo, hi) or not _finite(base["mean"]):
            continue
        if d == 0 and lo == 0 and hi == 0:
            continue
        if includes_zero(lo, hi):
            unclear.append(phrase)
        elif base["mean"] == 0:
            from_zero.append((outcome, r, phrase))
        else:
            clear.append((abs(d / base["mean"]), outcome, r, base, phrase))
    text = ""
    clear.sort(key=lambda item: -item[0])
    parts = []
    for _, _, r, base, phrase in clear[:top]:
        _, unit = split_label(r["label"])
        rel = 100.0 * float(r["diff_mean"]) / abs(float(base["mean"]))
        parts.append(
            f"{phrase} {fmt_percent(rel)} "
            f"({fmt_number(base['mean'])} to {_amount(r['mean'], unit)})"
        )
    for _, r, phrase in from_zero:
        _, unit = split_label(r["label"])
        parts.append(f"{phrase} from none to {_amount(r['mean'], unit)}")
    if parts:
        text += " The largest relative changes among the other outcomes: " + _join(parts) + "."
    elif clear or from_zero or unclear:
        text += " No other outcome changes distinguishably from zero."
    if unclear:
        text += " Not distinguishable from zero: " + _join(unclear) + "."
    if own:
        parts = []
        for _, r, phrase in own:
            _, unit = split_label(r["label"])
            part = f"{phrase} {_amount(r['mean'], unit)}"
            if _finite(r["p05"], r["p95"]) and r["p95"] > r["p05"]:
                part += f" (90% interval {_interval(r['p05'], r['p95'], unit)})"
            parts.append(part)
        text += " Measured against the reference: " + _join(parts) + "."
    return text


def _deaths(rows, ref_name: str | None, window: str) -> str:
    """'Strikes kill 59 crew members (…) and 7 people who were not trafficking (…)'."""
    present = [o for o in DEATH_OUTCOMES if o in rows.index and _finite(rows.loc[o, "mean"])]
    if not present or all(rows.loc[o, "mean"] <= 0 for o in present):
        return ""
    parts = []
    for outcome in present:
        r = rows.loc[outcome]
        part = f"{fmt_number(r['mean'])} {DEATH_PHRASES[outcome]}"
        if _finite(r["p05"], r["p95"]) and r["p95"] > r["p05"]:
            part += f" (90% range {_interval(r['p05'], r['p95'], '')})"
        parts.append(part)
    text = " Lethal strikes kill " + _join(parts) + f" over {window}"
    if ref_name is not None:
        diffs = []
        for outcome in present:
            r = rows.loc[outcome]
            d, lo, hi = float(r["diff_mean"]), float(r["diff_p05"]), float(r["diff_p95"])
            if not _finite(d, lo, hi):
                continue
            item = f"{fmt_number(d, signed=True)} (90% interval {_interval(lo, hi, '', True)}"
            item += ", not distinguishable from zero)" if includes_zero(lo, hi) else ")"
            diffs.append(item)
        if diffs:
            text += f"; compared with {ref_name} that is " + _join(diffs)
            text += " respectively" if len(diffs) > 1 else ""
    return text + "."


def _with_caveats(deaths: str, caveats: dict[str, list[str]] | None) -> str:
    """The deaths sentence followed by the caveats on strike deaths, if any."""
    if not deaths or not caveats:
        return deaths
    texts = list(dict.fromkeys(t for o in DEATH_OUTCOMES for t in caveats.get(o, [])))
    if not texts:
        return deaths
    return deaths + " Caveat: " + " ".join(texts)


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# --- figures ------------------------------------------------------------------------------


def _annual(ds: xr.Dataset, var: str, scale: float = 1.0) -> xr.DataArray:
    """A flow summed within each calendar year (dims replicate, year, ...), times `scale`."""
    return ds[var].groupby("year").sum("time") * scale


def _ranked(values: dict[str, float]) -> list[str]:
    return sorted(values, key=lambda k: -values[k])


def _window_mean(da: xr.DataArray, first: int, last: int) -> xr.DataArray:
    return da.sel(year=slice(first, last)).mean(("replicate", "year"))


def make_figures(
    datasets: dict[str, xr.Dataset], first: int, last: int, outdir: Path
) -> list[tuple[str, Path, str]]:
    """Draw the report's figures into `outdir`; returns (title, path, caption) of each.

    `datasets` maps the scenario label shown in legends to its results Dataset; the first
    is the reference.
    """
    from corredor.outputs.plots import (
        country_name,
        plot_flow_change_map,
        plot_map,
        plot_scenario_panels,
    )

    labels = list(datasets)
    ref = datasets[labels[0]]
    window = (first, last)
    figures = []
    n = len(labels)
    versus = "each scenario against the reference (dark grey)" if n > 1 else "the scenario"

    # Key outcomes in tonnes: delivered to the US and Europe, seized, destroyed.
    markets = [str(m) for m in ref["market"].values]
    names = dict(zip(markets, (str(x) for x in ref["market_name"].values), strict=True))
    delivered = {lab: _annual(ds, "delivered_kg", 1e-3) for lab, ds in datasets.items()}
    chosen = [m for m in ("mkt-us", "mkt-eu") if m in markets]
    if not chosen:
        totals = _window_mean(delivered[labels[0]], first, last)
        chosen = _ranked({m: float(totals.sel(market=m)) for m in markets})[:2]
    panels = [
        (f"Delivered to {names[m]}", {lab: d.sel(market=m) for lab, d in delivered.items()})
        for m in chosen
    ]
    panels.append(
        (
            "Delivered, all markets",
            {lab: d.sum("market") for lab, d in delivered.items()},
        )
    )
    for var, title in (
        ("seized_kg", "Seized, all countries"),
        ("destroyed_kg", "Destroyed in strikes"),
    ):
        panels.append(
            (title, {lab: _annual(ds, var, 1e-3).sum("country") for lab, ds in datasets.items()})
        )
    path = plot_scenario_panels(
        panels,
        outdir / "key-outcomes.png",
        title="Key outcomes per year",
        ylabel="tonnes per year",
        window=window,
    )
    figures.append(
        (
            "Key outcomes per year, with uncertainty bands",
            path,
            f"Tonnes per year for {versus}. Lines: mean across replicates; shaded bands: "
            "5th–95th percentile across replicates; the pale background marks the window "
            "the table sums over.",
        )
    )

    # People: homicides in Ecuador and strike deaths.
    panels = []
    if "EC" in [str(c) for c in ref["country"].values]:
        panels.append(
            (
                "Homicides in Ecuador",
                {
                    lab: _annual(ds, "homicides_country").sel(country="EC")
                    for lab, ds in datasets.items()
                },
            )
        )
    for var, title in (
        ("deaths_crew", "Crew killed in strikes"),
        ("deaths_misidentified", "People killed, not trafficking"),
    ):
        if var in ref:
            panels.append(
                (title, {lab: _annual(ds, var).sum("country") for lab, ds in datasets.items()})
            )
    if panels:
        path = plot_scenario_panels(
            panels,
            outdir / "violence.png",
            title="Violence and strike deaths per year",
            ylabel="people per year",
            window=window,
        )
        figures.append(
            (
                "Violence and strike deaths per year",
                path,
                f"People per year for {versus}; mean and 5th–95th percentile band.",
            )
        )

    # Flows by departure corridor (the country a route leaves from).
    corridor = {lab: _annual(ds, "corridor_kg", 1e-3) for lab, ds in datasets.items()}
    means = _window_mean(corridor[labels[0]], first, last)
    order = _ranked({str(c): float(means.sel(corridor=c)) for c in means["corridor"].values})
    panels = [
        (
            f"Leaving from {country_name(c)}",
            {lab: da.sel(corridor=c) for lab, da in corridor.items() if c in da["corridor"]},
        )
        for c in order[:9]  # a bigger network's minor corridors would crowd the page
    ]
    path = plot_scenario_panels(
        panels,
        outdir / "corridors.png",
        title="Flows by departure corridor",
        ylabel="tonnes per year",
        window=window,
    )
    figures.append(
        (
            "Flows over time by route (departure corridor)",
            path,
            "Tonnes per year dispatched on routes that leave from each country (its ports, "
            f"coast or airstrips), for {versus}; mean and 5th–95th percentile band.",
        )
    )

    # Flows through countries: the eight with the most transit in any scenario.
    transit = {lab: _annual(ds, "transit_kg", 1e-3) for lab, ds in datasets.items()}
    peak: dict[str, float] = {}
    for da in transit.values():
        m = _window_mean(da, first, last)
        for c in m["country"].values:
            peak[str(c)] = max(peak.get(str(c), 0.0), float(m.sel(country=c)))
    countries = [c for c in _ranked(peak) if peak[c] > 0][:8]
    panels = [
        (
            f"Through {country_name(c)}",
            {lab: da.sel(country=c) for lab, da in transit.items() if c in da["country"]},
        )
        for c in countries
    ]
    if panels:
        path = plot_scenario_panels(
            panels,
            outdir / "countries.png",
            title="Flows through countries",
            ylabel="tonnes per year",
            window=window,
            ncols=4,
        )
        figures.append(
            (
                "Flows over time by country",
                path,
                "Tonnes per year entering each country's nodes (the producing country "
                "included; 'international waters' are the high-seas legs), for the eight "
                f"countries with the largest flows in the window, {versus}; mean and "
                "5th–95th percentile band.",
            )
        )

    # Maps: the change in flow per edge against the reference (or the flows, if alone).
    if n == 1:
        years = ref["year"].values
        inside = ref.isel(time=(years >= first) & (years <= last))
        path = plot_map(inside, outdir / "map.png")
        figures.append(
            (
                "Map of flows",
                path,
                f"Mean flow on each edge over {_period(first, last)}, tonnes per year.",
            )
        )
    for i, lab in enumerate(labels[1:], start=1):
        path = plot_flow_change_map(
            ref,
            datasets[lab],
            outdir / f"map-change-{i}.png",
            first=first,
            last=last,
            names=(labels[0], lab),
        )
        figures.append(
            (
                f"Map of the change in flows: {lab} minus {labels[0]}",
                path,
                f"Change in mean flow per edge over {_period(first, last)}, tonnes per year "
                "(parallel legs added together); the inset enlarges the Ecuador–Colombia–Peru "
                "corridor. Red: more flow than in the reference; blue: less; line width "
                "proportional to the change. Thin grey lines: no distinguishable change (the "
                "90% interval of the change across paired replicates includes zero). A "
                "measure that moves flow rather than removing it shows as blue lines next to "
                "red ones.",
            )
        )
    return figures


# --- HTML ---------------------------------------------------------------------------------

CSS = """
:root { --ink: #222; --muted: #6b6b6b; --rule: #ddd; --band: #f6f4ee; --accent: #7a1f1f; }
* { box-sizing: border-box; }
body { font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: var(--ink); max-width: 1140px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 1.7em; margin: 0 0 0.2em; }
h2 { font-size: 1.25em; margin: 2em 0 0.6em; padding-bottom: 0.2em;
  border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.05em; margin: 1.4em 0 0.4em; }
p { margin: 0.5em 0; }
.sub { color: var(--muted); margin: 0 0 1em; }
nav { font-size: 0.9em; color: var(--muted); margin-bottom: 1em; }
nav a { color: var(--accent); text-decoration: none; margin-right: 1em; }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 0.88em; }
pre { background: var(--band); padding: 8px 10px; overflow-x: auto; white-space: pre-wrap;
  word-break: break-word; }
.questions { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr));
  gap: 12px; }
.card { border: 1px solid var(--rule); border-radius: 6px; padding: 10px 14px; }
.card .q { font-size: 1.1em; font-style: italic; }
.card .role { font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.05em;
  color: var(--muted); }
.findings { background: var(--band); border-left: 4px solid var(--accent);
  padding: 10px 16px; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--rule); vertical-align: top;
  text-align: left; }
th { background: var(--band); font-weight: 600; }
table.cmp { width: auto; min-width: 50%; }
table.cmp td.num { min-width: 11em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.num .r { color: var(--muted); font-size: 0.85em; }
td.num .d { font-size: 0.9em; }
td.num .d.clear { font-weight: 650; }
td.num .d.unclear { color: var(--muted); }
th .t { font-weight: normal; color: var(--muted); font-size: 0.85em; display: block; }
.caption { color: var(--muted); font-size: 0.88em; margin: 0.4em 0 1em; }
figure { margin: 1.2em 0 1.8em; }
figure img { max-width: 100%; height: auto; display: block; margin: 0 auto; }
figcaption { color: var(--muted); font-size: 0.88em; margin-top: 0.4em; }
.evidence td { font-size: 0.92em; }
.evidence .quote { font-style: italic; }
.evidence td:first-child code { white-space: nowrap; }
.evidence .missing { color: var(--accent); }
th .caveat { font-weight: normal; color: var(--accent); font-size: 0.82em; margin-top: 0.3em;
  max-width: 28em; }
details { margin: 0.4em 0 1em; }
summary { cursor: pointer; color: var(--accent); }
footer { margin-top: 3em; padding-top: 0.8em; border-top: 2px solid var(--rule);
  color: var(--muted); font-size: 0.85em; }
footer dt { float: left; clear: left; width: 9em; font-weight: 600; }
footer dd { margin: 0 0 0.2em 9.5em; }
@media print { body { max-width: none; } h2 { break-after: avoid; }
  figure { break-inside: avoid; } }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _prose(text: str) -> str:
    """A comment block as HTML: blank lines separate paragraphs, indented lines are code."""
    out, para, code = [], [], []

    def flush() -> None:
        if para:
            out.append(f"<p>{_e(' '.join(para))}</p>")
            para.clear()
        if code:
            out.append(f"<pre>{_e(chr(10).join(code))}</pre>")
            code.clear()

    for line in text.splitlines():
        if not line.strip():
            flush()
        elif line.startswith("    "):
            if para:
                flush()
            code.append(line.strip())
        else:
            if code:
                flush()
            para.append(line.strip())
    flush()
    return "\n".join(out)


def _table_html(
    table: pd.DataFrame,
    infos: list[ScenarioInfo],
    first: int,
    last: int,
    reps: int,
    caveats: dict[str, list[str]] | None = None,
) -> str:
    keys = [i.given for i in infos]
    outcomes = list(dict.fromkeys(table["outcome"]))
    head = "".join(f"<th>{_e(i.name)}<span class='t'>{_e(i.short)}</span></th>" for i in infos)
    body = []
    for outcome in outcomes:
        sel = table[table["outcome"] == outcome].set_index("scenario")
        label = sel["label"].iloc[0]
        cells = []
        for j, key in enumerate(keys):
            if key not in sel.index:
                cells.append("<td class='num'>–</td>")
                continue
            r = sel.loc[key]
            if r.get("note") == "cost not modelled":
                cells.append("<td class='num'><div class='r'>cost not modelled</div></td>")
                continue
            cell = f"<div class='m'>{_e(fmt_number(r['mean']))}</div>"
            if _finite(r["p05"], r["p95"]) and r["p95"] > r["p05"]:
                cell += (
                    f"<div class='r'>{_e(fmt_number(r['p05']))} – {_e(fmt_number(r['p95']))}</div>"
                )
            d, lo, hi = r["diff_mean"], r["diff_p05"], r["diff_p95"]
            if j > 0 and _finite(d, lo, hi):
                kind = "unclear" if includes_zero(lo, hi) else "clear"
                cell += (
                    f"<div class='d {kind}'>Δ {_e(fmt_number(d, True))} "
                    f"<span class='r'>({_e(fmt_number(lo, True))} to "
                    f"{_e(fmt_number(hi, True))})</span></div>"
                )
            if r.get("note"):
                cell += f"<div class='r'>{_e(r['note'])}</div>"
            cells.append(f"<td class='num'>{cell}</td>")
        warn = "".join(
            f"<div class='caveat'>⚠ {_e(t)}</div>" for t in (caveats or {}).get(outcome, [])
        )
        body.append(f"<tr><th>{_e(label)}{warn}</th>{''.join(cells)}</tr>")
    caption = (
        f"Totals over {_period(first, last)}; tonnes (t) of pure cocaine or numbers of people. "
        f"Each cell: mean across {reps} run{'s' if reps != 1 else ''}"
    )
    if reps > 1:
        caption += ", then the 5th–95th percentile range"
    if len(infos) > 1:
        caption += (
            f"; Δ: difference from {infos[0].name} in the same replicate, with its 90% "
            "interval (bold: the interval excludes zero; grey: not distinguishable from zero)"
        )
    caption += ". – : not available."
    if caveats:
        caption += (
            " ⚠: a check of `corredor validate` that bears on the row failed on the "
            "reference's runs; read the row with it."
        )
    return (
        f"<table class='cmp'><thead><tr><th>outcome</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table><p class='caption'>{_e(caption)}</p>"
    )


def _evidence_html(infos: list[ScenarioInfo], entries: dict[str, Evidence]) -> str:
    from corredor.analysis.evidence_check import ORIGIN_LABEL, origin

    cited: dict[str, list[str]] = {}
    for info in infos:
        for ref in info.refs:
            cited.setdefault(ref, [])
            if info.name not in cited[ref]:
                cited[ref].append(info.name)
    if not cited:
        return "<p>The scenarios cite no evidence entries.</p>"
    rows = []
    for ref, by in cited.items():
        e = entries.get(ref)
        if e is None:
            rows.append(
                f"<tr><td><code>{_e(ref)}</code></td><td colspan='6' class='missing'>"
                "not in the evidence table</td><td>" + _e(", ".join(by)) + "</td></tr>"
            )
            continue
        quoted_title = f"“{e.title}”" if e.title else ""
        source = ", ".join(_e(p) for p in (e.publisher, quoted_title, e.date) if p)
        if e.link.startswith(("http://", "https://")):
            source += f" <a href='{_e(e.link)}'>link</a>"
        elif e.link:
            source += f" ({_e(e.link)})"
        value = f"{e.value:g} {e.unit if e.unit != '-' else ''}".strip()
        rng = f"{e.low:g} – {e.high:g}"
        rows.append(
            "<tr>"
            f"<td><code>{_e(ref)}</code><br><span class='caption'>{_e(e.kind)}, "
            f"{_e(ORIGIN_LABEL[origin(e)])}</span></td>"
            f"<td>{_e(value)}</td><td>{_e(e.year)}<br>{_e(e.place)}</td><td>{source}</td>"
            f"<td class='quote'>{_e(e.quote)}</td><td>{_e(e.confidence)}</td>"
            f"<td>{_e(rng)}</td><td>{_e(', '.join(by))}</td></tr>"
        )
    return (
        "<table class='evidence'><thead><tr><th>evidence</th><th>value</th>"
        "<th>year, place</th><th>source</th><th>quote</th><th>confidence</th>"
        "<th>range</th><th>cited by</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _support_html(
    infos: list[ScenarioInfo], entries: dict[str, Evidence], support: dict[str, int] | None
) -> str:
    """How many numbers rest on external sources and how many on Corredor's own
    assumptions: the scenarios' citations, and every value of the model."""
    from corredor.analysis.evidence_check import ORIGINS, origin

    cited = {ref for info in infos for ref in info.refs if ref in entries}
    counts = {o: sum(origin(entries[r]) == o for r in cited) for o in ORIGINS}
    text = (
        f"Of the {len(cited)} evidence entries the scenarios cite, "
        f"{counts['external']} rest on external sources, {counts['assumption']} are "
        f"Corredor's own assumptions and {counts['derived']} Corredor's derivations."
    )
    if support:
        total = sum(support.values())
        text += (
            f" Across the whole model, of the {total} values `corredor evidence --check` "
            f"verifies, {support['external']} rest on external sources, "
            f"{support['assumption']} on Corredor's own assumptions and "
            f"{support['derived']} on Corredor's derivations: passing that check certifies "
            "the bookkeeping, not the support."
        )
    return f"<p>{_e(text)}</p>"


def render_html(
    comparison: Comparison,
    infos: list[ScenarioInfo],
    paragraphs: list[str],
    figures: list[tuple[str, bytes, str]],
    *,
    command: str | None,
    generated: str,
    entries: dict[str, Evidence],
    caveats: dict[str, list[str]] | None = None,
    support: dict[str, int] | None = None,
) -> str:
    """The report page. `figures` are (title, PNG bytes, caption); every text is escaped.
    `caveats` are the failed validation checks per outcome, shown in the table's rows;
    `support` counts the model's values by the kind of evidence they rest on
    (`evidence_check.support_split`)."""
    first, last, reps = comparison.first, comparison.last, comparison.replicates
    ref = infos[0]
    title = (
        f"Corredor report: {ref.short}"
        if len(infos) == 1
        else f"Corredor report: {', '.join(i.short for i in infos[1:])} against {ref.short}"
    )
    parts = [
        "<!doctype html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{_e(title)}</h1>",
        f"<p class='sub'>Totals over {_e(_period(first, last))} · {reps} runs per scenario · seed "
        f"{comparison.seed} · generated {_e(generated)} by Corredor {_e(__version__)}</p>",
        "<nav><a href='#question'>Question</a><a href='#findings'>Findings</a>"
        "<a href='#table'>Comparison</a><a href='#bands'>Outcomes over time</a>"
        "<a href='#flows'>Flows</a><a href='#map'>Map</a>"
        "<a href='#assumptions'>Assumptions and sources</a><a href='#reading'>Reading</a>"
        "</nav></header>",
        "<section id='question'><h2>The question</h2><div class='questions'>",
    ]
    for i, info in enumerate(infos):
        role = "reference" if i == 0 and len(infos) > 1 else "scenario"
        parts.append(
            f"<div class='card'><div class='role'>{role} · <code>{_e(info.name)}</code></div>"
            f"<div><strong>{_e(info.title)}</strong></div>"
            f"<p class='q'>{_e(info.question or '(no question stated)')}</p></div>"
        )
    parts.append("</div>")
    if len(infos) > 1:
        parts.append(
            f"<p class='caption'>Every scenario makes the same {reps} runs with seed "
            f"{comparison.seed}; differences are taken run by run against "
            f"<code>{_e(ref.name)}</code>, so they measure the policy, not the luck of the "
            "draw.</p>"
        )
    parts.append("</section>")
    parts.append(
        "<section id='findings'><h2>Findings</h2><div class='findings'>"
        + "".join(f"<p>{_e(p)}</p>" for p in paragraphs)
        + "</div><p class='caption'>Written by the program from the numbers in the table "
        "below, not by hand.</p></section>"
    )
    heading = "Comparison table" if len(infos) > 1 else "Outcomes"
    parts.append(f"<section id='table'><h2>{heading}</h2>")
    parts.append(_table_html(comparison.table, infos, first, last, reps, caveats))
    parts.append("</section>")

    def figure_html(fig: tuple[str, bytes, str]) -> str:
        fig_title, png, caption = fig
        data = base64.b64encode(png).decode("ascii")
        return (
            f"<figure><img alt='{_e(fig_title)}' src='data:image/png;base64,{data}'>"
            f"<figcaption><strong>{_e(fig_title)}.</strong> {_e(caption)}</figcaption>"
            "</figure>"
        )

    sections = (
        ("bands", "Outcomes over time, with uncertainty bands", ("Key outcomes", "Violence")),
        ("flows", "Flows over time by route and country", ("Flows over time",)),
        ("map", "Map of the change in flows" if len(infos) > 1 else "Map of flows", ("Map",)),
    )
    for anchor, heading, prefixes in sections:
        parts.append(f"<section id='{anchor}'><h2>{_e(heading)}</h2>")
        parts += [figure_html(f) for f in figures if f[0].startswith(prefixes)]
        parts.append("</section>")

    parts.append("<section id='assumptions'><h2>Assumptions and sources</h2>")
    for info in infos:
        parts.append(f"<h3>{_e(info.title)} <code>({_e(info.name)})</code></h3>")
        parts.append(_prose(info.header) if info.header else "<p>(no header comment)</p>")
        if info.body:
            parts.append(
                f"<details><summary>What the scenario file states ({_e(Path(info.file).name)})"
                f"</summary><pre>{_e(info.body)}</pre></details>"
            )
    parts.append(
        "<h3>Evidence cited by the scenarios</h3><p class='caption'>Every entry gives the "
        "value, its source and the range that uncertainty runs draw from; "
        "<code>corredor evidence --id ID</code> prints an entry in full.</p>"
    )
    parts.append(_support_html(infos, entries, support))
    parts.append(_evidence_html(infos, entries))
    parts.append("</section>")
    parts.append(
        "<section id='reading'><h2>How to read these numbers</h2>"
        "<p>Numbers are totals over the window in tonnes of pure cocaine hydrochloride, or "
        "counts of people. The model reasons about aggregate flows, routes, groups and "
        "agencies; it never identifies individual people, vessels or members of "
        "organisations, and it is not a forecast of any single shipment or event.</p>"
        "<p>Bands and intervals span the 5th to 95th percentiles across replicates: chance "
        "variation in shipments, detections and violence, not uncertainty in the parameters "
        "(most behavioural parameters are stated assumptions with ranges, listed above). "
        "Seizures are credited to the country where they are recorded.</p></section>"
    )
    footer = [
        ("Corredor", __version__),
        ("seed", str(comparison.seed)),
        ("replicates", str(reps)),
        ("window", _period(first, last)),
        ("generated", generated),
        ("command", command or "(Python API: corredor.outputs.report.write_report)"),
        ("scenario files", "; ".join(i.file for i in infos)),
    ]
    parts.append(
        "<footer><dl>"
        + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in footer)
        + "</dl></footer></body></html>"
    )
    return "\n".join(parts)


# --- the whole report ---------------------------------------------------------------------


def write_report(
    names: list[str],
    *,
    out: str | Path = "out/report",
    replicates: int = 16,
    seed: int = 1,
    first: int | None = None,
    last: int | None = None,
    command: str | None = None,
    progress: Callable[[str], None] | None = None,
    draws: int = 0,
    executor=None,
    steps: Callable[[float, int], None] | None = None,
) -> Path:
    """Run the scenarios and write OUT/report.html (plus comparison.csv and figures/*.png).

    With `draws` > 0 every scenario runs the same parameter draws (see `compare`).
    `progress(text)` says what is being done; `steps(done, total)` counts the work in
    scenarios run, plus one for the figures and the page.

    The first scenario is the reference. Everything is built in a temporary directory next
    to `out` and moved into place only when complete, so a failure leaves nothing
    half-written. Returns the path of the HTML file.
    """
    out = Path(out)
    names = [str(n) for n in names]
    check_inputs(names, replicates, first, last, out)
    say = progress or (lambda _: None)
    infos = [scenario_info(n) for n in names]  # unknown names fail here, before any run
    first, last = _window(infos, first, last)
    comparison = run_comparison(
        names,
        replicates=replicates,
        seed=seed,
        first=first,
        last=last,
        progress=lambda n: say(f"running {n} ×{replicates * max(draws, 1)} runs"),
        draws=draws,
        executor=executor,
        steps=(lambda done, total: steps(done, total + 1)) if steps is not None else None,
    )
    if comparison.results is None:
        raise RuntimeError("compare() returned no runs; the report needs them for its figures")
    labels = _legend_labels(infos)
    datasets = {labels[i.given]: comparison.results[i.given].data for i in infos}
    titles = {i.given: i.short for i in infos}
    from corredor.analysis.evidence_check import support_split
    from corredor.analysis.validate import score

    say("checking the reference against the validation scorecard")
    card = score(comparison.results[infos[0].given])
    caveats = card.caveats(list(dict.fromkeys(comparison.table["outcome"])))
    paragraphs = findings(
        comparison.table,
        first,
        last,
        titles=titles,
        replicates=replicates,
        draws=draws,
        caveats=caveats,
    )
    generated = _dt.datetime.now().astimezone().isoformat(timespec="seconds")

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise CorredorError(
            f"cannot write there ({exc.strerror})", field="--out", fix="choose a writable directory"
        ) from None
    tmp.chmod(0o755)  # mkdtemp makes it private; it becomes `out` when `out` is new
    try:
        say("drawing figures")
        (tmp / FIGURES_DIR).mkdir()
        drawn = make_figures(datasets, first, last, tmp / FIGURES_DIR)
        figures = [(t, p.read_bytes(), c) for t, p, c in drawn]
        say("writing the report")
        page = render_html(
            comparison,
            infos,
            paragraphs,
            figures,
            command=command,
            generated=generated,
            entries=default_evidence(),
            caveats=caveats,
            support=support_split(),
        )
        (tmp / REPORT_FILE).write_text(page, encoding="utf-8")
        comparison.table.to_csv(tmp / TABLE_FILE, index=False, float_format="%.6g")
        _move_into_place(tmp, out)
        if steps is not None:
            steps(len(names) + 1, len(names) + 1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out / REPORT_FILE


def _legend_labels(infos: list[ScenarioInfo]) -> dict[str, str]:
    """Short labels for legends: the scenario names, or what was given if names collide."""
    names = [i.name for i in infos]
    unique = len(set(names)) == len(names)
    return {i.given: (i.name if unique else i.given) for i in infos}


def _move_into_place(tmp: Path, out: Path) -> None:
    """Move the finished files from `tmp` to `out`: the whole directory in one rename when
    `out` does not exist yet, else file by file (each replace is atomic), leaving any other
    files the user keeps in `out` alone."""
    if not out.exists():
        tmp.rename(out)
        return
    for path in sorted(tmp.rglob("*")):
        target = out / path.relative_to(tmp)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        else:
            os.replace(path, target)
