"""Real Odoo 17 is the reference: the construction company's template, Odoo running on copies, and Formwork's
rewiring as a proven superset of Odoo's own neutralize (odoo-bin neutralize on one copy, Formwork's default rules on
another, both compared with the template, table by table, for every table Odoo's neutralize SQL touches)."""

from __future__ import annotations

import re

import psycopg
import pytest
from psycopg import sql
from schwifty import IBAN

from blocks.odoo_environment import OdooEnvironment
from formwork.rewiring.engine import Rewirer
from formwork.rewiring.rules import DEFAULT_RULES, load_rules
from tasks.rewiring import settings_for
from tests.support.odoo import TEMPLATE
from tests.support.odoo_results import check_copy_serves, serving_all

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # a cold cache builds Odoo and its database first
# Words that make a system parameter's key name a secret, split on dots and underscores (docusign.api_key).
SECRET_WORDS = {"key", "keys", "apikey", "secret", "secrets", "token", "tokens", "password", "passwords", "passwd", "pwd"}
WRITES = re.compile(r"\b(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM|TRUNCATE)\s+(?!SET\b)(\w+)", re.IGNORECASE)


def rows(conn: psycopg.Connection, table: str) -> dict:
    """Every row of a table by its key (system parameters by name, the rest by id): {key: {column: value}}."""
    cursor = conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))
    columns = [column.name for column in cursor.description]
    key = columns.index("key" if table == "ir_config_parameter" else "id")
    return {row[key]: dict(zip(columns, row)) for row in cursor}


@pytest.fixture(scope="module")
def outcomes(odoo):
    """(template, neutralized, rewired, tables Odoo's neutralize writes, Formwork's report): Odoo's neutralize on one
    copy, Formwork's rewiring (default rules, a default environment's settings) on another."""
    neutralized, rewired = odoo.copy("neutralized"), odoo.copy("rewired")
    script = odoo.run("neutralize", "-d", neutralized.name, "--stdout").stdout
    odoo.run("neutralize", "-d", neutralized.name)
    settings = settings_for("staging", OdooEnvironment(db_host="127.0.0.1", db_port=odoo.cluster.port, db_name=rewired.name))
    with psycopg.connect(odoo.cluster.dsn(rewired.name)) as conn:
        report = Rewirer(conn, load_rules([DEFAULT_RULES]), settings).apply()
    with (
        psycopg.connect(odoo.cluster.dsn(TEMPLATE)) as template,
        psycopg.connect(odoo.cluster.dsn(neutralized.name)) as neutral,
        psycopg.connect(odoo.cluster.dsn(rewired.name)) as formwork,
    ):
        tables = sorted(set(WRITES.findall(script)))
        yield (
            {t: rows(template, t) for t in tables},
            {t: rows(neutral, t) for t in tables},
            {t: rows(formwork, t) for t in tables},
            tables,
            report,
            rewired,
        )
    odoo.drop(neutralized)
    odoo.drop(rewired)


def test_the_template_is_a_construction_company_with_private_data_and_live_integrations(odoo):
    with psycopg.connect(odoo.cluster.dsn(TEMPLATE)) as conn:
        employees = conn.execute(
            "SELECT e.private_email, e.private_phone, e.private_street, e.identification_id, e.birthday, b.acc_number "
            "FROM hr_employee e JOIN res_partner_bank b ON b.id = e.bank_account_id WHERE e.private_email LIKE '%.example'"
        ).fetchall()
        assert len(employees) == 4 and all(all(employee) for employee in employees)
        assert all(IBAN(employee[-1]).validate() for employee in employees)
        old_wages = conn.execute(
            "SELECT v.old_value_float FROM mail_tracking_value v JOIN ir_model_fields f ON f.id = v.field_id "
            "WHERE f.model = 'hr.contract' AND f.name = 'wage'"
        ).fetchall()
        assert (4200.0,) in old_wages
        live = {
            table: conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]
            for table, where in {
                "ir_mail_server": "smtp_pass IS NOT NULL",
                "fetchmail_server": "password IS NOT NULL",
                "ir_cron": "active",
                "payment_provider": "state = 'enabled' AND stripe_secret_key IS NOT NULL",
                "iap_account": "account_token IS NOT NULL",
                "ir_act_server": "state = 'webhook'",
                "auth_oauth_provider": "enabled",
                "hr_leave": "private_name IS NOT NULL",
                "hr_applicant": "email_from IS NOT NULL",
                "calendar_attendee": "true",
                "mail_partner_device": "true",
            }.items()
        }
        assert all(live.values()), live


def test_odoo_runs_on_a_copy(odoo, odoo_copy, odoo_served):
    check_copy_serves(odoo, odoo_served, odoo_copy)


def test_the_check_fails_on_a_copy_odoo_cannot_read(odoo, odoo_copy):
    """The check the other tests run on the shared Odoo, here on an Odoo of its own: the errors it makes Odoo log
    stay out of the shared one's log."""
    with psycopg.connect(odoo.cluster.dsn(odoo_copy.name), autocommit=True) as conn:
        conn.execute("ALTER TABLE res_partner_bank DROP COLUMN acc_holder_name")  # as a careless rewrite might
    with serving_all(odoo, odoo_copy.data_dir) as served, pytest.raises(AssertionError, match="res_partner_bank|acc_holder_name"):
        check_copy_serves(odoo, served, odoo_copy)


def test_formwork_cuts_everything_odoos_neutralize_cuts(outcomes):
    template, neutralized, rewired, tables, report, _ = outcomes
    assert report.live == []
    assert {
        "ir_mail_server",
        "ir_cron",
        "ir_config_parameter",
        "ir_act_server",
        "fetchmail_server",
        "payment_provider",
        "iap_account",
        "auth_oauth_provider",
        "ir_ui_view",
        "mail_template",
        "mail_partner_device",
    } <= set(tables)
    left_live, neutralize_changed = [], set()
    for table in tables:
        before, odoo_did, formwork_did = template[table], neutralized[table], rewired[table]
        for key, row in before.items():
            if key not in odoo_did:
                neutralize_changed.add(table)
                if key in formwork_did:
                    left_live.append(f"{table} row {key}: deleted by neutralize, kept by Formwork")
                continue
            for column, value in row.items():
                if odoo_did[key][column] != value:
                    neutralize_changed.add(f"{table}.{column}")
                    if key in formwork_did and formwork_did[key][column] == value:
                        left_live.append(f"{table}.{column} of row {key}: changed by neutralize, left as it was by Formwork")
        added = odoo_did.keys() - before.keys()
        if table == "ir_config_parameter":
            left_live += [
                f"{table} {key}: neutralize sets {odoo_did[key]['value']!r}, Formwork does not"
                for key in added
                if formwork_did.get(key, {}).get("value") != odoo_did[key]["value"]
            ]
        elif len(formwork_did.keys() - before.keys()) < len(added):
            left_live.append(f"{table}: neutralize adds {len(added)} row(s), Formwork fewer")
    # the comparison means something only where neutralize had something to cut
    assert {
        "ir_mail_server.active",
        "ir_cron.active",
        "ir_act_server.webhook_url",
        "fetchmail_server.active",
        "payment_provider.state",
        "payment_provider.stripe_secret_key",
        "iap_account.account_token",
        "auth_oauth_provider.enabled",
        "ir_ui_view.active",
        "mail_template.mail_server_id",
        "mail_partner_device",
        "ir_config_parameter",
    } <= neutralize_changed
    assert not left_live, "Odoo's neutralize cuts what Formwork leaves live:\n" + "\n".join(left_live)


def test_tokens_are_replaced_not_suffixed(outcomes):
    template, neutralized, rewired, *_ = outcomes
    tokens = {row["account_token"] for row in template["iap_account"].values() if row["account_token"]}
    assert tokens and any(
        token.split("+")[0] in (row["account_token"] or "") for row in neutralized["iap_account"].values() for token in tokens
    )  # what neutralize leaves readable
    kept = [
        row["id"]
        for row in rewired["iap_account"].values()
        for token in tokens
        if token.split("+")[0] in (row["account_token"] or "")
    ]
    assert not kept, f"iap_account rows {kept} still hold production's token"


def test_every_parameter_naming_a_key_secret_token_or_password_is_cleared_or_replaced(outcomes):
    template, _, rewired, *_ = outcomes
    secret = {
        key: row["value"]
        for key, row in template["ir_config_parameter"].items()
        if SECRET_WORDS & set(re.split(r"[._]", key.lower()))
    }
    assert {
        "docusign.api_key",
        "brickwell_payroll_export_token",
        "brickwell.bank.sftp_password",
        "database.secret",
    } <= secret.keys()
    kept = sorted(
        key for key, value in secret.items() if value and rewired["ir_config_parameter"].get(key, {}).get("value") == value
    )
    assert not kept, f"Formwork left these system parameters as they were: {kept}"


def test_odoo_runs_after_formwork_rewired_it(odoo, outcomes, odoo_served):
    check_copy_serves(odoo, odoo_served, outcomes[-1])
