"""Command-line commands `corredor levers` and `corredor sweep` (issue 5: sweeps)."""

from __future__ import annotations

from pathlib import Path

import typer

from corredor.cli.app import app, err_console, progress_bar
from corredor.cli.formats import (
    Column,
    CsvOption,
    FormatOption,
    emit,
    exact,
    human,
    records_of,
    resolve,
    write_csv,
)
from corredor.errors import CorredorError

# Outcomes shown in the summary table at the end of a sweep (all are in the store).
SHOWN = ("delivered_t", "seized_t", "transit_ec_t", "homicides_ec", "deaths_crew")
MAX_ROWS = 20


@app.command()
def levers(
    scenario: str = typer.Argument("baseline", help="Built-in scenario name or a TOML file."),
    lever_from: int = typer.Option(
        2026, "--lever-from", help="Year from which levers act (1 January)."
    ),
    fmt: str = FormatOption(),
    csv: Path = CsvOption(),
) -> None:
    """List the levers a sweep can vary on SCENARIO: unit, bounds, default and meaning."""
    from corredor.analysis.levers import levers_for
    from corredor.scenario import load_scenario

    sc = load_scenario(scenario)
    records = [
        {
            "name": lever.name,
            "unit": lever.unit,
            "low": lever.low,
            "high": lever.high,
            "default": lever.default,
            "changes": lever.target,
            "from_year": lever_from,
            "meaning": lever.doc,
        }
        for lever in levers_for(sc, lever_from).values()
    ]
    emit(
        records,
        [
            Column("name", no_wrap=True),
            Column("unit", drop=1),
            Column("bounds", cell=lambda r: f"[{exact(r['low'])}, {exact(r['high'])}]"),
            Column("default", number=True, exact=True),
            Column("changes", drop=2),
            Column("meaning", drop=3),
        ],
        fmt=fmt,
        title=f"Levers of {sc.name}, acting from {lever_from}",
        caption="vary them with `corredor sweep SCENARIO --lever NAME=LOW:HIGH:STEPS`",
        csv_path=csv,
    )


@app.command()
def sweep(
    scenario: str = typer.Argument(..., help="Built-in scenario name or a TOML file."),
    lever: list[str] = typer.Option(
        [], "--lever", "-l", help="NAME=LOW:HIGH:STEPS (repeatable); NAME=VALUE holds one."
    ),
    n: int = typer.Option(None, "--n", help="Points of a Latin hypercube (implies lhs)."),
    design: str = typer.Option(None, "--design", help="grid (default) or lhs."),
    replicates: int = typer.Option(
        None, "--replicates", "-r", help="Replicates per point (default 8)."
    ),
    seed: int = typer.Option(None, "--seed", "-s", help="Sweep seed (default 1)."),
    first: int = typer.Option(
        None, "--from", help="First year of the outcome window (default: the lever year)."
    ),
    last: int = typer.Option(
        None, "--to", help="Last year of the outcome window (default: the scenario's)."
    ),
    lever_from: int = typer.Option(
        None, "--lever-from", help="Year from which levers act (default 2026)."
    ),
    common_seeds: bool = typer.Option(
        None,
        "--common-seeds/--independent-seeds",
        help="Same seed at every point (common random numbers) or one per point (default).",
    ),
    workers: int = typer.Option(
        None, "--workers", "-w", help="Local worker processes (default: one per core)."
    ),
    scheduler: str = typer.Option(
        None, "--scheduler", help="Dask scheduler address tcp://HOST:PORT (instead of local)."
    ),
    out: Path = typer.Option(Path("out/sweep.zarr"), "--out", "-o", help="Zarr store."),
    resume: bool = typer.Option(False, "--resume", help="Continue the sweep stored in --out."),
    chunk_points: int = typer.Option(
        None, "--chunk-points", help="Design points per task (default: a few seconds' work)."
    ),
    figures: bool = typer.Option(
        True, help="Write a response-curve figure per lever (OUT's stem-LEVER.png)."
    ),
    fmt: str = FormatOption(),
) -> None:
    """Run SCENARIO over a grid or Latin hypercube of lever values; store every
    replicate's outcomes in a Zarr store, one chunk per task, resumable with --resume.

    Next to the store (e.g. out/sweep.zarr) it writes the tidy table (out/sweep.csv: one
    row per point and outcome, mean and 5-95% of the window totals) and one
    response-curve figure per lever (out/sweep-LEVER.png). --format csv or json prints
    that table."""
    from corredor.analysis.executors import WorkerLost
    from corredor.analysis.sweep import open_sweep, run_sweep, summarize

    if workers is not None and scheduler is not None:
        raise CorredorError(
            "--workers sets local processes; a Dask cluster brings its own workers",
            field="--workers",
            fix="leave --workers out when giving --scheduler",
        )
    if workers is not None and workers < 1:
        raise CorredorError("must be at least 1", field="--workers", fix="use 1 or more")
    state = {"done": 0, "total": 0}
    with progress_bar(f"sweep {Path(scenario).stem}", "tasks") as bar:
        task = bar.add_task(Path(scenario).stem, total=None)

        def progress(done: int, total: int) -> None:
            if state["total"] == 0:  # first call: tasks found done are not "speed"
                bar.reset(task, total=total, completed=done)
            else:
                bar.update(task, completed=done)
            state.update(done=done, total=total)

        try:
            result = run_sweep(
                scenario,
                lever,
                out=out,
                design=design,
                n=n,
                replicates=replicates,
                seed=seed,
                first=first,
                last=last,
                lever_year=lever_from,
                common_seeds=common_seeds,
                chunk_points=chunk_points,
                resume=resume,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
            )
        except KeyboardInterrupt:
            bar.stop()
            err_console.print(
                f"interrupted: {state['done']} of {state['total']} tasks are stored in {out}; "
                f"continue with the same command and --resume"
            )
            # SystemExit, not typer.Exit: cli.main runs click in non-standalone mode, where an
            # Exit code is returned rather than raised, and would become exit status 0.
            raise SystemExit(130) from None
        except OSError as exc:
            from corredor.outset import WRITE_ERRORS, write_error

            if exc.errno not in WRITE_ERRORS:
                raise
            bar.stop()
            raise write_error(
                exc,
                target=out,
                fix="free some space (or choose a writable place); finished tasks are kept in "
                "the store: continue with the same command and --resume",
            ) from None
        except WorkerLost as exc:
            bar.stop()
            err_console.print(
                f"[bold red]error:[/] {exc}. Workers may be running out of memory: use fewer "
                "--replicates or --chunk-points; finished tasks are kept, continue with --resume",
                highlight=False,
            )
            raise SystemExit(1) from None
    for note in result.notes:
        err_console.print(f"note: {note}")

    ds = open_sweep(result.path)
    df = summarize(ds)
    spec = result.spec
    written = _write_table_and_figures(ds, df, result.path, figures)
    records = records_of(df)
    k = spec.chunk_points
    per_task = (
        f", {sum(result.task_seconds) / len(result.task_seconds):.1f} s of compute per task"
        if result.task_seconds
        else ""
    )
    done_line = (
        f"{result.ran} tasks run, {result.already_done} found done, of {result.n_tasks} "
        f"({k} point{'s' if k > 1 else ''} each){per_task}; {result.seconds:.1f} s. "
        f"Wrote {result.path} (load with corredor.analysis.sweep.open_sweep), "
        + ", ".join(str(p) for p in written)
    )
    if resolve(fmt) in ("csv", "json"):
        emit(records, [], fmt=fmt)
        err_console.print(done_line, highlight=False, soft_wrap=True)
        return
    lever_names = list(ds.attrs["levers"])
    labels = dict(zip(ds["outcome"].values, ds["outcome_label"].values, strict=True))
    shown = [o for o in SHOWN if o in labels]
    more = f"; first {MAX_ROWS} of {result.n_points} points" if result.n_points > MAX_ROWS else ""
    rows = []
    for _, part in list(df.groupby("point", sort=True))[:MAX_ROWS]:
        part = part.set_index("outcome")
        row = {name: float(part.iloc[0][name]) for name in lever_names}
        for o in shown:
            r = part.loc[o]
            row[o] = f"{human(r['mean'])}\n[{human(r.p05)}–{human(r.p95)}]"
        rows.append(row)
    emit(
        rows,
        [Column(name, number=True, cell=lambda r, n=name: f"{r[n]:.4g}") for name in lever_names]
        + [Column(o, number=True) for o in shown],
        fmt=fmt,
        title=f"Sweep of {spec.scenario}: {result.n_points} points × {spec.replicates} "
        f"replicates, totals {spec.first}–{spec.last}, seed {spec.seed}",
        caption="mean [5%–95%] across replicates; "
        + ", ".join(f"{o}: {labels[o]}" for o in shown)
        + more,
        notes=[done_line],
    )


def _write_table_and_figures(ds, df, store: Path, figures: bool) -> list[Path]:
    """The tidy table (STORE's stem .csv) and, with `figures`, one response figure per
    lever (stem-LEVER.png), next to the store; each file replaced whole."""
    import os
    import tempfile

    store = Path(store)
    stem, folder = store.stem, store.parent
    written = [write_csv(records_of(df), folder / f"{stem}.csv")]
    if figures and not df.empty:
        from corredor.outputs.plots import plot_responses

        with tempfile.TemporaryDirectory(dir=folder, prefix=".tmp-") as tmp:
            for path in plot_responses(ds, tmp, stem=stem):
                os.replace(path, folder / path.name)
                written.append(folder / path.name)
    return written
