"""Which failures are worth a retry: dropped connections and restarts, not wrong input or a leak."""

from __future__ import annotations

import psycopg

TRANSIENT = (psycopg.OperationalError,)


def retry_transient(task, task_run, state) -> bool:
    """Prefect's retry_condition_fn: retry only what a dropped connection or a restart explains."""
    return isinstance(state.result(raise_on_failure=False), TRANSIENT)
