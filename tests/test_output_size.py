"""The output size is known before a run; above the limit a run records yearly or refuses.

Also: results.nc stores per-edge arrays as float32, compressed, and reads back
identical to the results in memory.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr

import corredor
from conftest import MINI, invoke_cli
from corredor.errors import CorredorError
from corredor.output_size import (
    FLOAT32,
    VARIABLES,
    OutputSizeWarning,
    estimate_bytes,
    plan_output,
)
from corredor.results import Results
from corredor.scenario import load_scenario

TINY_GB = 1e-4  # 100 kB: below the mini scenario's weekly results, above its yearly ones


@pytest.fixture(scope="module")
def mini_week() -> Results:
    return corredor.run(MINI, replicates=2, seed=3, resolution="week")


@pytest.mark.parametrize("resolution", ["week", "year"])
def test_estimate_matches_the_recorded_arrays(mini_week, resolution):
    res = mini_week if resolution == "week" else corredor.run(MINI, replicates=2, resolution="year")
    data = res.data
    recorded = {k: v for k, v in data.data_vars.items() if "time" in v.dims}
    assert set(recorded) == set(VARIABLES)  # a new output must be added to the estimate
    assert {k for k, v in recorded.items() if v.dtype == np.float32} == FLOAT32
    actual = sum(v.nbytes for v in data.data_vars.values())
    estimate = estimate_bytes(load_scenario(MINI), 2, resolution)
    # the corridor dimension is bounded by the number of countries, so a little over
    assert actual <= estimate <= 1.05 * actual
    # and it scales with replicates and weeks
    assert estimate_bytes(load_scenario(MINI), 4, resolution) == pytest.approx(2 * estimate)


def test_auto_records_weekly_under_the_limit_and_yearly_above_it():
    sc = load_scenario(MINI)
    assert plan_output(sc, 2).resolution == "week"
    plan = plan_output(sc, 2, max_output_gb=TINY_GB)
    assert plan.resolution == "year" and plan.bytes < TINY_GB * 1e9
    assert "GB" in plan.note and "yearly" in plan.note and "max_output_gb=" in plan.note
    assert plan_output(sc, 2, "week", max_output_gb=None).resolution == "week"


def test_api_warns_when_it_switches_and_refuses_an_explicit_week():
    with pytest.warns(OutputSizeWarning, match="recording yearly sums"):
        res = corredor.run(MINI, replicates=2, seed=3, max_output_gb=TINY_GB)
    assert res.data.attrs["resolution"] == "year"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning under the limit
        corredor.run(MINI, replicates=1, seed=3, resolution="year", max_output_gb=TINY_GB)
    with pytest.raises(CorredorError) as info:
        corredor.run(MINI, replicates=2, resolution="week", max_output_gb=TINY_GB)
    text = str(info.value)
    assert "weekly results would take about" in text and "limit" in text
    assert 'resolution="year"' in text and "max_output_gb=0.0006" in text
    assert info.value.field == "resolution"


def test_cli_switches_with_a_message_or_refuses(capsys, monkeypatch, tmp_path):
    out = tmp_path / "auto"
    args = ["run", str(MINI), "-r", "2", "--no-figures", "--out", str(out)]
    code, text = invoke_cli([*args, "--max-output-gb", str(TINY_GB)], capsys, monkeypatch)
    assert code == 0, text
    assert "recording yearly sums" in " ".join(text.split())
    assert Results.load(out).data.attrs["resolution"] == "year"
    out = tmp_path / "week"
    args = ["run", str(MINI), "-r", "2", "--out", str(out), "--resolution", "week"]
    code, text = invoke_cli([*args, "--max-output-gb", str(TINY_GB)], capsys, monkeypatch)
    flat = " ".join(text.split())
    assert code == 2 and "--resolution year" in flat and "--max-output-gb" in flat
    assert "Traceback" not in text and not out.exists()


def test_results_file_is_compressed_float32_and_round_trips(mini_week, tmp_path):
    mini_week.save(tmp_path)
    back = Results.load(tmp_path)
    xr.testing.assert_identical(back.data, mini_week.data)
    with xr.open_dataset(tmp_path / "results.nc", engine="h5netcdf") as raw:
        flow = raw["flow_kg"].encoding
        assert flow["dtype"] == np.float32 and flow["zlib"] and flow["shuffle"]
    uncompressed = tmp_path / "plain.nc"
    mini_week.data.to_netcdf(uncompressed, engine="h5netcdf")
    assert (tmp_path / "results.nc").stat().st_size < 0.8 * uncompressed.stat().st_size
