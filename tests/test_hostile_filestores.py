"""Hostile filestores: a target that is, is inside, contains or links into a production filestore is refused
before anything is copied, moved or deleted, and production's files stay byte for byte as they were."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr

from blocks import catalogue
from blocks.local_directory_store import LocalDirectoryStore
from blocks.object_store import UnsafeKey
from blocks.s3_store import S3Store
from formwork import production_guard
from formwork.dsn import parse_dsn
from formwork.environments import EnvironmentSpec
from formwork.errors import InputError
from formwork.locations import overlaps
from formwork.masking import files
from formwork.masking.engine import Masker
from formwork.masking.rules import load_rules
from formwork.production_guard import KnownEnvironment
from formwork.refresh import filestore
from tests.support.clusters import create_database, drop_database
from tests.support.odoo_base import installed
from tests.support.s3 import ACCESS_KEY, SECRET_KEY
from tests.test_mask_cli import SALT_ENV

PRODUCTION_FILES = {"ab/ab01": b"payslip of Jane Doe", "cd/cd02": b"contract of John Roe", "ef/ef03": b"a business invoice"}
CASES = ("equal", "inside", "containing", "symlinked")
RULES = "version: 1\nlocale: en_GB\ntables: []\nattachments:\n  - where: \"res_model = 'hr.employee'\"\n"


def digest(folder: Path) -> str:
    """Every file's path and bytes, production's whole state."""
    summed = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        summed.update(f"{path.relative_to(folder)}\0".encode() + path.read_bytes() + b"\0")
    return summed.hexdigest()


@pytest.fixture
def estate(tmp_path):
    """(production's filestore, {case: target folder}): a target for each way of overlapping it."""
    production = tmp_path / "estate" / "filestore" / "prod"
    for key, data in PRODUCTION_FILES.items():
        (production / key).parent.mkdir(parents=True, exist_ok=True)
        (production / key).write_bytes(data)
    (tmp_path / "estate" / "link").symlink_to(production, target_is_directory=True)
    targets = {
        "equal": production,
        "inside": production / "stg",
        "containing": production.parent,
        "symlinked": tmp_path / "estate" / "link",
    }
    return production, targets


def production(url: str, dsn: str = "postgresql://postgres@127.0.0.1:1/prod") -> KnownEnvironment:
    return KnownEnvironment("prod", True, parse_dsn(dsn), url)


@pytest.mark.parametrize(
    "a, b, shared",
    [
        ("s3://bucket/prod", "s3://bucket/prod/x", True),
        ("s3://bucket/prod", "s3://bucket", True),
        ("s3://bucket/prod", "s3://bucket/prod-eu", False),
        ("s3://bucket/prod", "s3://other/prod", False),
        ("file:///srv/prod", "file:///srv/prod-eu", False),
        ("file:///srv/prod", "s3://srv/prod", False),
    ],
)
def test_which_locations_share_objects(a, b, shared):
    assert overlaps(a, b) is shared and overlaps(b, a) is shared


@pytest.mark.parametrize("case", CASES)
def test_every_filestore_write_is_refused_in_around_or_through_production(estate, case, tmp_path):
    prod, targets = estate
    target, url = targets[case], f"file://{targets[case]}"
    other = tmp_path / "elsewhere"
    (other / "zz").mkdir(parents=True)
    (other / "zz" / "zz09").write_bytes(b"from elsewhere")
    before = digest(prod)
    attempts = {
        "copy into": lambda: filestore.copy_all(LocalDirectoryStore(path=str(other)), LocalDirectoryStore(path=str(target))),
        "remove": lambda: filestore.remove(LocalDirectoryStore(path=str(target))),
        "stage": lambda: filestore.stage(LocalDirectoryStore(path=str(target)), LocalDirectoryStore(path=str(other))),
        "finish": lambda: filestore.finish(LocalDirectoryStore(path=str(target)), LocalDirectoryStore(path=str(other))),
        "swap back": lambda: filestore.swap_back(LocalDirectoryStore(path=str(target))),
        "replace files": lambda: files.replace(None, LocalDirectoryStore(path=str(target)), "true"),
        "delete files": lambda: files.delete_unreferenced(None, LocalDirectoryStore(path=str(target)), {"ab/ab01"}),
    }
    with production_guard.catalogue([production(f"file://{prod}")]):
        for name, attempt in attempts.items():
            with pytest.raises(InputError) as refused:
                attempt()
            assert f"filestore '{url}' overlaps the filestore of production environment 'prod'" in str(refused.value), name
            assert digest(prod) == before, name
    assert (other / "zz" / "zz09").exists()  # `finish` moved nothing either


def test_s3_prefixes_nested_in_production_are_refused_and_neighbours_accepted(s3_server, s3_bucket, tmp_path):
    def store(prefix: str) -> S3Store:
        return S3Store(
            bucket=s3_bucket,
            prefix=prefix,
            endpoint_url=s3_server.endpoint,
            region="us-east-1",
            access_key_id=SecretStr(ACCESS_KEY),
            secret_access_key=SecretStr(SECRET_KEY),
        )

    def objects(prefix: str) -> dict[str, bytes]:
        return {item.key: store(prefix).get_bytes(item.key) for item in store(prefix).list()}

    for key, data in PRODUCTION_FILES.items():
        store("prod").put_bytes(key, data)
    source = LocalDirectoryStore(path=str(tmp_path / "source"))
    source.put_bytes("zz/zz09", b"a copy's file")
    before = objects("prod")
    with production_guard.catalogue([production(f"s3://{s3_bucket}/prod")]):
        for prefix in ("prod", "prod/x", ""):
            url = f"s3://{s3_bucket}/{prefix}".rstrip("/")
            for attempt in (
                lambda: filestore.copy_all(source, store(prefix)),
                lambda: filestore.remove(store(prefix)),
                lambda: filestore.finish(store(prefix), store("fresh")),
                lambda: files.delete_unreferenced(None, store(prefix), {"ab/ab01"}),
            ):
                with pytest.raises(
                    InputError, match=f"filestore '{url}' overlaps the filestore of production environment 'prod'"
                ):
                    attempt()
        assert filestore.copy_all(source, store("prod-eu")) == 1  # a neighbour, not a sub-prefix
    assert objects("prod") == before and objects("prod-eu") == {"zz/zz09": b"a copy's file"}


def test_a_folder_of_the_target_that_links_into_production_is_never_written_or_deleted_through(estate, tmp_path):
    prod, _ = estate
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "ab").symlink_to(prod / "ab", target_is_directory=True)
    store = LocalDirectoryStore(path=str(staging))
    before = digest(prod)
    refused = re.escape(f"a symlink leads outside {staging} ({staging / 'ab'} is {os.path.realpath(prod / 'ab')})")
    with production_guard.catalogue([production(f"file://{prod}")]):
        for attempt in (
            lambda: store.delete_many(["ab/ab01"]),
            lambda: store.delete("ab/ab01"),
            lambda: store.put_bytes("ab/ab99", b"x"),
            lambda: filestore.copy_all(LocalDirectoryStore(path=str(prod)), store),
        ):
            with pytest.raises(UnsafeKey, match=refused):
                attempt()
    assert digest(prod) == before


def attachments_database(pg, fnames: dict[str, str]) -> str:
    """A small database with Odoo's ir_attachment columns, one row per fname -> res_model."""
    name = create_database(pg)
    with psycopg.connect(pg.dsn(name)) as conn:
        conn.execute(
            "CREATE TABLE ir_attachment (id serial PRIMARY KEY, res_model text, store_fname text, mimetype text, "
            "checksum text, file_size int, index_content text)"
        )
        conn.execute(installed())
        for fname, model in fnames.items():
            conn.execute(
                "INSERT INTO ir_attachment (res_model, store_fname, mimetype) VALUES (%s, %s, 'text/plain')", (model, fname)
            )
    return name


def masked(pg, database: str, files_at: Path, rules: Path):
    with psycopg.connect(pg.dsn(database)) as conn:
        return Masker(conn, load_rules(str(rules)), b"hostile-filestores-salt", LocalDirectoryStore(path=str(files_at))).run()


def test_masking_a_hard_linked_copy_never_writes_through_to_production(pg, estate, tmp_path):
    prod, _ = estate
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    copy = tmp_path / "copy"
    db = attachments_database(pg, {"ab/ab01": "hr.employee", "cd/cd02": "hr.employee", "ef/ef03": "account.move"})
    before = digest(prod)
    try:
        with production_guard.catalogue([production(f"file://{prod}", pg.dsn("postgres"))]):
            filestore.copy_all(LocalDirectoryStore(path=str(prod)), LocalDirectoryStore(path=str(copy)))
            assert os.stat(copy / "ab/ab01").st_ino == os.stat(prod / "ab/ab01").st_ino  # hard links, as a refresh makes them
            report = masked(pg, db, copy, rules)
    finally:
        drop_database(pg, db)
    assert report.files_replaced == 2 and report.files_deleted == 2
    assert digest(prod) == before and os.stat(prod / "ab/ab01").st_nlink == 1
    assert not (copy / "ab/ab01").exists() and (copy / "ef/ef03").samefile(prod / "ef/ef03")
    placeholders = [p for p in copy.rglob("*") if p.is_file() and p.parent.name != "ef"]
    assert placeholders and all(p.stat().st_nlink == 1 for p in placeholders)


def test_masking_keeps_files_a_production_database_without_a_filestore_on_record_references(pg, estate, tmp_path):
    prod, _ = estate
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    copy = tmp_path / "copy"
    filestore.copy_all(LocalDirectoryStore(path=str(prod)), LocalDirectoryStore(path=str(copy)))
    production_db = attachments_database(pg, {"ab/ab01": "hr.employee", "ef/ef03": "account.move"})
    db = attachments_database(pg, {"ab/ab01": "hr.employee", "cd/cd02": "hr.employee", "ef/ef03": "account.move"})
    try:
        with production_guard.catalogue([production(None, pg.dsn(production_db))]):
            report = masked(pg, db, copy, rules)
    finally:
        drop_database(pg, db), drop_database(pg, production_db)
    assert report.files_replaced == 2 and report.files_deleted == 1  # cd/cd02: production does not reference it
    assert (copy / "ab/ab01").exists() and not (copy / "cd/cd02").exists()
    assert any(
        "deleting 1 original files: production environment 'prod' has no filestore on record and its database "
        "references them" in note
        for note in report.skipped
    ), report.skipped


def test_refresh_mask_seed_and_env_add_refuse_a_filestore_overlapping_production(pg, estate, formwork_here):
    """Refusals, so in this process: ten `formwork` processes cost the suite 20 s of importing Prefect."""
    prod, targets = estate
    tag = uuid.uuid4().hex[:6]
    for case in CASES:  # registered before production is: `env add` would refuse them afterwards
        catalogue.add(EnvironmentSpec(f"{case}-{tag}", pg.dsn(f"absent_{tag}"), filestore=f"file://{targets[case]}"))
    catalogue.add(EnvironmentSpec(f"prod-{tag}", pg.dsn("postgres"), filestore=f"file://{prod}", production=True))
    before = digest(prod)
    commands = [[*verb, f"{case}-{tag}"] for case in CASES for verb in (["refresh", f"prod-{tag}"], ["mask"])]
    results = [
        formwork_here(*command, env=SALT_ENV)
        for command in (
            *[[*c, "--yes"] for c in commands],
            ["env", "add", f"late-{tag}", "--dsn", pg.dsn(f"absent_{tag}"), "--filestore", f"file://{prod}/late"],
            ["seed", pg.dsn(f"absent_{tag}"), "--filestore", f"file://{prod}"],
        )
    ]
    for result in results[:-2]:
        case = result.args[-2].rsplit("-", 1)[0]
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1, (result.args, result.stderr[-2000:])
        assert f"filestore 'file://{targets[case]}' overlaps the filestore of production environment 'prod-{tag}'" in lines[0]
    for result, url, verb in zip(results[-2:], (f"file://{prod}/late", f"file://{prod}"), ("writes", "seeds")):
        assert result.returncode == 2 and result.stderr.strip().splitlines() == [
            f"formwork: --filestore '{url}' overlaps the filestore of production environment 'prod-{tag}' "
            f"(file://{prod}): Formwork never {verb} production files"
        ], result.stderr[-2000:]
    assert not catalogue.exists(f"late-{tag}")
    assert digest(prod) == before
