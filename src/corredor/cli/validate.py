"""`corredor validate`: the scorecard of every registered check, with its status."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from corredor.cli.app import app, console, err_console
from corredor.errors import CorredorError, check_out_dir

STYLE = {"fitted": "blue", "blind": "green", "post hoc": "yellow", "input": "dim"}


@app.command()
def validate(
    scenario: str = typer.Argument("baseline", help="Scenario to validate."),
    draws: int = typer.Option(
        0,
        "--draws",
        help="Parameter draws from the evidence ranges: intervals then include parameter "
        "uncertainty, and each check says whether the point run is in the ensemble's 50% band.",
    ),
    replicates: int = typer.Option(
        None, "--replicates", "-r", help="Replicates of the point run (default 8), or per draw."
    ),
    seed: int = typer.Option(1, "--seed", "-s", help="Seed of the runs and draws."),
    workers: int = typer.Option(None, "--workers", "-w", help="Worker processes with --draws."),
    out: Path = typer.Option(Path("out/validation"), "--out", "-o", help="Output directory."),
    readme: Path = typer.Option(
        None,
        "--readme",
        help="Also rewrite the validation section of this README (between the "
        "<!-- validation:start --> and <!-- validation:end --> markers).",
    ),
) -> None:
    """Score the model against every registered check: fitted, blind, post hoc or input.

    Exit code 0 even when checks fail (it is a report); 2 on bad input."""
    from corredor.analysis.executors import batch_executor
    from corredor.analysis.validate import rows_for_text
    from corredor.analysis.validate import validate as run_validate
    from corredor.outputs.validation_report import check_readme, update_readme

    check_out_dir(out)
    if readme is not None:
        check_readme(readme)
    if draws < 0:
        raise CorredorError("must not be negative", field="--draws", fix="use 0 or more")
    pool = batch_executor(workers, needed=draws > 0)
    with err_console.status("validating") as status, pool as ex:
        card = run_validate(
            scenario,
            draws=draws,
            seed=seed,
            replicates=replicates,
            executor=ex,
            progress=status.update,
        )
    table = Table(
        title=f"Validation of {card.scenario}: {len(card.table)} checks",
        caption="simulated: mean [5–95%] over the check's years; observed bulk seizures "
        "converted to pure with the purity shown",
    )
    table.add_column("check", no_wrap=True)
    for col in ("status", "years", "simulated", "observed", "score", "result"):
        table.add_column(col, overflow="fold")
    for r in rows_for_text(card.table):
        result = "[green]pass[/]" if r["result"] == "pass" else "[bold red]FAIL[/]"
        style = STYLE.get(r["status"], "")
        table.add_row(
            r["check"],
            f"[{style}]{r['status']}[/]" if style else r["status"],
            r["years"],
            r["simulated"],
            r["observed"],
            r["score"],
            result,
        )
    console.print(table)
    for _, s in card.summary().iterrows():
        console.print(f"{s.status}: {s.passed} of {s.checks} passed ({s.meaning})")
    if card.skipped:
        console.print("not evaluated (years not covered): " + ", ".join(card.skipped))
    if "in_ens_50" in card.table:
        inside = int(card.table.in_ens_50.fillna(False).astype(bool).sum())
        console.print(
            f"point run inside the ensemble's 50% band: {inside} of {len(card.table)} checks"
        )
    written = card.save(out)
    if readme is not None:
        source = str(out / "validation.csv")
        written.append(update_readme(readme, card.table, source))
    console.print("Wrote " + ", ".join(str(p) for p in written))
