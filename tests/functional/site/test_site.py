"""The project site in a real browser: headless Chromium, network blocked, pages from file://."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from lakesight.quality.suites import all_suites
from lakesight.quality.suites.secure import principals
from lakesight.security.datasets import TARGETS
from lakesight.security.extracts import extract_file
from lakesight.security.resolved import ResolvedPolicy
from tests.support.warehouse import CHROMIUM, REPO, Published, Warehouse, offline_page

SCREENSHOTS = REPO / "target" / "screenshots"

pytest.importorskip("playwright.sync_api")
if not os.path.exists(CHROMIUM):
    pytest.skip(
        "Chromium is not installed: `sudo apt-get install chromium` (Debian) runs the browser test",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def site(published: Published) -> Path:
    """The owners' site of a copy of the shared warehouse, written as `make build` writes it
    (tests/conftest.py: shared with the leak test, tests/functional/security/test_portals.py)."""
    return published.site


@pytest.fixture
def browser_page():
    """A headless Chromium page whose every request outside file:// is refused and recorded.

    Script errors on the page are recorded with the refused requests (as ``error: …``).
    """
    with offline_page(1280, 800, console=()) as (page, problems):
        yield page, problems


def test_index_links_resolve_and_show_the_build(site: Path, built: Warehouse, browser_page) -> None:
    page, left_file = browser_page
    page.goto((site / "index.html").as_uri())
    assert page.locator("#commit").inner_text().strip() not in ("", "unknown")
    figures = page.locator("#figures").inner_text()
    assert "models ok / warn / failed" in figures and "records quarantined" in figures
    # the build's own test outcomes, not those of the later `dbt docs generate`
    tests = Counter(
        result["status"]
        for result in built.run_results()
        if result["unique_id"].startswith("test.")
    )
    shown = (
        f"{tests['pass'] + tests['success']} / {tests['warn']} / {tests['fail'] + tests['error']}"
    )
    assert f"tests ok / warn / failed\t{shown}" in figures, figures
    assert "unit_tests ok / warn / failed" in figures  # only the build runs unit tests
    assert "The owners' site" in page.locator("#audience").inner_text()
    hrefs = page.eval_on_selector_all("#pages a", "links => links.map(a => a.getAttribute('href'))")
    assert "gx/index.html" in hrefs
    for href in hrefs:
        assert (site / href).is_file(), href
    # no principal's pages in the owners' site; the portals listed, never linked
    every = page.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href'))")
    assert not [href for href in every if "portals" in href or href.startswith("..")]
    assert not [h for h in hrefs if h.startswith(("dashboards/", "notebooks/"))]
    listed = page.locator("#portals").inner_text()
    users = ResolvedPolicy.load(built.database).users
    for principal in sorted(user for user, active in users.items() if active and user):
        assert f"portals/{Path(extract_file(principal)).stem}.zip" in listed, principal
    assert "dave@example.com" in users and "dave@example.com" not in listed  # inactive
    assert "listed, not linked" in page.locator("#portals-note").inner_text()
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
    assert "owners only" in page.locator("#audience").inner_text()
    unknown = matrix.locator("tr", has_text="(unknown principal)").inner_text()
    assert "not in the policy" in unknown and unknown.count("\t0 / ") == len(TARGETS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "security-audit-matrix.png"), full_page=True)
    assert left_file == []


def test_gx_data_docs_list_the_validations_and_open_one_offline(
    site: Path, built: Warehouse, browser_page
) -> None:
    page, left_file = browser_page
    page.goto((site / "gx" / "index.html").as_uri())
    table = page.locator("table.ge-index-page-validation-results-table")
    rows = table.locator("tbody tr")
    rows.first.wait_for(state="visible", timeout=30_000)  # bootstrap-table renders the rows
    secure = [f"secure as {name}" for name in principals(ResolvedPolicy.load(built.database))]
    suites = sorted([suite.name for suite in all_suites()] + secure)
    listed = sorted(
        text.strip()
        for text in table.locator("a.ge-index-page-table-expectation-suite-link").all_inner_texts()
    )
    assert listed and set(listed) <= set(suites)  # bootstrap-table shows 10 rows a page
    info = page.locator(".pagination-info").first.inner_text()
    assert f"of {len(suites)} rows" in info, info
    page.locator(".search-input").first.press_sequentially("fct_orders")  # its search box
    page.wait_for_function(
        "document.querySelectorAll('table.ge-index-page-validation-results-table tbody tr')"
        ".length === 1"
    )
    assert "marts.fct_orders" in rows.first.inner_text()
    assert page.evaluate("typeof window.jQuery") == "function"
    assert page.evaluate("window.jQuery.fn.jquery") == "3.7.1"
    assert page.evaluate("typeof window.jQuery.fn.bootstrapTable") == "function"
    assert page.evaluate("typeof window.jQuery.fn.modal") == "function"  # bootstrap.js
    assert page.evaluate("typeof window.vegaEmbed") == "function"
    page.evaluate("document.fonts.ready")
    assert page.evaluate(
        "[...document.fonts].some(f => f.family.includes('Font Awesome') && f.status === 'loaded')"
    ), "Font Awesome's webfont did not load"
    assert rows.first.locator("i.fa-check-circle").count() == 1  # the run succeeded
    logo = page.locator(".navbar-brand img")
    assert logo.evaluate("img => img.complete && img.naturalWidth > 0"), "the logo did not load"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "gx-index.png"), full_page=True)

    rows.first.click()  # a row opens its validation result
    page.wait_for_url("**/validations/marts/fct_orders/**", timeout=30_000)
    page.wait_for_load_state("load")
    body = page.locator("body").inner_text()
    assert "Expectation Suite: marts.fct_orders" in body and "Succeeded" in body
    # our own suite, rendered: an unexpected-rows rule and a column rule
    assert "equals the sum of its fct_order_items.line_amount_usd" in body
    assert "values must be greater than or equal to 0.0" in body
    assert page.evaluate("typeof window.jQuery.fn.bootstrapTable") == "function"
    page.screenshot(path=str(SCREENSHOTS / "gx-validation-fct_orders.png"), full_page=True)
    assert left_file == []


def test_no_mart_profile_shows_a_restricted_column_in_clear(site: Path, built: Warehouse) -> None:
    """`lakesight profiles` as `make docs` runs it: no e-mail, phone or street of a customer on
    any mart page (docs/security.md); the pages say which columns are masked how."""
    with duckdb.connect(str(built.database), read_only=True) as con:
        clear = {
            value
            for (value,) in con.execute(
                "select email from marts.dim_customers union select phone from marts.dim_customers"
                " union select street from marts.dim_customers"
            ).fetchall()
            if value
        }
    pages = list((site / "profiles").glob("marts.*.html"))
    assert len(pages) > 10 and clear
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not {value for value in clear if value in html}, page.name
    customers = (site / "profiles" / "marts.dim_customers.html").read_text(encoding="utf-8")
    assert 'id="masked"' in customers and "email_domain" in customers


def test_profile_pages_render_offline_with_charts(
    site: Path, built: Warehouse, browser_page
) -> None:
    page, left_file = browser_page
    page.goto((site / "index.html").as_uri())
    page.click("#pages a:has-text('Profiles')")
    marts = page.locator("table.profiles").first.inner_text()
    for mart in ("marts.fct_order_items", "marts.fct_orders", "marts.dim_customers"):
        assert mart in marts
    page.click("a:has-text('marts.fct_order_items')")
    assert page.locator("#relation").inner_text() == "marts.fct_order_items"
    overview = page.locator("#overview").inner_text()
    rows = built.scalar("select count(*) from marts.fct_order_items")
    assert f"rows\t{rows:,}" in overview and "order_id, line_number" in overview
    assert "0 keys held by more than one row" in page.locator("#duplicates").inner_text()
    assert page.locator("#sampled").count() == 0  # a small table is never sampled
    histograms = page.locator("svg.histogram")
    assert histograms.count() >= 5
    for chart in ("svg.histogram", "svg.top", "#missing svg", "#pearson svg", "#spearman svg"):
        box = page.locator(chart).first.bounding_box()
        assert box is not None and box["width"] > 50 and box["height"] > 50, chart
    assert page.locator("svg.histogram rect.bar").count() > 0
    assert page.locator("svg.histogram polyline.kde").count() > 0
    numeric = page.locator("#pearson svg text[text-anchor='end']").count()
    assert numeric >= 2 and page.locator("#pearson rect.cell").count() == numeric**2
    assert page.locator("#missing rect.cell").count() > 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "profile-fct_order_items.png"), full_page=True)

    page.goto((site / "profiles" / "index.html").as_uri())
    assert page.locator("h2:has-text('Secure datasets as')").count() == 0  # in the portals
    assert page.locator("table.profiles").count() == 1
    assert left_file == []


def portal(published: Published, principal: str) -> Path:
    return published.portals / Path(extract_file(principal)).stem


def test_a_portal_opens_offline_and_links_only_inside_itself(
    published: Published, built: Warehouse, browser_page
) -> None:
    """erin's portal, from file:// with the network blocked: its index names erin and the as-of
    date of her data; a dashboard page draws its charts from the vendored scripts, a notebook
    and a profile of a secure dataset open; every link followed stays in the portal."""
    page, left_file = browser_page
    root = portal(published, "erin@example.com")
    page.goto((root / "index.html").as_uri())
    assert page.locator("#principal").inner_text() == "erin@example.com"
    newest = built.scalar("select max(order_date) from marts.fct_orders")  # erin sees every row
    assert newest.isoformat() in page.locator("#newest-order").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "portal-index-erin.png"), full_page=True)

    page.click("#dashboards a:has-text('Sales over time')")
    assert "erin@example.com" in page.locator("#whose").inner_text()
    page.locator("section.tile .chart svg").first.wait_for(timeout=15_000)
    assert page.locator(".chart svg path, .chart svg .mark-group").count() > 3
    page.screenshot(path=str(SCREENSHOTS / "portal-dashboard-sales-erin.png"), full_page=True)
    page.click("a:has-text('portal')")  # the page's way back: the portal's index
    assert page.url == (root / "index.html").as_uri()

    page.click("#notebooks a")
    assert "This notebook was run as erin@example.com" in page.locator("body").inner_text()
    page.goto((root / "index.html").as_uri())
    page.click("#profiles a:has-text('secure.orders')")
    assert "the extract of erin@example.com" in page.locator("p.meta").nth(1).inner_text()
    assert page.locator("svg.histogram rect.bar").count() > 0
    page.screenshot(path=str(SCREENSHOTS / "profile-secure-orders.png"), full_page=True)
    page.click("a:has-text('profiles')")
    assert page.url == (root / "profiles" / "index.html").as_uri()
    assert page.locator("h2").inner_text() == "Secure datasets as erin@example.com"
    assert left_file == []
