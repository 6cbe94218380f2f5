"""The filestore beside the target: copied from the source's, then swapped in with the database.

Odoo finds a database's files under a folder (or S3 prefix) named after the
database, so the filestore moves with the database: `<target>` -> `<target>__prev`
and `<target>__formwork_<run>` -> `<target>`. Objects are content-addressed
(`ab/abcdef...` is the checksum of its bytes) and never rewritten in place, which
gives three things: a local copy hard-links instead of copying bytes, a retried
copy skips what is already there, and two databases' objects can share one
prefix without clashing.

Local folders are renamed right after the database swap. S3 prefixes cannot be
renamed, so they are swapped in two halves around the database swap: `stage`
adds the fresh objects to the target prefix beside the old ones (each database
finds its files there, whichever is live), and `finish` prunes what only the old
copy needed. A run killed between the two is finished by the next run.

Every function here that writes, moves or deletes checks first that none of the
folders it touches is, is inside, or contains a production filestore (symlinks
resolved; on S3, the same bucket with nested prefixes).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from blocks.stores import open_store
from formwork.errors import OperationError
from formwork.production_guard import refuse_production_filestore
from formwork.progress import NoProgress, Progress
from formwork.refresh.swap import BUILDING, PREVIOUS, SWAPPING
from formwork.stores.local_directory import LocalDirectoryStore
from formwork.stores.object_store import ObjectStore, refusals
from formwork.stores.s3 import S3Store


def beside(url: str, suffix: str) -> str:
    """The URL of the sibling folder (or prefix) `<folder><suffix>`."""
    return url.rstrip("/") + suffix


def open_folder(url: str) -> ObjectStore:
    return open_store(url, option="filestore")


def refuse_production(target_url: str, action: str = "write", *also: str) -> None:
    """Before a refresh or rollback touches anything: the target's folder, the siblings it moves files
    through (previous copy, swap) and `also` are none of production's."""
    refuse_production_filestore(target_url, action, beside(target_url, PREVIOUS), beside(target_url, SWAPPING), *also)


def copy_all(source: ObjectStore, target: ObjectStore, progress: Progress | None = None) -> int:
    """Every object of `source` that `target` lacks; returns how many were copied."""
    refuse_production_filestore(target.url(), "write")
    progress = progress or NoProgress()
    present = {item.key for item in target.list()}
    items = [item for item in source.list() if item.key not in present]
    refused = refusals(item.key for item in items)
    if refused:
        raise OperationError(f"{source.url()}: nothing copied, {len(refused)} object(s) refused: " + "; ".join(refused[:3]))
    progress.start("filestore", len(items))
    for item in items:
        _transfer(source, target, item.key)
        progress.advance(1)
    progress.finish()
    return len(items)


def _transfer(source: ObjectStore, target: ObjectStore, key: str) -> None:
    if isinstance(source, LocalDirectoryStore) and isinstance(target, LocalDirectoryStore):
        _link_or_copy(source.resolve(key), target.resolve(key))
    elif isinstance(source, S3Store) and isinstance(target, S3Store) and target.same_service(source):
        target.copy_from(source, key)  # server-side: the bytes never leave the storage service
    else:
        with tempfile.TemporaryDirectory(prefix="formwork-file-") as scratch:
            source.get_file(key, Path(scratch) / "f")
            target.put_file(key, Path(scratch) / "f")


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        pass
    except OSError:  # another filesystem
        shutil.copy2(source, target)


def remove(url: str) -> None:
    refuse_production_filestore(url, "delete")
    store = open_folder(url)
    if isinstance(store, LocalDirectoryStore):
        shutil.rmtree(store.path, ignore_errors=True)
    else:
        for item in list(store.list()):
            store.delete(item.key)


def _prune(store: ObjectStore, keep: set[str]) -> None:
    for item in list(store.list()):
        if item.key not in keep:
            store.delete(item.key)


def stage(target_url: str, fresh_url: str) -> None:
    """Before the database swap: on S3, the previous prefix gets the current objects, the target the fresh ones."""
    refuse_production(target_url, "write", fresh_url)
    target, fresh = open_folder(target_url), open_folder(fresh_url)
    if isinstance(target, LocalDirectoryStore):
        return  # folders are renamed in `finish`
    previous = beside(target_url, PREVIOUS)
    remove(previous)
    copy_all(target, open_folder(previous))
    copy_all(fresh, target)


def finish(target_url: str, fresh_url: str) -> None:
    """After the database swap: the fresh files are the target's, the replaced ones the previous copy's."""
    refuse_production(target_url, "move", fresh_url)
    target, fresh = open_folder(target_url), open_folder(fresh_url)
    if isinstance(target, LocalDirectoryStore):
        here, new = Path(target.path), Path(fresh.path)
        previous = Path(str(here) + PREVIOUS)
        if not new.exists():
            return  # finished already
        if here.exists():  # else a killed run moved it aside already
            shutil.rmtree(previous, ignore_errors=True)
            here.rename(previous)
        new.rename(here)
        return
    copy_all(fresh, target)  # a no-op unless `stage` was cut short
    _prune(target, {item.key for item in fresh.list()})
    remove(fresh_url)


def swap_back(target_url: str) -> None:
    """Rollback: the previous copy's files become the target's and the other way round."""
    refuse_production(target_url, "move")
    target, previous = open_folder(target_url), open_folder(beside(target_url, PREVIOUS))
    if isinstance(target, LocalDirectoryStore):
        here, before, aside = Path(target.path), Path(previous.path), Path(target.path + SWAPPING)
        if not before.exists():
            return  # the previous copy had no files
        here.rename(aside)
        before.rename(here)
        aside.rename(before)
        return
    # Both prefixes end up with the union, so both databases find their files; the next refresh prunes.
    current = {item.key for item in target.list()}
    copy_all(previous, target)
    for key in current - {item.key for item in previous.list()}:
        _transfer(target, previous, key)


def side_folders(target_url: str) -> list[str]:
    """URLs of `<target>__formwork_*` folders (or prefixes) left by earlier runs."""
    target = open_folder(target_url)
    if isinstance(target, LocalDirectoryStore):
        here = Path(target.path)
        return sorted(f"file://{p}" for p in here.parent.glob(here.name + BUILDING + "*") if p.is_dir())
    return sorted(f"s3://{target.bucket}/{prefix}" for prefix in target.siblings(BUILDING))
