"""Generated folders (lakesight/outputs.py; docs/security.md, "Generated folders").

A command removes only what it wrote, refuses a folder holding anything else (naming it), never
touches the warehouse, the lake or the repository; and a `kill -9` at any step of a publish, of an
on-demand extract build or of a dashboards build leaves the folder as the previous complete
generation or as the new complete one. The kill tests fork a child that SIGKILLs itself at the
N-th filesystem change (N = 1, 2, … until a run completes): no hook in the code under test.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from lakesight.dashboards import build as dashboards_build
from lakesight.dashboards.build import build_dashboards
from lakesight.dashboards.queries import Result
from lakesight.dashboards.spec import Tile
from lakesight.outputs import (
    DASHBOARDS,
    EXTRACTS,
    OWNERSHIP,
    OutputError,
    check_target,
    clean,
    generation,
    output_lock,
)
from lakesight.security.access import query_as
from lakesight.security.extracts import folder_lock, publish, read_manifest, verify
from lakesight_tests.support import BIN, REPO, Warehouse

#: the os calls that change the file system (pathlib and shutil.rmtree go through them)
MUTATIONS = ("replace", "rename", "symlink", "link", "unlink", "rmdir", "mkdir")
PRINCIPALS = ["alice@example.com", "bob@example.com"]


def killed_at(step: int, action: Callable[[], object]) -> bool:
    """Run `action` in a forked child that is SIGKILLed at its `step`-th file-system change;
    True when it was killed, False when it finished first."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        calls = 0

        def hook(real: Callable[..., object]) -> Callable[..., object]:
            def mutate(*args: object, **kwargs: object) -> object:
                nonlocal calls
                calls += 1
                if calls == step:
                    os.kill(os.getpid(), signal.SIGKILL)
                return real(*args, **kwargs)

            return mutate

        for name in MUTATIONS:
            setattr(os, name, hook(getattr(os, name)))
        try:
            action()
        except BaseException:
            os._exit(3)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True
    assert os.WEXITSTATUS(status) == 0, f"the run failed (exit {os.WEXITSTATUS(status)})"
    return False


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` (through its symlink) with the sha256 of its bytes."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def leftovers(parent: Path, name: str) -> list[str]:
    """What lies beside the generated folder `name` besides it, its lock and its generation."""
    pattern = re.compile(rf"\.{re.escape(name)}\.gen-[0-9a-f]{{16}}")
    current = os.readlink(parent / name) if (parent / name).is_symlink() else None
    return sorted(
        entry.name
        for entry in parent.iterdir()
        if entry.name not in {name, f".{name}.lock", current}
        and (entry.name.startswith(f".{name}.") or pattern.fullmatch(entry.name))
    )


def entitlements(folder: Path) -> dict[str, dict[str, object]]:
    """The extracts folder as published: verified, exactly the listed files, per principal the
    content of each dataset."""
    assert verify(folder) == []
    entries = read_manifest(folder)
    visible = {
        path.name for path in folder.iterdir() if path.name[0] != "." or ".tmp" in path.name
    }  # hidden: the ownership manifest (and the previous version's lock)
    assert visible == {entry.file for entry in entries.values()} | {"manifest.json"}
    return {name: entry.datasets for name, entry in entries.items()}


def keep_active(warehouse: Warehouse, principals: list[str]) -> None:
    """Deactivate every other user of the copy's resolved policy (fewer extracts to write)."""
    with duckdb.connect(str(warehouse.database)) as con:
        con.execute(
            "update policy.policy_principals set is_active = false"
            " where principal_type = 'user' and not list_contains(?, principal)",
            [principals],
        )


def test_a_kill_at_any_step_of_publish_leaves_the_old_or_the_new_extracts(
    built: Warehouse, tmp_path: Path
) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    old_warehouse = built.database_copy(tmp_path / "old")
    new_warehouse = built.database_copy(tmp_path / "new")
    keep_active(old_warehouse, [*PRINCIPALS, "carol@example.com"])
    keep_active(new_warehouse, PRINCIPALS)
    base = tmp_path / "base"
    publish(old_warehouse.database, base / "exports", dev=True)
    publish(new_warehouse.database, tmp_path / "reference", dev=True)
    old, new = entitlements(base / "exports"), entitlements(tmp_path / "reference")
    assert old != new
    step, kills = 0, 0
    while True:
        step += 1
        run = tmp_path / f"run-{step}"
        shutil.copytree(base, run, symlinks=True)
        folder = run / "exports"
        killed = killed_at(
            step, lambda folder=folder: publish(new_warehouse.database, folder, dev=True)
        )
        state = entitlements(folder)
        assert state in (old, new) if killed else state == new
        with folder_lock(folder):  # what the next run does first: remove what the kill left
            pass
        assert leftovers(run, "exports") == []
        shutil.rmtree(run)
        if not killed:
            break
        kills += 1
    print(f"publish: killed at each of {kills} steps")
    assert kills > len(old)  # a kill after each extract, at the switch and in the removal
    publish(new_warehouse.database, base / "exports", dev=True)  # a normal rerun
    assert entitlements(base / "exports") == new
    assert leftovers(base, "exports") == []
    check = subprocess.run(
        [str(BIN / "lakesight"), "publish", "--check", "--exports", str(base / "exports")],
        cwd=REPO,
        env=built.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0 and "matches its sha256" in check.stdout, check.stderr


def test_a_kill_at_any_step_of_an_on_demand_build_leaves_a_verified_folder(
    built: Warehouse, tmp_path: Path
) -> None:
    (tmp_path / "wh").mkdir()
    warehouse = built.database_copy(tmp_path / "wh")
    base = tmp_path / "base"
    for principal in PRINCIPALS:
        query_as(warehouse.database, principal, "select 1", base / "extracts")
    # bob's extract altered: the next `query --as bob` rebuilds it alone
    bob = base / "extracts" / read_manifest(base / "extracts")["bob@example.com"].file
    bob.write_bytes(bob.read_bytes() + b"\0")
    before = tree(base / "extracts")
    step = 0
    while True:
        step += 1
        run = tmp_path / f"run-{step}"
        shutil.copytree(base, run, symlinks=True)
        folder = run / "extracts"
        killed = killed_at(
            step,
            lambda folder=folder: query_as(
                warehouse.database, "bob@example.com", "select 1", folder
            ),
        )
        if tree(folder) != before:  # the switch happened: a complete, verified generation
            entitlements(folder)
            assert not killed or step > 1
        with folder_lock(folder):
            pass
        assert leftovers(run, "extracts") == []
        assert not [path for path in run.rglob("*") if ".tmp" in path.name]
        shutil.rmtree(run)
        if not killed:
            break
    assert step > 3


def relative_links(folder: Path) -> list[str]:
    """Relative href/src of every HTML page under `folder` that does not resolve."""
    broken = []
    for page in folder.rglob("*.html"):
        for link in re.findall(r"""(?:href|src)=["']([^"'#?]+)""", page.read_text()):
            target = Path(os.path.normpath(page.relative_to(folder).parent / link))
            if ":" in link or target.parts[0] == "..":  # another site folder's page
                continue
            if not (folder / target).exists():
                broken.append(f"{page.relative_to(folder)} -> {link}")
    return broken


def quick_tile_spec(tile: Tile, result: Result, *_: object) -> tuple[dict[str, Any], str]:
    """A stand-in for vl-convert's drawing (its threads do not survive a fork, and a kill test
    needs the folder's steps, not the charts): the tile's title and rows."""
    return {"title": tile.title, "rows": result.rows}, f"<svg class='role-mark'>{tile.title}</svg>"


def test_a_kill_at_any_step_of_dashboards_build_leaves_a_complete_generation(
    built: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dashboards_build, "tile_spec", quick_tile_spec)
    first, second = tmp_path / "pages-1", tmp_path / "pages-2"
    for folder, title in ((first, "Revenue vs target"), (second, "Revenue against target")):
        folder.mkdir()
        text = (REPO / "dashboards" / "targets.yml").read_text()
        (folder / "targets.yml").write_text(text.replace("Revenue vs target", title))
    extracts, base = tmp_path / "extracts", tmp_path / "base"
    build_dashboards(built.database, first, base / "site" / "dashboards", extracts, PRINCIPALS)
    old = tree(base / "site" / "dashboards")
    reference = tmp_path / "reference"
    shutil.copytree(base, reference, symlinks=True)
    # only alice again: bob's folder is carried over from the current generation
    build_dashboards(
        built.database, second, reference / "site" / "dashboards", extracts, PRINCIPALS[:1]
    )
    new = tree(reference / "site" / "dashboards")
    assert old != new
    bobs = {name: digest for name, digest in old.items() if name.startswith("bob-")}
    assert bobs == {name: digest for name, digest in new.items() if name.startswith("bob-")}
    assert bobs
    step = 0
    while True:
        step += 1
        run = tmp_path / f"run-{step}"
        shutil.copytree(base, run, symlinks=True)
        out = run / "site" / "dashboards"
        killed = killed_at(
            step,
            lambda out=out: build_dashboards(built.database, second, out, extracts, PRINCIPALS[:1]),
        )
        assert tree(out) in (old, new) if killed else tree(out) == new
        assert relative_links(out) == []
        with output_lock(out, DASHBOARDS):  # what the next build does first
            clean(out)
        assert leftovers(run / "site", "dashboards") == []
        shutil.rmtree(run)
        if not killed:
            break
    print(f"dashboards build: killed at each of {step - 1} steps")
    assert step > 5


def project(tmp_path: Path, built: Warehouse) -> tuple[Path, dict[str, str]]:
    """A working folder holding a warehouse, a lake, sources and a site of other commands."""
    root = tmp_path / "project"
    (root / "models").mkdir(parents=True)
    (root / "models" / "orders.sql").write_text("select 1")
    shutil.copy2(built.database, root / "lakesight.duckdb")
    (root / "site" / "gx").mkdir(parents=True)
    (root / "site" / "gx" / "index.html").write_text("GX")
    (root / "site" / "profiles").mkdir()
    (root / "site" / "profiles" / "index.html").write_text("profiles")
    (root / "site" / "dbt-docs.html").write_text("docs")
    (root / "lake").mkdir()
    shutil.copy2(built.lake / "_lake.json", root / "lake" / "_lake.json")
    env = built.env() | {
        "LAKESIGHT_DB": str(root / "lakesight.duckdb"),
        "LAKESIGHT_LAKE": str(root / "lake"),
    }
    return root, env


def run_in(root: Path, env: dict[str, str], *args: str) -> str:
    """The one-sentence refusal of a lakesight command run in `root` (exit 1)."""
    result = subprocess.run(
        [str(BIN / "lakesight"), *args], cwd=root, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    return line


PAGES = ("--dashboards", str(REPO / "dashboards"))


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("publish", "--dev", "--exports", "."), "is the current folder"),
        (("publish", "--dev", "--exports", "site"), "holds dbt-docs.html, gx, profiles"),
        (("dashboards", "build", *PAGES), "holds dbt-docs"),
        (("dashboards", "build", *PAGES, "--out", "."), "is the current folder"),
        (("notebooks", "build", "--notebooks", str(REPO / "notebooks")), "holds dbt-docs"),
        (("profiles", "--manifest", "MANIFEST"), "holds dbt-docs"),
        (("publish", "--dev", "--exports", "lake/x"), "is inside the lake"),
        (("publish", "--dev", "--exports", ".."), "holds the current folder"),
    ],
)
def test_a_folder_holding_anything_else_is_refused_and_left_as_it_was(
    built: Warehouse, tmp_path: Path, args: tuple[str, ...], named: str
) -> None:
    root, env = project(tmp_path, built)
    if args[0] != "publish" and "--out" not in args:
        args = (*args, "--out", "site")
    args = tuple(str(built.target / "manifest.json") if a == "MANIFEST" else a for a in args)
    before = tree(tmp_path)
    line = run_in(root, env, *args)
    assert named in line, line
    assert tree(tmp_path) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["project"]


def test_a_foreign_file_in_our_own_folder_is_refused_and_a_rerun_works(
    built: Warehouse, tmp_path: Path
) -> None:
    (tmp_path / "wh").mkdir()
    warehouse = built.database_copy(tmp_path / "wh")
    keep_active(warehouse, PRINCIPALS)
    folder = tmp_path / "exports"
    publish(warehouse.database, folder, dev=True)
    publish(warehouse.database, folder, dev=True)  # our own folder: rewritten
    assert folder.is_symlink() and leftovers(tmp_path, "exports") == []
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"exports holds notes\.txt, which lakesight did not"):
        publish(warehouse.database, folder, dev=True)
    assert (folder / "notes.txt").read_text() == "mine"
    entitlements_before = read_manifest(folder)
    (folder / "notes.txt").unlink()
    publish(warehouse.database, folder, dev=True)
    assert read_manifest(folder).keys() == entitlements_before.keys()


def test_a_folder_an_earlier_version_wrote_is_migrated_once(tmp_path: Path) -> None:
    legacy = tmp_path / "exports"
    legacy.mkdir()
    for name in ("manifest.json", ".lock", "bob-0123456789abcdef.duckdb", ".x.duckdb.1.ab.tmp"):
        (legacy / name).write_text("old")
    assert check_target(legacy, EXTRACTS) == legacy.resolve()
    (legacy / "native").mkdir()
    with pytest.raises(OutputError, match="holds native, which is not extracts"):
        check_target(legacy, EXTRACTS)
    assert (legacy / "native").exists()
    (legacy / "native").rmdir()
    with output_lock(legacy, EXTRACTS), generation(legacy, EXTRACTS) as new:
        assert new.carry("bob-0123456789abcdef.duckdb")
        (new.folder / "manifest.json").write_text("new")
    assert legacy.is_symlink()
    assert sorted(path.name for path in legacy.iterdir()) == [
        OWNERSHIP,
        "bob-0123456789abcdef.duckdb",
        "manifest.json",
    ]
    assert (legacy / "manifest.json").read_text() == "new"
    assert leftovers(tmp_path, "exports") == []
