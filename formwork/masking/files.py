"""Replace the files of personal attachments with a placeholder, keeping Odoo's bookkeeping right.

The row keeps its place (model, record, name) but points at a placeholder file of
its type (formwork.masking.placeholders) whose `store_fname`, `checksum`, `file_size`
and `mimetype` match it. The original files are deleted only after the database
commit, and only if no other row still uses them.
A file Odoo keeps in the database (`db_datas`, with `ir_attachment.location = db`)
gets the same placeholder in the row itself, in the masking transaction.

Never in a production filestore: both steps refuse a store that is, is inside, or
contains one. Placeholders are new files (written beside, then renamed in), so a
copy whose files are hard links to production's never writes through a link, and
deleting a link leaves production's file. A production environment whose
filestore Formwork does not know could be keeping its files anywhere, this store
included: the files its database still references are kept, and reported.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import psycopg
from psycopg import errors, sql

from formwork.masking.placeholders import PLACEHOLDER_TEXT, placeholder, placeholder_type
from formwork.production_guard import CONNECT_TIMEOUT, known_environments, refuse_production_filestore
from formwork.stores.object_store import ObjectStore


@dataclass
class FileSwap:
    replaced: int = 0
    old_fnames: set[str] = field(default_factory=set)
    created: set[str] = field(default_factory=set)  # placeholders this run added: removed again if it fails


@dataclass
class Deletion:
    deleted: int = 0
    kept: list[str] = field(default_factory=list)  # why files were kept: production may still use them


def refuse_production(store: ObjectStore) -> None:
    refuse_production_filestore(store.url(), "mask")


def replace(conn: psycopg.Connection, store: ObjectStore, where: str) -> FileSwap:
    refuse_production(store)
    swap = FileSwap()
    rows = conn.execute(
        sql.SQL("SELECT id, store_fname, mimetype FROM ir_attachment WHERE store_fname IS NOT NULL AND ({})").format(
            sql.SQL(where)
        )
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
            "UPDATE ir_attachment SET store_fname = %s, checksum = %s, file_size = %s, mimetype = %s, index_content = %s "
            "WHERE id = ANY(%s)",
            (fname, checksum, len(content), placeholder_type(mimetype), PLACEHOLDER_TEXT, ids),
        )
        swap.old_fnames.discard(fname)
        swap.replaced += len(ids)
    return swap


def replace_in_database(conn: psycopg.Connection, where: str) -> int:
    """The placeholder into `db_datas` of the matching rows that hold their file there; how many rows. The row still
    opens in Odoo (it reads db_datas when there is no store_fname), its checksum and size matching the placeholder."""
    rows = conn.execute(
        sql.SQL("SELECT id, mimetype FROM ir_attachment WHERE db_datas IS NOT NULL AND ({})").format(sql.SQL(where))
    ).fetchall()
    by_type: dict[str | None, list[int]] = {}
    for attachment_id, mimetype in rows:
        by_type.setdefault(mimetype, []).append(attachment_id)
    for mimetype, ids in by_type.items():
        content = placeholder(mimetype)
        conn.execute(
            "UPDATE ir_attachment SET db_datas = %s, checksum = %s, file_size = %s, mimetype = %s, index_content = %s "
            "WHERE id = ANY(%s)",
            (content, hashlib.sha1(content).hexdigest(), len(content), placeholder_type(mimetype), PLACEHOLDER_TEXT, ids),
        )
    return len(rows)


def delete_unreferenced(conn: psycopg.Connection, store: ObjectStore, fnames: set[str]) -> Deletion:
    """After commit: remove the original files no attachment points to any more, here or in production."""
    refuse_production(store)
    result = Deletion()
    gone = fnames - _referenced(conn, fnames) if fnames else set()
    for environment, used, why in _used_by_unlocated_production(gone):
        result.kept.append(
            f"deleting {len(used & gone):,} original files: production environment '{environment}' "
            f"has no filestore on record and {why}"
        )
        gone -= used
    store.delete_many(sorted(gone))
    result.deleted = len(gone)
    return result


def _referenced(conn: psycopg.Connection, fnames: set[str]) -> set[str]:
    query = "SELECT DISTINCT store_fname FROM ir_attachment WHERE store_fname = ANY(%s)"
    return {r[0] for r in conn.execute(query, (sorted(fnames),))}


def _used_by_unlocated_production(fnames: set[str]) -> list[tuple[str, set[str], str]]:
    """(environment, fnames, why) for each production environment without a filestore URL whose database
    references some of `fnames` (asked read only), or that cannot be asked: then all of them."""
    found = []
    for env in known_environments():
        if not env.production or env.filestore_url or not fnames:
            continue
        try:
            with psycopg.connect(**env.connection.kwargs(), connect_timeout=CONNECT_TIMEOUT) as prod:
                prod.read_only = True
                used, why = _referenced(prod, fnames), "its database references them"
        except errors.UndefinedTable:
            continue  # no attachments there
        except psycopg.Error as exc:
            used, why = set(fnames), f"cannot be asked whether it uses them ({type(exc).__name__})"
        if used:
            found.append((env.name, used, why))
    return found
