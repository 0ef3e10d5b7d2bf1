"""`corredor run` and `corredor routes`: run a scenario, and see which routes it uses."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from corredor.cli.app import app, console, err_console, progress_bar
from corredor.cli.formats import Column, CsvOption, FormatOption, emit, records_of, resolve
from corredor.errors import CorredorError
from corredor.numbers import human

KEY_YEARS = (2015, 2019, 2021, 2023, 2025, 2030)
# The figures `corredor run` writes (corredor.outputs.plots.write_figures).
FIGURES = ("corridors.png", "seizures.png", "map.png")


def summary_rows(results) -> tuple[list[dict], list[int], str]:
    """Key outcomes for a few years: production, seizures, deliveries, Ecuador, violence.
    Returns the rows (outcome, then one cell per year: mean and [5%–95%]), the years and
    a caption."""
    df = results.summary()
    reps = int(results.data.attrs.get("replicates", 1))
    years = sorted(set(df["year"]))
    shown = [y for y in KEY_YEARS if y in years] or years[:: max(1, len(years) // 6)]
    if years[-1] not in shown:
        shown.append(years[-1])
    caption = f"mean and [5%–95%] across {reps} replicates" if reps > 1 else "one replicate"
    rows: list[dict] = []

    def row(label: str, metric: str, region: str, scale: float = 1.0) -> None:
        sel = df[(df.metric == metric) & (df.region == region)].set_index("year")
        if sel.empty:
            return
        cells = {"outcome": label}
        for y in shown:
            if y not in sel.index:
                cells[str(y)] = ""
                continue
            r = sel.loc[y]
            text = human(r["mean"] * scale)
            if reps > 1:
                text += f"\n[{human(r.p05 * scale)}–{human(r.p95 * scale)}]"
            cells[str(y)] = text
        rows.append(cells)

    row("Production, world (t)", "produced_t", "world")
    seized = df[(df.metric == "seized_t") & (df.region != "world")]
    totals = seized.groupby("region")["mean"].sum().sort_values(ascending=False)
    for code in totals[totals > 0].index[:8]:
        row(f"Seized in {code} (t)", "seized_t", code)
    names = dict(
        zip(results.data["market"].values, results.data["market_name"].values, strict=True)
    )
    for market in results.data["market"].values:
        row(f"Delivered: {names[market]} (t)", "delivered_t", str(market))
    row("Ecuador transit share (% world)", "transit_share", "EC", 100.0)
    row("Homicides, Ecuador", "homicides", "EC")
    row("Homicide rate, Ecuador (/100k)", "homicide_rate", "EC")
    row("Deaths in lethal strikes", "deaths_crew", "world")
    return rows, shown, caption


@app.command()
def run(
    scenario: str = typer.Argument("baseline", help="Built-in scenario name or a TOML file."),
    replicates: int = typer.Option(1, "--replicates", "-r", help="Stochastic replicates."),
    seed: int = typer.Option(None, "--seed", "-s", help="Random seed (default: the scenario's)."),
    start: int = typer.Option(None, "--start", help="First year (default: the scenario's)."),
    end: int = typer.Option(None, "--end", help="Last year (default: the scenario's)."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output directory."),
    resolution: str = typer.Option(
        "auto",
        help="Recorded resolution: week, year, or auto (weekly unless the results would "
        "exceed --max-output-gb, then yearly).",
    ),
    max_output_gb: float = typer.Option(
        1.0, "--max-output-gb", help="Largest results (GB, before compression) to record."
    ),
    figures: bool = typer.Option(True, help="Write PNG figures."),
    profile: bool = typer.Option(
        False, "--profile", help="Print the time spent in each phase of the weekly step."
    ),
    fmt: str = FormatOption(),
    force: bool = typer.Option(
        False, "--force", help="Replace files in OUT that corredor did not write."
    ),
) -> None:
    """Run a scenario; write results.nc, summary.csv and figures to OUT; print key outcomes.

    --format csv or json prints the whole tidy summary (as summary.csv) instead."""
    from corredor.api import run as run_api
    from corredor.limits import check_at_least, check_run_size, check_seed
    from corredor.output_size import plan_output
    from corredor.outset import OutputSet, command_line
    from corredor.scenario import load_scenario

    check_at_least(replicates, "--replicates")
    check_seed(seed)
    if resolution not in ("auto", "week", "year"):
        raise CorredorError(
            f"unknown resolution {resolution!r}",
            field="--resolution",
            fix="use auto, week or year",
        )
    sc = load_scenario(scenario)
    if start is not None or end is not None:
        sc = sc.with_period(start, end)
    for note in sc.notes:
        err_console.print(f"[yellow]warning:[/] {note}", highlight=False)
    plan = plan_output(sc, replicates, resolution, max_output_gb, cli=True)
    if plan.note:
        err_console.print(f"[yellow]Note:[/] {plan.note}", highlight=False)
    size = check_run_size(sc, replicates, resolution=plan.resolution)
    names = ["results.nc", "summary.csv", *(FIGURES if figures else ())]
    outset = OutputSet(
        out,
        command=command_line(),
        names=names,
        force=force,
        need_bytes=size + 5 * 2**20,
        space_fix="free some space, choose another --out, or write less: --resolution year, "
        "fewer --replicates",
        say=lambda text: err_console.print(f"note: {text}", highlight=False),
        info={"scenario": sc.name},
    )
    with outset:
        with progress_bar(f"{sc.name} ×{replicates}", "weeks") as bar:
            task = bar.add_task("run", total=(sc.end - sc.start + 1) * 52)
            results = run_api(
                sc,
                replicates=replicates,
                seed=seed,
                resolution=plan.resolution,
                max_output_gb=max_output_gb,
                progress=lambda done, total: bar.update(task, completed=done),
                profile=profile,
            )
        outset.info.update(seed=int(results.data.attrs["seed"]), replicates=replicates)
        results.save(outset.staging)
        if figures:
            from corredor.outputs.plots import write_figures

            write_figures(results.data, outset.staging)
    written = outset.written
    wrote = "Wrote " + ", ".join(str(p) for p in written)
    if resolve(fmt) in ("csv", "json"):
        emit(records_of(results.summary()), [], fmt=fmt)
        err_console.print(wrote, highlight=False, soft_wrap=True)
        return
    rows, years, caption = summary_rows(results)
    emit(
        rows,
        [Column("outcome")] + [Column(str(y), number=True) for y in years],
        fmt=fmt,
        title=f"{sc.title} — seed {results.data.attrs['seed']}",
        caption=caption,
        notes=[wrote],
    )
    if results.timings is not None:
        from corredor.engine import WARMUP_YEARS

        weeks = (sc.end - sc.start + 1 + WARMUP_YEARS) * 52
        console.print(profile_table(results.timings, weeks=weeks))


def profile_table(timings: dict[str, float], weeks: int) -> Table:
    """Seconds per phase of the weekly step, summed over the run (warm-up included)."""
    total = sum(timings.values())
    table = Table(
        title=f"Time per phase over {weeks} weekly steps (warm-up year included)",
        caption="phases in the order they run each week (engine.PHASES)",
    )
    for col in ("phase", "seconds", "% of step", "ms per week"):
        table.add_column(col, justify="left" if col == "phase" else "right")
    for name, secs in timings.items():
        share = 100 * secs / total if total > 0 else 0.0
        table.add_row(name, f"{secs:.3f}", f"{share:.1f}", f"{1000 * secs / weeks:.3f}")
    table.add_section()
    table.add_row("step", f"{total:.3f}", "100.0", f"{1000 * total / weeks:.3f}")
    return table


@app.command()
def routes(
    scenario: str = typer.Argument("baseline", help="Built-in scenario name or a TOML file."),
    year: int = typer.Option(None, "--year", help="Run to the end of this year (default: 2025)."),
    market: str = typer.Option(None, "--market", help="Only routes to this market node."),
    group: str = typer.Option(None, "--group", help="Only this trafficking group's routes."),
    top: int = typer.Option(15, "--top", help="Rows shown (the CSV has all)."),
    replicates: int = typer.Option(2, "--replicates", "-r", help="Replicates averaged."),
    seed: int = typer.Option(None, "--seed", "-s", help="Random seed (default: the scenario's)."),
    csv: Path = CsvOption("Also write every route to this CSV file."),
    fmt: str = FormatOption(),
    force: bool = typer.Option(
        False, "--force", help="Replace a --csv file that corredor did not write."
    ),
) -> None:
    """Show which routes carry a market's supply and why: risk, value, tonnes per week.

    The table shows the --top routes; CSV and JSON (--format, --csv) have them all."""
    from contextlib import nullcontext

    from corredor.limits import check_at_least, check_run_size, check_seed
    from corredor.outset import OutputFile, command_line
    from corredor.scenario import load_scenario

    check_at_least(replicates, "--replicates")
    check_seed(seed)
    sc = load_scenario(scenario)
    year = min(2025, sc.end) if year is None else year
    if not sc.start <= year <= sc.end:
        raise CorredorError(
            f"year {year} is outside the scenario's period {sc.start}-{sc.end}",
            field="--year",
            fix=f"choose a year from {sc.start} to {sc.end}",
        )
    if top < 1:
        raise CorredorError(f"--top {top} shows nothing", field="--top", fix="use 1 or more")
    check_run_size(sc, replicates, resolution="year")
    outfile = (
        OutputFile(
            csv,
            command=command_line(),
            field="--csv",
            force=force,
            ours=_is_route_table,
            say=lambda text: err_console.print(f"note: {text}", highlight=False),
        )
        if csv is not None
        else nullcontext()
    )
    with outfile:
        _routes(sc, year, market, group, top, replicates, seed, fmt, outfile, csv)


def _routes(sc, year, market, group, top, replicates, seed, fmt, outfile, csv) -> None:
    """Run to the end of `year` and show (and write) the route table."""
    from corredor.engine import Simulation
    from corredor.outputs.route_report import route_table

    csv = outfile.tmp if csv is not None else None
    sim = Simulation(sc.with_period(end=year), replicates=replicates, seed=seed, resolution="year")
    with progress_bar(f"{sc.name} to the end of {year}", "weeks") as bar:
        sim.run(progress=lambda done, total: bar.update(completed=done, total=total))
    df = route_table(sim, market=market, group=group)
    total = df.t_last_week.sum()
    records = records_of(df)
    for r in records:
        r["share_sent"] = r["t_last_week"] / total if total > 0 else None
    if resolve(fmt) in ("csv", "json"):
        emit(records, [], fmt=fmt, csv_path=csv)
        return
    notes = [
        "risk: detection over the route in the last week (agencies and base, before "
        "swamping); perceived: the group's belief; value: price x chance of arriving - "
        "costs"
    ]
    liveness = []
    if sim.evolution is not None:  # routes evolve: a pool, of which some routes are live
        R = sim.R
        liveness = [
            Column("live", cell=lambda r: _live_mark(r["live_at_end"], R), no_wrap=True),
            Column("wk live", number=True, cell=lambda r: f"{r['weeks_live']:,.0f}"),
        ]
        notes.append(
            f"live: in its group's live set at the end (yes, no, or in k of {R} "
            f"replicates); wk live: mean weeks live of the {sim.clock:,} simulated "
            "(warm-up included); a pool route not live gets no share "
            "(routes.refresh_weeks)"
        )
    emit(
        records[:top],
        [
            Column("group", no_wrap=True),
            Column("origin", drop=1),
            Column("countries"),
            Column("modes", drop=2),
            Column("legs", number=True),
            Column("cost $/kg", key="cost_usd_per_kg", number=True),
            Column("risk", number=True, cell=lambda r: f"{r['risk']:.2f}"),
            Column("perceived", number=True, cell=lambda r: f"{r['perceived_risk']:.2f}"),
            Column("value $/kg", key="value_usd_per_kg", number=True),
            Column("t sent", number=True, cell=lambda r: f"{r['t_last_week']:,.2f}"),
            Column(
                "% sent",
                number=True,
                cell=lambda r: "-" if r["share_sent"] is None else f"{100 * r['share_sent']:.1f}",
            ),
            *liveness,
        ],
        fmt=fmt,
        title=f"{sc.name}, end of {year}: routes"
        + (f" to {market}" if market else "")
        + (f" of {group}" if group else "")
        + f" ({len(df)} candidates, {total:,.1f} t sent in the last week)",
        csv_path=csv,
        csv_records=records,
        notes=notes,
    )


def _live_mark(share: float, replicates: int) -> str:
    """A route's live mark: "yes" (live in every replicate), "no", or "k/R"."""
    k = round(share * replicates)
    return "yes" if k == replicates else "no" if k == 0 else f"{k}/{replicates}"


def _is_route_table(path: Path) -> bool:
    """Whether `path` starts like a table `corredor routes --csv` writes."""
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            return fh.readline().startswith("group,origin,market,countries,modes,legs,")
    except OSError:
        return False
