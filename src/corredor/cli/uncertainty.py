"""Command-line commands `corredor ensemble` and `corredor sensitivity`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from corredor.cli.app import app, console, err_console, progress_bar
from corredor.cli.formats import Column, FormatOption, emit, human, records_of, resolve
from corredor.errors import CorredorError

# (label, metric, region, scale) rows of the ensemble table
ENSEMBLE_ROWS = (
    ("Production, world (t)", "produced_t", "world", 1.0),
    ("Seized, all countries (t)", "seized_t", "world", 1.0),
    ("Seized in Ecuador (t)", "seized_t", "EC", 1.0),
    ("Delivered, all markets (t)", "delivered_t", "world", 1.0),
    ("Ecuador transit share (%)", "transit_share", "EC", 100.0),
    ("Homicide rate, Ecuador (/100k)", "homicide_rate", "EC", 1.0),
    ("Deaths in lethal strikes", "deaths_crew", "world", 1.0),
)


def _years(years: list[int], wanted=(2015, 2020, 2023, 2025, 2030)) -> list[int]:
    shown = [y for y in wanted if y in years] or years[:: max(1, len(years) // 5)]
    if years[-1] not in shown:
        shown.append(years[-1])
    return shown


@app.command()
def ensemble(
    scenario: str = typer.Argument("baseline", help="Built-in scenario name or TOML file."),
    n: int = typer.Option(100, "--n", help="Parameter draws."),
    replicates: int = typer.Option(1, "--replicates", "-r", help="Replicates per draw."),
    seed: int = typer.Option(1, "--seed", "-s", help="Seed of draws and runs."),
    chunk: int = typer.Option(100, "--chunk", help="Runs per task (one engine batch)."),
    param: list[str] = typer.Option(
        [], "--param", help="Draw only these parameters (repeatable; default: all)."
    ),
    posterior: Path = typer.Option(
        None,
        "--posterior",
        help="posterior.csv from `corredor calibrate --method abc`: draw those "
        "parameters jointly from it instead of their evidence ranges.",
    ),
    workers: int = typer.Option(None, "--workers", "-w", help="Local worker processes."),
    scheduler: str = typer.Option(
        None, "--scheduler", help="Dask scheduler address tcp://HOST:PORT."
    ),
    out: Path = typer.Option(Path("out/ensemble"), "--out", "-o", help="Output directory."),
    figures: bool = typer.Option(True, help="Write the fan chart (fan.png)."),
    fmt: str = FormatOption(),
    force: bool = typer.Option(
        False, "--force", help="Replace files in --out that corredor did not write."
    ),
) -> None:
    """Run parameter draws × replicates; report medians with 50% and 90% intervals.

    Writes ensemble.zarr (every run), summary.csv (median, p05, p25, p75, p95 per year,
    metric and region), parameters.csv and fan.png (key series with their 50% and 90%
    bands against the observed history) to OUT. --format csv or json prints the
    summary table."""
    from corredor.analysis.uncertainty import ensemble as run_ensemble
    from corredor.limits import check_at_least, check_run_size, check_seed
    from corredor.scenario import load_scenario

    for field, value in (("--n", n), ("--replicates", replicates), ("--chunk", chunk)):
        check_at_least(value, field)
    check_at_least(workers, "--workers")
    check_seed(seed)
    sc = load_scenario(scenario)
    post = None
    if posterior is not None:
        from corredor.analysis.posterior import load_posterior

        post = load_posterior(posterior)
    size = check_run_size(
        sc,
        n * replicates,
        resolution="year",
        field="--n",
        what=f"an ensemble of {n:,} draws x {replicates:,} replicates",
    )
    names = ["ensemble.zarr", "summary.csv", "parameters.csv", *(["fan.png"] if figures else [])]
    outset = _outset(out, names, force, seed, size + 2**20)
    total_chunks = -(-max(n, 1) * max(replicates, 1) // max(chunk, 1))
    with outset, progress_bar(f"{sc.name}: {n}×{replicates}", "tasks") as bar:
        task = bar.add_task("ensemble", total=total_chunks)
        with _executor(workers, scheduler) as ex:
            ens = run_ensemble(
                sc,
                n=n,
                replicates=replicates,
                seed=seed,
                chunk=chunk,
                only=param or None,
                posterior=post,
                executor=ex,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        outset.info["scenario"] = sc.name
        ens.save(outset.staging)
        df = ens.summary()
        if figures:
            _write_fan(df, outset.staging, f"{sc.title}: {n} draws × {replicates} replicates")
    written = outset.written
    runs = n * replicates
    done_line = (
        f"{runs} runs in {ens.seconds:.1f} s ({runs / ens.seconds:.1f} runs/s); "
        f"{len(ens.params)} parameters drawn"
        + (
            ": calibrated ones from the posterior, the others from their evidence ranges"
            if post is not None
            else " from their evidence ranges"
        )
        + ". Wrote "
        + ", ".join(str(p) for p in written)
    )
    if resolve(fmt) in ("csv", "json"):
        emit(records_of(df), [], fmt=fmt)
        err_console.print(done_line, highlight=False, soft_wrap=True)
        return
    years = _years(sorted(set(df.year)))
    rows = []
    for label, metric, region, scale in ENSEMBLE_ROWS:
        sel = df[(df.metric == metric) & (df.region == region)].set_index("year")
        if sel.empty:
            continue
        row = {"outcome": label}
        for y in years:
            if y not in sel.index:
                row[str(y)] = ""
                continue
            r = sel.loc[y]
            row[str(y)] = (
                f"{human(r['median'] * scale)}\n"
                f"[{human(r.p25 * scale)}–{human(r.p75 * scale)}]\n"
                f"({human(r.p05 * scale)}–{human(r.p95 * scale)})"
            )
        rows.append(row)
    emit(
        rows,
        [Column("outcome")] + [Column(str(y), number=True) for y in years],
        fmt=fmt,
        title=f"{sc.title}: ensemble of {n} draws × {replicates} replicates, seed {seed}",
        caption="median, [25%–75%] and (5%–95%) across runs (parameter draws and noise)",
        notes=[done_line],
    )
    _consistency(sc, ens, replicates, seed)


def _write_fan(summary, out: Path, title: str) -> Path:
    """fan.png in OUT, written aside and moved into place whole."""
    import os
    import tempfile

    from corredor.outputs.plots import plot_fan_chart

    with tempfile.TemporaryDirectory(dir=out, prefix=".tmp-") as tmp:
        path = plot_fan_chart(
            summary,
            Path(tmp) / "fan.png",
            title=f"{title}: median, 50% and 90% of runs, against observed history",
        )
        os.replace(path, out / "fan.png")
    return out / "fan.png"


def _consistency(sc, ens, replicates: int, seed: int) -> None:
    """Say plainly where the scenario's own run (the calibrated values) lies outside the
    ensemble's 50% band on the fitted series of the validation registry."""
    from corredor.analysis.validate import load_checks, score
    from corredor.api import run

    fitted = [c for c in load_checks() if c.status == "fitted"]
    if not fitted:
        return
    point = run(sc, replicates=replicates, seed=seed, resolution="year")
    table = score(point, checks=fitted, ensemble=ens.results).table
    if table.empty or "in_ens_50" not in table:
        return
    outside = table[~table.in_ens_50.astype(bool)]
    console.print(
        f"The scenario's own run lies inside the ensemble's 50% band on "
        f"{len(table) - len(outside)} of {len(table)} fitted series."
    )
    if outside.empty:
        return
    for _, r in outside.iterrows():
        console.print(
            f"  outside: {r.title} {r.years}: own run {r.simulated:,.3g}, ensemble median "
            f"{r.ens_median:,.3g} (50% band {r.ens_p25:,.3g}–{r.ens_p75:,.3g})",
            highlight=False,
        )
    console.print(
        "Why: calibrated parameters are drawn with their median at the fitted values, but "
        "the fit is a joint optimum and the responses are not symmetric (raising "
        "detection on a route re-routes traffickers and can lower seizures as much as "
        "lowering it does), so draws on either side move these series the same way. "
        "Read the bands as what the evidence ranges allow, not as uncertainty around "
        "the calibrated run (docs/uncertainty.md)."
    )


@app.command()
def sensitivity(
    scenario: str = typer.Argument("baseline", help="Built-in scenario name or TOML file."),
    method: str = typer.Option("morris", "--method", help="sobol or morris."),
    outcome: list[str] = typer.Option(
        [], "--outcome", help="Outcome to explain (repeatable), e.g. delivered_eu_t."
    ),
    n: int = typer.Option(16, "--n", help="Base samples (Sobol: N·(D+2) runs; Morris: N·(D+1))."),
    seed: int = typer.Option(1, "--seed", "-s", help="Seed of the design and runs."),
    first: int = typer.Option(None, "--from", help="First year of the outcome window."),
    last: int = typer.Option(None, "--to", help="Last year of the outcome window."),
    param: list[str] = typer.Option(
        [], "--param", help="Vary only these parameters (repeatable; default: all)."
    ),
    against: str = typer.Option(
        None,
        "--against",
        help="Reference scenario: outcomes become differences from it "
        "(and displacement_index becomes available).",
    ),
    chunk: int = typer.Option(100, "--chunk", help="Runs per task."),
    workers: int = typer.Option(None, "--workers", "-w", help="Local worker processes."),
    scheduler: str = typer.Option(
        None, "--scheduler", help="Dask scheduler address tcp://HOST:PORT."
    ),
    out: Path = typer.Option(Path("out/sensitivity"), "--out", "-o", help="Output directory."),
    force: bool = typer.Option(
        False, "--force", help="Replace files in --out that corredor did not write."
    ),
) -> None:
    """Rank the parameters that drive outcomes (SALib Sobol or Morris); table + figure."""
    from corredor.analysis.sensitivity import METHODS, design, outcome_names
    from corredor.analysis.sensitivity import sensitivity as run_sa
    from corredor.analysis.uncertainty import uncertain_parameters
    from corredor.limits import check_at_least, check_run_size, check_seed
    from corredor.scenario import load_scenario

    # the method first: an unknown one must not be reported as a missing outcome
    if method not in METHODS:
        from corredor.errors import suggest

        raise CorredorError(
            f"unknown method {method!r}", field="--method", fix=suggest(method, METHODS)
        )
    check_at_least(n, "--n", low=2)
    check_at_least(chunk, "--chunk")
    check_at_least(workers, "--workers")
    check_seed(seed)
    if not outcome:
        raise CorredorError(
            "no outcome named",
            field="--outcome",
            fix="name one or more of: " + ", ".join(outcome_names(True)),
        )
    sc = load_scenario(scenario)
    ref = load_scenario(against) if against else None
    if ref is not None and (ref.start, ref.end) != (sc.start, sc.end):
        raise CorredorError(
            f"{ref.name} runs {ref.start}-{ref.end}, {sc.name} {sc.start}-{sc.end}",
            field="--against",
            fix="compare scenarios with the same period",
        )
    names = [p.name for p in uncertain_parameters(sc, param or None)] + ["noise"]
    # runs of the design, counted before SALib builds it (N·(D+2) Sobol, N·(D+1) Morris)
    planned = max(n, 0) * (len(names) + (2 if method == "sobol" else 1))
    planned *= 2 if ref is not None else 1
    # every run's yearly results are kept until the indices are computed
    check_run_size(
        sc, planned, resolution="year", field="--n", what=f"a {method} design of {planned:,} runs"
    )
    outset = _outset(out, ["sensitivity.csv", "sensitivity.png"], force, seed, 0)
    n_runs = len(design(method, names, n, seed)) if n >= 2 and len(names) >= 2 else 0
    n_runs *= 2 if ref is not None else 1
    with outset, progress_bar(f"{method} on {sc.name}: {n_runs} runs", "tasks") as bar:
        task = bar.add_task("sa", total=max(1, -(-n_runs // max(chunk, 1))))
        with _executor(workers, scheduler) as ex:
            res = run_sa(
                sc,
                method=method,
                outcomes=outcome,
                n=n,
                seed=seed,
                first=first,
                last=last,
                only=param or None,
                chunk=chunk,
                against=ref,
                executor=ex,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        from corredor.outputs.plots import sensitivity_figure

        outset.info["scenario"] = sc.name
        _write_sensitivity(res, outset.staging, sensitivity_figure)
    written = outset.written
    for name, df in res.indices.items():
        vs = f" against {res.against}" if res.against else ""
        table = Table(
            title=f"{name}{vs}, {res.first}–{res.last}: {method} indices ({res.runs} runs)"
        )
        table.add_column("rank", justify="right")
        for col in df.columns:
            table.add_column(col, justify="left" if col == "parameter" else "right")
        for i, row in df.head(12).iterrows():
            table.add_row(
                str(i + 1),
                *[v if isinstance(v, str) else f"{v:.3g}" for v in row.values],
            )
        console.print(table)
    console.print("Wrote " + ", ".join(str(p) for p in written))


def _outset(out: Path, names: list[str], force: bool, seed: int, size: int):
    """The output set of `--out`, checked and locked before any run."""
    from corredor.outset import OutputSet, command_line

    return OutputSet(
        out,
        command=command_line(),
        names=names,
        force=force,
        need_bytes=size,
        space_fix="free some space, choose another --out, or run fewer draws or replicates",
        say=lambda text: err_console.print(f"note: {text}", highlight=False),
        info={"seed": seed},
    )


def _executor(workers, scheduler):
    from corredor.analysis.executors import batch_executor

    return batch_executor(workers, scheduler)


def _write_sensitivity(res, out: Path, figure) -> list[Path]:
    import shutil
    import tempfile

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".tmp-") as tmp:
        t = Path(tmp)
        res.table().to_csv(t / "sensitivity.csv", index=False, float_format="%.6g")
        figure(res, t / "sensitivity.png")
        for name in ("sensitivity.csv", "sensitivity.png"):
            shutil.move(str(t / name), out / name)
    return [out / "sensitivity.csv", out / "sensitivity.png"]
