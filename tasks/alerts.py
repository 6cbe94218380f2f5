"""Post to an environment's alert webhook (a Secret block: its URL never reaches a log)."""

from __future__ import annotations

import httpx
from prefect import task

from blocks.odoo_environment import OdooEnvironment
from formwork.errors import OperationError
from tasks.retries import retry_unless_refused


@task(name="call the alert webhook", retries=3, retry_delay_seconds=5, retry_condition_fn=retry_unless_refused)
def post_alert(env: OdooEnvironment, payload: dict) -> bool:
    """False when the environment has no webhook."""
    if env.alert_webhook is None:
        return False
    try:
        httpx.post(env.alert_webhook.get(), json=payload, timeout=10).raise_for_status()
    except httpx.HTTPError as exc:  # its message would carry the URL, which is a secret
        status = f" (HTTP {exc.response.status_code})" if isinstance(exc, httpx.HTTPStatusError) else ""
        raise OperationError(f"the alert webhook failed: {type(exc).__name__}{status}") from None
    return True
