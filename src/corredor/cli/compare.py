"""`corredor compare` and `corredor report`: policy effects, paired by replicate."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer

from corredor.cli.app import app, console, err_console, progress_bar
from corredor.cli.formats import (
    Column,
    CsvOption,
    FormatOption,
    emit,
    human,
    records_of,
    resolve,
)
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
    fmt: str = FormatOption(),
    csv: Path = CsvOption("Also write the comparison (one row per scenario and outcome)."),
    force: bool = typer.Option(
        False, "--force", help="Replace files in --out that corredor did not write."
    ),
) -> None:
    """Compare scenarios on key outcomes, with differences from the first and 90% intervals.

    CSV and JSON (--format) have one record per scenario and outcome: mean, p05, p95 and
    the difference from the first scenario (diff_mean, diff_p05, diff_p95)."""
    from contextlib import nullcontext

    from corredor.analysis.compare import compare as run_compare
    from corredor.analysis.executors import batch_executor

    _check_sizes(scenarios, replicates, seed, draws, workers)
    runs = replicates * max(draws, 1)
    outset = _outset(out, ["comparison.csv"], force, seed) if out is not None else nullcontext()
    pool = batch_executor(workers, needed=draws > 0)
    with (
        outset,
        progress_bar(f"compare ×{runs} runs", "scenarios") as bar,
        pool as ex,
    ):
        result = run_compare(
            scenarios,
            replicates=replicates,
            seed=seed,
            first=first,
            last=last,
            steps=lambda done, total: bar.update(completed=done, total=total),
            draws=draws,
            executor=ex,
        )
        if out is not None:
            result.table.to_csv(outset.staging / "comparison.csv", index=False, float_format="%.6g")
    df = result.table
    caveats = _caveats(result, list(df.outcome.unique()))
    records = records_of(df)
    for r in records:
        r.update(first=result.first, last=result.last)
    if resolve(fmt) in ("csv", "json"):
        emit(records, [], fmt=fmt, csv_path=csv)
        return
    labels = dict(zip(df.outcome, df.label, strict=False))
    emit(
        _table_rows(records, scenarios, set(caveats)),
        [Column("outcome")]
        + [Column(name, key=f"s{i}", number=True) for i, name in enumerate(scenarios)],
        fmt=fmt,
        title=f"Totals {result.first}–{result.last}, {result.replicates} runs per scenario, "
        f"seed {result.seed}",
        caption=f"mean [5%–95%]; Δ = difference from {scenarios[0]} in the same replicate"
        + (f"; {draws} parameter draws × {replicates} replicates" if draws else ""),
        csv_path=csv,
        csv_records=records,
        notes=_caveat_lines(caveats, labels)
        + (["Wrote " + ", ".join(str(p) for p in outset.written)] if out is not None else []),
    )


def _caveats(result, outcomes: list[str]) -> dict[str, list[str]]:
    """Failed validation checks bearing on the table's outcomes, measured on the
    reference scenario's runs (`corredor validate` explains each check)."""
    from corredor.analysis.validate import score

    ref = next(iter(result.results.values()), None) if result.results else None
    if ref is None:
        return {}
    return score(ref).caveats(outcomes)


def _caveat_lines(caveats: dict[str, list[str]], labels: dict[str, str]) -> list[str]:
    """Each caveat once, after the labels of the outcomes it bears on."""
    if not caveats:
        return []
    by_text: dict[str, list[str]] = {}
    for outcome, texts in caveats.items():
        for text in texts:
            by_text.setdefault(text, []).append(labels.get(outcome, outcome))
    lines = ["† Caveats: failed checks of `corredor validate`, measured on the reference runs"]
    lines += [f"  {'; '.join(rows)}: {text}" for text, rows in by_text.items()]
    return lines


def _table_rows(
    records: list[dict], scenarios: list[str], warned: set[str] = frozenset()
) -> list[dict]:
    """One row per outcome; per scenario its mean and range, then Δ and its interval;
    "cost not modelled" where the model does not count a policy's cost; † marks an
    outcome a failed validation check bears on."""
    outcomes: dict[str, list[dict]] = {}
    for r in records:
        outcomes.setdefault(r["outcome"], []).append(r)
    rows = []
    for rows_of in outcomes.values():  # one record per scenario, in the order given
        key = rows_of[0]["outcome"]
        row = {"outcome": rows_of[0]["label"] + (" †" if key in warned else "")}
        for i in range(len(scenarios)):
            r = rows_of[i]
            if r.get("note") == "cost not modelled":
                row[f"s{i}"] = "cost not modelled"
                continue
            cell = ""
            if r["mean"] is not None:
                cell = f"{human(r['mean'])}\n[{human(r['p05'])}–{human(r['p95'])}]"
            if i and r["diff_mean"] is not None:
                sign = "Δ " if r["mean"] is not None else ""
                interval = (
                    f" [{human(r['diff_p05'], signed=True)}, {human(r['diff_p95'], signed=True)}]"
                    if r["diff_p05"] is not None
                    else ""
                )
                diff = human(r["diff_mean"], signed=bool(sign))
                cell += ("\n" if cell else "") + f"{sign}{diff}{interval}"
            elif i and r["mean"] is None:
                cell = "–"
            row[f"s{i}"] = cell
        if all(row[f"s{i}"] in ("", "–") for i in range(len(scenarios))):
            continue
        rows.append(row)
    return rows


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
    runs = replicates * max(draws, 1)
    label = f"report: {len(scenarios)} scenarios ×{runs} runs"
    with outset, progress_bar(label, "steps") as bar, pool as ex:
        write_report(
            scenarios,
            out=outset.staging,
            replicates=replicates,
            seed=seed,
            first=first,
            last=last,
            command=command,
            draws=draws,
            executor=ex,
            steps=lambda done, total: bar.update(completed=done, total=total),
        )
    console.print(f"Wrote {out / REPORT_FILE}")
