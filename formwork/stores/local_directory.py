"""ObjectStore on a local directory: the embedded default.

Writes and deletes stay inside the directory: a key whose folder is a symbolic
link out of it (say into production's filestore) is refused, not followed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import BaseModel, PrivateAttr

from formwork.stores.object_store import ObjectInfo, ObjectNotFound, ObjectStore, ProgressCallback, UnsafeKey, safe_key

_CHUNK = 1024 * 1024


class LocalDirectoryStore(BaseModel, ObjectStore):
    path: str

    _inside: set[Path] = PrivateAttr(default_factory=set)  # folders found inside the store: checked once

    def url(self, key: str = "") -> str:
        """For messages: the key as given, even one `resolve` would refuse."""
        return f"file://{self.path.rstrip('/')}/{key}" if key else f"file://{self.path}"

    def beside(self, suffix: str) -> LocalDirectoryStore:
        """The sibling folder `<path><suffix>`, with nothing of this store's checks carried over."""
        return type(self)(**{**self.model_dump(exclude={"block_type_slug"}), "path": self.path.rstrip("/") + suffix})

    def resolve(self, key: str) -> Path:
        """The file behind `key`, refused (UnsafeKey) when the key, its folder or the file itself leads outside the
        root through a symbolic link (say into production's filestore). Each folder is checked once: a listing or a
        bulk delete touches thousands of keys in a few hundred folders."""
        path = Path(self.path) / safe_key(key)
        if path.parent not in self._inside:
            self._refuse_outside(key, path.parent)
            self._inside.add(path.parent)
        if path.is_symlink():
            self._refuse_outside(key, path)
        return path

    def _refuse_outside(self, key: str, path: Path) -> None:
        root, real = os.path.realpath(self.path), os.path.realpath(path)
        if real != root and not real.startswith(root.rstrip("/") + "/"):
            raise UnsafeKey(f"key {key!r} refused: a symlink leads outside {self.path} ({path} is {real})")

    def put_file(self, key: str, source: Path, progress: ProgressCallback | None = None) -> None:
        _write_atomically(self.resolve(key), _copier(source, progress))

    def get_file(self, key: str, target: Path, progress: ProgressCallback | None = None) -> None:
        source = self.resolve(key)
        if not source.is_file():
            raise ObjectNotFound(key)
        _write_atomically(Path(target), _copier(source, progress))

    def put_bytes(self, key: str, data: bytes) -> None:
        _write_atomically(self.resolve(key), lambda out: out.write(data))

    def get_bytes(self, key: str, limit: int | None = None) -> bytes:
        try:
            with open(self.resolve(key), "rb") as f:
                return f.read(-1 if limit is None else limit)
        except (FileNotFoundError, IsADirectoryError):
            raise ObjectNotFound(key) from None

    def exists(self, key: str) -> bool:
        return self.resolve(key).is_file()

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        root = Path(self.path)
        start = self.resolve(prefix.rpartition("/")[0]) if "/" in prefix else root  # walk only below the prefix's folder
        if not start.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames.sort()
            for name in sorted(filenames):
                if name.startswith(".tmp-"):
                    continue
                full = Path(dirpath) / name
                key = full.relative_to(root).as_posix()
                if key.startswith(prefix):
                    yield ObjectInfo(key, full.stat().st_size)

    def folders(self) -> list[str]:
        root = Path(self.path)
        return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []

    def delete(self, key: str) -> None:
        """Empty folders go too, as on S3, where a folder is only a shared key prefix."""
        path = self.resolve(key)
        path.unlink(missing_ok=True)
        self._remove_empty(path.parent)

    def delete_many(self, keys: Iterable[str]) -> None:
        """Folder by folder, several folders at once, each in its own listing order and by names
        relative to it: about ten times faster than unlinking whole paths one by one."""
        by_folder: dict[Path, set[str]] = {}
        for key in keys:
            path = self.resolve(key)
            by_folder.setdefault(path.parent, set()).add(path.name)
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="formwork-delete") as pool:
            list(pool.map(self._delete_in, by_folder.items()))

    def _delete_in(self, item: tuple[Path, set[str]]) -> None:
        folder, names = item
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            return
        try:
            for name in [entry.name for entry in os.scandir(fd) if entry.name in names]:
                os.unlink(name, dir_fd=fd)
            empty = not any(True for _ in os.scandir(fd))
        finally:
            os.close(fd)
        if empty:
            self._remove_empty(folder)

    def _remove_empty(self, folder: Path) -> None:
        root = Path(self.path)
        for parent in (folder, *folder.parents):
            if parent == root or not parent.is_relative_to(root):
                break
            try:
                parent.rmdir()
            except OSError:
                break  # not empty

    def copy(self, source_key: str, target_key: str) -> None:
        """Hard link when possible: filestore objects are content-addressed and never rewritten."""
        source, target = self.resolve(source_key), self.resolve(target_key)
        if not source.is_file():
            raise ObjectNotFound(source_key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".tmp-{target.name}")
        tmp.unlink(missing_ok=True)
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
        os.replace(tmp, target)


def _write_atomically(target: Path, write: Callable[[Any], object]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _copier(source: Path, progress: ProgressCallback | None) -> Callable[[Any], None]:
    def write(out) -> None:
        with open(source, "rb") as src:
            while chunk := src.read(_CHUNK):
                out.write(chunk)
                if progress:
                    progress(len(chunk))

    return write
