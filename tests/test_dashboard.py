"""The web dashboard driven in-process by Streamlit's AppTest: every page renders with its
widgets, a policy run completes and shows exactly the differences `compare` gives for
the same seed and replicates, runs are cached, and the validation page copes with a
version that has no validation (and shows a scorecard's failed checks when it has one).

Runs are short (2025-2027, 2 replicates) to keep the suite fast.
"""

from __future__ import annotations

import dataclasses
import sys
import types

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from corredor.analysis.compare import compare
from corredor.analysis.levers import apply_levers, levers_for
from corredor.dashboard import APP, cache, charts, model
from corredor.dashboard.common import fmt
from corredor.dashboard.config import ENV, default_settings
from corredor.errors import CorredorError
from corredor.scenario import load_scenario

SHORT = dict(replicates=2, seed=3, start=2025, end=2027, lever_year=2026)
TIMEOUT = 120


@pytest.fixture
def short(monkeypatch) -> model.Settings:
    """Short default settings for the app, through its environment variables."""
    for field, var in ENV.items():
        monkeypatch.setenv(var, str(SHORT[field]))
    return model.Settings(**SHORT)


def page(name: str) -> AppTest:
    """An AppTest of one page of the app (the app's sidebar and navigation included)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    if name != "explore":
        at.switch_page(f"views/{name}.py").run()
    assert not at.exception, at.exception
    return at


def by_label(widgets, label: str):
    found = [w for w in widgets if w.label == label or w.label.startswith(label + " (")]
    assert found, f"no widget labelled {label!r} in {[w.label for w in widgets]}"
    return found[0]


def run(at: AppTest) -> None:
    """Press the policy page's Run button."""
    by_label(at.button, "Run against the baseline").click().run()
    assert not at.exception, at.exception


def direct_comparison(s: model.Settings, lever: str, value: float) -> pd.DataFrame:
    """The comparison table computed without the dashboard: the lever machinery and
    `compare` on the baseline, same seed and replicates."""
    base = load_scenario("baseline").with_period(s.start, s.end)
    found = levers_for(base, s.lever_year)[lever]
    policy = dataclasses.replace(apply_levers(base, [found], [value]), name="policy")
    return compare(
        [base, policy], replicates=s.replicates, seed=s.seed, first=s.lever_year, last=s.end
    ).table


# --- the pages --------------------------------------------------------------------------


def test_explore_page_has_its_widgets_and_charts(short):
    at = page("explore")
    assert at.title[0].value == "Explore a scenario"
    scenario = by_label(at.selectbox, "Scenario")
    assert scenario.options[0].startswith("baseline")
    assert len(scenario.options) == len(model.presets()) == 9
    year = by_label(at.slider, "Year")
    assert (year.min, year.max) == (short.start, short.end)
    assert by_label(at.radio, "Frame").options == list(
        __import__("corredor.dashboard.views.explore", fromlist=["FRAMES"]).FRAMES
    )
    assert by_label(at.multiselect, "Countries").value  # the largest seizing countries
    assert len(at.get("plotly_chart")) == 6  # map, corridors, seizures, prices, homicides, strikes
    assert len(at.expander) >= 6  # a "what is this?" per series (plus run settings)
    # moving the year slider redraws the map without running the model again
    year.set_value(short.end).run()
    assert not at.exception


def test_policy_page_levers_and_presets(short):
    at = page("policy")
    preset = by_label(at.selectbox, "Preset")
    assert len(preset.options) == 9  # the baseline and the eight built-in scenario files
    levers = model.levers("baseline", short)
    assert sorted(s.label for s in at.slider) == sorted(f"{lv.name} ({lv.unit})" for lv in levers)
    shares = [lv for lv in levers if lv.unit == "share"]
    assert len(at.toggle) == len(shares) >= 1
    assert "press *Run against the baseline*" in at.info[0].value  # nothing runs yet


def outcome_table(at):
    """The page's table of outcomes (a page may also show the failed checks bearing on it)."""
    return next(d.value for d in at.dataframe if "outcome" in d.value.columns)


def test_policy_run_shows_the_differences_compare_gives(short, monkeypatch):
    cache.clear()
    at = page("policy")
    by_label(at.slider, "ec_container_effort").set_value(2.0)
    run(at)
    shown = outcome_table(at).set_index("outcome")
    table = direct_comparison(short, "ec_container_effort", 2.0)
    expected = table[table["scenario"] == "policy"].set_index("outcome")
    expected = expected.loc[shown.index]
    for col, ref in (
        ("difference", "diff_mean"),
        ("diff_p05", "diff_p05"),
        ("diff_p95", "diff_p95"),
        ("policy", "mean"),
    ):
        np.testing.assert_allclose(shown[col].to_numpy(float), expected[ref].to_numpy(float))
    cards = {m.label: m for m in at.metric}
    delivered = cards["Delivered to consumers"]
    assert delivered.delta == fmt(expected.loc["delivered_t", "diff_mean"], signed=True)
    assert delivered.value == f"{fmt(expected.loc['delivered_t', 'mean'])} t"
    assert any("computed in" in s.value for s in at.success)
    # Returning to a setting is served from the cache: the model does not run again.
    calls = []
    monkeypatch.setattr(
        model, "compare_policies", lambda *a, **k: calls.append(a) or pytest.fail("rerun")
    )
    by_label(at.slider, "ec_container_effort").set_value(1.0)
    run(at)
    assert "That is the baseline itself" in at.info[0].value
    by_label(at.slider, "ec_container_effort").set_value(2.0)
    run(at)
    assert not calls
    assert any("shown from the cache" in s.value for s in at.success)


def test_a_preset_runs_with_its_derived_measures(short):
    at = page("policy")
    preset = by_label(at.selectbox, "Preset")
    preset.select_index(preset.options.index(next(o for o in preset.options if "boat" in o)))
    at.run()
    run(at)
    labels = [m.label for m in at.metric]
    assert any(label.startswith("Displacement index") for label in labels)
    assert any(label.startswith("Cost per kg kept from consumers") for label in labels)
    assert any(label.startswith("Strike deaths per tonne") for label in labels)
    # the strike share has no cost in the model: its cost per kg says so
    captions = " ".join(c.value for c in at.caption)
    assert "cost not modelled" in captions


def test_compare_page_offers_csv_and_report(short, monkeypatch):
    # The report's matplotlib figures are tested with `corredor report`
    # (test_report.py); here they are left out to keep the test fast.
    monkeypatch.setattr("corredor.outputs.report.make_figures", lambda *a, **k: [])
    policy = model.Policy("baseline", (("ec_road_effort", 2.0),))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.session_state["saved_runs"] = [policy]
    at.switch_page("views/compare.py").run()
    assert not at.exception, at.exception
    runs = by_label(at.multiselect, "Runs to compare with the baseline")
    assert [p.label for p in runs.value] == ["baseline + ec_road_effort=2"]
    table = outcome_table(at)
    assert list(table.columns[:3]) == ["outcome", "unit", "baseline (reference)"]
    assert "baseline + ec_road_effort=2" in table.columns
    labels = [b.label for b in at.get("download_button")]
    assert "Download the comparison (CSV)" in labels
    by_label(at.button, "Build the HTML report").click().run()
    assert not at.exception, at.exception
    assert "Download the HTML report" in [b.label for b in at.get("download_button")]
    found, html = cache.get(("report", (policy,), short))
    assert found
    html = html.decode()
    assert html.startswith("<!doctype html>")
    assert "ec_road_effort = 2 from 2026" in html
    assert "<script" not in html and "src='http" not in html and 'src="http' not in html


def test_evidence_page_filters_by_origin_and_search(short):
    at = page("evidence")
    by_label(at.radio, "Origin").set_value("Corredor's own").run()
    shown = at.dataframe[0].value
    assert len(shown) and shown["origin"].eq("Corredor's own").all()
    evidence = model.evidence_table().set_index("id")
    assert evidence.loc[shown["id"], "publisher"].str.startswith("Corredor").all()
    by_label(at.radio, "Origin").set_value("external").run()
    shown = at.dataframe[0].value
    assert not evidence.loc[shown["id"], "publisher"].str.startswith("Corredor").any()
    by_label(at.text_input, "Search").input("Guayaquil").run()
    shown = at.dataframe[0].value
    assert 0 < len(shown) < len(evidence)
    by_label(at.multiselect, "Confidence").set_value(["high"]).run()
    assert at.dataframe[0].value["confidence"].eq("high").all()
    # every parameter links to its evidence entry
    params = at.dataframe[1].value
    assert params["entry"].str.startswith("evidence?id=").all()
    assert set(params["entry"].str.removeprefix("evidence?id=")) <= set(evidence.index)


def test_evidence_page_opens_an_entry_from_a_link(short):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["id"] = "param-demand-factor"
    at.run()
    at.switch_page("views/evidence.py")
    at.query_params["id"] = "param-demand-factor"
    at.run()
    assert not at.exception, at.exception
    assert by_label(at.text_input, "Search").value == "param-demand-factor"
    assert any("param-demand-factor" in m.value for m in at.markdown)


# --- validation: missing and present ------------------------------------------------------


def test_validation_page_without_validation(short, monkeypatch):
    monkeypatch.setitem(sys.modules, model.VALIDATE_MODULE, None)  # import fails
    assert model.validation_key() is None and model.scorecard() is None
    at = page("validation")
    assert model.NOT_AVAILABLE in at.info[0].value.lower()


class FakeScorecard:
    def __init__(self) -> None:
        self.table = pd.DataFrame(
            [
                dict(check="ec-seizures", title="Ecuador's seizures", series="seized_t",
                     region="EC", source="x", years="2022-2024", simulated=1.0, sim_low=0.9,
                     sim_high=1.1, observed=2.0, obs_low=1.8, obs_high=2.2, metric="mape",
                     threshold=0.3, passed=False, status="failed", bears_on="seized_t;ports_ec_t",
                     note="too low"),
                dict(check="world-production", title="World production", series="produced_t",
                     region="world", source="y", years="2022-2023", simulated=1.0, sim_low=0.9,
                     sim_high=1.1, observed=1.0, obs_low=0.9, obs_high=1.1, metric="mape",
                     threshold=0.15, passed=True, status="passed", bears_on="produced_t",
                     note=""),
            ]
        )  # fmt: skip

    def failed_for(self, outcomes):
        failed = self.table[~self.table["passed"]]
        bears = (
            failed["bears_on"].str.split(";").apply(lambda keys: bool(set(keys) & set(outcomes)))
        )
        return failed[bears]


@pytest.fixture
def fake_validation(monkeypatch):
    module = types.ModuleType(model.VALIDATE_MODULE)
    module.validate = lambda scenario, draws=0, seed=1: FakeScorecard()
    monkeypatch.setitem(sys.modules, model.VALIDATE_MODULE, module)
    return module


def test_validation_page_with_a_scorecard(short, fake_validation):
    at = page("validation")
    cards = {m.label: m.value for m in at.metric}
    assert cards == {"Checks": "2", "Passed": "1", "Failed": "1"}
    assert list(at.dataframe[0].value["check"]) == ["ec-seizures", "world-production"]
    by_label(at.multiselect, "Status").set_value(["failed"]).run()
    assert list(at.dataframe[0].value["check"]) == ["ec-seizures"]


def test_failed_checks_show_on_the_pages_they_bear_on(short, fake_validation):
    at = page("evidence")  # shows no outcome: no banner
    assert not at.warning
    at.switch_page("views/explore.py").run()
    assert not at.exception, at.exception
    assert "1 validation check bearing on this page failed" in at.warning[0].value
    assert list(at.dataframe[0].value["check"]) == ["ec-seizures"]


# --- the adapter, settings and command ----------------------------------------------------


def test_settings_and_policies():
    assert model.Policy().label == "baseline"
    assert model.Policy("boat-strikes", (("demand_factor", 0.5),)).label == (
        "boat-strikes + demand_factor=0.5"
    )
    with pytest.raises(CorredorError, match="policy acts from"):
        model.Settings(lever_year=2040).check()
    with pytest.raises(CorredorError, match="replicates"):
        model.Settings(replicates=0).check()
    assert default_settings({}) == model.Settings()
    with pytest.raises(CorredorError, match="CORREDOR_DASHBOARD_REPLICATES.*whole number"):
        default_settings({"CORREDOR_DASHBOARD_REPLICATES": "many"})
    with pytest.raises(CorredorError, match="CORREDOR_DASHBOARD_END"):
        default_settings({"CORREDOR_DASHBOARD_END": "2010"})


def test_bad_settings_show_a_message_not_a_traceback(short, monkeypatch):
    monkeypatch.setenv("CORREDOR_DASHBOARD_START", "1980")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert "CORREDOR_DASHBOARD_START" in at.error[0].value and "1980" in at.error[0].value


def test_runs_report_their_progress():
    s = model.Settings(replicates=1, start=2026, end=2027, lever_year=2026)
    seen: list[tuple[float, str]] = []
    model.run_scenario("baseline", s, lambda f, text: seen.append((f, text)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(seen) > 2
    seen.clear()
    policy = model.Policy("baseline", (("demand_factor", 0.5),))
    model.compare_policies([policy], s, lambda f, text: seen.append((f, text)))
    assert seen == [
        (0.0, "running baseline (reference)"),
        (0.5, f"running {policy.label}"),
        (1.0, "done"),
    ]


def test_evidence_origin_is_own_when_the_publisher_is_corredor():
    df = model.evidence_table()
    own = df["publisher"].str.startswith("Corredor")
    assert (df.loc[own, "origin"] == "Corredor's own").all()
    assert (df.loc[~own, "origin"] == "external").all()
    assert own.any() and (~own).any()


def test_series_evidence_cites_existing_entries():
    ids = set(model.evidence_table()["id"])
    for metric, prefixes in (("seized_t", ("interdiction.",)), ("price_usd_per_kg", ("markets.",))):
        refs = model.series_evidence(metric, prefixes)
        assert refs and set(refs) <= ids


def test_maps_load_nothing_remote():
    nodes = pd.DataFrame(
        dict(node=["a", "b"], name=["A", "B"], kind=["port", "market"], country=["EC", "US"],
             lat=[-2.2, 25.8], lon=[-79.9, -80.2])
    )  # fmt: skip
    edges = pd.DataFrame(dict(source=["a"], target=["b"], mode=["container"], t=[5.0]))
    fig = charts.flow_map(
        edges, nodes, model.country_outlines(), title="t", extent=charts.frame(nodes, None)
    )
    assert {trace.type for trace in fig.data} == {"scatter"}  # no geo or mapbox traces
    layout = fig.to_plotly_json()["layout"]
    assert "mapbox" not in layout and "geo" not in layout
    assert charts.CONFIG["topojsonURL"] == ""


def test_dashboard_command_checks_before_starting(monkeypatch):
    from corredor.cli.dashboard import is_local, streamlit_command
    from corredor.cli.main import app

    runner = CliRunner()
    started = []
    monkeypatch.setattr("corredor.cli.dashboard.launch", lambda cmd: started.append(cmd) or 0)
    result = runner.invoke(app, ["dashboard", "--port", "0"])
    assert result.exit_code != 0 and not started
    assert "--port" in str(result.exception) or "--port" in result.output
    monkeypatch.setenv("CORREDOR_DASHBOARD_SEED", "x")
    result = runner.invoke(app, ["dashboard"])
    assert isinstance(result.exception, CorredorError) and not started
    monkeypatch.delenv("CORREDOR_DASHBOARD_SEED")
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["dashboard", "--port", str(port)])
        assert "cannot listen" in str(result.exception) and not started
    result = runner.invoke(app, ["dashboard", "--port", "8599"])
    assert result.exit_code == 0, result.output
    cmd = started[0]
    assert cmd[1:5] == ["-m", "streamlit", "run", str(APP)]
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.headless"] == "true"
    assert flags["--server.address"] == "127.0.0.1" and flags["--server.port"] == "8599"
    assert cmd == streamlit_command("127.0.0.1", 8599)
    assert is_local("127.0.0.1") and is_local("localhost") and is_local("::1")
    assert not is_local("0.0.0.0")
