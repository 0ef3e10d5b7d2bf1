"""`corredor calibrate`: fit free parameters to the observed history."""

from __future__ import annotations

import shlex
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from corredor.cli.app import app, console, err_console, progress_bar
from corredor.errors import CorredorError


def canonical_command(
    scenario: str,
    method: str,
    *,
    fit_end: int,
    seed: int,
    maxiter: int,
    popsize: int,
    replicates: int,
    polish_evals: int,
    report_replicates: int,
    alternatives: int,
    draws: int,
    accept: float,
    param: list[str],
    observed: Path | None,
) -> str:
    """The command that makes the same fit: every option that changes the result is
    written out (defaults too, so a later change of a default cannot change it); the
    output directory, workers and time budget are left out, since they do not."""
    args = ["corredor", "calibrate", scenario]
    if method == "abc":
        args += ["--method", "abc", "--n", str(draws), "--accept", f"{accept:g}"]
    else:
        args += [
            "--maxiter",
            str(maxiter),
            "--popsize",
            str(popsize),
            "--replicates",
            str(replicates),
            "--polish-evals",
            str(polish_evals),
            "--alternatives",
            str(alternatives),
        ]
    args += [
        "--report-replicates",
        str(report_replicates),
        "--fit-end",
        str(fit_end),
        "--seed",
        str(seed),
    ]
    for spec in param:
        args += ["--param", spec]
    if observed is not None:
        args += ["--observed", str(observed)]
    return shlex.join(args)


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
    workers: int = typer.Option(
        None,
        "--workers",
        "-w",
        help="Worker processes (default: one per core). The result does not depend on it.",
    ),
    fit_end: int = typer.Option(2021, "--fit-end", help="Last year of the fitting window."),
    maxiter: int = typer.Option(
        15, "--maxiter", help="Generations of differential evolution (the stopping rule)."
    ),
    popsize: int = typer.Option(8, "--popsize", help="Population size per free parameter."),
    replicates: int = typer.Option(2, "--replicates", "-r", help="Replicates per evaluation."),
    polish_evals: int = typer.Option(
        200, "--polish-evals", help="Nelder-Mead evaluations after the global search."
    ),
    report_replicates: int = typer.Option(
        8, "--report-replicates", help="Replicates of the runs the report describes."
    ),
    alternatives: int = typer.Option(
        10,
        "--alternatives",
        help="Best distinct fits whose held-out errors the report lists.",
    ),
    budget: float = typer.Option(
        7200.0,
        "--budget-seconds",
        help="Safety limit: a search that reaches it stops, is marked incomplete and does "
        "not write calibrated.toml (see --accept-incomplete).",
    ),
    accept_incomplete: bool = typer.Option(
        False,
        "--accept-incomplete",
        help="Write calibrated.toml even when the time budget stopped the search.",
    ),
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
    """Fit free parameters to observed history; write calibrated TOML and a report.

    The search stops on its generation and polish limits, so the same command and seed
    give the same values on any machine and with any number of workers. Exit code 1 when
    the time budget stopped it (the report says so; calibrated.toml is not written unless
    --accept-incomplete)."""

    from corredor.analysis.calibration import (
        parse_bounds,
    )
    from corredor.history import load_history, pure_equivalent
    from corredor.limits import check_at_least, check_run_size, check_seed
    from corredor.outputs.calibration_report import REPORT_FILES, status_line, write_report
    from corredor.scenario import load_scenario

    if method not in ("de", "abc"):
        raise CorredorError(f"unknown method {method!r}", field="--method", fix="use de or abc")
    for name, value in (
        ("--maxiter", maxiter),
        ("--popsize", popsize),
        ("--replicates", replicates),
        ("--report-replicates", report_replicates),
    ):
        if value < 1:
            raise CorredorError("must be at least 1", field=name, fix="use 1 or more")
    for name, value in (("--polish-evals", polish_evals), ("--alternatives", alternatives)):
        if value < 0:
            raise CorredorError("must not be negative", field=name, fix="use 0 or more")
    if not budget > 0 or budget == float("inf"):
        raise CorredorError("must be a positive number of seconds", field="--budget-seconds")
    check_at_least(draws, "--n")
    check_at_least(workers, "--workers")
    check_seed(seed)
    free = parse_bounds(param)
    # seizures are recorded as bulk weights, the model moves pure cocaine
    history_df = pure_equivalent(load_history(observed))
    sc = load_scenario(scenario)
    check_run_size(sc, replicates * popsize * max(1, len(free)), resolution="year")
    command = canonical_command(
        scenario,
        method,
        fit_end=fit_end,
        seed=seed,
        maxiter=maxiter,
        popsize=popsize,
        replicates=replicates,
        polish_evals=polish_evals,
        report_replicates=report_replicates,
        alternatives=alternatives,
        draws=draws,
        accept=accept,
        param=param,
        observed=observed,
    )
    from corredor.outset import OutputSet, command_line

    names = [*REPORT_FILES, *(["posterior.csv"] if method == "abc" else [])]
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
            polish_evals,
            report_replicates,
            alternatives,
            command,
        )
        from corredor.scenario import builtin_scenarios

        # a calibrated copy extends the scenario by name if built in, else by its path
        extends = sc.name if scenario in builtin_scenarios() else str(Path(sc.file).resolve())
        write_report(
            result,
            outset.staging,
            sc.name,
            posterior=posterior,
            accept_incomplete=accept_incomplete,
            extends=extends,
        )
    written = outset.written
    _show(result, sc.name)
    style = "green" if result.complete else "bold red"
    err_console.print(f"[{style}]{status_line(result)}[/]", soft_wrap=True)
    console.print(f"Command: {command}", soft_wrap=True)
    console.print("Wrote " + ", ".join(str(p) for p in written))
    if not result.complete and not accept_incomplete:
        raise typer.Exit(code=1)


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
    polish_evals,
    report_replicates,
    alternatives,
    command,
):
    """Run the fit: ABC or differential evolution; returns (result, posterior or None)."""
    from corredor.analysis.calibration import calibrate as run_calibration
    from corredor.analysis.calibration import planned_evaluations
    from corredor.analysis.executors import batch_executor

    posterior = None
    pool = batch_executor(workers)
    if method == "abc":
        from corredor.analysis.posterior import abc

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
                report_replicates=report_replicates,
                executor=ex,
                progress=lambda n, best, secs: bar.update(task, completed=n),
            )
        result.provenance["command"] = command
    else:
        with (
            Progress(
                TextColumn("[bold]calibrating"),
                BarColumn(),
                TextColumn("{task.completed} evals"),
                TextColumn("best {task.fields[best]:.4f}"),
                TextColumn("{task.fields[secs]:.0f}s"),
                console=err_console,
                transient=True,
            ) as bar,
            pool as ex,
        ):
            task = bar.add_task(
                "calibrate",
                total=planned_evaluations(len(free), maxiter, popsize, polish_evals),
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
                polish_evals=polish_evals,
                report_replicates=report_replicates,
                alternatives=alternatives,
                executor=ex,
                command=command,
                progress=lambda n, best, secs: bar.update(task, completed=n, best=best, secs=secs),
            )
    return result, posterior


def _show(result, name: str) -> None:
    """The fit statistics and fitted values, with warnings for values at a bound or off
    their evidence."""
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
    for f in result.near_bounds():
        err_console.print(
            f"[yellow]warning:[/] {f['name']} = {f['value']:.6g} is at its {f['side']} bound "
            f"{f['bound']:g} ({100 * f['share']:.1f}% of the bounds' width): the data would "
            "take it further; widen the bounds if the evidence allows"
        )
