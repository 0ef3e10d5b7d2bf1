"""Fixed-seed regression: small runs must reproduce the stored summaries.

A change that moves these numbers is either a bug or a deliberate change of the model;
for the latter, rerun `tools/update_regression.py` and say why in the commit. The
tolerance (1e-6 relative) absorbs floating-point differences between machines, not
behaviour changes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("update", ROOT / "tools" / "update_regression.py")
update = importlib.util.module_from_spec(spec)
spec.loader.exec_module(update)


@pytest.mark.parametrize("name", list(update.CASES))
def test_fixed_seed_run_reproduces_stored_summary(name):
    stored = pd.read_csv(update.OUT / f"{name}.csv")
    got = update.summary(name)
    keys = ["year", "metric", "region"]
    merged = stored.merge(got, on=keys, how="outer", suffixes=("_stored", "_now"), indicator=True)
    missing = merged[merged["_merge"] != "both"]
    assert missing.empty, f"rows differ:\n{missing[keys + ['_merge']].head()}"
    for col in ("mean", "p05", "p95"):
        a, b = merged[f"{col}_stored"].to_numpy(), merged[f"{col}_now"].to_numpy()
        bad = ~np.isclose(a, b, rtol=1e-6, atol=1e-6, equal_nan=True)
        assert not bad.any(), (
            f"{col} moved in {bad.sum()} rows, e.g.\n"
            f"{merged.loc[bad, keys + [f'{col}_stored', f'{col}_now']].head()}\n"
            "If the change is intended, run tools/update_regression.py"
        )
