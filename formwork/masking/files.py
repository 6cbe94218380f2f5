"""Replace the files of personal attachments with a placeholder, keeping Odoo's bookkeeping right.

The row keeps its place (model, record, name) but points at a placeholder file
whose `store_fname`, `checksum` and `file_size` match it. The original files are
deleted only after the database commit, and only if no other row still uses them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from blocks.object_store import ObjectStore
from formwork.seed.documents import pdf

PLACEHOLDER_TEXT = "Personal document withheld: this is a masked copy made by Formwork."


def placeholder(mimetype: str | None) -> bytes:
    if mimetype == "application/pdf":
        return pdf("Document withheld", [PLACEHOLDER_TEXT])
    return (PLACEHOLDER_TEXT + "\n").encode()


@dataclass
class FileSwap:
    replaced: int = 0
    old_fnames: set[str] = field(default_factory=set)
    created: set[str] = field(default_factory=set)  # placeholders this run added: removed again if it fails


def replace(conn: psycopg.Connection, store: ObjectStore, where: str) -> FileSwap:
    swap = FileSwap()
    rows = conn.execute(
        sql.SQL("SELECT id, store_fname, mimetype FROM ir_attachment WHERE store_fname IS NOT NULL AND ({})").format(sql.SQL(where))
    ).fetchall()
    by_type: dict[str | None, list[int]] = {}
    for attachment_id, fname, mimetype in rows:
        by_type.setdefault(mimetype, []).append(attachment_id)
        swap.old_fnames.add(fname)
    for mimetype, ids in by_type.items():
        content = placeholder(mimetype)
        checksum = hashlib.sha1(content).hexdigest()
        fname = f"{checksum[:2]}/{checksum}"
        if not store.exists(fname):
            store.put_bytes(fname, content)
            swap.created.add(fname)
        conn.execute(
            "UPDATE ir_attachment SET store_fname = %s, checksum = %s, file_size = %s, index_content = %s WHERE id = ANY(%s)",
            (fname, checksum, len(content), PLACEHOLDER_TEXT, ids),
        )
        swap.old_fnames.discard(fname)
        swap.replaced += len(ids)
    return swap


def delete_unreferenced(conn: psycopg.Connection, store: ObjectStore, fnames: set[str]) -> int:
    """After commit: remove the original files no attachment points to any more."""
    if not fnames:
        return 0
    still = {r[0] for r in conn.execute("SELECT DISTINCT store_fname FROM ir_attachment WHERE store_fname = ANY(%s)", (list(fnames),))}
    gone = sorted(fnames - still)
    store.delete_many(gone)
    return len(gone)
