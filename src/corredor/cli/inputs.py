"""Commands that show the model's inputs: `scenarios`, `network show`, `parameters`,
`evidence` and `history`. Each prints a table, CSV or JSON (`--format`, see
`corredor.cli.formats`)."""

from __future__ import annotations

from pathlib import Path

import typer

from corredor.cli.app import app, console, err_console, network_app
from corredor.cli.formats import Column, CsvOption, FormatOption, emit, emit_tables
from corredor.errors import CorredorError


@app.command()
def scenarios(fmt: str = FormatOption(), csv: Path = CsvOption()) -> None:
    """List the built-in scenarios."""
    import tomllib

    from corredor.catalog import builtin_scenarios

    records = []
    for name, path in builtin_scenarios().items():
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        records.append(
            {
                "name": name,
                "title": str(raw.get("title", "")),
                "extends": raw.get("extends"),
                "start": raw.get("start"),
                "end": raw.get("end"),
                "question": raw.get("question"),
                "file": str(path),
            }
        )

    def period(r: dict) -> str:
        if r["start"] is None:
            return f"(from {r['extends']})" if r["extends"] else ""
        return f"{r['start']}–{r['end']}"

    emit(
        records,
        [
            Column("name", no_wrap=True),
            Column("title"),
            Column("period", cell=period, no_wrap=True),
            Column("question", drop=1),
        ],
        fmt=fmt,
        title="Built-in scenarios",
        csv_path=csv,
    )


@network_app.command("show")
def network_show(
    name: str = typer.Argument("andean-pacific", help="Built-in network name or directory."),
    table: str = typer.Option(
        None, "--table", help="Only this table: nodes or edges (CSV holds one table)."
    ),
    fmt: str = FormatOption(),
) -> None:
    """Print a network's nodes and edges."""
    from corredor.network import load_network

    net = load_network(name, base=Path.cwd())
    nodes = [
        {
            "id": n.id,
            "name": n.name,
            "kind": n.kind,
            "country": n.country,
            "lat": n.lat,
            "lon": n.lon,
            "basin": n.basin,
        }
        for n in net.nodes
    ]
    edges = [
        {
            "id": e.id,
            "from": e.from_,
            "to": e.to,
            "mode": e.mode,
            "distance_km": e.distance_km,
            "transit_days": e.transit_days,
            "capacity_t_per_week": e.capacity_kg_per_week / 1000,
            "cost_usd_per_kg": e.cost_usd_per_kg,
            "base_detection": e.base_detection,
            "jurisdiction": net.jurisdiction(e),
        }
        for e in net.edges
    ]
    node_cols = [
        Column("id", no_wrap=True),
        Column("name"),
        Column("kind"),
        Column("country"),
        Column("lat", number=True, exact=True),
        Column("lon", number=True, exact=True),
    ]
    edge_cols = [
        Column("id", drop=1),
        Column("from", no_wrap=True),
        Column("to", no_wrap=True),
        Column("mode"),
        Column("km", key="distance_km", number=True),
        Column("days", key="transit_days", number=True, exact=True),
        Column("cap t/wk", key="capacity_t_per_week", number=True),
        Column("USD/kg", key="cost_usd_per_kg", number=True),
        Column("p0", key="base_detection", number=True, exact=True),
        Column("jur.", key="jurisdiction"),
    ]
    emit_tables(
        {
            "nodes": (nodes, node_cols, f"{net.name}: {len(nodes)} nodes"),
            "edges": (edges, edge_cols, f"{net.name}: {len(edges)} edges"),
        },
        fmt=fmt,
        which=table,
    )


@app.command()
def parameters(fmt: str = FormatOption(), csv: Path = CsvOption()) -> None:
    """List the model's parameters with units, defaults, bounds and evidence."""
    from corredor.parameters import PARAMS

    records = [
        {
            "name": p.name,
            "unit": p.unit,
            "default": p.default,
            "low": p.bounds[0],
            "high": p.bounds[1],
            "evidence": p.evidence,
            "may_vary_over_time": p.series,
            "distribution": p.dist,
            "meaning": p.doc,
        }
        for p in PARAMS.values()
    ]
    emit(
        records,
        [
            Column("name", no_wrap=True),
            Column("unit", no_wrap=True),
            Column("default", number=True, exact=True),
            Column("bounds", cell=lambda r: f"[{_x(r['low'])}, {_x(r['high'])}]", no_wrap=True),
            Column("evidence", drop=2),
            Column(
                "meaning",
                cell=lambda r: (
                    r["meaning"] + (" (may vary over time)" if r["may_vary_over_time"] else "")
                ),
                drop=1,
            ),
        ],
        fmt=fmt,
        title="Parameters (override in a scenario's [parameters] table)",
        csv_path=csv,
    )


def _x(value: float) -> str:
    from corredor.cli.formats import exact

    return exact(value)


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
    fmt: str = FormatOption(),
    csv: Path = CsvOption(),
) -> None:
    """Print the evidence table (sources of every number in the default scenario)."""
    from dataclasses import asdict

    from corredor.cli.formats import resolve
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
    records = [asdict(e) for e in shown]
    table_form = resolve(fmt) in ("table", "plain")
    notes = []
    if entry_id is not None and table_form:
        e = shown[0]
        notes.append(f"quote: {e.quote}\nlink: {e.link or '-'}\nnotes: {e.notes or '-'}")
    if table_form:
        notes.append(f"{len(shown)} entries")
    emit(
        records,
        [
            Column("id", no_wrap=True),
            Column("value", number=True, exact=True),
            Column("unit", drop=1),
            Column("year", no_wrap=True),
            Column("place", drop=2),
            Column(
                "source",
                cell=lambda r: ", ".join(p for p in (r["publisher"], r["title"], r["date"]) if p),
                drop=3,
            ),
            Column(
                "range",
                cell=lambda r: f"{_x(r['low'])}–{_x(r['high'])}",
                no_wrap=True,
            ),
            Column("conf.", key="confidence", drop=1),
        ],
        fmt=fmt,
        title="Evidence",
        csv_path=csv,
        notes=notes,
    )


@app.command()
def history(
    path: Path = typer.Option(None, "--file", help="An observed-series CSV (default: built-in)."),
    fmt: str = FormatOption(),
    csv: Path = CsvOption(),
) -> None:
    """Print the observed annual series the model is calibrated against.

    The table has one row per series and region and one column per year; CSV and JSON
    have one record per observation (series, region, year, value, unit, ref)."""
    from corredor.cli.formats import records_of, resolve
    from corredor.history import SERIES, load_history

    df = load_history(path)
    long = records_of(df)
    for r in long:
        r["unit"] = SERIES.get(r["series"], "")
    fields = ["series", "region", "year", "value", "unit", "ref"]
    if resolve(fmt) in ("csv", "json"):
        emit(long, [], fmt=fmt, csv_path=csv, fields=fields)
        return
    years = sorted({int(r["year"]) for r in long})
    rows: dict[tuple[str, str], dict] = {}
    for r in long:
        key = (r["series"], r["region"])
        row = rows.setdefault(key, {"series": key[0], "region": key[1]})
        row[str(int(r["year"]))] = r["value"]
    records = [rows[k] for k in sorted(rows)]
    emit(
        records,
        [Column("series", no_wrap=True), Column("region", no_wrap=True)]
        + [Column(str(y), number=True, exact=True) for y in years],
        fmt=fmt,
        title="Observed history (t/year; homicide rate per 100,000; shares of 1)",
        csv_path=csv,
        csv_records=long,
        fields=fields,
        notes=[
            f"{len(long)} observations; sources: `corredor evidence --id REF` "
            "(REF: column ref of --format csv)"
        ],
    )
