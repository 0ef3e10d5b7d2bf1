"""`corredor validate`: the registry of checks, its rule, the scorecard, purity, and the
caveats it carries into `compare` and `report`."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from conftest import invoke_cli
from corredor.analysis.calibration import TARGETS
from corredor.analysis.compare import DERIVED, OUTCOMES
from corredor.analysis.validate import (
    Check,
    load_checks,
    load_scorecard,
    registry_path,
    registry_violations,
    score,
)
from corredor.errors import CorredorError
from corredor.history import load_history, load_purity, pure_equivalent
from corredor.outputs.validation_report import (
    END,
    START,
    marked_section,
    readme_from_csv,
    replace_section,
)

ROOT = Path(__file__).resolve().parents[1]
FIT_END = 2021  # the calibration's fitting window (docs/calibration/calibration.md)


# --- the registry ----------------------------------------------------------------------


def test_registry_loads_and_names_outcomes_compare_knows():
    checks = load_checks()
    assert len({c.id for c in checks}) == len(checks) >= 10
    keys = set(OUTCOMES) | set(DERIVED)
    for c in checks:
        assert set(c.bears_on) <= keys, (c.id, set(c.bears_on) - keys)
        assert c.registered <= dt.date.today(), c.id
        assert c.caveat and c.note and c.title, c.id


def test_statuses_agree_with_the_calibration_and_the_inputs():
    """fitted: in the objective over fitted years; blind: never in it; input: the
    observed series is what the network takes as input."""
    history = load_history()
    production = pd.read_csv(ROOT / "src/corredor/data/networks/andean-pacific/production.csv")
    for c in load_checks():
        weight = TARGETS.get((c.series, c.region), 0.0)
        if c.status == "fitted":
            assert weight > 0 and c.last <= FIT_END, c.id
        if c.status == "blind":
            assert weight == 0 or c.first > FIT_END, c.id
        if c.status == "input" and c.series == "produced_t":
            obs = history[(history.series == c.series) & (history.region == c.region)]
            for _, r in obs.iterrows():
                sel = production[production.year == r.year]
                if c.region != "world":
                    sel = sel[sel.country == c.region]
                assert sel.tonnes.sum() == pytest.approx(r.value, rel=1e-3), (c.id, r.year)


def _check(cid: str, status: str, threshold: float = 30.0, day: int = 3) -> Check:
    return Check(
        cid, "t", "seized_t", "EC", 2022, 2024, "history", "MAPE %", threshold, status,
        dt.date(2026, 12, day), ("seized_t",), "n", "c",
    )  # fmt: skip


def test_the_rule_catches_a_return_to_blind_a_moved_target_and_a_new_date():
    ok = [("v1", [_check("a", "blind")]), ("v2", [_check("a", "post hoc")])]
    assert registry_violations(ok) == []
    back = ok + [("v3", [_check("a", "blind")])]
    assert any("blind again" in p for p in registry_violations(back))
    moved = [("v1", [_check("a", "blind")]), ("v2", [_check("a", "blind", threshold=90)])]
    assert any("threshold" in p for p in registry_violations(moved))
    redated = [("v1", [_check("a", "blind")]), ("v2", [_check("a", "blind", day=1)])]
    assert any("registered date" in p for p in registry_violations(redated))
    # a blind check may change once it is post hoc
    later = ok + [("v3", [_check("a", "post hoc", threshold=90)])]
    assert registry_violations(later) == []


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout


def test_the_registry_history_keeps_the_rule(tmp_path):
    """Every committed version of checks.toml, then the working copy: statuses never
    return to blind, blind checks keep their definition and dates are never backdated."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    try:
        if _git("rev-parse", "--is-inside-work-tree").strip() != "true":
            pytest.skip("not a git work tree")
        if _git("rev-parse", "--is-shallow-repository").strip() == "true":
            pytest.skip("shallow clone: the registry's history is incomplete")
    except (subprocess.CalledProcessError, OSError):
        pytest.skip("no git history")
    rel = registry_path().resolve().relative_to(ROOT).as_posix()
    log = _git("log", "--reverse", "--format=%H %ad", "--date=short", "--", rel).split("\n")
    versions, first_date = [], {}
    for line in filter(None, log):
        commit, date = line.split()
        path = tmp_path / f"{commit}.toml"
        path.write_text(_git("show", f"{commit}:{rel}"), encoding="utf-8")
        checks = load_checks(path)
        for c in checks:
            first_date.setdefault(c.id, dt.date.fromisoformat(date))
        versions.append((commit[:8], checks))
    current = load_checks()
    versions.append(("working copy", current))
    assert registry_violations(versions) == []
    last_commit = max(first_date.values(), default=None)
    for c in current:
        if c.id in first_date:  # registered when it was first committed (not backdated)
            assert first_date[c.id] - dt.timedelta(days=3) <= c.registered, c.id
            assert c.registered <= first_date[c.id], c.id
        elif last_commit is not None:
            assert c.registered >= last_commit, c.id


@pytest.mark.parametrize(
    "edit,field",
    [
        (lambda t: t.replace('status = "fitted"', 'status = "maybe"', 1), "status"),
        (lambda t: t.replace("years = [2015, 2015]", "years = [2016, 2015]", 1), "years"),
        (lambda t: t.replace('metric = "ratio"', 'metric = "RMSE"', 1), "metric"),
        (lambda t: t.replace("registered = 2026-12-03", 'registered = "soon"', 1), "registered"),
        (lambda t: t.replace('observed = "southcom-ep-share-2016"', 'observed = "x"'), "observed"),
        (lambda t: t.replace('id = "ec-seizures-fit"', 'id = "ec-seizures-fit'), "TOML"),
    ],
)
def test_a_bad_registry_is_refused_with_the_field(tmp_path, edit, field):
    path = tmp_path / "checks.toml"
    path.write_text(edit(registry_path().read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CorredorError) as exc:
        load_checks(path)
    assert str(path) in str(exc.value) and field in str(exc.value)


# --- purity -----------------------------------------------------------------------------


def test_bulk_seizures_become_pure_equivalents_and_nothing_else_changes():
    observed = load_history()
    pure = pure_equivalent(observed)
    purity = load_purity()
    star = purity[purity.region == "*"].iloc[0]
    seized = pure[pure.series == "seized_t"]
    assert np.allclose(seized.value, seized.value_bulk * star.purity)
    assert (seized.purity_low <= seized.purity).all() and (
        seized.purity <= seized.purity_high
    ).all()
    other = pure[pure.series != "seized_t"]
    assert np.allclose(other.value, observed[observed.series != "seized_t"].value)
    assert 0.5 < star.purity < 1.0  # seizures of export-grade cocaine are not pure


def test_a_bad_purity_table_is_refused(tmp_path):
    path = tmp_path / "purity.csv"
    path.write_text("region,first_year,last_year,purity,low,high,ref\n*,2005,2030,1.3,1,1.5,x\n")
    with pytest.raises(CorredorError, match="not a share"):
        load_purity(path)
    path.write_text("region,first_year,last_year,purity,low,high,ref\nEC,2005,2010,0.9,0.8,1,x\n")
    with pytest.raises(CorredorError, match="does not exist"):
        load_purity(path)


# --- scoring ------------------------------------------------------------------------------


class FakeRun:
    """A stand-in for Results: a summary table and an empty dataset."""

    def __init__(self, summary: pd.DataFrame) -> None:
        self._summary = summary
        self.data = xr.Dataset(coords={"replicate": [0, 1]})
        self.scenario = "fake"

    def summary(self, stats: str = "run") -> pd.DataFrame:
        return self._summary


def _run_equal_to(observed: pd.DataFrame, checks: list[Check], factor: float = 1.0) -> FakeRun:
    rows = []
    for c in checks:
        obs = observed[(observed.series == c.series) & (observed.region == c.region)]
        for year in range(c.first, c.last + 1):
            got = obs[obs.year == year]
            value = float(got.value_bulk.iloc[0]) * factor if len(got) else 0.4
            rows.append(
                dict(year=year, metric=c.series, region=c.region, mean=value)
                | dict(p05=0.9 * value, p95=1.1 * value)
            )
    return FakeRun(pd.DataFrame(rows))


def test_scores_compare_pure_with_pure_and_judge_each_metric():
    checks = {c.id: c for c in load_checks()}
    observed = pure_equivalent(load_history())
    chosen = [checks[k] for k in ("ec-seizures-heldout", "ep-share-2015", "strikes-2025")]
    # a model that reproduces the bulk weights exactly overstates pure seizures by 1/0.91
    card = score(_run_equal_to(observed, chosen), checks=chosen, observed=observed)
    t = card.table.set_index("check")
    purity = load_purity().purity.iloc[0]
    assert t.loc["ec-seizures-heldout", "score"] == pytest.approx((1 / purity - 1) * 100)
    assert t.loc["ec-seizures-heldout", "observed"] == pytest.approx(
        t.loc["ec-seizures-heldout", "observed_bulk"] * purity
    )
    assert "×0.91" in t.loc["ec-seizures-heldout", "note"]
    assert t.loc["ep-share-2015", "passed"] == np.False_  # 0.4 against 0.68-0.85
    assert t.loc["strikes-2025", "score"] == pytest.approx(35 / 35)  # equal: ratio 1
    assert t.loc["strikes-2025", "passed"]
    # four times too few strikes fail a factor-of-two check
    few = score(_run_equal_to(observed, chosen, 0.25), checks=chosen, observed=observed)
    assert not few.table.set_index("check").loc["strikes-2025", "passed"]


def test_failed_checks_reach_the_outcomes_they_bear_on():
    checks = {c.id: c for c in load_checks()}
    chosen = [checks["strikes-2025"], checks["ec-homicide-heldout"]]
    observed = pure_equivalent(load_history())
    card = score(_run_equal_to(observed, chosen, 0.1), checks=chosen, observed=observed)
    failed = card.failed_for(["deaths_crew"])
    assert list(failed.check) == ["strikes-2025"]
    text = card.caveats(["deaths_crew", "delivered_t"])
    assert list(text) == ["deaths_crew"]
    assert "3.5 lethal strikes in 2025 against 35 reported" in text["deaths_crew"][0]
    assert card.failed_for(["delivered_t"]).empty


def test_years_a_run_does_not_cover_are_skipped():
    checks = load_checks()
    card = score(FakeRun(pd.DataFrame(columns=["year", "metric", "region", "mean"])), checks=checks)
    assert card.table.empty and set(card.skipped) == {c.id for c in checks}


# --- the command and the README --------------------------------------------------------


def test_validate_command_writes_the_scorecard_and_exits_0_with_failures(
    tmp_path, capsys, monkeypatch
):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{START}\nold\n{END}\n\ntail\n", encoding="utf-8")
    out = tmp_path / "v"
    code, text = invoke_cli(
        ["validate", "baseline", "-r", "2", "--out", str(out), "--readme", str(readme)],
        capsys,
        monkeypatch,
    )
    assert code == 0, text
    assert "FAIL" in text and "blind" in text and "post hoc" in text
    for name in ("validation.csv", "validation.md", "validation.html"):
        assert (out / name).stat().st_size > 0
    card = load_scorecard(out / "validation.csv")
    assert (~card.table.passed).any()  # checks fail, the exit code is still 0
    assert set(card.table.check) == {c.id for c in load_checks()}
    html = (out / "validation.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<table>" in html and "<pre>" not in html
    new = readme.read_text(encoding="utf-8")
    assert "old" not in new and new.endswith(f"{END}\n\ntail\n")
    assert marked_section(new) == readme_from_csv(
        out / "validation.csv", str(out / "validation.csv")
    )


@pytest.mark.parametrize(
    "args,field",
    [
        (["validate", "no-such-scenario"], "scenario"),
        (["validate", "--draws", "-1"], "--draws"),
        (["validate", "--replicates", "0"], "--replicates"),
    ],
)
def test_validate_bad_input_exits_2(args, field, capsys, monkeypatch):
    code, text = invoke_cli(args, capsys, monkeypatch)
    assert code == 2 and field in text


def test_validate_refuses_a_readme_without_markers_before_running(tmp_path, capsys, monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text("no markers here\n", encoding="utf-8")
    code, text = invoke_cli(
        ["validate", "--readme", str(readme), "--out", str(tmp_path / "v")], capsys, monkeypatch
    )
    assert code == 2 and "markers" in text
    assert not (tmp_path / "v").exists()  # nothing written
    blocked = tmp_path / "file"
    blocked.write_text("x")
    code, text = invoke_cli(["validate", "--out", str(blocked)], capsys, monkeypatch)
    assert code == 2 and "--out" in text


def test_readme_section_is_generated_from_the_committed_scorecard():
    """The README's validation section is what docs/validation/validation.csv generates:
    no number in it is typed by hand (regenerate with the command in the section)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    csv = ROOT / "docs" / "validation" / "validation.csv"
    assert marked_section(readme) == readme_from_csv(csv, "docs/validation/validation.csv")


def test_readme_lists_no_input_check_as_a_held_out_success():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    outside = replace_section(readme, "", "README.md")
    assert not re.search(r"world production[^\n|]*\|[^\n]*met", outside, re.IGNORECASE)
    # nor the shipped calibration report
    report = (ROOT / "docs" / "calibration" / "calibration.md").read_text(encoding="utf-8")
    assert not re.search(r"produced_t world[^\n]*within the", report)
    assert "(a model input: does not count as a held-out success)" in report
    card = load_scorecard(ROOT / "docs" / "validation" / "validation.csv").table.set_index("check")
    for cid in ("world-production", "co-production", "co-seizures-heldout"):
        assert card.loc[cid, "status"] == "input", cid
