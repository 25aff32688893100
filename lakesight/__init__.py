"""lakesight: a secure, fast analytics warehouse on DuckDB built with dbt."""

__version__ = "0.1.0"
