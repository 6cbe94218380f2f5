"""The parts of a refresh that decide what the target is: same-database detection, swap, rollback, leftovers."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from formwork.errors import OperationError
from formwork.refresh.same_database import same_database, same_server
from formwork.refresh.space import Room, database_room, download_room, source_sizes
from formwork.refresh.swap import building_name, drop, exists, leftovers, previous_name, swap_back, swap_in


@pytest.fixture
def admin(pg):
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        yield conn


@pytest.fixture
def target(pg, admin):
    """A target database name; every database around it is dropped afterwards."""
    name = f"rt_{uuid.uuid4().hex[:8]}"
    yield name
    for (db,) in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (name + "%",)).fetchall():
        drop(admin, db)


def holding(pg, db: str, text: str) -> None:
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    with psycopg.connect(pg.dsn(db)) as conn:
        conn.execute("CREATE TABLE marker (text text)")
        conn.execute("INSERT INTO marker VALUES (%s)", (text,))


def marker(pg, db: str) -> str:
    with psycopg.connect(pg.dsn(db)) as conn:
        return conn.execute("SELECT text FROM marker").fetchone()[0]


def test_the_source_is_recognised_under_another_address(pg, pg_other):
    over_tcp = pg.dsn("postgres")
    over_socket = f"host={pg.root} port={pg.port} dbname=postgres user=postgres"
    with (
        psycopg.connect(over_tcp) as a,
        psycopg.connect(over_socket) as b,
        psycopg.connect(pg.dsn("template1")) as c,
        psycopg.connect(pg_other.dsn("postgres")) as other,
    ):
        assert same_database(a, b)
        assert same_server(a, c) and not same_database(a, c)
        assert not same_server(a, other) and not same_database(a, other)


def test_swap_in_replaces_the_target_and_keeps_one_previous_copy(pg, admin, target):
    holding(pg, target, "first")
    holding(pg, building_name(target, "run1"), "second")
    with psycopg.connect(pg.dsn(target)) as session:  # someone still using staging
        swap_in(admin, target, building_name(target, "run1"))
        with pytest.raises(psycopg.OperationalError):
            session.execute("SELECT 1")
    assert (marker(pg, target), marker(pg, previous_name(target))) == ("second", "first")
    holding(pg, building_name(target, "run2"), "third")
    swap_in(admin, target, building_name(target, "run2"))
    assert (marker(pg, target), marker(pg, previous_name(target))) == ("third", "second")
    assert leftovers(admin, target) == []


def test_a_first_refresh_has_no_previous_copy_and_rollback_says_so(pg, admin, target):
    holding(pg, building_name(target, "run1"), "only")
    swap_in(admin, target, building_name(target, "run1"))
    assert marker(pg, target) == "only"
    with pytest.raises(OperationError, match=f"no previous copy of '{target}'"):
        swap_back(admin, target)


def test_rollback_swaps_the_previous_copy_back_and_forth(pg, admin, target):
    holding(pg, target, "old")
    holding(pg, building_name(target, "r"), "new")
    swap_in(admin, target, building_name(target, "r"))
    swap_back(admin, target)
    assert (marker(pg, target), marker(pg, previous_name(target))) == ("old", "new")
    swap_back(admin, target)
    assert (marker(pg, target), marker(pg, previous_name(target))) == ("new", "old")


def test_leftovers_are_the_side_databases_of_this_target_only(pg, admin, target):
    for name in (
        building_name(target, "dead1"),
        building_name(target, "dead2"),
        f"{target}x{building_name('', 'y')}",
        previous_name(target),
    ):
        holding(pg, name, "x")
    assert leftovers(admin, target) == [building_name(target, "dead1"), building_name(target, "dead2")]


def test_names_beyond_postgresql_limits_are_shortened_with_a_digest_never_truncated(pg, admin):
    long = "s" * 63
    side, previous = building_name(long, "0123456789ab"), previous_name(long)
    assert len(side.encode()) <= 63 and side.endswith("__formwork_0123456789ab") and previous.endswith("__prev")
    assert building_name("s" * 62, "0123456789ab") != side  # the digest tells two long targets apart
    holding(pg, long, "live"), holding(pg, side, "x")
    try:
        assert leftovers(admin, long) == [side]
    finally:
        drop(admin, side), drop(admin, long)


def test_a_clone_lands_beside_the_target_on_another_server(pg, pg_other, seeded_source, tmp_path):
    from formwork.dsn import parse_dsn
    from formwork.refresh.clone import dump, restore

    source, _ = seeded_source
    copy = building_name("staging", "c1")
    counts = "SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY 1"
    query = "SELECT (SELECT count(*) FROM res_partner), (SELECT count(*) FROM hr_payslip_line), (SELECT md5(string_agg(name, ',' ORDER BY id)) FROM res_partner)"
    try:
        dump(parse_dsn(pg.dsn(source)), tmp_path / "dump", jobs=2)
        restore(parse_dsn(pg_other.dsn()), copy, tmp_path / "dump", jobs=2)
        with psycopg.connect(pg.dsn(source)) as original, psycopg.connect(pg_other.dsn(copy)) as cloned:
            assert original.execute(query).fetchone() == cloned.execute(query).fetchone()
            assert len(cloned.execute(counts).fetchall()) == len(original.execute(counts).fetchall())
        with psycopg.connect(pg_other.dsn(), autocommit=True) as admin:
            drop(admin, copy)
            biggest = max((tmp_path / "dump").glob("*.dat.gz"), key=lambda p: p.stat().st_size)
            biggest.write_bytes(biggest.read_bytes()[:200])  # a dump cut short mid-table
            with pytest.raises(OperationError, match=f"restore {copy} failed \\(exit 1\\)"):
                restore(parse_dsn(pg_other.dsn()), copy, tmp_path / "dump", jobs=2)
            assert not exists(admin, copy)  # nothing half-restored is left behind
            (tmp_path / "dump" / "toc.dat").write_bytes(b"not a dump")
            with pytest.raises(OperationError, match=f"restore {copy} failed: .* is not a readable dump: pg_restore: error"):
                restore(parse_dsn(pg_other.dsn()), copy, tmp_path / "dump", jobs=2)
            assert not exists(admin, copy)
    finally:
        with psycopg.connect(pg_other.dsn(), autocommit=True) as admin:
            drop(admin, copy)


def test_free_space_is_measured_on_a_server_of_this_machine(pg, admin, target):
    holding(pg, target, "x")
    with psycopg.connect(pg.dsn(target)) as source:
        database_size, data_size = source_sizes(source)
    room, dump = database_room(database_size, admin), download_room(data_size)
    assert room.free is not None and room.needed > 0 and room.enough
    assert dump.free is not None and dump.needed > 0


def test_too_little_room_is_refused_with_both_figures():
    short = Room("target server", needed=5 * 1024**3, free=1024**3)
    assert not short.enough
    assert str(short) == "target server: needs about 5.0 GB, 1.0 GB free"
    assert Room("target server", needed=5, free=None).enough  # not measurable: reported, not refused
