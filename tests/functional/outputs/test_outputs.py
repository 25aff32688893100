"""Generated folders (lakesight/outputs.py; docs/security.md, "Generated folders").

A command removes only what it wrote, refuses a folder holding anything else (naming it), never
touches the warehouse, the lake or the repository; and a `kill -9` at any step of a publish, of an
on-demand extract build or of a dashboards build leaves the folder as the previous complete
generation or as the new complete one. The kill tests fork a child that SIGKILLs itself at the
N-th filesystem change (N = 1, 2, … until a run completes): no hook in the code under test.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from lakesight.cli import ml as ml_cli
from lakesight.cli import notebooks as notebooks_cli
from lakesight.cli import quality as quality_cli
from lakesight.consume.dashboards import build as dashboards_build
from lakesight.consume.dashboards.build import VENDOR, build_dashboards
from lakesight.consume.dashboards.definitions import Tile
from lakesight.consume.dashboards.queries import Result
from lakesight.consume.ml import card as ml_card
from lakesight.consume.ml import train
from lakesight.consume.notebooks import run as notebooks_run
from lakesight.consume.notebooks.run import Notebook
from lakesight.consume.profiles import run as profile_run
from lakesight.consume.profiles.run import build_profiles
from lakesight.outputs import (
    DASHBOARDS,
    DATA_DOCS,
    EXTRACTS,
    ML,
    NATIVE,
    NOTEBOOKS,
    OWNERSHIP,
    PORTALS,
    PROFILES,
    Kind,
    OutputError,
    check_target,
    clean,
    generation,
    output_lock,
)
from lakesight.security.access import query_as
from lakesight.security.exports_aws import Settings as NativeSettings
from lakesight.security.exports_aws import export_policies
from lakesight.security.extracts import (
    extract_file,
    folder_lock,
    publish,
    read_manifest,
    verify,
)
from lakesight.site.owner import build_site
from lakesight.site.portals import build as portals_build
from lakesight.site.portals.build import build_portals
from tests.support.warehouse import BIN, REPO, Warehouse

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


def owned(out: Path) -> None:
    """The generated folder's ownership manifest lists exactly the files it holds."""
    listed = json.loads((out / OWNERSHIP).read_text())["files"]
    assert listed == sorted(set(tree(out)) - {OWNERSHIP}), out


def settle(out: Path, kind: Kind) -> None:
    """What the next run of the command does first: take the lock, remove what a kill left."""
    if kind is EXTRACTS:
        with folder_lock(out):
            pass
    else:
        with output_lock(out, kind):
            clean(out)


def kill_at_every_step(
    base: Path,
    folders: dict[str, Kind],
    action: Callable[[Path], object],
    state: Callable[[Path], object],
    allowed: list[object],
    work: Path,
) -> int:
    """Kill `action(root)` at its 1st, 2nd, … file-system change, each time on a fresh copy
    `root` of `base`, until a run completes; return the number of kills.

    After each kill `state(root)` is one of `allowed` (after the completed run: the last one),
    each generated folder (`folders`: path under root -> kind) holds exactly what its ownership
    manifest lists, and the next run's first steps leave nothing beside it but itself and its
    lock."""
    step = 0
    while True:
        step += 1
        root = work / f"run-{step}"
        shutil.copytree(base, root, symlinks=True)
        killed = killed_at(step, lambda root=root: action(root))
        found = state(root)
        assert found in allowed if killed else found == allowed[-1], f"step {step}"
        for name, kind in folders.items():
            out = root / name
            owned(out)
            settle(out, kind)
            assert leftovers(out.parent, out.name) == [], f"step {step}"
        shutil.rmtree(root)
        if not killed:
            return step - 1


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
    kills = kill_at_every_step(
        base,
        {"exports": EXTRACTS},
        lambda root: publish(new_warehouse.database, root / "exports", dev=True),
        lambda root: entitlements(root / "exports"),
        [old, new],
        tmp_path,
    )
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
    build_dashboards(
        built.database, first, base / "site" / "dashboards", extracts, PRINCIPALS, built.target
    )
    old = tree(base / "site" / "dashboards")
    reference = tmp_path / "reference"
    shutil.copytree(base, reference, symlinks=True)
    # only alice again: bob's folder is carried over from the current generation
    build_dashboards(
        built.database,
        second,
        reference / "site" / "dashboards",
        extracts,
        PRINCIPALS[:1],
        built.target,
    )
    new = tree(reference / "site" / "dashboards")
    assert old != new
    bobs = {name: digest for name, digest in old.items() if name.startswith("bob-")}
    assert bobs == {name: digest for name, digest in new.items() if name.startswith("bob-")}
    assert bobs

    def state(root: Path) -> dict[str, str]:
        assert relative_links(root / "site" / "dashboards") == []
        return tree(root / "site" / "dashboards")

    kills = kill_at_every_step(
        base,
        {"site/dashboards": DASHBOARDS},
        lambda root: build_dashboards(
            built.database,
            second,
            root / "site" / "dashboards",
            extracts,
            PRINCIPALS[:1],
            built.target,
        ),
        state,
        [old, new],
        tmp_path,
    )
    print(f"dashboards build: killed at each of {kills} steps")
    assert kills > 5


def test_a_kill_at_any_step_of_portals_leaves_a_complete_generation_without_stale_portals(
    built: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real `build_portals` (generation, carry, zips); a portal's pages are stubbed. carol is
    deactivated between the runs: `portals --as alice` drops her portal and zip, carries bob's."""
    edition = {"text": "first"}

    def write_portal(
        _warehouse: Path, _extracts: Path, principal: str, root: Path, *_: object
    ) -> None:
        (root / "dashboards").mkdir(parents=True)
        (root / "index.html").write_text(f"{principal} {edition['text']}")
        (root / "dashboards" / "sales.html").write_text(f"sales of {principal}")

    monkeypatch.setattr(portals_build, "write_portal", write_portal)
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    old_warehouse = built.database_copy(tmp_path / "old")
    new_warehouse = built.database_copy(tmp_path / "new")
    keep_active(old_warehouse, [*PRINCIPALS, "carol@example.com"])
    keep_active(new_warehouse, PRINCIPALS)
    sources = (REPO / "dashboards", REPO / "notebooks", built.target / "manifest.json")

    def build(database: Path, root: Path, only: str | None) -> None:
        build_portals(database, root / "portals", root / "extracts", *sources, only)

    base = tmp_path / "base"
    build(old_warehouse.database, base, None)
    edition["text"] = "second"
    states = rerun_states(
        base,
        tmp_path / "reference",
        lambda root: build(new_warehouse.database, root, PRINCIPALS[0]),
        lambda root: tree(root / "portals"),
    )
    slugs = {p: Path(extract_file(p)).stem for p in [*PRINCIPALS, "carol@example.com"]}
    old, new = states
    assert f"{slugs['carol@example.com']}.zip" in old and not [
        name for name in new if name.startswith(slugs["carol@example.com"])
    ]
    bobs = {name: digest for name, digest in old.items() if name.startswith("bob-")}
    assert bobs and bobs == {name: d for name, d in new.items() if name.startswith("bob-")}
    assert old[f"{slugs['alice@example.com']}.zip"] != new[f"{slugs['alice@example.com']}.zip"]
    kills = kill_at_every_step(
        base,
        {"portals": PORTALS},
        lambda root: build(new_warehouse.database, root, PRINCIPALS[0]),
        lambda root: tree(root / "portals"),
        states,
        tmp_path,
    )
    print(f"portals: killed at each of {kills} steps")
    assert kills > 5


def rerun_states(
    base: Path, reference: Path, action: Callable[[Path], object], state: Callable[[Path], object]
) -> list[object]:
    """[state before, state after] of `action` run once on a copy of `base` (in `reference`)."""
    shutil.copytree(base, reference, symlinks=True)
    action(reference)
    states = [state(base), state(reference)]
    assert states[0] != states[1]
    return states


def test_a_kill_at_any_step_of_notebooks_build_leaves_a_complete_generation(
    built: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real `notebooks build` command; executing a notebook is stubbed by writing its page."""
    edition = {"text": "first"}

    def run_principal(
        _warehouse: Path,
        _extracts: Path,
        principal: str,
        notebooks: list[Notebook],
        out: Path,
        _cwd: Path,
    ) -> Iterator[Notebook]:
        folder = out / Path(extract_file(principal)).stem
        folder.mkdir(parents=True)
        for notebook in notebooks:
            (folder / f"{notebook.name}.html").write_text(f"{notebook.name} {edition['text']}")
            yield notebook

    monkeypatch.setattr(notebooks_run, "run_principal", run_principal)
    monkeypatch.setenv("LAKESIGHT_DB", str(built.database))

    notebooks = tmp_path / "notebooks"  # one notebook: the steps per principal are the same
    notebooks.mkdir()
    shutil.copy(REPO / "notebooks" / "churn_model.py", notebooks)

    def build(root: Path) -> None:
        notebooks_cli.build(None, notebooks, root / "site" / "notebooks", root / "x")

    base = tmp_path / "base"
    build(base)
    edition["text"] = "second"
    states = rerun_states(
        base, tmp_path / "reference", build, lambda root: tree(root / "site" / "notebooks")
    )
    kills = kill_at_every_step(
        base,
        {"site/notebooks": NOTEBOOKS},
        build,
        lambda root: tree(root / "site" / "notebooks"),
        states,
        tmp_path,
    )
    print(f"notebooks build: killed at each of {kills} steps")
    assert kills > 5


def test_a_kill_at_any_step_of_profiles_leaves_a_complete_generation(
    built: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real `build_profiles`; profiling is stubbed by writing the pages it would write."""
    edition = {"text": "first"}

    def write_profiles(_warehouse: Path, out: Path, *_: object) -> None:
        (out / "marts.fct_orders.html").write_text(f"orders {edition['text']}")
        (out / "as-bob-0123456789abcdef").mkdir()
        (out / "as-bob-0123456789abcdef" / "secure.orders.html").write_text(edition["text"])
        (out / "index.html").write_text(f"index {edition['text']}")

    monkeypatch.setattr(profile_run, "_write_profiles", write_profiles)

    def build(root: Path) -> None:
        build_profiles(built.database, root / "site" / "profiles", built.target / "manifest.json")

    base = tmp_path / "base"
    build(base)
    edition["text"] = "second"
    states = rerun_states(
        base, tmp_path / "reference", build, lambda root: tree(root / "site" / "profiles")
    )
    kills = kill_at_every_step(
        base,
        {"site/profiles": PROFILES},
        build,
        lambda root: tree(root / "site" / "profiles"),
        states,
        tmp_path,
    )
    print(f"profiles: killed at each of {kills} steps")
    assert kills > 3


def test_a_kill_at_any_step_of_validate_data_docs_leaves_a_complete_generation(
    built: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real `validate --data-docs` command (and the real offline rewrite of the pages); GX
    is stubbed by a checkpoint that writes Data Docs pages and meets every expectation."""
    edition = {"text": "first"}

    def run_checkpoint(_database: Path, *, data_docs: Path) -> list[object]:
        (data_docs / "validations" / "orders").mkdir(parents=True)
        (data_docs / "validations" / "orders" / "run.html").write_text(f"<p>{edition['text']}</p>")
        (data_docs / "index.html").write_text(f"<p>index {edition['text']}</p>")
        return []

    runner = types.ModuleType("lakesight.quality.runner")
    runner.run_checkpoint = run_checkpoint  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "lakesight.quality.runner", runner)

    def build(root: Path) -> None:
        quality_cli.validate(built.database, None, None, root / "site" / "gx")

    def state(root: Path) -> dict[str, str]:
        return tree(root / "site" / "gx")

    base = tmp_path / "base"
    build(base)
    edition["text"] = "second"
    states = rerun_states(base, tmp_path / "reference", build, state)
    kills = kill_at_every_step(base, {"site/gx": DATA_DOCS}, build, state, states, tmp_path)
    print(f"validate --data-docs: killed at each of {kills} steps")
    assert kills > 3


def quick_chart(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A stand-in for the model card's vl-convert drawing (its threads do not survive a fork)."""
    return {"id": name, "spec": json.dumps(spec["title"]), "svg": f"<svg>{name}</svg>"}


@pytest.fixture
def quick_training(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    """`ml train` with reading the features, training and scoring stubbed (the model card is
    rendered, its charts stubbed): the command's own file-system steps only. Set "auc" to
    change what the next run writes."""
    labels = pd.DataFrame({train.LABEL: [0, 1]})
    edition = {"auc": 0.6}

    def trained(_frame: object) -> train.Result:
        split = train.Split(labels, labels, ["2025-01-01"], ["2025-02-01"])
        names = ("roc_auc", "pr_auc", "brier", "lift_at_10pct")
        metrics = {"gradient_boosting": dict.fromkeys(names, edition["auc"])}
        calibration = [dict.fromkeys(("bin_low", "mean_predicted", "observed_rate"), 0.5)]
        calibration[0] |= {"bin_high": 1.0, "rows": 2}
        auc = edition["auc"]
        intervals = {
            "gradient_boosting": {"low": auc, "high": auc},
            "margin_over_recency": {"estimate": 0.1, "low": 0.05, "high": 0.15},
        }
        model = {"auc": auc}  # pickled as model.pkl: a new edition changes it
        return train.Result(split, metrics, calibration, "gradient_boosting", model, intervals)

    monkeypatch.setattr(train, "read_features", lambda _database: labels)
    monkeypatch.setattr(train, "train", trained)
    monkeypatch.setattr(train, "write_predictions", lambda *_: 0)
    monkeypatch.setattr(ml_card, "chart", quick_chart)
    warehouse = tmp_path / "lakesight.duckdb"
    warehouse.touch()
    monkeypatch.setenv("LAKESIGHT_DB", str(warehouse))
    return edition


def ml_train(root: Path, card: str = "site/ml/churn_model.html") -> None:
    """`lakesight ml train` with its default folders under `root` (or another --card)."""
    ml_cli.train_command(root / "target" / "ml", root / card)


def test_a_kill_at_any_step_of_ml_train_leaves_each_folder_old_or_new(
    tmp_path: Path, quick_training: dict[str, float]
) -> None:
    """The real `ml train` command over its two generated folders (the model's, the card's)."""
    edition = quick_training
    build = ml_train

    def state(root: Path) -> tuple[dict[str, str], dict[str, str]]:
        return tree(root / "target" / "ml"), tree(root / "site" / "ml")

    base = tmp_path / "base"
    build(base)
    assert (base / "site" / "ml" / "vendor").is_dir() and (
        base / "target" / "ml" / "model.pkl"
    ).exists()
    edition["auc"] = 0.7
    (old_model, old_card), (new_model, new_card) = rerun_states(
        base, tmp_path / "reference", build, state
    )
    assert old_model != new_model and old_card != new_card
    # the model folder switches first: a kill between the switches leaves the new model, old card
    allowed: list[object] = [(old_model, old_card), (new_model, old_card), (new_model, new_card)]
    folders = {"target/ml": ML, "site/ml": ML}
    kills = kill_at_every_step(base, folders, build, state, allowed, tmp_path)
    print(f"ml train: killed at each of {kills} steps")
    assert kills > 5


def test_ml_train_refuses_a_foreign_file_before_training_and_migrates_its_old_folders(
    tmp_path: Path, quick_training: dict[str, float]
) -> None:
    # what the previous version wrote: the card and its scripts, the model and its metrics
    (tmp_path / "site" / "ml" / "vendor").mkdir(parents=True)
    (tmp_path / "site" / "ml" / "churn_model.html").write_text("old card")
    (tmp_path / "site" / "ml" / "vendor" / "vega.min.js").write_text("old")
    (tmp_path / "target" / "ml").mkdir(parents=True)
    (tmp_path / "target" / "ml" / "model.pkl").write_text("old")
    (tmp_path / "site" / "ml" / "notes.md").write_text("mine")
    with pytest.raises(OutputError, match=r"ml holds notes\.md, which is not ml lakesight wrote"):
        ml_train(tmp_path)
    assert (tmp_path / "target" / "ml" / "model.pkl").read_text() == "old"  # nothing written
    (tmp_path / "site" / "ml" / "notes.md").unlink()
    ml_train(tmp_path)  # taken over once
    for folder in (tmp_path / "site" / "ml", tmp_path / "target" / "ml"):
        assert folder.is_symlink()
        owned(folder)
        assert leftovers(folder.parent, "ml") == []
    assert "ROC AUC" in (tmp_path / "site" / "ml" / "churn_model.html").read_text()
    assert sorted(tree(tmp_path / "target" / "ml")) == [OWNERSHIP, "metrics.json", "model.pkl"]
    (tmp_path / "site" / "ml" / "vendor" / "mine.js").write_text("mine")
    with pytest.raises(OutputError, match=r"ml holds vendor/mine\.js, which lakesight did not"):
        ml_train(tmp_path)
    assert (tmp_path / "site" / "ml" / "vendor" / "mine.js").read_text() == "mine"
    # the card inside the model folder: one generated folder holds both
    ml_cli.train_command(tmp_path / "model", tmp_path / "model" / "card" / "churn_model.html")
    assert sorted(tree(tmp_path / "model")) == [
        OWNERSHIP,
        "card/churn_model.html",
        *[f"card/vendor/{name}" for name in sorted(VENDOR)],
        "metrics.json",
        "model.pkl",
    ]


def test_the_site_index_links_the_model_card_in_its_generated_folder(
    tmp_path: Path, quick_training: dict[str, float]
) -> None:
    ml_train(tmp_path)
    (tmp_path / "target" / "static_index.html").write_text("<html></html>")
    index = build_site(REPO, tmp_path / "target", tmp_path / "none.duckdb", tmp_path / "site")
    assert 'href="ml/churn_model.html"' in index.read_text()
    assert (tmp_path / "site" / "ml").is_symlink()
    assert relative_links(tmp_path / "site" / "ml") == []  # its vendor/ scripts beside it


def test_the_site_removes_the_principals_folders_an_earlier_build_wrote_into_it(
    built: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`site/dashboards/` (a generation) and `site/notebooks/` (a folder of the version before
    generations): principals' pages, now in the portals (docs/security.md); a folder lakesight
    did not write is refused, and nothing is removed."""
    monkeypatch.setattr(dashboards_build, "tile_spec", quick_tile_spec)
    site, target, pages = tmp_path / "site", tmp_path / "target", tmp_path / "pages"
    pages.mkdir()  # a page whose stand-in specs are plain JSON (no dates)
    shutil.copy(REPO / "dashboards" / "targets.yml", pages)
    build_dashboards(
        built.database, pages, site / "dashboards", tmp_path / "x", PRINCIPALS[:1], built.target
    )
    (site / "notebooks" / "bob-0123456789abcdef").mkdir(parents=True)
    (site / "notebooks" / "index.html").write_text("bob")
    target.mkdir()
    (target / "static_index.html").write_text("<html></html>")
    build_site(REPO, target, built.database, site)
    assert not [e.name for e in site.iterdir() if "dashboards" in e.name and "lock" not in e.name]
    assert not (site / "notebooks").exists()
    (site / "notebooks").mkdir()
    (site / "notebooks" / "mine.md").write_text("mine")
    with pytest.raises(OutputError, match=r"notebooks holds mine\.md"):
        build_site(REPO, target, built.database, site)
    assert (site / "notebooks" / "mine.md").read_text() == "mine"


def test_export_policies_refuses_a_folder_with_other_files_and_removes_nothing(
    built: Warehouse, tmp_path: Path
) -> None:
    """It used to delete every quicksight/rls/*.csv of the folder it was given."""
    folder = tmp_path / "mine"
    (folder / "quicksight" / "rls").mkdir(parents=True)
    (folder / "quicksight" / "rls" / "orders.csv").write_text("my own")
    (folder / "notes.md").write_text("mine")
    before = tree(tmp_path)
    with pytest.raises(OutputError, match=r"mine holds notes\.md, which is not native-policy"):
        export_policies(built.database, folder, NativeSettings())
    assert tree(tmp_path) == before
    native = tmp_path / "native"
    export_policies(built.database, native, NativeSettings())
    (native / "quicksight" / "rls" / "extra.csv").write_text("mine")
    with pytest.raises(OutputError, match=r"holds quicksight/rls/extra\.csv, which lakesight did"):
        export_policies(built.database, native, NativeSettings())
    assert (native / "quicksight" / "rls" / "extra.csv").read_text() == "mine"


def test_a_kill_at_any_step_of_export_policies_leaves_a_complete_generation(
    built: Warehouse, tmp_path: Path
) -> None:
    """The real `export_policies` (it writes and checks every file offline: no stub needed)."""
    folder = tmp_path / "base" / "exports-native"
    export_policies(built.database, folder, NativeSettings(region="eu-west-1"))
    (folder / "quicksight" / "rls" / "orders.csv").unlink()  # the next run puts it back
    with output_lock(folder, NATIVE), generation(folder, NATIVE) as new:  # a consistent old one
        for name in tree(folder):
            if name != OWNERSHIP:
                new.carry(name)

    def build(root: Path) -> None:
        export_policies(built.database, root / "exports-native", NativeSettings())

    def state(root: Path) -> dict[str, str]:
        return tree(root / "exports-native")

    states = rerun_states(tmp_path / "base", tmp_path / "reference", build, state)
    assert "quicksight/rls/orders.csv" in states[1]
    kills = kill_at_every_step(
        tmp_path / "base", {"exports-native": NATIVE}, build, state, states, tmp_path
    )
    print(f"export-policies: killed at each of {kills} steps")
    assert kills > 5


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
SOURCES = (*PAGES, "--notebooks", str(REPO / "notebooks"))


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("publish", "--dev", "--exports", "."), "is the current folder"),
        (("publish", "--dev", "--exports", "site"), "holds dbt-docs.html, gx, profiles"),
        (("dashboards", "build", *PAGES), "holds dbt-docs"),
        (("dashboards", "build", *PAGES, "--out", "."), "is the current folder"),
        (("notebooks", "build", "--notebooks", str(REPO / "notebooks")), "holds dbt-docs"),
        (("profiles", "--manifest", "MANIFEST"), "holds dbt-docs"),
        (("portals", *SOURCES, "--manifest", "MANIFEST"), "holds dbt-docs"),
        (("portals", *SOURCES, "--out", "."), "is the current folder"),
        (("publish", "--dev", "--exports", "lake/x"), "is inside the lake"),
        (("export-policies", "--out", "."), "is the current folder"),
        (("export-policies", "--out", "models"), "models holds orders.sql"),
        (("export-policies", "--out", "site"), "holds dbt-docs.html"),
        (("ml", "train", "--out", "models"), "models holds orders.sql"),
        (("ml", "train", "--out", "target/ml", "--card", "site/card.html"), "holds dbt-docs"),
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
