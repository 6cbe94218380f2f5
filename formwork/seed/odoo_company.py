# A construction company's people and live integrations, added through Odoo's own ORM.
# Run as `odoo-bin shell -d DB < odoo_construction.py` (Odoo gives it `env`); the test template is built with it.
# Modest on purpose (tens of records): it must run in seconds. Every secret is a fake of the real one's shape.
import base64
import datetime

env = env(context=dict(env.context, mail_notify_force_send=False, no_mail_to_attendees=True))  # noqa: F821 (Odoo's shell)
today = datetime.date.today()
company = env.ref("base.main_company")
company.name = "Brickwell Construction Ltd"

# ---- people: every private field, a bank account with a valid IBAN --------------------------------------------------
PEOPLE = [
    ("Maria Keller", "Site Manager", "maria.keller@posteo.example", "+49 171 555 0101", "Lindenstrasse 12", "Berlin",
     "10969", "DE-4411-2093", datetime.date(1984, 3, 14), "DE89370400440532013000"),
    ("Tomasz Nowak", "Crane Operator", "t.nowak@gmx.example", "+48 601 555 202", "ul. Dluga 7", "Gdansk",
     "80-827", "PL-ABC-523311", datetime.date(1979, 11, 2), "GB82WEST12345698765432"),
    ("Aisha Rahman", "Quantity Surveyor", "aisha.rahman@proton.example", "+44 7700 900303", "14 Mill Lane", "Leeds",
     "LS1 4AB", "QQ123456C", datetime.date(1991, 6, 30), "NL91ABNA0417164300"),
    ("Liam O'Brien", "Site Electrician", "liamob@eircom.example", "+353 85 555 0404", "3 Harbour Road", "Cork",
     "T12 X2Y3", "IE-7654321T", datetime.date(1988, 1, 21), "FR1420041010050500013M02606"),
]
KM_HOME_WORK = {"Maria Keller": 6, "Tomasz Nowak": 31, "Aisha Rahman": 12, "Liam O'Brien": 48}
employees = env["hr.employee"]
for name, job, email, phone, street, city, zip_code, identification, birthday, iban in PEOPLE:
    employee = env["hr.employee"].create({
        "name": name, "job_title": job, "company_id": company.id,
        "work_email": name.lower().replace(" ", ".").replace("'", "") + "@brickwell.example",
        "private_email": email, "private_phone": phone, "private_street": street, "private_city": city,
        "private_zip": zip_code, "identification_id": identification, "birthday": birthday,
        "emergency_contact": "Next of kin of " + name, "emergency_phone": "+44 7700 900999",
        "km_home_work": KM_HOME_WORK[name],
    })
    employee.bank_account_id = env["res.partner.bank"].create({"acc_number": iban, "partner_id": employee.work_contact_id.id})
    employees |= employee
maria, tomasz, aisha, liam = employees

# ---- a contract whose wage changed: tracking keeps the old wage -----------------------------------------------------
contract = env["hr.contract"].create({
    "name": "Maria Keller - permanent", "employee_id": maria.id, "wage": 4200.0,
    "date_start": today.replace(month=1, day=1), "state": "open",
})
env.cr.commit()  # Odoo tracks no change to a record in the transaction that created it
contract.wage = 4650.0
maria.birthday = datetime.date(1984, 3, 15)  # a corrected birth date: tracking keeps the wrong one

# ---- chatter naming people, a leave, an applicant with a CV, a meeting ----------------------------------------------
maria.message_post(body="Tomasz Nowak covers for Maria Keller at the Lindenstrasse site while she is on sick leave.")
tomasz.message_post(body="Aisha Rahman asked about Tomasz Nowak's crane licence renewal.",
                    partner_ids=[aisha.work_contact_id.id], message_type="comment", subtype_xmlid="mail.mt_comment")
next_monday = today + datetime.timedelta(days=7 - today.weekday())
env["hr.leave"].create({
    "employee_id": tomasz.id, "holiday_status_id": env.ref("hr_holidays.holiday_status_sl").id,
    "request_date_from": next_monday, "request_date_to": next_monday + datetime.timedelta(days=1),
    "private_name": "Knee surgery at St James's",
})
applicant = env["hr.applicant"].create({
    "name": "Site engineer", "partner_name": "Jonas Becker", "email_from": "jonas.becker@web.example",
    "partner_phone": "+49 160 555 0707", "job_id": env["hr.job"].search([], limit=1).id,
})
env["ir.attachment"].create({
    "name": "CV Jonas Becker.txt", "res_model": "hr.applicant", "res_id": applicant.id,
    "datas": base64.b64encode(b"Jonas Becker, born 1995 in Kassel. Site engineer at Hochtief 2019-2024."),
})
start = datetime.datetime.combine(next_monday, datetime.time(9, 0))
env["calendar.event"].create({
    "name": "Site safety review with Liam O'Brien", "start": start, "stop": start + datetime.timedelta(hours=1),
    "partner_ids": [(6, 0, [liam.work_contact_id.id, maria.work_contact_id.id, env.ref("base.res_partner_2").id])],
})

# ---- money, an activity, an allocation, a meeting with an outsider, a scanned ID kept in the database ---------------
bank = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
env["account.bank.statement.line"].create([{
    "journal_id": bank.id, "date": today, "amount": -800.0, "partner_id": tomasz.work_contact_id.id,
    "partner_name": "Tomasz Nowak", "account_number": "GB82WEST12345698765432", "payment_ref": "Salary advance Tomasz Nowak",
}, {
    "journal_id": bank.id, "date": today, "amount": 240.0, "partner_name": "Aisha Rahman",
    "account_number": "NL91ABNA0417164300", "payment_ref": "Refund hotel Leeds Aisha Rahman",
}])
bill = env["account.move"].create({
    "move_type": "in_invoice", "partner_id": aisha.work_contact_id.id, "invoice_date": today,
    "ref": "Expense claim Aisha Rahman - hotel Leeds",
    "invoice_line_ids": [(0, 0, {"name": "Expense claim Aisha Rahman - hotel Leeds, 2 nights", "quantity": 1, "price_unit": 240.0})],
})
bill.action_post()
maria.activity_schedule(
    "mail.mail_activity_data_todo", summary="Collect Tomasz Nowak's site pass",
    note="<p>Maria Keller keeps Tomasz Nowak's pass at Lindenstrasse 12 until he is back.</p>",
    user_id=env.ref("base.user_admin").id)
env["hr.leave.allocation"].create({
    "employee_id": aisha.id, "holiday_status_id": env.ref("hr_holidays.holiday_status_cl").id, "number_of_days": 3,
    "allocation_type": "regular", "private_name": "Extra days for Aisha Rahman's IVF treatment",
})
priya = env["res.partner"].create({"name": "Priya Shah", "email": "priya.shah@arup.example", "phone": "+44 7700 900505"})
walk = env["calendar.event"].create({
    "name": "Snag list walk-through with Priya Shah", "start": start + datetime.timedelta(days=1),
    "stop": start + datetime.timedelta(days=1, hours=2), "description": "<p>Priya Shah brings the snag list for Maria Keller.</p>",
    "partner_ids": [(6, 0, [priya.id, maria.work_contact_id.id])],
})
walk.attendee_ids.with_context(no_mail_to_attendees=False)._send_mail_to_attendees(
    env.ref("calendar.calendar_template_meeting_invitation"))  # queued, not sent: it leaves invitation.ics on the event
parameters = env["ir.config_parameter"].sudo()
location = parameters.get_param("ir_attachment.location")
parameters.set_param("ir_attachment.location", "db")  # some estates keep attachments in the database
env["ir.attachment"].create({
    "name": "Passport Liam O'Brien.txt", "res_model": "hr.employee", "res_id": liam.id,
    "datas": base64.b64encode(b"Passport of Liam O'Brien, no. PA7712094, born 21 January 1988 in Cork."),
})
parameters.set_param("ir_attachment.location", location)
# The administrator names himself, as himself: flushed in his name so the recomputed fields keep write_uid 2.
env.flush_all()
admin = env.ref("base.partner_admin").with_user(env.ref("base.user_admin"))
admin.write({"name": "Gareth Pryce", "email": "gareth.pryce@brickwell.example"})
admin.env.flush_all()

# ---- live integrations ---------------------------------------------------------------------------------------------
smtp = env["ir.mail_server"].create({
    "name": "Brickwell Office 365", "smtp_host": "smtp.brickwell.example", "smtp_port": 587, "smtp_encryption": "starttls",
    "smtp_authentication": "login", "smtp_user": "erp@brickwell.example", "smtp_pass": "Sm7p-Pa55-brickwell",
})
env.ref("hr_recruitment.email_template_data_applicant_congratulations").mail_server_id = smtp
env["fetchmail.server"].create({
    "name": "Brickwell inbox", "server": "imap.brickwell.example", "port": 993, "is_ssl": True, "server_type": "imap",
    "user": "inbox@brickwell.example", "password": "1map-Pa55-brickwell", "state": "done",
})
env.ref("payment.payment_provider_stripe").write({
    "stripe_publishable_key": "pk_live_51Brickwell0000000000000000", "stripe_secret_key": "sk_live_51Brickwell0000000000000000",
    "stripe_webhook_secret": "whsec_Brickwell000000000000000000", "state": "enabled",
})
env["iap.account"].create({"service_name": "sms", "account_token": "5f0c7e4b2a9d4c1e8b3a6f2d9e1c4b7a"})
env["ir.actions.server"].create({
    "name": "Tell the site app about new employees", "model_id": env.ref("hr.model_hr_employee").id,
    "state": "webhook", "webhook_url": "https://hooks.brickwell.example/odoo/employee?key=wh-5ecret",
})
env["auth.oauth.provider"].create({
    "name": "Brickwell SSO", "client_id": "brickwell-erp", "enabled": True, "body": "Log in with Brickwell",
    "auth_endpoint": "https://sso.brickwell.example/authorize", "validation_endpoint": "https://sso.brickwell.example/userinfo",
})
env["mail.partner.device"].sudo().create({
    "partner_id": maria.work_contact_id.id, "endpoint": "https://fcm.googleapis.com/fcm/send/brickwell-maria",
    "keys": '{"p256dh": "BOrickwell", "auth": "brickwell"}',
})
for key, value in {
    "mail.web_push_vapid_private_key": "brickwell-vapid-private", "mail.web_push_vapid_public_key": "brickwell-vapid-public",
    "google_gmail_client_secret": "GOCSPX-brickwell", "docusign.api_key": "ds-brickwell-key",
    "brickwell_payroll_export_token": "pet-brickwell", "brickwell.bank.sftp_password": "sftp-brickwell",
}.items():
    parameters.set_param(key, value)
env.cr.commit()
print("construction company added:", len(employees), "employees")
