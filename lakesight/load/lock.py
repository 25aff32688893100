"""One sentence, not a traceback, when another process holds the warehouse's DuckDB lock.

DuckDB allows one writer per database file. A second `dbt build` fails inside dbt-duckdb with a
230-line traceback; `make build` runs dbt through this wrapper instead:

    python -m lakesight.load.lock -- dbt build [args…]

It checks the lock first (opening the file for writing and closing it at once), then runs the
command with its output streamed unchanged, except that a lock failure (another build started
in between) is replaced by the same one sentence. The exit status is the command's, or 75
(EX_TEMPFAIL) when the warehouse is locked.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb

from lakesight.config import warehouse_file

#: exit status when the warehouse is locked (EX_TEMPFAIL: try again later)
LOCKED = 75
LOCK_ERROR = re.compile(r"Could not set lock on file \"?(?P<file>[^\"]+)\"?")
HOLDER = re.compile(r"held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def warehouse() -> Path:
    """The warehouse file dbt writes (profiles.yml: env LAKESIGHT_DB, default lakesight.duckdb)."""
    return warehouse_file()


def command_of(pid: str) -> str:
    """The command line of a process, when the system shows it (Linux /proc)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    words = [w for w in raw.decode(errors="replace").split("\0") if w]
    # show the program and its first arguments by name: `dbt build`, not the interpreter path
    shown = [Path(words[0]).name, *words[1:]] if words else []
    return " ".join(" ".join(shown).split())[:120]


def lock_sentence(message: str, database: Path) -> str | None:
    """The one sentence for DuckDB's lock error `message`, or None for another error."""
    found = LOCK_ERROR.search(message)
    if not found:
        return None
    holder = HOLDER.search(message)
    if holder:
        pid = holder["pid"]
        command = command_of(pid) or Path(holder["program"]).name
        who = f"process {pid} ({command})"
        what = f"wait for it to finish or stop it (kill {pid})"
    else:
        who, what = "another process", "wait for it to finish"
    return (
        f"The warehouse {found['file']} is locked by {who}: DuckDB allows one writer at a time, "
        f"so {what} and run the build again (LAKESIGHT_DB={database} selects the file)."
    )


def preflight(database: Path) -> str | None:
    """The lock sentence when another process holds the warehouse now, else None."""
    if not database.exists():
        return None
    try:
        duckdb.connect(str(database)).close()
    except duckdb.IOException as exc:
        return lock_sentence(str(exc), database)
    return None


def run(command: list[str], database: Path) -> int:
    """Run the command, streaming its output; a DuckDB lock failure becomes one sentence."""
    sentence = preflight(database)
    if sentence:
        print(sentence, file=sys.stderr)
        return LOCKED
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    held: str | None = None  # dbt's "Encountered an error:" line, shown unless a lock error follows
    for line in process.stdout:
        if sentence:
            continue  # the traceback of the lock failure
        if held is not None:
            sentence = lock_sentence(line, database)
            if sentence:
                held = None
                continue
            sys.stdout.write(held)
            held = None
        if line.rstrip().endswith("Encountered an error:"):
            held = line
            continue
        sys.stdout.write(line)
        sys.stdout.flush()
    if held is not None:
        sys.stdout.write(held)
    status = process.wait()
    if sentence:
        print(sentence, file=sys.stderr)
        return LOCKED
    return status


def main(argv: list[str] | None = None) -> int:
    """`python -m lakesight.load.lock -- <command…>`: run a dbt command on the warehouse."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--"]:
        args = args[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    return run(args, warehouse())


if __name__ == "__main__":
    sys.exit(main())
