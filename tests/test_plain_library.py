"""The library works from what its caller hands it: with no catalogue of environments installed, the production
guard refuses rather than guessing; the folders beside a store are opened with the store's own settings."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from formwork import production_guard
from formwork.errors import OperationError
from formwork.refresh import filestore
from formwork.stores.local_directory import LocalDirectoryStore
from formwork.stores.s3 import S3Store


def test_without_a_catalogue_every_filestore_write_is_refused_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(production_guard, "_catalogue", None)  # a caller that installed none
    source, target = LocalDirectoryStore(path=str(tmp_path / "source")), LocalDirectoryStore(path=str(tmp_path / "target"))
    source.put_bytes("aa/aa01", b"a file")
    for attempt in (
        lambda: filestore.copy_all(source, target),
        lambda: filestore.remove(source),
        lambda: filestore.swap_back(target),
    ):
        with pytest.raises(OperationError, match=r"^the production guard has no catalogue of environments to compare with"):
            attempt()
    assert not (tmp_path / "target").exists() and source.get_bytes("aa/aa01") == b"a file"


def test_the_folder_beside_a_store_keeps_its_settings_and_none_of_its_checks():
    bucket = S3Store(
        bucket="b",
        prefix="filestore/staging",
        endpoint_url="http://127.0.0.1:9",
        access_key_id=SecretStr("AK"),
        secret_access_key=SecretStr("SK"),
    )
    side = bucket.beside("__prev")
    assert (side.url(), side.endpoint_url, side.access_key_id, side.secret_access_key) == (
        "s3://b/filestore/staging__prev",
        "http://127.0.0.1:9",
        SecretStr("AK"),
        SecretStr("SK"),
    )
    folder = LocalDirectoryStore(path="/srv/filestore/staging/")
    folder.resolve("aa/aa01")  # its folder checked once, for this root only
    assert (
        folder._inside
        and folder.beside("__prev").url() == "file:///srv/filestore/staging__prev"
        and not folder.beside("__prev")._inside
    )
