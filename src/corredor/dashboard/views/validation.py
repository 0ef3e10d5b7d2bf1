"""The validation scorecard of `corredor validate`: each check of the baseline against
observed history, passed or failed, and what it bears on."""

from __future__ import annotations

import streamlit as st

from corredor.dashboard import common, model


def render() -> None:
    st.title("Validation")
    if model.validation_key() is None:
        st.info(model.NOT_AVAILABLE.capitalize() + ".")
        return
    with st.spinner("running the validation checks on the baseline"):
        card = common.scorecard()
    table = card.table
    passed = table["passed"].astype(bool) if "passed" in table else None
    failed = int((~passed).sum()) if passed is not None else 0
    c1, c2, c3 = st.columns(3)
    c1.metric("Checks", len(table))
    c2.metric("Passed", len(table) - failed)
    c3.metric("Failed", failed)
    st.caption(
        "Each check compares a simulated series of the baseline with the observed one "
        "(or a published range) on a metric and a threshold. Failed checks are also "
        "listed on the pages whose outcomes they bear on."
    )
    statuses = sorted(table["status"].astype(str).unique()) if "status" in table else []
    shown = st.multiselect("Status", statuses, statuses, key="validation_status")
    rows = table[table["status"].astype(str).isin(shown)] if statuses else table
    st.dataframe(rows, hide_index=True, key="validation_table")


if __name__ == "__main__":
    render()
