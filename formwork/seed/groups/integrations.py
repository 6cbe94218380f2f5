"""Everything through which a copy could reach the outside world.

Mail servers with credentials, scheduled actions, webhooks, payment providers,
carriers, IAP tokens, OAuth, push devices and config parameters: what the
rewiring pipeline must find and cut.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from formwork.seed.plan import ANCHOR, COMPANY_DOMAIN, SeedPlan
from formwork.seed.rows import AUDIT, TableRows, audit, tr

# (model, name) rows of ir_model; ids are positions + 1.
MODELS = [
    ("res.partner", "Contact"),
    ("res.users", "User"),
    ("hr.employee", "Employee"),
    ("hr.contract", "Contract"),
    ("hr.payslip", "Pay Slip"),
    ("project.task", "Task"),
    ("project.project", "Project"),
    ("account.move", "Journal Entry"),
    ("mail.mail", "Outgoing Mails"),
    ("fetchmail.server", "Incoming Mail Server"),
    ("ir.autovacuum", "Automatic Vacuum"),
    ("ir.module.module", "Module"),
    ("account.online.link", "Bank Connection"),
    ("payment.transaction", "Payment Transaction"),
    ("res.users.deletion", "Users Deletion Request"),
    ("hr.contract.history", "Contract History"),
]
MODEL_ID = {model: i for i, (model, _) in enumerate(MODELS, start=1)}

# (field id, model, field, ttype, label): tracked fields referenced by mail_tracking_value.
TRACKED_FIELDS = [
    (1, "hr.contract", "wage", "monetary", "Wage"),
    (2, "hr.employee", "private_street", "char", "Private Street"),
    (3, "hr.employee", "private_email", "char", "Private Email"),
    (4, "hr.employee", "bank_account_id", "many2one", "Bank Account Number"),
    (5, "account.move", "state", "selection", "Status"),
    (6, "project.task", "name", "char", "Title"),
]
FIELD_ID = {(model, name): fid for fid, model, name, _, _ in TRACKED_FIELDS}

# (xml module, xml name, cron name, model, code, interval number, interval type, active)
CRONS = [
    (
        "base",
        "autovacuum_job",
        "Base: Auto-vacuum internal data",
        "ir.autovacuum",
        "model._run_vacuum_cleaner()",
        1,
        "days",
        True,
    ),
    (
        "mail",
        "ir_cron_mail_scheduler_action",
        "Mail: Email Queue Manager",
        "mail.mail",
        "model.process_email_queue()",
        1,
        "hours",
        True,
    ),
    (
        "mail",
        "ir_cron_module_update_notification",
        "Publisher: Update Notification",
        "ir.module.module",
        "model._update_notification()",
        1,
        "weeks",
        True,
    ),
    (
        "fetchmail",
        "ir_cron_mail_gateway_action",
        "Mail: Fetchmail Service",
        "fetchmail.server",
        "model._fetch_mails()",
        5,
        "minutes",
        True,
    ),
    (
        "account_online_synchronization",
        "online_sync_cron",
        "Account: Journal online sync",
        "account.online.link",
        "model._cron_refresh()",
        12,
        "hours",
        True,
    ),
    (
        "payment",
        "cron_post_process_payment_tx",
        "Payment: Post-process transactions",
        "payment.transaction",
        "model._cron_finalize_post_processing()",
        10,
        "minutes",
        True,
    ),
    (
        "base",
        "ir_cron_res_users_deletion",
        "Base: Portal Users Deletion",
        "res.users.deletion",
        "model._gc_portal_users()",
        1,
        "days",
        True,
    ),
    (
        "hr_contract",
        "ir_cron_data_contract_update_state",
        "HR Contract: update state",
        "hr.contract",
        "model.update_state()",
        1,
        "days",
        True,
    ),
    (
        "hr_payroll",
        "ir_cron_generate_payslip_pdfs",
        "Payroll: Generate pdfs",
        "hr.payslip",
        "model._cron_generate_pdf()",
        1,
        "hours",
        True,
    ),
    (
        "account",
        "ir_cron_auto_post_draft_entry",
        "Account: Post draft entries with auto_post enabled",
        "account.move",
        "model._autopost_draft_entries()",
        1,
        "days",
        True,
    ),
    (
        "hr_contract",
        "ir_cron_contract_history_cleanup",
        "HR Contract: clean history",
        "hr.contract.history",
        "model._cron_cleanup()",
        1,
        "weeks",
        False,
    ),
]

# (name, url, model): outgoing webhooks (base_automation, state 'webhook', Odoo 17)
WEBHOOKS = [
    ("Notify site app when a task changes stage", "https://hooks.sitebuddy-app.example/odoo/task-stage/7f3c2a", "project.task"),
    (
        "Push posted bills to cost control",
        "https://costcontrol.northbridge-construction.co.uk/api/odoo/bills?token=b5f1e0c9",
        "account.move",
    ),
]


def tables(plan: SeedPlan) -> Iterator[TableRows]:
    start = ANCHOR - timedelta(days=3 * 365)
    a = audit(start)
    yield TableRows(
        "ir_model",
        ("id", "model", "name", "order", "state", "transient", *AUDIT),
        [(i, model, tr(name), "id", "base", False, *a) for i, (model, name) in enumerate(MODELS, start=1)],
        len(MODELS),
    )
    yield TableRows(
        "ir_model_fields",
        ("id", "name", "complete_name", "model", "model_id", "field_description", "ttype", "state", "store", *AUDIT),
        [
            (fid, name, f"{model}.{name}", model, MODEL_ID[model], tr(label), ttype, "base", True, *a)
            for fid, model, name, ttype, label in TRACKED_FIELDS
        ],
        len(TRACKED_FIELDS),
    )
    yield from _mail_servers(plan, a)
    actions = _server_actions(a)
    yield TableRows("ir_act_server", SERVER_ACTION_COLUMNS, actions, len(CRONS) + len(WEBHOOKS))
    yield TableRows(
        "ir_cron",
        (
            "id",
            "ir_actions_server_id",
            "cron_name",
            "user_id",
            "active",
            "interval_number",
            "interval_type",
            "numbercall",
            "doall",
            "nextcall",
            "lastcall",
            "priority",
            *AUDIT,
        ),
        [
            (i, i, name, 1, active, number, kind, -1, False, ANCHOR + timedelta(hours=i), ANCHOR - timedelta(hours=i), 5, *a)
            for i, (_, _, name, _, _, number, kind, active) in enumerate(CRONS, start=1)
        ],
        len(CRONS),
    )
    yield from _providers(plan, a)
    yield TableRows(
        "ir_ui_view",
        ("id", "name", "model", "key", "priority", "type", "arch_db", "inherit_id", "mode", "active", *AUDIT),
        [
            (
                1,
                "web.layout",
                None,
                "web.layout",
                16,
                "qweb",
                tr('<t t-name="web.layout"><html><head/><body><t t-out="0"/></body></html></t>'),
                None,
                "primary",
                True,
                *a,
            ),
            (
                2,
                "neutralize_banner",
                None,
                "web.neutralize_banner",
                16,
                "qweb",
                tr(
                    '<xpath expr="//body" position="before"><span class="badge text-bg-danger">Database neutralized for testing: no emails sent, etc.</span></xpath>'
                ),
                1,
                "extension",
                False,
                *a,
            ),
        ],
        2,
    )
    yield TableRows(
        "ir_model_data", ("id", "module", "name", "model", "res_id", "noupdate", *AUDIT), _xml_ids(), len(_xml_id_list())
    )
    yield TableRows(
        "ir_config_parameter",
        ("id", "key", "value", *AUDIT),
        [(i, key, value, *a) for i, (key, value) in enumerate(config_parameters(plan), start=1)],
        len(config_parameters(plan)),
    )


def config_parameters(plan: SeedPlan) -> list[tuple[str, str]]:
    return [
        ("web.base.url", f"https://erp.{COMPANY_DOMAIN}"),
        ("report.url", f"https://erp.{COMPANY_DOMAIN}"),
        ("database.uuid", plan.database_uuid()),
        ("database.secret", plan.token("database.secret", length=36)),
        ("database.create_date", (ANCHOR - timedelta(days=3 * 365)).strftime("%Y-%m-%d %H:%M:%S")),
        ("database.enterprise_code", "M" + plan.token("enterprise", length=13).upper()),
        ("database.expiration_date", (ANCHOR + timedelta(days=300)).strftime("%Y-%m-%d %H:%M:%S")),
        ("database.expiration_reason", "renewal"),
        ("ir_attachment.location", "file"),
        ("mail.catchall.domain", COMPANY_DOMAIN),
        ("mail.bounce.alias", "bounce"),
        ("mail.default.from", "notifications"),
        ("mail.web_push_vapid_private_key", plan.token("vapid-private", length=43)),
        ("mail.web_push_vapid_public_key", "B" + plan.token("vapid-public", length=86)),
        ("mail.sfu_server_key", plan.token("sfu", length=32)),
        ("google_gmail_client_id", "418820374533-" + plan.token("gmail-id", length=32) + ".apps.googleusercontent.com"),
        ("google_gmail_client_secret", "GOCSPX-" + plan.token("gmail-secret", length=28)),
        ("microsoft_outlook_client_identifier", plan.token("outlook-id", length=36)),
        ("microsoft_outlook_client_secret", plan.token("outlook-secret", length=40)),
        ("auth_signup.invitation_scope", "b2b"),
        ("base_setup.default_user_rights", "True"),
        ("sms.endpoint", "https://sms.api.odoo.com"),
    ]


def _mail_servers(plan: SeedPlan, a: tuple) -> Iterator[TableRows]:
    yield TableRows(
        "ir_mail_server",
        (
            "id",
            "name",
            "from_filter",
            "smtp_host",
            "smtp_port",
            "smtp_authentication",
            "smtp_user",
            "smtp_pass",
            "smtp_encryption",
            "smtp_debug",
            "sequence",
            "active",
            *AUDIT,
        ),
        [
            (
                1,
                "Office 365 relay",
                COMPANY_DOMAIN,
                "smtp.office365.com",
                587,
                "login",
                f"erp@{COMPANY_DOMAIN}",
                "Wh4rf-R0ad-" + plan.token("smtp1", length=10),
                "starttls",
                False,
                10,
                True,
                *a,
            ),
            (
                2,
                "Payroll relay (SendGrid)",
                f"payroll@{COMPANY_DOMAIN}",
                "smtp.sendgrid.net",
                465,
                "login",
                "apikey",
                "SG." + plan.token("sendgrid", length=22) + "." + plan.token("sendgrid2", length=43),
                "ssl",
                False,
                20,
                True,
                *a,
            ),
        ],
        2,
    )
    yield TableRows(
        "fetchmail_server",
        (
            "id",
            "name",
            "active",
            "state",
            "server",
            "port",
            "server_type",
            "is_ssl",
            "attach",
            "original",
            "user",
            "password",
            "object_id",
            "priority",
            *AUDIT,
        ),
        [
            (
                1,
                "Accounts payable inbox",
                True,
                "done",
                "outlook.office365.com",
                993,
                "imap",
                True,
                True,
                False,
                f"ap@{COMPANY_DOMAIN}",
                "Ap-Inb0x-" + plan.token("imap", length=10),
                MODEL_ID["account.move"],
                5,
                *a,
            )
        ],
        1,
    )
    yield TableRows(
        "mail_template",
        (
            "id",
            "name",
            "model_id",
            "model",
            "subject",
            "email_from",
            "email_to",
            "body_html",
            "mail_server_id",
            "auto_delete",
            *AUDIT,
        ),
        [
            (
                1,
                tr("Payslip: send by email"),
                MODEL_ID["hr.payslip"],
                "hr.payslip",
                tr("{{ object.name }}"),
                f"payroll@{COMPANY_DOMAIN}",
                "{{ object.employee_id.private_email }}",
                tr("<p>Dear {{ object.employee_id.name }}, please find your payslip attached.</p>"),
                2,
                True,
                *a,
            ),
            (
                2,
                tr("Vendor bill: remittance advice"),
                MODEL_ID["account.move"],
                "account.move",
                tr("Remittance {{ object.name }}"),
                f"accounts@{COMPANY_DOMAIN}",
                "{{ object.partner_id.email }}",
                tr("<p>Payment of {{ object.amount_total }} has been sent.</p>"),
                1,
                True,
                *a,
            ),
        ],
        2,
    )


SERVER_ACTION_COLUMNS = (
    "id",
    "name",
    "type",
    "binding_type",
    "usage",
    "state",
    "sequence",
    "model_id",
    "model_name",
    "code",
    "webhook_url",
    *AUDIT,
)


def _server_actions(a: tuple) -> list[tuple]:
    rows = [
        (i, tr(name), "ir.actions.server", "action", "ir_cron", "code", 5, MODEL_ID[model], model, code, None, *a)
        for i, (_, _, name, model, code, _, _, _) in enumerate(CRONS, start=1)
    ]
    rows += [
        (
            len(CRONS) + k,
            tr(name),
            "ir.actions.server",
            "action",
            "base_automation",
            "webhook",
            5,
            MODEL_ID[model],
            model,
            None,
            url,
            *a,
        )
        for k, (name, url, model) in enumerate(WEBHOOKS, start=1)
    ]
    return rows


def _providers(plan: SeedPlan, a: tuple) -> Iterator[TableRows]:
    yield TableRows(
        "payment_provider",
        (
            "id",
            "name",
            "code",
            "state",
            "is_published",
            "company_id",
            "sequence",
            "stripe_publishable_key",
            "stripe_secret_key",
            "stripe_webhook_secret",
            "adyen_merchant_account",
            "adyen_api_key",
            "adyen_client_key",
            "adyen_hmac_key",
            "adyen_api_url_prefix",
            *AUDIT,
        ),
        [
            (
                1,
                tr("Stripe"),
                "stripe",
                "enabled",
                True,
                1,
                1,
                "pk_live_" + plan.token("stripe-pk", length=24),
                "sk_live_" + plan.token("stripe-sk", length=24),
                "whsec_" + plan.token("stripe-wh", length=32),
                None,
                None,
                None,
                None,
                None,
                *a,
            ),
            (
                2,
                tr("Adyen"),
                "adyen",
                "test",
                False,
                1,
                2,
                None,
                None,
                None,
                "NorthbridgeECOM",
                "AQE" + plan.token("adyen", length=40),
                "live_" + plan.token("adyen-client", length=26),
                plan.token("adyen-hmac", length=64).upper(),
                "1797a841fbb37ca7-NorthbridgeConstruction",
                *a,
            ),
            (3, tr("Wire Transfer"), "custom", "enabled", True, 1, 3, None, None, None, None, None, None, None, None, *a),
        ],
        3,
    )
    yield TableRows(
        "delivery_carrier",
        (
            "id",
            "name",
            "active",
            "sequence",
            "delivery_type",
            "integration_level",
            "prod_environment",
            "company_id",
            "product_id",
            "invoice_policy",
            "fixed_price",
            "fedex_developer_key",
            "fedex_developer_password",
            "fedex_account_number",
            "fedex_meter_number",
            "fedex_duty_payment",
            *AUDIT,
        ),
        [
            (
                1,
                tr("Site delivery (flat rate)"),
                True,
                1,
                "fixed",
                "rate",
                False,
                1,
                1,
                "estimated",
                45.0,
                None,
                None,
                None,
                None,
                "SENDER",
                *a,
            ),
            (
                2,
                tr("By weight"),
                True,
                2,
                "base_on_rule",
                "rate",
                False,
                1,
                2,
                "estimated",
                0.0,
                None,
                None,
                None,
                None,
                "SENDER",
                *a,
            ),
            (
                3,
                tr("FedEx UK"),
                True,
                3,
                "fedex",
                "rate_and_ship",
                True,
                1,
                3,
                "real",
                0.0,
                plan.token("fedex-key", length=16),
                plan.token("fedex-pw", length=25),
                "510087" + str(plan.seed % 1000).zfill(3),
                "119" + str(plan.seed % 100000).zfill(6),
                "SENDER",
                *a,
            ),
        ],
        3,
    )
    yield TableRows(
        "iap_account",
        ("id", "name", "service_name", "account_token", "show_token", *AUDIT),
        [
            (1, "SMS", "sms", plan.token("iap-sms", length=32), False, *a),
            (2, "Partner Autocomplete", "partner_autocomplete", plan.token("iap-pa", length=32), False, *a),
            (3, "Documents OCR", "invoice_ocr", plan.token("iap-ocr", length=32), False, *a),
        ],
        3,
    )
    yield TableRows("iap_account_res_company_rel", ("iap_account_id", "res_company_id"), [(1, 1), (2, 1), (3, 1), (3, 2)], 4)
    yield TableRows(
        "auth_oauth_provider",
        (
            "id",
            "name",
            "client_id",
            "auth_endpoint",
            "scope",
            "validation_endpoint",
            "data_endpoint",
            "enabled",
            "css_class",
            "body",
            "sequence",
            *AUDIT,
        ),
        [
            (
                1,
                "Google OAuth2",
                "418820374533-" + plan.token("oauth", length=32) + ".apps.googleusercontent.com",
                "https://accounts.google.com/o/oauth2/auth",
                "openid profile email",
                "https://www.googleapis.com/oauth2/v3/userinfo",
                None,
                True,
                "fa fa-fw fa-google",
                tr("Log in with Google"),
                10,
                *a,
            )
        ],
        1,
    )


def _xml_id_list() -> list[tuple[str, str, str, int]]:
    ids = [(module, name, "ir.cron", i) for i, (module, name, *_rest) in enumerate(CRONS, start=1)]
    ids += [
        (module, f"{name}_ir_actions_server", "ir.actions.server", i) for i, (module, name, *_rest) in enumerate(CRONS, start=1)
    ]
    ids += [
        ("web", "layout", "ir.ui.view", 1),
        ("web", "neutralize_banner", "ir.ui.view", 2),
        ("payment", "payment_provider_stripe", "payment.provider", 1),
        ("payment", "payment_provider_adyen", "payment.provider", 2),
        ("payment", "payment_provider_transfer", "payment.provider", 3),
        ("delivery", "free_delivery_carrier", "delivery.carrier", 1),
        ("auth_oauth", "provider_google", "auth.oauth.provider", 1),
        ("base", "main_company", "res.company", 1),
        ("base", "main_partner", "res.partner", 1),
        ("base", "partner_root", "res.partner", 2),
        ("base", "partner_admin", "res.partner", 3),
        ("base", "user_root", "res.users", 1),
        ("base", "user_admin", "res.users", 2),
        ("base", "GBP", "res.currency", 2),
        ("base", "uk", "res.country", 1),
        ("resource", "resource_calendar_std", "resource.calendar", 1),
    ]
    return ids


def _xml_ids() -> Iterator[tuple]:
    stamp = audit(ANCHOR - timedelta(days=3 * 365))
    for i, (module, name, model, res_id) in enumerate(_xml_id_list(), start=1):
        yield (i, module, name, model, res_id, model in ("ir.cron", "ir.actions.server"), *stamp)
