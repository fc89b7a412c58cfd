"""Operational scripts: the production shape on one machine, load, faults, verification."""
