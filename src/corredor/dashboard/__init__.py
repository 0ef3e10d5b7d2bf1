"""The web dashboard: explore a scenario, try policies against the baseline, compare
saved runs, search the evidence and read the validation scorecard in the browser, with
no internet (Streamlit and plotly, served on localhost by `corredor dashboard`).

`app.py` is the entry script; each page is a small module in `views/` with a `render()`;
every call to the model goes through `model.py`, the one adapter to the public API, so
the pages hold no model logic.
"""

from __future__ import annotations

from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
