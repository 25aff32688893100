"""Executed notebooks: notebooks/*.py (Jupytext percent format) run per principal on its extract."""
