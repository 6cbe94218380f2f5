"""Prefect's own client, as an operator's shell or CI reaches the server.

The URL and credentials are Prefect's settings (PREFECT_API_URL, PREFECT_API_AUTH_STRING for a server behind
basic auth, PREFECT_API_KEY for Prefect Cloud), from the environment or the active profile. Prefect's client
asks a busy server again itself (429, 502, 503); what is left becomes one line here, never with the credentials.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx

from formwork.errors import InputError, OperationError

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient

FINAL = frozenset({"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})  # a flow run's state types that end it


def api_url() -> str:
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:  # Prefect would start a temporary server of its own, which knows none of our runs
        raise InputError(
            "PREFECT_API_URL is not set: point it at the Prefect server, e.g. https://prefect.example.com/api "
            "(for the local stack: set -a; . .formwork/client.env; set +a)"
        )
    return url.rstrip("/")


@contextlib.contextmanager
def prefect_client() -> Iterator[SyncPrefectClient]:
    """Prefect's client of the server in PREFECT_API_URL; its HTTP failures become one line."""
    from prefect.client.orchestration import get_client

    url = api_url()
    try:
        with get_client(sync_client=True) as client:
            yield client
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code == 401:
            raise InputError(
                "the Prefect API refused the credentials: set PREFECT_API_AUTH_STRING=user:password (or PREFECT_API_KEY)"
            ) from None
        raise OperationError(
            f"Prefect API {exc.request.method} {exc.request.url.path}: HTTP {exc.response.status_code}: {exc.response.text[:200]}"
        ) from None
    except httpx.TransportError as exc:
        raise OperationError(f"Prefect API unreachable at {url}: {type(exc).__name__}") from None


def run_url(run_id: object) -> str:
    """The flow run's page in the UI (the V1 pages, which deep-link without a redirect)."""
    from prefect.settings import get_current_settings

    url = api_url()
    base = get_current_settings().ui_url or (url[: -len("/api")] if url.endswith("/api") else url)
    return f"{base.rstrip('/')}/runs/flow-run/{run_id}"
