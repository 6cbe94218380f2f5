"""The backup run's report: what was taken, how fast, and what the retention policy kept."""

from __future__ import annotations

from formwork.backup.catalog import Catalog
from formwork.backup.manifest import DATABASE, Manifest
from formwork.backup.retention import Decision


def backup_markdown(
    environment: str,
    store_url: str | None,
    manifest: Manifest,
    seconds: float,
    decision: Decision,
    found: Catalog,
    warnings: list[str],
) -> tuple[str, str]:
    """(markdown, one-line summary)"""
    megabytes = manifest.size / 1e6
    dump = sum(entry.size for key, entry in manifest.files.items() if key.startswith(DATABASE + "/")) / 1e6
    summary = (
        f"backup {environment} {manifest.id}: {megabytes:,.1f} MB ({dump:,.1f} MB dump, {len(manifest.attachments):,} attachments) "
        f"in {seconds:.1f} s, {megabytes / seconds if seconds else 0:,.1f} MB/s; kept {len(decision.keep)}, removed {len(decision.remove)}"
    )
    lines = [
        f"# Backup: {environment}",
        "",
        f"**{summary}**",
        "",
        "| | |",
        "|---|---|",
        f"| id | `{manifest.id}` |",
        f"| store | {store_url} |",
        f"| snapshot taken | {manifest.taken_at:%Y-%m-%d %H:%M:%S} UTC, WAL {manifest.wal_lsn or '-'} |",
        f"| source | {manifest.source} (PostgreSQL {manifest.server_version}) |",
        f"| Odoo | {manifest.odoo_version or '-'}, {len(manifest.modules)} modules installed |",
        f"| tables | {len(manifest.tables)} tables, {sum(manifest.tables.values()):,} rows |",
        f"| files | {len(manifest.files):,}, each with its SHA-256 in the manifest |",
        "",
        "## Retention",
        "",
        "| backup | taken | kept because |",
        "|---|---|---|",
    ]
    taken = {m.id: m.taken_at for m in found.complete}
    lines += [f"| {b} | {taken[b]:%Y-%m-%d %H:%M} | {', '.join(decision.reasons.get(b, []))} |" for b in decision.keep]
    lines += [f"| ~~{b}~~ | {taken[b]:%Y-%m-%d %H:%M} | removed |" for b in decision.remove]
    if warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in warnings]
    return "\n".join(lines), summary
