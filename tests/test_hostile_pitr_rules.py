"""Hostile input: a drill's clean-up reaching another environment's scratch servers, SQL fragments of rules
files carrying a second statement, and a deployment's rules parameter naming any file on the worker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from formwork.errors import InputError
from formwork.masking.engine import Masker
from formwork.masking.rules import load_rules as load_masking_rules
from formwork.rewiring.engine import Rewirer, Settings
from formwork.rewiring.rules import load_rules as load_rewiring_rules
from formwork.rulefile import RulesError
from formwork.rulepaths import confined
from tests.support import rest
from tests.test_mask_cli import SALT_ENV, register

SALT = b"hostile-rules-salt-0123456789abc"


# ---- PITR scratch clean-up stays in its environment -------------------------------------------------


@pytest.fixture
def scratch_base(monkeypatch):
    """The scratch folder, where the server account can enter."""
    from formwork.pitr import scratch

    base = Path(tempfile.mkdtemp(prefix="formwork-scratch-"))
    base.chmod(0o755)
    monkeypatch.setattr(scratch, "BASE", base)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def test_cleaning_prods_scratch_leftovers_leaves_prod_eus_running(scratch_base, tmp_path):
    from blocks.pitr_protection import PitrProtection
    from formwork.pitr import scratch

    protection = PitrProtection(stanza="s", repo_url="file:///r", pg_data=str(tmp_path / "prod-data"), config_path="/c/p.conf")

    killed = scratch.new_cluster("prod")  # what a killed drill of prod leaves: a scratch folder
    eu = scratch.new_cluster("prod-eu")  # and one of prod-eu, its server still running
    eu.datadir.rmdir()
    eu.init()
    eu.start()
    try:
        removed = scratch.remove_leftovers("prod", protection)
        assert removed == [str(killed.root)] and not killed.root.exists()
        assert eu.running(), "prod's clean-up stopped prod-eu's scratch server"
        with psycopg.connect(eu.dsn()) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert scratch.remove_leftovers("prod-eu", protection) == [str(eu.root)] and not eu.root.exists()
    finally:
        eu.destroy()


# ---- a rule's SQL is one expression -----------------------------------------------------------------


@pytest.fixture
def partners(pg, database):
    """A hand-made res_partner, and a table `x` the hostile fragments try to drop."""
    with psycopg.connect(pg.dsn(database)) as conn:
        conn.execute("CREATE TABLE res_partner (id serial PRIMARY KEY, name text, active boolean, credit numeric)")
        conn.execute("INSERT INTO res_partner (name, active, credit) SELECT 'p' || i, i % 2 = 0, i FROM generate_series(1, 20) i")
        conn.execute("CREATE TABLE x (id int)")
        conn.execute("INSERT INTO x VALUES (1), (2)")
    return pg.dsn(database)


def digest(dsn: str) -> tuple:
    with psycopg.connect(dsn) as conn:
        return (
            conn.execute("SELECT md5(string_agg(id || name || active || credit, ',' ORDER BY id)) FROM res_partner").fetchone(),
            conn.execute("SELECT to_regclass('x') IS NOT NULL AND (SELECT count(*) FROM x) = 2").fetchone(),
        )


MASKING = {
    "semicolon": ('where: "true; DROP TABLE x"', "tables[0].where", "';'"),
    "line comment": ("where: |\n      true -- a note\n      ; DROP TABLE x", "tables[0].where", "comment"),
    "block comment": ('where: "true /* */; DROP TABLE x"', "tables[0].where", "comment"),
    "unbalanced": ('where: "true) OR (true"', "tables[0].where", "not one SQL expression"),
    "a query": ('where: "true FROM x"', "tables[0].where", "not one SQL expression"),
}


@pytest.mark.parametrize("fragment, key, says", MASKING.values(), ids=MASKING.keys())
def test_masking_fragments_with_a_second_statement_are_refused_at_load(partners, tmp_path, fragment, key, says):
    path = tmp_path / "hostile.yaml"
    path.write_text(
        f"version: 1\nlocale: en_GB\ntables:\n  - table: res_partner\n    {fragment}\n    columns:\n      name: scrub\n"
    )
    before = digest(partners)
    with pytest.raises(RulesError) as refused, psycopg.connect(partners) as conn:
        Masker(conn, load_masking_rules(path), SALT).plan()
    assert f"{path}:5: {key}: " in str(refused.value) and says in str(refused.value), str(refused.value)
    assert digest(partners) == before


def test_a_noise_key_with_a_second_statement_is_refused_at_load(partners, tmp_path):
    path = tmp_path / "key.yaml"
    path.write_text(
        "version: 1\nlocale: en_GB\ntables:\n  - table: res_partner\n    columns:\n"
        '      credit: {noise: {percent: 10, key: "id; DROP TABLE x"}}\n'
    )
    before = digest(partners)
    with pytest.raises(RulesError) as refused, psycopg.connect(partners) as conn:
        Masker(conn, load_masking_rules(path), SALT).run()
    assert f"{path}:6: tables[0].columns.credit.noise.key: " in str(refused.value), str(refused.value)
    assert digest(partners) == before


REWIRING = {
    "statement in live": ('live: "true); DROP TABLE x; SELECT (1"\n    set: {active: false}', "rules[0].live"),
    "comment cutting off the live condition": ('live: "active"\n    set: {name: "\'cut\' --"}', "rules[0].set.name"),
}


@pytest.mark.parametrize("body, key", REWIRING.values(), ids=REWIRING.keys())
def test_rewiring_fragments_with_a_second_statement_are_refused_at_load(partners, tmp_path, body, key):
    path = tmp_path / "site.yaml"
    path.write_text(f"version: 1\nrules:\n  - name: partners\n    about: hostile\n    table: res_partner\n    {body}\n")
    before = digest(partners)
    with pytest.raises(RulesError) as refused, psycopg.connect(partners) as conn:
        Rewirer(conn, load_rewiring_rules([path]), Settings("staging", "https://staging.example")).apply()
    assert f"{path}:" in str(refused.value) and f": {key}: " in str(refused.value), str(refused.value)
    assert digest(partners) == before


def test_quotes_dollar_quotes_and_placeholders_are_one_expression(tmp_path):
    masking = tmp_path / "fine.yaml"
    masking.write_text(
        textwrap.dedent("""\
        version: 1
        locale: en_GB
        tables:
          - table: res_partner
            where: "name <> ';' AND name <> '-- /*' AND name <> $q$; DROP TABLE x$q$ AND \\"na;me\\" IS NULL"
            columns:
              name: scrub
        """)
    )
    assert load_masking_rules(masking).tables[0].where.startswith("name <> ';'")
    rewiring = tmp_path / "fine-rewiring.yaml"
    rewiring.write_text(
        textwrap.dedent("""\
        version: 1
        rules:
          - name: partners
            about: fine
            table: res_partner
            live: "name NOT LIKE '%%;%%' AND name <> %(environment)s AND id <> ALL(%(cron_allowlist)s::int[])"
            set: {name: "%(base_url)s || ';'"}
        """)
    )
    assert load_rewiring_rules([rewiring]).rules[0].set["name"] == "%(base_url)s || ';'"


# ---- a deployment's rules parameter names a rules file of the project or of the environment -----------


@pytest.mark.parametrize("value", ["/etc/passwd", "../x.yaml", "masking_rules/../../x.yaml"])
def test_a_rules_path_outside_the_rule_folders_is_refused(value):
    with pytest.raises(InputError) as refused:
        confined(value, [], option="rules")
    assert str(refused.value).startswith(f"rules '{value}': ") and "\n" not in str(refused.value)


def test_a_symlink_in_a_rule_folder_is_followed_and_refused_when_it_leads_out():
    from formwork.rulepaths import PROJECT_ROOT

    link = PROJECT_ROOT / "masking_rules" / f"hostile-{uuid.uuid4().hex[:8]}.yaml"
    link.symlink_to("/etc/passwd")
    try:
        with pytest.raises(InputError) as refused:
            confined(str(link), [], option="rules")
    finally:
        link.unlink()
    assert str(refused.value).startswith(f"rules '{link}': ")


def test_rule_files_of_the_project_and_of_the_environment_are_accepted(tmp_path):
    from tasks.masking import DEFAULT_RULES

    own = tmp_path / "site.yaml"
    own.write_text("version: 1\nrules: []\n")
    assert confined("masking_rules/odoo17.yaml", [], option="rules") == DEFAULT_RULES
    assert confined(DEFAULT_RULES, [], option="rules") == DEFAULT_RULES
    assert confined(str(own), [str(own)], option="rules") == str(own)


SERVE = (
    "import sys; from flows.mask import mask_environment; mask_environment.serve(name=sys.argv[1], print_starting_message=False)"
)


def test_a_deployed_mask_run_refuses_a_rules_file_outside_the_rule_folders(pg, database, run_formwork, prefect_api, tmp_path):
    from tests.test_refresh_deployed import wait_for

    with psycopg.connect(pg.dsn(database)) as conn:
        conn.execute("CREATE TABLE res_partner (id serial PRIMARY KEY, name text)")
        conn.execute("INSERT INTO res_partner (name) VALUES ('Ada Lovelace'), ('Alan Turing')")
    environment = register(pg, database, tmp_path / "fs")
    name = f"t-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        **SALT_ENV,
        "PREFECT_API_URL": prefect_api,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    runner = subprocess.Popen(
        [sys.executable, "-c", SERVE, name],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        with rest.prefect(prefect_api) as api:
            deadline = time.monotonic() + 60
            while (found := api.get(f"/deployments/name/mask/{name}")).status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.5)
            assert found.status_code == 200, found.text
            created = api.request(
                "POST",
                f"/deployments/{found.json()['id']}/create_flow_run",
                json={"parameters": {"environment": environment, "rules": "/etc/passwd"}},
            )
            assert created.status_code == 201, created.text
            final = wait_for(
                api, created.json()["id"], lambda r: r["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED"), "finished"
            )
    finally:
        runner.terminate()
        runner.wait(timeout=30)
    assert final["state"]["type"] == "FAILED", final["state"]
    assert "rules '/etc/passwd': " in final["state"]["message"], final["state"]["message"]
    assert "root:" not in final["state"]["message"], "the refusal quotes the file it should not have read"
    with psycopg.connect(pg.dsn(database)) as conn:
        assert (
            conn.execute("SELECT string_agg(name, ',' ORDER BY id) FROM res_partner").fetchone()[0] == "Ada Lovelace,Alan Turing"
        )
