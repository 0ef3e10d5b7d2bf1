"""docs/answers.md (the seven questions re-answered with parameter draws) is what
tools/answers.py generates from the committed tables in docs/answers/ and the committed
scorecard: no number in it is typed by hand."""

from __future__ import annotations

import importlib.util
import json
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


def test_draw_diagnostics_measure_what_the_answers_page_says(tmp_path):
    """tools/draw_diagnostics.py: a small run gives well-formed figures, and the
    committed file the page quotes names the command that made it."""
    spec = importlib.util.spec_from_file_location("draws", ROOT / "tools" / "draw_diagnostics.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "draws.json"
    assert module.main(["--draws", "8", "--out", str(out)]) == 0
    got = json.loads(out.read_text())
    assert 0 <= got["hub_price_at_10x_share"] <= 1 and got["hub_price_ratio_median"] > 0
    rate = got["homicide_rate_draws"]
    assert 0 <= rate["median"] <= rate["p95"] and got["homicide_rate_calibrated"] > 0
    assert len(got["price_follows"]) == 4 and -1 <= got["homicides_vs_price_spearman"] <= 1
    committed = json.loads((ROOT / "docs" / "answers" / "draws.json").read_text())
    assert committed["command"].startswith("python tools/draw_diagnostics.py")
