"""Write a calibration's outputs: fitted scenario TOML, tables, figures, Markdown and HTML.

The report is built once as a list of blocks (headings, paragraphs, tables, lists, the
figure) and rendered twice: `calibration.md` and a self-contained `calibration.html`
(inline CSS, the figure embedded as base64 PNG, no scripts; it works offline).
`calibrated.toml` holds only what the search determines (no date, no timing), so two
runs of the same command write the same bytes; `run.json` holds the rest (seconds,
machine, date, commit).
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from corredor.analysis.calibration import (  # noqa: E402
    AGENCY_FIELD,
    AGENCY_SCALE_EVIDENCE,
    BOUND_MARGIN,
    HELD_OUT_SERIES,
    INPUT_SERIES,
    MAPE_TARGETS,
    RANGE_CHECKS,
    STOP_BUDGET,
    STOP_CONVERGED,
    STOP_GENERATIONS,
    TARGETS,
    CalibrationResult,
    range_checks,
)
from corredor.evidence import default_evidence  # noqa: E402
from corredor.outputs.report import CSS  # noqa: E402
from corredor.parameters import PARAMS  # noqa: E402
from corredor.provenance import describe, finish, machine_info  # noqa: E402

__all__ = ["MAPE_TARGETS", "REPORT_FILES", "scenario_toml", "status_line", "write_report"]

# The files a calibration writes (ABC adds posterior.csv), in the order they are listed.
REPORT_FILES = (
    "calibrated.toml",
    "calibration.md",
    "calibration.html",
    "fit.png",
    "comparison.csv",
    "fit_statistics.csv",
    "range_checks.csv",
    "alternatives.csv",
    "evaluations.csv",
    "run.json",
)

EXTRA_CSS = """
.banner { padding: 10px 16px; border-left: 4px solid #2e7d32; background: #eef6ee; }
.banner.incomplete { border-left-color: var(--accent); background: #fbeeee; }
.flag { color: var(--accent); font-weight: 600; }
"""


def scenario_toml(result: CalibrationResult, base_name: str, extends: str | None = None) -> str:
    """The fitted values as a scenario extending `base_name`, with the `[calibration]`
    record of how they were made. Deterministic: no date or timing."""
    lines = [
        "# Fitted by `corredor calibrate`; [calibration] records the command that makes these",
        "# values again (same command and seed: same values, whatever the number of workers).",
    ]
    if not result.complete:
        lines.append(
            "# INCOMPLETE: the search stopped on its time budget; these values depend on the"
        )
        lines.append("# speed and load of the machine that made them.")
    lines += [
        f"extends = {json.dumps(extends or base_name)}",
        f'name = "{base_name}-calibrated"',
        'refs = ["calibration-2026-11"]',
        "",
        *calibration_table(result),
        "",
        "[parameters]",
    ]
    agencies = {}
    for name, value in result.best.items():
        m = AGENCY_FIELD.match(name)
        if m is None:
            lines.append(f"{name} = {value:.6g}")
        else:
            agencies[m.group(1)] = value
    for aid, value in agencies.items():
        lines += ["", f"[agencies.{aid}]", f"effort_scale = {value:.6g}"]
    return "\n".join(lines) + "\n"


def calibration_table(result: CalibrationResult) -> list[str]:
    """The `[calibration]` table of a scenario file: command, seed, version, inputs."""
    prov = result.provenance
    return [
        "[calibration]",
        f"command = {json.dumps(prov.get('command', ''))}",
        f"seed = {int(prov.get('seed', 0))}",
        f'corredor_version = "{prov.get("corredor_version", "")}"',
        f'inputs_digest = "{prov.get("inputs_digest", "")}"',
        f"evaluations = {result.evaluations}",
        f'stopped_on = "{result.stop_reason}"',
        f"objective = {result.objective:.6g}",
    ]


def status_line(result: CalibrationResult) -> str:
    """How the search ended, in one sentence (the terminal and the report say the same)."""
    gens = f"{result.generations} of {result.max_generations} generations"
    if result.stop_reason == STOP_BUDGET:
        return (
            f"INCOMPLETE: the search stopped on its time budget "
            f"({result.budget_seconds:g} s) after {gens} and {result.evaluations} "
            "evaluations, before its generation and polish limits. The values depend on the "
            "machine's speed and load, so nobody can reproduce them; calibrated.toml is "
            "written only with --accept-incomplete."
        )
    if result.stop_reason == STOP_CONVERGED:
        return (
            f"Complete: differential evolution converged after {gens}, then the polish "
            f"ran to its limits ({result.evaluations} evaluations); not stopped by time."
        )
    if result.stop_reason == STOP_GENERATIONS:
        return (
            f"Complete: the search ended on its generation limit ({gens}) and polish "
            f"limits ({result.evaluations} evaluations); not stopped by time."
        )
    return f"{result.method}: {result.stop_reason} ({result.evaluations} evaluations)."


# -- the figure ----------------------------------------------------------------------------


def _figure(table: pd.DataFrame, fit_end: int) -> bytes:
    groups = list(table.groupby(["series", "region"]))
    n = len(groups)
    cols = 3
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    evidence = default_evidence()
    for ax, ((series, region), sel) in zip(axes.flat, groups, strict=False):
        sel = sel.sort_values("year")
        if (series, region) in RANGE_CHECKS:
            e = evidence[RANGE_CHECKS[(series, region)][0]]
            ax.axhspan(e.low, e.high, color="tab:green", alpha=0.12, label="published range")
        if len(sel) > 1:
            ax.fill_between(sel.year, sel.p05, sel.p95, alpha=0.25, color="tab:blue", lw=0)
            ax.plot(sel.year, sel["mean"], color="tab:blue", label="simulated (mean, 5–95%)")
        else:  # one observed year: the simulated value as a point with its band
            err = [sel["mean"] - sel.p05, sel.p95 - sel["mean"]]
            ax.errorbar(sel.year, sel["mean"], yerr=err, fmt="s", color="tab:blue", ms=4)
        ax.plot(sel.year, sel["value"], "o", color="black", markersize=4, label="observed")
        ax.set_xlim(sel.year.min() - 0.6, sel.year.max() + 0.6)
        if sel.year.min() <= fit_end < sel.year.max():
            ax.axvline(fit_end + 0.5, color="grey", linestyle=":", linewidth=1)
        ax.set_title(f"{series} {region}", fontsize=9)
        ax.tick_params(labelsize=7)
        if len(sel) == 1:
            ax.set_xticks(list(sel.year))
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    # the legend where it names most (a panel with a band, and the published range)
    legend_ax = max(list(axes.flat)[:n], key=lambda a: len(a.get_legend_handles_labels()[0]))
    legend_ax.legend(fontsize=7, frameon=False)
    fig.suptitle(f"Observed vs simulated (dotted line: end of fitting window {fit_end})")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


# -- the content, as blocks -------------------------------------------------------------------

# A block is ("h2", text) | ("p", text) | ("list", [text]) | ("table", headers, rows,
# caption) | ("img", alt, file) | ("banner", text, ok). Texts may hold `code` and **bold**.


def _verdicts(result: CalibrationResult, ranges: pd.DataFrame) -> list[str]:
    out = []
    held = result.stats[result.stats.window == "held-out"]
    for (series, region), target in MAPE_TARGETS.items():
        sel = held[(held.series == series) & (held.region == region)]
        if sel.empty:
            out.append(f"{series} {region}: no held-out observations.")
            continue
        mape = float(sel.mape.iloc[0])
        verdict = "within" if mape <= target else "MISSES"
        out.append(
            f"{series} {region}: held-out MAPE {mape:.1f}% ({verdict} the {target:.0f}% target)."
        )
    for _, r in ranges.iterrows():
        where = "inside" if r.inside else "OUTSIDE"
        out.append(
            f"{r.series} {r.region} {r.year}: simulated {r['mean']:.2f} "
            f"(5–95% {r.p05:.2f}–{r.p95:.2f}), {where} the published range "
            f"{r.low:g}–{r.high:g} ({r.ref})."
        )
    worst = result.stats.sort_values("mape", ascending=False).head(3)
    for _, r in worst.iterrows():
        out.append(
            f"Largest error: {r.series} {r.region} ({r.window}, {r.years}) MAPE {r.mape:.0f}%."
        )
    return out


def _stats_rows(stats: pd.DataFrame) -> list[list[str]]:
    rows = []
    for _, r in stats.iterrows():
        corr = "" if pd.isna(r["corr"]) else f"{r['corr']:.2f}"
        rows.append(
            [
                r.series,
                r.region,
                r.window,
                r.years,
                str(r.n),
                f"{r.rmse:,.1f}",
                f"{r.mape:.1f}",
                corr,
                f"{r.weight:g}",
            ]
        )
    return rows


STATS_HEAD = ["series", "region", "window", "years", "n", "RMSE", "MAPE %", "corr", "weight"]


def _parameter_rows(result: CalibrationResult) -> tuple[list[list[str]], list[str]]:
    """Rows of the fitted-parameter table, and one warning per value near a bound."""
    evidence = default_evidence()
    bounds = {p.name: p for p in result.free}
    near = {f["name"]: f for f in result.near_bounds()}
    rows, warnings = [], []
    for name, value in result.best.items():
        p = bounds.get(name)
        ref = AGENCY_SCALE_EVIDENCE if AGENCY_FIELD.match(name) else PARAMS[name].evidence
        e = evidence.get(ref)
        rng = f"{e.low:g}–{e.high:g} (`{ref}`)" if e is not None else f"`{ref}`"
        flag = ""
        if name in near:
            f = near[name]
            flag = f"**at its {f['side']} bound** ({100 * f['share']:.1f}% of the width)"
            warnings.append(
                f"`{name}` = {value:.6g} is within {100 * BOUND_MARGIN:g}% of its "
                f"{f['side']} bound {f['bound']:g} ({100 * f['share']:.1f}% of the bounds' "
                "width): the best fit may lie beyond it, so the value is set by the bound, "
                "not by the data."
            )
        search = f"{p.low:g}–{p.high:g}{' (log)' if p.log else ''}" if p else ""
        rows.append([f"`{name}`", f"{value:.6g}", search, rng, flag])
    return rows, warnings


def _alternatives_blocks(result: CalibrationResult) -> list[tuple]:
    alt = result.alternatives
    if alt is None or alt.empty:
        return []
    cols = [c for c in alt.columns if c.startswith("mape ")]
    head = ["rank", "evaluation", "stage", "objective"] + [
        c.removeprefix("mape ") + " %" for c in cols
    ]
    rows = [
        [str(r["rank"]), str(r.evaluation), r.stage, f"{r.objective:.4f}"]
        + [f"{r[c]:.1f}" for c in cols]
        for _, r in alt.iterrows()
    ]
    spread = []
    for c in cols:
        key = tuple(c.removeprefix("mape ").split(" ", 1))
        v = alt[c].dropna()
        if v.empty:
            continue
        target = HELD_OUT_SERIES.get(key)
        text = f"{key[0]} {key[1]}: {v.min():.1f}% to {v.max():.1f}%"
        if target is not None:
            text += f" ({int((v <= target).sum())} of {len(v)} within the {target:g}% target)"
        elif key in INPUT_SERIES:
            text += " (a model input: does not count as a held-out success)"
        spread.append(text + ".")
    return [
        ("h2", "How fragile is the held-out fit?"),
        (
            "p",
            f"The {len(alt)} best distinct fits found during the search (points differing "
            "by at least 2% of a bound's width in some parameter, ranked by the objective "
            "over the fitting window) and their held-out errors (MAPE over the years after "
            f"{result.fit_end}). Fits that the fitting window scores almost alike can "
            "disagree on the held-out years; read a headline MAPE with this spread in mind. "
            "Held-out MAPE across these fits:",
        ),
        ("list", spread),
        (
            "table",
            head,
            rows,
            "Objective: as the search scored it (fitting window, the search's replicates); "
            "held-out MAPE: a run of each fit with the report's replicates. Stage: where "
            "the search found it. Every fit's parameter values are in alternatives.csv.",
        ),
    ]


def blocks(
    result: CalibrationResult,
    base_name: str,
    ranges: pd.DataFrame,
    posterior: pd.DataFrame | None,
    run: dict,
    wrote_toml: bool,
) -> list[tuple]:
    prov = result.provenance
    targets = ", ".join(f"{s} {r} (weight {w:g})" for (s, r), w in TARGETS.items())
    status = status_line(result)
    out: list[tuple] = [
        ("h1", f"Calibration of {base_name}"),
        ("banner", status, result.complete),
    ]
    if not wrote_toml:
        out.append(("p", "**calibrated.toml was not written**: the search is incomplete."))
    out.append(
        (
            "p",
            f"Method: {result.method}; {result.evaluations} evaluations in "
            f"{result.seconds:.0f} s on {describe(run['machine'])}. Fitting window: up to "
            f"{result.fit_end}; held-out years: after {result.fit_end}. Objective: weighted "
            f"mean squared error of log(1 + value) over {targets}. Final objective "
            f"(fitting window): {result.objective:.4f}.",
        )
    )
    prov_rows = [
        ["command", f"`{prov['command']}`" if prov.get("command") else "(Python API)"],
        ["seed", str(prov.get("seed", ""))],
        ["corredor version", str(prov.get("corredor_version", ""))],
        ["inputs digest", f"`{prov.get('inputs_digest', '')}`"],
        ["stopped on", result.stop_reason],
        ["commit", run["machine"].get("commit") or "(not a git checkout)"],
    ]
    out.append(
        (
            "table",
            ["provenance", ""],
            prov_rows,
            "The inputs digest covers the scenario (without the fitted values), its network "
            "and the observed series; `make reproduce-calibration` re-runs the command and "
            "compares the values with those shipped.",
        )
    )
    rows, warnings = _parameter_rows(result)
    out += [
        ("h2", "Fitted parameters"),
        (
            "table",
            ["parameter", "value", "search bounds", "evidence range", "flag"],
            rows,
            f"Values within {100 * BOUND_MARGIN:g}% of a bound (as a share of the bounds' "
            "width, on the search scale) are flagged.",
        ),
    ]
    if warnings:
        out.append(("list", warnings))
    if posterior is not None:
        out += _posterior_blocks(posterior)
    out += [
        ("h2", "Where the model fits and where it misses"),
        ("list", _verdicts(result, ranges)),
    ]
    out += _alternatives_blocks(result)
    if not ranges.empty:
        out += [
            ("h2", "Range checks"),
            (
                "table",
                ["series", "region", "year", "simulated", "5–95%", "published range", "source"],
                [
                    [
                        r.series,
                        r.region,
                        str(r.year),
                        f"{r['mean']:.2f}",
                        f"{r.p05:.2f}–{r.p95:.2f}",
                        f"{r.low:g}–{r.high:g}" + ("" if r.inside else " **outside**"),
                        f"`{r.ref}`",
                    ]
                    for _, r in ranges.iterrows()
                ],
                "Simulated series judged against the envelope of published estimates, not fitted.",
            ),
        ]
    out += [
        ("h2", "Fit statistics (calibrated)"),
        ("table", STATS_HEAD, _stats_rows(result.stats), ""),
        ("h2", "Fit statistics before calibration (package defaults)"),
        ("table", STATS_HEAD, _stats_rows(result.baseline_stats), ""),
        ("h2", "Observed and simulated series"),
        ("img", "observed vs simulated", "fit.png"),
    ]
    return out


def _posterior_blocks(posterior: pd.DataFrame) -> list[tuple]:
    rows = [
        [
            f"`{c}`",
            f"{posterior[c].median():.6g}",
            f"{posterior[c].quantile(0.05):.6g}",
            f"{posterior[c].quantile(0.95):.6g}",
        ]
        for c in posterior.columns
        if c != "distance"
    ]
    return [
        ("h2", f"Posterior ({len(posterior)} accepted sets, posterior.csv)"),
        (
            "p",
            "The fitted values above are posterior medians. `corredor ensemble --posterior "
            "posterior.csv` draws these parameters jointly from the sample.",
        ),
        ("table", ["parameter", "median", "5%", "95%"], rows, ""),
    ]


# -- rendering ----------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def to_markdown(content: list[tuple]) -> str:
    parts = []
    for block in content:
        kind = block[0]
        if kind == "h1":
            parts.append(f"# {block[1]}")
        elif kind == "h2":
            parts.append(f"## {block[1]}")
        elif kind == "p":
            parts.append(block[1])
        elif kind == "banner":
            parts.append(f"> {block[1]}")
        elif kind == "list":
            parts.append("\n".join(f"- {item}" for item in block[1]))
        elif kind == "table":
            _, head, rows, caption = block
            lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
            if caption:
                lines += ["", caption]
            parts.append("\n".join(lines))
        elif kind == "img":
            parts.append(f"![{block[1]}]({block[2]})")
    return "\n\n".join(parts) + "\n"


_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    """Escaped HTML of a text with `code` and **bold** spans."""
    out = html.escape(str(text), quote=True)
    out = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", out)
    return _BOLD.sub(lambda m: f"<strong>{m.group(1)}</strong>", out)


def _numeric(cell: str) -> bool:
    return bool(re.fullmatch(r"[−\-+]?[\d,.]+(e[−\-+]?\d+)?%?", str(cell).strip()))


def to_html(content: list[tuple], images: dict[str, bytes], title: str) -> str:
    parts = [
        "<!doctype html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html.escape(title)}</title><style>{CSS}{EXTRA_CSS}</style></head><body>",
    ]
    for block in content:
        kind = block[0]
        if kind == "h1":
            parts.append(f"<header><h1>{_inline(block[1])}</h1></header>")
        elif kind == "h2":
            parts.append(f"<h2>{_inline(block[1])}</h2>")
        elif kind == "p":
            parts.append(f"<p>{_inline(block[1])}</p>")
        elif kind == "banner":
            cls = "banner" if block[2] else "banner incomplete"
            parts.append(f"<p class='{cls}'>{_inline(block[1])}</p>")
        elif kind == "list":
            parts.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in block[1]) + "</ul>")
        elif kind == "table":
            _, head, rows, caption = block
            thead = "".join(f"<th>{_inline(h)}</th>" for h in head)
            body = "".join(
                "<tr>"
                + "".join(
                    f"<td{' class=num' if _numeric(c) else ''}>{_inline(c)}</td>" for c in row
                )
                + "</tr>"
                for row in rows
            )
            parts.append(
                f"<table><thead><tr>{thead}</tr></thead><tbody>{body}</tbody></table>"
                + (f"<p class='caption'>{_inline(caption)}</p>" if caption else "")
            )
        elif kind == "img":
            data = base64.b64encode(images[block[2]]).decode("ascii")
            parts.append(
                f"<figure><img alt='{html.escape(block[1])}' "
                f"src='data:image/png;base64,{data}'><figcaption>Dots: observed; line and "
                "band: simulated mean and 5–95% across replicates; dotted line: end of the "
                "fitting window.</figcaption></figure>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(
    result: CalibrationResult,
    outdir: str | Path,
    base_name: str,
    posterior=None,
    *,
    accept_incomplete: bool = False,
    extends: str | None = None,
) -> list[Path]:
    """Write calibration.md/.html, fit.png, CSV tables, run.json and, for a complete
    search (or with `accept_incomplete`), calibrated.toml. For ABC also posterior.csv."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(name: str, data: str | bytes) -> None:
        path = outdir / name
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        written.append(path)

    wrote_toml = result.complete or accept_incomplete
    stale = outdir / "calibrated.toml"
    if wrote_toml:
        put("calibrated.toml", scenario_toml(result, base_name, extends))
    elif stale.exists():
        stale.unlink()  # never leave an older fit beside this report
    png = _figure(result.table, result.fit_end)
    put("fit.png", png)
    ranges = range_checks(result.results)
    for name, df in (
        ("comparison.csv", result.table),
        ("fit_statistics.csv", result.stats),
        ("range_checks.csv", ranges),
        ("alternatives.csv", result.alternatives),
        ("evaluations.csv", result.history),
        ("posterior.csv", posterior),
    ):
        if df is not None:
            buf = io.StringIO()
            df.to_csv(buf, index=False, float_format="%.6g")
            put(name, buf.getvalue())
    run = dict(
        kind="calibration",
        method=result.method,
        **result.provenance,
        scenario=base_name,
        evaluations=result.evaluations,
        generations=result.generations,
        max_generations=result.max_generations,
        stopped_on=result.stop_reason,
        complete=result.complete,
        seconds=round(result.seconds, 1),
        budget_seconds=result.budget_seconds,
        objective=result.objective,
        fit_end=result.fit_end,
        best=result.best,
        near_bounds=result.near_bounds(),
        machine=finish(result.machine or machine_info()),
    )
    put("run.json", json.dumps(run, indent=1, default=str) + "\n")
    content = blocks(result, base_name, ranges, posterior, run, wrote_toml)
    put("calibration.md", to_markdown(content))
    put("calibration.html", to_html(content, {"fit.png": png}, f"Calibration of {base_name}"))
    return written
