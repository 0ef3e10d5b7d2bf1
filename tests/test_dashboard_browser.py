"""The dashboard in a real browser: `corredor dashboard` on a free localhost port, opened
in headless Chromium (Debian's package) by Playwright. The test moves a lever, waits for
the result, checks the numbers against `compare` for the same seed and replicates, saves
screenshots as test artifacts, and checks that no page loads anything from outside
localhost.

Skipped, with the reason, only where Chromium or Playwright is missing (`.ci/run`
installs Debian's chromium when it can). Screenshots go to out/test-artifacts/dashboard/
(or $CORREDOR_TEST_ARTIFACTS/dashboard).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
from pathlib import Path

import pytest

from corredor.analysis.compare import compare
from corredor.analysis.levers import apply_levers, levers_for
from corredor.dashboard.common import fmt
from corredor.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("browser", ROOT / "tools" / "dashboard_browser.py")
browser = importlib.util.module_from_spec(spec)
spec.loader.exec_module(browser)

SHORT = dict(replicates=2, seed=5, start=2025, end=2027, lever_year=2026)
ENV = {
    "CORREDOR_DASHBOARD_REPLICATES": str(SHORT["replicates"]),
    "CORREDOR_DASHBOARD_SEED": str(SHORT["seed"]),
    "CORREDOR_DASHBOARD_START": str(SHORT["start"]),
    "CORREDOR_DASHBOARD_END": str(SHORT["end"]),
    "CORREDOR_DASHBOARD_LEVER_YEAR": str(SHORT["lever_year"]),
}
ARTIFACTS = Path(os.environ.get("CORREDOR_TEST_ARTIFACTS", ROOT / "out" / "test-artifacts"))

problem = browser.chromium_problem()
pytestmark = pytest.mark.skipif(problem is not None, reason=f"no browser: {problem}")


@pytest.fixture(scope="module")
def visit():
    """One browser session through every page (the policy tried and saved on the way),
    with every request the pages made."""
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with browser.serve(ENV) as base, sync_playwright() as pw, browser.browser(pw) as ctx:
        page = ctx.new_page()
        page.on("request", lambda r: requests.append(r.url))
        shots = browser.tour(page, base, ARTIFACTS / "dashboard")
    return dict(shots=shots, requests=requests)


def expected_table():
    base = load_scenario("baseline").with_period(SHORT["start"], SHORT["end"])
    lever = levers_for(base, SHORT["lever_year"])[browser.LEVER]
    value = round(lever.default + 0.1 * browser.LEVER_STEPS, 4)
    policy = dataclasses.replace(apply_levers(base, [lever], [value]), name="policy")
    table = compare(
        [base, policy],
        replicates=SHORT["replicates"],
        seed=SHORT["seed"],
        first=SHORT["lever_year"],
        last=SHORT["end"],
    ).table
    return table[table["scenario"] == "policy"].set_index("outcome")


def number(text: str) -> str:
    """The number in a metric's text, without arrows or icons ('↓ -258' -> '-258')."""
    found = re.search(r"[+\-−]?[\d,]+(\.\d+)?", text)
    assert found, text
    return found.group(0).replace("−", "-")


def test_moving_a_lever_shows_the_compare_numbers(visit):
    expected = expected_table()
    for title, key in (
        ("Delivered to consumers", "delivered_t"),
        ("Seized", "seized_t"),
        ("Flow through Ecuador", "transit_ec_t"),
    ):
        value, delta = visit["shots"]["metrics"][title]
        assert value == f"{fmt(expected.loc[key, 'mean'])} t", title
        assert number(delta) == fmt(expected.loc[key, "diff_mean"], signed=True), title


def test_every_page_has_a_screenshot(visit):
    for name in ("explore", "policy", "compare", "evidence", "validation"):
        path = visit["shots"][name]
        assert path.exists() and path.stat().st_size > 10_000, path


def test_pages_load_nothing_from_outside_localhost(visit):
    requests = visit["requests"]
    assert any("/static/" in url for url in requests)  # the log did record the page's loads
    assert browser.remote_requests(requests) == []
