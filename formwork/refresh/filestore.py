"""The filestore beside the target: copied from the source's, then swapped in by renaming folders.

Odoo finds a database's files in a folder named after the database, so the
filestore moves with the database: `<target>` -> `<target>__prev`, and
`<target>__formwork_<run>` -> `<target>`. Files are content-addressed and never
rewritten in place, so a local copy hard-links instead of copying bytes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from blocks.local_directory_store import LocalDirectoryStore
from blocks.object_store import ObjectStore
from blocks.stores import open_store
from formwork.errors import OperationError
from formwork.locations import parse_location
from formwork.progress import NoProgress, Progress
from formwork.refresh.swap import PREVIOUS, SWAPPING


def beside(url: str, suffix: str) -> str:
    """The URL of the sibling folder (or prefix) `<folder><suffix>`."""
    return url.rstrip("/") + suffix


def copy_all(source: ObjectStore, target: ObjectStore, progress: Progress | None = None) -> int:
    progress = progress or NoProgress()
    items = list(source.list())
    progress.start("filestore", len(items))
    for item in items:
        if isinstance(source, LocalDirectoryStore) and isinstance(target, LocalDirectoryStore):
            _link_or_copy(Path(source.path) / item.key, Path(target.path) / item.key)
        else:
            with tempfile.TemporaryDirectory(prefix="formwork-file-") as scratch:
                source.get_file(item.key, Path(scratch) / "f")
                target.put_file(item.key, Path(scratch) / "f")
        progress.advance(1)
    progress.finish()
    return len(items)


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        pass
    except OSError:  # another filesystem
        shutil.copy2(source, target)


def remove(url: str) -> None:
    path = _local(url)
    shutil.rmtree(path, ignore_errors=True)


def swap_in(target_url: str, fresh_url: str) -> None:
    target, fresh = _local(target_url), _local(fresh_url)
    previous = Path(str(target) + PREVIOUS)
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    fresh.rename(target)


def swap_back(target_url: str) -> None:
    target = _local(target_url)
    previous, aside = Path(str(target) + PREVIOUS), Path(str(target) + SWAPPING)
    if not previous.exists():
        return  # the previous copy had no files
    target.rename(aside)
    previous.rename(target)
    aside.rename(previous)


def open_folder(url: str) -> ObjectStore:
    return open_store(url, option="filestore")


def _local(url: str) -> Path:
    location = parse_location(url, option="filestore")
    if location.scheme != "file":
        raise OperationError(f"filestore '{url}': swapping S3 filestores is not supported yet; use a file:// filestore")
    return Path(location.path)
