"""Rewrite the fixed-seed regression baseline (tests/data/regression/*.csv).

Run this only after a change that is *meant* to change the model's numbers, and say why
in the commit message; `tests/test_regression.py` then compares every run with these
files. Each file is the tidy yearly summary of one small, fixed-seed run:

    .venv/bin/python tools/update_regression.py
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "regression"

# name: (scenario, start, end, replicates, seed)
CASES = {
    "mini": (str(ROOT / "tests" / "data" / "mini.toml"), None, None, 3, 11),
    "baseline-2024-2027": ("baseline", 2024, 2027, 2, 5),
    "boat-strikes-2024-2027": ("boat-strikes", 2024, 2027, 2, 5),
}


def summary(name: str):
    import corredor

    scenario, start, end, replicates, seed = CASES[name]
    res = corredor.run(
        scenario, replicates=replicates, seed=seed, start=start, end=end, resolution="year"
    )
    return res.summary()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in CASES:
        df = summary(name)
        df.to_csv(OUT / f"{name}.csv", index=False, float_format="%.10g")
        print(f"wrote {OUT / f'{name}.csv'} ({len(df)} rows)")


if __name__ == "__main__":
    main()
