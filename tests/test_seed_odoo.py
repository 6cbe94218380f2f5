"""`formwork seed --odoo-bin`: the construction company built through real Odoo 17 (restored from the build the `odoo`
fixture cached), its filestore beside it, and Odoo serving it; every guard of the synthetic seed still applies, before
any Odoo starts."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import psycopg
import pytest

from blocks.odoo_environment import OdooEnvironment
from formwork.seed import odoo_build
from formwork.seed.odoo_build import MODULES
from tests.support.cli import FORMWORK, checkout_env
from tests.support.clusters import drop_database
from tests.support.odoo import OdooCopy
from tests.support.odoo_results import check_copy_serves
from tests.test_hostile_identity import digest, refused

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # a cold cache builds Odoo's database first
PEOPLE = ["Aisha Rahman", "Liam O'Brien", "Maria Keller", "Tomasz Nowak"]


SUPERUSER_SECRET, ODOO_SECRET = (
    "pg-superuser-Secret-1",
    "odoo-role-Secret-2",
)  # the test cluster trusts; Odoo must see only its own


def watching(odoo, folder: Path) -> tuple[Path, Path]:
    """odoo-bin behind a wrapper that notes each start, its arguments and its environment: (wrapper, notes)."""
    notes, wrapper = folder / "odoo-started", folder / "odoo-bin"
    wrapper.write_text(f'#!/bin/sh\n{{ echo "ARGS $*"; env; }} >> {notes}\nexec {odoo.bin} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper, notes


@pytest.fixture
def watched_odoo(odoo, tmp_path):
    return watching(odoo, tmp_path)


@pytest.fixture(scope="module")
def seeded(pg, odoo, prefect_api, tmp_path_factory):
    """One database seeded through Odoo on the command line, the superuser's password in the DSN and Odoo's role's in
    FORMWORK_ODOO_DB_PASSWORD, its filestore in Odoo's layout: (name, data dir, result, what odoo-bin was given)."""
    import os
    import subprocess

    name, data_dir = f"so_{uuid.uuid4().hex[:8]}", tmp_path_factory.mktemp("odoo-data")
    wrapper, notes = watching(odoo, tmp_path_factory.mktemp("watched"))
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_api,
        "FORMWORK_ODOO_DB_PASSWORD": ODOO_SECRET,
        "FORMWORK_DEMO_DB_PASSWORD": SUPERUSER_SECRET,
    }  # as `make demo` runs it
    dsn = pg.dsn(name).replace("postgres@", f"postgres:{SUPERUSER_SECRET}@")
    result = subprocess.run(
        [*FORMWORK, "seed", dsn, "--odoo-bin", str(wrapper), "--filestore", f"file://{data_dir}/filestore/{name}"],
        capture_output=True,
        text=True,
        env=checkout_env(env),
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    yield name, data_dir, result, notes.read_text()
    drop_database(pg, name)


def test_the_database_is_real_odoo_with_the_construction_company(pg, seeded):
    name, data_dir, result, _ = seeded
    assert f"seeded postgresql://postgres@127.0.0.1:{pg.port}/{name} through Odoo Server 17.0" in result.stdout
    assert f"server --db_host=127.0.0.1 --db_port={pg.port} --db_user=odoo -d {name}" in result.stdout
    assert f"--data-dir={data_dir}" in result.stdout
    assert "restoring the Odoo database" in result.stderr and "copying Odoo's filestore" in result.stderr
    with psycopg.connect(pg.dsn(name)) as conn:
        installed = {module for (module,) in conn.execute("SELECT name FROM ir_module_module WHERE state = 'installed'")}
        assert set(MODULES) <= installed
        assert conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (name,)).fetchone()[0] == "odoo"
        people = conn.execute(
            "SELECT e.name FROM hr_employee e JOIN res_partner_bank b ON b.id = e.bank_account_id "
            "WHERE e.private_email LIKE '%.example' ORDER BY 1"
        ).fetchall()
        assert [person for (person,) in people] == PEOPLE
        stored = conn.execute("SELECT store_fname, checksum FROM ir_attachment WHERE store_fname IS NOT NULL").fetchall()
    filestore = data_dir / "filestore" / name
    assert len(stored) > 1000
    for store_fname, checksum in stored:
        assert hashlib.sha1((filestore / store_fname).read_bytes()).hexdigest() == checksum, store_fname


def test_odoo_serves_the_seeded_database(odoo, seeded, odoo_served):
    name, data_dir, *_ = seeded
    served = OdooCopy(name, odoo.workdir / "copies")  # the session's Odoo reads the filestore the seed wrote
    served.filestore.parent.mkdir(parents=True, exist_ok=True)
    served.filestore.symlink_to(data_dir / "filestore" / name)
    try:
        check_copy_serves(odoo, odoo_served, served)
    finally:
        served.filestore.unlink()


def test_a_registered_environment_is_refused_before_odoo_starts(pg, seeded, formwork_here, watched_odoo, tmp_path):
    name, data_dir, *_ = seeded
    wrapper, started = watched_odoo
    before, files = digest(pg, name), sorted((data_dir / "filestore" / name).rglob("*"))
    target = f"file://{tmp_path}/filestore/{name}"
    lower = f"so-staging-{uuid.uuid4().hex[:6]}"
    OdooEnvironment(db_host="127.0.0.1", db_port=pg.port, db_name=name, db_user="postgres").save(lower)
    refused(
        formwork_here("seed", pg.dsn(name), "--odoo-bin", str(wrapper), "--filestore", target),
        f"database '{name}' is the database of environment '{lower}'",
        "add --replace",
    )
    prod = f"so-prod-{uuid.uuid4().hex[:6]}"
    OdooEnvironment(
        db_host="localhost",
        db_port=pg.port,
        db_name=name,
        db_user="postgres",
        production=True,
        filestore_url=f"file://{data_dir}/filestore/{name}",
    ).save(prod)
    refused(
        formwork_here("seed", pg.dsn(name), "--odoo-bin", str(wrapper), "--replace"),
        f"database '{name}' is the database of production environment '{prod}'",
        "never seeds production",
    )
    refused(
        formwork_here(
            "seed",
            pg.dsn(f"so_new_{uuid.uuid4().hex[:6]}"),
            "--odoo-bin",
            str(wrapper),
            "--filestore",
            f"file://{data_dir}/filestore",
        ),
        f"--filestore 'file://{data_dir}/filestore' overlaps",
        f"'{prod}'",
    )
    assert not started.exists(), started.read_text()
    assert digest(pg, name) == before and sorted((data_dir / "filestore" / name).rglob("*")) == files
    assert not (tmp_path / "filestore").exists()


def test_odoo_gets_its_own_password_in_its_environment_and_no_other_secret(seeded):
    *_, result, given = seeded
    starts = given.count("ARGS ")
    assert starts >= 1 and given.count(f"PGPASSWORD={ODOO_SECRET}\n") == starts, given
    assert SUPERUSER_SECRET not in given and ODOO_SECRET not in "".join(
        line for line in given.splitlines() if line.startswith("ARGS")
    )
    assert SUPERUSER_SECRET not in result.stdout + result.stderr and ODOO_SECRET not in result.stdout + result.stderr
    assert "role odoo's password in PGPASSWORD" in result.stdout


def test_bad_odoo_bin_is_one_line_before_anything_changes(pg, formwork_here, tmp_path):
    target = f"so_bad_{uuid.uuid4().hex[:6]}"
    missing = str(tmp_path / "no-such" / "odoo-bin")
    not_odoo = tmp_path / "not-odoo"
    not_odoo.write_text("#!/bin/sh\necho 'Python 3.11'\n")
    not_odoo.chmod(0o755)
    refused(formwork_here("seed", pg.dsn(target), "--odoo-bin", missing), f"--odoo-bin '{missing}': not an executable file")
    refused(formwork_here("seed", pg.dsn(target), env={"FORMWORK_ODOO_BIN": missing}), f"FORMWORK_ODOO_BIN '{missing}'")
    refused(
        formwork_here("seed", pg.dsn(target), "--odoo-bin", str(not_odoo)),
        f"--odoo-bin '{not_odoo}': `--version` says 'Python 3.11', not Odoo Server 17.0",
    )
    refused(formwork_here("seed", pg.dsn(target), "--odoo-bin", str(not_odoo), "--scale", "2"), "--scale and --seed")
    with psycopg.connect(pg.dsn()) as conn:
        assert not conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{target}%",)).fetchall()


def test_a_failed_build_leaves_the_target_as_it_was(pg, odoo, seeded, run_formwork, tmp_path):
    """A cached dump that does not restore (disk fault, tampering): the seed fails and the database it would replace is
    left as it was, with its files."""
    name, data_dir, *_ = seeded
    broken = tmp_path / "cache" / "formwork" / "odoo-db" / odoo_build.cache_key(odoo.runner)
    broken.mkdir(parents=True)
    (broken / "db.dump").write_bytes(b"PGDMP not a dump")
    (broken / "filestore.tar").write_bytes(b"")
    before, files = digest(pg, name), sorted((data_dir / "filestore" / name).rglob("*"))
    result = run_formwork(
        "seed",
        pg.dsn(name),
        "--odoo-bin",
        str(odoo.bin),
        "--replace",
        "--filestore",
        f"file://{data_dir}/filestore/{name}",
        env={"XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert f"formwork: pg_restore {name}__formwork_seeding failed" in result.stderr.strip().splitlines()[-1]
    assert digest(pg, name) == before and sorted((data_dir / "filestore" / name).rglob("*")) == files
