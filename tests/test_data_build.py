"""The default network is what tools/build_default_data.py makes of data-src/, byte for
byte, and the build only ever adds entries to the evidence table."""

from __future__ import annotations

import difflib
import importlib.util
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("build", ROOT / "tools" / "build_default_data.py")
build_data = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_data)


def fresh_build(tmp_path: Path, evidence: bytes | None = None) -> tuple[Path, Path, list[dict]]:
    """Build into TMP_PATH/net, extending a copy of the committed evidence table (or of
    the EVIDENCE bytes given); returns the network directory, the table and what was added."""
    table = tmp_path / "evidence.csv"
    if evidence is None:
        shutil.copy(build_data.EVIDENCE, table)
    else:
        table.write_bytes(evidence)
    added = build_data.build(tmp_path / "net", table)
    return tmp_path / "net", table, added


def test_committed_network_equals_a_fresh_build(tmp_path):
    net, _, _ = fresh_build(tmp_path)
    committed = sorted(build_data.NET.glob("*.csv"))
    assert [p.name for p in committed] == sorted(p.name for p in net.iterdir())
    for path in committed:
        fresh = net / path.name
        if fresh.read_bytes() != path.read_bytes():
            diff = difflib.unified_diff(
                path.read_text(encoding="utf-8").splitlines(),
                fresh.read_text(encoding="utf-8").splitlines(),
                f"committed {path.name}",
                "fresh build",
                lineterm="",
                n=0,
            )
            head = "\n".join(list(diff)[:12])
            raise AssertionError(f"{path.name} is not what data-src/ builds (`make data`):\n{head}")


def test_committed_evidence_lacks_no_derived_entry(tmp_path):
    _, table, added = fresh_build(tmp_path)
    assert [r["id"] for r in added] == [], "run `make data` and commit evidence.csv"
    assert table.read_bytes() == build_data.EVIDENCE.read_bytes()


def test_build_appends_a_missing_entry_and_rewrites_nothing(tmp_path):
    lines = build_data.EVIDENCE.read_bytes().splitlines(keepends=True)
    kept = b"".join(line for line in lines if not line.startswith(b"net-capacity-road,"))
    assert len(kept) < len(b"".join(lines))
    _, table, added = fresh_build(tmp_path, kept)
    assert [r["id"] for r in added] == ["net-capacity-road"]
    text = table.read_bytes()
    assert text.startswith(kept)
    assert text[len(kept) :].startswith(b"net-capacity-road,assumption,60000,kg/week,")


def test_source_evidence_entries_match_the_committed_table():
    # The committed table is revised by hand; a source row left behind would silently
    # come back if the table were ever rebuilt, so every source entry must equal it.
    import csv

    committed = {
        r["id"]: r for r in csv.DictReader(build_data.EVIDENCE.open(newline="", encoding="utf-8"))
    }
    stale = []
    for name in ("evidence.csv", "evidence-model.csv"):
        with (ROOT / "data-src" / name).open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                mine = committed.get(row["id"])
                if mine is None:
                    stale.append(f"{name}: {row['id']} is not in the committed table")
                    continue
                stale += [
                    f"{name}: {row['id']}.{k} differs"
                    for k, v in row.items()
                    if k in mine and mine[k] != v
                ]
    assert not stale, "\n".join(stale)
