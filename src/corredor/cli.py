"""Command-line interface: `corredor run`, `scenarios`, `network show`, `parameters`,
`evidence`. Bad input prints one message naming the file, field and fix; exit code 2."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from corredor.errors import CorredorError, check_out_dir

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Corredor: simulate the cocaine corridor through Ecuador and the policies against it.",
)
network_app = typer.Typer(no_args_is_help=True, help="Inspect networks.")
app.add_typer(network_app, name="network")
console = Console()
err_console = Console(stderr=True)

KEY_YEARS = (2015, 2019, 2021, 2023, 2025, 2030)


def _num(x: float, signed: bool = False) -> str:
    """A number rounded by magnitude (2 decimals below 10, none above)."""
    digits = 2 if abs(x) < 10 else 0
    return f"{x:+,.{digits}f}" if signed else f"{x:,.{digits}f}"


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
) -> None:
    """Run a scenario; write results.nc, summary.csv and figures to OUT; print key outcomes."""
    from corredor.api import run as run_api
    from corredor.scenario import load_scenario

    check_out_dir(out)
    sc = load_scenario(scenario)
    if start is not None or end is not None:
        sc = sc.with_period(start, end)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} weeks"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"{sc.name} ×{replicates}", total=(sc.end - sc.start + 1) * 52)
        results = run_api(
            sc,
            replicates=replicates,
            seed=seed,
            resolution=resolution,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    written = results.save(out)
    if figures:
        from corredor.plots import write_figures

        written += write_figures(results.data, out)
    console.print(summary_table(results, f"{sc.title} — seed {results.data.attrs['seed']}"))
    console.print("Wrote " + ", ".join(str(p) for p in written))


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
    from corredor.compare import compare as run_compare

    if replicates < 1:
        raise CorredorError("must be at least 1", field="--replicates", fix="use 1 or more")
    from corredor.executors import batch_executor

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
            cell = (
                "" if np.isnan(r["mean"]) else f"{_num(r['mean'])}\n[{_num(r.p05)}–{_num(r.p95)}]"
            )
            if i and not np.isnan(r.diff_mean):
                sign = "Δ " if not np.isnan(r["mean"]) else ""
                interval = (
                    f" [{_num(r.diff_p05, True)}, {_num(r.diff_p95, True)}]"
                    if not np.isnan(r.diff_p05)
                    else ""
                )
                cell += ("\n" if cell else "") + f"{sign}{_num(r.diff_mean, bool(sign))}{interval}"
            elif i and np.isnan(r["mean"]):
                cell = "–"
            cells.append(cell)
        if i == 0 and all(c in ("", "–") for c in cells):
            continue
        table.add_row(sel.iloc[0].label, *cells)
    console.print(table)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        df.to_csv(out / "comparison.csv", index=False, float_format="%.6g")
        console.print(f"Wrote {out / 'comparison.csv'}")


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    import tomllib

    from corredor.scenario import builtin_scenarios

    table = Table(title="Built-in scenarios")
    table.add_column("name")
    table.add_column("title")
    table.add_column("period")
    for name, path in builtin_scenarios().items():
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        period = f"{raw.get('start', '')}–{raw.get('end', '')}" if "start" in raw else "(inherited)"
        table.add_row(name, str(raw.get("title", "")), period)
    console.print(table)


@network_app.command("show")
def network_show(
    name: str = typer.Argument("andean-pacific", help="Built-in network name or directory."),
) -> None:
    """Print a network's nodes and edges."""
    from corredor.network import load_network

    net = load_network(name, base=Path.cwd())
    nodes = Table(title=f"{net.name}: {len(net.nodes)} nodes")
    for col in ("id", "name", "kind", "country", "lat", "lon"):
        nodes.add_column(col)
    for n in net.nodes:
        nodes.add_row(n.id, n.name, n.kind, n.country, f"{n.lat:.2f}", f"{n.lon:.2f}")
    console.print(nodes)
    edges = Table(title=f"{net.name}: {len(net.edges)} edges")
    for col in ("id", "from", "to", "mode", "km", "days", "cap t/wk", "USD/kg", "p0", "jur."):
        edges.add_column(col)
    for e in net.edges:
        edges.add_row(
            e.id,
            e.from_,
            e.to,
            e.mode,
            f"{e.distance_km:,.0f}",
            f"{e.transit_days:g}",
            f"{e.capacity_kg_per_week / 1000:,.1f}",
            f"{e.cost_usd_per_kg:,.0f}",
            f"{e.base_detection:.3f}",
            net.jurisdiction(e),
        )
    console.print(edges)


@app.command()
def parameters() -> None:
    """List the model's parameters with units, defaults, bounds and evidence."""
    from corredor.parameters import PARAMS

    table = Table(title="Parameters (override in a scenario's \\[parameters] table)")
    table.add_column("name", no_wrap=True)
    for col in ("unit", "default", "bounds", "evidence", "meaning"):
        table.add_column(col)
    for p in PARAMS.values():
        table.add_row(
            p.name,
            p.unit,
            f"{p.default:g}",
            f"[{p.bounds[0]:g}, {p.bounds[1]:g}]",
            p.evidence,
            p.doc + (" (may vary over time)" if p.series else ""),
        )
    console.print(table)


@app.command()
def evidence(
    search: str = typer.Option(None, "--search", help="Show entries whose text contains this."),
    entry_id: str = typer.Option(None, "--id", help="Show one entry in full."),
    check: bool = typer.Option(
        False, "--check", help="Verify every built-in number cites an entry and lies in its range."
    ),
) -> None:
    """Print the evidence table (sources of every number in the default scenario)."""
    from corredor.evidence import default_evidence

    entries = default_evidence()
    if check:
        from corredor.evidence_check import check_builtins

        n_checks, problems = check_builtins(entries)
        for problem in problems:
            err_console.print(f"[red]✗[/] {problem}", highlight=False)
        if problems:
            err_console.print(f"{len(problems)} problems in {n_checks} checks")
            raise typer.Exit(1)
        console.print(f"evidence check passed: {n_checks} checks, {len(entries)} entries")
        return
    if entry_id is not None:
        if entry_id not in entries:
            from corredor.errors import suggest

            raise CorredorError(
                f"no evidence entry {entry_id!r}", field="--id", fix=suggest(entry_id, entries)
            )
        shown = [entries[entry_id]]
    else:
        shown = list(entries.values())
        if search:
            needle = search.lower()
            shown = [e for e in shown if needle in " ".join(map(str, vars(e).values())).lower()]
    table = Table(title="Evidence")
    table.add_column("id", no_wrap=True)
    for col in ("value", "unit", "year", "place", "source", "range", "conf."):
        table.add_column(col, overflow="fold")
    for e in shown:
        source = ", ".join(p for p in (e.publisher, e.title, e.date) if p)
        table.add_row(
            e.id,
            f"{e.value:g}",
            e.unit,
            e.year,
            e.place,
            source,
            f"{e.low:g}–{e.high:g}",
            e.confidence,
        )
    console.print(table)
    if entry_id is not None:
        e = shown[0]
        console.print(f"quote: {e.quote}\nlink: {e.link or '-'}\nnotes: {e.notes or '-'}")
    console.print(f"{len(shown)} entries")


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
) -> None:
    """Show which routes carry a market's supply and why: risk, value, tonnes per week."""
    from corredor.engine import Simulation
    from corredor.route_report import route_table
    from corredor.scenario import load_scenario

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
    if csv is not None and not csv.parent.is_dir():
        raise CorredorError(
            f"directory {csv.parent} does not exist", field="--csv", fix="create it first"
        )
    sim = Simulation(sc.with_period(end=year), replicates=replicates, seed=seed, resolution="year")
    with err_console.status(f"running {sc.name} to the end of {year}"):
        sim.run()
    df = route_table(sim, market=market, group=group)
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
        df.to_csv(csv, index=False, float_format="%.6g")
        console.print(f"Wrote {csv}")


@app.command()
def history(
    path: Path = typer.Option(None, "--file", help="An observed-series CSV (default: built-in)."),
) -> None:
    """Print the observed annual series the model is calibrated against."""
    from corredor.history import load_history

    df = load_history(path)
    wide = df.pivot_table(index=["series", "region"], columns="year", values="value")
    table = Table(title="Observed history (t/year; homicide rate per 100,000)")
    table.add_column("series", no_wrap=True)
    table.add_column("region")
    years = list(wide.columns)
    for y in years:
        table.add_column(str(y), justify="right")
    for (series, region), row in wide.iterrows():
        cells = ["" if v != v else f"{v:,.1f}" for v in row.values]
        table.add_row(series, region, *cells)
    console.print(table)
    console.print(f"{len(df)} observations; sources: `corredor evidence --id REF` (column ref)")


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
) -> None:
    """Fit free parameters to observed history; write calibrated TOML and a report."""
    import pandas as pd

    from corredor.calibration import calibrate as run_calibration
    from corredor.calibration import check_in_evidence_ranges, parse_bounds
    from corredor.calibration_report import write_report
    from corredor.history import load_history
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
    if budget <= 0:
        raise CorredorError("must be positive", field="--budget-seconds")
    free = parse_bounds(param)
    history_df = load_history(observed)
    sc = load_scenario(scenario)
    posterior = None
    if method == "abc":
        from corredor.executors import batch_executor
        from corredor.posterior import abc

        pool = batch_executor(workers)
        with (
            Progress(
                TextColumn("[bold]ABC"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} draws"),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            ) as bar,
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
    written = write_report(result, out, sc.name, posterior=posterior)
    table = Table(
        title=f"Calibration of {sc.name}: {result.evaluations} evaluations, {result.seconds:.0f} s"
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
    console.print("Wrote " + ", ".join(str(p) for p in written))


def _register_extensions() -> None:
    # Commands that live in their own modules (one module per family of commands).
    from corredor import cli_report, cli_sweep, cli_uncertainty

    for module in (cli_uncertainty, cli_sweep, cli_report):
        module.register(app)


_register_extensions()


def main() -> None:
    """Entry point: user errors become one message and exit code 2."""
    try:
        # In non-standalone mode click returns the code of a `typer.Exit` instead of
        # raising it; pass it on so a failed check exits non-zero.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except CorredorError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except Exception as exc:
        # Usage errors of the command-line parser (click, vendored by newer typer) arrive
        # here in non-standalone mode; they know how to print themselves.
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(exc.exit_code or 2)
        raise


if __name__ == "__main__":
    main()
