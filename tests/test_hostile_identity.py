"""Production is known by identity, never by address: every write refuses it under any address, derived names never
land on an existing database, and production is drilled only on a separate scratch server.

Each case asserts the refusal (exit 2 and one line naming the value at fault) and that nothing changed."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest

from blocks import catalogue
from blocks.odoo_environment import OdooEnvironment
from blocks.pitr_protection import PitrProtection
from formwork import databases
from formwork.environments import EnvironmentSpec
from formwork.errors import InputError, OperationError
from formwork.postgres_cluster import free_port
from formwork.refresh import swap
from tests.support.clusters import drop_database
from tests.test_mask_cli import SALT_ENV, one_line

# Rows of the tables masking, rewiring and seeding would rewrite, and the database's own oid (a rename or a drop
# and re-create changes it).
DIGEST = (
    "SELECT md5(concat_ws('|', (SELECT string_agg(t::text, ',' ORDER BY id) FROM res_partner t), "
    "(SELECT string_agg(t::text, ',' ORDER BY id) FROM hr_employee t), "
    "(SELECT string_agg(t::text, ',' ORDER BY id) FROM ir_config_parameter t), "
    "(SELECT string_agg(t::text, ',' ORDER BY id) FROM ir_mail_server t), "
    "(SELECT oid::text FROM pg_database WHERE datname = current_database())))"
)


def digest(cluster, database: str) -> str:
    with psycopg.connect(cluster.dsn(database)) as conn:
        return conn.execute(DIGEST).fetchone()[0]


def refused(result, *needles: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    line = one_line(result)
    for needle in needles:
        assert needle in line, line
    return line


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def production(pg, seeded_source):
    """A copy of the seeded database that plays production (CREATE DATABASE ... TEMPLATE: a second's work)."""
    database = f"hi_prod_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}" TEMPLATE "{seeded_source[0]}"')
    yield database
    drop_database(pg, database)
    drop_database(pg, swap.previous_name(database))


@pytest.fixture
def small(pg):
    """A hand-made database with one marked row; its name. Cheaper than a seeded copy where Odoo is not needed."""
    database = f"hi_small_{uuid.uuid4().hex[:8]}"
    make_small(pg, database)
    yield database
    drop_database(pg, database)


def make_small(cluster, database: str) -> None:
    with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    with psycopg.connect(cluster.dsn(database)) as conn:
        conn.execute("CREATE TABLE marker AS SELECT 'live' AS text")


def marker(cluster, database: str) -> str:
    with psycopg.connect(cluster.dsn(database)) as conn:
        return conn.execute("SELECT text FROM marker").fetchone()[0]


def test_an_address_reaching_production_is_refused_by_every_write(pg, production, formwork_here, tmp_path):
    """The reported bug: a second environment reaching production as `localhost` instead of `127.0.0.1`."""
    prod, alias = name("prod"), name("alias")
    files = tmp_path / "files"
    added = formwork_here("env", "add", prod, "--dsn", pg.dsn(production), "--filestore", f"file://{files}", "--production")
    assert added.returncode == 0, added.stderr
    localhost = f"postgresql://postgres@localhost:{pg.port}/{production}"
    refused(
        formwork_here("env", "add", alias, "--dsn", localhost, "--filestore", f"file://{tmp_path}/alias-files"),
        f"--dsn '{localhost}' reaches the database of production environment '{prod}'",
    )
    assert alias not in formwork_here("env", "list").stdout

    # The same block saved directly (or added before production was): every write is refused by identity.
    OdooEnvironment(
        db_host="localhost",
        db_port=pg.port,
        db_name=production,
        db_user="postgres",
        filestore_url=f"file://{tmp_path}/alias-files",
    ).save(alias)
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:  # a previous copy a rollback would swap in
        admin.execute(f'CREATE DATABASE "{swap.previous_name(production)}"')
    before = digest(pg, production)
    at_fault = f"database '{production}' is the database of production environment '{prod}'"
    refused(formwork_here("mask", alias, "--yes", env=SALT_ENV), f"environment '{alias}'", at_fault, "never masks production")
    refused(formwork_here("rewire", alias, "--yes"), f"environment '{alias}'", at_fault, "never rewires production")
    refused(formwork_here("refresh", prod, alias, "--yes", env=SALT_ENV), f"environment '{alias}'", at_fault)
    refused(formwork_here("refresh", "rollback", alias), f"environment '{alias}'", at_fault)
    refused(formwork_here("seed", localhost, "--replace"), at_fault, "never seeds production")
    assert digest(pg, production) == before
    assert not files.exists() and not (tmp_path / "alias-files").exists()


def test_library_writes_refuse_production_under_another_address(pg, production, prefect_api):
    """Whatever calls them: drop, rename, index build and seeding check identity on their own connection."""
    from formwork.dsn import parse_dsn
    from formwork.refresh import clone
    from formwork.seed.builder import check_target

    prod = name("prod")
    catalogue.add(EnvironmentSpec(prod, pg.dsn(production), production=True))
    before = digest(pg, production)
    with psycopg.connect(f"postgresql://postgres@localhost:{pg.port}/postgres", autocommit=True) as admin:
        with pytest.raises(InputError, match=f"database '{production}' is the database of production environment '{prod}'"):
            databases.drop(admin, production)
        with pytest.raises(InputError, match="never replaces production"):
            swap.swap_in(admin, production, swap.building_name(production, "x"))
        with psycopg.connect(pg.dsn(production)) as session:  # refused before any session of production is ended
            with pytest.raises(InputError, match="never renames production"):
                databases.rename_all(admin, [(production, production + "_x")])
            assert session.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(InputError, match="never restores production"):
        clone.build_indexes(parse_dsn(f"postgresql://postgres@localhost:{pg.port}/postgres"), production, Path("/nonexistent"))
    with pytest.raises(InputError, match="never seeds production"):
        check_target(parse_dsn(f"postgresql://postgres@localhost:{pg.port}/{production}"), replace=True)
    assert digest(pg, production) == before


def test_seeding_refuses_a_registered_database_unless_replacing_a_lower_one(pg, small, prefect_api):
    from formwork.dsn import parse_dsn
    from formwork.seed.builder import check_target

    staging = name("stg")
    catalogue.add(EnvironmentSpec(staging, pg.dsn(small)))
    other_address = parse_dsn(f"postgresql://postgres@localhost:{pg.port}/{small}")
    with pytest.raises(InputError, match=f"database '{small}' is the database of environment '{staging}' .*add --replace"):
        check_target(other_address, replace=False)
    check_target(other_address, replace=True)  # a lower environment may be rebuilt when asked
    assert marker(pg, small) == "live"


def test_an_unreachable_production_without_recorded_identity_refuses_every_write(pg, small, formwork_here):
    prod, staging = name("prod"), name("stg")
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/erp"  # nothing listens: its identity was never recorded
    catalogue.add(EnvironmentSpec(staging, pg.dsn(small)))
    catalogue.add(EnvironmentSpec(prod, down, production=True))
    refused(
        formwork_here("rewire", staging, "--yes"),
        f"refusing to rewire: production environment '{prod}' ({down}) cannot be reached",
        "no recorded identity",
        "cannot tell whether the target is production",
    )
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        with pytest.raises(InputError, match=f"refusing to drop: production environment '{prod}'"):
            databases.drop(admin, small)
    assert marker(pg, small) == "live"


def test_a_63_byte_database_name_drill_never_drops_the_live_database(pg, prefect_api, tmp_path):
    """PostgreSQL truncates names at 63 bytes: `<63 bytes>__drill_<run>` used to name the live database itself."""
    from flows.backup import backup
    from flows.dr_drill import dr_drill

    long = "l" * 55 + uuid.uuid4().hex[:8]
    make_small(pg, long)
    try:
        with psycopg.connect(pg.dsn(long)) as conn:
            oid = conn.execute("SELECT oid FROM pg_database WHERE datname = current_database()").fetchone()[0]
        drilled = name("long")
        catalogue.add(EnvironmentSpec(drilled, pg.dsn(long), backup_store=f"file://{tmp_path}/backups"))
        backup(environment=drilled)
        with pytest.raises(OperationError, match=f"drill {drilled} .*FAILED"):  # not an Odoo database: it fails after its restore
            dr_drill(environment=drilled)
        with psycopg.connect(pg.dsn(long)) as conn:
            assert conn.execute("SELECT oid FROM pg_database WHERE datname = current_database()").fetchone()[0] == oid
            assert conn.execute("SELECT text FROM marker").fetchone()[0] == "live"
        with psycopg.connect(pg.dsn(), autocommit=True) as admin:
            assert databases.leftovers(admin, long, "__drill_") == []
    finally:
        drop_database(pg, long)


def test_a_derived_name_that_names_an_existing_database_is_refused(pg, small):
    taken = databases.derived_name(small, "__drill_abc")
    make_small(pg, taken)
    try:
        with psycopg.connect(pg.dsn(), autocommit=True) as admin:
            with pytest.raises(OperationError, match=f"database '{taken}' .* already exists: refusing to create or replace it"):
                databases.new_name(admin, small, "__drill_abc")
        assert marker(pg, taken) == "live"
    finally:
        drop_database(pg, taken)


def test_production_is_drilled_only_on_a_separate_scratch_server(pg, pg_other, small, formwork_here, tmp_path):
    prod = name("prod")
    catalogue.add(EnvironmentSpec(prod, pg.dsn(small), production=True, backup_store=f"file://{tmp_path}/backups"))

    def names(cluster) -> set[str]:
        with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
            return {n for (n,) in admin.execute("SELECT datname FROM pg_database")}

    before = names(pg), names(pg_other)
    refused(
        formwork_here("drill", prod),
        f"drill {prod}: a production environment is restored on a separate scratch server",
        "--scratch-dsn",
    )
    same = f"postgresql://postgres@localhost:{pg.port}/postgres"
    refused(
        formwork_here("drill", prod, "--scratch-dsn", same),
        f"drill {prod}: scratch server localhost:{pg.port} is the server of production environment '{prod}'",
    )
    assert (names(pg), names(pg_other)) == before and marker(pg, small) == "live"
    assert not (tmp_path / "backups").exists()


def test_a_scratch_server_with_a_password_or_on_production_is_refused_at_registration(pg, small, prefect_api):
    prod = name("prod")
    with pytest.raises(InputError, match="--scratch-dsn: leave the password out"):
        catalogue.add(
            EnvironmentSpec(prod, pg.dsn(small), production=True, scratch_dsn="postgresql://postgres:s3cret@127.0.0.1/postgres")
        )
    same = f"postgresql://postgres@localhost:{pg.port}/postgres"
    with pytest.raises(InputError, match=f"--scratch-dsn '{same}' reaches the server of --dsn"):
        catalogue.add(EnvironmentSpec(prod, pg.dsn(small), production=True, scratch_dsn=same))
    assert not catalogue.exists(prod)


def test_a_point_in_time_scratch_folder_never_touches_production_data(tmp_path):
    from formwork.pitr import scratch
    from formwork.postgres_cluster import LocalCluster

    pg_data = tmp_path / "prod" / "data"
    (pg_data / "base").mkdir(parents=True)
    (pg_data / "PG_VERSION").write_text("17\n")
    protection = PitrProtection(stanza="prod", repo_url="file:///nowhere", pg_data=str(pg_data), config_path="/nowhere.conf")
    for root in (pg_data, pg_data / "base", tmp_path / "prod"):
        with pytest.raises(InputError, match="overlaps production's data directory"):
            scratch.restore(protection, None, LocalCluster(root, 0))
    assert sorted(p.name for p in pg_data.iterdir()) == ["PG_VERSION", "base"]
