"""Which failures are worth a retry: dropped connections and restarts, not wrong input or a leak."""

from __future__ import annotations

import psycopg

from formwork.errors import InputError

TRANSIENT = (psycopg.OperationalError,)


def retry_transient(task, task_run, state) -> bool:
    """Prefect's retry_condition_fn: retry only what a dropped connection or a restart explains."""
    return isinstance(state.result(raise_on_failure=False), TRANSIENT)


def retry_unless_refused(task, task_run, state) -> bool:
    """For steps whose transient failures have many shapes (object stores, registries, git): retry anything
    but a refusal or wrong input, which the same call would meet again after the pause."""
    return not isinstance(state.result(raise_on_failure=False), InputError)
