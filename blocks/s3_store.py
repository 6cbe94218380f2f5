"""The saved settings of one S3 bucket (`formwork store add-s3`): a Prefect block that is itself the library's store."""

from __future__ import annotations

from typing import ClassVar

from blocks.object_store import ObjectStore
from formwork.stores import s3


class S3Store(s3.S3Store, ObjectStore):
    """The library's methods come first: Block has a `delete` of its own (for saved documents)."""

    _block_type_name: ClassVar[str] = "Formwork S3 Store"
    _block_type_slug: ClassVar[str] = "formwork-s3-store"
    _description: ClassVar[str] = "Files kept in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...)."
