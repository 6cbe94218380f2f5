"""Take a backup: one snapshot of the database, the files it references, a manifest written last.

The row counts, the attachment list and the dump all come from one exported
snapshot (pg_dump --snapshot), so the manifest describes exactly what the dump
holds, and a drill can compare a restore against it row for row. Production is
only read.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from blocks.object_store import ObjectNotFound, ObjectStore
from formwork.backup.manifest import DATABASE, FILESTORE, MANIFEST, Attachment, FileEntry, Manifest, new_id
from formwork.dsn import ConnectionSpec
from formwork.progress import NoProgress, Progress
from formwork.refresh import clone

UPLOADS = 8  # parallel object uploads: latency-bound for S3, harmless locally
_CHUNK = 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def snapshot(spec: ConnectionSpec, environment: str) -> Iterator[tuple[str, Manifest]]:
    """A snapshot id for pg_dump and the manifest's facts read in it; held open until the dump is done."""
    with psycopg.connect(**spec.kwargs()) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot_id, taken_at, version, lsn = conn.execute(
            "SELECT pg_export_snapshot(), now(), current_setting('server_version'), "
            "CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text").fetchone()
        manifest = Manifest(id=new_id(taken_at), environment=environment, taken_at=taken_at.astimezone(UTC),
                            source=ConnectionSpec(spec.host, spec.port, spec.dbname, spec.user).uri(), server_version=version, wal_lsn=lsn)
        manifest.tables = _row_counts(conn)
        if "ir_module_module" in manifest.tables:
            manifest.modules = [n for (n,) in conn.execute("SELECT name FROM ir_module_module WHERE state = 'installed' ORDER BY name")]
            row = conn.execute("SELECT latest_version FROM ir_module_module WHERE name = 'base'").fetchone()
            manifest.odoo_version = row[0] if row else None
        if "ir_attachment" in manifest.tables:
            manifest.attachments = [Attachment(*row) for row in conn.execute(
                "SELECT DISTINCT ON (store_fname) store_fname, coalesce(checksum, ''), coalesce(file_size, 0) FROM ir_attachment "
                "WHERE store_fname IS NOT NULL AND store_fname <> '' ORDER BY store_fname")]
        yield snapshot_id, manifest
        conn.rollback()


def _row_counts(conn: psycopg.Connection) -> dict[str, int]:
    tables = [t for (t,) in conn.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1")]
    return {t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0] for t in tables}


def take(spec: ConnectionSpec, environment: str, filestore: ObjectStore | None, store: ObjectStore,
         jobs: int = 2, progress: Progress | None = None) -> tuple[Manifest, list[str]]:
    """Dump, upload, copy the referenced files, then the manifest. Returns it and the warnings."""
    progress = progress or NoProgress()
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="formwork-backup-") as scratch:
        dump = Path(scratch) / DATABASE
        with snapshot(spec, environment) as (snapshot_id, manifest):
            clone.dump(spec, dump, jobs=jobs, progress=progress, snapshot=snapshot_id)
        files = sorted(p for p in dump.rglob("*") if p.is_file())
        progress.start(f"upload {manifest.id}", sum(p.stat().st_size for p in files))
        for path in files:
            key = f"{DATABASE}/{path.relative_to(dump).as_posix()}"
            manifest.files[key] = FileEntry(sha256_of(path), path.stat().st_size)
            store.put_file(f"{manifest.id}/{key}", path, progress=progress.advance)
        progress.finish()
    if filestore is not None:
        missing = _copy_attachments(manifest, filestore, store, progress)
        warnings += [f"attachment {key} is referenced by the database but missing from the filestore" for key in missing]
    elif manifest.attachments:
        warnings.append(f"{len(manifest.attachments)} attachments not backed up: the environment has no filestore")
    manifest.finished_at = datetime.now(UTC)
    store.put_bytes(f"{manifest.id}/{MANIFEST}", manifest.to_json())
    return manifest, warnings


def _copy_attachments(manifest: Manifest, filestore: ObjectStore, store: ObjectStore, progress: Progress) -> list[str]:
    def copy(attachment: Attachment) -> tuple[str, FileEntry | None]:
        with tempfile.TemporaryDirectory(prefix="formwork-file-") as scratch:
            local = Path(scratch) / "f"
            try:
                filestore.get_file(attachment.store_fname, local)
            except (ObjectNotFound, FileNotFoundError):
                return attachment.store_fname, None
            store.put_file(f"{manifest.id}/{FILESTORE}/{attachment.store_fname}", local)
            return attachment.store_fname, FileEntry(sha256_of(local), local.stat().st_size)

    missing = []
    progress.start("filestore", len(manifest.attachments))
    with ThreadPoolExecutor(UPLOADS, thread_name_prefix="formwork-backup") as pool:
        for key, entry in pool.map(copy, manifest.attachments):
            if entry is None:
                missing.append(key)
            else:
                manifest.files[f"{FILESTORE}/{key}"] = entry
            progress.advance(1)
    progress.finish()
    return missing
