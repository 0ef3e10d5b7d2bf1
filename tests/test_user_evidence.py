"""A user's network and scenario cite their own evidence (an evidence.csv next to them).

tests/data/own-evidence holds a scenario with its own evidence.csv and a network
directory (`net/`) with another; both also cite package entries.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from conftest import DATA, invoke_cli
from corredor.errors import CorredorError
from corredor.evidence import default_evidence, default_path
from corredor.network import load_network
from corredor.scenario import load_scenario

OWN = DATA / "own-evidence"


@pytest.fixture
def own(tmp_path: Path) -> Path:
    """A writable copy of the project; returns the scenario path."""
    shutil.copytree(OWN, tmp_path / "own")
    return tmp_path / "own" / "scenario.toml"


def set_cell(path: Path, row_id: str, column: str, value: str) -> None:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    key = next(iter(rows[0]))
    for row in rows:
        if row[key] == row_id:
            row[column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def append_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


def test_network_and_scenario_resolve_against_package_and_their_own_evidence():
    net = load_network(OWN / "net")
    package = default_evidence()
    cited = net.refs()
    assert "own-capacity" in cited and "own-capacity" not in package
    assert "country-population" in cited and "country-population" in package
    # an undeclared reference column (nodes.csv source_ref) is resolved too
    assert any("source_ref" in where for where in cited["own-places"])
    assert set(cited) <= set(net.evidence)
    sc = load_scenario(OWN / "scenario.toml")
    assert "own-groups" in sc.evidence and "own-groups" not in net.evidence
    assert set(net.evidence) <= set(sc.evidence)
    # a run does not change: evidence is provenance, not input
    assert sc.network.edges == net.edges


def test_evidence_check_covers_a_user_scenario(capsys, monkeypatch, own):
    code, text = invoke_cli(["evidence", "--check", str(own)], capsys, monkeypatch)
    assert code == 0, text
    text = " ".join(text.split())  # rich wraps long lines
    assert "scenario own-evidence" in text and "11 of them the user's own" in text
    # a value outside its user entry's range is found (own-capacity: 10,000-60,000)
    set_cell(own.parent / "net" / "edges.csv", "mx-us", "capacity_kg_per_week", "90000")
    code, text = invoke_cli(["evidence", "--check", str(own)], capsys, monkeypatch)
    assert code == 1
    assert "capacity_kg_per_week" in text and "own-capacity" in text and "90000" in text
    # the user's entries are listed and searchable with the scenario
    code, text = invoke_cli(["evidence", str(own), "--id", "own-groups"], capsys, monkeypatch)
    assert code == 0 and "Which group handles" in text


def test_evidence_check_without_a_scenario_checks_the_builtins(capsys, monkeypatch):
    code, text = invoke_cli(["evidence", "--check"], capsys, monkeypatch)
    assert code == 0 and "built-in scenarios" in text


@pytest.mark.parametrize(
    "fname, row_id, column",
    [
        ("edges.csv", "sea-mx", "cost_ref"),
        ("nodes.csv", "mx", "source_ref"),
        ("production.csv", "CO", "ref"),
    ],
)
def test_unknown_id_in_a_network_is_an_error(capsys, monkeypatch, own, fname, row_id, column):
    path = own.parent / "net" / fname
    set_cell(path, row_id, column, "own-cots")
    with pytest.raises(CorredorError) as info:
        load_network(path.parent)
    err = info.value
    assert err.file == str(path) and column in err.field and "row " in err.field
    assert "own-cots" in err.what and "evidence.csv" in err.fix
    code, text = invoke_cli(
        ["run", str(own), "--out", str(own.parent / "out")], capsys, monkeypatch
    )
    assert code == 2 and fname in text and "unknown evidence id 'own-cots'" in text
    assert "Fix:" in text and "Traceback" not in text
    assert not (own.parent / "out").exists()  # nothing written


def test_unknown_id_in_a_scenario_names_the_file_and_field(capsys, monkeypatch, own):
    text = own.read_text(encoding="utf-8").replace('"own-groups"', '"own-grups"')
    own.write_text(text, encoding="utf-8")
    code, out = invoke_cli(["run", str(own), "--out", str(own.parent / "out")], capsys, monkeypatch)
    assert code == 2, out
    assert "scenario.toml" in out and "groups.south.refs" in out and "'own-grups'" in out
    assert "did you mean 'own-groups'" in out.replace("\n", "")


def test_a_child_scenario_is_blamed_for_its_own_bad_reference(tmp_path, own):
    child = tmp_path / "child" / "child.toml"
    child.parent.mkdir()
    child.write_text(
        f'extends = "{own}"\n\n[agencies.EU]\nrefs = ["nowhere-entry"]\n', encoding="utf-8"
    )
    with pytest.raises(CorredorError) as info:
        load_scenario(child)
    assert info.value.file == str(child.resolve()) and info.value.field == "agencies.EU.refs"
    # an evidence.csv next to the child resolves it; the parent's still count
    rows = (own.parent / "evidence.csv").read_text(encoding="utf-8").splitlines()
    header, design, groups = rows[0], rows[1], rows[2]
    mine = child.parent / "evidence.csv"
    changed = groups.replace("assumption,1,", "assumption,0.5,")  # same id, other content
    mine.write_text(f"{header}\n{design.replace('own-scenario-design', 'nowhere-entry')}\n")
    append_line(mine, changed)
    with pytest.raises(CorredorError, match="already an entry of another evidence file"):
        load_scenario(child)
    mine.write_text("\n".join(mine.read_text().splitlines()[:2]) + "\n")
    sc = load_scenario(child)
    assert "nowhere-entry" in sc.evidence and "own-groups" in sc.evidence


def test_a_user_id_that_collides_with_a_package_id_is_an_error(own):
    path = own.parent / "net" / "evidence.csv"
    package_row = next(
        line
        for line in default_path().read_text(encoding="utf-8").splitlines()
        if line.startswith("param-k-road,")
    )
    # an identical copy of the package's row is the same entry: accepted
    append_line(path, package_row)
    assert load_network(path.parent).evidence["param-k-road"] == default_evidence()["param-k-road"]
    # a different row under the package's id is refused, naming the row
    changed = package_row.replace("param-k-road,", "param-cost-road,", 1)
    append_line(path, changed)
    with pytest.raises(CorredorError) as info:
        load_network(path.parent)
    assert info.value.file == str(path) and info.value.field == "row 11, id"
    assert "package's evidence table" in info.value.what and "own id" in info.value.fix


def test_without_its_evidence_file_a_network_citing_its_own_ids_does_not_load(mini_copy):
    (mini_copy.parent / "mini" / "evidence.csv").unlink()
    with pytest.raises(CorredorError, match="unknown evidence id 't'") as info:
        load_scenario(mini_copy)
    assert info.value.file.endswith("edges.csv") and info.value.field == "row 2, capacity_ref"


def test_a_bad_user_evidence_file_is_a_clear_error(capsys, monkeypatch, own):
    path = own.parent / "net" / "evidence.csv"
    set_cell(path, "own-cost", "confidence", "sure")
    code, text = invoke_cli(
        ["run", str(own), "--out", str(own.parent / "out")], capsys, monkeypatch
    )
    assert code == 2 and "evidence.csv" in text and "confidence" in text and "Fix:" in text
