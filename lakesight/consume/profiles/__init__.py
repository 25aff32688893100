"""Profiles of the marts and secure datasets, computed in DuckDB SQL (`lakesight profile`).

stats.py  the statistics (SQL only; what each one is, and when a sample is used)
keys.py   the primary key of a relation, from dbt's manifest
charts.py inline SVG charts
pages.py  the HTML pages (Jinja2 templates in templates/)
run.py    the warehouse or a principal's extract as the source; the site's profile pages
"""
