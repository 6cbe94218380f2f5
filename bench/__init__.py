"""Benchmarks: `make bench` (or `python -m bench`). Each prints ratios against baselines measured in the same run.

A front-end like the command line: it installs the production guard's catalogue, the environments of the Prefect
server the run talks to (none before a benchmark starts its temporary server: its clusters are throwaway ones).
Spawned children import this package too, so the seed and the masking runs they do are guarded the same way.
"""

from prefect.settings import PREFECT_API_URL

from blocks import catalogue
from formwork import production_guard

production_guard.use_catalogue(lambda: catalogue.known_environments() if PREFECT_API_URL.value() else [])
