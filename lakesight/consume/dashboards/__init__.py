"""Dashboards as code: `dashboards/*.yml` checked, then rendered per principal from its extract."""
