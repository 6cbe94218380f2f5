"""Where the new values are computed: forked workers (see forked.py).

Fakes, scrubbing and hashes are pure Python and the heaviest part of a run;
PostgreSQL needs a core of its own for the rewrites. Workers are forked once the
dictionaries are settled, so each holds the same dictionaries and rules as the
parent and computes exactly what the parent would (every fake is a pure function
of its original); each job brings the originals of its rows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from formwork.masking import forked

_MASKER: Any = None  # the Masker whose values the jobs read: set before the workers fork


@dataclass
class ColumnResult:
    values: list  # the new value of each row, in the order the rows were read
    produced: str = ""  # fakes drawn while computing them, one per line (leaks.one_per_line)
    originals: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (origin, kind) -> originals replaced in text
    hits: set[str] = field(default_factory=set)  # kinds of personal values the detectors still found


def column(index: int, name: str, values: list) -> ColumnResult:
    """The job: new values of some rows of one column of one entry, from their original `values`."""
    return _MASKER.column_values(index, name, values)


def _yield_to_postgres() -> None:
    """Workers run at a lower priority: when a core is wanted by both, the rewrite PostgreSQL is
    running is what the run waits for; the workers only need to stay ahead of it."""
    os.nice(5)


@contextmanager
def pool(masker: Any) -> Iterator[Executor]:
    global _MASKER
    _MASKER = masker
    try:
        with forked.executor(initializer=_yield_to_postgres) as executor:
            yield executor
    finally:
        _MASKER = None
