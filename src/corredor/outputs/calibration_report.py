"""Write a calibration's outputs: fitted scenario TOML, tables, figures, Markdown and HTML.

The HTML is self-contained (figures embedded as base64 PNG) and works offline.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from corredor.analysis.calibration import (  # noqa: E402
    AGENCY_FIELD,
    RANGE_CHECKS,
    TARGETS,
    CalibrationResult,
    range_checks,
)
from corredor.evidence import default_evidence  # noqa: E402

MAPE_TARGETS = {
    ("seized_t", "EC"): 30.0,
    ("homicide_rate", "EC"): 30.0,
    ("produced_t", "world"): 15.0,
}


def scenario_toml(result: CalibrationResult, base_name: str) -> str:
    lines = [
        f"# Calibrated by `corredor calibrate` on {_dt.date.today().isoformat()}:",
        f"# {result.method}, {result.evaluations} evaluations in {result.seconds:.0f} s,",
        f"# fitting window to {result.fit_end}, objective (weighted MSE of log values) "
        f"{result.objective:.4f}.",
        f'extends = "{base_name}"',
        f'name = "{base_name}-calibrated"',
        'refs = ["calibration-2026-11"]',
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


def _stats_markdown(stats: pd.DataFrame) -> str:
    lines = [
        "| series | region | window | years | n | RMSE | MAPE % | corr | weight |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in stats.iterrows():
        corr = "" if pd.isna(r["corr"]) else f"{r['corr']:.2f}"
        lines.append(
            f"| {r.series} | {r.region} | {r.window} | {r.years} | {r.n} | "
            f"{r.rmse:,.1f} | {r.mape:.1f} | {corr} | {r.weight:g} |"
        )
    return "\n".join(lines)


def write_report(
    result: CalibrationResult, outdir: str | Path, base_name: str, posterior=None
) -> list[Path]:
    """Write calibrated.toml, calibration.md/.html, fit.png and CSV tables (and, for ABC,
    posterior.csv with a table of posterior medians and 90% intervals)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    png = _figure(result.table, result.fit_end)
    (outdir / "fit.png").write_bytes(png)
    toml_text = scenario_toml(result, base_name)
    (outdir / "calibrated.toml").write_text(toml_text, encoding="utf-8")
    result.table.to_csv(outdir / "comparison.csv", index=False, float_format="%.6g")
    result.stats.to_csv(outdir / "fit_statistics.csv", index=False, float_format="%.6g")
    ranges = range_checks(result.results)
    ranges.to_csv(outdir / "range_checks.csv", index=False, float_format="%.6g")
    params = "\n".join(f"| `{k}` | {v:.6g} |" for k, v in result.best.items())
    targets = ", ".join(f"{s} {r} (weight {w:g})" for (s, r), w in TARGETS.items())
    verdicts = "\n".join(f"- {v}" for v in _verdicts(result, ranges))
    budget = " (stopped by the time budget)" if result.stopped_by_budget else ""
    md = f"""# Calibration report

Scenario `{base_name}`; method: {result.method}; {result.evaluations} evaluations in
{result.seconds:.0f} s{budget}. Fitting window: up to {result.fit_end}; held-out years:
after {result.fit_end}. Objective: weighted mean squared error of log(1 + value) over
{targets}. Final objective (fitting window): {result.objective:.4f}.

## Fitted parameters

| parameter | value |
|---|---|
{params}

{_posterior_markdown(posterior)}## Where the model fits and where it misses

{verdicts}

## Fit statistics (calibrated)

{_stats_markdown(result.stats)}

## Fit statistics before calibration (defaults)

{_stats_markdown(result.baseline_stats)}

![observed vs simulated](fit.png)
"""
    (outdir / "calibration.md").write_text(md, encoding="utf-8")
    extra = []
    if posterior is not None:
        posterior.to_csv(outdir / "posterior.csv", index=False, float_format="%.6g")
        extra.append(outdir / "posterior.csv")
    b64 = base64.b64encode(png).decode()
    body = html.escape(md.split("![observed")[0])
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Calibration report</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "pre{white-space:pre-wrap}</style></head><body>"
        f"<pre>{body}</pre><img alt='observed vs simulated' style='max-width:100%' "
        f"src='data:image/png;base64,{b64}'></body></html>"
    )
    (outdir / "calibration.html").write_text(page, encoding="utf-8")
    return [
        outdir / n
        for n in (
            "calibrated.toml",
            "calibration.md",
            "calibration.html",
            "fit.png",
            "comparison.csv",
            "fit_statistics.csv",
            "range_checks.csv",
        )
    ] + extra


def _posterior_markdown(posterior) -> str:
    if posterior is None:
        return ""
    rows = "\n".join(
        f"| `{c}` | {posterior[c].median():.6g} | {posterior[c].quantile(0.05):.6g} | "
        f"{posterior[c].quantile(0.95):.6g} |"
        for c in posterior.columns
        if c != "distance"
    )
    return f"""## Posterior ({len(posterior)} accepted sets, `posterior.csv`)

The fitted values above are posterior medians. `corredor ensemble --posterior
posterior.csv` draws these parameters jointly from the sample.

| parameter | median | 5% | 95% |
|---|---|---|---|
{rows}

"""
