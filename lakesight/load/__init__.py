"""Raw loads: the code behind the Python models of `models/raw/`, one reader per lake format.

The readers (and the pyarrow, pandas and polars they import) load on first use, so a command
that imports `lakesight.load.lock` or `lakesight.load.files` does not pay for them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: what the raw models import from here, and the module that holds it
_EXPORTS = {
    "LOG_EXTENSIONS": "lakesight.load.readers",
    "LakeLoadError": "lakesight.load.files",
    "load_avro": "lakesight.load.readers",
    "load_csv": "lakesight.load.readers",
    "load_lines": "lakesight.load.readers",
    "load_orc": "lakesight.load.readers",
    "load_parquet": "lakesight.load.readers",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
