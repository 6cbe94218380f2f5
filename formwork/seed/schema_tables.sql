-- Formwork: Odoo 17.0-shaped schema, part 1 of 2 (tables only).
-- Generated from field definitions read in Odoo 17.0 source (see per-table comments).
-- No foreign keys, no secondary indexes: load data with COPY, then run schema_constraints.sql.
-- Type mapping (odoo/fields.py 17.0): Char/Selection/Reference -> character varying; Text/Html -> text;
-- translate=True -> jsonb; Float with digits / Monetary -> numeric; Float without digits -> double precision;
-- Many2one -> integer; Integer -> integer; Boolean -> boolean; Date -> date; Datetime -> timestamp without time zone;
-- Json/Properties -> jsonb; Binary(attachment=False) -> bytea. Binary/Image fields stored as attachments are not columns.
-- One2many / non-stored compute / related(store=False) / company_dependent fields are not columns.

SET client_min_messages = warning;

-- res.company
-- Odoo 17.0: odoo/addons/base/models/res_company.py (class Company, base fields only;
--   modules such as account/mail/hr add further company columns not reproduced here)
-- Notes: street/street2/zip/city/state_id/country_id/website/vat/company_registry/logo are non-stored
--   computed/related fields proxied to the company partner (res_partner). email/phone/mobile are
--   related to partner_id but store=True, so they are duplicated here.
CREATE TABLE res_company (
    id serial PRIMARY KEY,
    name character varying NOT NULL,  -- related partner_id.name, store=True, required
    active boolean,
    sequence integer,
    parent_id integer,
    parent_path character varying,
    partner_id integer NOT NULL,
    report_header jsonb,  -- Html translate=True
    report_footer jsonb,  -- Html translate=True
    company_details jsonb,  -- Html translate=True
    logo_web bytea,  -- Binary attachment=False, computed store=True
    uses_default_logo boolean,
    currency_id integer NOT NULL,
    email character varying,  -- related partner_id.email, store=True
    phone character varying,  -- related partner_id.phone, store=True
    mobile character varying,  -- related partner_id.mobile, store=True
    paperformat_id integer,
    external_report_layout_id integer,
    font character varying,
    primary_color character varying,
    secondary_color character varying,
    layout_background character varying NOT NULL,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- res.partner
-- Odoo 17.0: odoo/addons/base/models/res_partner.py (class Partner)
--   + addons/mail/models/mail_thread_blacklist.py (email_normalized, message_bounce; via mail/models/res_partner.py)
--   + addons/phone_validation/models/mail_thread_phone.py (phone_sanitized; mixin put on res.partner by addons/sms/models/res_partner.py in 17.0)
--   + addons/auth_signup/models/res_partner.py (signup_token, signup_type, signup_expiration)
-- Notes: barcode is company_dependent in 17.0 (stored in ir_property, not a column).
--   signup_token is a non-stored computed field whose column is created by hand in init() (ALTER TABLE ... ADD COLUMN signup_token varchar).
--   partner_latitude / partner_longitude are base fields (Float digits=(10,7) -> numeric).
CREATE TABLE res_partner (
    id serial PRIMARY KEY,
    name character varying,
    complete_name character varying,
    date date,
    title integer,
    parent_id integer,
    ref character varying,
    lang character varying,
    tz character varying,
    user_id integer,
    vat character varying,
    company_registry character varying,
    website character varying,
    comment text,
    active boolean,
    employee boolean,
    function character varying,
    type character varying,
    street character varying,
    street2 character varying,
    zip character varying,
    city character varying,
    state_id integer,
    country_id integer,
    partner_latitude numeric,
    partner_longitude numeric,
    email character varying,
    phone character varying,
    mobile character varying,
    is_company boolean,
    industry_id integer,
    company_id integer,
    color integer,
    partner_share boolean,
    commercial_partner_id integer,
    commercial_company_name character varying,
    company_name character varying,
    email_normalized character varying,  -- mail.thread.blacklist
    message_bounce integer,  -- mail.thread.blacklist
    phone_sanitized character varying,  -- mail.thread.phone (phone_validation)
    signup_token character varying,  -- auth_signup, column created in init()
    signup_type character varying,  -- auth_signup
    signup_expiration timestamp without time zone,  -- auth_signup
    customer_rank integer,  -- account (addons/account/models/partner.py)
    supplier_rank integer,  -- account
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- res.users  (_inherits res.partner via partner_id: name/email/lang/tz/... live in res_partner)
-- Odoo 17.0: odoo/addons/base/models/res_users.py (class Users)
--   + odoo/addons/base/data/base_data.sql (bootstrap CREATE TABLE res_users: login varchar(64) NOT NULL UNIQUE -> widened to varchar by the ORM; password varchar)
--   + addons/mail/models/res_users.py (notification_type)
--   + addons/auth_totp/models/res_users.py (totp_secret: non-stored field, column added by hand in init())
--   + addons/auth_oauth/models/res_users.py (oauth_provider_id, oauth_uid, oauth_access_token)
-- Notes: `password` is a non-stored computed field in 17.0; the column only exists because base_data.sql creates it.
--   It holds a passlib hash ($pbkdf2-sha512$...); plaintext written here is re-hashed by Users.init() at next start.
--   `signature` is Html, compute with store=True. login_date is related to res_users_log (not a column).
CREATE TABLE res_users (
    id serial PRIMARY KEY,
    partner_id integer NOT NULL,
    login character varying NOT NULL,
    password character varying,  -- base_data.sql: password varchar default null (not an ORM column)
    signature text,
    active boolean,
    action_id integer,  -- ir_actions is inherited: Odoo creates no FK for it
    share boolean,
    company_id integer NOT NULL,
    notification_type character varying NOT NULL,  -- mail, default 'email'
    totp_secret character varying,  -- auth_totp, column created in init()
    oauth_provider_id integer,  -- auth_oauth
    oauth_uid character varying,  -- auth_oauth
    oauth_access_token character varying,  -- auth_oauth
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- res.users.apikeys  (_auto = False: table created verbatim by APIKeys.init())
-- Odoo 17.0: odoo/addons/base/models/res_users.py (class APIKeys, INDEX_SIZE = 8)
-- Exactly the init() DDL, except the inline "REFERENCES res_users(id) ON DELETE CASCADE" on user_id,
-- which is moved to schema_constraints.sql (same constraint name PostgreSQL would generate).
-- No create_uid / write_uid / write_date columns exist on this table (only create_date, with a DEFAULT).
-- `key` is a passlib pbkdf2_sha512 hash of the API key; `index` is the first 8 hex chars of the clear key.
CREATE TABLE IF NOT EXISTS res_users_apikeys (
    id serial primary key,
    name varchar not null,
    user_id integer not null,
    scope varchar,
    index varchar(8) not null CHECK (char_length(index) = 8),
    key varchar not null,
    create_date timestamp without time zone DEFAULT (now() at time zone 'utc')
);

-- res.country
-- Odoo 17.0: odoo/addons/base/models/res_country.py (class Country)
CREATE TABLE res_country (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,  -- translate=True
    code character varying(2) NOT NULL,  -- Char size=2
    address_format text,
    address_view_id integer,
    currency_id integer,
    phone_code integer,
    name_position character varying,
    vat_label jsonb,  -- translate=True
    state_required boolean,
    zip_required boolean,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- res.currency
-- Odoo 17.0: odoo/addons/base/models/res_currency.py (class Currency)
CREATE TABLE res_currency (
    id serial PRIMARY KEY,
    name character varying(3) NOT NULL,  -- Char size=3 (ISO 4217 code)
    full_name character varying,
    symbol character varying NOT NULL,
    rounding numeric,  -- Float digits=(12, 6)
    decimal_places integer,  -- computed, store=True
    active boolean,
    position character varying,
    currency_unit_label character varying,
    currency_subunit_label character varying,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- res.bank
-- Odoo 17.0: odoo/addons/base/models/res_bank.py (class Bank)
CREATE TABLE res_bank (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    street character varying,
    street2 character varying,
    zip character varying,
    city character varying,
    state integer,  -- Many2one named `state` (no _id suffix)
    country integer,  -- Many2one named `country` (no _id suffix)
    email character varying,
    phone character varying,
    active boolean,
    bic character varying,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- res.partner.bank
-- Odoo 17.0: odoo/addons/base/models/res_bank.py (class ResPartnerBank)
--   + addons/account/models/res_partner_bank.py (has_iban_warning, has_money_transfer_warning; adds mail.thread)
-- Notes: acc_number is the clear account number / IBAN; sanitized_acc_number is a stored copy
--   (upper-cased, non-word chars stripped) that must be masked consistently with acc_number.
--   bank_name / bank_bic are non-stored related fields (res_bank). acc_type is not stored.
CREATE TABLE res_partner_bank (
    id serial PRIMARY KEY,
    active boolean,
    acc_number character varying NOT NULL,
    sanitized_acc_number character varying,  -- computed, store=True
    acc_holder_name character varying,  -- computed, store=True, readonly=False
    partner_id integer NOT NULL,
    allow_out_payment boolean,
    bank_id integer,
    sequence integer,
    currency_id integer,
    company_id integer,  -- related partner_id.company_id, store=True
    has_iban_warning boolean,  -- account, computed store=True
    has_money_transfer_warning boolean,  -- account, computed store=True
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- hr.department
-- Odoo 17.0: addons/hr/models/hr_department.py (class Department)
CREATE TABLE hr_department (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,  -- translate=True
    complete_name character varying,  -- computed, store=True
    active boolean,
    company_id integer,
    parent_id integer,
    manager_id integer,
    note text,
    color integer,
    parent_path character varying,
    master_department_id integer,  -- computed, store=True
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- hr.job
-- Odoo 17.0: addons/hr/models/hr_job.py (class Job)
CREATE TABLE hr_job (
    id serial PRIMARY KEY,
    active boolean,
    name jsonb NOT NULL,  -- translate=True, index='trigram'
    sequence integer,
    expected_employees integer,  -- computed, store=True
    no_of_employee integer,  -- computed, store=True
    no_of_recruitment integer,
    no_of_hired_employee integer,
    description text,
    requirements text,
    department_id integer,
    company_id integer,
    contract_type_id integer,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- hr.employee
-- Odoo 17.0: addons/hr/models/hr_employee.py (class HrEmployeePrivate)
--   + addons/hr/models/hr_employee_base.py (hr.employee.base: job_title, address_id, work_phone, mobile_phone, work_email, work_contact_id, parent_id, coach_id, ...)
--   + addons/resource/models/resource_mixin.py (resource_id, company_id, resource_calendar_id)
--   + addons/mail/models/mail_thread_main_attachment.py (message_main_attachment_id)
--   + addons/hr_contract/models/hr_employee.py (vehicle, contract_id, contract_warning, first_contract_date)
-- Notes: hr.employee has no `notes`-only field besides `notes` (Text) and `additional_note` (Text): both exist.
--   Binary fields has_work_permit, id_card, driving_license (and image_*) are attachment=True: they are NOT columns,
--   they live in ir_attachment (res_model='hr.employee', res_field='id_card' / 'driving_license' / 'has_work_permit').
--   tz is related to resource_id.tz (not stored here; lives on resource_resource).
CREATE TABLE hr_employee (
    id serial PRIMARY KEY,
    name character varying,  -- related resource_id.name, store=True
    user_id integer,  -- related resource_id.user_id, store=True, ondelete='restrict'
    active boolean,  -- related resource_id.active, store=True
    color integer,
    department_id integer,
    job_id integer,
    job_title character varying,  -- computed, store=True
    company_id integer NOT NULL,  -- resource.mixin (related resource_id.company_id, store=True) + required=True
    address_id integer,  -- work address, computed store=True
    work_phone character varying,  -- computed store=True
    mobile_phone character varying,  -- computed store=True (work mobile)
    work_email character varying,  -- computed store=True
    work_contact_id integer,
    work_location_id integer,
    resource_id integer NOT NULL,
    resource_calendar_id integer,
    parent_id integer,  -- manager
    coach_id integer,
    private_street character varying,
    private_street2 character varying,
    private_city character varying,
    private_state_id integer,
    private_zip character varying,
    private_country_id integer,
    private_phone character varying,
    private_email character varying,
    lang character varying,
    country_id integer,  -- nationality
    gender character varying,
    marital character varying,
    spouse_complete_name character varying,
    spouse_birthdate date,
    children integer,
    place_of_birth character varying,
    country_of_birth integer,
    birthday date,
    ssnid character varying,
    sinid character varying,
    identification_id character varying,
    passport_id character varying,
    bank_account_id integer,
    permit_no character varying,
    visa_no character varying,
    visa_expire date,
    work_permit_expiration_date date,
    work_permit_scheduled_activity boolean,
    additional_note text,
    certificate character varying,
    study_field character varying,
    study_school character varying,
    emergency_contact character varying,
    emergency_phone character varying,
    km_home_work integer,
    employee_type character varying NOT NULL,
    notes text,
    barcode character varying,  -- Badge ID
    pin character varying,  -- attendance kiosk / POS PIN
    departure_reason_id integer,
    departure_description text,
    departure_date date,
    message_main_attachment_id integer,
    private_car_plate character varying,
    employee_properties jsonb,  -- fields.Properties
    vehicle character varying,  -- hr_contract
    contract_id integer,  -- hr_contract
    contract_warning boolean,  -- hr_contract, computed store=True
    first_contract_date date,  -- hr_contract, computed store=True
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- hr.contract
-- Odoo 17.0: addons/hr_contract/models/hr_contract.py (class Contract)
--   + enterprise hr_payroll/models/hr_contract.py (schedule_pay, wage_type, hourly_wage, ...; read from the 18.0 enterprise copy
--     Eddy-C127/enterprise18 because no complete 17.0 enterprise hr_payroll copy is indexed; hr_payroll also makes resource_calendar_id required)
-- Notes: permit_no / visa_no are non-stored related fields to hr_employee. currency_id is related (not stored).
CREATE TABLE hr_contract (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    active boolean,
    structure_type_id integer,  -- computed store=True
    employee_id integer,
    department_id integer,
    job_id integer,
    date_start date NOT NULL,
    date_end date,
    trial_date_end date,
    resource_calendar_id integer NOT NULL,  -- required=True added by hr_payroll
    wage numeric NOT NULL,
    notes text,
    state character varying,
    company_id integer NOT NULL,
    contract_type_id integer,
    kanban_state character varying,
    hr_responsible_id integer,
    schedule_pay character varying,  -- hr_payroll, computed store=True
    wage_type character varying,  -- hr_payroll, computed store=True
    hourly_wage numeric,  -- hr_payroll
    calendar_changed boolean,  -- hr_payroll
    time_credit boolean,  -- hr_payroll
    work_time_rate double precision,  -- hr_payroll, computed store=True (Float without digits)
    standard_calendar_id integer,  -- hr_payroll
    time_credit_type_id integer,  -- hr_payroll
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- hr.payslip  (Odoo Enterprise module hr_payroll)
-- Odoo 17.0 enterprise: hr_payroll/models/hr_payslip.py as vendored in ScastrillonE/Odoo-17-Premium (17.0 enterprise copy)
--   + addons/mail/models/mail_thread_cc.py (email_cc) + addons/mail/models/mail_thread_main_attachment.py (message_main_attachment_id)
-- Notes: hr_payroll_account (not reproduced) adds move_id / date / journal_id. Many2many salary_attachment_ids uses
--   relation table hr_payslip_hr_salary_attachment_rel (not reproduced). currency_id is related (not stored).
CREATE TABLE hr_payslip (
    id serial PRIMARY KEY,
    struct_id integer,  -- computed store=True
    name character varying NOT NULL,  -- computed store=True
    number character varying,
    employee_id integer NOT NULL,
    department_id integer,  -- related employee_id.department_id, store=True
    job_id integer,  -- related employee_id.job_id, store=True
    date_from date NOT NULL,
    date_to date NOT NULL,
    state character varying,
    company_id integer NOT NULL,
    paid boolean,
    paid_date date,
    note text,
    contract_id integer,
    credit_note boolean,
    payslip_run_id integer,
    sum_worked_hours double precision,  -- Float without digits
    compute_date date,
    basic_wage numeric,  -- computed store=True
    gross_wage numeric,  -- computed store=True
    net_wage numeric,  -- computed store=True
    warning_message character varying,  -- computed store=True
    has_negative_net_to_report boolean,
    edited boolean,
    queued_for_pdf boolean,
    email_cc character varying,  -- mail.thread.cc
    message_main_attachment_id integer,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- hr.payslip.line  (Odoo Enterprise module hr_payroll)
-- Source: hr_payroll/models/hr_payslip_line.py from the 18.0 enterprise copy Eddy-C127/enterprise18
--   (no 17.0 enterprise copy of this file is indexed; field set matches the 17.0 hr_payslip.py usage).
-- Notes: category_id / partner_id / company_id / currency_id are non-stored related fields in this version.
CREATE TABLE hr_payslip_line (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    sequence integer NOT NULL,
    code character varying NOT NULL,
    slip_id integer NOT NULL,
    salary_rule_id integer NOT NULL,
    contract_id integer NOT NULL,
    employee_id integer NOT NULL,
    rate numeric,  -- Float digits='Payroll Rate'
    amount numeric,
    quantity numeric,  -- Float digits='Payroll'
    total numeric,
    date_from date,  -- related slip_id.date_from, store=True
    date_to date,  -- related slip_id.date_to, store=True
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- hr.payslip.run  (Odoo Enterprise module hr_payroll)
-- Source: hr_payroll/models/hr_payslip_run.py from the 18.0 enterprise copy Eddy-C127/enterprise18
--   (no 17.0 enterprise copy of this file is indexed).
-- Notes: payment_report is a Binary with attachment=True (bank payment export lives in ir_attachment, res_field='payment_report').
CREATE TABLE hr_payslip_run (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    state character varying,  -- computed store=True
    date_start date NOT NULL,
    date_end date NOT NULL,
    company_id integer NOT NULL,
    payment_report_filename character varying,
    payment_report_date date,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- mail.message
-- Odoo 17.0: addons/mail/models/mail_message.py (class Message)
-- Notes: res_id is a Many2oneReference (plain integer, no FK). Recipients are in the m2m table
--   mail_message_res_partner_rel (partner_ids), attachments in message_attachment_rel, notifications in mail_notification
--   (none of these reproduced). body is Html (text) and may contain personal data / signatures.
CREATE TABLE mail_message (
    id serial PRIMARY KEY,
    subject character varying,
    date timestamp without time zone,
    body text,
    parent_id integer,
    model character varying,
    res_id integer,  -- Many2oneReference
    record_name character varying,
    record_alias_domain_id integer,
    record_company_id integer,
    message_type character varying NOT NULL,
    subtype_id integer,
    mail_activity_type_id integer,
    is_internal boolean,
    email_from character varying,
    author_id integer,
    author_guest_id integer,
    pinned_at timestamp without time zone,
    reply_to_force_new boolean,
    message_id character varying,  -- RFC 2822 Message-Id, index='btree'
    reply_to character varying,
    mail_server_id integer,
    email_layout_xmlid character varying,
    email_add_signature boolean,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- mail.mail  (_inherits mail.message via mail_message_id: subject/body/email_from/author/model/res_id live in mail_message)
-- Odoo 17.0: addons/mail/models/mail_mail.py (class MailMail)
-- Notes: the outgoing queue. email_to / email_cc / body_html / headers hold real recipients and content.
--   Neutralization: Odoo's own neutralize does not purge this table; pending rows with state='outgoing' will be sent.
CREATE TABLE mail_mail (
    id serial PRIMARY KEY,
    mail_message_id integer NOT NULL,
    body_html text,
    "references" text,
    headers text,
    is_notification boolean,
    email_to text,
    email_cc character varying,
    state character varying,
    failure_type character varying,
    failure_reason text,
    auto_delete boolean,
    scheduled_date timestamp without time zone,
    fetchmail_server_id integer,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- mail.mail.recipient_ids  Many2many('res.partner') relation table (default name: sorted tables mail_mail + res_partner)
-- Odoo 17.0: addons/mail/models/mail_mail.py (recipient_ids) + odoo/fields.py Many2many.update_db():
--   CREATE TABLE rel (id1 INTEGER NOT NULL, id2 INTEGER NOT NULL, PRIMARY KEY(id1, id2)); CREATE INDEX ON rel (id2, id1);
--   both foreign keys ON DELETE CASCADE. No magic columns, no id column.
CREATE TABLE mail_mail_res_partner_rel (
    mail_mail_id integer NOT NULL,
    res_partner_id integer NOT NULL,
    PRIMARY KEY (mail_mail_id, res_partner_id)
);

-- mail.tracking.value
-- Odoo 17.0: addons/mail/models/mail_tracking_value.py (class MailTracking)
-- Notes: verified 17.0 column set. There are NO old/new_value_monetary columns in 17.0 (monetary values are stored in
--   *_value_float with currency_id); booleans and many2one ids go to *_value_integer, many2one display names and
--   selection labels to *_value_char, dates to *_value_datetime. field_info (Json) describes removed fields.
--   Tracking rows keep historic copies of tracked personal data (names, emails, phones, wages...): mask them too.
CREATE TABLE mail_tracking_value (
    id serial PRIMARY KEY,
    field_id integer,
    field_info jsonb,  -- fields.Json
    old_value_integer integer,
    old_value_float double precision,  -- Float without digits
    old_value_char character varying,
    old_value_text text,
    old_value_datetime timestamp without time zone,
    new_value_integer integer,
    new_value_float double precision,  -- Float without digits
    new_value_char character varying,
    new_value_text text,
    new_value_datetime timestamp without time zone,
    currency_id integer,
    mail_message_id integer NOT NULL,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- mail.template
-- Odoo 17.0: addons/mail/models/mail_template.py (class MailTemplate)
--   + addons/mail/models/mail_render_mixin.py (lang) + addons/mail/models/template_reset_mixin.py (template_fs)
-- Notes: email_from / email_to / email_cc / reply_to / partner_to are usually placeholders ({{ object.x }}) but can hold
--   hard-coded addresses. body_html is translated Html (jsonb) with sanitize=False (QWeb source).
CREATE TABLE mail_template (
    id serial PRIMARY KEY,
    name jsonb,  -- translate=True
    description jsonb,  -- Text translate=True
    active boolean,
    model_id integer,
    model character varying,  -- related model_id.model, store=True
    subject jsonb,  -- translate=True
    email_from character varying,
    user_id integer,
    use_default_to boolean,
    email_to character varying,
    partner_to character varying,
    email_cc character varying,
    reply_to character varying,
    body_html jsonb,  -- Html translate=True
    email_layout_xmlid character varying,
    mail_server_id integer,
    scheduled_date character varying,  -- Char (dynamic expression), not a datetime
    auto_delete boolean,
    ref_ir_act_window integer,
    lang character varying,  -- mail.render.mixin
    template_fs character varying,  -- template.reset.mixin
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- mail.notification.web.push  (queue of pending browser push notifications, drained by cron)
-- Odoo 17.0: addons/mail/models/web_push.py (class WebPush)
-- Notes: the Many2one is named `user_device` (no _id suffix). VAPID keys are in ir_config_parameter
--   ('mail.web_push_vapid_private_key' / 'mail.web_push_vapid_public_key').
CREATE TABLE mail_notification_web_push (
    id serial PRIMARY KEY,
    user_device integer NOT NULL,
    payload text,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- mail.partner.device  (browser Web Push subscriptions)
-- Odoo 17.0: addons/mail/models/partner_devices.py (class PartnerDevice)
-- Notes: endpoint is a push-service URL (FCM/Mozilla/Apple) and keys a JSON string with p256dh/auth secrets:
--   a neutralizer should delete these rows (or the VAPID keys) so a copy cannot push to real browsers.
CREATE TABLE mail_partner_device (
    id serial PRIMARY KEY,
    partner_id integer NOT NULL,
    endpoint character varying NOT NULL,
    keys character varying NOT NULL,
    expiration_time timestamp without time zone,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- ir.model
-- Odoo 17.0: odoo/addons/base/models/ir_model.py (class IrModel)
--   + addons/mail/models/ir_model.py (is_mail_thread, is_mail_activity, is_mail_blacklist)
CREATE TABLE ir_model (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,  -- translate=True
    model character varying NOT NULL,
    "order" character varying NOT NULL,  -- column literally named "order" (quoted)
    info text,
    state character varying,
    transient boolean,
    is_mail_thread boolean,  -- mail
    is_mail_activity boolean,  -- mail
    is_mail_blacklist boolean,  -- mail
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- ir.model.fields
-- Odoo 17.0: odoo/addons/base/models/ir_model.py (class IrModelFields)
CREATE TABLE ir_model_fields (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    complete_name character varying,
    model character varying NOT NULL,
    relation character varying,
    relation_field character varying,
    relation_field_id integer,  -- computed store=True
    model_id integer NOT NULL,
    field_description jsonb NOT NULL,  -- translate=True
    help jsonb,  -- Text translate=True
    ttype character varying NOT NULL,
    copied boolean,  -- computed store=True
    related character varying,
    related_field_id integer,  -- computed store=True
    required boolean,
    readonly boolean,
    index boolean,
    translate boolean,
    size integer,
    state character varying NOT NULL,
    on_delete character varying,
    domain character varying,
    group_expand boolean,
    selectable boolean,
    relation_table character varying,
    column1 character varying,
    column2 character varying,
    compute text,
    depends character varying,
    store boolean,
    currency_field character varying,
    sanitize boolean,
    sanitize_overridable boolean,
    sanitize_tags boolean,
    sanitize_attributes boolean,
    sanitize_style boolean,
    sanitize_form boolean,
    strip_style boolean,
    strip_classes boolean,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- ir.model.data  (external identifiers / XML ids)
-- Odoo 17.0: odoo/addons/base/models/ir_model.py (class IrModelData) + odoo/addons/base/data/base_data.sql
-- Notes: module+name uniqueness is a UNIQUE INDEX (ir_model_data_module_name_uniq_index, created in _auto_init),
--   not a table constraint; Odoo's upsert relies on it (ON CONFLICT (module, name)).
--   base_data.sql gives create_date/write_date a DEFAULT (now() at time zone 'UTC') (not reproduced here).
CREATE TABLE ir_model_data (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    model character varying NOT NULL,
    module character varying NOT NULL,
    res_id integer,  -- Many2oneReference
    noupdate boolean,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- ir.module.module
-- Odoo 17.0: odoo/addons/base/models/ir_module.py (class Module)
-- Notes: base_data.sql also bootstraps legacy non-ORM columns on this table (e.g. `web`, `db_version` in the copy read);
--   they are omitted here. installed_version is computed (not stored); latest_version is the installed version.
CREATE TABLE ir_module_module (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    category_id integer,
    shortdesc jsonb,  -- translate=True
    summary jsonb,  -- translate=True
    description jsonb,  -- Text translate=True
    author character varying,
    maintainer character varying,
    contributors text,
    website character varying,
    latest_version character varying,
    published_version character varying,
    url character varying,
    sequence integer,
    auto_install boolean,
    state character varying,
    demo boolean,
    license character varying,
    menus_by_module text,  -- computed store=True
    reports_by_module text,  -- computed store=True
    views_by_module text,  -- computed store=True
    application boolean,
    icon character varying,
    to_buy boolean,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- ir.config_parameter
-- Odoo 17.0: odoo/addons/base/models/ir_config_parameter.py (class IrConfigParameter)
-- Notes: neutralization targets here: database.uuid / database.secret / database.enterprise_code /
--   database.expiration_date (subscription), web.base.url, mail.catchall.domain / mail.bounce.alias,
--   mail.web_push_vapid_private_key, ocr / iap endpoints, google/microsoft OAuth client secrets.
CREATE TABLE ir_config_parameter (
    id serial PRIMARY KEY,
    key character varying NOT NULL,
    value text NOT NULL,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- ir.mail_server  (outgoing SMTP servers)
-- Odoo 17.0: odoo/addons/base/models/ir_mail_server.py (class IrMailServer)
-- Notes: smtp_user / smtp_pass (CLEAR-TEXT password) and smtp_ssl_certificate / smtp_ssl_private_key
--   (Binary attachment=False -> bytea, PEM bytes) are credentials. Odoo's own neutralization sets active=false on
--   every row and inserts a dummy server; google_gmail / microsoft_outlook add OAuth token columns (not reproduced).
CREATE TABLE ir_mail_server (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    from_filter character varying,
    smtp_host character varying,
    smtp_port integer,
    smtp_authentication character varying NOT NULL,
    smtp_user character varying,
    smtp_pass character varying,
    smtp_encryption character varying NOT NULL,
    smtp_ssl_certificate bytea,  -- Binary attachment=False
    smtp_ssl_private_key bytea,  -- Binary attachment=False
    smtp_debug boolean,
    sequence integer,
    active boolean,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- fetchmail.server  (incoming POP/IMAP accounts; moved from the fetchmail module into mail in 16.0+)
-- Odoo 17.0: addons/mail/models/fetchmail.py (class FetchmailServer)
-- Notes: `user` and `password` hold the mailbox login and CLEAR-TEXT password. Neutralize by setting active=false
--   (Odoo's mail neutralize does exactly that) and blanking password. google_gmail / microsoft_outlook add OAuth token
--   columns (google_gmail_refresh_token, microsoft_outlook_refresh_token, ...) that are not reproduced here.
CREATE TABLE fetchmail_server (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    active boolean,
    state character varying,
    server character varying,
    port integer,
    server_type character varying NOT NULL,
    is_ssl boolean,
    attach boolean,
    original boolean,
    date timestamp without time zone,
    "user" character varying,  -- column name is the SQL keyword "user"; quote it in hand-written SQL
    password character varying,
    object_id integer,
    priority integer,
    configuration text,
    script character varying,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- ir.cron  (_inherits ir.actions.server via ir_actions_server_id, delegate=True: name/model_id/code/state live in ir_act_server)
-- Odoo 17.0: odoo/addons/base/models/ir_cron.py (class ir_cron)
-- Notes: numbercall / doall still exist in 17.0 (removed in 18.0). Neutralize by active=false (Odoo's neutralize
--   deactivates all crons except a few technical ones such as autovacuum).
CREATE TABLE ir_cron (
    id serial PRIMARY KEY,
    ir_actions_server_id integer NOT NULL,
    cron_name character varying,  -- computed store=True (en_US name of the server action)
    user_id integer NOT NULL,
    active boolean,
    interval_number integer,
    interval_type character varying,
    numbercall integer,
    doall boolean,
    nextcall timestamp without time zone NOT NULL,
    lastcall timestamp without time zone,
    priority integer,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- ir.actions.server  (table ir_act_server; _inherit ir.actions.actions, so the ir_actions columns are copied here)
-- Odoo 17.0: odoo/addons/base/models/ir_actions.py (classes IrActions + IrActionsServer)
--   + addons/mail/models/ir_actions_server.py (template_id, mail_post_*, activity_*)
-- Notes: `state` exists (object_write/object_create/code/webhook/multi + mail's next_activity/mail_post/followers/
--   remove_followers). The webhook feature IS in 17.0 base: state='webhook' + webhook_url column (+ m2m
--   ir_act_server_webhook_field_rel, not reproduced): neutralize webhook_url. `code` holds arbitrary Python that may embed
--   credentials/URLs. name is translate=True inherited from ir.actions.actions -> jsonb. resource_ref is a stored
--   Reference ('model,id' string). sms adds sms_template_id/sms_method (not reproduced).
CREATE TABLE ir_act_server (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,  -- ir.actions.actions, translate=True
    type character varying NOT NULL,  -- ir.actions.actions
    help jsonb,  -- ir.actions.actions, Html translate=True
    binding_model_id integer,
    binding_type character varying NOT NULL,
    binding_view_types character varying,
    usage character varying NOT NULL,
    state character varying NOT NULL,
    sequence integer,
    model_id integer NOT NULL,
    model_name character varying,  -- related model_id.model, store=True
    code text,
    crud_model_id integer,
    link_field_id integer,
    update_field_id integer,
    update_path character varying,
    update_related_model_id integer,
    update_m2m_operation character varying,
    update_boolean_value character varying,
    value text,
    evaluation_type character varying,
    resource_ref character varying,  -- fields.Reference, stored
    selection_value integer,
    webhook_url character varying,
    template_id integer,  -- mail
    mail_post_autofollow boolean,  -- mail
    mail_post_method character varying,  -- mail
    activity_type_id integer,  -- mail
    activity_summary character varying,  -- mail
    activity_note text,  -- mail
    activity_date_deadline_range integer,  -- mail
    activity_date_deadline_range_type character varying,  -- mail
    activity_user_type character varying,  -- mail
    activity_user_id integer,  -- mail
    activity_user_field_name character varying,  -- mail
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- ir.ui.view
-- Odoo 17.0: odoo/addons/base/models/ir_ui_view.py (class View)
-- Notes: arch_db is translate=xml_translate -> jsonb {"en_US": "<xml/>", ...}. arch / arch_base / model_id are computed
--   (not stored). website adds website_id/page fields (not reproduced).
CREATE TABLE ir_ui_view (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    model character varying,
    key character varying,
    priority integer NOT NULL,
    type character varying,
    arch_db jsonb,  -- Text translate=xml_translate
    arch_fs character varying,
    arch_updated boolean,
    arch_prev text,
    inherit_id integer,
    mode character varying NOT NULL,
    active boolean,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- payment.provider
-- Odoo 17.0: addons/payment/models/payment_provider.py (class PaymentProvider)
--   + addons/payment_stripe/models/payment_provider.py (stripe_publishable_key, stripe_secret_key, stripe_webhook_secret)
--   + addons/payment_adyen/models/payment_provider.py (adyen_merchant_account, adyen_api_key, adyen_client_key,
--     adyen_hmac_key, adyen_api_url_prefix)
-- Notes: credentials are plain varchar columns (required_if_provider is NOT a DB constraint). Odoo's payment
--   neutralization sets state='disabled' (and is_published=false); a neutralizer should also blank the
--   *_secret_key / *_api_key / *_hmac_key / *_webhook_secret columns. payment.token also stores provider_ref and
--   adyen_shopper_reference (not reproduced). image_128 is an attachment.
CREATE TABLE payment_provider (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,  -- translate=True
    sequence integer,
    code character varying NOT NULL,
    state character varying NOT NULL,
    is_published boolean,
    company_id integer NOT NULL,
    allow_tokenization boolean,
    capture_manually boolean,
    allow_express_checkout boolean,
    redirect_form_view_id integer,
    inline_form_view_id integer,
    token_inline_form_view_id integer,
    express_checkout_form_view_id integer,
    maximum_amount numeric,
    pre_msg jsonb,  -- Html translate=True
    pending_msg jsonb,  -- Html translate=True
    auth_msg jsonb,  -- Html translate=True
    done_msg jsonb,  -- Html translate=True
    cancel_msg jsonb,  -- Html translate=True
    color integer,  -- computed store=True
    module_id integer,
    module_state character varying,  -- related module_id.state, store=True
    stripe_publishable_key character varying,  -- payment_stripe
    stripe_secret_key character varying,  -- payment_stripe
    stripe_webhook_secret character varying,  -- payment_stripe
    adyen_merchant_account character varying,  -- payment_adyen
    adyen_api_key character varying,  -- payment_adyen
    adyen_client_key character varying,  -- payment_adyen
    adyen_hmac_key character varying,  -- payment_adyen
    adyen_api_url_prefix character varying,  -- payment_adyen
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- delivery.carrier
-- Odoo 17.0: addons/delivery/models/delivery_carrier.py (class DeliveryCarrier)
--   + Enterprise delivery_fedex/models/delivery_fedex.py (fedex_* columns) read from the 18.0 enterprise copy
--     Eddy-C127/enterprise18 (no 17.0 enterprise copy of delivery_fedex is indexed; the SOAP credential fields are
--     the same in 16.0-18.0).
-- Notes: fedex_developer_key / fedex_developer_password / fedex_account_number / fedex_meter_number are credentials;
--   prod_environment=true means live carrier API: neutralize with prod_environment=false (Odoo's delivery neutralize
--   does exactly that) and blank the keys. debug_logging writes full requests into ir_logging.
--   Float fields margin/fixed_margin/amount/fixed_price have no digits -> double precision.
CREATE TABLE delivery_carrier (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,  -- translate=True
    active boolean,
    sequence integer,
    delivery_type character varying NOT NULL,
    integration_level character varying,
    prod_environment boolean,
    debug_logging boolean,
    company_id integer,  -- related product_id.company_id, store=True
    product_id integer NOT NULL,
    invoice_policy character varying NOT NULL,
    carrier_description jsonb,  -- Text translate=True
    margin double precision,
    fixed_margin double precision,
    free_over boolean,
    amount double precision,
    return_label_on_delivery boolean,
    get_return_label_from_portal boolean,
    shipping_insurance integer,
    fixed_price double precision,  -- computed store=True
    fedex_developer_key character varying,  -- delivery_fedex (enterprise)
    fedex_developer_password character varying,  -- delivery_fedex (enterprise)
    fedex_account_number character varying,  -- delivery_fedex (enterprise)
    fedex_meter_number character varying,  -- delivery_fedex (enterprise)
    fedex_droppoff_type character varying,  -- delivery_fedex (enterprise)
    fedex_default_package_type_id integer,  -- delivery_fedex (enterprise)
    fedex_service_type character varying,  -- delivery_fedex (enterprise)
    fedex_duty_payment character varying NOT NULL,  -- delivery_fedex (enterprise), required=True
    fedex_weight_unit character varying,  -- delivery_fedex (enterprise)
    fedex_label_stock_type character varying,  -- delivery_fedex (enterprise)
    fedex_label_file_type character varying,  -- delivery_fedex (enterprise)
    fedex_document_stock_type character varying,  -- delivery_fedex (enterprise)
    fedex_saturday_delivery boolean,  -- delivery_fedex (enterprise)
    fedex_extra_data_rate_request text,  -- delivery_fedex (enterprise)
    fedex_extra_data_ship_request text,  -- delivery_fedex (enterprise)
    fedex_extra_data_return_request text,  -- delivery_fedex (enterprise)
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- iap.account
-- Odoo 17.0: addons/iap/models/iap_account.py (class IapAccount)
-- Notes: account_token (varchar(43)) is the IAP credential (SMS, OCR, partner autocomplete, snailmail credits).
--   Odoo's iap neutralization rewrites it to '<token>+disabled' (and new accounts get '+disabled' when
--   database.is_neutralized is set). warn_me/warning_threshold/warning_email are related to the transient
--   iap.account.info in this 17.0 revision (not columns).
CREATE TABLE iap_account (
    id serial PRIMARY KEY,
    name character varying,
    service_name character varying,
    account_token character varying(43),  -- Char size=43
    show_token boolean,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- iap.account.company_ids  Many2many('res.company') relation table (default name: sorted tables iap_account + res_company)
-- Odoo 17.0: addons/iap/models/iap_account.py (company_ids) + odoo/fields.py Many2many.update_db()
CREATE TABLE iap_account_res_company_rel (
    iap_account_id integer NOT NULL,
    res_company_id integer NOT NULL,
    PRIMARY KEY (iap_account_id, res_company_id)
);

-- auth.oauth.provider
-- Source: addons/auth_oauth/models/auth_oauth.py. The 17.0 community copy (nguyenmanhdat006/quan_ly_kho_odoo) does not
--   contain this file; read from the 18.0 community copy sajjatdev/odoo-docker (model unchanged since 15.0).
-- Notes: community auth_oauth uses the implicit flow: there is NO client_secret column; client_id and the endpoints
--   are the integration points. Per-user tokens live in res_users.oauth_access_token / oauth_uid.
CREATE TABLE auth_oauth_provider (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    client_id character varying,
    auth_endpoint character varying NOT NULL,
    scope character varying,
    validation_endpoint character varying NOT NULL,
    data_endpoint character varying,
    enabled boolean,
    css_class character varying,
    body jsonb NOT NULL,  -- translate=True
    sequence integer,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- project.project
-- Odoo 17.0: addons/project/models/project_project.py (class Project)
--   + portal.mixin (access_token) + mail.alias.mixin (alias_id, required in mail.alias.mixin, ondelete restrict;
--     see addons/mail/models/mail_alias_mixin_optional.py) + rating.parent.mixin (no stored column)
-- Notes: access_token grants portal access to the project: regenerate/blank it when masking. alias_id -> mail_alias
--   (incoming email routing; the alias name+domain live in mail_alias, not reproduced). The sale_timesheet / hr_timesheet
--   modules add allow_timesheets, allocated_hours, sale_line_id, ... (not reproduced).
CREATE TABLE project_project (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,  -- translate=True, index='trigram'
    description text,
    active boolean,
    sequence integer,
    partner_id integer,
    company_id integer,  -- computed store=True, readonly=False
    analytic_account_id integer,
    label_tasks jsonb,  -- translate=True
    color integer,
    user_id integer,
    alias_id integer NOT NULL,  -- mail.alias.mixin
    privacy_visibility character varying NOT NULL,
    date_start date,
    date date,
    allow_task_dependencies boolean,
    allow_milestones boolean,
    task_properties_definition jsonb,  -- fields.PropertiesDefinition
    rating_request_deadline timestamp without time zone,  -- computed store=True
    rating_active boolean,
    rating_status character varying NOT NULL,
    rating_status_period character varying NOT NULL,
    stage_id integer,
    last_update_id integer,
    last_update_status character varying NOT NULL,  -- computed store=True
    access_token character varying,  -- portal.mixin
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- project.task
-- Odoo 17.0: addons/project/models/project_task.py (class Task)
--   + portal.mixin (access_token) + rating.mixin (rating_last_value, stored compute) + mail.thread.cc (email_cc,
--     redefined on the task)
-- Notes: create_date is redefined on the task with index=True, so Odoo creates project_task__create_date_index.
--   In 17.0 core `project` there is no stored email_from on project.task (website_project / helpdesk-like modules add
--   it). The 'trigram' index on name is only created when pg_trgm is installed. Assignees are in the m2m table
--   project_task_user_rel (task_id, user_id) (not reproduced). hr_timesheet/sale_project add more columns.
CREATE TABLE project_task (
    id serial PRIMARY KEY,
    active boolean,
    name character varying NOT NULL,  -- index='trigram'
    description text,
    priority character varying,
    sequence integer,
    stage_id integer,
    state character varying NOT NULL,  -- computed store=True
    date_end timestamp without time zone,
    date_assign timestamp without time zone,
    date_deadline timestamp without time zone,
    date_last_stage_update timestamp without time zone,
    project_id integer,
    display_in_project boolean,
    task_properties jsonb,  -- fields.Properties
    allocated_hours double precision,  -- Float without digits
    partner_id integer,  -- computed store=True
    email_cc character varying,
    company_id integer,  -- computed store=True
    color integer,
    displayed_image_id integer,
    parent_id integer,
    working_hours_open numeric,  -- Float digits=(16, 2), computed store=True
    working_hours_close numeric,  -- Float digits=(16, 2), computed store=True
    working_days_open double precision,  -- computed store=True
    working_days_close double precision,  -- computed store=True
    milestone_id integer,
    recurring_task boolean,
    recurrence_id integer,
    analytic_account_id integer,
    access_token character varying,  -- portal.mixin
    rating_last_value double precision,  -- rating.mixin, computed store=True
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- account.account
-- Odoo 17.0: addons/account/models/account_account.py (class AccountAccount)
-- Notes: in this 17.0 revision code uniqueness per (root) company is a Python constraint (_constrains_code), not
--   an SQL constraint. root_id points to account_root, an SQL view (_auto=False): Odoo creates no FK for it.
--   opening_debit/credit/balance and current_balance are computed (not stored).
CREATE TABLE account_account (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,  -- translate=True, index='trigram'
    currency_id integer,
    code character varying(64) NOT NULL,  -- Char size=64
    deprecated boolean,
    account_type character varying NOT NULL,  -- computed store=True
    include_initial_balance boolean,  -- computed store=True
    internal_group character varying,  -- computed store=True
    reconcile boolean,  -- computed store=True
    note text,
    company_id integer NOT NULL,
    group_id integer,  -- computed store=True
    root_id integer,  -- computed store=True (SQL view target)
    non_trade boolean,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- account.journal
-- Odoo 17.0: addons/account/models/account_journal.py (class AccountJournal)
--   + portal.mixin (access_token) + mail.alias.mixin.optional (alias_id, optional, ondelete restrict)
-- Notes: bank_acc_number / bank_id are related to bank_account_id (res_partner_bank), not stored here.
--   bank_statements_source selects the bank-feed integration (online sync in enterprise): a neutralizer may reset it.
CREATE TABLE account_journal (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,  -- translate=True
    code character varying(5) NOT NULL,  -- Char size=5, computed store=True
    active boolean,
    type character varying NOT NULL,
    default_account_id integer,
    suspense_account_id integer,  -- computed store=True
    restrict_mode_hash_table boolean,
    sequence integer,
    invoice_reference_type character varying NOT NULL,
    invoice_reference_model character varying NOT NULL,
    currency_id integer,
    company_id integer NOT NULL,
    refund_sequence boolean,
    payment_sequence boolean,  -- computed store=True
    sequence_override_regex text,
    profit_account_id integer,
    loss_account_id integer,
    bank_account_id integer,
    bank_statements_source character varying,
    sale_activity_type_id integer,
    sale_activity_user_id integer,
    sale_activity_note text,
    alias_id integer,  -- mail.alias.mixin.optional
    secure_sequence_id integer,
    access_token character varying,  -- portal.mixin
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- account.move
-- Odoo 17.0: addons/account/models/account_move.py (class AccountMove)
--   + addons/account/models/sequence_mixin.py (sequence_prefix, sequence_number + init() indexes)
--   + portal.mixin (access_token) + mail.thread.main.attachment (message_main_attachment_id)
-- Notes: `_sql_constraints = [('unique_name', "", ...)]` has an empty definition: the real uniqueness is the partial
--   UNIQUE INDEX account_move_unique_name (name, journal_id) WHERE state='posted' AND name!='/'.
--   inalterable_hash / secure_sequence_number form the hash chain of restricted journals: masking amounts, dates,
--   partners or names of posted entries breaks the hash integrity report (expected on a masked copy).
--   invoice_pdf_report_file is an attachment (ir_attachment res_field='invoice_pdf_report_file'), not a column.
--   invoice_source_email holds the e-mail address bills were received from.
CREATE TABLE account_move (
    id serial PRIMARY KEY,
    name character varying,  -- computed store=True, index='trigram'
    ref character varying,  -- index='trigram'
    date date NOT NULL,
    state character varying NOT NULL,
    move_type character varying NOT NULL,
    is_storno boolean,
    journal_id integer NOT NULL,
    company_id integer,
    payment_id integer,
    statement_line_id integer,
    tax_cash_basis_rec_id integer,
    tax_cash_basis_origin_move_id integer,
    always_tax_exigible boolean,
    auto_post character varying NOT NULL,
    auto_post_until date,
    auto_post_origin_id integer,
    to_check boolean,
    posted_before boolean,
    secure_sequence_number integer,
    inalterable_hash character varying,
    invoice_date date,
    invoice_date_due date,
    delivery_date date,
    invoice_payment_term_id integer,
    partner_id integer,
    commercial_partner_id integer,
    partner_shipping_id integer,
    partner_bank_id integer,
    fiscal_position_id integer,
    payment_reference character varying,  -- index='trigram'
    qr_code_method character varying,
    currency_id integer NOT NULL,
    amount_untaxed numeric,
    amount_tax numeric,
    amount_total numeric,
    amount_residual numeric,
    amount_untaxed_signed numeric,
    amount_tax_signed numeric,
    amount_total_signed numeric,
    amount_total_in_currency_signed numeric,
    amount_residual_signed numeric,
    payment_state character varying,
    reversed_entry_id integer,
    invoice_source_email character varying,
    invoice_partner_display_name character varying,
    quick_edit_total_amount numeric,
    narration text,
    is_move_sent boolean,
    invoice_user_id integer,
    invoice_origin character varying,
    invoice_incoterm_id integer,
    incoterm_location character varying,
    invoice_cash_rounding_id integer,
    send_and_print_values jsonb,  -- fields.Json
    sequence_prefix character varying,  -- sequence.mixin
    sequence_number integer,  -- sequence.mixin
    access_token character varying,  -- portal.mixin
    message_main_attachment_id integer,  -- mail.thread.main.attachment
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- account.move.line
-- Odoo 17.0: addons/account/models/account_move_line.py (class AccountMoveLine)
--   + analytic.mixin (analytic_distribution Json + GIN index from its init())
-- Notes: account_id has index=False on purpose (covered by account_move_line_account_id_date_idx from init()).
--   Many stored related copies of account_move columns (journal_id, company_id, move_name, parent_state, date,
--   invoice_date, ref, payment_id, statement_line_id) must stay consistent with account_move when masking.
--   Tax and tag m2m tables (account_move_line_account_tax_rel, account_account_tag_account_move_line_rel) not reproduced.
CREATE TABLE account_move_line (
    id serial PRIMARY KEY,
    move_id integer NOT NULL,
    journal_id integer,  -- related move_id.journal_id, store=True
    company_id integer,  -- related move_id.company_id, store=True
    company_currency_id integer,  -- related, store=True
    move_name character varying,  -- related move_id.name, store=True, index='btree'
    parent_state character varying,  -- related move_id.state, store=True
    date date,  -- related move_id.date, store=True
    invoice_date date,  -- related move_id.invoice_date, store=True
    ref character varying,  -- related move_id.ref, store=True, index='trigram'
    sequence integer,
    account_id integer,
    name character varying,
    debit numeric,
    credit numeric,
    balance numeric,
    amount_currency numeric,
    currency_id integer NOT NULL,
    partner_id integer,
    reconcile_model_id integer,
    payment_id integer,  -- related move_id.payment_id, store=True
    statement_line_id integer,  -- related, store=True
    statement_id integer,  -- related, store=True
    group_tax_id integer,
    tax_line_id integer,  -- related tax_repartition_line_id.tax_id, store=True
    tax_group_id integer,  -- related, store=True
    tax_base_amount numeric,
    tax_repartition_line_id integer,
    tax_tag_invert boolean,
    amount_residual numeric,
    amount_residual_currency numeric,
    reconciled boolean,
    full_reconcile_id integer,
    matching_number character varying,  -- index='btree'
    account_root_id integer,  -- related account_id.root_id, store=True (SQL view target)
    display_type character varying NOT NULL,
    product_id integer,
    product_uom_id integer,
    quantity numeric,  -- Float digits='Product Unit of Measure'
    date_maturity date,
    price_unit numeric,  -- Float digits='Product Price'
    price_subtotal numeric,
    price_total numeric,
    discount numeric,  -- Float digits='Discount'
    analytic_distribution jsonb,  -- analytic.mixin, fields.Json
    discount_date date,
    discount_amount_currency numeric,
    discount_balance numeric,
    blocked boolean,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- account.payment  (_inherits account.move via move_id: name/date/journal_id/state/ref live in account_move)
-- Odoo 17.0: addons/account/models/account_payment.py (class AccountPayment)
--   + mail.thread.main.attachment (message_main_attachment_id)
-- Notes: partner_id / currency_id / partner_bank_id / payment_reference are redefined on the payment and stored in
--   account_payment itself (they shadow the delegated account_move columns of the same name).
--   account_payment (the module) adds payment_transaction_id / payment_token_id (not reproduced).
CREATE TABLE account_payment (
    id serial PRIMARY KEY,
    move_id integer NOT NULL,
    is_reconciled boolean,  -- computed store=True
    is_matched boolean,  -- computed store=True
    partner_bank_id integer,
    is_internal_transfer boolean,
    paired_internal_transfer_payment_id integer,
    payment_method_line_id integer,
    payment_method_id integer,  -- related, store=True
    amount numeric,
    payment_type character varying NOT NULL,
    partner_type character varying NOT NULL,
    payment_reference character varying,
    currency_id integer,
    partner_id integer,
    outstanding_account_id integer,
    destination_account_id integer,
    destination_journal_id integer,
    amount_company_currency_signed numeric,  -- computed store=True
    message_main_attachment_id integer,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- ir.attachment
-- Odoo 17.0: odoo/addons/base/models/ir_attachment.py (class IrAttachment)
-- Notes: file bytes are in the filestore (store_fname = 'ab/abcdef...' relative path, checksum = SHA1) unless
--   ir_attachment.location='db', in which case db_datas (bytea) holds them. A backup of the DB alone misses filestore
--   content. Binary fields of other models (employee id_card, images, payment_report...) are rows here with
--   res_model/res_field/res_id set. access_token gives anonymous download access: regenerate/blank it when masking.
--   web_editor/website add original_id, key, website_id, ... (not reproduced).
CREATE TABLE ir_attachment (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    description text,
    res_model character varying,
    res_field character varying,
    res_id integer,  -- Many2oneReference
    company_id integer,
    type character varying NOT NULL,
    url character varying(1024),  -- Char size=1024, index='btree_not_null'
    public boolean,
    access_token character varying,
    db_datas bytea,  -- Binary attachment=False
    store_fname character varying,
    file_size integer,
    checksum character varying(40),  -- Char size=40
    mimetype character varying,
    index_content text,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- addons/resource/models/resource_calendar.py (17.0): the working-time calendar employees and contracts point at
CREATE TABLE resource_calendar (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    active boolean,
    company_id integer,
    hours_per_day double precision,
    tz character varying NOT NULL,
    two_weeks_calendar boolean,
    full_time_required_hours double precision,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- addons/resource/models/resource_resource.py (17.0): hr_employee _inherits it through resource_id
CREATE TABLE resource_resource (
    id serial PRIMARY KEY,
    name character varying NOT NULL,
    active boolean,
    company_id integer,
    resource_type character varying NOT NULL,
    user_id integer,
    time_efficiency double precision NOT NULL,
    calendar_id integer,
    tz character varying NOT NULL,
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- enterprise hr_payroll/models/hr_salary_rule.py: the rules payslip lines come from
CREATE TABLE hr_salary_rule (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,  -- translate=True
    code character varying NOT NULL,
    struct_id integer,
    sequence integer NOT NULL,
    active boolean,
    appears_on_payslip boolean,
    condition_select character varying NOT NULL,
    amount_select character varying NOT NULL,
    amount_fix numeric,
    amount_percentage numeric,
    amount_python_compute text,
    note jsonb,  -- Html translate=True
    create_uid integer,
    create_date timestamp without time zone,
    write_uid integer,
    write_date timestamp without time zone
);

-- Tables of installed modules that the seed leaves empty (the rows would add nothing to what is
-- tested), created so the database matches its ir_module_module: rewiring treats a missing table of
-- an installed module as schema drift. Only the columns the rules and Odoo's neutralize touch.
CREATE TABLE res_users_settings (id serial PRIMARY KEY, user_id integer NOT NULL);  -- mail
CREATE TABLE mail_guest (id serial PRIMARY KEY, name character varying NOT NULL, access_token character varying NOT NULL);  -- mail
CREATE TABLE discuss_channel (id serial PRIMARY KEY, name character varying NOT NULL, channel_type character varying NOT NULL, uuid character varying(50));  -- mail
CREATE TABLE auth_totp_device (id serial PRIMARY KEY, name character varying NOT NULL, user_id integer NOT NULL, scope character varying,
                               index character varying(8) NOT NULL, key character varying NOT NULL, create_date timestamp without time zone);  -- auth_totp
CREATE TABLE account_online_link (id serial PRIMARY KEY, name character varying, client_id character varying, provider_data character varying);  -- enterprise account_online_synchronization
CREATE TABLE sale_order (id serial PRIMARY KEY, name character varying NOT NULL, partner_id integer NOT NULL, state character varying, access_token character varying);  -- sale
CREATE TABLE purchase_order (id serial PRIMARY KEY, name character varying NOT NULL, partner_id integer NOT NULL, state character varying, access_token character varying);  -- purchase
CREATE TABLE sign_request (id serial PRIMARY KEY, reference character varying NOT NULL, state character varying NOT NULL, access_token character varying NOT NULL);  -- enterprise sign
CREATE TABLE sign_request_item (id serial PRIMARY KEY, sign_request_id integer NOT NULL, partner_id integer, state character varying, access_token character varying NOT NULL);  -- enterprise sign
CREATE TABLE documents_share (id serial PRIMARY KEY, name character varying, type character varying, access_token character varying);  -- enterprise documents
CREATE TABLE mail_blacklist (id serial PRIMARY KEY, email character varying NOT NULL UNIQUE, active boolean);  -- mail
CREATE TABLE mail_gateway_allowed (id serial PRIMARY KEY, email character varying NOT NULL, email_normalized character varying);  -- mail
CREATE TABLE payment_transaction (id serial PRIMARY KEY, reference character varying NOT NULL, state character varying NOT NULL,
                                  partner_name character varying, partner_email character varying, partner_phone character varying,
                                  partner_address character varying, partner_zip character varying, state_message text);  -- payment
CREATE TABLE project_update (id serial PRIMARY KEY, name character varying NOT NULL, status character varying NOT NULL,
                             email_cc character varying, description text);  -- project
CREATE TABLE account_bank_statement_line (id serial PRIMARY KEY, move_id integer NOT NULL, partner_id integer, partner_name character varying,
                                          account_number character varying, payment_ref character varying, transaction_details jsonb);  -- account
CREATE TABLE mail_activity (id serial PRIMARY KEY, res_model character varying, res_id integer, res_name character varying,
                            summary character varying, note text);  -- mail
CREATE TABLE hr_leave (id serial PRIMARY KEY, employee_id integer, private_name character varying);  -- hr_holidays
CREATE TABLE hr_leave_allocation (id serial PRIMARY KEY, employee_id integer, private_name character varying);  -- hr_holidays
CREATE TABLE resource_calendar_leaves (id serial PRIMARY KEY, name character varying, resource_id integer);  -- resource
