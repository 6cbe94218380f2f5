"""The backups in a store: retention over a simulated calendar, incomplete backups, S3 object lock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import boto3
import pytest

from blocks.local_directory_store import LocalDirectoryStore
from formwork.backup import catalog
from formwork.backup.manifest import MANIFEST, STARTED, Manifest, new_id, started
from formwork.backup.retention import RetentionPolicy
from tests.support.s3 import ACCESS_KEY, SECRET_KEY
from tests.test_object_store import s3_store


def write_backup(store, day: date, complete: bool = True) -> str:
    taken = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
    manifest = Manifest(id=new_id(taken), environment="prod", taken_at=taken)
    store.put_bytes(f"{manifest.id}/{STARTED}", started("prod", taken))
    store.put_bytes(f"{manifest.id}/database/toc.dat", b"dump")
    if complete:
        store.put_bytes(f"{manifest.id}/{MANIFEST}", manifest.to_json())
    return manifest.id


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalDirectoryStore(path=str(tmp_path / "backups"))
    return s3_store(request.getfixturevalue("s3_server").endpoint, request.getfixturevalue("s3_bucket"), prefix="backups/prod")


def test_retention_over_a_simulated_calendar_keeps_exactly_what_the_policy_says(store):
    first = date(2026, 9, 1)
    ids = {first + timedelta(days=n): write_backup(store, first + timedelta(days=n)) for n in range(85)}  # to 2026-11-24
    killed = write_backup(store, date(2026, 11, 20), complete=False)
    store.put_bytes("drills/20261124T020000Z-x.json", b"{}")  # drill records are not backups

    decision, refused = catalog.apply_retention(
        store, catalog.read(store, "prod"), RetentionPolicy.parse("7d,4w,3m"), locked=True
    )

    kept_days = [date(2026, 11, d) for d in range(18, 25)]  # 7 daily
    kept_days += [date(2026, 11, 15), date(2026, 11, 8)]  # newest of ISO weeks 46 and 45 (weeks 48 and 47 already kept)
    kept_days += [date(2026, 10, 31), date(2026, 9, 30)]  # newest of October and September (November already kept)
    after = catalog.read(store, "prod")
    assert sorted(m.id for m in after.complete) == sorted(ids[d] for d in kept_days)
    assert after.incomplete == [] and killed not in store.folders() and refused == []
    assert store.exists("drills/20261124T020000Z-x.json")
    assert len(decision.remove) == 85 - 11


def test_an_unfinished_backup_is_listed_as_incomplete_and_never_chosen(store):
    done = write_backup(store, date(2026, 11, 23))
    unfinished = write_backup(store, date(2026, 11, 24), complete=False)
    found = catalog.read(store, "prod")
    assert found.incomplete == [unfinished]
    assert found.find(None, "store").id == done
    with pytest.raises(Exception, match=f"--backup '{unfinished}': no such complete backup in store \\(it never finished\\)"):
        found.find(unfinished, "store")


def test_object_lock_keeps_removed_backups_as_locked_versions(s3_server):
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    bucket = "fw-locked-backups"
    client.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    client.put_object_lock_configuration(
        Bucket=bucket,
        ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}}},
    )
    store = s3_store(s3_server.endpoint, bucket, prefix="backups/prod")
    old, new = write_backup(store, date(2026, 11, 23)), write_backup(store, date(2026, 11, 24))

    catalog.apply_retention(store, catalog.read(store, "prod"), RetentionPolicy.parse("1d"), locked=True)

    assert [m.id for m in catalog.read(store, "prod").complete] == [new]
    versions = client.list_object_versions(Bucket=bucket, Prefix=f"backups/prod/{old}/")["Versions"]
    assert {v["Key"].rsplit("/", 1)[-1] for v in versions} == {"toc.dat", MANIFEST, STARTED}  # still there, behind delete markers
    with pytest.raises(client.exceptions.ClientError, match="AccessDenied"):
        client.delete_object(Bucket=bucket, Key=versions[0]["Key"], VersionId=versions[0]["VersionId"])
