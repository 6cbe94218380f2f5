"""The pure work of reading originals ahead (digests, normal forms), done in forked workers while this process reads on.

Reading every original ahead of the rewrite was one process's work: fetching rows, and computing each value's
digest (formwork.masking.digest_set) and normal forms (formwork.masking.normal_forms), about three quarters of
it the computing. Inside `workers()`, `run(function, values, then)` hands the computing to a worker and
`then(result)` is called in this process, in the order the calls were made, so every set and map is built
exactly as it would be inline; outside it, both happen at once. Whoever reads what the results build calls
`drain()` first (the sets and maps do, in their own readers).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from typing import Any

from formwork.masking import forked

# Jobs handed out and not yet taken back: enough to keep every worker busy, few enough that the values they carry
# (a chunk of rows each) never add up.
WINDOW = 2 * forked.MAX_WORKERS

_pool: Executor | None = None
_pending: deque[tuple[Future, Callable[[Any], None]]] = deque()


def run(function: Callable[[list], Any], values: list, then: Callable[[Any], None]) -> None:
    """then(function(values)): in a worker inside workers(), else at once. `function` is pure and module-level."""
    if _pool is None:
        then(function(values))
        return
    _pending.append((_pool.submit(function, values), then))
    while len(_pending) > WINDOW:
        _take_one()


def drain() -> None:
    """Every result handed out so far, taken in: before anything built from them is read."""
    while _pending:
        _take_one()


def _take_one() -> None:
    future, then = _pending.popleft()
    then(future.result())


@contextmanager
def workers() -> Iterator[None]:
    """Forked workers for run() until the block ends, every result taken in when it does (also on an error:
    nothing is left running)."""
    global _pool
    with forked.executor() as pool:
        _pool = pool
        try:
            yield
            drain()
        finally:
            _pool = None
            for future, _ in _pending:
                future.cancel()
            _pending.clear()
