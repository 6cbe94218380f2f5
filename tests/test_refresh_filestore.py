"""The filestore half of a refresh, on local folders and on S3 over HTTP: copy, swap, rollback, crash recovery."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from blocks.odoo_environment import OdooEnvironment
from blocks.stores import open_folder, s3_block_name
from formwork.postgres_cluster import SUPERUSER
from formwork.refresh import filestore
from tasks.refresh import clean_up
from tests.test_object_store import s3_store

OLD = {"aa/aa01": b"only the old copy", "cc/cc01": b"shared drawing"}
NEW = {"bb/bb01": b"only the new copy", "cc/cc01": b"shared drawing"}


@pytest.fixture(params=["local", "s3"])
def root(request, tmp_path):
    """The URL of a target's filestore folder (or prefix), nothing in it yet."""
    if request.param == "local":
        return f"file://{tmp_path}/filestore/staging"
    request.getfixturevalue("prefect_api")
    bucket = request.getfixturevalue("s3_bucket")
    s3_store(request.getfixturevalue("s3_server").endpoint, bucket, prefix="").save(s3_block_name(bucket), overwrite=True)
    return f"s3://{bucket}/filestore/staging"


def beside(url: str, suffix: str) -> str:
    return open_folder(url).beside(suffix).url()


def put(url: str, files: dict[str, bytes]) -> None:
    store = open_folder(url)
    for key, data in files.items():
        store.put_bytes(key, data)


def contents(url: str) -> dict[str, bytes]:
    store = open_folder(url)
    return {item.key: store.get_bytes(item.key) for item in store.list()}


def test_swap_keeps_the_replaced_files_as_the_previous_copy_and_rollback_brings_them_back(root):
    fresh = beside(root, "__formwork_run1")
    put(root, OLD)
    put(fresh, NEW)

    filestore.stage(open_folder(root), open_folder(fresh))
    assert OLD.items() <= contents(root).items()  # the old database still finds its files before the database swap
    filestore.finish(open_folder(root), open_folder(fresh))

    assert contents(root) == NEW
    assert contents(beside(root, "__prev")) == OLD
    assert contents(fresh) == {}
    filestore.swap_back(open_folder(root))
    assert OLD.items() <= contents(root).items()
    assert NEW.items() <= contents(beside(root, "__prev")).items()


def test_a_retried_copy_copies_only_what_is_missing(root):
    source, side = beside(root, "__source"), beside(root, "__formwork_run1")
    put(source, NEW)
    put(side, {"cc/cc01": NEW["cc/cc01"]})
    assert filestore.copy_all(open_folder(source), open_folder(side)) == 1
    assert contents(side) == NEW


def test_side_folders_are_the_run_folders_of_this_target_only(root):
    for suffix in ("__formwork_r1", "__formwork_r2", "__prev", "_other__formwork_r3"):
        put(beside(root, suffix), {"aa/aa01": b"x"})
    put(root, OLD)
    assert [side.url() for side in filestore.side_folders(open_folder(root))] == [
        beside(root, "__formwork_r1"),
        beside(root, "__formwork_r2"),
    ]


@pytest.fixture
def target_db(pg):
    """A target database whose live copy is refresh run `r1`'s, as rewire_copy marks it."""
    name = f"fs_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(pg.dsn(name)) as conn:
        conn.execute("CREATE TABLE ir_config_parameter (key text PRIMARY KEY, value text)")
        conn.execute("INSERT INTO ir_config_parameter VALUES ('formwork.refresh_run', 'r1')")
    yield name
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_the_next_run_finishes_a_swap_killed_between_database_and_files(pg, target_db, root):
    """Killed after the database rename: the live database is run r1's, its files still beside the target."""
    env = OdooEnvironment(db_host="127.0.0.1", db_port=pg.port, db_name=target_db, db_user=SUPERUSER, filestore_url=root)
    put(root, OLD)
    put(beside(root, "__formwork_r1"), NEW)
    filestore.stage(open_folder(root), open_folder(beside(root, "__formwork_r1")))  # done before the database swap
    put(beside(root, "__formwork_r0"), {"dd/dd01": b"a run killed while copying"})

    notes = clean_up.fn("staging", env)

    assert contents(root) == NEW
    assert contents(beside(root, "__prev")) == OLD
    assert filestore.side_folders(open_folder(root)) == []
    assert any("finished the filestore swap of run r1" in note for note in notes), notes
