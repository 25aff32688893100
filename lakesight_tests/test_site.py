"""The project site in a real browser: headless Chromium, network blocked, pages from file://."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lakesight_tests.support import BIN, REPO, Warehouse

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = REPO / "target" / "screenshots"

sync_api = pytest.importorskip("playwright.sync_api")
if not os.path.exists(CHROMIUM):
    pytest.skip(
        "Chromium is not installed: `sudo apt-get install chromium` (Debian) runs the browser test",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def site(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of a copy of the shared warehouse, written as `make docs` writes it."""
    warehouse = built.copy(tmp_path_factory.mktemp("site"))
    warehouse.target.mkdir()
    shutil.copyfile(built.target / "run_results.json", warehouse.target / "build_run_results.json")
    warehouse.dbt("docs", "generate", "--static")
    out = warehouse.root / "site"
    subprocess.run(
        [str(BIN / "lakesight"), "site", "--target", str(warehouse.target), "--out", str(out)],
        cwd=REPO,
        env=warehouse.env(),
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture
def browser_page():
    """A headless Chromium page whose every request outside file:// is refused and recorded."""
    left_file: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 800})

        def guard(route) -> None:
            if route.request.url.startswith(("file://", "data:", "blob:", "about:")):
                route.continue_()
            else:
                left_file.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        yield page, left_file
        browser.close()


def test_index_links_resolve_and_show_the_build(site: Path, browser_page) -> None:
    page, left_file = browser_page
    page.goto((site / "index.html").as_uri())
    assert page.locator("#commit").inner_text().strip() not in ("", "unknown")
    figures = page.locator("#figures").inner_text()
    assert "models ok / warn / failed" in figures and "records quarantined" in figures
    hrefs = page.eval_on_selector_all("#pages a", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs
    for href in hrefs:
        assert (site / href).is_file(), href
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "site-index.png"), full_page=True)
    assert left_file == []


def test_dbt_docs_show_a_model_and_its_lineage_offline(site: Path, browser_page) -> None:
    page, left_file = browser_page
    page.goto((site / "dbt-docs.html").as_uri() + "#!/model/model.lakesight.fct_orders")
    page.wait_for_selector("h1:has-text('fct_orders')", timeout=30_000)
    columns = page.locator("table").first.inner_text()
    for column in ("order_id", "gross_revenue_usd", "net_revenue_usd"):
        assert column in columns
    assert "PK" in columns and "U" in columns  # the primary-key constraint and its unique test
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dbt-docs-fct_orders.png"))

    page.click("[ng-click='onLauncherClick()']")
    canvas = page.locator("#graph-viz-wrapper canvas").first
    canvas.wait_for(state="visible", timeout=30_000)
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    page.wait_for_timeout(1000)  # let the layout settle for the screenshot
    page.screenshot(path=str(SCREENSHOTS / "dbt-docs-fct_orders-lineage.png"))
    assert left_file == []


def test_security_audit_matrix_page(site: Path, browser_page) -> None:
    page, left_file = browser_page
    page.goto((site / "index.html").as_uri())
    page.click("#pages a:has-text('Security audit matrix')")
    matrix = page.locator("#matrix")
    header = matrix.locator("tr").first.inner_text()
    for dataset in ("customers", "orders", "order_items", "products", "sales_daily"):
        assert dataset in header
    erin = matrix.locator("tr", has_text="erin@example.com").inner_text()
    assert "masked: date_of_birth,email,first_name,phone,street" in erin
    carol = matrix.locator("tr", has_text="carol@example.com").inner_text()
    assert "clear: date_of_birth,email,first_name,phone,street" in carol
    assert "inactive" in matrix.locator("tr", has_text="dave@example.com").inner_text()
    unknown = matrix.locator("tr", has_text="(unknown principal)").inner_text()
    assert "not in the policy" in unknown and unknown.count("\t0 / ") == 5
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "security-audit-matrix.png"), full_page=True)
    assert left_file == []
