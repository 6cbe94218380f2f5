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
resolved; on S3, the same bucket with nested prefixes). Each takes the target
opened as a store (on S3 with its bucket's settings); the folders beside it share them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from formwork.errors import OperationError
from formwork.production_guard import refuse_production_filestore
from formwork.progress import NoProgress, Progress
from formwork.refresh.swap import BUILDING, PREVIOUS, SWAPPING
from formwork.stores.local_directory import LocalDirectoryStore
from formwork.stores.object_store import ObjectStore, refusals
from formwork.stores.s3 import S3Store


def refuse_production(target: ObjectStore, action: str = "write", *also: ObjectStore) -> None:
    """Before a refresh or rollback touches anything: the target's folder, the siblings it moves files
    through (previous copy, swap) and `also` are none of production's."""
    refuse_production_filestore(
        target.url(), action, target.beside(PREVIOUS).url(), target.beside(SWAPPING).url(), *(store.url() for store in also)
    )


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
        link_or_copy(source.resolve(key), target.resolve(key))
    elif isinstance(source, S3Store) and isinstance(target, S3Store) and target.same_service(source):
        target.copy_from(source, key)  # server-side: the bytes never leave the storage service
    else:
        with tempfile.TemporaryDirectory(prefix="formwork-file-") as scratch:
            source.get_file(key, Path(scratch) / "f")
            target.put_file(key, Path(scratch) / "f")


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link (no bytes copied, the file system allowing), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        pass
    except OSError:  # another filesystem
        shutil.copy2(source, target)


def remove(store: ObjectStore) -> None:
    refuse_production_filestore(store.url(), "delete")
    if isinstance(store, LocalDirectoryStore):
        shutil.rmtree(store.path, ignore_errors=True)
    else:
        for item in list(store.list()):
            store.delete(item.key)


def _prune(store: ObjectStore, keep: set[str]) -> None:
    for item in list(store.list()):
        if item.key not in keep:
            store.delete(item.key)


def stage(target: ObjectStore, fresh: ObjectStore) -> None:
    """Before the database swap: on S3, the previous prefix gets the current objects, the target the fresh ones."""
    refuse_production(target, "write", fresh)
    if isinstance(target, LocalDirectoryStore):
        return  # folders are renamed in `finish`
    previous = target.beside(PREVIOUS)
    remove(previous)
    copy_all(target, previous)
    copy_all(fresh, target)


def finish(target: ObjectStore, fresh: ObjectStore) -> None:
    """After the database swap: the fresh files are the target's, the replaced ones the previous copy's."""
    refuse_production(target, "move", fresh)
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
    remove(fresh)


def swap_back(target: ObjectStore) -> None:
    """Rollback: the previous copy's files become the target's and the other way round."""
    refuse_production(target, "move")
    previous = target.beside(PREVIOUS)
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


def side_folders(target: ObjectStore) -> list[ObjectStore]:
    """The `<target>__formwork_*` folders (or prefixes) left by earlier runs, in name order."""
    if isinstance(target, LocalDirectoryStore):
        here = Path(target.path)
        names = sorted(p.name for p in here.parent.glob(here.name + BUILDING + "*") if p.is_dir())
        return [target.beside(name.removeprefix(here.name)) for name in names]
    base = target.prefix.strip("/")
    return [target.beside(prefix.removeprefix(base)) for prefix in target.siblings(BUILDING)]
