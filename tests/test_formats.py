"""Output people can read and reuse (issue 15): every listing command prints CSV and JSON
that parse, tables never cut a number, piped output is complete, numbers read as numbers
with units, progress is never silent in a log."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import MINI
from corredor.cli.formats import Column, render
from corredor.numbers import exact, human
from corredor.progress import Progress


def run_cli(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    """Run `corredor ARGS` in-process; returns (exit code, stdout, stderr) kept apart, as a
    pipe to another program would see them."""
    from corredor.cli import main as cli

    monkeypatch.setattr(sys, "argv", ["corredor", *args])
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


def parse(fmt: str, text: str):
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    return json.loads(text)


# command, the records it must give (at least), fields every record has
FAST = [
    (["scenarios"], 9, {"name", "title", "start", "end", "file"}),
    (["parameters"], 40, {"name", "unit", "default", "low", "high", "evidence", "meaning"}),
    (["evidence", "--search", "Guayaquil"], 3, {"id", "value", "unit", "low", "high"}),
    (["history"], 60, {"series", "region", "year", "value", "unit", "ref"}),
    (["levers", str(MINI), "--lever-from", "2017"], 3, {"name", "unit", "low", "high"}),
    (["network", "show", "--table", "nodes"], 60, {"id", "name", "kind", "lat", "lon"}),
    (["network", "show", "--table", "edges"], 100, {"id", "from", "to", "mode", "distance_km"}),
]
SLOW = [
    (["routes", str(MINI), "--market", "mkt-eu"], 4, {"group", "risk", "t_last_week"}),
    (
        ["compare", str(MINI), str(MINI), "-r", "2", "--from", "2019"],
        26,
        {"scenario", "outcome", "mean", "p05", "p95", "diff_mean", "first", "last"},
    ),
    (
        ["ensemble", str(MINI), "--n", "2", "-w", "1", "--param", "markets.demand_elasticity"],
        100,
        {"year", "metric", "region", "median", "p05", "p25", "p75", "p95"},
    ),
    (
        ["sweep", str(MINI), "--lever", "ec_road_effort=1.5", "-r", "1", "-w", "1"],
        13,
        {"point", "ec_road_effort", "outcome", "mean", "p05", "p95"},
    ),
]


def _needs_out(args: list[str], tmp_path, fmt: str) -> list[str]:
    # (their figures are tested in test_plots.py)
    if args[0] == "ensemble":
        return [*args, "--no-figures", "--out", str(tmp_path / f"ens-{fmt}")]
    if args[0] == "sweep":
        out = str(tmp_path / f"sweep-{fmt}.zarr")
        return [*args, "--no-figures", "--lever-from", "2017", "--out", out]
    return args


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("args,least,fields", FAST, ids=[" ".join(a[0][:3]) for a in FAST])
def test_listing_commands_print_csv_and_json_that_parse(
    args, least, fields, fmt, capsys, monkeypatch
):
    code, out, err = run_cli([*args, "--format", fmt], capsys, monkeypatch)
    assert code == 0, err
    records = parse(fmt, out)
    assert isinstance(records, list) and len(records) >= least
    assert fields <= set(records[0]), set(records[0])
    if fmt == "json":  # numbers stay numbers
        numeric = [k for k in ("default", "value", "lat", "distance_km") if k in records[0]]
        for key in numeric:
            assert all(isinstance(r[key], int | float) for r in records), key


@pytest.mark.parametrize("args,least,fields", SLOW, ids=[a[0][0] for a in SLOW])
def test_commands_that_run_the_model_print_csv_and_json(
    args, least, fields, tmp_path, capsys, monkeypatch
):
    for fmt in ("csv", "json"):
        code, out, err = run_cli([*_needs_out(args, tmp_path, fmt), "-F", fmt], capsys, monkeypatch)
        assert code == 0, err
        records = parse(fmt, out)
        assert len(records) >= least, (fmt, len(records))
        assert fields <= set(records[0]), set(records[0])
    if args[0] == "compare":  # the same numbers either way
        a = {(r["scenario"], r["outcome"]): r["mean"] for r in parse("json", out)}
        assert all(v is None or isinstance(v, float) for v in a.values())


def test_numbers_in_csv_keep_their_precision(capsys, monkeypatch):
    from corredor.parameters import PARAMS

    code, out, _ = run_cli(["parameters", "-F", "csv"], capsys, monkeypatch)
    assert code == 0
    rows = {r["name"]: r for r in parse("csv", out)}
    assert len(rows) == len(PARAMS)
    for name, p in PARAMS.items():
        assert float(rows[name]["default"]) == p.default, name


def test_network_show_csv_asks_which_table(capsys, monkeypatch):
    code, out, err = run_cli(["network", "show", "-F", "csv"], capsys, monkeypatch)
    assert code == 2 and "--table" in err and "nodes" in err and out == ""
    code, out, _ = run_cli(["network", "show", "-F", "json"], capsys, monkeypatch)
    assert code == 0 and set(json.loads(out)) == {"nodes", "edges"}


def test_unknown_format_is_a_clear_error(capsys, monkeypatch):
    code, _, err = run_cli(["scenarios", "--format", "xml"], capsys, monkeypatch)
    assert code == 2 and "--format" in err and "csv" in err


def test_csv_option_writes_the_file(tmp_path, capsys, monkeypatch):
    path = tmp_path / "history.csv"
    code, out, _ = run_cli(["history", "--csv", str(path)], capsys, monkeypatch)
    assert code == 0 and "Wrote" in out
    rows = parse("csv", path.read_text())
    assert {"series", "region", "year", "value", "ref"} <= set(rows[0]) and len(rows) >= 60


def test_piped_history_at_80_columns_shows_every_observed_value_in_full():
    from corredor.history import load_history

    env = dict(os.environ, COLUMNS="80", TERM="dumb")
    done = subprocess.run(
        [sys.executable, "-m", "corredor.cli", "history"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    text = done.stdout
    assert "…" not in text
    lines = text.splitlines()
    header = next(line for line in lines if "series" in line and "region" in line)
    years = [int(y) for y in re.findall(r"\b(\d{4})\b", header)]
    for obs in load_history().itertuples():
        row = next(
            line
            for line in lines
            if re.search(rf"\b{re.escape(obs.series)}\b", line)
            and re.search(rf"\|\s*{re.escape(obs.region)}\s*\|", line)
        )
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        assert cells[2 + years.index(obs.year)] == exact(obs.value), (obs, row)


def test_tables_fit_the_window_by_dropping_text_never_cutting_numbers():
    records = [
        {"name": f"p{i}", "value": 123456.789 * i, "meaning": "a long explanation " * 8}
        for i in range(1, 6)
    ]
    columns = [
        Column("name", no_wrap=True),
        Column("value", number=True, exact=True),
        Column("meaning", drop=1),
    ]
    text, dropped = render(records, columns, title="t", width=40)
    assert dropped == ["meaning"]
    assert all(len(line) <= 40 for line in text.splitlines())
    for r in records:
        assert exact(r["value"]) in text
    # numbers wider than the window: printed whole, wider than asked
    text, _ = render(records, columns[:2], width=12)
    for r in records:
        assert exact(r["value"]) in text
    # plain: everything, at the width the content needs
    text, dropped = render(records, columns, plain=True)
    assert not dropped and "a long explanation " * 7 in text


def test_human_and_exact_numbers():
    assert human(8.1e7, "USD") == "81 million USD"
    assert human(1290.4, "t") == "1,290 t"
    assert human(0.012345) == "0.0123"
    assert human(float("nan")) == "–" and human(None) == "–"
    assert human(-2.5e9) == "-2.5 billion"
    assert human(3.2, signed=True) == "+3.2"
    assert exact(1125.0) == "1,125" and exact(25.5) == "25.5"
    assert exact(8.1e7) == "81 million" and exact(81234567) == "81,234,567"
    assert exact(1e-7) == "0.0000001"


def test_progress_in_a_log_prints_a_line_every_tenth():
    stream = io.StringIO()
    with Progress("work", 200, "weeks", mode="lines", stream=stream) as bar:
        for done in range(0, 201, 5):
            bar.update(done)
    lines = stream.getvalue().splitlines()
    assert 9 <= len(lines) <= 11, lines
    assert all(line.startswith("work: ") for line in lines)
    assert "left" in lines[0] and "10%" in lines[0]
    assert "done" in lines[-1] and "200/200 weeks" in lines[-1]


def test_progress_waits_before_showing_quick_work():
    stream = io.StringIO()
    with Progress("quick", 10, mode="lines", delay=60, stream=stream) as bar:
        for done in range(11):
            bar.update(done)
    assert stream.getvalue() == ""


def test_version_and_help(capsys, monkeypatch):
    import corredor

    code, out, _ = run_cli(["--version"], capsys, monkeypatch)
    assert code == 0 and out.strip() == f"corredor {corredor.__version__}"
