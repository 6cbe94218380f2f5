"""Prefect's REST API by hand, for tests that check what a raw caller (CI, curl) meets.

A busy server (a locked SQLite database answers 503) is asked again with backoff, as Prefect's own client does:
the refused request changed nothing, so asking again is safe.
"""

from __future__ import annotations

import time

import httpx

RETRY_STATUSES = frozenset({429, 502, 503})
RETRIES = 5


class _AskingAgain(httpx.HTTPTransport):
    """A transport that asks again while the server answers busy, so every raw call in a test is as patient as Prefect's."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(RETRIES + 1):
            response = super().handle_request(request)
            if response.status_code not in RETRY_STATUSES or attempt == RETRIES:
                return response
            response.read()
            response.close()
            time.sleep(min(0.5 * 2**attempt, 8.0))
        raise AssertionError("unreachable")


def prefect(api_url: str, **kwargs) -> httpx.Client:
    """A client of Prefect's REST API that asks again on 429/502/503."""
    return httpx.Client(base_url=api_url, timeout=10, transport=_AskingAgain(), **kwargs)
