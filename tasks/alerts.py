"""Post to an environment's alert webhook or the estate's notification webhook (blocks: a URL never reaches a log)."""

from __future__ import annotations

import httpx
from prefect import task
from prefect.blocks.webhook import Webhook

from blocks.odoo_environment import OdooEnvironment
from deployments.notifications import WEBHOOK_BLOCK
from formwork.errors import OperationError
from tasks.retries import retry_unless_refused


@task(name="call the alert webhook", retries=3, retry_delay_seconds=5, retry_condition_fn=retry_unless_refused)
def post_alert(env: OdooEnvironment, payload: dict) -> bool:
    """False when the environment has no webhook."""
    if env.alert_webhook is None:
        return False
    _post(env.alert_webhook.get(), payload, "the alert webhook")
    return True


@task(name="call the notification webhook", retries=3, retry_delay_seconds=5, retry_condition_fn=retry_unless_refused)
def post_notification(payload: dict) -> bool:
    """The estate's webhook (`formwork deploy --notify-webhook`); False when none is set up."""
    try:
        block = Webhook.load(WEBHOOK_BLOCK)
    except ValueError:
        return False
    _post(block.url.get_secret_value(), payload, "the notification webhook")
    return True


def _post(url: str, payload: dict, what: str) -> None:
    try:
        httpx.post(url, json=payload, timeout=10).raise_for_status()
    except httpx.HTTPError as exc:  # its message would carry the URL, which is a secret
        status = f" (HTTP {exc.response.status_code})" if isinstance(exc, httpx.HTTPStatusError) else ""
        raise OperationError(f"{what} failed: {type(exc).__name__}{status}") from None
