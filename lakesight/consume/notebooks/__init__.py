"""Executed notebooks: notebooks/*.py (Jupytext percent format) run per principal on its extract.

The heavy imports (nbclient, nbconvert, jupytext) live in lakesight.consume.notebooks.run,
imported only when notebooks are built, so every other `lakesight` command starts without them.
"""


class NotebookError(RuntimeError):
    """A notebook that cannot run: no parameters cell, or a cell that raised."""
