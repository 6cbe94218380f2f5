"""First draws of fakes on every core: fake generation is pure Python and the heaviest part.

Workers are forked after the pools are built, so they share the parent's Faker pools and
keyed functions and return exactly what the parent would have computed.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

_MAKERS: dict[str, Callable[[str, int], str]] = {}
CHUNK = 20000
MIN_PARALLEL = 40000


def _draw(kind: str, chunk: list[str]) -> list[str]:
    make = _MAKERS[kind]
    return [make(original, 0) for original in chunk]


def first_draws(work: dict[str, tuple[Callable[[str, int], str], list[str]]]) -> dict[str, dict[str, str]]:
    """kind -> {original: fake}, for kinds big enough to be worth a second process."""
    big = {kind: job for kind, job in work.items() if len(job[1]) >= MIN_PARALLEL}
    workers = min(os.cpu_count() or 1, 4)
    if not big or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return {}
    _MAKERS.clear()
    _MAKERS.update({kind: make for kind, (make, _) in big.items()})
    results: dict[str, dict[str, str]] = {kind: {} for kind in big}
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = []
        for kind, (_, originals) in big.items():
            for start in range(0, len(originals), CHUNK):
                chunk = originals[start:start + CHUNK]
                futures.append((kind, chunk, pool.submit(_draw, kind, chunk)))
        for kind, chunk, future in futures:
            results[kind].update(zip(chunk, future.result()))
    _MAKERS.clear()
    return results
