"""Real-browser check: Debian chromium driven by playwright loads every page of the running app.

Asserts a KPI value on each page, no Streamlit exception element, and saves screenshots under
artifacts/browser/.  Chromium comes from Debian (`make test` installs it when missing); playwright
never downloads a browser here.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(home: Path):
    port = _free_port()
    env = {**os.environ, "REVCYCLE_HOME": str(home)}
    # served as users serve it: `revcycle dashboard` (127.0.0.1, generic errors, no Deploy menu), from elsewhere
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli.main", "dashboard", "--port", str(port)],
        env=env, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    return proc, f"http://127.0.0.1:{port}"


def _screenshot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main block, not the document, so a full-page shot of the
    document stops at the window; the window is made as tall as the content first."""
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stMainBlockContainer]')]"
        ".map(e => e.scrollHeight), document.body.scrollHeight)"
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12_000)})
    page.wait_for_timeout(800)  # charts redraw at the new size
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


@pytest.fixture(scope="module")
def app_url(built_demo):
    proc, url = _serve(built_demo.home)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def world_url(built_world):
    proc, url = _serve(built_world.home)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


PAGES = [
    ("", "Initial denial rate", "37.5%"),
    ("denials", "Avoidable share", "100%"),
    ("claim_chain?claim=C1002", "Initial decision", "denial"),  # a denied claim of the handmade set
    ("collections", "Total A/R", "$620"),
    ("work_queues", "Items", "3"),  # the handmade set's three open denials (C1002, C1003, C1006)
    ("data_quality", "Files published", "7"),
]


def test_every_page_renders_its_kpi_in_chromium(app_url):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        for path, label, value in PAGES:
            page.goto(f"{app_url}/{path}", wait_until="domcontentloaded")
            metric = page.locator('[data-testid="stMetric"]', has_text=label)
            metric.first.wait_for(timeout=60_000)
            assert value in metric.first.inner_text(), (path, metric.first.inner_text())
            page.wait_for_timeout(1500)  # let charts finish drawing before the screenshot
            assert page.locator('[data-testid="stException"]').count() == 0, path
            _screenshot(page, path.split("?")[0] or "overview")
        browser.close()
    # nothing the pages load comes from another machine (icons, fonts, scripts, telemetry)
    from urllib.parse import urlparse

    outside = {u for u in requested if urlparse(u).scheme in ("http", "https", "ws", "wss")
               and urlparse(u).hostname not in ("127.0.0.1", "localhost")}  # fmt: skip
    assert not outside, sorted(outside)[:10]
    assert len(requested) > 20


# pages the handmade set cannot fill (no acknowledgments, too few claims for peer comparisons): a generated world
WORLD_PAGES = [("front_end", "Clean-claim rate"), ("compliance", "Review leads")]


def test_world_pages_render_in_chromium(world_url):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for path, label in WORLD_PAGES:
            page.goto(f"{world_url}/{path}", wait_until="domcontentloaded")
            metric = page.locator('[data-testid="stMetric"]', has_text=label).first
            metric.wait_for(timeout=60_000)
            assert any(ch.isdigit() for ch in metric.inner_text()), (path, metric.inner_text())
            page.wait_for_timeout(1500)
            assert page.locator('[data-testid="stException"]').count() == 0, path
            _screenshot(page, path)
        browser.close()


def test_compliance_drill_down_in_chromium(world_url, built_world):
    """A shared link to one rule's leads opens filtered; clicking a lead shows the claim lines behind it."""
    from playwright.sync_api import sync_playwright

    from pipelines.warehouse.read import query

    top = query(
        "select claim_id, evidence_claim_ids from fct_integrity_findings where rule_id = 'mue_excess' "
        "order by dollars_at_stake desc, rule_rank limit 1",
        settings=built_world,
    ).row(0, named=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{world_url}/compliance?rule=mue_excess", wait_until="domcontentloaded")
        page.locator('[data-testid="stMetric"]', has_text="Review leads").first.wait_for(timeout=60_000)
        page.get_by_text("Select a lead to see the claim lines it rests on.").wait_for(timeout=30_000)
        grid = page.locator('[data-testid="stDataFrame"]').last
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        # glide-data-grid draws on a canvas: click the row-selection cell of the first data row
        page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
        page.get_by_text("Units above the Medically Unlikely Edit · provider").wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        assert page.locator('[data-testid="stException"]').count() == 0
        text = page.locator(
            '[data-testid="stMarkdown"]', has_text="Units above the Medically Unlikely Edit · provider"
        ).first.inner_text()
        # the claim behind the lead is named, masked (this server has no PHI viewers)
        from dashboards.phi import mask

        assert mask(top["claim_id"]) in page.content() + text
        assert top["claim_id"] not in page.content() + text
        _screenshot(page, "compliance_drill_down")
        browser.close()


def test_global_filter_survives_navigation_in_chromium(app_url, built_demo):
    """A link with ?payer= opens filtered; moving to another page from the sidebar keeps the filter and
    the query string."""
    from playwright.sync_api import sync_playwright

    from pipelines.warehouse.read import query

    payer = query("select payer_id from fct_claim_chains group by 1 order by count(*) desc limit 1",
                  settings=built_demo).item()  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{app_url}/?payer={payer}", wait_until="domcontentloaded")
        page.get_by_text(f"Filtered: payer {payer}").first.wait_for(timeout=60_000)
        page.locator('[data-testid="stSidebarNav"] a', has_text="Denials").first.click()
        page.locator('[data-testid="stMetric"]', has_text="Avoidable share").first.wait_for(timeout=60_000)
        page.get_by_text(f"Filtered: payer {payer}").first.wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        assert f"payer={payer}" in page.url
        assert page.locator('[data-testid="stException"]').count() == 0
        _screenshot(page, "denials_filtered")
        browser.close()
