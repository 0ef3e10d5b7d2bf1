"""The evidence table: search and filter by source, confidence, kind and origin
(external, or Corredor's own assumption); every parameter links to its entry."""

from __future__ import annotations

import streamlit as st

from corredor.dashboard import common, model

ORIGINS = ("all", "external", "Corredor's own")
SEARCHED = ("id", "title", "publisher", "place", "quote", "notes", "unit")
SHOWN = (
    "id",
    "origin",
    "kind",
    "value",
    "unit",
    "year",
    "place",
    "publisher",
    "title",
    "confidence",
    "low",
    "high",
    "link",
    "quote",
)


def filtered(text: str, kinds, confidence, origin: str):
    """Evidence entries matching the search text (any of SEARCHED, case-insensitive) and
    the filters."""
    df = model.evidence_table()
    mask = df["kind"].isin(kinds) & df["confidence"].isin(confidence)
    if origin != "all":
        mask &= df["origin"] == origin
    for word in text.lower().split():
        hit = False
        for col in SEARCHED:
            hit = hit | df[col].str.lower().str.contains(word, regex=False)
        mask &= hit
    return df[mask]


def entry_card(e) -> None:
    st.markdown(f"#### `{e['id']}`: {e['title'] or '(untitled)'}")
    st.markdown(
        f"**{e['value']:g} {e['unit']}** ({e['kind']}, {e['year']}, {e['place']}); "
        f"range {e['low']:g} – {e['high']:g}; confidence **{e['confidence']}**; "
        f"{e['origin']}"
    )
    source = ", ".join(p for p in (e["publisher"], e["date"]) if p)
    st.markdown(f"Source: {source}" + (f" ({e['link']})" if e["link"] else ""))
    if e["quote"]:
        st.markdown(f"> {e['quote']}")
    if e["notes"]:
        st.caption(e["notes"])


def render() -> None:
    st.title("Evidence")
    st.caption(
        "Every number the model uses cites an entry here: an observation, an estimate or "
        "a stated assumption with the range uncertainty runs draw from. An entry is "
        "Corredor's own when its publisher is Corredor (an assumption or derivation of "
        "the project); external entries cite a published source."
    )
    df = model.evidence_table()
    wanted = st.query_params.get("id", "")
    tab_entries, tab_params = st.tabs(["Evidence entries", "Parameters"])
    with tab_entries:
        text = st.text_input(
            "Search", value=wanted, key="evidence_search", placeholder="e.g. Guayaquil"
        )
        c1, c2, c3 = st.columns(3)
        kinds = c1.multiselect(
            "Kind", sorted(df["kind"].unique()), sorted(df["kind"].unique()), key="ev_kind"
        )
        levels = ["high", "medium", "low"]
        confidence = c2.multiselect("Confidence", levels, levels, key="evidence_confidence")
        origin = c3.radio("Origin", ORIGINS, key="evidence_origin", horizontal=True)
        found = filtered(text, kinds, confidence, origin)
        own = int((found["origin"] == "Corredor's own").sum())
        st.caption(
            f"{len(found)} of {len(df)} entries: {len(found) - own} external, {own} Corredor's own."
        )
        exact = found[found["id"] == text.strip()]
        if len(exact) == 1:
            entry_card(exact.iloc[0])
        st.dataframe(
            found[list(SHOWN)],
            hide_index=True,
            key="evidence_table",
            column_config={"link": st.column_config.LinkColumn("link")},
        )
    with tab_params:
        params = model.parameters_table().copy()
        params["entry"] = [common.evidence_url(e) for e in params["evidence"]]
        st.caption(
            "Every model parameter with its unit, default, hard bounds and the evidence "
            "entry behind it (click to open it here)."
        )
        st.dataframe(
            params,
            hide_index=True,
            key="parameters_table",
            column_config={
                "evidence": None,
                "entry": st.column_config.LinkColumn("evidence", display_text=r"evidence\?id=(.*)"),
            },
        )


if __name__ == "__main__":
    render()
