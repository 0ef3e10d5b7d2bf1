"""docs/answers.md (the seven questions re-answered with parameter draws) is what
tools/answers.py generates from the committed tables in docs/answers/ and the committed
scorecard: no number in it is typed by hand."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _answers():
    spec = importlib.util.spec_from_file_location("answers", ROOT / "tools" / "answers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_answers_page_is_generated_from_the_committed_tables():
    answers = _answers()
    committed = (ROOT / "docs" / "answers.md").read_text(encoding="utf-8")
    assert committed == answers.text(), "run `python tools/answers.py --text`"
    for name, *_ in answers.QUESTIONS:  # every question answered, from its table
        assert (ROOT / "docs" / "answers" / f"{name}.csv").exists(), name
        assert f"## `{name}`" in committed
