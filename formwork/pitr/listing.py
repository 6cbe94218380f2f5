"""pgBackRest backups as lines of `formwork backups list`, beside the logical ones."""

from __future__ import annotations

from formwork.pitr import backups, pgbackrest
from formwork.pitr.settings import PitrProtection


def physical_lines(environment: str, declared: PitrProtection | None) -> list[str]:
    if declared is None:
        return []
    found = backups.from_info(pgbackrest.info(declared))
    lines = [f"{'PGBACKREST LABEL':24} {'FINISHED (UTC)':20} {'SIZE':>10} {'TYPE':>7} {'ADDED':>12} {'WAL FROM':>24}"]
    lines += [
        f"{b.label:24} {b.stopped_at:%Y-%m-%d %H:%M:%S}  {b.size / 1e6:8.1f}MB {b.kind:>7} {b.repo_size / 1e6:10.1f}MB {b.wal_start:>24}"
        for b in found
    ]
    return lines + [
        f"(stanza {declared.stanza} in {declared.repo_url}: point-in-time restores from "
        f"{found[0].restorable_from:%Y-%m-%d %H:%M:%S} UTC; formwork drill {environment} --target-time TS)"
        if found
        else f"(stanza {declared.stanza}: no pgBackRest backup yet)"
    ]
