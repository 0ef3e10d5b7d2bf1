"""`corredor calibrate`: fit free parameters to the observed history."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from corredor.cli.app import app, console, err_console, progress_bar
from corredor.errors import CorredorError


@app.command()
def calibrate(
    scenario: str = typer.Argument("baseline", help="Scenario to calibrate."),
    method: str = typer.Option(
        "de",
        "--method",
        help="de: differential evolution (scipy); abc: approximate Bayesian computation "
        "(rejection), which also writes a posterior sample.",
    ),
    draws: int = typer.Option(2000, "--n", help="abc: prior draws."),
    accept: float = typer.Option(0.05, "--accept", help="abc: share of draws accepted."),
    workers: int = typer.Option(None, "--workers", "-w", help="abc: worker processes."),
    fit_end: int = typer.Option(2021, "--fit-end", help="Last year of the fitting window."),
    maxiter: int = typer.Option(15, "--maxiter", help="Generations of differential evolution."),
    popsize: int = typer.Option(8, "--popsize", help="Population size per free parameter."),
    replicates: int = typer.Option(2, "--replicates", "-r", help="Replicates per evaluation."),
    budget: float = typer.Option(900.0, "--budget-seconds", help="Stop after this long."),
    param: list[str] = typer.Option(
        [], "--param", help="Free parameter bounds NAME=LOW:HIGH (repeatable)."
    ),
    observed: Path = typer.Option(None, "--observed", help="Observed-series CSV."),
    seed: int = typer.Option(1, "--seed", help="Seed shared by every evaluation."),
    out: Path = typer.Option(Path("out/calibration"), "--out", "-o", help="Report directory."),
    force: bool = typer.Option(
        False, "--force", help="Replace files in --out that corredor did not write."
    ),
) -> None:
    """Fit free parameters to observed history; write calibrated TOML and a report."""
    from corredor.analysis.calibration import parse_bounds
    from corredor.history import load_history, pure_equivalent
    from corredor.outputs.calibration_report import write_report
    from corredor.scenario import load_scenario

    if method not in ("de", "abc"):
        raise CorredorError(f"unknown method {method!r}", field="--method", fix="use de or abc")
    for name, value in (
        ("--maxiter", maxiter),
        ("--popsize", popsize),
        ("--replicates", replicates),
    ):
        if value < 1:
            raise CorredorError("must be at least 1", field=name, fix="use 1 or more")
    if not budget > 0 or budget == float("inf"):
        raise CorredorError("must be a positive number of seconds", field="--budget-seconds")
    from corredor.limits import check_at_least, check_run_size, check_seed
    from corredor.outset import OutputSet, command_line

    check_at_least(draws, "--n")
    check_at_least(workers, "--workers")
    check_seed(seed)
    free = parse_bounds(param)
    # seizures are recorded as bulk weights, the model moves pure cocaine
    history_df = pure_equivalent(load_history(observed))
    sc = load_scenario(scenario)
    check_run_size(sc, replicates * popsize * max(1, len(free)), resolution="year")
    names = [
        "calibrated.toml",
        "calibration.md",
        "calibration.html",
        "fit.png",
        "comparison.csv",
        "fit_statistics.csv",
        "range_checks.csv",
        *(["posterior.csv"] if method == "abc" else []),
    ]
    outset = OutputSet(
        out,
        command=command_line(),
        names=names,
        force=force,
        say=lambda text: err_console.print(f"note: {text}", highlight=False),
        info={"scenario": sc.name, "seed": seed},
    )
    with outset:  # checked and locked before the (long) fit
        result, posterior = _fit(
            sc,
            history_df,
            free,
            method,
            draws,
            accept,
            workers,
            fit_end,
            maxiter,
            popsize,
            replicates,
            budget,
            seed,
        )
        write_report(result, outset.staging, sc.name, posterior=posterior)
    _show(result, sc.name)
    console.print("Wrote " + ", ".join(str(p) for p in outset.written))


def _fit(
    sc,
    history_df,
    free,
    method,
    draws,
    accept,
    workers,
    fit_end,
    maxiter,
    popsize,
    replicates,
    budget,
    seed,
):
    """Run the fit: ABC or differential evolution; returns (result, posterior or None)."""
    from corredor.analysis.calibration import calibrate as run_calibration

    posterior = None
    if method == "abc":
        from corredor.analysis.executors import batch_executor
        from corredor.analysis.posterior import abc

        pool = batch_executor(workers)
        with (
            progress_bar("ABC", "draws") as bar,
            pool as ex,
        ):
            task = bar.add_task("abc", total=draws)
            result, posterior = abc(
                sc,
                history_df,
                free=free,
                fit_end=fit_end,
                n=draws,
                accept=accept,
                seed=seed,
                executor=ex,
                progress=lambda n, best, secs: bar.update(task, completed=n),
            )
    else:
        with Progress(
            TextColumn("[bold]calibrating"),
            BarColumn(),
            TextColumn("{task.completed} evals"),
            TextColumn("best {task.fields[best]:.4f}"),
            TextColumn("{task.fields[secs]:.0f}s"),
            console=err_console,
            transient=True,
        ) as bar:
            task = bar.add_task(
                "calibrate",
                total=maxiter * popsize * len(free) + popsize * len(free),
                best=float("nan"),
                secs=0.0,
            )
            result = run_calibration(
                sc,
                history_df,
                free=free,
                fit_end=fit_end,
                maxiter=maxiter,
                popsize=popsize,
                replicates=replicates,
                seed=seed,
                budget_seconds=budget,
                progress=lambda n, best, secs: bar.update(task, completed=n, best=best, secs=secs),
            )
    return result, posterior


def _show(result, name: str) -> None:
    """The fit statistics and fitted values, with warnings for values off their evidence."""
    import pandas as pd

    from corredor.analysis.calibration import check_in_evidence_ranges

    table = Table(
        title=f"Calibration of {name}: {result.evaluations} evaluations, {result.seconds:.0f} s"
    )
    for col in ("series", "region", "window", "years", "MAPE %", "corr"):
        table.add_column(col)
    for _, r in result.stats.iterrows():
        table.add_row(
            r.series,
            r.region,
            r.window,
            r.years,
            f"{r.mape:.1f}",
            "" if pd.isna(r["corr"]) else f"{r['corr']:.2f}",
        )
    console.print(table)
    for name, value in result.best.items():
        console.print(f"{name} = {value:.6g}")
    for warning in check_in_evidence_ranges(result.best):
        err_console.print(f"[yellow]warning:[/] {warning}")
