"""Measured numbers in README.md and docs/ are generated from committed result files.

`tools/docs_numbers.py` writes every span marked `<!-- gen:NAME ... -->...<!-- /gen -->`
from the result file it names; these tests fail when a marked number differs from its
source (a hand edit, or a result file regenerated without `make docs-numbers`), when a
result file does not say where and when it was measured, and when the README carries a
measured figure outside the marked spans.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("docs_numbers", ROOT / "tools" / "docs_numbers.py")
docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(docs)


@pytest.mark.parametrize("path", docs.DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_marked_numbers_match_their_sources(path):
    diffs = docs.differences(path.read_text(encoding="utf-8"))
    assert not diffs, "run `make docs-numbers`; differing: " + "; ".join(
        f"{spec}: {have.strip()[:60]!r} != {want.strip()[:60]!r}" for spec, have, want in diffs
    )


def test_the_readme_has_generated_tables_and_numbers():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    names = {m["spec"].split()[0] for m in docs.MARK.finditer(text)}
    assert {"cal-heldout-table", "bench-ensemble", "bench-engine", "cal-run"} <= names


def test_a_hand_edited_number_is_caught():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = next(m for m in docs.MARK.finditer(text) if m["spec"] == "cal-run evaluations")
    edited = text[: m.start("body")] + "9,999" + text[m.end("body") :]
    diffs = docs.differences(edited)
    assert [d[0] for d in diffs] == ["cal-run evaluations"]
    assert docs.regenerate(edited) == text


def test_an_unknown_generator_is_an_error():
    with pytest.raises(docs.SourceError, match="unknown generator"):
        docs.differences("<!-- gen:no-such-thing -->1<!-- /gen -->")


RESULT_FILES = [
    docs.CAL / "run.json",
    docs.ABC / "run.json",
    docs.FRAG,
    *sorted(docs.BENCH.glob("*.json")),
]


@pytest.mark.parametrize("path", RESULT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_result_files_say_where_when_and_how_they_were_made(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    machine = data["machine"]
    for key in ("cores", "cpu", "date", "commit", "numpy", "scipy"):
        assert machine.get(key) not in (None, ""), key
    assert data["command"]


# Measured figures that may appear in the README only inside generated spans: durations,
# rates, and percentage errors.
MEASURED = (
    re.compile(r"\b\d[\d,.]*\s?(?:s|seconds|minutes)\b"),
    re.compile(r"\b\d[\d,.]*\s?runs/s\b"),
    re.compile(r"MAPE[^.\n]{0,40}?\d+(?:\.\d+)?%"),
    re.compile(r"\b\d[\d,]*\s+evaluations\b"),
)


def unmarked(text: str) -> str:
    """The text outside generated spans (ours, and the validation scorecard's, which
    `corredor validate` writes), code blocks and inline code."""
    text = docs.MARK.sub(" ", text)
    text = re.sub(
        r"<!-- validation:start -->.*?<!-- validation:end -->", " ", text, flags=re.DOTALL
    )
    text = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)
    return re.sub(r"`[^`\n]*`", " ", text)


def test_no_measured_number_in_the_readme_outside_generated_spans():
    rest = unmarked((ROOT / "README.md").read_text(encoding="utf-8"))
    found = [m.group(0) for pattern in MEASURED for m in pattern.finditer(rest)]
    assert not found, f"hand-typed measured numbers: {found}"
    # and the check would see one
    assert any(p.search(unmarked("took 38 s on two workers")) for p in MEASURED)
