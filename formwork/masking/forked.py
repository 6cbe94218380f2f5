"""Forked worker processes, one per core: the Python side of masking and of its leak search.

Forking after the big structures are built (dictionaries, automata) hands every
worker a copy for free. The workers never touch the parent's connection. Where
fork is not available, one thread of this process does the jobs instead.
"""

from __future__ import annotations

import ctypes
import functools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor

MAX_WORKERS = 4


def executor(initializer: Callable[[], None] | None = None) -> Executor:
    cores = os.cpu_count() or 1
    if "fork" in multiprocessing.get_all_start_methods() and cores > 1:
        return ProcessPoolExecutor(
            max_workers=min(cores, MAX_WORKERS),
            initializer=functools.partial(_started, initializer, os.getpid()),
            mp_context=multiprocessing.get_context("fork"),
        )
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="formwork-mask")


def windowed(pool: Executor, jobs: Iterable[tuple[Callable, tuple]], window: int = 2 * MAX_WORKERS) -> Iterator:
    """The jobs' results in order, with at most `window` jobs handed out and not yet taken back: results the
    workers produce faster than the caller uses them would otherwise wait in this process's memory."""
    pending: deque[Future] = deque()
    for function, arguments in jobs:
        pending.append(pool.submit(function, *arguments))
        if len(pending) > window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _started(initializer: Callable[[], None] | None, parent: int) -> None:
    _die_with_parent(parent)
    if initializer is not None:
        initializer()


def _die_with_parent(parent: int) -> None:
    """A worker holds copies of the parent's connection (inside the masking transaction) and of its stdout: if
    the parent is killed, a worker left waiting for jobs would keep that transaction open and the caller's pipe
    unclosed, for ever. On Linux the kernel kills it with its parent; elsewhere it outlives it until its queue closes."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
