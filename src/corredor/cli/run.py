"""`corredor run` and `corredor routes`: run a scenario, and see which routes it uses."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from corredor.cli.app import app, console, err_console, progress_bar
from corredor.errors import CorredorError

KEY_YEARS = (2015, 2019, 2021, 2023, 2025, 2030)
# The figures `corredor run` writes (corredor.outputs.plots.write_figures).
FIGURES = ("corridors.png", "seizures.png", "map.png")


def _fmt(mean: float, lo: float, hi: float, replicates: int, digits: int = 0) -> str:
    if replicates > 1:
        return f"{mean:,.{digits}f}\n[{lo:,.{digits}f}–{hi:,.{digits}f}]"
    return f"{mean:,.{digits}f}"


def summary_table(results, title: str) -> Table:
    """Key outcomes for a few years: production, seizures, deliveries, Ecuador, violence."""
    df = results.summary()
    reps = int(results.data.attrs.get("replicates", 1))
    years = sorted(set(df["year"]))
    shown = [y for y in KEY_YEARS if y in years] or years[:: max(1, len(years) // 6)]
    if years[-1] not in shown:
        shown.append(years[-1])
    caption = f"mean and [5%–95%] across {reps} replicates" if reps > 1 else "one replicate"
    table = Table(title=title, caption=caption)
    table.add_column("outcome")
    for y in shown:
        table.add_column(str(y), justify="right")

    def row(label: str, metric: str, region: str, scale: float = 1.0, digits: int = 0) -> None:
        sel = df[(df.metric == metric) & (df.region == region)].set_index("year")
        if sel.empty:
            return
        cells = []
        for y in shown:
            if y in sel.index:
                r = sel.loc[y]
                cells.append(_fmt(r["mean"] * scale, r.p05 * scale, r.p95 * scale, reps, digits))
            else:
                cells.append("")
        table.add_row(label, *cells)

    row("Production, world (t)", "produced_t", "world")
    seized = df[(df.metric == "seized_t") & (df.region != "world")]
    totals = seized.groupby("region")["mean"].sum().sort_values(ascending=False)
    top = totals[totals > 0].index[:8]
    for code in top:
        row(f"Seized in {code} (t)", "seized_t", code)
    table.add_section()
    names = dict(
        zip(results.data["market"].values, results.data["market_name"].values, strict=True)
    )
    for market in results.data["market"].values:
        row(f"Delivered: {names[market]} (t)", "delivered_t", str(market))
    table.add_section()
    row("Ecuador transit share (% world)", "transit_share", "EC", 100.0, 1)
    row("Homicides, Ecuador", "homicides", "EC")
    row("Homicide rate, Ecuador (/100k)", "homicide_rate", "EC", 1.0, 1)
    row("Deaths in lethal strikes", "deaths_crew", "world")
    return table


@app.command()
def run(
    scenario: str = typer.Argument("baseline", help="Built-in scenario name or a TOML file."),
    replicates: int = typer.Option(1, "--replicates", "-r", help="Stochastic replicates."),
    seed: int = typer.Option(None, "--seed", "-s", help="Random seed (default: the scenario's)."),
    start: int = typer.Option(None, "--start", help="First year (default: the scenario's)."),
    end: int = typer.Option(None, "--end", help="Last year (default: the scenario's)."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output directory."),
    resolution: str = typer.Option("week", help="Recorded resolution: week or year."),
    figures: bool = typer.Option(True, help="Write PNG figures."),
    profile: bool = typer.Option(
        False, "--profile", help="Print the time spent in each phase of the weekly step."
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace files in OUT that corredor did not write."
    ),
) -> None:
    """Run a scenario; write results.nc, summary.csv and figures to OUT; print key outcomes."""
    from corredor.api import run as run_api
    from corredor.limits import check_at_least, check_run_size, check_seed
    from corredor.outset import OutputSet, command_line
    from corredor.scenario import load_scenario

    check_at_least(replicates, "--replicates")
    check_seed(seed)
    if resolution not in ("week", "year"):
        raise CorredorError(
            f"unknown resolution {resolution!r}", field="--resolution", fix="use week or year"
        )
    sc = load_scenario(scenario)
    if start is not None or end is not None:
        sc = sc.with_period(start, end)
    for note in sc.notes:
        err_console.print(f"[yellow]warning:[/] {note}", highlight=False)
    size = check_run_size(sc, replicates, resolution=resolution)
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
                resolution=resolution,
                progress=lambda done, total: bar.update(task, completed=done),
                profile=profile,
            )
        outset.info.update(seed=int(results.data.attrs["seed"]), replicates=replicates)
        results.save(outset.staging)
        if figures:
            from corredor.outputs.plots import write_figures

            write_figures(results.data, outset.staging)
    console.print(summary_table(results, f"{sc.title} — seed {results.data.attrs['seed']}"))
    console.print("Wrote " + ", ".join(str(p) for p in outset.written))
    if results.timings is not None:
        console.print(profile_table(results.timings, weeks=(sc.end - sc.start + 2) * 52))


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
    csv: Path = typer.Option(None, "--csv", help="Also write every route to this CSV file."),
    force: bool = typer.Option(
        False, "--force", help="Replace a --csv file that corredor did not write."
    ),
) -> None:
    """Show which routes carry a market's supply and why: risk, value, tonnes per week."""
    from contextlib import nullcontext

    from corredor.engine import Simulation
    from corredor.limits import check_at_least, check_run_size, check_seed
    from corredor.outputs.route_report import route_table
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
        sim = Simulation(
            sc.with_period(end=year), replicates=replicates, seed=seed, resolution="year"
        )
        with err_console.status(f"running {sc.name} to the end of {year}"):
            sim.run()
        df = route_table(sim, market=market, group=group)
        if csv is not None:
            df.to_csv(outfile.tmp, index=False, float_format="%.6g")
    total = df.t_last_week.sum()
    table = Table(
        title=f"{sc.name}, end of {year}: routes"
        + (f" to {market}" if market else "")
        + (f" of {group}" if group else "")
        + f" ({len(df)} candidates, {total:,.1f} t sent in the last week)"
    )
    for col, just in (
        ("group", "left"),
        ("origin", "left"),
        ("countries", "left"),
        ("modes", "left"),
        ("legs", "right"),
        ("cost $/kg", "right"),
        ("risk", "right"),
        ("perceived", "right"),
        ("value $/kg", "right"),
        ("t sent", "right"),
        ("% sent", "right"),
    ):
        table.add_column(col, justify=just)
    for _, r in df.head(top).iterrows():
        table.add_row(
            r.group,
            r.origin,
            r.countries,
            r.modes,
            str(r.legs),
            f"{r.cost_usd_per_kg:,.0f}",
            f"{r.risk:.2f}",
            f"{r.perceived_risk:.2f}",
            f"{r.value_usd_per_kg:,.0f}",
            f"{r.t_last_week:,.2f}",
            f"{100 * r.t_last_week / total:.1f}" if total > 0 else "-",
        )
    console.print(table)
    console.print(
        "risk: detection over the route in the last week (agencies and base, before "
        "swamping); perceived: the group's belief; value: price x chance of arriving - costs"
    )
    if csv is not None:
        console.print(f"Wrote {csv}")


def _is_route_table(path: Path) -> bool:
    """Whether `path` starts like a table `corredor routes --csv` writes."""
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            return fh.readline().startswith("group,origin,market,countries,modes,legs,")
    except OSError:
        return False
