"""`formwork mask` as an operator runs it: environments, guards, plan, run, bad rules."""

from __future__ import annotations

import uuid

import psycopg
from prefect import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from tests.support.clusters import drop_database
from tests.support.env_add import env_add
from tests.support.seeded import copy

SALT_ENV = {"FORMWORK_MASKING_SALT": "cli-tests-salt-0123456789"}


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def register(pg, db: str, files, *extra: str) -> str:
    name = f"m-{uuid.uuid4().hex[:8]}"
    env_add(name, pg.dsn(db), files, *extra)
    return name


def test_plan_then_mask_an_environment(formwork_here, pg, seeded_source, run_formwork, tmp_path):
    source, source_files = seeded_source
    copy(pg, source, "cli_staging", source_files, tmp_path / "fs")
    try:
        env = register(pg, "cli_staging", tmp_path / "fs")
        plan = formwork_here("mask", "plan", env, env=SALT_ENV)
        assert plan.returncode == 0, plan.stderr
        assert "res_partner.name: faker name (8,052 rows" in plan.stdout
        assert "kept: ir_mail_server.smtp_pass: rewiring replaces it" in plan.stdout
        refused = formwork_here("mask", env, env=SALT_ENV)
        assert refused.returncode == 2 and "--yes" in one_line(refused)
        masked = run_formwork("mask", env, "--yes", env=SALT_ENV)
        assert masked.returncode == 0, masked.stderr[-3000:]
        assert "no leaks" in masked.stdout and "replaced 700 files" in masked.stdout
        assert "res_partner" in masked.stderr  # a progress line per table
        with get_client(sync_client=True) as client:
            reports = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["mask-report"])))
        assert reports and "## Kept on purpose (keep: in the rules)" in reports[0].data
        assert "ir_mail_server.smtp_pass" in reports[0].data
        with psycopg.connect(pg.dsn("cli_staging")) as conn, psycopg.connect(pg.dsn(source)) as original:
            before = original.execute("SELECT name FROM hr_employee WHERE id = 1").fetchone()[0]
            assert conn.execute("SELECT name FROM hr_employee WHERE id = 1").fetchone()[0] != before
    finally:
        drop_database(pg, "cli_staging")


def test_production_is_refused_and_untouched(formwork_here, pg, seeded_source):
    source, source_files = seeded_source
    env = register(pg, source, source_files, "--production")
    with psycopg.connect(pg.dsn(source)) as conn:
        before = conn.execute("SELECT md5(string_agg(name, ',' ORDER BY id)) FROM res_partner").fetchone()[0]
    result = formwork_here("mask", env, "--yes", env=SALT_ENV)
    assert result.returncode == 2
    assert f"environment '{env}' is flagged production" in one_line(result)
    with psycopg.connect(pg.dsn(source)) as conn:
        assert conn.execute("SELECT md5(string_agg(name, ',' ORDER BY id)) FROM res_partner").fetchone()[0] == before


def test_bad_rules_are_reported_with_file_and_line_before_anything_changes(pg, seeded_source, formwork_here, tmp_path):
    source, source_files = seeded_source
    copy(pg, source, "cli_bad_rules", source_files, tmp_path / "fs")
    try:
        env = register(pg, "cli_bad_rules", tmp_path / "fs")
        cases = {
            "typo.yaml": (
                "version: 1\nlocale: en_GB\ntables:\n  - table: res_partner\n    columns:\n      name: {fakr: name}\n",
                "typo.yaml:6: tables[0].columns.name",
            ),
            "table.yaml": (
                "version: 1\nlocale: en_GB\ntables:\n  - table: res_partnr\n    columns:\n      name: scrub\n",
                "table.yaml:4: tables[0].table",
            ),
            "column.yaml": (
                "version: 1\nlocale: en_GB\ntables:\n  - table: res_partner\n    columns:\n      emial: scrub\n",
                "column.yaml:6: tables[0].columns.emial",
            ),
            "provider.yaml": (
                "version: 1\nlocale: en_GB\ntables:\n  - table: res_partner\n    columns:\n      name: {faker: nme}\n",
                "provider.yaml:6",
            ),
            "yaml.yaml": ("version: 1\nlocale: en_GB\ntables: [\n", "yaml.yaml:"),
        }
        with psycopg.connect(pg.dsn("cli_bad_rules")) as conn:
            before = conn.execute("SELECT md5(string_agg(name, ',' ORDER BY id)) FROM res_partner").fetchone()[0]
        for file, (text, expected) in cases.items():
            path = tmp_path / file
            path.write_text(text)
            for command in (["mask", "plan", env, "--rules", str(path)], ["mask", env, "--yes", "--rules", str(path)]):
                result = formwork_here(*command, env=SALT_ENV)
                assert result.returncode == 2, (file, result.stderr[-2000:])
                assert expected in one_line(result), (file, result.stderr)
        with psycopg.connect(pg.dsn("cli_bad_rules")) as conn:
            assert conn.execute("SELECT md5(string_agg(name, ',' ORDER BY id)) FROM res_partner").fetchone()[0] == before
    finally:
        drop_database(pg, "cli_bad_rules")
