"""Bad input: one clear message naming file, field and fix; exit 2; nothing written."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conftest import invoke_cli

run_cli = invoke_cli


def rewrite_csv(path: Path, edit) -> None:
    rows = list(csv.DictReader(path.open()))
    fields = list(rows[0])
    rows, fields = edit(rows, fields)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def set_cell(path: Path, row_id: str, column: str, value: str) -> None:
    def edit(rows, fields):
        for r in rows:
            if r.get("id") == row_id:
                r[column] = value
        return rows, fields

    rewrite_csv(path, edit)


def expect_error(code: int, text: str, *needles: str) -> None:
    assert code == 2, text
    assert "Traceback" not in text
    assert "error:" in text
    for needle in needles:
        assert needle in text, (needle, text)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


def assert_nothing_written(out: Path) -> None:
    assert not out.exists() or not any(out.iterdir())


def test_missing_scenario_file(capsys, monkeypatch, out, tmp_path):
    code, text = run_cli(
        ["run", str(tmp_path / "nope.toml"), "--out", str(out)], capsys, monkeypatch
    )
    expect_error(code, text, "nope.toml", "not found")
    assert_nothing_written(out)


def test_unknown_builtin_scenario(capsys, monkeypatch, out):
    code, text = run_cli(["run", "baselin", "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "unknown scenario", "Fix:")


def test_malformed_toml(capsys, monkeypatch, out, mini_copy):
    mini_copy.write_text(mini_copy.read_text() + "\nthis is = = not toml\n")
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "mini.toml", "not valid TOML", "Fix:")
    assert_nothing_written(out)


def test_unknown_network(capsys, monkeypatch, out, mini_copy):
    mini_copy.write_text(mini_copy.read_text().replace('network = "mini"', 'network = "atlantis"'))
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "network", "atlantis", "Fix:")
    assert_nothing_written(out)


def test_unknown_node_in_scenario(capsys, monkeypatch, out, mini_copy):
    mini_copy.write_text(mini_copy.read_text().replace("co-south = 1.0", "co-sur = 1.0"))
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "groups.south.origins.co-sur", "co-south")
    assert_nothing_written(out)


def test_negative_capacity(capsys, monkeypatch, out, mini_copy):
    set_cell(mini_copy.parent / "mini" / "edges.csv", "s-border", "capacity_kg_per_week", "-5")
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "edges.csv", "row 2", "capacity_kg_per_week", "Fix:")
    assert_nothing_written(out)


def test_probability_out_of_range(capsys, monkeypatch, out, mini_copy):
    set_cell(mini_copy.parent / "mini" / "edges.csv", "s-border", "base_detection", "1.5")
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "edges.csv", "base_detection", "1.5")
    assert_nothing_written(out)


def test_missing_column(capsys, monkeypatch, out, mini_copy):
    def drop(rows, fields):
        return rows, [f for f in fields if f != "transit_days"]

    rewrite_csv(mini_copy.parent / "mini" / "edges.csv", drop)
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "edges.csv", "transit_days", "header")
    assert_nothing_written(out)


def test_edge_to_missing_node(capsys, monkeypatch, out, mini_copy):
    set_cell(mini_copy.parent / "mini" / "edges.csv", "mx-us", "to", "mkt-mars")
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "edges.csv", "unknown node 'mkt-mars'", "to")
    assert_nothing_written(out)


def test_start_after_end(capsys, monkeypatch, out):
    from conftest import MINI

    code, text = run_cli(
        ["run", str(MINI), "--start", "2030", "--end", "2020", "--out", str(out)],
        capsys,
        monkeypatch,
    )
    # the options are to blame, not the scenario file (issue 14)
    expect_error(code, text, "--start/--end", "--start 2030 is after --end 2020")
    assert "mini.toml" not in text
    assert_nothing_written(out)


def test_negative_budget(capsys, monkeypatch, out, mini_copy):
    mini_copy.write_text(mini_copy.read_text().replace("container = 20", "container = -20"))
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "agencies.EU.budget.container", "-20", "Fix:")
    assert_nothing_written(out)


def test_unknown_parameter(capsys, monkeypatch, out, mini_copy):
    mini_copy.write_text(
        mini_copy.read_text() + "\n[parameters]\ntraffickers.choice_sharpnes = 3\n"
    )
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "parameters.traffickers.choice_sharpnes", "choice_sharpness")


def test_parameter_outside_bounds(capsys, monkeypatch, out, mini_copy):
    mini_copy.write_text(mini_copy.read_text() + "\n[parameters]\nmarkets.price_floor = 1.5\n")
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "markets.price_floor", "outside the allowed range")


def test_strike_share_outside_bounds(capsys, monkeypatch, out, mini_copy):
    text = mini_copy.read_text().replace("road = 5 }", "road = 5 }\nstrike_share = 2")
    mini_copy.write_text(text)
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "agencies.US.strike_share", "outside the allowed range")


def test_production_shares_must_sum_to_one(capsys, monkeypatch, out, mini_copy):
    set_cell(mini_copy.parent / "mini" / "nodes.csv", "co-south", "production_share", "0.9")
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "nodes.csv", "production_share", "sum to")


def test_duplicate_node_id(capsys, monkeypatch, out, mini_copy):
    set_cell(mini_copy.parent / "mini" / "nodes.csv", "co-north", "id", "co-south")
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "nodes.csv", "appears twice")


@pytest.mark.parametrize(
    "node, basin, words",
    [
        ("ec-port", "eastern-pacific", ("port node with a basin", "sea nodes only")),
        ("sea-pac", "Eastern Pacific", ("not a label", "lower-case")),
    ],
)
def test_bad_basin(capsys, monkeypatch, out, mini_copy, node, basin, words):
    set_cell(mini_copy.parent / "mini" / "nodes.csv", node, "basin", basin)
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "nodes.csv", "basin", *words)
    assert not out.exists() or not any(out.iterdir())  # nothing half-written


def test_not_a_number(capsys, monkeypatch, out, mini_copy):
    set_cell(mini_copy.parent / "mini" / "edges.csv", "s-border", "distance_km", "far")
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "edges.csv", "distance_km", "'far'", "plain number")


def test_extends_cycle(capsys, monkeypatch, out, tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    code, text = run_cli(["run", str(tmp_path / "a.toml"), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "extends")


def test_negative_replicates(capsys, monkeypatch, out):
    from conftest import MINI

    code, text = run_cli(["run", str(MINI), "-r", "0", "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "replicates")
    assert_nothing_written(out)


def test_unknown_network_for_show(capsys, monkeypatch):
    code, text = run_cli(["network", "show", "atlantis"], capsys, monkeypatch)
    expect_error(code, text, "atlantis")


def test_unknown_evidence_id(capsys, monkeypatch):
    code, text = run_cli(["evidence", "--id", "no-such-id"], capsys, monkeypatch)
    expect_error(code, text, "no-such-id")


@pytest.mark.parametrize(
    "value, needles",
    [
        ("0.5", ["groups.north.factions", "outside the allowed range", "between 1 and 1000"]),
        ('"many"', ["groups.north.factions", "not a number"]),
        ('{ "2021-13-01" = 3 }', ["groups.north.factions.2021-13-01", "not a date"]),
        ("{}", ["groups.north.factions", "empty table"]),
    ],
)
def test_bad_factions(capsys, monkeypatch, out, mini_copy, value, needles):
    mini_copy.write_text(
        mini_copy.read_text().replace("allies = []", f"allies = []\nfactions = {value}")
    )
    code, text = run_cli(["run", str(mini_copy), "--out", str(out)], capsys, monkeypatch)
    expect_error(code, text, "mini.toml", "Fix:", *needles)
    assert_nothing_written(out)
