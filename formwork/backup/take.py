"""Take a backup: one snapshot of the database, the files it references, a manifest written last.

The row counts, the attachment list and the dump all come from one exported
snapshot (pg_dump --snapshot), so the manifest describes exactly what the dump
holds, and a drill can compare a restore against it row for row. Production is
only read, and of the filestore only what lies inside it: a store_fname that could
name a file elsewhere is reported in the warnings and never read.
"""

from __future__ import annotations

import hashlib
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from blocks.local_directory_store import LocalDirectoryStore
from blocks.object_store import ObjectNotFound, ObjectStore, UnsafeKey, safe_key
from formwork.backup.manifest import DATABASE, FILESTORE, MANIFEST, STARTED, Attachment, FileEntry, Manifest, started
from formwork.backup.snapshot import snapshot
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


def take(spec: ConnectionSpec, environment: str, filestore: ObjectStore | None, store: ObjectStore,
         jobs: int = 2, progress: Progress | None = None) -> tuple[Manifest, list[str]]:
    """Dump, upload, copy the referenced files, then the manifest. Returns it and the warnings."""
    progress = progress or NoProgress()
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="formwork-backup-") as scratch:
        dump = Path(scratch) / DATABASE
        with snapshot(spec, environment) as (snapshot_id, manifest):
            store.put_bytes(f"{manifest.id}/{STARTED}", started(environment, datetime.now(UTC)))
            clone.dump(spec, dump, jobs=jobs, progress=progress, snapshot=snapshot_id)
        files = sorted(p for p in dump.rglob("*") if p.is_file())
        progress.start(f"upload {manifest.id}", sum(p.stat().st_size for p in files))
        for path in files:
            key = f"{DATABASE}/{path.relative_to(dump).as_posix()}"
            manifest.files[key] = FileEntry(sha256_of(path), path.stat().st_size)
            store.put_file(f"{manifest.id}/{key}", path, progress=progress.advance)
        progress.finish()
    if filestore is not None:
        missing, refused = _copy_attachments(manifest, filestore, store, progress)
        warnings += [f"attachment {key} is referenced by the database but missing from the filestore" for key in missing]
        warnings += [f"ir_attachment.store_fname {problem.removeprefix('key ')}; not read" for problem in refused]
    elif manifest.attachments:
        warnings.append(f"{len(manifest.attachments)} attachments not backed up: the environment has no filestore")
    manifest.finished_at = datetime.now(UTC)
    store.put_bytes(f"{manifest.id}/{MANIFEST}", manifest.to_json())
    return manifest, warnings


def _copy_attachments(manifest: Manifest, filestore: ObjectStore, store: ObjectStore, progress: Progress) -> tuple[list[str], list[str]]:
    """The referenced files into the backup; returns the store_fnames missing, and the refusals of those
    that could name a file outside the filestore (never read)."""
    def copy(attachment: Attachment) -> tuple[str, FileEntry | str | None]:
        key = attachment.store_fname
        try:
            return key, fetch_and_put(safe_key(key))
        except UnsafeKey as exc:
            return key, str(exc)

    def fetch_and_put(key: str) -> FileEntry | None:
        if isinstance(filestore, LocalDirectoryStore):  # read in place: no temporary copy
            return put_hashed(key, filestore.resolve(key))
        with tempfile.TemporaryDirectory(prefix="formwork-file-") as scratch:
            try:
                filestore.get_file(key, Path(scratch) / "f")
            except ObjectNotFound:
                return None
            return put_hashed(key, Path(scratch) / "f")

    def put_hashed(key: str, path: Path) -> FileEntry | None:
        if not path.is_file():
            return None
        store.put_file(f"{manifest.id}/{FILESTORE}/{key}", path)
        return FileEntry(sha256_of(path), path.stat().st_size)

    missing, refused = [], []
    progress.start("filestore", len(manifest.attachments))
    with ThreadPoolExecutor(UPLOADS, thread_name_prefix="formwork-backup") as pool:
        for key, entry in pool.map(copy, manifest.attachments):
            if entry is None:
                missing.append(key)
            elif isinstance(entry, str):
                refused.append(entry)
            else:
                manifest.files[f"{FILESTORE}/{key}"] = entry
            progress.advance(1)
    progress.finish()
    return missing, refused
