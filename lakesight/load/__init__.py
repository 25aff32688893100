"""Raw loads: the code behind the Python models of `models/raw/`, one reader per lake format."""

from lakesight.load.files import LakeLoadError
from lakesight.load.readers import (
    LOG_EXTENSIONS,
    load_avro,
    load_csv,
    load_lines,
    load_orc,
    load_parquet,
)

__all__ = [
    "LOG_EXTENSIONS",
    "LakeLoadError",
    "load_avro",
    "load_csv",
    "load_lines",
    "load_orc",
    "load_parquet",
]
