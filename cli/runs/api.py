"""The Prefect REST API over plain httpx, as an operator's shell or CI reaches it.

The URL and credentials are Prefect's own settings (PREFECT_API_URL, PREFECT_API_AUTH_STRING for a server
behind basic auth, PREFECT_API_KEY for Prefect Cloud), from the environment or the active profile, so the
CLI needs nothing Prefect's own client would not.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx

from formwork.errors import InputError, OperationError


@dataclass(frozen=True)
class ApiSettings:
    url: str
    auth_string: str | None = field(default=None, repr=False)  # user:password
    api_key: str | None = field(default=None, repr=False)
    ui_url: str | None = None  # PREFECT_UI_URL; else the API's address without /api

    @classmethod
    def current(cls) -> ApiSettings:
        from prefect.settings import get_current_settings

        current = get_current_settings()
        api = current.api
        if not api.url:
            raise InputError("PREFECT_API_URL is not set: point it at the Prefect server, e.g. https://prefect.example.com/api "
                             "(for the local stack: set -a; . .formwork/client.env; set +a)")
        secret = lambda value: value.get_secret_value() if value is not None else None  # noqa: E731
        return cls(api.url.rstrip("/"), secret(api.auth_string), secret(api.key), current.ui_url)

    def client(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        auth = tuple(self.auth_string.split(":", 1)) if self.auth_string and ":" in self.auth_string else None
        return httpx.Client(base_url=self.url, auth=auth, headers=headers, timeout=30)

    def run_url(self, run_id: str) -> str:
        """The flow run's page in the UI (the V1 pages, which deep-link without a redirect)."""
        base = self.ui_url or (self.url[: -len("/api")] if self.url.endswith("/api") else self.url)
        return f"{base.rstrip('/')}/runs/flow-run/{run_id}"


FINAL = frozenset({"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})  # a flow run's state types that end it
RETRY_STATUSES = frozenset({429, 502, 503})  # busy, not wrong: Prefect's own client retries these too
RETRIES = 5


def call(api: httpx.Client, method: str, path: str, **kwargs) -> httpx.Response:
    """One request; unreachable and refused-credentials become one clear line (never with the credentials).

    A busy server (a locked SQLite database answers 503) is asked again with backoff, as Prefect's
    client does: the refused request changed nothing, so asking again is safe.
    """
    for attempt in range(RETRIES + 1):
        try:
            response = api.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise OperationError(f"Prefect API unreachable at {api.base_url}: {type(exc).__name__}") from None
        if response.status_code not in RETRY_STATUSES or attempt == RETRIES:
            break
        time.sleep(_retry_after(response) or min(0.5 * 2**attempt, 8.0))
    if response.status_code == 401:
        raise InputError("the Prefect API refused the credentials: set PREFECT_API_AUTH_STRING=user:password (or PREFECT_API_KEY)")
    return response


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return min(float(response.headers.get("Retry-After", "")), 30.0)
    except ValueError:
        return None
