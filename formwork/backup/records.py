"""Drill records, kept beside the backups: the trend in each drill report, and which backups proved they restore.

Environments may share a store, so every record names its environment and each
reads back only its own. A record that does not parse vouches for nothing.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from formwork.stores.object_store import ObjectNotFound, ObjectStore, refusals

if TYPE_CHECKING:
    from formwork.backup.drill import DrillResult

HISTORY = "drills"


def save_record(store: ObjectStore, result: DrillResult) -> None:
    store.put_bytes(f"{HISTORY}/{result.started_at:%Y%m%dT%H%M%SZ}-{result.backup_id}.json", json.dumps(result.record()).encode())


def records(store: ObjectStore, environment: str) -> list[dict]:
    """This environment's readable records, newest first; keys that could leave the folder are not read."""
    keys = sorted((item.key for item in store.list(f"{HISTORY}/")), reverse=True)
    found = []
    for key in keys:
        if refusals([key], within=HISTORY):
            continue
        try:
            record = json.loads(store.get_bytes(key))
        except (ObjectNotFound, ValueError):
            continue
        if isinstance(record, dict) and record.get("environment") == environment:
            found.append(record)
    return found


def earlier_records(store: ObjectStore, environment: str, limit: int = 10) -> list[dict]:
    return records(store, environment)[:limit]


def passed(store: ObjectStore, environment: str) -> set[str]:
    """The backups of this environment a drill restored and found usable."""
    return {r["backup"] for r in records(store, environment) if r.get("passed") is True and isinstance(r.get("backup"), str)}
