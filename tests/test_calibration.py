"""Observed history, the evidence check and a small end-to-end calibration."""

from __future__ import annotations

import copy
import json
import shutil

import pandas as pd
import pytest

from conftest import invoke_cli
from corredor.analysis.calibration import (
    FREE,
    FreeParameter,
    calibrate,
    near_bounds,
    parse_bounds,
)
from corredor.analysis.evidence_check import check_builtins
from corredor.errors import CorredorError
from corredor.evidence import default_evidence
from corredor.history import default_path, load_history, pure_equivalent
from corredor.outputs.calibration_report import write_report
from corredor.scenario import build_scenario, load_scenario


def test_history_loads_and_cites_evidence():
    df = load_history()
    ev = default_evidence()
    assert len(df) >= 40
    assert set(df.ref) <= set(ev)
    assert {("seized_t", "EC"), ("homicide_rate", "EC"), ("produced_t", "world")} <= set(
        zip(df.series, df.region, strict=True)
    )


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda t: t + t.splitlines()[1] + "\n", "appears twice"),
        (lambda t: t.replace("wdr-world-prod-2015", "no-such-entry", 1), "does not exist"),
        (lambda t: t.replace("produced_t", "producd_t", 1), "unknown series"),
        (lambda t: t.replace(",2015,", ",twenty,", 1), "not a number"),
        (lambda t: t.replace("series,", "serie,", 1), "missing column"),
    ],
)
def test_bad_history_files(tmp_path, capsys, monkeypatch, edit, needle):
    path = tmp_path / "obs.csv"
    path.write_text(edit(default_path().read_text()))
    with pytest.raises(CorredorError, match=needle):
        load_history(path)
    code, text = invoke_cli(["history", "--file", str(path)], capsys, monkeypatch)
    assert code == 2 and needle in text and "Traceback" not in text


def test_evidence_check_passes_and_can_fail():
    n, problems = check_builtins()
    assert n > 500 and problems == []
    ev = dict(default_evidence())
    tight = ev["param-violence-contest"]
    ev["param-violence-contest"] = type(tight)(**{**vars(tight), "low": 100.0, "high": 200.0})
    _, problems = check_builtins(ev)
    assert any("violence.contest_coef" in p for p in problems)
    del ev["net-capacity-road"]
    _, problems = check_builtins(ev)
    assert any("net-capacity-road" in p for p in problems)


def test_evidence_check_command(capsys, monkeypatch):
    code, text = invoke_cli(["evidence", "--check"], capsys, monkeypatch)
    assert code == 0 and "evidence check passed" in text


def test_bounds_parsing():
    free = parse_bounds(["interdiction.k_road=0.01:0.1"])
    assert any(p.name == "interdiction.k_road" and p.high == 0.1 for p in free)
    for spec, needle in (
        ("interdiction.k_road=0.2:0.1", "greater than"),
        ("interdiction.k_rod=0.1:0.2", "unknown parameter"),
        ("interdiction.k_road", "NAME=LOW:HIGH"),
        ("strikes.misidentified_share=0:2", "allowed range"),
    ):
        with pytest.raises(CorredorError, match=needle):
            parse_bounds([spec])
    scale = parse_bounds(["agencies.EC.effort_scale=0.5:2"])
    assert any(p.name == "agencies.EC.effort_scale" and p.log for p in scale)
    with pytest.raises(CorredorError, match="allowed range"):
        parse_bounds(["agencies.EC.effort_scale=0:2"])


def test_agency_effort_scale_multiplies_every_budget_and_is_checked():
    sc = load_scenario("baseline")
    raw = copy.deepcopy(sc.raw)
    raw["agencies"]["EC"]["effort_scale"] = 2.5
    scaled = build_scenario(raw, name="x", file="x.toml", network=sc.network)
    for cap, series in sc.budgets["EC"].items():
        assert scaled.budgets["EC"][cap].values == pytest.approx([2.5 * v for v in series.values])
    assert scaled.budgets["CO"] == sc.budgets["CO"]
    raw["agencies"]["EC"]["effort_scale"] = 0
    with pytest.raises(CorredorError, match=r"agencies\.EC\.effort_scale"):
        build_scenario(raw, name="x", file="x.toml", network=sc.network)
    # a scenario without the agency: the free scale is skipped, and setting it is refused
    from corredor.analysis.calibration import applicable, with_params

    del raw["agencies"]["CO"]
    raw["agencies"]["EC"]["effort_scale"] = 1.0
    no_co = build_scenario(raw, name="x", file="x.toml", network=sc.network)
    names = [p.name for p in applicable(FREE, no_co)]
    assert "agencies.CO.effort_scale" not in names and "interdiction.k_road" in names
    with pytest.raises(CorredorError, match="no agency 'CO'"):
        with_params(no_co, {"agencies.CO.effort_scale": 2.0})


def test_bad_calibrate_options(capsys, monkeypatch, tmp_path):
    code, text = invoke_cli(
        ["calibrate", "--param", "interdiction.k_road=0.5:0.1", "--out", str(tmp_path / "c")],
        capsys,
        monkeypatch,
    )
    assert code == 2 and "greater than" in text
    assert not (tmp_path / "c").exists()


def test_small_calibration_end_to_end(tmp_path):
    sc = load_scenario("baseline")
    free = (
        FreeParameter("interdiction.k_container", 0.1, 3.0, log=True),
        FreeParameter("violence.contest_coef", 0.0, 10.0),
        FreeParameter("agencies.CO.effort_scale", 0.5, 4.0, log=True),
    )
    result = calibrate(
        sc,
        load_history(),
        free=free,
        fit_end=2017,
        maxiter=1,
        popsize=2,
        replicates=1,
        report_replicates=2,
        polish_evals=8,
        alternatives=2,
    )
    assert result.evaluations > 2 * 3 * (1 + 1)  # DE (popsize x dims x generations), then polish
    assert set(result.best) == {p.name for p in free}
    assert 0.1 <= result.best["interdiction.k_container"] <= 3.0
    assert {"fit", "held-out"} <= set(result.stats.window)
    assert (result.stats.mape >= 0).all()
    assert result.complete and result.stop_reason == "generation limit"
    assert result.generations == 1 and len(result.history) == result.evaluations
    paths = write_report(result, tmp_path / "cal", "baseline")
    assert all(p.exists() for p in paths)
    html = (tmp_path / "cal" / "calibration.html").read_text()
    assert "data:image/png;base64" in html and "held-out" in html
    # real HTML: headings, tables and the figure, not Markdown shown inside <pre>
    assert "<pre>" not in html and "|---|" not in html and "## " not in html
    assert html.count("<table>") >= 4 and "<h2>Fitted parameters</h2>" in html
    assert "<td class=num>" in html and "<figure><img" in html
    # the held-out errors of the best distinct fits, the first being the fit itself
    alt = pd.read_csv(tmp_path / "cal" / "alternatives.csv")
    assert 1 <= len(alt) <= 10 and list(alt["rank"]) == list(range(1, len(alt) + 1))
    assert alt.objective.is_monotonic_increasing
    assert alt.loc[0, "violence.contest_coef"] == pytest.approx(
        result.best["violence.contest_coef"], rel=1e-5
    )
    assert "mape homicide_rate EC" in alt.columns
    assert "How fragile is the held-out fit?" in html
    # the transit share is judged against the published range, one line per year
    ranges = pd.read_csv(tmp_path / "cal" / "range_checks.csv")
    transit = ranges[ranges.series == "transit_share_of_origin"]
    assert list(transit.year) == [2022, 2023, 2024]
    assert ((transit.low == 0.2) & (transit.high == 0.5)).all()
    # and the Eastern Pacific's share of departures to sea against SOUTHCOM's 2015 figure
    ep = ranges[ranges.series == "sea_departure_share"]
    assert list(ep.region) == ["eastern-pacific"] and list(ep.year) == [2015]
    assert ((ep.low == 0.68) & (ep.high == 0.85)).all()
    assert ranges.inside.tolist() == [
        lo <= m <= hi for lo, m, hi in zip(ranges.low, ranges["mean"], ranges.high, strict=True)
    ]
    md = (tmp_path / "cal" / "calibration.md").read_text()
    assert md.count("the published range 0.2–0.5") == 3
    # the fitted scenario file is a scenario that runs
    toml = tmp_path / "cal" / "calibrated.toml"
    shutil.copy(toml, tmp_path / "fitted.toml")
    fitted = load_scenario(tmp_path / "fitted.toml")
    assert fitted.params["violence.contest_coef"] == pytest.approx(
        result.best["violence.contest_coef"], rel=1e-5
    )
    assert fitted.agencies["CO"].effort_scale == pytest.approx(
        result.best["agencies.CO.effort_scale"], rel=1e-5
    )
    assert 0.5 <= fitted.agencies["CO"].effort_scale <= 4.0


def test_abc_end_to_end_and_ensemble_from_its_posterior(tmp_path, capsys, monkeypatch):
    """A small rejection-ABC run: the accepted sets are the draws closest to the data,
    the report and posterior.csv are written, and an ensemble can draw from it."""
    import numpy as np

    from corredor.analysis.posterior import abc, distances, load_posterior
    from corredor.analysis.uncertainty import ensemble

    sc = load_scenario("baseline").with_period(2015, 2022)
    obs = load_history()
    obs = obs[obs.year <= 2022]
    free = (
        FreeParameter("violence.contest_coef", 0.0, 20.0),
        FreeParameter("interdiction.k_road", 0.002, 0.5, log=True),
    )
    result, post = abc(
        sc,
        obs,
        free=free,
        fit_end=2020,
        n=20,
        accept=0.5,
        seed=3,
        predictive=4,
        report_replicates=2,
    )
    assert len(post) == 10 and post.distance.is_monotonic_increasing
    assert set(result.best) == {p.name for p in free}
    assert result.best["violence.contest_coef"] == np.median(post["violence.contest_coef"])
    assert {"fit", "held-out"} <= set(result.stats.window)
    written = write_report(result, tmp_path / "abc", "baseline", posterior=post)
    assert (tmp_path / "abc" / "posterior.csv") in written
    assert "Posterior (10 accepted sets" in (tmp_path / "abc" / "calibration.md").read_text()
    ds = result.results.data  # one distance per posterior-predictive run
    assert distances(ds, obs, 2020).shape == (ds.sizes["replicate"],)
    loaded = load_posterior(tmp_path / "abc" / "posterior.csv")
    ens = ensemble(load_scenario("tests/data/mini.toml"), n=8, seed=1, posterior=loaded)
    drawn = ens.data["param_violence.contest_coef"].values
    assert set(np.round(drawn, 4)) <= set(np.round(loaded["violence.contest_coef"], 4))


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("distance,no.such\n1,2\n", "unknown parameter"),
        ("distance,violence.flow_coef\n1,abc\n", "flow_coef"),
        ("distance,violence.flow_coef\n", "no parameter columns or no rows"),
        ("distance,strikes.misidentified_share\n1,1.5\n", "outside"),
    ],
)
def test_bad_posterior_files(tmp_path, capsys, monkeypatch, text, needle):
    path = tmp_path / "post.csv"
    path.write_text(text)
    out = tmp_path / "e"
    args = ["ensemble", "tests/data/mini.toml", "--n", "4", "--posterior", str(path)]
    code, msg = invoke_cli([*args, "-o", str(out)], capsys, monkeypatch)
    assert code == 2 and needle in msg, msg
    assert not out.exists()


def test_evidence_check_says_what_the_values_rest_on(capsys, monkeypatch):
    """Passing the check certifies bookkeeping; the command also says how many values
    rest on external sources and how many on Corredor's own assumptions."""
    import re

    from conftest import invoke_cli
    from corredor.analysis.evidence_check import ORIGINS, entry_split, origin, support_split
    from corredor.evidence import default_evidence

    ev = default_evidence()
    assert origin(ev["southcom-strikes-2025"]) == "external"
    assert origin(ev["param-k-origin"]) == "assumption"
    assert origin(ev["transit-co-ec-published-range"]) == "derived"
    split = support_split()
    assert set(split) == set(ORIGINS) and split["assumption"] > split["external"] > 0
    assert sum(entry_split().values()) == len(ev)
    code, out = invoke_cli(["evidence", "--check"], capsys, monkeypatch)
    assert code == 0
    out = " ".join(out.split())  # the console wraps lines
    m = re.search(r"(\d+) distinct values checked against a range: (\d+) rest on external", out)
    assert m and int(m.group(1)) == sum(split.values()) and int(m.group(2)) == split["external"]
    assert f"{split['assumption']} on Corredor's own assumptions" in out


MINI_CALIBRATION = [
    "calibrate",
    "tests/data/mini.toml",
    "--maxiter",
    "1",
    "--popsize",
    "1",
    "--polish-evals",
    "2",
    "--report-replicates",
    "1",
    "--alternatives",
    "2",
    "--fit-end",
    "2016",
]


def test_same_calibration_with_one_and_two_workers(tmp_path, capsys, monkeypatch):
    """The search stops on its generation and polish limits and gathers parallel
    evaluations by position: one and two workers write byte-identical files."""
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        code, text = invoke_cli(
            [*MINI_CALIBRATION, "-w", workers, "-o", str(out)], capsys, monkeypatch
        )
        assert code == 0, text
        assert "Complete: the search ended on its generation limit" in text
        outs.append(out)
    for name in ("calibrated.toml", "evaluations.csv", "alternatives.csv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    toml = (outs[0] / "calibrated.toml").read_text()
    for key in ("command = ", "seed = 1", "corredor_version = ", "inputs_digest = "):
        assert key in toml
    assert "--maxiter 1 --popsize 1" in toml and 'stopped_on = "generation limit"' in toml
    # the calibrated copy is a scenario that loads, [calibration] record included
    fitted = load_scenario(outs[0] / "calibrated.toml")
    assert fitted.raw["calibration"]["seed"] == 1


def test_time_budget_marks_the_result_incomplete(tmp_path, capsys, monkeypatch):
    out = tmp_path / "cal"
    args = [*MINI_CALIBRATION, "-w", "1", "--budget-seconds", "0.001", "-o", str(out)]
    code, text = invoke_cli(args, capsys, monkeypatch)
    assert code == 1, text
    assert "INCOMPLETE: the search stopped on its time budget" in text
    assert not (out / "calibrated.toml").exists()
    md = (out / "calibration.md").read_text()
    assert "INCOMPLETE" in md and "calibrated.toml was not written" in md
    assert "banner incomplete" in (out / "calibration.html").read_text()
    run = json.loads((out / "run.json").read_text())
    assert run["stopped_on"] == "time budget" and run["complete"] is False
    code, text = invoke_cli([*args, "--accept-incomplete"], capsys, monkeypatch)
    assert code == 0, text
    toml = (out / "calibrated.toml").read_text()
    assert "# INCOMPLETE" in toml and 'stopped_on = "time budget"' in toml


def test_values_near_a_bound_are_flagged():
    free = (
        FreeParameter("interdiction.k_container", 0.05, 0.6, log=True),
        FreeParameter("traffickers.choice_sharpness", 1.0, 12.0),
        FreeParameter("violence.contest_coef", 0.1, 1.5),
    )
    # the shipped values of issue 12: 0.5899 against 0.6, 1.021 against 1.0
    best = {
        "interdiction.k_container": 0.5899,
        "traffickers.choice_sharpness": 1.021,
        "violence.contest_coef": 0.8,
    }
    flags = {f["name"]: f for f in near_bounds(best, free)}
    assert set(flags) == {"interdiction.k_container", "traffickers.choice_sharpness"}
    assert flags["interdiction.k_container"]["side"] == "upper"
    assert flags["traffickers.choice_sharpness"]["side"] == "lower"
    assert near_bounds({**best, "traffickers.choice_sharpness": 1.3}, free, 0.02)[0]["name"] == (
        "interdiction.k_container"
    )


def test_report_flags_a_value_at_its_bound(tmp_path):
    from dataclasses import replace

    sc = load_scenario("tests/data/mini.toml")
    free = (FreeParameter("violence.contest_coef", 0.1, 1.5),)
    result = calibrate(  # stopped by its budget after one evaluation: just a result
        sc,
        load_history(),
        free=free,
        fit_end=2016,
        replicates=1,
        report_replicates=1,
        alternatives=1,
        budget_seconds=1e-9,
    )
    assert result.evaluations == 1 and not result.complete
    pinned = replace(result, best={"violence.contest_coef": 1.5})
    write_report(pinned, tmp_path, "mini")
    md = (tmp_path / "calibration.md").read_text()
    assert "**at its upper bound**" in md and "set by the bound, not by the data" in md
    assert "<strong>at its upper bound</strong>" in (tmp_path / "calibration.html").read_text()
    write_report(replace(result, best={"violence.contest_coef": 0.8}), tmp_path, "mini")
    assert "at its upper bound" not in (tmp_path / "calibration.md").read_text()


def test_shipped_calibration_traces_to_its_command_and_inputs():
    """baseline.toml records how its fitted values were made; the inputs they were
    fitted to are still those (otherwise: recalibrate, `make recalibrate`)."""
    from corredor.analysis.calibration import inputs_digest
    from corredor.version import __version__

    sc = load_scenario("baseline")
    record = sc.raw["calibration"]
    assert record["command"].startswith("corredor calibrate baseline ")
    assert f"--seed {record['seed']}" in record["command"]
    assert record["corredor_version"] == __version__
    assert record["stopped_on"] in ("generation limit", "converged")
    assert record["inputs_digest"] == inputs_digest(sc, pure_equivalent(load_history()), FREE), (
        "baseline.toml's inputs changed since its calibration: run `make recalibrate`"
    )
    for p in FREE:
        assert p.name in sc.params.as_dict()
