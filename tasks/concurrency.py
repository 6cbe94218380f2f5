"""Slots of Prefect global concurrency limits around heavy work.

Dumps and restores take one slot on each database server they touch
(`db-server:HOST:PORT`, limit K, set by `formwork deploy`), so at most K heavy
jobs hit one server at once whoever started them. A refresh and a drill of the same
environment hold its `environment:NAME` limit (1), so they never overlap; the backups of
an environment (taking one, then pruning) hold its `backup:NAME` limit (1), so retention
never sees a backup of its own environment still being written. A limit that does not
exist yet (nothing deployed) is created on first use with its default; one switched
off stops the work: a lock is never skipped.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from prefect import get_client, get_run_logger
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency
from prefect.exceptions import MissingContextError, ObjectAlreadyExists, ObjectNotFound

from blocks.odoo_environment import OdooEnvironment
from formwork.dsn import ConnectionSpec
from formwork.errors import OperationError

DEFAULT_SERVER_SLOTS = 2


def server_limit(host: str, port: int) -> str:
    """`/` is not allowed in a limit name; a socket directory keeps its shape with `~`."""
    return f"db-server:{host.replace('/', '~')}:{port}"


def environment_limit(name: str) -> str:
    return f"environment:{name}"


def backup_limit(name: str) -> str:
    return f"backup:{name}"


def _servers(*servers: OdooEnvironment | ConnectionSpec) -> dict[str, int]:
    names = {
        server_limit(s.db_host, s.db_port) if isinstance(s, OdooEnvironment) else server_limit(s.host, s.port) for s in servers
    }
    return dict.fromkeys(sorted(names), DEFAULT_SERVER_SLOTS)


def _ensure(limits: dict[str, int]) -> None:
    """Create each missing limit with its default (a later `formwork deploy` sets K); refuse one switched off."""
    with get_client(sync_client=True) as client:
        for name, default in limits.items():
            try:
                found = client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                try:
                    client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=default))
                except ObjectAlreadyExists:
                    pass  # another run created it a moment ago
                continue
            if not found.active:
                raise OperationError(
                    f"concurrency limit '{name}' is switched off (inactive), so it would not hold: "
                    "turn it back on in the Prefect UI or with formwork deploy"
                )


# A holder renews its lease while it runs; one killed with -9 stops renewing, and its slots come back when the
# lease runs out: the next run after a crash waits at most this long (Prefect's default is five minutes).
LEASE_SECONDS = 60


@contextmanager
def _slots(limits: dict[str, int], why: str) -> Iterator[None]:
    """All names at once (the server takes them together, so two jobs never deadlock); logs the wait."""
    names = list(limits)
    try:
        logger = get_run_logger()
    except MissingContextError:
        logger = None
    _ensure(limits)
    started = time.monotonic()
    if logger:
        logger.info("%s: taking a slot of %s", why, ", ".join(names))
    # strict: should the limits vanish after _ensure, Prefect refuses instead of skipping with a warning
    with concurrency(names, occupy=1, strict=True, lease_duration=LEASE_SECONDS, raise_on_lease_renewal_failure=False):
        if logger:
            logger.info("%s: slot taken after %.1f s", why, time.monotonic() - started)
        yield
    if logger:
        logger.info("%s: slot released", why)


def server_slots(*servers: OdooEnvironment | ConnectionSpec, why: str = "heavy job") -> AbstractContextManager[None]:
    """One slot on each distinct database server, e.g. the source and the target of a clone."""
    return _slots(_servers(*servers), why)


def environment_lock(name: str, why: str) -> AbstractContextManager[None]:
    return _slots({environment_limit(name): 1}, why)


def backup_lock(name: str) -> AbstractContextManager[None]:
    return _slots({backup_limit(name): 1}, "back up and prune")
