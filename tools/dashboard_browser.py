"""Drive the dashboard in a real browser: start `corredor dashboard` on a free localhost
port, open it in headless Chromium (Debian's `chromium` package) with Playwright, try a
policy and take a screenshot of every page.

tests/test_dashboard_browser.py uses these helpers with a short period and few
replicates; run by hand, this script refreshes the screenshots of docs/dashboard/ with the
default settings (16 replicates, 2015-2030) and prints how long the policy run took:

    .venv/bin/python tools/dashboard_browser.py --out docs/dashboard

Playwright only drives /usr/bin/chromium: it never downloads a browser of its own.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
# Flags that keep Chromium from calling home (refused on a closed network) and let it run
# as root in a container; Playwright adds --headless itself.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = {"127.0.0.1", "localhost", "::1", "[::1]"}
VIEWPORT = {"width": 1440, "height": 1000}
# The policy the browser sets: a lever moved by keyboard from its preset value
LEVER = "ec_container_effort"
LEVER_STEPS = 10  # presses of the right arrow, 0.1 each: 1.0 -> 2.0
SEARCH = "Guayaquil"  # typed into the Evidence page's search box
METRICS = ("Delivered to consumers", "Seized", "Flow through Ecuador")  # cards read back
PAGES = (  # (url path, file name of the screenshot, text that shows the page is ready)
    ("", "explore.png", "Lethal strikes and deaths"),
    ("policy", "policy.png", "Every outcome"),
    ("compare", "compare.png", "Download the comparison (CSV)"),
    ("evidence", "evidence.png", "entries:"),
    ("validation", "validation.png", "Validation"),
)


def chromium_problem() -> str | None:
    """Why a browser test cannot run here, or None when it can."""
    if not Path(CHROMIUM).exists():
        return (
            f"{CHROMIUM} is missing (install Debian's chromium package: apt-get install chromium)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(env: dict[str, str] | None = None, timeout: float = 120.0) -> Iterator[str]:
    """Run `corredor dashboard` on a free localhost port; yields its base URL and stops
    the server (its whole process group) on exit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with (
        tempfile.TemporaryDirectory(prefix="corredor-dashboard-") as tmp,
        open(Path(tmp) / "server.log", "wb") as log,
    ):
        proc = subprocess.Popen(
            [sys.executable, "-m", "corredor.cli", "dashboard", "--port", str(port)],
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(url):
                if proc.poll() is not None:
                    text = (Path(tmp) / "server.log").read_text(errors="replace")
                    raise RuntimeError(f"the dashboard stopped: {text[-2000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the dashboard did not answer on {url} in {timeout:.0f} s")
                time.sleep(0.3)
            yield url
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    try:
        with opener.open(f"{url}/_stcore/health", timeout=2) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


@contextlib.contextmanager
def browser(playwright) -> Iterator:
    """A headless Chromium context with a fresh, empty profile directory."""
    profile = tempfile.mkdtemp(prefix="corredor-chromium-")
    context = playwright.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        args=FLAGS,
        viewport=VIEWPORT,
    )
    try:
        yield context
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def remote_requests(urls: list[str]) -> list[str]:
    """The requested URLs that leave this machine (not localhost, data: or blob:)."""
    out = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "chrome-extension"):
            continue
        if parts.hostname not in LOCAL:
            out.append(url)
    return out


def wait_idle(page, timeout: float = 120.0) -> None:
    """Wait until Streamlit has finished running the page's script."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    # the "running" status widget shows while the script runs
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=timeout * 1000,
    )
    page.wait_for_timeout(500)  # let plotly finish drawing


def open_page(page, base: str, path: str, ready_text: str, timeout: float = 120.0) -> None:
    page.goto(f"{base}/{path}")
    page.get_by_text(ready_text).first.wait_for(timeout=timeout * 1000)
    wait_idle(page, timeout)


def move_lever(page, name: str = LEVER, steps: int = LEVER_STEPS) -> None:
    """Move a lever's slider by keyboard, `steps` steps to the right."""
    thumb = page.get_by_role("slider", name=name).first
    thumb.focus()
    for _ in range(steps):
        thumb.press("ArrowRight")
    thumb.blur()


def policy_metric(page, title: str) -> tuple[str, str]:
    """(value, delta) shown on a metric card whose label starts with `title`."""
    card = page.locator('[data-testid="stMetric"]').filter(has_text=title).first
    value = card.locator('[data-testid="stMetricValue"]').inner_text().strip()
    delta = card.locator('[data-testid="stMetricDelta"]').inner_text().strip()
    return value, delta


def screenshot(page, path: Path) -> Path:
    """The whole page: the viewport grows to the main block's height first (Streamlit
    scrolls inside its main block, so a plain full-page shot would cut it)."""
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(int(height), 600)})
    page.wait_for_timeout(800)  # plotly redraws on resize
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    page.set_viewport_size(VIEWPORT)
    return path


def try_policy(page, base: str, timeout: float = 180.0) -> float:
    """Open Try a policy, move the lever, press Run and wait for the result; the seconds
    from the press to the result."""
    open_page(page, base, "policy", "Run against the baseline", timeout)
    move_lever(page)
    start = time.perf_counter()
    page.get_by_role("button", name="Run against the baseline").click()
    page.get_by_text("Every outcome").first.wait_for(timeout=timeout * 1000)
    wait_idle(page, timeout)
    return time.perf_counter() - start


def tour(page, base: str, out: Path, timeout: float = 180.0) -> dict:
    """Visit every page, try a policy, save it for Compare and screenshot each page.
    Returns the screenshots' paths by page, the seconds the policy took to answer
    ("policy_seconds") and the policy's metric cards ("metrics": title -> (value, delta))."""
    shots: dict = {}
    open_page(page, base, PAGES[0][0], PAGES[0][2], timeout)
    shots["explore"] = screenshot(page, out / PAGES[0][1])
    shots["policy_seconds"] = try_policy(page, base, timeout)
    shots["metrics"] = {title: policy_metric(page, title) for title in METRICS}
    page.get_by_role("button", name="Save this run for Compare").click()
    page.get_by_text("Saved for Compare").first.wait_for(timeout=timeout * 1000)
    shots["policy"] = screenshot(page, out / PAGES[1][1])
    # go through the sidebar: a new page load would start a new session (no saved runs)
    for path, name, ready in PAGES[2:]:
        title = {"compare": "Compare saved runs", "evidence": "Evidence"}.get(path, "Validation")
        page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
        page.get_by_text(ready).first.wait_for(timeout=timeout * 1000)
        wait_idle(page, timeout)
        if path == "evidence":  # show the search at work
            page.get_by_role("textbox", name="Search").fill(SEARCH)
            page.get_by_role("textbox", name="Search").press("Enter")
            page.wait_for_timeout(500)  # the rerun starts
            wait_idle(page, timeout)
        shots[path] = screenshot(page, out / name)
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/dashboard"))
    args = parser.parse_args()
    problem = chromium_problem()
    if problem:
        sys.exit(problem)
    from playwright.sync_api import sync_playwright

    with serve() as base, sync_playwright() as pw, browser(pw) as context:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        shots = tour(page, base, args.out, timeout=300)
    for key, value in shots.items():
        print(f"{key}: {value:.1f} s" if isinstance(value, float) else f"{key}: {value}")
    remote = remote_requests(requests)
    print(f"{len(requests)} requests, {len(remote)} outside localhost", *remote, sep="\n")


if __name__ == "__main__":
    main()
