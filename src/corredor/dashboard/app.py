"""The dashboard's entry script, served by `corredor dashboard` (`streamlit run app.py`):
the page navigation, the run settings in the sidebar and a note on what the model is."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from corredor.dashboard import common
from corredor.version import __version__

VIEWS = Path(__file__).resolve().parent / "views"
# (file in views/, title, url path)
PAGES = (
    ("explore.py", "Explore", "explore"),
    ("policy.py", "Try a policy", "policy"),
    ("compare.py", "Compare saved runs", "compare"),
    ("evidence.py", "Evidence", common.EVIDENCE_PAGE),
    ("validation.py", "Validation", "validation"),
)
ABOUT = (
    "Corredor simulates aggregate cocaine flows through Ecuador and the policies against "
    "them. It never identifies people or vessels, and it is not a forecast of any single "
    "event. Numbers are totals or yearly values, in tonnes of pure cocaine hydrochloride "
    "unless stated."
)


def main() -> None:
    st.set_page_config(page_title="Corredor", layout="wide")
    pages = [
        st.Page(str(VIEWS / file), title=title, url_path=path, default=i == 0)
        for i, (file, title, path) in enumerate(PAGES)
    ]
    nav = st.navigation(pages)
    st.sidebar.markdown(f"**Corredor** {__version__}")
    common.settings_sidebar()
    st.sidebar.caption(ABOUT)
    nav.run()


if __name__ == "__main__":
    main()
