"""`formwork rewire` as an operator runs it: check, rewire, check again; guards and bad input."""

from __future__ import annotations

import psycopg
from prefect import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from tests.support.clusters import drop_database
from tests.support.seeded import copy
from tests.test_mask_cli import one_line, register


def test_check_fails_rewire_succeeds_check_passes(formwork_here, pg, seeded_source, run_formwork, tmp_path):
    source, source_files = seeded_source
    copy(pg, source, "cli_rewire", source_files, tmp_path / "fs")
    try:
        env = register(
            pg,
            "cli_rewire",
            tmp_path / "fs",
            "--base-url",
            "https://staging.erp.example.com",
            "--mail-catcher",
            "mailpit:2525",
            "--keep-cron",
            "hr_contract.ir_cron_data_contract_update_state",
        )
        before = formwork_here("rewire", "check", env)
        assert before.returncode == 1, before.stderr
        assert "LIVE  outgoing-mail-servers: 2 live in ir_mail_server" in before.stdout
        assert "skip  websites: module website not installed" in before.stdout
        assert "kind(s) of live endpoint found" in one_line(before)
        assert "Wh4rf" not in before.stdout + before.stderr  # no secret is ever printed
        refused = formwork_here("rewire", env)
        assert refused.returncode == 2 and "--yes" in one_line(refused)
        done = run_formwork("rewire", env, "--yes")
        assert done.returncode == 0, done.stderr[-3000:]
        assert "nothing live remains" in done.stdout
        after = formwork_here("rewire", "check", env)
        assert after.returncode == 0, after.stdout + after.stderr
        assert f"{env}: nothing live" in after.stdout
        with psycopg.connect(pg.dsn("cli_rewire")) as conn:
            assert conn.execute("SELECT smtp_host, smtp_port FROM ir_mail_server WHERE active").fetchall() == [("mailpit", 2525)]
            kept = conn.execute(
                "SELECT d.name FROM ir_cron c JOIN ir_model_data d ON d.model = 'ir.cron' AND d.res_id = c.id "
                "WHERE c.active ORDER BY 1"
            ).fetchall()
            assert kept == [("autovacuum_job",), ("ir_cron_data_contract_update_state",)]
        with get_client(sync_client=True) as client:
            reports = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["rewire-report"])))
        assert reports and "| outgoing-mail-servers | ir_mail_server | 2 |" in reports[0].data and "## Skipped" in reports[0].data
    finally:
        drop_database(pg, "cli_rewire")


def test_production_is_refused_and_untouched(formwork_here, pg, seeded_source):
    source, source_files = seeded_source
    env = register(pg, source, source_files, "--production")
    digest = "SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM ir_mail_server t"
    with psycopg.connect(pg.dsn(source)) as conn:
        before = conn.execute(digest).fetchone()[0]
    result = formwork_here("rewire", env, "--yes")
    assert result.returncode == 2
    assert (
        one_line(result)
        == f"formwork: environment '{env}' is flagged production: Formwork never rewires it (rewire a copy instead)"
    )
    assert formwork_here("rewire", "check", env).returncode == 1  # reading production is allowed
    with psycopg.connect(pg.dsn(source)) as conn:
        assert conn.execute(digest).fetchone()[0] == before


def test_bad_environment_settings_are_refused_before_saving(formwork_here, pg, tmp_path):
    bad_rules = tmp_path / "site.yaml"
    bad_rules.write_text("version: 1\nrules:\n  - name: x\n    about: y\n    table: ir_cron\n")
    cases = [
        (("--mail-catcher", "localhost"), "--mail-catcher 'localhost': use HOST:PORT"),
        (("--keep-cron", "autovacuum"), "--keep-cron 'autovacuum': use the scheduled action's XML id"),
        (("--rewiring-rules", str(bad_rules)), f"{bad_rules}:3: rules[0]: a rule does exactly one of"),
    ]
    for extra, says in cases:
        result = formwork_here("env", "add", "bad-settings", "--dsn", pg.dsn("postgres"), *extra)
        assert result.returncode == 2 and says in one_line(result), result.stderr
    assert "bad-settings" not in formwork_here("env", "list").stdout
