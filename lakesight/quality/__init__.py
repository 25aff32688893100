"""The Great Expectations quality gate: DuckDB adapter (`gx_duckdb`), suites as code, report."""
