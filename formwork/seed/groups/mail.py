"""Chatter, tracked-value history and queued mail: where personal data hides in text.

Tracked values keep *old* private values (previous home address, previous wage);
message bodies and queued payslip mails quote names, IBANs and phone numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from formwork.seed.groups.accounting import bill
from formwork.seed.groups.integrations import FIELD_ID
from formwork.seed.groups.partners import work_email
from formwork.seed.groups.payroll import amounts, period
from formwork.seed.iban import format_iban
from formwork.seed.plan import ANCHOR, COMPANY_DOMAIN, SeedPlan
from formwork.seed.rows import AUDIT, TableRows, audit

MESSAGE_COLUMNS = (
    "id",
    "subject",
    "date",
    "body",
    "model",
    "res_id",
    "record_name",
    "message_type",
    "is_internal",
    "email_from",
    "author_id",
    "message_id",
    "reply_to",
    *AUDIT,
)
TRACKING_COLUMNS = (
    "id",
    "field_id",
    "old_value_float",
    "new_value_float",
    "old_value_char",
    "new_value_char",
    "old_value_integer",
    "new_value_integer",
    "currency_id",
    "mail_message_id",
    *AUDIT,
)
MAIL_COLUMNS = (
    "id",
    "mail_message_id",
    "body_html",
    "email_to",
    "state",
    "is_notification",
    "auto_delete",
    "scheduled_date",
    *AUDIT,
)


class Chatter:
    """Builds messages, tracking values and mails together, so ids line up."""

    def __init__(self, plan: SeedPlan):
        self.plan = plan
        self.messages: list[tuple] = []
        self.tracking: list[tuple] = []
        self.mails: list[tuple] = []
        self.recipients: list[tuple] = []

    def message(
        self,
        when: datetime,
        model: str,
        res_id: int,
        record: str,
        body: str,
        *,
        author: int,
        email_from: str,
        subject: str | None = None,
        kind: str = "comment",
        internal: bool = False,
    ) -> int:
        mid = len(self.messages) + 1
        self.messages.append(
            (
                mid,
                subject,
                when,
                body,
                model,
                res_id,
                record,
                kind,
                internal,
                email_from,
                author,
                f"<{mid}.{int(when.timestamp())}.{model}-{res_id}@{COMPANY_DOMAIN}>",
                None,
                *audit(when),
            )
        )
        return mid

    def track(
        self, message: int, when: datetime, field: tuple[str, str], *, old=None, new=None, old_id=None, new_id=None
    ) -> None:
        floats = isinstance(old, float)
        self.tracking.append(
            (
                len(self.tracking) + 1,
                FIELD_ID[field],
                old if floats else None,
                new if floats else None,
                None if floats else old,
                None if floats else new,
                old_id,
                new_id,
                2 if floats else None,
                message,
                *audit(when),
            )
        )

    def mail(self, message: int, when: datetime, body: str, to: str, partner: int) -> None:
        mail_id = len(self.mails) + 1
        self.mails.append((mail_id, message, body, to, "outgoing", False, True, when, *audit(when)))
        self.recipients.append((mail_id, partner))


def tables(plan: SeedPlan) -> Iterator[TableRows]:
    chatter = Chatter(plan)
    _employee_history(plan, chatter)
    _task_comments(plan, chatter)
    _bill_notes(plan, chatter)
    _payslip_mails(plan, chatter)
    yield TableRows("mail_message", MESSAGE_COLUMNS, chatter.messages, len(chatter.messages))
    yield TableRows("mail_tracking_value", TRACKING_COLUMNS, chatter.tracking, len(chatter.tracking))
    yield TableRows("mail_mail", MAIL_COLUMNS, chatter.mails, len(chatter.mails))
    yield TableRows("mail_mail_res_partner_rel", ("mail_mail_id", "res_partner_id"), chatter.recipients, len(chatter.recipients))
    devices = [
        (
            i + 1,
            plan.employee_partner_id(i),
            f"https://fcm.googleapis.com/fcm/send/{plan.token('push', i, length=22)}",
            f'{{"p256dh": "B{plan.token("p256", i, length=86)}", "auth": "{plan.token("auth", i, length=22)}"}}',
            None,
            *audit(ANCHOR - timedelta(days=i + 1)),
        )
        for i in range(min(plan.counts.users, 25))
    ]
    yield TableRows(
        "mail_partner_device", ("id", "partner_id", "endpoint", "keys", "expiration_time", *AUDIT), devices, len(devices)
    )
    pushes = [
        (
            i + 1,
            i + 1,
            f'{{"title": "Payslip ready", "body": "{plan.employee(i).who.first}, your October payslip is ready"}}',
            *audit(ANCHOR),
        )
        for i in range(len(devices))
    ]
    yield TableRows("mail_notification_web_push", ("id", "user_device", "payload", *AUDIT), pushes, len(pushes))


def _employee_history(plan: SeedPlan, chatter: Chatter) -> None:
    admin_from = f'"Helen Carter" <helen.carter@{COMPANY_DOMAIN}>'
    for i in range(plan.counts.employees):
        e = plan.employee(i)
        hired = datetime(e.hired.year, e.hired.month, e.hired.day, 9, 30)
        chatter.message(
            hired,
            "hr.employee",
            i + 1,
            e.who.name,
            f"<p>Welcome {e.who.name}! Emergency contact {e.emergency_contact} ({e.emergency_phone}).</p>",
            author=3,
            email_from=admin_from,
            kind="notification",
        )
        raise_day = ANCHOR - timedelta(days=120 + i % 90)
        wage_msg = chatter.message(
            raise_day, "hr.contract", i + 1, f"{e.who.name} contract", "", author=3, email_from=admin_from, kind="notification"
        )
        chatter.track(wage_msg, raise_day, ("hr.contract", "wage"), old=e.previous_wage, new=e.wage)
        if i % 3 == 0:
            moved = ANCHOR - timedelta(days=200 + i % 150)
            body = (
                f"<p>{e.who.first} moved house and changed bank: new account {format_iban(e.iban)} "
                f"at {e.who.street}, {e.who.city} {e.who.zip}. Call {e.who.mobile} to confirm.</p>"
            )
            msg = chatter.message(moved, "hr.employee", i + 1, e.who.name, body, author=3, email_from=admin_from, internal=True)
            chatter.track(msg, moved, ("hr.employee", "private_street"), old=e.previous_street, new=e.who.street)
            chatter.track(
                msg,
                moved,
                ("hr.employee", "private_email"),
                old=f"{e.who.first}.{e.who.last}@hotmail.co.uk".lower(),
                new=e.private_email,
            )
            chatter.track(
                msg,
                moved,
                ("hr.employee", "bank_account_id"),
                old=f"GB** **** {e.iban[-8:-4]} ****",
                new=e.iban,
                old_id=None,
                new_id=plan.employee_bank_id(i),
            )


def _task_comments(plan: SeedPlan, chatter: Chatter) -> None:
    per = plan.counts.tasks_per_project
    for tid in range(1, plan.counts.projects * per + 1, 3):
        rng = plan.rng("task-comment", tid)
        e = plan.employee(rng.randrange(plan.counts.users))
        when = ANCHOR - timedelta(days=rng.randint(1, 400), minutes=rng.randint(0, 600))
        body = f"<p>Gate code changed; ring {e.who.name} on {e.who.mobile} on arrival. Deliveries before 8am only.</p>"
        chatter.message(
            when,
            "project.task",
            tid,
            None,
            body,
            author=plan.employee_partner_id(e.index),
            email_from=f'"{e.who.name}" <{work_email(plan, e.index)}>',
        )


def _bill_notes(plan: SeedPlan, chatter: Chatter) -> None:
    for b in range(plan.counts.bills):
        x = bill(plan, b)
        vendor = plan.company(x.vendor)
        when = datetime(x.invoice_date.year, x.invoice_date.month, x.invoice_date.day, 11, 5)
        msg = chatter.message(
            when,
            "account.move",
            b + 1,
            x.name,
            f"<p>Bill received from {vendor.name} ({vendor.phone}).</p>",
            author=3,
            email_from=f"accounts@{vendor.domain}",
            kind="notification",
        )
        chatter.track(msg, when, ("account.move", "state"), old="draft", new="posted")


def _payslip_mails(plan: SeedPlan, chatter: Chatter) -> None:
    last = plan.counts.payslip_months - 1
    start, _, stamp = period(plan, last)
    when = stamp[1]
    for i in range(plan.counts.employees):
        e = plan.employee(i)
        net = amounts(e.wage, last, i)["NET"]
        body = (
            f"<p>Dear {e.who.first},</p><p>Your payslip for {start:%B %Y} is attached. Net pay £{net:,.2f} "
            f"will reach account {format_iban(e.iban)} on the last working day.</p><p>Payroll, NI {e.ssnid}</p>"
        )
        msg = chatter.message(
            when,
            "hr.payslip",
            plan.payslip_id(i, last),
            f"Salary Slip - {e.who.name} - {start:%B %Y}",
            body,
            author=3,
            email_from=f"payroll@{COMPANY_DOMAIN}",
            subject=f"Payslip {start:%B %Y}",
            kind="email",
        )
        chatter.mail(msg, when, body, e.private_email, plan.employee_partner_id(i))
