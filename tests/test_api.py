"""The Python API as a notebook uses it (issue 15): parameters and interventions given to
`corredor.run`, scenario variants whose saved record is exact, results that describe and
draw themselves, top-level analysis functions, progress that can be turned off."""

from __future__ import annotations

import json

import numpy as np
import pytest
from matplotlib.figure import Figure

import corredor
from conftest import MINI
from corredor.errors import CorredorError

EFFORT = {
    "name": "Ecuador doubles road effort",
    "what": "effort",
    "agency": "EC",
    "capability": "road",
    "factor": 2.0,
    "from": "2017-01-01",
}


@pytest.fixture(scope="module")
def mini():
    return corredor.load_scenario(MINI)


@pytest.fixture(scope="module")
def results(mini):
    return corredor.run(mini, replicates=2, seed=3, progress=False)


def test_with_parameters_makes_a_new_scenario_with_an_exact_record(mini):
    before = mini.params["traffickers.choice_sharpness"]
    variant = mini.with_parameters({"traffickers.choice_sharpness": 7.5}, name="sharp")
    assert variant.params["traffickers.choice_sharpness"] == 7.5
    assert mini.params["traffickers.choice_sharpness"] == before  # untouched
    assert variant.name == "sharp" and variant.raw["name"] == "sharp"
    res = corredor.run(variant, replicates=1, seed=1, progress=False, resolution="year")
    record = json.loads(res.data.attrs["scenario_json"])
    assert record["parameters"]["traffickers.choice_sharpness"] == 7.5
    assert json.loads(res.data.attrs["parameters_json"])["traffickers.choice_sharpness"] == 7.5
    assert res.data.attrs["scenario"] == "sharp"


def test_with_parameters_replaces_nested_values_and_checks_names(mini):
    nested = mini.with_parameters({"markets": {"demand_elasticity": 0.4}})
    dotted = nested.with_parameters({"markets.demand_elasticity": 0.6})
    assert dotted.params["markets.demand_elasticity"] == 0.6
    # one key per parameter in the record, whatever the nesting it came with
    assert dotted.raw["parameters"] == {"markets.demand_elasticity": 0.6}
    with pytest.raises(CorredorError) as err:
        mini.with_parameters({"traffickers.choice_sharpnes": 3})
    assert "parameters.traffickers.choice_sharpnes" in str(err.value)
    assert "choice_sharpness" in str(err.value)  # the suggestion
    with pytest.raises(CorredorError, match="outside"):
        mini.with_parameters({"traffickers.choice_sharpness": -1})


def test_with_interventions_adds_after_the_scenarios_own(mini):
    variant = mini.with_interventions([EFFORT])
    assert len(variant.interventions) == len(mini.interventions) + 1
    assert variant.raw["interventions"][-1]["name"] == EFFORT["name"]
    with pytest.raises(CorredorError, match="interventions"):
        mini.with_interventions([{**EFFORT, "agency": "XX"}])


def test_run_with_parameters_and_interventions_is_the_same_as_the_variant(mini):
    opts = dict(replicates=2, seed=5, resolution="year", progress=False)
    params = {"traffickers.choice_sharpness": 6.0}
    direct = corredor.run(MINI, parameters=params, interventions=[EFFORT], **opts)
    variant = corredor.run(mini.with_parameters(params).with_interventions([EFFORT]), **opts)
    np.testing.assert_array_equal(direct.data["flow_kg"].values, variant.data["flow_kg"].values)
    assert direct.data.attrs["scenario_json"] == variant.data.attrs["scenario_json"]
    plain = corredor.run(MINI, **opts)
    assert not np.array_equal(direct.data["flow_kg"].values, plain.data["flow_kg"].values)


def test_results_describe_themselves(results):
    text = repr(results)
    assert text.startswith("<Results mini: A ten-node test corridor>")
    assert "2015–2020" in text and "2 replicates" in text and "seed 3" in text
    labels = [row[0] for row in results.key_totals()]
    assert labels[:4] == ["produced", "seized", "destroyed in strikes", "delivered to consumers"]
    html = results._repr_html_()
    assert "<table>" in html and "produced" in html and "5%–95%" in html
    # the totals are the data's, summed
    produced = results.key_totals()[0][1]
    expected = float(results.data["produced_kg"].sum(("time", "area")).mean()) / 1000
    assert produced == pytest.approx(expected)


@pytest.mark.parametrize("kind", ["map", "corridors", "seizures", "fan"])
def test_results_plot_returns_figures(results, kind):
    fig = results.plot(kind)
    assert isinstance(fig, Figure) and fig.axes


def test_results_plot_names_the_kinds(results):
    with pytest.raises(CorredorError, match="map, corridors, seizures, fan"):
        results.plot("pie")


def test_top_level_names_load_on_use():
    from corredor.analysis import api

    assert corredor.compare is api.compare
    assert corredor.ensemble is api.ensemble
    assert corredor.sweep is api.sweep
    assert {"run", "compare", "ensemble", "sweep", "validate", "Scenario", "Results"} <= set(
        dir(corredor)
    )
    assert len(corredor.CODE_DIGEST) == 12
    with pytest.raises(AttributeError):
        corredor.no_such_thing  # noqa: B018
    try:
        validate = corredor.validate
    except AttributeError as exc:  # the validation module is not part of this version
        assert "corredor.analysis.validate" in str(exc)
    else:
        from corredor.analysis.validate import validate as expected

        assert validate is expected


def test_compare_from_python_names_variants_apart(mini):
    variant = mini.with_parameters({"traffickers.choice_sharpness": 7.5})
    cmp = corredor.compare([mini, variant], replicates=2, seed=1, first=2019, progress=False)
    assert list(cmp.results) == ["mini", "mini (2)"]
    wide = cmp.wide()
    assert list(wide.columns) == ["mini", "mini (2)"]
    assert "Δ" in wide.loc["Delivered, all markets (t)", "mini (2)"]
    assert "Totals 2019–2020" in repr(cmp) and "<table" in cmp._repr_html_()


def test_progress_is_quiet_when_asked_and_visible_in_a_log(capsys):
    corredor.run(MINI, replicates=1, resolution="year", progress=False)
    assert capsys.readouterr().err == ""
    corredor.run(MINI, replicates=1, resolution="year", progress=True)
    err = capsys.readouterr().err  # stderr is not a terminal here: plain lines
    assert "mini 2015–2020 ×1" in err and "%" in err and "done" in err
    seen = []
    corredor.run(MINI, replicates=1, resolution="year", progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1]
