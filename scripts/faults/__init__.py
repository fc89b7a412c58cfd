"""Fault scripts: each starts its own production shape, injects one fault under load, and ends
with the same nothing-lost verification as the load script."""
