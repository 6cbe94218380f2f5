"""Every pipeline on the real Odoo database, and real Odoo still runs on what it leaves: refresh (live and from a
backup), mask, backup + drill, and a point-in-time restore. One Odoo process serves every result on the main
cluster (the session's `odoo_served`: each boot costs 15-25 s); the point-in-time result, on its own server, gets a
second one.

Every result lives in one Odoo data directory (the copies' own, `<data_dir>/filestore/<db>`), so the filestore
each pipeline wrote is the one Odoo reads."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from blocks import catalogue
from formwork.environments import EnvironmentSpec
from tests.support.cli import FORMWORK, checkout_env
from tests.support.odoo import OdooCopy
from tests.support.odoo_results import (
    check_copy_serves,
    check_serves,
    known_password,
    load_template,
    serving_all,
)
from tests.test_hostile_sidecopy import can_connect, role  # noqa: F401  (role: a fixture)
from tests.test_mask_cli import SALT_ENV
from tests.test_refresh_cli import DIGEST

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def owners(cluster, database: str) -> set[str]:
    """Who owns the database and every table, sequence and view in it."""
    with psycopg.connect(cluster.dsn(database)) as conn:
        found = {conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()").fetchone()[0]}
        return found | {
            owner
            for (owner,) in conn.execute(
                "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            )
        }


@pytest.fixture(scope="module")
def pipelines(odoo, prefect_api, tmp_path_factory):
    """Each pipeline run once, as a user runs it, on copies of the real template: {pipeline: (the command's result,
    the database it left)}. The live refresh replaces a staging database owned by Odoo's role, as a staging Odoo has
    it; the one from a backup is staging's first (no database yet). Production and the backed-up environment are
    only read."""
    work = tmp_path_factory.mktemp("pipelines")
    copies = {kind: odoo.copy(kind) for kind in ("prod", "stg_live", "backed", "masked")}
    copies["stg_backup"] = OdooCopy(f"stg_backup_{uuid.uuid4().hex[:8]}", odoo.workdir / "copies")
    names = {kind: f"{kind.replace('_', '-')}-{uuid.uuid4().hex[:6]}" for kind in copies}

    def register(kind: str, **extra) -> None:
        catalogue.add(
            EnvironmentSpec(
                names[kind], odoo.cluster.dsn(copies[kind].name), filestore=f"file://{copies[kind].filestore}", **extra
            )
        )

    def formwork(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, **SALT_ENV, "PREFECT_API_URL": prefect_api, "PREFECT_HOME": str(work / "prefect-home")}
        return subprocess.run(
            [*FORMWORK, *args], capture_output=True, text=True, env=checkout_env(env), cwd=work, timeout=600, check=False
        )

    register("prod", production=True)
    register("backed", backup_store=f"file://{work}/backups")
    for kind in ("stg_live", "stg_backup"):
        register(kind, base_url=f"https://{kind.replace('_', '-')}.example.com")
    register("masked")
    digests = {kind: digest(odoo.cluster, copies[kind].name) for kind in ("prod", "backed")}

    def from_the_backup() -> dict:
        """backup, then what reads it: in this order."""
        done = {"backup": (formwork("backup", names["backed"]), copies["backed"])}
        done["drill"] = formwork("drill", names["backed"]), None
        done["refresh --from-backup"] = (
            formwork("refresh", names["backed"], names["stg_backup"], "--yes", "--from-backup", "latest"),
            copies["stg_backup"],
        )
        return done

    # Three independent chains on separate databases, side by side as a server's nightly runs would be.
    with ThreadPoolExecutor(3) as pool:
        live = pool.submit(
            lambda: {"refresh": (formwork("refresh", names["prod"], names["stg_live"], "--yes"), copies["stg_live"])}
        )
        backed = pool.submit(from_the_backup)
        masked = pool.submit(lambda: {"mask": (formwork("mask", names["masked"], "--yes"), copies["masked"])})
        ran = {**live.result(), **backed.result(), **masked.result()}
    yield ran, names, digests, copies, work
    for name in names.values():
        if catalogue.exists(name):
            catalogue.remove(name)
    for copy in copies.values():
        for left in (copy, OdooCopy(f"{copy.name}__prev", copy.data_dir)):  # what a refresh kept of the staging it replaced
            odoo.drop(left)


@pytest.fixture(scope="module")
def drilled(odoo, pipelines):
    """The drill drops its scratch database; its own steps (verify the files, restore into scratch, isolate and
    check) once more, into a scratch database kept for Odoo, its filestore the backup's: (database, checks)."""
    from blocks.stores import open_store
    from formwork import databases
    from formwork.backup import catalog, drill, scratch_server
    from formwork.dsn import connect_maintenance
    from tasks.drill import check_restore, restore_scratch

    _, names, _, _, work = pipelines
    env = catalogue.load(names["backed"])
    store = open_store(env.backup_store_url)
    manifest = catalog.read(store, names["backed"]).find(None, store.url())
    server = scratch_server.choose(names["backed"], env, None)
    with connect_maintenance(server) as admin:
        kept = OdooCopy(databases.new_name(admin, env.db_name, drill.SCRATCH + "odoo"), odoo.workdir / "copies")
    files = work / "drilled"
    assert drill.fetch(store, manifest, files) == []  # the whole backup: its filestore is the one Odoo will read
    verified = drill.verify_filestore(store, manifest)
    assert verified.problems == []
    restore_scratch.fn(names["backed"], env, server, kept.name, files, manifest)
    checks = check_restore.fn(server, kept.name, manifest, verified)
    with connect_maintenance(server) as admin:  # a scratch database is closed to all but Formwork: opened, as to inspect it
        admin.execute(f'GRANT CONNECT ON DATABASE "{kept.name}" TO odoo')
    kept.filestore.symlink_to(files / "filestore")
    yield kept, checks
    odoo.drop(kept)


def digest(cluster, database: str) -> str:
    with psycopg.connect(cluster.dsn(database)) as conn:
        return conn.execute(DIGEST).fetchone()[0]


def succeeded(ran, pipeline: str) -> subprocess.CompletedProcess:
    done, _ = ran[pipeline]
    assert done.returncode == 0, f"formwork {pipeline}: exit {done.returncode}: {done.stderr[-3000:]}"
    return done


def test_refresh_leaves_a_staging_owned_like_the_one_it_replaced_that_odoo_runs_on(odoo, pipelines, odoo_served):
    ran, names, digests, copies, _ = pipelines
    done = succeeded(ran, "refresh")
    assert f"refresh {names['prod']} -> {names['stg_live']}: done" in done.stdout
    assert digest(odoo.cluster, copies["prod"].name) == digests["prod"]  # production only read
    staging = copies["stg_live"]
    assert owners(odoo.cluster, staging.name) == {"odoo"}  # Odoo's role, like the staging it replaced: Odoo can write it
    assert any(staging.filestore.rglob("*"))
    check_copy_serves(odoo, odoo_served, staging)


def test_backup_and_drill_pass_and_odoo_runs_on_the_drills_restore(odoo, pipelines, drilled, odoo_served):
    ran, names, *_ = pipelines
    backup_id = succeeded(ran, "backup").stdout.strip().splitlines()[-1]
    assert f"drill {names['backed']} from backup {backup_id}: PASSED" in succeeded(ran, "drill").stdout
    kept, checks = drilled
    assert [check.name for check in checks if not check.passed] == []
    assert owners(odoo.cluster, kept.name) == {"odoo"}  # drilled on its own server: owned like the database it restores
    check_copy_serves(odoo, odoo_served, kept)


def test_a_first_refresh_from_a_backup_leaves_a_staging_owned_like_the_source_that_odoo_runs_on(odoo, pipelines, odoo_served):
    ran, _, digests, copies, _ = pipelines
    done = succeeded(ran, "refresh --from-backup")
    assert "production was not read" in done.stdout
    assert digest(odoo.cluster, copies["backed"].name) == digests["backed"]
    assert owners(odoo.cluster, copies["stg_backup"].name) == {"odoo"}  # the backup's source's owner, recorded in its manifest
    check_copy_serves(odoo, odoo_served, copies["stg_backup"])


def test_mask_leaves_a_database_odoo_runs_on(odoo, pipelines, odoo_served):
    ran, *_ = pipelines
    assert "no leaks" in succeeded(ran, "mask").stdout
    check_copy_serves(odoo, odoo_served, ran["mask"][1])


def test_a_copy_owned_by_odoos_role_stays_closed_to_it_until_the_swap_opens_it(pg, role, tmp_path):  # noqa: F811
    """Owning the copy (so Odoo can write it once it is staging) does not let Odoo's role open it while it is built."""
    from formwork.dsn import parse_dsn
    from formwork.refresh import clone
    from formwork.refresh.swap import building_name, drop, swap_in

    target = f"own_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{target}" OWNER "{role}"')  # staging as Odoo created it
        try:
            with psycopg.connect(f"postgresql://{role}@127.0.0.1:{pg.port}/{target}", autocommit=True) as odoo_role:
                odoo_role.execute("CREATE TABLE marker AS SELECT 'the old staging' AS text")
            clone.dump(parse_dsn(pg.dsn(target)), tmp_path / "dump")
            side = building_name(target, "r1")
            clone.restore(parse_dsn(pg.dsn()), side, tmp_path / "dump", owned_like=target)
            assert owners(pg, side) == {role}
            assert not can_connect(pg, role, side)
            swap_in(admin, target, side)
            with psycopg.connect(f"postgresql://{role}@127.0.0.1:{pg.port}/{target}", autocommit=True) as odoo_role:
                odoo_role.execute("UPDATE marker SET text = 'written by Odoo'")  # its own table: Odoo can write it
        finally:
            for (name,) in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (target + "%",)).fetchall():
                drop(admin, name)


def test_a_copy_is_refused_before_anything_is_created_when_formwork_cannot_act_as_the_owner(pg, role, tmp_path):  # noqa: F811
    """A restore Odoo could not write, because Formwork's role cannot give it to Odoo's, is no copy at all."""
    from formwork.dsn import parse_dsn
    from formwork.errors import OperationError
    from formwork.refresh import clone

    target, formwork_role = f"own_{uuid.uuid4().hex[:8]}", f"{role}_fw"
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{formwork_role}" LOGIN CREATEDB')  # not a superuser, not a member of Odoo's role
        admin.execute(f'CREATE DATABASE "{target}" OWNER "{role}"')
        try:
            with psycopg.connect(pg.dsn(target)) as conn:
                conn.execute("CREATE TABLE marker AS SELECT 'the old staging' AS text")
            clone.dump(parse_dsn(pg.dsn(target)), tmp_path / "dump")
            as_formwork = parse_dsn(f"postgresql://{formwork_role}@127.0.0.1:{pg.port}/postgres")
            with pytest.raises(OperationError, match=f"must be owned by '{role}', like '{target}'.*cannot act as '{role}'"):
                clone.restore(as_formwork, f"{target}_copy", tmp_path / "dump", owned_like=target)
            assert not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (f"{target}_copy",)).fetchone()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
            admin.execute(f'DROP ROLE "{formwork_role}"')


def mark(cluster, text: str) -> None:
    """The company's partner gets a reference."""
    with psycopg.connect(cluster.dsn("erp"), autocommit=True) as conn:
        conn.execute("UPDATE res_partner SET ref = %s WHERE id = 1", (text,))


@pytest.fixture(scope="module")
def point_in_time(odoo, clusters, prefect_api, tmp_path_factory):
    """The real Odoo database on an archiving cluster (pgBackRest, one full backup), marked before and after a point:
    (the point-in-time drill's result, the scratch server restored to that point, its data directory)."""
    from blocks import pitr_protection as protection
    from flows.backup import backup
    from flows.dr_drill import dr_drill
    from flows.pitr_setup import pitr_setup
    from formwork.pitr import scratch
    from formwork.pitr.target import RecoveryTarget
    from tests.test_pitr import server_now, switch_and_wait

    cluster = clusters.start(f"pitr-odoo-{uuid.uuid4().hex[:6]}")
    work = tmp_path_factory.mktemp("pitr-odoo")
    production = load_template(odoo, cluster, "erp", work / "production")
    name = f"t1-{uuid.uuid4().hex[:6]}"
    catalogue.add(EnvironmentSpec(name, cluster.dsn("erp"), filestore=f"file://{production.filestore}", tier=1, production=True))
    declared = protection.declare(
        name,
        catalogue.load(name),
        repo=f"file://{clusters.base}/{name}-repo",
        stanza=None,
        pg_data=None,
        config_path=None,
        managed=True,
    )
    pitr_setup(environment=name)
    backup(environment=name, kind="full")
    time.sleep(1.1)  # a target lies past the base backup's stop second
    mark(cluster, "before the point")
    time.sleep(0.3)
    between = server_now(cluster)
    time.sleep(0.3)
    mark(cluster, "after the point")
    switch_and_wait(cluster)
    drilled = dr_drill(environment=name, target_time=between.isoformat())
    restored = scratch.new_cluster(name)
    try:
        scratch.restore(declared, RecoveryTarget(between, "given"), restored)
        server = scratch.start(restored, "postgres", 120)
        data_dir = work / "restored"
        shutil.copytree(
            production.filestore, OdooCopy("erp", data_dir).filestore
        )  # a restore brings its filestore back beside it
        yield drilled, server, data_dir
    finally:
        scratch.remove(restored)
        catalogue.remove(name)
        cluster.stop()


def test_a_point_in_time_restore_of_real_odoo_recovers_the_point_and_odoo_runs_on_it(odoo, point_in_time):
    drilled, server, data_dir = point_in_time
    assert drilled.passed, drilled.summary()
    with psycopg.connect(**server.on("erp").kwargs(), autocommit=True) as conn:
        assert conn.execute("SELECT ref FROM res_partner WHERE id = 1").fetchone()[0] == "before the point"
        login, password = known_password(conn)
    with serving_all(odoo, data_dir, db_host=server.host, db_port=server.port) as served:
        check_serves(*served, "erp", login, password)
