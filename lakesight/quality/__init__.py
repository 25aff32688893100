"""The Great Expectations quality gate: DuckDB adapter, suites as code, `lakesight validate`."""
