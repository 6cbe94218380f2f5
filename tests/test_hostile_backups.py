"""Hostile backups and shared stores: keys that try to leave their folder, store_fnames outside the filestore,
manifests that do not parse, two environments (one name a prefix of the other) in one store, and retention
beside backups still being written or proved by a drill. A small hand-made Odoo-shaped database stands in for
production wherever a real backup or drill is needed."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from blocks import catalogue
from blocks.local_directory_store import LocalDirectoryStore
from blocks.object_store import UnsafeKey
from formwork.backup import bundles, catalog, drill, records, take
from formwork.backup.drill import Check, DrillResult
from formwork.backup.manifest import MANIFEST, STARTED, FileEntry, Manifest, new_id, started
from formwork.backup.retention import RetentionPolicy
from formwork.dsn import parse_dsn
from formwork.environments import EnvironmentSpec
from formwork.errors import InputError, OperationError
from tests.support.clusters import create_database, drop_database
from tests.support.odoo_base import base_tables
from tests.test_object_store import s3_store

HOSTILE_KEYS = ["../x", "/etc/passwd", "", "a\x00b", "a//b", "./a", "a/.."]
ATTACHMENT = b"a drawing"
TOY = """
CREATE TABLE res_company (id serial PRIMARY KEY, name text);
CREATE TABLE res_users (id serial PRIMARY KEY, login text, active boolean, company_id int REFERENCES res_company);
CREATE TABLE ir_module_module (id serial PRIMARY KEY, name text, state text, latest_version text);
CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key text UNIQUE, value text, create_date timestamp, write_date timestamp);
CREATE TABLE account_move_line (id serial PRIMARY KEY, move_id int, debit numeric, credit numeric);
CREATE TABLE ir_attachment (id serial PRIMARY KEY, name text, store_fname varchar, checksum varchar, file_size int, access_token varchar);
INSERT INTO res_company (name) VALUES ('Hostile Test Co');
INSERT INTO res_users (login, active, company_id) VALUES ('admin', true, 1);
INSERT INTO ir_module_module (name, state, latest_version) VALUES ('base', 'installed', '17.0.1.3');
INSERT INTO ir_config_parameter (key, value) VALUES ('database.uuid', 'hostile-toy');
INSERT INTO account_move_line (move_id, debit, credit) VALUES (1, 10, 0), (1, 0, 10);
"""


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def attach(conn: psycopg.Connection, store_fname: str, content: bytes) -> None:
    conn.execute(
        "INSERT INTO ir_attachment (name, store_fname, checksum, file_size) VALUES (%s, %s, %s, %s)",
        (store_fname, store_fname, sha1(content), len(content)),
    )


def make_toy(pg, name: str, filestore: Path) -> None:
    """Odoo's shape as far as a drill looks (sanity, rewiring, foreign keys), one attachment in its filestore."""
    with psycopg.connect(pg.dsn(name)) as conn:
        conn.execute(TOY + base_tables())
        fname = f"{sha1(ATTACHMENT)[:2]}/{sha1(ATTACHMENT)}"
        (filestore / fname).parent.mkdir(parents=True, exist_ok=True)
        (filestore / fname).write_bytes(ATTACHMENT)
        attach(conn, fname, ATTACHMENT)


@pytest.fixture(scope="module")
def toy(pg, tmp_path_factory):
    """A small Odoo-shaped database and its filestore; read only by the tests: (database, filestore)."""
    name, filestore = create_database(pg, "toy"), tmp_path_factory.mktemp("toy-filestore")
    make_toy(pg, name, filestore)
    yield name, filestore
    drop_database(pg, name)


@pytest.fixture
def toy_env(pg, pg_other, toy, prefect_api, tmp_path):
    """A production environment on the toy database with its own local backup store, drilled on the other cluster: (name, store)."""
    name = f"h{uuid.uuid4().hex[:6]}"
    catalogue.add(
        EnvironmentSpec(
            name,
            pg.dsn(toy[0]),
            filestore=f"file://{toy[1]}",
            backup_store=f"file://{tmp_path}/backups",
            tier=1,
            production=True,
            scratch_dsn=pg_other.dsn(),
        )
    )
    yield name, LocalDirectoryStore(path=str(tmp_path / "backups"))
    catalogue.remove(name)


def backed_up(pg, toy, name: str, store) -> Manifest:
    manifest, warnings = take.take(parse_dsn(pg.dsn(toy[0])), name, LocalDirectoryStore(path=str(toy[1])), store)
    assert warnings == []
    return manifest


def digest(store) -> dict[str, str]:
    return {item.key: hashlib.sha256(store.get_bytes(item.key)).hexdigest() for item in store.list()}


def owned(store, backup_ids: list[str]) -> dict[str, str]:
    """Digests of the backups' files and of their drill records (named after the backup)."""
    return {key: value for key, value in digest(store).items() if any(backup_id in key for backup_id in backup_ids)}


def scratch_databases(pg, database: str) -> list[str]:
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        return [n for (n,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (database + "\\_\\_drill%",))]


def hand_made(store, environment: str, day: date, hour: int = 1, complete: bool = True) -> str:
    """A backup folder as `take` leaves it (started.json first, manifest last), without a database behind it."""
    taken = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    manifest = Manifest(id=new_id(taken), environment=environment, taken_at=taken)
    store.put_bytes(f"{manifest.id}/{STARTED}", started(environment, taken))
    store.put_bytes(f"{manifest.id}/database/toc.dat", f"dump of {environment}".encode())
    if complete:
        store.put_bytes(f"{manifest.id}/{MANIFEST}", manifest.to_json())
    return manifest.id


def drilled(store, environment: str, backup_id: str, passed: bool) -> None:
    now = datetime.now(UTC)
    result = DrillResult(environment, backup_id, now, now, timedelta(minutes=15), timedelta(hours=1))
    result.add(Check("backup files match the manifest", passed))
    records.save_record(store, result)


# --- keys ------------------------------------------------------------------------------------------------


def test_the_local_store_refuses_every_key_that_could_leave_its_root(tmp_path):
    store = LocalDirectoryStore(path=str(tmp_path / "store"))
    store.put_bytes("ok/file", b"fine")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"secret")
    (tmp_path / "store" / "link").symlink_to(outside)
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))

    for key in HOSTILE_KEYS + ["link/secret", "link/new"]:
        for use in (
            lambda k: store.get_bytes(k),
            lambda k: store.put_bytes(k, b"pwned"),
            lambda k: store.exists(k),
            lambda k: store.delete(k),
            lambda k: store.copy("ok/file", k),
        ):
            with pytest.raises(UnsafeKey) as refused:
                use(key)
            assert str(refused.value).startswith(f"key {key!r} refused: "), refused.value

    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before
    assert (outside / "secret").read_bytes() == b"secret" and store.get_bytes("ok/file") == b"fine"


def test_a_tampered_manifest_fails_the_drill_naming_each_key_and_writes_nothing_outside(pg, toy, toy_env):
    from flows.dr_drill import dr_drill

    name, store = toy_env
    manifest = backed_up(pg, toy, name, store)
    canary = Path(store.path).parent / "outside" / "canary"  # an absolute key aims at it
    canary.parent.mkdir()
    canary.write_bytes(b"canary")
    unborn = Path(tempfile.gettempdir()) / f"fw-canary-{uuid.uuid4().hex}"  # a `..` key aims beside the drill's scratch folder
    planted = {str(canary): b"pwned", f"../{unborn.name}": b"pwned", "": b"", "database/a\x00b": b"pwned"}
    store.put_bytes(f"{manifest.id}/{str(canary).lstrip('/')}", b"pwned")  # where an unchecked absolute key would be read from
    manifest.files.update({key: FileEntry(hashlib.sha256(data).hexdigest(), len(data)) for key, data in planted.items()})
    store.put_bytes(f"{manifest.id}/{MANIFEST}", manifest.to_json())
    before = digest(store)

    with pytest.raises(OperationError) as failed:
        dr_drill(environment=name)

    reason = str(failed.value)
    assert f"drill {name} from backup {manifest.id}: FAILED: backup files match the manifest" in reason, reason
    for key, why in [
        (str(canary), "absolute"),
        (f"../{unborn.name}", "climbs out with '..'"),
        ("", "empty"),
        ("database/a\x00b", "contains a NUL byte"),
    ]:
        assert f"{manifest.id}/{MANIFEST}: key {key!r} refused: {why}" in reason, (key, reason)
    assert canary.read_bytes() == b"canary" and not unborn.exists()
    assert scratch_databases(pg, toy[0]) == []
    after = digest(store)
    assert {k: v for k, v in after.items() if not k.startswith(records.HISTORY + "/")} == before  # only the drill's record added


def test_a_store_fname_outside_the_filestore_is_refused_and_reported_never_read(pg, database, tmp_path):
    filestore, outside = tmp_path / "filestore", tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"root:secret")
    make_toy(pg, database, filestore)
    (filestore / "cc").mkdir()
    (filestore / "cc" / "link").symlink_to(outside / "secret")
    hostile = {
        "../outside/secret": "climbs out with '..'",
        str(outside / "secret"): "absolute",
        "cc/link": f"a symlink leads outside {filestore} ({filestore / 'cc' / 'link'} is {os.path.realpath(outside / 'secret')})",
    }
    with psycopg.connect(pg.dsn(database)) as conn:
        for fname in hostile:
            attach(conn, fname, b"root:secret")
    store = LocalDirectoryStore(path=str(tmp_path / "backups"))

    manifest, warnings = take.take(parse_dsn(pg.dsn(database)), "prod", LocalDirectoryStore(path=str(filestore)), store)

    for fname, why in hostile.items():
        assert f"ir_attachment.store_fname {fname!r} refused: {why}; not read" in warnings, warnings
    assert len(warnings) == len(hostile)
    assert [k for k in manifest.files if k.startswith("filestore/")] == [f"filestore/{sha1(ATTACHMENT)[:2]}/{sha1(ATTACHMENT)}"]
    assert not any(store.get_bytes(item.key) == b"root:secret" for item in store.list())

    asked = []  # the pitr drill's reader: the live filestore
    files = LocalDirectoryStore(path=str(filestore))
    with psycopg.connect(pg.dsn(database)) as conn:
        problems = drill.referenced_file_problems(
            conn, drill.sha1_of(lambda fname: asked.append(fname) or files.get_bytes(fname)), "in the filestore"
        )
    assert sorted(problems) == sorted(
        f"ir_attachment.store_fname {fname!r} refused: {why}; not read" for fname, why in hostile.items()
    )
    assert "../outside/secret" not in asked and str(outside / "secret") not in asked


def test_a_file_bigger_than_its_attachment_says_is_copied_alone_never_held_in_a_bundle(pg, database, tmp_path, monkeypatch):
    """ir_attachment.file_size is Odoo's word, not the file's: a bundle never holds more than LIMIT of one file."""
    monkeypatch.setattr(bundles, "LIMIT", 1000)
    filestore = tmp_path / "filestore"
    make_toy(pg, database, filestore)
    big = os.urandom(5000)
    fname = f"{sha1(big)[:2]}/{sha1(big)}"
    (filestore / fname).parent.mkdir(parents=True, exist_ok=True)
    (filestore / fname).write_bytes(big)
    with psycopg.connect(pg.dsn(database)) as conn:
        attach(conn, fname, big)
        conn.execute("UPDATE ir_attachment SET file_size = 10 WHERE store_fname = %s", (fname,))
    store = LocalDirectoryStore(path=str(tmp_path / "backups"))

    manifest, warnings = take.take(parse_dsn(pg.dsn(database)), "prod", LocalDirectoryStore(path=str(filestore)), store)

    assert warnings == []
    small = f"{sha1(ATTACHMENT)[:2]}/{sha1(ATTACHMENT)}"
    assert manifest.files[f"filestore/{fname}"].bundle is None and manifest.files[f"filestore/{small}"].bundle == "bundles/000001"
    assert store.get_bytes(f"{manifest.id}/filestore/{fname}") == big
    assert store.get_bytes(f"{manifest.id}/bundles/000001") == ATTACHMENT
    assert drill.verify_filestore(store, manifest).problems == []


# --- manifests that do not parse ------------------------------------------------------------------------


@pytest.mark.parametrize("bundle, offset", [("../../etc/passwd", 0), ("bundles/1", 0), ("bundles/000001", -1)])
def test_a_manifest_whose_file_lies_outside_the_backups_bundles_is_unreadable(bundle, offset):
    now = datetime.now(UTC)
    entry = FileEntry(hashlib.sha256(b"x").hexdigest(), 1, bundle=bundle, offset=offset)
    raw = Manifest(id=new_id(now), environment="prod", taken_at=now, files={"filestore/ab/abc": entry}).to_json()
    with pytest.raises(InputError, match=r"^store/b/manifest.json: .*a bundled file must name its bundle"):
        Manifest.from_json(raw, "store/b/manifest.json")
    fine = Manifest(
        id=new_id(now),
        environment="prod",
        taken_at=now,
        files={"filestore/ab/abc": FileEntry(entry.sha256, 1, "bundles/000001", 7)},
    )
    assert Manifest.from_json(fine.to_json(), "store/b/manifest.json").files == fine.files


def test_an_unreadable_manifest_is_listed_invalid_and_the_other_backups_still_list_prune_drill_and_restore(
    pg, toy, toy_env, run_formwork
):
    from flows.dr_drill import dr_drill
    from tasks.refresh import find_backup

    name, store = toy_env
    good = backed_up(pg, toy, name, store)
    broken = {
        hand_made(store, name, date(2099, 1, d)): body
        for d, body in [(1, b"{not json"), (2, b"[]"), (3, None), (4, b'{"format": 1, "id": "x"}')]
    }
    for backup_id, body in broken.items():
        store.put_bytes(
            f"{backup_id}/{MANIFEST}",
            body if body is not None else Manifest(id=new_id(good.taken_at), environment=name, taken_at=good.taken_at).to_json(),
        )  # another id
    before = digest(store)

    found = catalog.read(store, name)
    assert [m.id for m in found.complete] == [good.id] and found.incomplete == []
    assert sorted(found.invalid) == sorted(broken)
    assert "not a readable Formwork backup manifest" in found.invalid[min(broken)]
    listed = run_formwork("backups", "list", name)
    assert listed.returncode == 0, listed.stderr
    assert good.id in listed.stdout and all(
        f"{backup_id:24} invalid, never used or removed: " in listed.stdout for backup_id in broken
    )
    with pytest.raises(InputError, match=rf"--backup '{min(broken)}': no such complete backup in .* \(invalid: "):
        found.find(min(broken), store.url())

    decision, notes = catalog.apply_retention(store, found, RetentionPolicy.parse("0d"), locked=True)
    assert decision.keep == [good.id] and decision.remove == []
    assert sorted(note.split(":")[0] for note in notes) == sorted(broken)
    assert digest(store) == before  # the invalid ones stay, for a look

    assert find_backup(name, catalogue.load(name), "latest").id == good.id  # what --from-backup restores
    result = dr_drill(environment=name)
    assert result.passed and result.backup_id == good.id, result.summary()
    assert scratch_databases(pg, toy[0]) == []


# --- one store, many environments ---------------------------------------------------------------------


@pytest.fixture(params=["local", "s3", "s3-sibling-prefixes"])
def shared(request, tmp_path):
    """The stores `prod` and `prod-eu` keep their backups in: one store, or prefixes `…/prod` and `…/prod-eu`."""
    if request.param == "local":
        store = LocalDirectoryStore(path=str(tmp_path / "backups"))
        return store, store
    endpoint, bucket = request.getfixturevalue("s3_server").endpoint, request.getfixturevalue("s3_bucket")
    if request.param == "s3":
        store = s3_store(endpoint, bucket, prefix="backups")
        return store, store
    return s3_store(endpoint, bucket, prefix="backups/prod"), s3_store(endpoint, bucket, prefix="backups/prod-eu")


def test_environments_sharing_a_store_each_see_drill_and_prune_only_their_own(shared):
    prod, eu = shared
    mine = [hand_made(prod, "prod", date(2026, 11, d)) for d in (20, 22, 24)]
    theirs = [hand_made(eu, "prod-eu", date(2026, 11, d)) for d in (21, 23)]
    theirs_in_progress = hand_made(eu, "prod-eu", date(2026, 11, 23), hour=5, complete=False)  # older than prod's newest
    drilled(eu, "prod-eu", theirs[0], passed=True)
    drilled(prod, "prod", mine[0], passed=False)
    eu_before = owned(eu, theirs + [theirs_in_progress])
    assert len(eu_before) == 2 * 3 + 2 + 1  # started, dump and manifest of each; started and dump; the drill record

    found = catalog.read(prod, "prod")
    assert [m.id for m in found.complete] == mine and found.incomplete == [] and found.invalid == {}
    assert [m.id for m in catalog.read(eu, "prod-eu").complete] == theirs
    assert catalog.read(eu, "prod-eu").incomplete == [theirs_in_progress]
    with pytest.raises(InputError, match=f"--backup '{theirs[0]}': no such complete backup"):
        found.find(theirs[0], prod.url())
    assert [r["backup"] for r in records.earlier_records(prod, "prod")] == [mine[0]]

    decision, notes = catalog.apply_retention(prod, found, RetentionPolicy.parse("1d"), locked=True)

    assert decision.remove == mine[:2] and notes == []
    assert [m.id for m in catalog.read(prod, "prod").complete] == [mine[2]]
    assert owned(eu, theirs + [theirs_in_progress]) == eu_before
    assert [m.id for m in catalog.read(eu, "prod-eu").complete] == theirs


# --- retention beside backups being written and backups a drill proved -----------------------------------


def test_retention_never_removes_a_backup_in_progress_or_the_newest_one_a_drill_passed(tmp_path):
    store = LocalDirectoryStore(path=str(tmp_path / "backups"))
    days = [hand_made(store, "prod", date(2026, 11, d)) for d in (21, 22, 23, 24)]
    killed = hand_made(store, "prod", date(2026, 11, 23), hour=9, complete=False)  # a newer backup finished since
    in_progress = hand_made(store, "prod", date(2026, 11, 24), hour=9, complete=False)  # newer than any finished one
    drilled(store, "prod", days[0], passed=True)
    drilled(store, "prod", days[1], passed=True)  # the newest that passed
    drilled(store, "prod", days[3], passed=False)
    drilled(store, "prod-eu", days[2], passed=True)  # another environment's record vouches for nothing here
    kept_before = owned(store, [days[1], days[3], in_progress])

    decision, notes = catalog.apply_retention(store, catalog.read(store, "prod"), RetentionPolicy.parse("1d"), locked=False)

    assert decision.keep == [days[1], days[3]] and decision.remove == [days[0], days[2]]
    assert decision.reasons[days[1]] == [catalog.DRILLED]
    assert notes == [
        f"{killed}: unfinished, kept: without the backup:prod limit (`formwork deploy` creates it) one may still be being written"
    ]
    assert catalog.read(store, "prod").incomplete == [killed, in_progress]

    decision, notes = catalog.apply_retention(store, catalog.read(store, "prod"), RetentionPolicy.parse("1d"), locked=True)

    assert decision.keep == [days[1], days[3]] and decision.remove == [] and notes == []
    after = catalog.read(store, "prod")
    assert [m.id for m in after.complete] == [days[1], days[3]] and after.incomplete == [in_progress]
    assert killed not in store.folders()
    assert owned(store, [days[1], days[3], in_progress]) == kept_before


def test_a_backup_waits_for_its_environment_backup_lock(pg, toy, toy_env):
    """So retention, which runs under the same lock right after, never sees a backup of its own environment
    half-written, and may remove the unfinished ones left by killed runs."""
    from prefect import get_client
    from prefect.concurrency.sync import concurrency

    from deployments.limits import ensure_limit
    from flows.backup import backup
    from tasks.concurrency import backup_limit

    name, store = toy_env
    killed = hand_made(store, name, date(2026, 1, 1), complete=False)
    with get_client(sync_client=True) as client:
        ensure_limit(client, backup_limit(name), 1)
    try:
        out: list = []
        with concurrency(backup_limit(name)):  # another backup of this environment is being written
            thread = threading.Thread(target=lambda: out.append(backup(environment=name, return_state=True)), daemon=True)
            thread.start()
            time.sleep(4)
            assert store.folders() == [killed] and not out, "the backup did not wait for the lock"
        thread.join(timeout=120)
        assert out and out[0].is_completed(), out
        found = catalog.read(store, name)  # under the real lock, the killed one could go
        assert [m.id for m in found.complete] == [out[0].result().id] and found.incomplete == [] and found.invalid == {}
    finally:
        with get_client(sync_client=True) as client:
            client.delete_global_concurrency_limit_by_name(backup_limit(name))
