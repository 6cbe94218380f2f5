"""ObjectStore on any S3-compatible service, through boto3.

boto3's managed transfers give us multipart upload/download above the threshold and
multipart server-side copy for objects over 5 GB, so large dumps never need to fit
in memory and filestore copies never leave the storage service. Every failure but a
missing key is one line naming the bucket and the action (formwork/stores/s3_errors.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError
from pydantic import BaseModel, Field, PrivateAttr, SecretStr

from formwork.stores.object_store import ObjectInfo, ObjectNotFound, ObjectStore, ProgressCallback, safe_key
from formwork.stores.s3_errors import code_of, missing_bucket, speaking


class S3Store(BaseModel, ObjectStore):
    bucket: str
    prefix: str = ""
    endpoint_url: str | None = Field(default=None, description="Empty for AWS; the service URL otherwise.")
    region: str | None = None
    access_key_id: SecretStr | None = Field(default=None, description="Empty: boto3's default credential chain.")
    secret_access_key: SecretStr | None = None
    multipart_threshold_mb: int = Field(default=64, ge=5)

    _s3: Any = PrivateAttr(default=None)
    _bucket_seen: bool = PrivateAttr(default=False)

    def _client(self) -> Any:
        if self._s3 is None:
            self._s3 = self._new_client()
        return self._s3

    def _new_client(self) -> Any:
        kwargs: dict[str, Any] = {}
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
        if self.region:
            kwargs["region_name"] = self.region
        if self.access_key_id and self.secret_access_key:
            kwargs["aws_access_key_id"] = self.access_key_id.get_secret_value()
            kwargs["aws_secret_access_key"] = self.secret_access_key.get_secret_value()
        # Path-style addressing is what non-AWS services reliably support.
        style = "path" if self.endpoint_url else "auto"
        return boto3.client("s3", config=Config(s3={"addressing_style": style}), **kwargs)

    def _transfer(self) -> TransferConfig:
        size = self.multipart_threshold_mb * 1024 * 1024
        return TransferConfig(multipart_threshold=size, multipart_chunksize=size)

    def _key(self, key: str) -> str:
        """The bucket key of one object: the same keys as a local folder, though S3 would take `..` literally."""
        return self._prefixed(safe_key(key))

    def _prefixed(self, text: str) -> str:
        return f"{self.prefix.strip('/')}/{text}".lstrip("/") if self.prefix.strip("/") else text

    def url(self, key: str = "") -> str:
        return f"s3://{self.bucket}/{self._prefixed(key)}".rstrip("/")

    def put_file(self, key: str, source: Path, progress: ProgressCallback | None = None) -> None:
        with speaking(self.bucket, f"upload {self._key(key)}"):
            self._client().upload_file(str(source), self.bucket, self._key(key), Config=self._transfer(), Callback=progress)

    def get_file(self, key: str, target: Path, progress: ProgressCallback | None = None) -> None:
        target = Path(target)
        tmp = target.with_name(f".tmp-{target.name}")
        action = f"download {self._key(key)}"
        try:
            with speaking(self.bucket, action):
                try:
                    self._client().download_file(
                        self.bucket, self._key(key), str(tmp), Config=self._transfer(), Callback=progress
                    )
                except ClientError as exc:
                    if self._missing(exc, action):
                        raise ObjectNotFound(key) from None
                    raise
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        tmp.replace(target)

    def put_bytes(self, key: str, data: bytes) -> None:
        with speaking(self.bucket, f"write {self._key(key)}"):
            self._client().put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def get_bytes(self, key: str, limit: int | None = None) -> bytes:
        action = f"read {self._key(key)}"
        with speaking(self.bucket, action):
            try:
                with self._client().get_object(Bucket=self.bucket, Key=self._key(key))["Body"] as body:
                    return body.read(limit)
            except ClientError as exc:
                if self._missing(exc, action):
                    raise ObjectNotFound(key) from None
                raise

    def exists(self, key: str) -> bool:
        action = f"check {self._key(key)}"
        with speaking(self.bucket, action):
            try:
                self._client().head_object(Bucket=self.bucket, Key=self._key(key))
                return True
            except ClientError as exc:
                if self._missing(exc, action):
                    return False
                raise

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        root = self._prefixed("")
        with speaking(self.bucket, f"list {self._prefixed(prefix) or '/'}"):
            paginator = self._client().get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self._prefixed(prefix)):
                for item in page.get("Contents", []):
                    yield ObjectInfo(item["Key"][len(root) :].lstrip("/") if root else item["Key"], item["Size"])

    def folders(self) -> list[str]:
        root = self._prefixed("") if self.prefix.strip("/") else ""  # "prefix/"
        found = set()
        with speaking(self.bucket, f"list {root or '/'}"):
            for page in self._client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=root, Delimiter="/"):
                found.update(p["Prefix"][len(root) :].rstrip("/") for p in page.get("CommonPrefixes", []))
        return sorted(found)

    def delete(self, key: str) -> None:
        with speaking(self.bucket, f"delete {self._key(key)}"):
            self._client().delete_object(Bucket=self.bucket, Key=self._key(key))

    def delete_many(self, keys: Iterable[str]) -> None:
        """DeleteObjects takes up to 1,000 keys a request."""
        keys = list(keys)
        for start in range(0, len(keys), 1000):
            batch = [{"Key": self._key(k)} for k in keys[start : start + 1000]]
            with speaking(self.bucket, f"delete {len(batch)} objects under {self._prefixed('') or '/'}"):
                answer = self._client().delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
            if answer.get("Errors"):
                failed = answer["Errors"][0]
                raise OSError(
                    f"S3 refused to delete {len(answer['Errors'])} object(s), e.g. {failed.get('Key')}: {failed.get('Code')}"
                )

    def copy(self, source_key: str, target_key: str) -> None:
        action = f"copy {self._key(source_key)} to {self._key(target_key)}"
        with speaking(self.bucket, action):
            try:
                self._client().copy(
                    {"Bucket": self.bucket, "Key": self._key(source_key)},
                    self.bucket,
                    self._key(target_key),
                    Config=self._transfer(),
                )
            except ClientError as exc:
                if self._missing(exc, action):
                    raise ObjectNotFound(source_key) from None
                raise

    def same_service(self, other: S3Store) -> bool:
        return (self.endpoint_url, self.region) == (other.endpoint_url, other.region)

    def copy_from(self, source: S3Store, key: str) -> None:
        """Server-side copy of `key` from another prefix or bucket of the same service."""
        with speaking(self.bucket, f"copy {self._key(key)} from s3://{source.bucket}/{source._key(key)}"):
            self._client().copy(
                {"Bucket": source.bucket, "Key": source._key(key)}, self.bucket, self._key(key), Config=self._transfer()
            )

    def beside(self, suffix: str) -> S3Store:
        """The sibling prefix `<prefix><suffix>` in the same bucket, with the same settings."""
        return type(self)(**{**self.model_dump(exclude={"block_type_slug"}), "prefix": self.prefix.rstrip("/") + suffix})

    def siblings(self, suffix: str) -> list[str]:
        """Prefixes `<this prefix><suffix>*` beside this one, e.g. the side folders of killed runs."""
        base = self.prefix.strip("/")
        paginator = self._client().get_paginator("list_objects_v2")
        found = set()
        with speaking(self.bucket, f"list {base + suffix}*"):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=base + suffix, Delimiter="/"):
                found.update(p["Prefix"].rstrip("/") for p in page.get("CommonPrefixes", []))
        return sorted(found) if base else []

    def _missing(self, exc: ClientError, action: str) -> bool:
        """Whether the key is missing. A HEAD's bare 404 may also mean a missing bucket: that is asked once, never assumed."""
        code = code_of(exc)
        if code == "NoSuchKey":
            return True
        if code not in ("404", "NotFound"):
            return False
        if not self._bucket_seen:
            try:
                self._client().head_bucket(Bucket=self.bucket)
            except ClientError as bucket_exc:
                if code_of(bucket_exc) in ("404", "NotFound", "NoSuchBucket"):
                    raise missing_bucket(self.bucket, action) from None
                raise
            self._bucket_seen = True
        return True
