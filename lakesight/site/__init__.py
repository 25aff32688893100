"""The last room of the flow: the build summary (summary.py) and the owner's site (owner.py)."""
