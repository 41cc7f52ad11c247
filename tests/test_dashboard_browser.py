"""The real thing: `streamlit run` on a free port, driven in headless Chromium by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect

from govpulse.settings import WAREHOUSE_ENV
from tests.conftest import free_port

CHROMIUM = Path("/usr/bin/chromium")
APP = Path(__file__).resolve().parent.parent / "reports" / "app.py"
pytestmark = pytest.mark.e2e

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def dashboard_url(demo_warehouse):
    port = free_port()
    env = dict(os.environ, **{WAREHOUSE_ENV: str(demo_warehouse)})
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield chromium
        chromium.close()


def _departments_shown(page) -> list[str]:
    """Department names from the data grid's accessible cells (the grid draws on a canvas)."""
    page.wait_for_selector('[role="gridcell"]', state="attached", timeout=30_000)
    # found by its header: pinned columns come first, whatever their place in the table
    headers = [text.strip() for text in
               page.locator('[role="columnheader"]').all_inner_texts()]
    column = headers.index("Department")
    rows = page.locator('[role="row"]')
    names = []
    for index in range(1, rows.count()):
        cells = rows.nth(index).locator('[role="gridcell"]').all_inner_texts()
        if len(cells) > column:
            names.append(cells[column])
    return names


def _ranked(warehouse, period: str) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [row[0] for row in con.execute(
            "select department from marts.department_scorecard where period = ? "
            "order by rank nulls last, department", [period]).fetchall()]


def _departments_shown_once_they_are(page, expected: list[str]) -> list[str]:
    """The departments shown, read again until they are ``expected`` or 30 s have passed
    (the page redraws after a choice, and a loaded machine draws late)."""
    deadline = time.monotonic() + 30
    while (shown := _departments_shown(page)) != expected and time.monotonic() < deadline:
        time.sleep(0.3)
    return shown


def test_league_table_in_a_real_browser(dashboard_url, browser, demo_warehouse, tmp_path):
    page = browser.new_page(viewport={"width": 1500, "height": 1400})
    page.goto(dashboard_url)
    page.get_by_text("Department league table").wait_for(timeout=30_000)
    expected = _ranked(demo_warehouse, "last_28d")
    assert _departments_shown_once_they_are(page, expected) == expected
    page.screenshot(path=str(tmp_path / "league_28d.png"))

    page.locator('[data-testid="stSelectbox"]').filter(has_text="Period").click()
    page.get_by_role("option", name="Last 7 days").click()
    page.wait_for_function("() => window.location.search.includes('period=last_7d')",
                           timeout=30_000)
    expected = _ranked(demo_warehouse, "last_7d")
    assert _departments_shown_once_they_are(page, expected) == expected
    assert expected != _ranked(demo_warehouse, "last_28d")
    page.screenshot(path=str(tmp_path / "league_7d.png"))
    assert (tmp_path / "league_7d.png").stat().st_size > 10_000


def test_department_page_draws_its_charts(dashboard_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1500, "height": 2400})
    page.goto(f"{dashboard_url}/department?department=Ministry+of+Health+Services")
    page.get_by_text("Response rate by month").first.wait_for(timeout=30_000)
    # the charts render one after another: wait for all four (a loaded machine draws the
    # last one after the first is there)
    expect(page.locator(".vega-embed")).to_have_count(4, timeout=30_000)
    page.screenshot(path=str(tmp_path / "department.png"))
