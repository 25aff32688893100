"""The Spark target (docs/scale-out.md): the session dbt-spark opens, and the raw step that loads
the lake into Spark tables before `dbt build --target spark`."""
