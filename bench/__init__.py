"""Benchmarks for crossplan: synthetic data at 10k-1M triples and a side-by-side timing table.

Run ``python -m bench run`` (see ``python -m bench --help``). Not part of the unit tests.
"""
