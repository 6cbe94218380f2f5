"""Turn a storage URL into the ObjectStore that serves it.

`file:///path` needs nothing else. `s3://bucket/prefix` takes its endpoint and
credentials from a saved `formwork-s3-store` block for that bucket (see
`formwork store add`), or else from boto3's own chain (AWS_* variables, profiles,
instance roles), the way the AWS CLI would.
"""

from __future__ import annotations

from blocks.local_directory_store import LocalDirectoryStore
from blocks.object_store import ObjectStore
from blocks.s3_store import S3Store
from formwork.locations import parse_location


def s3_block_name(bucket: str) -> str:
    """Block names allow [a-z0-9-] only; bucket names may also hold dots."""
    return "s3-" + bucket.lower().replace(".", "-").replace("_", "-")


def open_store(url: str, *, option: str = "store URL") -> ObjectStore:
    location = parse_location(url, option=option)
    if location.scheme == "file":
        return LocalDirectoryStore(path=location.path)
    connection = _saved_connection(location.bucket)
    if connection is None:
        return S3Store(bucket=location.bucket, prefix=location.path)
    return connection.model_copy(update={"prefix": location.path})


def _saved_connection(bucket: str) -> S3Store | None:
    from prefect.exceptions import ObjectNotFound as BlockNotFound

    try:
        return S3Store.load(s3_block_name(bucket))
    except (ValueError, BlockNotFound):
        return None
