"""Commands that show the model's inputs: `scenarios`, `network show`, `parameters`,
`evidence` and `history`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from corredor.cli.app import app, console, err_console, network_app
from corredor.errors import CorredorError


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


def _support_text(entries, supports: dict[str, str]) -> str:
    """What the checked values and the entries rest on: external sources or Corredor."""
    from corredor.analysis.evidence_check import entry_split, origin

    values = {"external": 0, "derived": 0, "assumption": 0}
    for ref in supports.values():
        values[origin(entries[ref])] += 1
    kinds = entry_split(entries)
    return (
        f"{sum(values.values())} distinct values checked against a range: "
        f"{values['external']} rest on external sources, {values['assumption']} on "
        f"Corredor's own assumptions, {values['derived']} on Corredor's derivations from "
        f"external figures.\n{len(entries)} entries: {kinds['external']} external, "
        f"{kinds['assumption']} Corredor assumptions, {kinds['derived']} Corredor "
        "derivations. The check certifies bookkeeping (every number cites an entry and "
        "lies in its range), not external support."
    )


@app.command()
def evidence(
    scenario: str = typer.Argument(
        None,
        help="A scenario (name or TOML file): include its network's and its own "
        "evidence.csv, and check it alone with --check.",
    ),
    search: str = typer.Option(None, "--search", help="Show entries whose text contains this."),
    entry_id: str = typer.Option(None, "--id", help="Show one entry in full."),
    check: bool = typer.Option(
        False,
        "--check",
        help="Verify every number cites an entry and lies in its range "
        "(the built-in scenarios, or SCENARIO and its network).",
    ),
) -> None:
    """Print the evidence table (sources of every number in the default scenario)."""
    from corredor.evidence import default_evidence

    sc = None
    if scenario is not None:
        from corredor.scenario import load_scenario

        sc = load_scenario(scenario)
    entries = default_evidence() if sc is None else sc.evidence
    if check:
        from corredor.analysis.evidence_check import check_builtins, check_scenarios

        supports: dict[str, str] = {}
        if sc is None:
            n_checks, problems = check_builtins(supports=supports)
        else:
            n_checks, problems = check_scenarios([sc], supports=supports)
        for problem in problems:
            err_console.print(f"[red]✗[/] {problem}", highlight=False)
        if problems:
            err_console.print(f"{len(problems)} problems in {n_checks} checks")
            raise typer.Exit(1)
        what = "built-in scenarios" if sc is None else f"scenario {sc.name}"
        own = len(entries) - len(default_evidence())
        console.print(
            f"evidence check passed ({what}): {n_checks} checks, {len(entries)} entries"
            + (f" ({own} of them the user's own)" if own else "")
        )
        console.print(_support_text(entries, supports), highlight=False)
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
