"""What the Prefect server's repossessor does for a run killed with -9, done at once for the test server.

A killed holder stops renewing its concurrency lease, and a real server (`prefect server start`, the embedded
stack's) hands its slots back once the lease runs out (`tasks.concurrency.LEASE_SECONDS`). The session's test
server is an ephemeral one, which runs no repossessor: a test that kills a run frees the slots itself.
"""

from __future__ import annotations

from prefect import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate


def free_slots_of_killed_runs() -> None:
    """Every held slot on the test server goes back (tests in one worker run one at a time: only the killed run held any)."""
    with get_client(sync_client=True) as client:
        for limit in client.read_global_concurrency_limits(limit=200):
            if limit.active_slots:
                client.update_global_concurrency_limit(limit.name, GlobalConcurrencyLimitUpdate(active_slots=0))
