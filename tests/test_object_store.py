"""The ObjectStore contract, the same for a local directory and S3 over HTTP."""

from __future__ import annotations

import os

import boto3
import pytest
from pydantic import SecretStr

from blocks.local_directory_store import LocalDirectoryStore
from blocks.object_store import ObjectNotFound
from blocks.s3_store import S3Store
from blocks.stores import open_store
from tests.support.s3 import ACCESS_KEY, SECRET_KEY


def s3_store(endpoint: str, bucket: str, prefix: str = "env/prod") -> S3Store:
    return S3Store(
        bucket=bucket,
        prefix=prefix,
        endpoint_url=endpoint,
        region="us-east-1",
        access_key_id=SecretStr(ACCESS_KEY),
        secret_access_key=SecretStr(SECRET_KEY),
        multipart_threshold_mb=5,
    )


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalDirectoryStore(path=str(tmp_path / "objects"))
    server = request.getfixturevalue("s3_server")
    return s3_store(server.endpoint, request.getfixturevalue("s3_bucket"))


def test_bytes_round_trip_list_and_delete(store):
    store.put_bytes("ab/abcdef", b"drawing")
    store.put_bytes("cd/cdef01", b"payslip")
    store.put_bytes("manifest.json", b"{}")
    assert store.get_bytes("ab/abcdef") == b"drawing"
    assert store.exists("cd/cdef01") and not store.exists("cd/missing")
    assert [(o.key, o.size) for o in store.list("ab/")] == [("ab/abcdef", 7)]
    assert sorted(o.key for o in store.list()) == ["ab/abcdef", "cd/cdef01", "manifest.json"]
    store.delete("ab/abcdef")
    assert not store.exists("ab/abcdef")
    with pytest.raises(ObjectNotFound):
        store.get_bytes("ab/abcdef")


def test_delete_many_removes_exactly_the_keys_named(store):
    """Bulk deletion (S3 by the thousand, a directory folder by folder): the rest stays, missing keys are no error."""
    kept = ["ab/abcdef", "cd/keep01"]
    gone = [f"{i:02x}/{i:04x}payslip" for i in range(1050)] + ["cd/gone01"]
    for key in kept + gone:
        store.put_bytes(key, key.encode())
    store.delete_many(gone + ["ef/never-there"])
    assert sorted(o.key for o in store.list()) == kept
    if isinstance(store, LocalDirectoryStore):  # emptied folders go, as on S3
        assert sorted(os.listdir(store.path)) == ["ab", "cd"]


def test_large_file_round_trip_reports_progress(store, tmp_path):
    source = tmp_path / "dump.bin"
    source.write_bytes(os.urandom(12 * 1024 * 1024))
    moved: list[int] = []
    store.put_file("backups/1/db.dump", source, progress=moved.append)
    assert sum(moved) == source.stat().st_size
    target = tmp_path / "restored.bin"
    store.get_file("backups/1/db.dump", target)
    assert target.read_bytes() == source.read_bytes()
    with pytest.raises(ObjectNotFound):
        store.get_file("backups/none", tmp_path / "none.bin")
    assert not (tmp_path / "none.bin").exists()


def test_copy_inside_the_store(store):
    store.put_bytes("src/ab/abc", b"attachment")
    store.copy("src/ab/abc", "dst/ab/abc")
    assert store.get_bytes("dst/ab/abc") == b"attachment"
    with pytest.raises(ObjectNotFound):
        store.copy("src/none", "dst/none")


def test_local_copy_is_a_hard_link(tmp_path):
    store = LocalDirectoryStore(path=str(tmp_path))
    store.put_bytes("a/x", b"1")
    store.copy("a/x", "b/x")
    assert os.stat(tmp_path / "a/x").st_ino == os.stat(tmp_path / "b/x").st_ino


def test_local_keys_cannot_escape_the_root(tmp_path):
    store = LocalDirectoryStore(path=str(tmp_path / "root"))
    with pytest.raises(ValueError):
        store.put_bytes("../outside", b"x")


def test_s3_large_upload_is_multipart_and_copy_is_server_side(s3_server, s3_bucket, tmp_path):
    store = s3_store(s3_server.endpoint, s3_bucket)
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(11 * 1024 * 1024))
    store.put_file("big.bin", source)
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    etag = client.head_object(Bucket=s3_bucket, Key="env/prod/big.bin")["ETag"]
    assert "-" in etag  # multipart ETags end in -<parts>
    store.copy("big.bin", "copy.bin")
    assert client.head_object(Bucket=s3_bucket, Key="env/prod/copy.bin")["ContentLength"] == source.stat().st_size


def test_s3_url_uses_saved_bucket_settings(run_formwork, s3_server, s3_bucket):
    result = run_formwork(
        "store",
        "add-s3",
        s3_bucket,
        "--endpoint-url",
        s3_server.endpoint,
        "--region",
        "us-east-1",
        env={"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY},
    )
    assert result.returncode == 0, result.stderr
    assert SECRET_KEY not in result.stdout + result.stderr
    store = open_store(f"s3://{s3_bucket}/filestore/prod")
    store.put_bytes("ab/abc", b"x")
    assert store.url("ab/abc") == f"s3://{s3_bucket}/filestore/prod/ab/abc"
    assert store.get_bytes("ab/abc") == b"x"


def test_file_url_opens_a_local_directory(tmp_path):
    store = open_store(f"file://{tmp_path}/fs")
    store.put_bytes("ab/abc", b"x")
    assert (tmp_path / "fs/ab/abc").read_bytes() == b"x"
