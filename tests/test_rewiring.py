"""Rewiring on a real copy of the seeded production database: every rule, the check, idempotence, tolerance."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from formwork.rewiring.engine import Rewirer, Settings
from formwork.rewiring.rules import DEFAULT_RULES, load_rules
from formwork.rulefile import RulesError
from tests.support.clusters import drop_database
from tests.support.seeded import copy

SETTINGS = Settings(
    environment="staging", base_url="https://staging.erp.example.com", mail_host="mailpit.internal", mail_port=1025
)
# Integration tables and parameters, to tell a second run changed nothing.
STATE = "SELECT (SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM {} t)"
TABLES = (
    "ir_mail_server",
    "fetchmail_server",
    "mail_template",
    "ir_cron",
    "ir_act_server",
    "payment_provider",
    "delivery_carrier",
    "iap_account",
    "auth_oauth_provider",
    "ir_config_parameter",
    "ir_ui_view",
    "mail_mail",
)


def state(conn) -> dict[str, str]:
    return {t: conn.execute(STATE.format(t)).fetchone()[0] for t in TABLES}


def value(conn, query: str, *args):
    return conn.execute(query, args or None).fetchone()[0]


@pytest.fixture(scope="module")
def copies(pg, seeded_source, tmp_path_factory):
    made = []

    def make(name: str) -> str:
        source, files = seeded_source
        copy(pg, source, name, files, tmp_path_factory.mktemp(name))
        made.append(name)
        return pg.dsn(name)

    yield make
    for name in made:
        drop_database(pg, name)


@pytest.fixture(scope="module")
def rewired(copies):
    """One copy rewired once; (dsn, report). Tests that plant things back roll them back."""
    dsn = copies("rewire_once")
    with psycopg.connect(dsn) as conn:
        live_before, _ = Rewirer(conn, load_rules([DEFAULT_RULES]), SETTINGS).check()
        report = Rewirer(conn, load_rules([DEFAULT_RULES]), SETTINGS).apply()
    return dsn, report, live_before


def test_a_copy_of_production_is_live_everywhere_before(rewired):
    _, _, before = rewired
    assert {live.rule.name for live in before} >= {
        "outgoing-mail-servers",
        "mail-catcher",
        "incoming-mail-servers",
        "mail-templates-pinned-server",
        "queued-mail",
        "push-devices",
        "scheduled-actions",
        "outgoing-webhooks",
        "payment-providers",
        "payment-credentials",
        "delivery-carriers",
        "delivery-credentials",
        "iap-tokens",
        "oauth-providers",
        "api-keys",
        "base-url",
        "base-url-frozen",
        "report-url",
        "database-uuid",
        "database-secret",
        "licence",
        "third-party-keys",
        "neutralized",
        "neutralize-banner",
    }


def test_every_rule_is_applied_and_nothing_stays_live(rewired, seeded_source, pg):
    dsn, report, _ = rewired
    assert report.live == []
    with psycopg.connect(dsn) as conn, psycopg.connect(pg.dsn(seeded_source[0])) as prod:
        servers = conn.execute("SELECT smtp_host, smtp_port, smtp_user, smtp_pass FROM ir_mail_server WHERE active").fetchall()
        assert servers == [("mailpit.internal", 1025, None, None)]
        assert value(conn, "SELECT count(*) FROM ir_mail_server WHERE smtp_pass IS NOT NULL OR smtp_user IS NOT NULL") == 0
        assert (
            value(conn, 'SELECT count(*) FROM fetchmail_server WHERE active OR password IS NOT NULL OR "user" IS NOT NULL') == 0
        )
        assert value(conn, "SELECT count(*) FROM mail_template WHERE mail_server_id IS NOT NULL") == 0
        assert value(conn, "SELECT count(*) FROM mail_mail WHERE state = 'outgoing'") == 0
        active_crons = conn.execute(
            "SELECT d.module || '.' || d.name FROM ir_cron c JOIN ir_model_data d ON d.model = 'ir.cron' "
            "AND d.res_id = c.id WHERE c.active"
        ).fetchall()
        assert active_crons == [("base.autovacuum_job",)]
        assert {u for (u,) in conn.execute("SELECT webhook_url FROM ir_act_server WHERE state = 'webhook'")} == {
            "neutralization - disable webhook"
        }
        assert dict(conn.execute("SELECT code, state FROM payment_provider").fetchall()) == {
            "stripe": "disabled",
            "adyen": "test",
            "custom": "disabled",
        }
        assert (
            value(
                conn,
                "SELECT count(*) FROM payment_provider WHERE stripe_secret_key IS NOT NULL OR adyen_api_key IS NOT NULL "
                "OR adyen_hmac_key IS NOT NULL OR stripe_webhook_secret IS NOT NULL",
            )
            == 0
        )
        assert conn.execute(
            "SELECT delivery_type, active, prod_environment, fedex_developer_key FROM delivery_carrier ORDER BY id"
        ).fetchall() == [("fixed", True, False, None), ("base_on_rule", True, False, None), ("fedex", False, False, None)]
        assert value(conn, "SELECT bool_and(account_token LIKE '%%+disabled') FROM iap_account")
        assert value(conn, "SELECT bool_or(enabled) FROM auth_oauth_provider") is False
        assert value(conn, "SELECT count(*) FROM res_users_apikeys") == 0
        params = dict(conn.execute("SELECT key, value FROM ir_config_parameter").fetchall())
        original = dict(prod.execute("SELECT key, value FROM ir_config_parameter").fetchall())
        assert params["web.base.url"] == params["report.url"] == "https://staging.erp.example.com"
        assert params["web.base.url.freeze"] == "True" and params["database.is_neutralized"] == "true"
        for key in ("database.uuid", "database.secret", "database.create_date"):
            assert params[key] != original[key]
        for gone in (
            "database.enterprise_code",
            "database.expiration_date",
            "mail.web_push_vapid_private_key",
            "google_gmail_client_secret",
            "microsoft_outlook_client_secret",
            "mail.sfu_server_key",
        ):
            assert gone not in params
        assert params["ir_attachment.location"] == original["ir_attachment.location"]  # the rest is left alone
        assert value(conn, "SELECT active FROM ir_ui_view WHERE key = 'web.neutralize_banner'") is True


def test_a_second_run_changes_nothing(rewired):
    dsn, _, _ = rewired
    with psycopg.connect(dsn) as conn:
        before = state(conn)
        again = Rewirer(conn, load_rules([DEFAULT_RULES]), SETTINGS).apply()
        assert sum(rows for _, rows in again.applied) == 0 and again.live == []
        assert state(conn) == before


PLANTED = {
    "outgoing-mail-servers": "UPDATE ir_mail_server SET active = true WHERE name = 'Office 365 relay'",
    "mail-catcher": "DELETE FROM ir_mail_server WHERE smtp_host = 'mailpit.internal'",
    "incoming-mail-servers": "UPDATE fetchmail_server SET password = 'hunter2'",
    "scheduled-actions": "UPDATE ir_cron SET active = true WHERE cron_name LIKE 'Mail: Email Queue%'",
    "outgoing-webhooks": "UPDATE ir_act_server SET webhook_url = 'https://hooks.example.com/x' WHERE state = 'webhook'",
    "payment-providers": "UPDATE payment_provider SET state = 'enabled' WHERE code = 'stripe'",
    "payment-credentials": "UPDATE payment_provider SET stripe_secret_key = 'sk_live_x' WHERE code = 'stripe'",
    "delivery-carriers": "UPDATE delivery_carrier SET prod_environment = true WHERE delivery_type = 'fedex'",
    "iap-tokens": "UPDATE iap_account SET account_token = 'abc123' WHERE id = 1",
    "oauth-providers": "UPDATE auth_oauth_provider SET enabled = true",
    "third-party-keys": "INSERT INTO ir_config_parameter (key, value) VALUES ('google_gmail_client_secret', 'GOCSPX-x')",
    "base-url": "UPDATE ir_config_parameter SET value = 'https://erp.northbridge.example' WHERE key = 'web.base.url'",
    "database-uuid": "UPDATE ir_config_parameter SET value = 'test' WHERE key = 'formwork.rewired_for'",
    "licence": "INSERT INTO ir_config_parameter (key, value) VALUES ('database.enterprise_code', 'M123')",
}


@pytest.mark.parametrize("rule, plant", PLANTED.items(), ids=PLANTED.keys())
def test_the_check_catches_each_kind_of_live_endpoint_planted_back(rewired, rule, plant):
    dsn, _, _ = rewired
    with psycopg.connect(dsn) as conn:
        with pytest.raises(_RolledBack), conn.transaction():
            conn.execute(plant)
            live, _ = Rewirer(conn, load_rules([DEFAULT_RULES]), SETTINGS).check()
            found = {item.rule.name for item in live}
            assert rule in found
            assert found <= {
                rule,
                "database-secret",
                "database-create-date",
                "rewired-for",
                "iap-tokens",
            }  # identity (and the tokens keyed on it) moves as one
            raise _RolledBack


class _RolledBack(Exception):
    pass


def test_rules_of_modules_not_installed_are_skipped_and_reported(copies):
    """Uninstalling a module drops its tables; the rules naming it are skipped (schema drift: tests/test_rules_drift.py)."""
    dsn = copies("rewire_fewer_modules")
    with psycopg.connect(dsn) as conn:
        conn.execute("DROP TABLE payment_provider CASCADE")
        conn.execute(
            "UPDATE ir_module_module SET state = 'uninstalled' WHERE name IN ('payment', 'payment_stripe', 'payment_adyen')"
        )
        conn.execute(
            "ALTER TABLE delivery_carrier DROP COLUMN fedex_developer_key, DROP COLUMN fedex_developer_password, "
            "DROP COLUMN fedex_account_number, DROP COLUMN fedex_meter_number"
        )
        conn.execute("UPDATE ir_module_module SET state = 'uninstalled' WHERE name = 'delivery_fedex'")
        conn.commit()
        report = Rewirer(conn, load_rules([DEFAULT_RULES]), SETTINGS).apply()
    skipped = {rule.name: why for rule, why in report.skipped}
    assert skipped["payment-providers"] == skipped["payment-credentials"] == "module payment not installed"
    assert "no text column of delivery_carrier matches" in skipped["delivery-credentials"]
    assert skipped["websites"] == "module website not installed"
    assert report.live == [] and "delivery-carriers" not in skipped and "bank-sync" not in skipped


def test_an_environment_rule_replaces_a_default_of_the_same_name_and_adds_its_own(copies, tmp_path):
    dsn = copies("rewire_custom")
    custom = tmp_path / "site.yaml"
    custom.write_text(
        "version: 1\nrules:\n"
        "  - name: scheduled-actions\n    about: crons off, payroll PDFs too\n    table: ir_cron\n    live: active\n    set: {active: false}\n"
        '  - name: cost-control-token\n    about: the cost-control app\'s token goes\n    parameter: "^northbridge\\\\."\n    remove: true\n'
    )
    rules = load_rules([DEFAULT_RULES, str(custom)])
    assert [r.name for r in rules.rules].index("scheduled-actions") == [r.name for r in load_rules([DEFAULT_RULES]).rules].index(
        "scheduled-actions"
    )
    with psycopg.connect(dsn) as conn:
        conn.execute("INSERT INTO ir_config_parameter (key, value) VALUES ('northbridge.costcontrol_token', 'b5f1e0c9')")
        conn.commit()
        report = Rewirer(conn, rules, SETTINGS).apply()
        assert report.live == []
        assert value(conn, "SELECT count(*) FROM ir_cron WHERE active") == 0
        assert value(conn, "SELECT count(*) FROM ir_config_parameter WHERE key LIKE 'northbridge.%%'") == 0


BAD_RULES = {
    "unknown key": (
        "  - name: a\n    about: b\n    table: ir_cron\n    live: active\n    sett: {active: false}\n",
        7,
        "rules[0].sett",
        "unknown key",
    ),
    "two kinds": (
        "  - name: a\n    about: b\n    table: ir_cron\n    live: active\n    set: {active: false}\n    delete: true\n",
        3,
        "rules[0]",
        "exactly one of",
    ),
    "no kind": ("  - name: a\n    about: b\n    table: ir_cron\n", 3, "rules[0]", "exactly one of"),
    "no live": (
        "  - name: a\n    about: b\n    table: ir_cron\n    set: {active: false}\n",
        3,
        "rules[0].live",
        "missing required key",
    ),
    "placeholder": (
        '  - name: a\n    about: b\n    table: ir_cron\n    live: "name = %(mailhost)s"\n    set: {active: false}\n',
        6,
        "rules[0].live",
        "unknown placeholder %(mailhost)s",
    ),
    "regex": (
        '  - name: a\n    about: b\n    table: ir_cron\n    clear: "(key"\n',
        6,
        "rules[0].clear",
        "not a valid regular expression",
    ),
    "name": (
        "  - name: Mail Servers\n    about: b\n    table: ir_cron\n    live: active\n    set: {active: false}\n",
        3,
        "rules[0].name",
        "lower-case",
    ),
    "value and remove": (
        "  - name: a\n    about: b\n    parameter: x\n    value: \"'y'\"\n    remove: true\n",
        5,
        "rules[0].parameter",
        "either value",
    ),
}


@pytest.mark.parametrize("body, line, key, says", BAD_RULES.values(), ids=BAD_RULES.keys())
def test_bad_rule_files_are_refused_with_file_line_and_key(tmp_path, body, line, key, says):
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nrules:\n" + body)
    with pytest.raises(RulesError) as refused:
        load_rules([DEFAULT_RULES, str(path)])
    assert str(refused.value).startswith(f"{path}:{line}: {key}: ") and says in str(refused.value)
    assert "\n" not in str(refused.value)


def test_the_shipped_rules_cover_what_neutralize_does_and_what_it_leaves():
    names = {rule.name for rule in load_rules([Path(DEFAULT_RULES)]).rules}
    assert {
        "outgoing-mail-servers",
        "mail-catcher",
        "scheduled-actions",
        "outgoing-webhooks",
        "neutralized",
        "neutralize-banner",
        "payment-providers",
        "delivery-carriers",
        "iap-tokens",
        "oauth-providers",
        "push-devices",
    } <= names  # neutralize.sql
    assert {
        "incoming-mail-servers",
        "queued-mail",
        "report-url",
        "base-url-frozen",
        "licence",
        "database-uuid",
        "third-party-keys",
        "api-keys",
    } <= names  # what neutralize leaves alone
