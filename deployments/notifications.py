"""Failed runs and runs waiting for an approver call a webhook: one Prefect automation.

The URL is a secret (chat webhooks carry their token in it): it is kept in a Webhook
block, whose URL Prefect stores encrypted and shows as ********, and is never printed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from prefect.blocks.webhook import Webhook
from prefect.events.actions import CallWebhook
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.exceptions import ObjectNotFound

from formwork.errors import InputError

WEBHOOK_BLOCK = "formwork-notifications"
AUTOMATION = "formwork: notify on failed runs and runs waiting for approval"
STATES = ("Failed", "Crashed", "TimedOut", "Paused", "Suspended")
PAYLOAD = """{
  "text": "Formwork: {{ flow_run.name }} is {{ event.resource['prefect.state-name'] }}: UI/runs/flow-run/{{ flow_run.id }}",
  "flow_run": "{{ flow_run.id }}",
  "name": "{{ flow_run.name }}",
  "state": "{{ event.resource['prefect.state-name'] }}",
  "url": "UI/runs/flow-run/{{ flow_run.id }}"
}"""


def ui_base(client) -> str:
    """The UI the links point at: PREFECT_UI_URL, else the API's address without /api (a server sets no UI URL by default)."""
    from prefect.settings import get_current_settings

    configured = get_current_settings().ui_url
    api = str(client.api_url).rstrip("/")
    return (configured or (api[: -len("/api")] if api.endswith("/api") else api)).rstrip("/")


def check_webhook(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(
            "--notify-webhook: expected an http:// or https:// URL with a host (the value is not shown: it may carry a token)"
        )
    return url


def saved_webhook_id(client):
    try:
        return client.read_block_document_by_name(WEBHOOK_BLOCK, "webhook", include_secrets=False).id
    except ObjectNotFound:
        return None


def ensure_notifications(client, url: str | None) -> str:
    """A new URL replaces the saved one; without one, the saved one stays. Says what is in place."""
    if url:
        Webhook(url=url).save(WEBHOOK_BLOCK, overwrite=True)
    block_id = saved_webhook_id(client)
    if block_id is None:
        return "off (formwork deploy --notify-webhook URL turns them on)"
    automation = AutomationCore(
        name=AUTOMATION,
        description="Formwork: a run failed, or waits for an approver.",
        trigger=EventTrigger(
            expect={f"prefect.flow-run.{state}" for state in STATES},
            match={"prefect.resource.id": "prefect.flow-run.*"},
            posture=Posture.Reactive,
            threshold=1,
        ),
        actions=[CallWebhook(block_document_id=block_id, payload=PAYLOAD.replace("UI/", ui_base(client) + "/"))],
    )
    existing = client.read_automations_by_name(AUTOMATION)
    for extra in existing[1:]:
        client.delete_automation(extra.id)
    if existing:
        client.update_automation(existing[0].id, automation)
    else:
        client.create_automation(automation)
    return f"on: failed and waiting runs call the webhook in block '{WEBHOOK_BLOCK}' (********)"
