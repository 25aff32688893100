"""Notebooks executed per principal: each sees only its extract, renders offline, fails loudly."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import jupytext
import pytest

from lakesight.consume.dashboards.definitions import metric_catalogue
from lakesight.security.access import connect_confined
from lakesight.security.extracts import active_principals, extract_file, read_manifest
from tests.support.warehouse import CHROMIUM, REPO, Warehouse, offline_page

NOTEBOOKS = REPO / "notebooks"
NOBODY = "ivan@example.com"  # active, in no group, no rule: sees no rows
SCREENSHOTS = REPO / "target" / "screenshots"
VISIBLE = re.compile(r"([\d,]+) orders visible to (\S+)")
COUNTRIES = re.compile(r"countries: ([A-Z]{2}(?:, [A-Z]{2})*|none)")


def run_notebooks(warehouse: Warehouse, *args: str) -> subprocess.CompletedProcess[str]:
    return warehouse.lakesight("notebooks", "build", *args, expect_success=False)


def run_folder(
    warehouse: Warehouse, folder: Path, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """The notebooks of `folder` run as bob, written under tmp_path."""
    return run_notebooks(
        warehouse,
        "--as",
        "bob@example.com",
        "--notebooks",
        str(folder),
        "--out",
        str(tmp_path / "out"),
        "--extracts",
        str(tmp_path / "extracts"),
    )


@pytest.fixture(scope="module")
def executed(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Every notebook run as every active principal, as `make build` runs them."""
    root = tmp_path_factory.mktemp("notebooks")
    out, extracts = root / "site" / "notebooks", root / "extracts"
    result = run_notebooks(built, "--out", str(out), "--extracts", str(extracts))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, extracts


def principals(built: Warehouse) -> list[str]:
    with duckdb.connect(str(built.database), read_only=True) as con:
        return active_principals(con)


def page(out: Path, principal: str, notebook: str) -> Path:
    return out / Path(extract_file(principal)).stem / f"{notebook}.html"


def test_every_notebook_runs_as_every_active_principal(built: Warehouse, executed) -> None:
    out, _ = executed
    index = (out / "index.html").read_text(encoding="utf-8")
    sources = sorted(path.stem for path in NOTEBOOKS.glob("*.py"))
    assert {"sales_eda", "customer_segments", "churn_model", "labelling_quality"} <= set(sources)
    for principal in principals(built):
        assert principal in index
        for name in sources:
            html = page(out, principal, name).read_text(encoding="utf-8")
            assert f"run as <strong>{principal}</strong>" in html
            assert (
                "Traceback" not in html
                and 'data-mime-type="application/vnd.jupyter.stderr"' not in html
            )


def test_no_page_shows_a_path_of_the_build_machine(
    built: Warehouse, executed, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The injected parameters name the extract's file, never where the build machine keeps it
    (docs/notebooks.md): no page holds the repository's, the temporary root's, the
    warehouse's, the lake's or $HOME's path."""
    out, extracts = executed
    manifest = read_manifest(extracts)
    machine = {str(REPO), str(tmp_path_factory.getbasetemp().parent), str(Path.home())}
    machine |= {str(built.root), str(built.lake)}
    for principal in principals(built):
        for html_file in page(out, principal, "sales_eda").parent.glob("*.html"):
            html = html_file.read_text(encoding="utf-8")
            assert manifest[principal].file in html, (principal, html_file.name)
            shown = {path for path in machine if path in html}
            assert not shown, (principal, html_file.name, shown)


def test_a_notebook_sees_exactly_its_principals_orders(built: Warehouse, executed) -> None:
    out, extracts = executed
    manifest = read_manifest(extracts)
    seen_nobody = False
    for principal in principals(built):
        html = page(out, principal, "sales_eda").read_text(encoding="utf-8")
        with connect_confined(extracts / manifest[principal].file) as con:
            orders, countries = con.execute(
                "select count(*), coalesce(string_agg(distinct country_code, ', '"
                " order by country_code), 'none') from orders where not is_cancelled"
            ).fetchone()
        match = VISIBLE.search(html)
        assert match, principal
        assert (int(match.group(1).replace(",", "")), match.group(2)) == (orders, principal)
        assert COUNTRIES.search(html).group(1) == countries, principal
        with connect_confined(extracts / manifest[principal].file) as con:
            net, distinct, without = con.execute(
                "select sum(net_revenue_usd), count(distinct net_revenue_usd),"
                " count(*) filter (where net_revenue_usd <= 0)"
                " from orders where not is_cancelled"
            ).fetchone()
        if orders:  # the headline is the metric's, as on the dashboard pages
            figure = metric_catalogue()["net_revenue"].figure(net)
            assert f"net revenue {figure} · orders {orders:,}" in html, principal
        if orders >= 2 and distinct > 1:  # the density: orders without net revenue counted
            line = f"{without:,} order(s) without net revenue are not on the log axis"
            assert line in html, principal
        if orders == 0:
            seen_nobody = True
            assert f"{principal} sees no orders" in html
    assert seen_nobody, f"{NOBODY} should see no orders"


def test_the_labelling_notebook_totals_equal_the_mart(built: Warehouse, executed) -> None:
    """A public dataset: every active principal's page shows every job, totals as in SQL."""
    out, _ = executed
    jobs = built.query(
        "select labelling_job_name, sum(item_count), sum(auto_labelled_count),"
        " sum(cost_saved_usd) from marts.ml_labelling_quality group by 1 order by 1"
    )
    assert jobs, "the test lake should have labelling jobs"
    items = sum(job[1] for job in jobs)
    share = metric_catalogue()["auto_label_share"].figure(sum(job[2] for job in jobs) / items)
    for principal in principals(built):
        html = page(out, principal, "labelling_quality").read_text(encoding="utf-8")
        # the headline is the metrics' (a public dataset: the same for everyone)
        assert f"labelled items {items:,} · auto-label share {share}" in html, principal
        for job, items, auto, saved in jobs:
            line = f"{job}: {items:,} items, {auto:,} auto-labelled, cost saved ${saved:,.2f}"
            assert line in html, (principal, line)


def test_the_churn_notebook_needs_labelled_history(built: Warehouse, executed) -> None:
    """Two weeks of lake have no cutoff yet: every page says why there is no model."""
    out, _ = executed
    assert built.scalar("select count(*) from marts.ml_customer_churn_features") == 0
    for principal in principals(built):
        html = page(out, principal, "churn_model").read_text(encoding="utf-8")
        assert f"no model for {principal}: no churn feature rows are visible" in html


def test_the_segments_notebook_chooses_k_by_silhouette(built: Warehouse, executed) -> None:
    out, _ = executed
    chosen = 0
    for principal in principals(built):
        html = page(out, principal, "customer_segments").read_text(encoding="utf-8")
        match = re.search(r"chosen k = (\d) \(silhouette (-?[\d.]+)\)", html)
        if match:
            chosen += 1
            k, silhouette = int(match.group(1)), float(match.group(2))
            assert 2 <= k <= 6 and -1 <= silhouette <= 1
            # a weak score is said to be weak; every segment is named, never a bare number
            weak = f"A silhouette of {match.group(2)} is weak: the segments overlap"
            assert (weak in html) == (silhouette < 0.5), principal
            names = re.findall(
                r"(?:recent|lapsed), (?:frequent|occasional), (?:high|low) spend(?: \(\d\))?",
                html,
            )
            assert len(set(names)) == k, (principal, set(names))
        else:
            assert "no segments" in html, principal
    assert chosen > 0


def test_a_failing_cell_fails_the_build_naming_notebook_and_cell(
    built: Warehouse, tmp_path: Path
) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "broken.py").write_text(
        "# %% [markdown]\n# # Broken\n\n"
        '# %% tags=["parameters"]\nPRINCIPAL = "x"\nEXTRACT = None\n\n'
        "# %%\nratio = 1 / 0\n",
        encoding="utf-8",
    )
    result = run_folder(built, folder, tmp_path)
    assert result.returncode == 1
    assert f"{folder / 'broken.py'}, cell 3 ('ratio = 1 / 0') failed" in result.stderr
    assert "ZeroDivisionError" in result.stderr and "Traceback" not in result.stderr


def test_a_notebook_without_a_parameters_cell_is_refused(built: Warehouse, tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "plain.py").write_text("# %%\nprint('hello')\n", encoding="utf-8")
    result = run_folder(built, folder, tmp_path)
    assert result.returncode == 1
    assert "plain.py: needs exactly one cell tagged parameters" in result.stderr


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed")
def test_the_pages_render_offline_in_chromium(built: Warehouse, executed) -> None:
    pytest.importorskip("playwright.sync_api")
    out, _ = executed
    with offline_page(1100, 900) as (tab, problems):
        tab.goto((out / "index.html").as_uri())
        links = tab.eval_on_selector_all("#notebooks a", "links => links.map(a => a.href)")
        assert len(links) == len(principals(built)) * len(list(NOTEBOOKS.glob("*.py")))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for link in links:
            tab.goto(link)
            if "/bob-" in link and link.endswith("sales_eda.html"):
                # the figures: bar vs histogram, KDE, seasonality, correlations
                assert tab.locator("img").count() >= 4
                tab.screenshot(path=str(SCREENSHOTS / "notebook-sales_eda-bob.png"), full_page=True)
    assert problems == []


def test_a_kernel_that_does_not_start_in_time_is_one_sentence_naming_the_notebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kernel that does not answer within KERNEL_START_TIMEOUT stops the build with a
    NotebookError naming the notebook, not an unexpected error. The kernel here is a process that
    never answers (a kernel that starts within the first second would pass even a 0 s timeout:
    jupyter_client waits a second for its first reply)."""
    from lakesight.consume.notebooks import NotebookError, run

    spec = tmp_path / "jupyter" / "kernels" / "silent"
    spec.mkdir(parents=True)
    silent = [sys.executable, "-c", "import time; time.sleep(60)", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": silent, "display_name": "silent", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setattr(run, "KERNEL", "silent")
    monkeypatch.setattr(run, "KERNEL_START_TIMEOUT", 0)
    path = tmp_path / "plain.py"
    path.write_text("# %%\nprint('hello')\n", encoding="utf-8")
    with pytest.raises(NotebookError, match=r"^plain\.py: the silent kernel failed: Kernel"):
        run.execute(jupytext.read(path), run.Notebook(path), tmp_path)


def test_two_kernels_started_in_one_folder_get_sockets_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two builds in one folder (or two test workers) never share a kernel's IPC sockets: each
    kernel's are named after a connection file of its own, outside the current folder."""
    from jupyter_core.paths import jupyter_runtime_dir

    from lakesight.consume.notebooks import run

    monkeypatch.chdir(tmp_path)
    first, second = run.kernel_manager(), run.kernel_manager()
    assert first.transport == second.transport == "ipc"
    assert first.ip != second.ip
    for manager in (first, second):
        assert Path(manager.ip).parent == Path(jupyter_runtime_dir())
