"""`formwork env`: the environment catalogue as users drive it, against a real Prefect server."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
from prefect.blocks.system import Secret

PASSWORD = "Pa55-w0rd-never-printed"


def unique(prefix: str = "env") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def assert_refused(result, *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert PASSWORD not in result.stderr + result.stdout


def test_add_show_list_remove_with_password_in_secret_block(run_formwork, formwork_here, prefect_api):
    name = unique()
    added = run_formwork(
        "env",
        "add",
        name,
        "--dsn",
        f"postgresql://odoo:{PASSWORD}@db.internal:5433/{name}?sslmode=require",
        "--filestore",
        "s3://erp-files/prod/filestore",
        "--backup-store",
        "file:///srv/backups",
        "--base-url",
        "https://erp.example.com",
        "--tier",
        "1",
        "--production",
    )
    assert added.returncode == 0, added.stderr
    assert PASSWORD not in added.stdout + added.stderr

    assert Secret.load(f"{name}-db-password").get() == PASSWORD

    shown = formwork_here("env", "show", name)
    assert shown.returncode == 0, shown.stderr
    assert PASSWORD not in shown.stdout
    assert "odoo:********@db.internal:5433" in shown.stdout
    assert "sslmode=require" in shown.stdout
    assert "15 min" in shown.stdout and "1 h" in shown.stdout  # tier 1 targets
    assert "production:     yes" in shown.stdout

    listed = formwork_here("env", "list")
    assert name in listed.stdout and PASSWORD not in listed.stdout

    removed = formwork_here("env", "remove", name)
    assert removed.returncode == 0, removed.stderr
    assert name not in formwork_here("env", "list").stdout
    with pytest.raises(ValueError):
        Secret.load(f"{name}-db-password")


def test_without_password_no_secret_is_stored_and_targets_can_be_overridden(formwork_here):
    name = unique()
    added = formwork_here("env", "add", name, "--dsn", f"postgresql://odoo@127.0.0.1/{name}", "--tier", "2", "--rpo-minutes", "5")
    assert added.returncode == 0, added.stderr
    shown = formwork_here("env", "show", name).stdout
    assert "none stored (PG* environment / .pgpass)" in shown
    assert "5 min (override)" in shown and "4 h" in shown
    with pytest.raises(ValueError):
        Secret.load(f"{name}-db-password")


@pytest.mark.parametrize(
    "args, needles",
    [
        (["--dsn", f"postgresql://odoo:{PASSWORD}@db:notaport/x"], ["--dsn", "postgresql://odoo:***@db:notaport/x"]),
        (["--dsn", "mysql://db/x"], ["--dsn", "'mysql://db/x'", "postgresql://"]),
        (["--dsn", "postgresql://db.internal:5432"], ["--dsn", "no database name"]),
        (["--dsn", "postgresql://db/x", "--tier", "4"], ["--tier", "'4'", "unknown tier"]),
        (["--dsn", "postgresql://db/x", "--tier", "gold"], ["--tier", "'gold'"]),
        (
            ["--dsn", "postgresql://db/x", "--filestore", "ftp://files/odoo"],
            ["--filestore", "'ftp://files/odoo'", "unsupported URL scheme 'ftp'"],
        ),
        (["--dsn", "postgresql://db/x", "--backup-store", "gs://bucket/x"], ["--backup-store", "unsupported URL scheme 'gs'"]),
        (["--dsn", "postgresql://db/x", "--filestore", "file://relative/path"], ["--filestore", "absolute path"]),
        (["--dsn", "postgresql://db/x", "--base-url", "erp.example.com"], ["--base-url", "'erp.example.com'"]),
        (["--dsn", "postgresql://db/x", "--rto-minutes", "0"], ["--rto-minutes", "'0'"]),
    ],
    ids=[
        "malformed-uri",
        "not-postgres",
        "no-dbname",
        "tier-4",
        "tier-word",
        "filestore-scheme",
        "backup-scheme",
        "relative-file-url",
        "base-url",
        "zero-rto",
    ],
)
def test_bad_input_is_refused_in_one_line_and_nothing_is_saved(formwork_here, args, needles):
    name = unique()
    result = formwork_here("env", "add", name, *args)
    assert_refused(result, *needles)
    assert name not in formwork_here("env", "list").stdout
    with pytest.raises(ValueError):
        Secret.load(f"{name}-db-password")


def test_bad_password_dsn_stores_no_secret(formwork_here):
    name = unique()
    result = formwork_here("env", "add", name, "--dsn", f"postgresql://odoo:{PASSWORD}@db/x", "--tier", "9")
    assert_refused(result, "--tier")
    with pytest.raises(ValueError):
        Secret.load(f"{name}-db-password")


def test_duplicate_name_is_refused_and_the_first_is_kept(formwork_here):
    name = unique()
    assert formwork_here("env", "add", name, "--dsn", "postgresql://first-host/db1").returncode == 0
    result = formwork_here("env", "add", name, "--dsn", f"postgresql://odoo:{PASSWORD}@second-host/db2")
    assert_refused(result, f"'{name}'", "already exists")
    assert "first-host" in formwork_here("env", "show", name).stdout
    with pytest.raises(ValueError):
        Secret.load(f"{name}-db-password")


@pytest.mark.parametrize("command", ["show", "remove"])
def test_unknown_environment(formwork_here, command):
    result = formwork_here("env", command, "no-such-env")
    assert_refused(result, "unknown environment 'no-such-env'")


def test_bad_name_and_missing_option(formwork_here):
    assert_refused(formwork_here("env", "add", "Prod_DB", "--dsn", "postgresql://db/x"), "'Prod_DB'")
    assert_refused(formwork_here("env", "add", "prod"), "--dsn")


def test_every_command_has_help(run_formwork, capsys):
    """The installed command once; the subcommands through the same entry point in this process (a process each
    cost ~2 s of the suite)."""
    from cli.main import main

    result = run_formwork("--help")
    assert result.returncode == 0 and "Usage:" in result.stdout, result.stderr
    for command in (
        ["env", "--help"],
        ["env", "add", "--help"],
        ["env", "list", "--help"],
        ["env", "show", "--help"],
        ["env", "remove", "--help"],
        ["seed", "--help"],
        ["store", "add-s3", "--help"],
        ["local", "up", "--help"],
        ["local", "down", "--help"],
    ):
        code = main(command)
        out, err = capsys.readouterr()
        assert code == 0 and "Usage: formwork " in out, (command, err)


def test_ephemeral_mode_keeps_environments_under_prefect_home(run_formwork, formwork_here, tmp_path):
    """With no PREFECT_API_URL, Prefect's ephemeral mode stores blocks in SQLite under PREFECT_HOME."""
    home = {"PREFECT_API_URL": "", "PREFECT_HOME": str(tmp_path / "ephemeral-home")}
    added = run_formwork("env", "add", "local-dev", "--dsn", "postgresql://localhost/dev", env=home)
    assert added.returncode == 0, added.stderr
    with sqlite3.connect(tmp_path / "ephemeral-home" / "prefect.db") as db:  # what the next command's server reads
        assert db.execute("SELECT count(*) FROM block_document WHERE name = 'local-dev'").fetchone()[0] == 1
    other = formwork_here("env", "list")  # the session's server knows nothing of it
    assert "local-dev" not in other.stdout
