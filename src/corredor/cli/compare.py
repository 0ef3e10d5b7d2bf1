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
    force: bool = typer.Option(
        False, "--force", help="Replace files in --out that corredor did not write."
    ),
) -> None:
    """Compare scenarios on key outcomes, with differences from the first and 90% intervals."""
    from contextlib import nullcontext

    from corredor.analysis.compare import compare as run_compare

    _check_sizes(scenarios, replicates, seed, draws, workers)
    from corredor.analysis.executors import batch_executor

    outset = _outset(out, ["comparison.csv"], force, seed) if out is not None else nullcontext()
    pool = batch_executor(workers, needed=draws > 0)
    with outset, err_console.status("running scenarios") as status, pool as ex:
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
        if out is not None:
            result.table.to_csv(outset.staging / "comparison.csv", index=False, float_format="%.6g")
    df = result.table
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
        table.add_row(sel.iloc[0].label, *cells)
    console.print(table)
    if out is not None:
        console.print("Wrote " + ", ".join(str(p) for p in outset.written))


def _check_sizes(scenarios, replicates, seed, draws, workers) -> None:
    """Counts, seed and memory of a comparison, before any run."""
    from corredor.limits import check_at_least, check_run_size, check_seed
    from corredor.scenario import load_scenario

    check_at_least(replicates, "--replicates")
    check_at_least(draws, "--draws", low=0)
    check_at_least(workers, "--workers")
    check_seed(seed)
    if scenarios:
        sc = load_scenario(scenarios[0])
        runs = len(scenarios) * replicates * max(draws, 1)
        check_run_size(
            sc,
            runs,
            resolution="year",
            field="--replicates" if not draws else "--draws",
            what=f"{runs:,} runs ({len(scenarios)} scenarios x {replicates} replicates"
            + (f" x {draws} draws)" if draws else ")"),
        )


def _outset(out: Path, names: list[str], force: bool, seed: int):
    """The output set of `--out` (checked and locked before any run)."""
    from corredor.outset import OutputSet, command_line

    return OutputSet(
        out,
        command=command_line(),
        names=names,
        force=force,
        say=lambda text: err_console.print(f"note: {text}", highlight=False),
        info={"seed": seed},
    )


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
    force: bool = typer.Option(
        False, "--force", help="Replace files in --out that corredor did not write."
    ),
) -> None:
    """Write a self-contained HTML report comparing scenarios (figures embedded)."""
    from corredor.outputs.report import REPORT_FILE, TABLE_FILE, check_inputs, write_report

    if draws < 0:
        raise CorredorError("must not be negative", field="--draws", fix="use 0 or more")
    check_inputs([str(n) for n in scenarios], replicates, first, last, out)
    _check_sizes(scenarios, replicates, seed, draws, workers)
    command = "corredor " + shlex.join(sys.argv[1:])
    from corredor.analysis.executors import batch_executor

    outset = _outset(out, [REPORT_FILE, TABLE_FILE, "figures"], force, seed)
    pool = batch_executor(workers, needed=draws > 0)
    with outset, err_console.status("loading scenarios") as status, pool as ex:
        write_report(
            scenarios,
            out=outset.staging,
            replicates=replicates,
            seed=seed,
            first=first,
            last=last,
            command=command,
            progress=status.update,
            draws=draws,
            executor=ex,
        )
    console.print(f"Wrote {out / REPORT_FILE}")
