"""Benchmarks for engagive_async: ``make bench`` (``python -m benchmarks``).

A fixed-latency Engagive-shaped server runs in its own process on 127.0.0.1; each client runs
in its own worker process so that its CPU time is attributable. Results land in
``benchmarks/results/`` (JSON, a PNG chart, RESULTS.md). Not part of ``make test``.
"""
