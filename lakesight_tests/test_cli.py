"""The command line: every command listed, errors as one sentence, tracebacks only with --debug."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lakesight_tests.support import BIN, REPO


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "lakesight"), *args], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in (
        "lake",
        "summary",
        "site",
        "validate",
        "query",
        "publish",
        "export-policies",
    ):
        assert f" {command} " in result.stdout, command
    assert "--debug" in result.stdout


def test_an_unexpected_error_is_one_sentence_and_the_traceback_needs_debug(tmp_path: Path) -> None:
    broken = tmp_path / "run_results.json"
    broken.write_text("{not json")
    plain = run("summary", "--run-results", str(broken))
    assert plain.returncode == 1
    assert "Traceback" not in plain.stderr + plain.stdout
    assert plain.stderr.strip().startswith("lakesight: JSONDecodeError:")
    assert len(plain.stderr.strip().splitlines()) == 1
    debug = run("--debug", "summary", "--run-results", str(broken))
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr
