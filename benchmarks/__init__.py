"""`make bench`: the benchmark and its comparisons, tooling outside the lakesight package.

Run from the repository root (`python -m benchmarks.bench`); docs/performance.md explains
the figures.
"""
