"""Turn a storage URL into the ObjectStore that serves it.

`file:///path` needs nothing else. `s3://bucket/prefix` takes its endpoint and
credentials from a saved `formwork-s3-store` block for that bucket (see
`formwork store add`), or else from boto3's own chain (AWS_* variables, profiles,
instance roles), the way the AWS CLI would.
"""

from __future__ import annotations

import re
import string
from typing import TYPE_CHECKING

from blocks.local_directory_store import LocalDirectoryStore
from blocks.object_store import ObjectStore
from formwork.errors import InputError
from formwork.locations import parse_location

if TYPE_CHECKING:  # imported when an s3:// URL is opened: boto3 costs a read-only command 0.15 s
    from blocks.s3_store import S3Store

_PLAIN = re.compile(r"[a-z0-9-]+")
_KEPT = frozenset(string.ascii_lowercase + string.digits)


def s3_block_name(bucket: str) -> str:
    """One block name per bucket name, never shared (`prod.backups` and `prod-backups` are two buckets).

    Block names allow [a-z0-9-] only. A bucket name of those characters keeps its
    plain `s3-NAME`; any other (dots, underscores, capitals) is spelt `s3x-` with
    every character outside [a-z0-9] written `-XX` (hex), which no plain name can equal.
    """
    if _PLAIN.fullmatch(bucket):
        return "s3-" + bucket
    return "s3x-" + "".join(c if c in _KEPT else "".join(f"-{byte:02x}" for byte in c.encode()) for c in bucket)


def open_store(url: str, *, option: str = "store URL") -> ObjectStore:
    location = parse_location(url, option=option)
    if location.scheme == "file":
        return LocalDirectoryStore(path=location.path)
    from blocks.s3_store import S3Store

    connection = _saved_connection(location.bucket)
    if connection is None:
        return S3Store(bucket=location.bucket, prefix=location.path)
    if connection.bucket != location.bucket:
        raise InputError(
            f"{option} '{url}': the saved settings '{s3_block_name(location.bucket)}' are for bucket "
            f"'{connection.bucket}', not '{location.bucket}': save this bucket's with formwork store add-s3 {location.bucket}"
        )
    return connection.model_copy(update={"prefix": location.path})


def open_folder(url: str) -> ObjectStore:
    """A filestore folder (or prefix) as a store."""
    return open_store(url, option="filestore")


def _saved_connection(bucket: str) -> S3Store | None:
    found = _load(s3_block_name(bucket))
    if found is None and not _PLAIN.fullmatch(bucket):
        # Saved before names were escaped, when prod.backups was kept as `s3-prod-backups`: still its own if it says so.
        legacy = _load("s3-" + bucket.lower().replace(".", "-").replace("_", "-"))
        found = legacy if legacy is not None and legacy.bucket == bucket else None
    return found


def _load(name: str) -> S3Store | None:
    from prefect.exceptions import ObjectNotFound as BlockNotFound

    from blocks.s3_store import S3Store

    try:
        return S3Store.load(name)
    except (ValueError, BlockNotFound):
        return None
