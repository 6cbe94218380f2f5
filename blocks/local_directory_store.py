"""A local directory saved as a Prefect block: the embedded default store, itself the library's store."""

from __future__ import annotations

from typing import ClassVar

from blocks.object_store import ObjectStore
from formwork.stores import local_directory


class LocalDirectoryStore(local_directory.LocalDirectoryStore, ObjectStore):
    """The library's methods come first: Block has a `delete` of its own (for saved documents)."""

    _block_type_name: ClassVar[str] = "Formwork Local Directory Store"
    _block_type_slug: ClassVar[str] = "formwork-local-directory-store"
    _description: ClassVar[str] = "Files kept in a directory on the machine running the flow."
