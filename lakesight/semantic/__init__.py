"""The semantic layer: metrics defined once in dbt's YAML, answered by MetricFlow
(docs/semantic-layer.md)."""
