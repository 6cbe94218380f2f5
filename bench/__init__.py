"""Benchmarks: `make bench` (or `python -m bench`). Each prints ratios against baselines measured in the same run."""
