"""Engines other than DuckDB that the same dbt project builds on: spark/ (docs/scale-out.md)."""
