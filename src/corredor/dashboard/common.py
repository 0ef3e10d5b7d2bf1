"""What every page shares: the run settings, cached runs with a progress bar, number
formats, links to evidence entries and the failed validation checks bearing on a page."""

from __future__ import annotations

import math
import time

import pandas as pd
import streamlit as st

from corredor.dashboard import cache, model
from corredor.dashboard.config import default_settings
from corredor.errors import CorredorError
from corredor.scenario import FIRST_YEAR, LAST_YEAR

SETTINGS_KEY = "run_settings"
SAVED_KEY = "saved_runs"  # list of (Policy, label) the user saved on "Try a policy"
EVIDENCE_PAGE = "evidence"  # url path of the Evidence page
YEARS = (FIRST_YEAR, LAST_YEAR)  # the calendar years a scenario may span


def settings() -> model.Settings:
    """This session's run settings (set in the sidebar by the app; the environment's
    defaults when a page runs on its own)."""
    found = st.session_state.get(SETTINGS_KEY)
    if isinstance(found, model.Settings):
        return found
    try:
        return default_settings()
    except CorredorError as exc:
        st.error(str(exc))
        st.stop()


def settings_sidebar() -> model.Settings:
    """Widgets for the run settings; stores and returns them (checked)."""
    try:
        base = default_settings()
    except CorredorError as exc:
        st.sidebar.error(str(exc))
        st.stop()
    with st.sidebar.expander("Run settings", expanded=False):
        replicates = st.number_input(
            "Replicates",
            1,
            256,
            base.replicates,
            key="set_replicates",
            help="Stochastic replicates per run; more give tighter intervals and take longer.",
        )
        seed = st.number_input("Seed", 0, 2**31 - 1, base.seed, key="set_seed")
        start = st.number_input("First year simulated", *YEARS, base.start, key="set_start")
        end = st.number_input("Last year simulated", *YEARS, base.end, key="set_end")
        lever_year = st.number_input(
            "Policies act from (1 January)",
            *YEARS,
            base.lever_year,
            key="set_lever_year",
            help="Levers change the scenario from this year on; differences are totals "
            "from this year to the last year simulated.",
        )
    s = model.Settings(int(replicates), int(seed), int(start), int(end), int(lever_year))
    try:
        s.check()
    except CorredorError as exc:
        st.sidebar.error(str(exc))
        st.stop()
    st.session_state[SETTINGS_KEY] = s
    return s


class ProgressBar:
    """A progress bar with the elapsed time, removed when the work is done. Updates are
    sent at most every `interval` seconds (a run reports every weekly step)."""

    def __init__(self, text: str, interval: float = 0.25) -> None:
        self.start = time.perf_counter()
        self.interval = interval
        self.last = -math.inf
        self.bar = st.progress(0.0, text=text)

    def __call__(self, fraction: float, text: str) -> None:
        now = time.perf_counter()
        if now - self.last < self.interval and fraction < 1.0:
            return
        self.last = now
        self.bar.progress(min(max(fraction, 0.0), 1.0), text=f"{text} · {now - self.start:.0f} s")

    def done(self) -> float:
        self.bar.empty()
        return time.perf_counter() - self.start


def run_scenario(name: str, s: model.Settings) -> model.ScenarioRun:
    """A scenario's run, computed once per process for these settings."""
    found, value = cache.get(("run", name, s))
    if found:
        return value
    bar = ProgressBar(f"running {name} ×{s.replicates} replicates")
    try:
        return cache.cached(("run", name, s), lambda: model.run_scenario(name, s, bar))
    except CorredorError as exc:
        stop_with(exc)
    finally:
        bar.done()


def compare_policies(
    policies: tuple[model.Policy, ...], s: model.Settings
) -> tuple[model.PolicyComparison, float, bool]:
    """The comparison of the reference and `policies` (with its runs, for the report),
    computed once per process for these settings: (comparison, seconds the computation
    took, whether it came from the cache)."""
    key = ("compare", policies, s)
    found, value = cache.get(key)
    if found:
        return (*value, True)
    bar = ProgressBar(f"running {len(policies) + 1} scenarios ×{s.replicates} replicates")

    def compute() -> tuple[model.PolicyComparison, float]:
        start = time.perf_counter()
        comp = model.compare_policies(list(policies), s, bar, keep_runs=True)
        return comp, time.perf_counter() - start

    try:
        comp, seconds = cache.cached(key, compute)
    except CorredorError as exc:
        stop_with(exc)
    finally:
        bar.done()
    return comp, seconds, False


def stop_with(exc: CorredorError) -> None:
    """Show a user error (what, where, the fix) and stop the page: no half-drawn page."""
    st.error(f"{exc}")
    st.stop()


def table_height(df: pd.DataFrame, rows: int = 30) -> int:
    """Pixels that show up to `rows` rows of a dataframe without scrolling."""
    return 38 + 35 * min(len(df), rows)


def fmt(x: float, signed: bool = False) -> str:
    """A number rounded by magnitude (2 decimals below 10, none from 10), or '–'."""
    if x is None or not math.isfinite(x):
        return "–"
    digits = 2 if abs(x) < 10 else 0
    if round(x, digits) == 0:
        x = 0.0  # no "-0.00"
    return f"{x:+,.{digits}f}" if signed else f"{x:,.{digits}f}"


def evidence_url(eid: str) -> str:
    return f"{EVIDENCE_PAGE}?id={eid}"


def evidence_links(ids) -> str:
    """Markdown links to entries on the Evidence page."""
    return ", ".join(f"[`{e}`]({evidence_url(e)})" for e in ids) or "none"


def what_is_this(text: str, refs: list[str]) -> None:
    """A 'what is this?' expander: what a series is and the evidence behind it."""
    with st.expander("What is this?"):
        st.markdown(text)
        entries = model.evidence_table().set_index("id")
        lines = []
        for ref in refs:
            if ref in entries.index:
                e = entries.loc[ref]
                lines.append(
                    f"- [`{ref}`]({evidence_url(ref)}): {e['title'] or e['quote'][:80]} "
                    f"({e['publisher']}, {e['origin']}, confidence {e['confidence']})"
                )
            else:
                lines.append(f"- `{ref}` (not in the evidence table)")
        st.markdown("**Evidence behind it**\n\n" + ("\n".join(lines) or "none cited"))


def scorecard():
    """The validation scorecard (computed once per process), or None without validation."""
    key = model.validation_key()
    if key is None:
        return None
    return cache.cached(("scorecard", key), model.scorecard)


def failed_checks_banner(outcomes: list[str]) -> None:
    """A warning listing the failed validation checks that bear on these outcomes."""
    if model.validation_key() is None:
        return
    with st.spinner("checking the validation scorecard"):
        failed = model.failed_checks(scorecard(), outcomes)
    if failed.empty:
        return
    st.warning(
        f"{len(failed)} validation check{'s' if len(failed) != 1 else ''} bearing on this "
        "page failed: read these numbers with care (details on the Validation page)."
    )
    cols = [
        c
        for c in ("check", "title", "series", "region", "years", "simulated", "observed", "note")
        if c in failed.columns
    ]
    with st.expander("Failed checks bearing on this page"):
        st.dataframe(pd.DataFrame(failed[cols]), hide_index=True)
