"""Take a backup: one snapshot of the database, the files it references, a manifest written last.

The row counts, the attachment list and the dump all come from one exported
snapshot (pg_dump --snapshot), so the manifest describes exactly what the dump
holds, and a drill can compare a restore against it row for row. Production is
only read, and of the filestore only what lies inside it: a store_fname that could
name a file elsewhere is reported in the warnings and never read.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from formwork.backup import bundles
from formwork.backup.manifest import DATABASE, FILESTORE, MANIFEST, STARTED, Attachment, FileEntry, Manifest, started
from formwork.backup.snapshot import snapshot
from formwork.dsn import ConnectionSpec
from formwork.progress import NoProgress, Progress
from formwork.refresh import clone
from formwork.stores.local_directory import LocalDirectoryStore
from formwork.stores.object_store import ObjectNotFound, ObjectStore, UnsafeKey, safe_key

UPLOADS = 8  # parallel object uploads: latency-bound for S3, harmless locally
_CHUNK = 1024 * 1024
IN_MEMORY = 8 * _CHUNK  # files up to this size are read once, into memory, to be hashed and written


def sha256_of(path: Path) -> str:
    return digests(path, "sha256")[0]


def digests(path: Path, *algorithms: str) -> list[str]:
    """The hex digest of the file by each of the hashlib algorithms named, from one read."""
    hashes = [hashlib.new(name) for name in algorithms]
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            for h in hashes:
                h.update(chunk)
    return [h.hexdigest() for h in hashes]


def take(
    spec: ConnectionSpec,
    environment: str,
    filestore: ObjectStore | None,
    store: ObjectStore,
    jobs: int = 2,
    progress: Progress | None = None,
) -> tuple[Manifest, list[str]]:
    """Dump, upload, copy the referenced files, then the manifest. Returns it and the warnings.

    The files are copied while the database is dumped (the small ones in bundles, formwork.backup.bundles), and
    the dump's parts are hashed and uploaded in parallel: a backup costs little more than its dump. Copying early
    is safe: Odoo names a stored file by its content and never rewrites one, and the list comes from the dump's own
    snapshot."""
    progress = progress or NoProgress()
    warnings: list[str] = []
    with ThreadPoolExecutor(UPLOADS, thread_name_prefix="formwork-backup") as pool:
        try:
            with tempfile.TemporaryDirectory(prefix="formwork-backup-") as scratch:
                dump = Path(scratch) / DATABASE
                with snapshot(spec, environment) as (snapshot_id, manifest):
                    store.put_bytes(f"{manifest.id}/{STARTED}", started(environment, datetime.now(UTC)))
                    copies = _copies(pool, manifest, filestore, store) if filestore is not None else []
                    clone.dump(spec, dump, jobs=jobs, progress=progress, snapshot=snapshot_id)
                _upload_dump(dump, manifest, store, progress)
            if filestore is not None:
                missing, refused = _copied(copies, manifest, progress)
                warnings += [f"attachment {key} is referenced by the database but missing from the filestore" for key in missing]
                warnings += [f"ir_attachment.store_fname {problem.removeprefix('key ')}; not read" for problem in refused]
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    if filestore is None and manifest.attachments:
        warnings.append(f"{len(manifest.attachments)} attachments not backed up: the environment has no filestore")
    manifest.finished_at = datetime.now(UTC)
    store.put_bytes(f"{manifest.id}/{MANIFEST}", manifest.to_json())
    return manifest, warnings


def _upload_dump(dump: Path, manifest: Manifest, store: ObjectStore, progress: Progress) -> None:
    """Every part of the dump hashed and uploaded, several at once (pg_dump -j writes one file per table)."""
    files = sorted(p for p in dump.rglob("*") if p.is_file())
    progress.start(f"upload {manifest.id}", sum(p.stat().st_size for p in files))

    def upload(path: Path) -> tuple[str, FileEntry]:
        key = f"{DATABASE}/{path.relative_to(dump).as_posix()}"
        return key, _put_hashed(store, f"{manifest.id}/{key}", path)

    with ThreadPoolExecutor(UPLOADS, thread_name_prefix="formwork-upload") as pool:
        for key, entry in pool.map(upload, files):
            manifest.files[key] = entry
            progress.advance(entry.size)
    progress.finish()


def _copies(
    pool: ThreadPoolExecutor, manifest: Manifest, filestore: ObjectStore, store: ObjectStore
) -> list[tuple[list[Attachment], Future]]:
    """The referenced files' copies, started: small ones a bundle at a time, bigger ones alone; each with the
    attachments whose outcomes (entry, None: missing, str: refused) its future gives, in order."""
    packed, alone = bundles.packed(manifest.attachments)
    copies = [
        (chunk, pool.submit(_copy_bundle, bundles.key(n), chunk, filestore, store, manifest.id))
        for n, chunk in enumerate(packed, 1)
    ]
    return copies + [([a], pool.submit(_copy_alone, a.store_fname, filestore, store, manifest.id)) for a in alone]


def _copy_bundle(
    name: str, attachments: list[Attachment], filestore: ObjectStore, store: ObjectStore, backup_id: str
) -> list[FileEntry | str | None]:
    read = functools.partial(_read_small, filestore, store, backup_id)
    made = bundles.bundled(name, attachments, read)
    if any(isinstance(outcome, FileEntry) and outcome.bundle == name for outcome in made.outcomes):
        store.put_bytes(f"{backup_id}/{name}", made.data)
    return made.outcomes


def _read_small(filestore: ObjectStore, store: ObjectStore, backup_id: str, key: str) -> bytes | FileEntry | str | None:
    """A referenced file's bytes, for a bundle; None when the filestore lacks it; a str: why its store_fname is
    refused (it could name a file outside the filestore: never read). A file bigger than its ir_attachment.file_size
    said (over bundles.LIMIT) is copied alone instead: its entry. No more than LIMIT + 1 bytes are ever held for it."""
    try:
        data = filestore.get_bytes(safe_key(key), limit=bundles.LIMIT + 1)
    except ObjectNotFound:
        return None
    except UnsafeKey as exc:
        return str(exc)
    return _copy_attachment(key, filestore, store, backup_id) if len(data) > bundles.LIMIT else data


def _copy_alone(key: str, filestore: ObjectStore, store: ObjectStore, backup_id: str) -> list[FileEntry | str | None]:
    return [_copy_attachment(key, filestore, store, backup_id)]


def _copy_attachment(key: str, filestore: ObjectStore, store: ObjectStore, backup_id: str) -> FileEntry | str | None:
    """One referenced file into the backup: its entry, None when the filestore lacks it, or why its
    store_fname is refused (it could name a file outside the filestore: never read)."""
    try:
        key = safe_key(key)
        if isinstance(filestore, LocalDirectoryStore):  # read in place: no temporary copy
            return _put_hashed(store, f"{backup_id}/{FILESTORE}/{key}", filestore.resolve(key))
        with tempfile.TemporaryDirectory(prefix="formwork-file-") as scratch:
            try:
                filestore.get_file(key, Path(scratch) / "f")
            except ObjectNotFound:
                return None
            return _put_hashed(store, f"{backup_id}/{FILESTORE}/{key}", Path(scratch) / "f")
    except UnsafeKey as exc:
        return str(exc)


def _put_hashed(store: ObjectStore, key: str, path: Path) -> FileEntry | None:
    """Uploaded and hashed from one read when it is small (most attachments are): a backup of a filestore
    is a hundred thousand files, where every extra open and read shows."""
    if not path.is_file():
        return None
    if path.stat().st_size <= IN_MEMORY:
        data = path.read_bytes()
        store.put_bytes(key, data)
        return FileEntry(hashlib.sha256(data).hexdigest(), len(data))
    store.put_file(key, path)
    return FileEntry(sha256_of(path), path.stat().st_size)


def _copied(copies: list[tuple[list[Attachment], Future]], manifest: Manifest, progress: Progress) -> tuple[list[str], list[str]]:
    """The copies started during the dump, waited for: the store_fnames missing, and the refusals."""
    missing, refused = [], []
    progress.start("filestore", len(manifest.attachments))
    for attachments, copy in copies:
        for attachment, entry in zip(attachments, copy.result()):
            if entry is None:
                missing.append(attachment.store_fname)
            elif isinstance(entry, str):
                refused.append(entry)
            else:
                manifest.files[f"{FILESTORE}/{attachment.store_fname}"] = entry
        progress.advance(len(attachments))
    progress.finish()
    return missing, refused
