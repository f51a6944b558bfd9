"""Benchmarks, run by hand: ``python -m bench.clone`` and ``python -m bench.api``."""
