"""One process for many `dbt` and `lakesight` commands: a child that runs them in-process.

A command run as its own process pays for its imports each time (dbt's: about 3 s), and on
Spark for a JVM of its own (dbt-spark's `method: session` and `lakesight spark …` open their
SparkSession in the process that runs them). `CommandProcess` starts one Python child that runs
the commands it is sent one after the other, in-process (dbt through `dbtRunner`, lakesight
through its console entry point): dbt is imported once, and on Spark the commands share the
child's one SparkSession (`getOrCreate`): one JVM, one embedded Derby metastore. Each command
gets its own environment, working folder and arguments, and its file descriptors 1 and 2
(Python, Rich and the JVM all write there) are captured into files and sent back, like a
subprocess's stdout and stderr. After each dbt command the child closes the DuckDB database
dbt-duckdb keeps open between invocations, so the next command (another folder, another file
under the same relative name) opens its own, and a test may copy or open the file at once.

The child reads one JSON request per line from a pipe and answers one JSON line on another pipe;
its own stdout and stderr (between commands) go to a log file.

    python -m tests.support.command_process COMMAND_FD REPLY_FD
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


class CommandProcess:
    """The child process, and how to run a command in it."""

    def __init__(self, log: Path) -> None:
        command_read, command_write = os.pipe()
        reply_read, reply_write = os.pipe()
        self.log = log
        with log.open("ab") as output:
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(command_read), str(reply_write)],
                cwd=Path(__file__).resolve().parents[2],  # the repository
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                pass_fds=(command_read, reply_write),
            )
        os.close(command_read)
        os.close(reply_write)
        self._commands = os.fdopen(command_write, "w", encoding="utf-8")
        self._replies = os.fdopen(reply_read, encoding="utf-8")

    def run(
        self, program: str, args: list[str], cwd: Path, env: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        """Run `dbt …` or `lakesight …` in the child, as a subprocess would run it."""
        request = {"program": program, "args": args, "cwd": str(cwd), "env": env}
        self._commands.write(json.dumps(request) + "\n")
        self._commands.flush()
        line = self._replies.readline()
        if not line:
            raise RuntimeError(f"the command process ended: its log is {self.log}")
        reply = json.loads(line)
        return subprocess.CompletedProcess(
            [program, *args], reply["returncode"], reply["stdout"], reply["stderr"]
        )

    def alive(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        """End the child (and a JVM it started)."""
        self._commands.close()
        try:
            self._process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._replies.close()


@contextlib.contextmanager
def _captured() -> Iterator[list[str]]:
    """File descriptors 1 and 2 into two temporary files for the block; their texts are in the
    list it yields once the block has ended."""
    texts: list[str] = []
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        saved = os.dup(1), os.dup(2)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        try:
            yield texts
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for descriptor, original in zip((1, 2), saved, strict=True):
                os.dup2(original, descriptor)
                os.close(original)
            for file in (out, err):
                file.seek(0)
                texts.append(file.read().decode("utf-8", "replace"))


def _close_duckdb() -> None:
    """Close the database dbt-duckdb keeps open for the next invocation (it would reuse it for
    the same credentials, and our profile names the file relative to the working folder)."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # no DuckDB adapter in this environment
        return
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def _invoke(program: str, args: list[str]) -> int:
    """Run one command in this process; its exit status."""
    if program == "dbt":
        from dbt.cli.main import dbtRunner

        try:
            result = dbtRunner().invoke(args)
        finally:
            _close_duckdb()
        if result.exception is not None:  # what the dbt command prints before it exits 2
            print(f"{type(result.exception).__name__}: {result.exception}", file=sys.stderr)
            return 2
        return 0 if result.success else 1
    if program != "lakesight":
        raise ValueError(f"unknown program {program}")
    from lakesight.cli import main

    sys.argv = ["lakesight", *args]
    try:
        main()
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else 0 if code is None else 1
    return 0


def _serve(commands: IO[str], replies: IO[str]) -> None:
    for line in commands:
        request: dict[str, Any] = json.loads(line)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        with _captured() as texts:
            try:
                code = _invoke(request["program"], request["args"])
            except Exception as error:  # reported like a crashed subprocess, the child lives on
                print(f"{type(error).__name__}: {error}", file=sys.stderr)
                code = 1
        reply = {"returncode": code, "stdout": texts[0], "stderr": texts[1]}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    with (
        os.fdopen(int(sys.argv[1]), encoding="utf-8") as command_pipe,
        os.fdopen(int(sys.argv[2]), "w", encoding="utf-8") as reply_pipe,
    ):
        _serve(command_pipe, reply_pipe)
