"""Slots of Prefect global concurrency limits around heavy work.

Dumps and restores take one slot on each database server they touch
(`db-server:HOST:PORT`, limit K, created by `formwork deploy`), so at most K heavy
jobs hit one server at once whoever started them. A refresh and a drill of the same
environment hold its `environment:NAME` limit (1), so they never overlap; the backups of
an environment (taking one, then pruning) hold its `backup:NAME` limit (1), so retention
never sees a backup of its own environment still being written. A limit that
does not exist yet (nothing deployed) lets the work through; without the backup lock,
retention keeps unfinished backups rather than guess which are still being written.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from prefect import get_client, get_run_logger
from prefect.concurrency.sync import concurrency
from prefect.exceptions import MissingContextError, ObjectNotFound

from blocks.odoo_environment import OdooEnvironment
from formwork.dsn import ConnectionSpec

DEFAULT_SERVER_SLOTS = 2


def server_limit(host: str, port: int) -> str:
    """`/` is not allowed in a limit name; a socket directory keeps its shape with `~`."""
    return f"db-server:{host.replace('/', '~')}:{port}"


def environment_limit(name: str) -> str:
    return f"environment:{name}"


def backup_limit(name: str) -> str:
    return f"backup:{name}"


def _servers(*servers: OdooEnvironment | ConnectionSpec) -> list[str]:
    names = {server_limit(s.db_host, s.db_port) if isinstance(s, OdooEnvironment) else server_limit(s.host, s.port) for s in servers}
    return sorted(names)


@contextmanager
def _slots(names: list[str], why: str) -> Iterator[None]:
    """All names at once (the server takes them together, so two jobs never deadlock); logs the wait."""
    try:
        logger = get_run_logger()
    except MissingContextError:
        logger = None
    started = time.monotonic()
    if logger:
        logger.info("%s: taking a slot of %s", why, ", ".join(names))
    with concurrency(names, occupy=1):  # a missing limit (nothing deployed yet) is logged and let through
        if logger:
            logger.info("%s: slot taken after %.1f s", why, time.monotonic() - started)
        yield
    if logger:
        logger.info("%s: slot released", why)


def server_slots(*servers: OdooEnvironment | ConnectionSpec, why: str = "heavy job") -> AbstractContextManager[None]:
    """One slot on each distinct database server, e.g. the source and the target of a clone."""
    return _slots(_servers(*servers), why)


def environment_lock(name: str, why: str) -> AbstractContextManager[None]:
    return _slots([environment_limit(name)], why)


@contextmanager
def backup_lock(name: str) -> Iterator[bool]:
    """Yields whether the lock is real: without its limit (nothing deployed) the backup still runs,
    but retention cannot tell a killed backup from one still being written, so it keeps both."""
    limit = backup_limit(name)
    with get_client(sync_client=True) as client:
        try:
            real = client.read_global_concurrency_limit_by_name(limit).active
        except ObjectNotFound:
            real = False
    with _slots([limit], "backup lock"):
        yield real
