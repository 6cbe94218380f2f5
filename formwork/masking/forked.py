"""Forked worker processes, one per core: the Python side of masking and of its leak search.

Forking after the big structures are built (dictionaries, automata) hands every
worker a copy for free. The workers never touch the parent's connection. Where
fork is not available, one thread of this process does the jobs instead.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

MAX_WORKERS = 4


def executor(initializer: Callable[[], None] | None = None) -> Executor:
    cores = os.cpu_count() or 1
    if "fork" in multiprocessing.get_all_start_methods() and cores > 1:
        return ProcessPoolExecutor(max_workers=min(cores, MAX_WORKERS), initializer=initializer,
                                   mp_context=multiprocessing.get_context("fork"))
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="formwork-mask")
