"""`corredor compare` and `corredor report`: policy effects, paired by replicate."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import numpy as np
import typer
from rich.table import Table

from corredor.cli.app import app, console, err_console, num
from corredor.errors import CorredorError


@app.command()
def compare(
    scenarios: list[str] = typer.Argument(..., help="Scenarios; the first is the reference."),
    replicates: int = typer.Option(16, "--replicates", "-r", help="Replicates per scenario."),
    seed: int = typer.Option(1, "--seed", "-s", help="Seed shared by all scenarios."),
    first: int = typer.Option(None, "--from", help="First year of the summary window."),
    last: int = typer.Option(None, "--to", help="Last year of the summary window."),
    out: Path = typer.Option(None, "--out", "-o", help="Also write comparison.csv here."),
    draws: int = typer.Option(
        0,
        "--draws",
        help="Parameter draws (from evidence ranges) shared by all scenarios; intervals "
        "then include parameter uncertainty. 0: the scenarios' own values.",
    ),
    workers: int = typer.Option(None, "--workers", "-w", help="Worker processes with --draws."),
) -> None:
    """Compare scenarios on key outcomes, with differences from the first and 90% intervals."""
    from corredor.analysis.compare import compare as run_compare

    if replicates < 1:
        raise CorredorError("must be at least 1", field="--replicates", fix="use 1 or more")
    from corredor.analysis.executors import batch_executor

    pool = batch_executor(workers, needed=draws > 0)
    with err_console.status("running scenarios") as status, pool as ex:
        result = run_compare(
            scenarios,
            replicates=replicates,
            seed=seed,
            first=first,
            last=last,
            progress=lambda name: status.update(f"running {name}"),
            draws=draws,
            executor=ex,
        )
    df = result.table
    caveats = _caveats(result, list(df.outcome.unique()))
    warned = set(caveats)
    table = Table(
        title=f"Totals {result.first}–{result.last}, {result.replicates} runs per scenario, "
        f"seed {result.seed}",
        caption=f"mean [5%–95%]; Δ = difference from {scenarios[0]} in the same replicate"
        + (f"; {draws} parameter draws × {replicates} replicates" if draws else ""),
    )
    table.add_column("outcome")
    for name in scenarios:
        table.add_column(name, justify="right")
    for key in df.outcome.unique():
        # one row per scenario, in the order given (a scenario may be given twice)
        sel = df[df.outcome == key]
        cells = []
        for i in range(len(scenarios)):
            r = sel.iloc[i]
            if r.get("note") == "cost not modelled":
                cells.append("cost not modelled")
                continue
            cell = "" if np.isnan(r["mean"]) else f"{num(r['mean'])}\n[{num(r.p05)}–{num(r.p95)}]"
            if i and not np.isnan(r.diff_mean):
                sign = "Δ " if not np.isnan(r["mean"]) else ""
                interval = (
                    f" [{num(r.diff_p05, True)}, {num(r.diff_p95, True)}]"
                    if not np.isnan(r.diff_p05)
                    else ""
                )
                cell += ("\n" if cell else "") + f"{sign}{num(r.diff_mean, bool(sign))}{interval}"
            elif i and np.isnan(r["mean"]):
                cell = "–"
            cells.append(cell)
        if i == 0 and all(c in ("", "–") for c in cells):
            continue
        label = sel.iloc[0].label + (" †" if key in warned else "")
        table.add_row(label, *cells)
    console.print(table)
    _print_caveats(caveats, df)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        df.to_csv(out / "comparison.csv", index=False, float_format="%.6g")
        console.print(f"Wrote {out / 'comparison.csv'}")


def _caveats(result, outcomes: list[str]) -> dict[str, list[str]]:
    """Failed validation checks bearing on the table's outcomes, measured on the
    reference scenario's runs (`corredor validate` explains each check)."""
    from corredor.analysis.validate import score

    ref = next(iter(result.results.values()), None) if result.results else None
    if ref is None:
        return {}
    return score(ref).caveats(outcomes)


def _print_caveats(caveats: dict[str, list[str]], df) -> None:
    """Each caveat once, after the labels of the outcomes it bears on."""
    if not caveats:
        return
    labels = dict(zip(df.outcome, df.label, strict=False))
    by_text: dict[str, list[str]] = {}
    for outcome, texts in caveats.items():
        for text in texts:
            by_text.setdefault(text, []).append(labels.get(outcome, outcome))
    console.print("† Caveats: failed checks of `corredor validate`, measured on the reference runs")
    for text, rows in by_text.items():
        console.print(f"  [bold]{'; '.join(rows)}[/]: {text}", highlight=False)


@app.command()
def report(
    scenarios: list[str] = typer.Argument(..., help="Scenarios; the first is the reference."),
    replicates: int = typer.Option(16, "--replicates", "-r", help="Replicates per scenario."),
    seed: int = typer.Option(1, "--seed", "-s", help="Seed shared by all scenarios."),
    first: int = typer.Option(None, "--from", help="First year of the summary window."),
    last: int = typer.Option(None, "--to", help="Last year of the summary window."),
    out: Path = typer.Option(Path("out/report"), "--out", "-o", help="Report directory."),
    draws: int = typer.Option(
        0,
        "--draws",
        help="Parameter draws shared by all scenarios (intervals then include "
        "parameter uncertainty); 0: the scenarios' own values.",
    ),
    workers: int = typer.Option(None, "--workers", "-w", help="Worker processes with --draws."),
) -> None:
    """Write a self-contained HTML report comparing scenarios (figures embedded)."""
    from corredor.outputs.report import write_report

    if draws < 0:
        raise CorredorError("must not be negative", field="--draws", fix="use 0 or more")
    command = "corredor " + shlex.join(sys.argv[1:])
    from corredor.analysis.executors import batch_executor

    pool = batch_executor(workers, needed=draws > 0)
    with err_console.status("loading scenarios") as status, pool as ex:
        path = write_report(
            scenarios,
            out=out,
            replicates=replicates,
            seed=seed,
            first=first,
            last=last,
            command=command,
            progress=status.update,
            draws=draws,
            executor=ex,
        )
    console.print(f"Wrote {path}")
