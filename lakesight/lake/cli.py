"""`lakesight lake …` commands (generator owner: replace this stub)."""

from __future__ import annotations

import typer

lake_app = typer.Typer(help="Generate or extend the local data lake (data/lake/).", no_args_is_help=True)
