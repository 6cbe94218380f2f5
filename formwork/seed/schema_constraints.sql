-- Formwork: Odoo 17.0-shaped schema, part 2 of 2 (run after the bulk data load).
-- Foreign keys as Odoo creates them (<table>_<column>_fkey, ON DELETE per field ondelete;
-- default 'set null', 'restrict' for required Many2one without explicit ondelete),
-- indexes as odoo/modules/registry.py check_indexes() creates them (<table>__<column>_index;
-- index='btree_not_null' -> partial index WHERE col IS NOT NULL; index='trigram' -> GIN gin_trgm_ops,
-- created only when pg_trgm is available, as Odoo does; index=True on a translated field -> no index),
-- and the _sql_constraints / hand-made indexes declared on these models.

SET client_min_messages = warning;

-- res_company
ALTER TABLE res_company ADD CONSTRAINT res_company_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE res_company ADD CONSTRAINT res_company_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE RESTRICT;
ALTER TABLE res_company ADD CONSTRAINT res_company_currency_id_fkey FOREIGN KEY (currency_id) REFERENCES res_currency(id) ON DELETE RESTRICT;
ALTER TABLE res_company ADD CONSTRAINT res_company_external_report_layout_id_fkey FOREIGN KEY (external_report_layout_id) REFERENCES ir_ui_view(id) ON DELETE SET NULL;
ALTER TABLE res_company ADD CONSTRAINT res_company_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE res_company ADD CONSTRAINT res_company_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX res_company__parent_id_index ON res_company USING btree (parent_id);
CREATE INDEX res_company__parent_path_index ON res_company USING btree (parent_path);
ALTER TABLE res_company ADD CONSTRAINT res_company_name_uniq UNIQUE (name);

-- res_partner
ALTER TABLE res_partner ADD CONSTRAINT res_partner_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES res_partner(id) ON DELETE SET NULL;
ALTER TABLE res_partner ADD CONSTRAINT res_partner_user_id_fkey FOREIGN KEY (user_id) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE res_partner ADD CONSTRAINT res_partner_country_id_fkey FOREIGN KEY (country_id) REFERENCES res_country(id) ON DELETE RESTRICT;
ALTER TABLE res_partner ADD CONSTRAINT res_partner_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE res_partner ADD CONSTRAINT res_partner_commercial_partner_id_fkey FOREIGN KEY (commercial_partner_id) REFERENCES res_partner(id) ON DELETE SET NULL;
ALTER TABLE res_partner ADD CONSTRAINT res_partner_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE res_partner ADD CONSTRAINT res_partner_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX res_partner__name_index ON res_partner USING btree (name);
CREATE INDEX res_partner__complete_name_index ON res_partner USING btree (complete_name);
CREATE INDEX res_partner__date_index ON res_partner USING btree (date);
CREATE INDEX res_partner__parent_id_index ON res_partner USING btree (parent_id);
CREATE INDEX res_partner__ref_index ON res_partner USING btree (ref);
CREATE INDEX res_partner__vat_index ON res_partner USING btree (vat);
CREATE INDEX res_partner__company_id_index ON res_partner USING btree (company_id);
CREATE INDEX res_partner__commercial_partner_id_index ON res_partner USING btree (commercial_partner_id);
ALTER TABLE res_partner ADD CONSTRAINT res_partner_check_name CHECK ( (type='contact' AND name IS NOT NULL) or (type!='contact') );
CREATE INDEX res_partner_phone_partial_tgm ON res_partner USING btree (regexp_replace((phone)::text, '[\s\\./\(\)\-]'::text, ''::text, 'g'::text)) WHERE phone IS NOT NULL;  -- mail.thread.phone init()
CREATE INDEX res_partner_mobile_partial_tgm ON res_partner USING btree (regexp_replace((mobile)::text, '[\s\\./\(\)\-]'::text, ''::text, 'g'::text)) WHERE mobile IS NOT NULL;  -- mail.thread.phone init()

-- res_users
ALTER TABLE res_users ADD CONSTRAINT res_users_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE RESTRICT;
ALTER TABLE res_users ADD CONSTRAINT res_users_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE RESTRICT;
ALTER TABLE res_users ADD CONSTRAINT res_users_oauth_provider_id_fkey FOREIGN KEY (oauth_provider_id) REFERENCES auth_oauth_provider(id) ON DELETE SET NULL;
ALTER TABLE res_users ADD CONSTRAINT res_users_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE res_users ADD CONSTRAINT res_users_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX res_users__partner_id_index ON res_users USING btree (partner_id);
ALTER TABLE res_users ADD CONSTRAINT res_users_login_key UNIQUE (login);
ALTER TABLE res_users ADD CONSTRAINT res_users_notification_type CHECK (notification_type = 'email' OR NOT share);
ALTER TABLE res_users ADD CONSTRAINT res_users_uniq_users_oauth_provider_oauth_uid UNIQUE (oauth_provider_id, oauth_uid);

-- res_users_apikeys
ALTER TABLE res_users_apikeys ADD CONSTRAINT res_users_apikeys_user_id_fkey FOREIGN KEY (user_id) REFERENCES res_users(id) ON DELETE CASCADE;
CREATE INDEX IF NOT EXISTS res_users_apikeys_user_id_index_idx ON res_users_apikeys (user_id, index);

-- res_country
ALTER TABLE res_country ADD CONSTRAINT res_country_address_view_id_fkey FOREIGN KEY (address_view_id) REFERENCES ir_ui_view(id) ON DELETE SET NULL;
ALTER TABLE res_country ADD CONSTRAINT res_country_currency_id_fkey FOREIGN KEY (currency_id) REFERENCES res_currency(id) ON DELETE SET NULL;
ALTER TABLE res_country ADD CONSTRAINT res_country_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE res_country ADD CONSTRAINT res_country_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE res_country ADD CONSTRAINT res_country_name_uniq UNIQUE (name);
ALTER TABLE res_country ADD CONSTRAINT res_country_code_uniq UNIQUE (code);

-- res_currency
ALTER TABLE res_currency ADD CONSTRAINT res_currency_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE res_currency ADD CONSTRAINT res_currency_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE res_currency ADD CONSTRAINT res_currency_unique_name UNIQUE (name);
ALTER TABLE res_currency ADD CONSTRAINT res_currency_rounding_gt_zero CHECK (rounding>0);

-- res_bank
ALTER TABLE res_bank ADD CONSTRAINT res_bank_country_fkey FOREIGN KEY (country) REFERENCES res_country(id) ON DELETE SET NULL;
ALTER TABLE res_bank ADD CONSTRAINT res_bank_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE res_bank ADD CONSTRAINT res_bank_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX res_bank__bic_index ON res_bank USING btree (bic);

-- res_partner_bank
ALTER TABLE res_partner_bank ADD CONSTRAINT res_partner_bank_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE CASCADE;
ALTER TABLE res_partner_bank ADD CONSTRAINT res_partner_bank_bank_id_fkey FOREIGN KEY (bank_id) REFERENCES res_bank(id) ON DELETE SET NULL;
ALTER TABLE res_partner_bank ADD CONSTRAINT res_partner_bank_currency_id_fkey FOREIGN KEY (currency_id) REFERENCES res_currency(id) ON DELETE SET NULL;
ALTER TABLE res_partner_bank ADD CONSTRAINT res_partner_bank_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE res_partner_bank ADD CONSTRAINT res_partner_bank_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE res_partner_bank ADD CONSTRAINT res_partner_bank_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX res_partner_bank__partner_id_index ON res_partner_bank USING btree (partner_id);
ALTER TABLE res_partner_bank ADD CONSTRAINT res_partner_bank_unique_number UNIQUE (sanitized_acc_number, partner_id);

-- hr_department
ALTER TABLE hr_department ADD CONSTRAINT hr_department_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE hr_department ADD CONSTRAINT hr_department_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES hr_department(id) ON DELETE SET NULL;
ALTER TABLE hr_department ADD CONSTRAINT hr_department_manager_id_fkey FOREIGN KEY (manager_id) REFERENCES hr_employee(id) ON DELETE SET NULL;
ALTER TABLE hr_department ADD CONSTRAINT hr_department_master_department_id_fkey FOREIGN KEY (master_department_id) REFERENCES hr_department(id) ON DELETE SET NULL;
ALTER TABLE hr_department ADD CONSTRAINT hr_department_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE hr_department ADD CONSTRAINT hr_department_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX hr_department__company_id_index ON hr_department USING btree (company_id);
CREATE INDEX hr_department__parent_id_index ON hr_department USING btree (parent_id);
CREATE INDEX hr_department__parent_path_index ON hr_department USING btree (parent_path);

-- hr_job
ALTER TABLE hr_job ADD CONSTRAINT hr_job_department_id_fkey FOREIGN KEY (department_id) REFERENCES hr_department(id) ON DELETE SET NULL;
ALTER TABLE hr_job ADD CONSTRAINT hr_job_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE hr_job ADD CONSTRAINT hr_job_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE hr_job ADD CONSTRAINT hr_job_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE hr_job ADD CONSTRAINT hr_job_name_company_uniq UNIQUE (name, company_id, department_id);
ALTER TABLE hr_job ADD CONSTRAINT hr_job_no_of_recruitment_positive CHECK (no_of_recruitment >= 0);

-- hr_employee
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_user_id_fkey FOREIGN KEY (user_id) REFERENCES res_users(id) ON DELETE RESTRICT;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_department_id_fkey FOREIGN KEY (department_id) REFERENCES hr_department(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_job_id_fkey FOREIGN KEY (job_id) REFERENCES hr_job(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE RESTRICT;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_address_id_fkey FOREIGN KEY (address_id) REFERENCES res_partner(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_work_contact_id_fkey FOREIGN KEY (work_contact_id) REFERENCES res_partner(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES hr_employee(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_coach_id_fkey FOREIGN KEY (coach_id) REFERENCES hr_employee(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_private_country_id_fkey FOREIGN KEY (private_country_id) REFERENCES res_country(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_country_id_fkey FOREIGN KEY (country_id) REFERENCES res_country(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_country_of_birth_fkey FOREIGN KEY (country_of_birth) REFERENCES res_country(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_bank_account_id_fkey FOREIGN KEY (bank_account_id) REFERENCES res_partner_bank(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_message_main_attachment_id_fkey FOREIGN KEY (message_main_attachment_id) REFERENCES ir_attachment(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_contract_id_fkey FOREIGN KEY (contract_id) REFERENCES hr_contract(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX hr_employee__company_id_index ON hr_employee USING btree (company_id);
CREATE INDEX hr_employee__resource_id_index ON hr_employee USING btree (resource_id);
CREATE INDEX hr_employee__resource_calendar_id_index ON hr_employee USING btree (resource_calendar_id);
CREATE INDEX hr_employee__message_main_attachment_id_index ON hr_employee USING btree (message_main_attachment_id) WHERE message_main_attachment_id IS NOT NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_barcode_uniq UNIQUE (barcode);
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_user_uniq UNIQUE (user_id, company_id);

-- hr_contract
ALTER TABLE hr_contract ADD CONSTRAINT hr_contract_employee_id_fkey FOREIGN KEY (employee_id) REFERENCES hr_employee(id) ON DELETE SET NULL;
ALTER TABLE hr_contract ADD CONSTRAINT hr_contract_department_id_fkey FOREIGN KEY (department_id) REFERENCES hr_department(id) ON DELETE SET NULL;
ALTER TABLE hr_contract ADD CONSTRAINT hr_contract_job_id_fkey FOREIGN KEY (job_id) REFERENCES hr_job(id) ON DELETE SET NULL;
ALTER TABLE hr_contract ADD CONSTRAINT hr_contract_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE RESTRICT;
ALTER TABLE hr_contract ADD CONSTRAINT hr_contract_hr_responsible_id_fkey FOREIGN KEY (hr_responsible_id) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE hr_contract ADD CONSTRAINT hr_contract_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE hr_contract ADD CONSTRAINT hr_contract_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX hr_contract__employee_id_index ON hr_contract USING btree (employee_id);
CREATE INDEX hr_contract__date_start_index ON hr_contract USING btree (date_start);
CREATE INDEX hr_contract__resource_calendar_id_index ON hr_contract USING btree (resource_calendar_id);

-- hr_payslip
ALTER TABLE hr_payslip ADD CONSTRAINT hr_payslip_employee_id_fkey FOREIGN KEY (employee_id) REFERENCES hr_employee(id) ON DELETE RESTRICT;
ALTER TABLE hr_payslip ADD CONSTRAINT hr_payslip_department_id_fkey FOREIGN KEY (department_id) REFERENCES hr_department(id) ON DELETE SET NULL;
ALTER TABLE hr_payslip ADD CONSTRAINT hr_payslip_job_id_fkey FOREIGN KEY (job_id) REFERENCES hr_job(id) ON DELETE SET NULL;
ALTER TABLE hr_payslip ADD CONSTRAINT hr_payslip_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE RESTRICT;
ALTER TABLE hr_payslip ADD CONSTRAINT hr_payslip_contract_id_fkey FOREIGN KEY (contract_id) REFERENCES hr_contract(id) ON DELETE SET NULL;
ALTER TABLE hr_payslip ADD CONSTRAINT hr_payslip_payslip_run_id_fkey FOREIGN KEY (payslip_run_id) REFERENCES hr_payslip_run(id) ON DELETE CASCADE;
ALTER TABLE hr_payslip ADD CONSTRAINT hr_payslip_message_main_attachment_id_fkey FOREIGN KEY (message_main_attachment_id) REFERENCES ir_attachment(id) ON DELETE SET NULL;
ALTER TABLE hr_payslip ADD CONSTRAINT hr_payslip_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE hr_payslip ADD CONSTRAINT hr_payslip_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX hr_payslip__state_index ON hr_payslip USING btree (state);
CREATE INDEX hr_payslip__message_main_attachment_id_index ON hr_payslip USING btree (message_main_attachment_id) WHERE message_main_attachment_id IS NOT NULL;

-- hr_payslip_line
ALTER TABLE hr_payslip_line ADD CONSTRAINT hr_payslip_line_slip_id_fkey FOREIGN KEY (slip_id) REFERENCES hr_payslip(id) ON DELETE CASCADE;
ALTER TABLE hr_payslip_line ADD CONSTRAINT hr_payslip_line_contract_id_fkey FOREIGN KEY (contract_id) REFERENCES hr_contract(id) ON DELETE RESTRICT;
ALTER TABLE hr_payslip_line ADD CONSTRAINT hr_payslip_line_employee_id_fkey FOREIGN KEY (employee_id) REFERENCES hr_employee(id) ON DELETE RESTRICT;
ALTER TABLE hr_payslip_line ADD CONSTRAINT hr_payslip_line_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE hr_payslip_line ADD CONSTRAINT hr_payslip_line_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX hr_payslip_line__sequence_index ON hr_payslip_line USING btree (sequence);
CREATE INDEX hr_payslip_line__contract_id_index ON hr_payslip_line USING btree (contract_id);

-- hr_payslip_run
ALTER TABLE hr_payslip_run ADD CONSTRAINT hr_payslip_run_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE RESTRICT;
ALTER TABLE hr_payslip_run ADD CONSTRAINT hr_payslip_run_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE hr_payslip_run ADD CONSTRAINT hr_payslip_run_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX hr_payslip_run__state_index ON hr_payslip_run USING btree (state);

-- mail_message
ALTER TABLE mail_message ADD CONSTRAINT mail_message_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES mail_message(id) ON DELETE SET NULL;
ALTER TABLE mail_message ADD CONSTRAINT mail_message_record_company_id_fkey FOREIGN KEY (record_company_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE mail_message ADD CONSTRAINT mail_message_author_id_fkey FOREIGN KEY (author_id) REFERENCES res_partner(id) ON DELETE SET NULL;
ALTER TABLE mail_message ADD CONSTRAINT mail_message_mail_server_id_fkey FOREIGN KEY (mail_server_id) REFERENCES ir_mail_server(id) ON DELETE SET NULL;
ALTER TABLE mail_message ADD CONSTRAINT mail_message_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE mail_message ADD CONSTRAINT mail_message_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX mail_message__parent_id_index ON mail_message USING btree (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX mail_message__subtype_id_index ON mail_message USING btree (subtype_id);
CREATE INDEX mail_message__mail_activity_type_id_index ON mail_message USING btree (mail_activity_type_id) WHERE mail_activity_type_id IS NOT NULL;
CREATE INDEX mail_message__author_id_index ON mail_message USING btree (author_id);
CREATE INDEX mail_message__message_id_index ON mail_message USING btree (message_id);
CREATE INDEX mail_message_model_res_id_idx ON mail_message (model, res_id);  -- Message.init()
CREATE INDEX IF NOT EXISTS mail_message_model_res_id_id_idx ON mail_message (model, res_id, id);  -- Message.init()

-- mail_mail
ALTER TABLE mail_mail ADD CONSTRAINT mail_mail_mail_message_id_fkey FOREIGN KEY (mail_message_id) REFERENCES mail_message(id) ON DELETE CASCADE;
ALTER TABLE mail_mail ADD CONSTRAINT mail_mail_fetchmail_server_id_fkey FOREIGN KEY (fetchmail_server_id) REFERENCES fetchmail_server(id) ON DELETE SET NULL;
ALTER TABLE mail_mail ADD CONSTRAINT mail_mail_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE mail_mail ADD CONSTRAINT mail_mail_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX mail_mail__mail_message_id_index ON mail_mail USING btree (mail_message_id);

-- mail_mail_res_partner_rel
ALTER TABLE mail_mail_res_partner_rel ADD CONSTRAINT mail_mail_res_partner_rel_mail_mail_id_fkey FOREIGN KEY (mail_mail_id) REFERENCES mail_mail(id) ON DELETE CASCADE;
ALTER TABLE mail_mail_res_partner_rel ADD CONSTRAINT mail_mail_res_partner_rel_res_partner_id_fkey FOREIGN KEY (res_partner_id) REFERENCES res_partner(id) ON DELETE CASCADE;
CREATE INDEX mail_mail_res_partner_rel_res_partner_id_mail_mail_id_idx ON mail_mail_res_partner_rel (res_partner_id, mail_mail_id);

-- mail_tracking_value
ALTER TABLE mail_tracking_value ADD CONSTRAINT mail_tracking_value_field_id_fkey FOREIGN KEY (field_id) REFERENCES ir_model_fields(id) ON DELETE SET NULL;
ALTER TABLE mail_tracking_value ADD CONSTRAINT mail_tracking_value_currency_id_fkey FOREIGN KEY (currency_id) REFERENCES res_currency(id) ON DELETE SET NULL;
ALTER TABLE mail_tracking_value ADD CONSTRAINT mail_tracking_value_mail_message_id_fkey FOREIGN KEY (mail_message_id) REFERENCES mail_message(id) ON DELETE CASCADE;
ALTER TABLE mail_tracking_value ADD CONSTRAINT mail_tracking_value_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE mail_tracking_value ADD CONSTRAINT mail_tracking_value_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX mail_tracking_value__field_id_index ON mail_tracking_value USING btree (field_id);
CREATE INDEX mail_tracking_value__mail_message_id_index ON mail_tracking_value USING btree (mail_message_id);

-- mail_template
ALTER TABLE mail_template ADD CONSTRAINT mail_template_model_id_fkey FOREIGN KEY (model_id) REFERENCES ir_model(id) ON DELETE CASCADE;
ALTER TABLE mail_template ADD CONSTRAINT mail_template_user_id_fkey FOREIGN KEY (user_id) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE mail_template ADD CONSTRAINT mail_template_mail_server_id_fkey FOREIGN KEY (mail_server_id) REFERENCES ir_mail_server(id) ON DELETE SET NULL;
ALTER TABLE mail_template ADD CONSTRAINT mail_template_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE mail_template ADD CONSTRAINT mail_template_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX mail_template__model_index ON mail_template USING btree (model);

-- mail_notification_web_push
ALTER TABLE mail_notification_web_push ADD CONSTRAINT mail_notification_web_push_user_device_fkey FOREIGN KEY (user_device) REFERENCES mail_partner_device(id) ON DELETE CASCADE;
ALTER TABLE mail_notification_web_push ADD CONSTRAINT mail_notification_web_push_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE mail_notification_web_push ADD CONSTRAINT mail_notification_web_push_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;

-- mail_partner_device
ALTER TABLE mail_partner_device ADD CONSTRAINT mail_partner_device_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE RESTRICT;
ALTER TABLE mail_partner_device ADD CONSTRAINT mail_partner_device_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE mail_partner_device ADD CONSTRAINT mail_partner_device_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX mail_partner_device__partner_id_index ON mail_partner_device USING btree (partner_id);
ALTER TABLE mail_partner_device ADD CONSTRAINT mail_partner_device_endpoint_unique UNIQUE (endpoint);

-- ir_model
ALTER TABLE ir_model ADD CONSTRAINT ir_model_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_model ADD CONSTRAINT ir_model_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_model ADD CONSTRAINT ir_model_obj_name_uniq UNIQUE (model);

-- ir_model_fields
ALTER TABLE ir_model_fields ADD CONSTRAINT ir_model_fields_relation_field_id_fkey FOREIGN KEY (relation_field_id) REFERENCES ir_model_fields(id) ON DELETE CASCADE;
ALTER TABLE ir_model_fields ADD CONSTRAINT ir_model_fields_model_id_fkey FOREIGN KEY (model_id) REFERENCES ir_model(id) ON DELETE CASCADE;
ALTER TABLE ir_model_fields ADD CONSTRAINT ir_model_fields_related_field_id_fkey FOREIGN KEY (related_field_id) REFERENCES ir_model_fields(id) ON DELETE CASCADE;
ALTER TABLE ir_model_fields ADD CONSTRAINT ir_model_fields_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_model_fields ADD CONSTRAINT ir_model_fields_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX ir_model_fields__name_index ON ir_model_fields USING btree (name);
CREATE INDEX ir_model_fields__complete_name_index ON ir_model_fields USING btree (complete_name);
CREATE INDEX ir_model_fields__model_index ON ir_model_fields USING btree (model);
CREATE INDEX ir_model_fields__model_id_index ON ir_model_fields USING btree (model_id);
CREATE INDEX ir_model_fields__state_index ON ir_model_fields USING btree (state);
ALTER TABLE ir_model_fields ADD CONSTRAINT ir_model_fields_name_unique UNIQUE (model, name);
ALTER TABLE ir_model_fields ADD CONSTRAINT ir_model_fields_size_gt_zero CHECK (size>=0);
ALTER TABLE ir_model_fields ADD CONSTRAINT ir_model_fields_name_manual_field CHECK (state != 'manual' OR name LIKE 'x\_%');

-- ir_model_data
ALTER TABLE ir_model_data ADD CONSTRAINT ir_model_data_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_model_data ADD CONSTRAINT ir_model_data_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_model_data ADD CONSTRAINT ir_model_data_name_nospaces CHECK (name NOT LIKE '% %');
CREATE UNIQUE INDEX ir_model_data_module_name_uniq_index ON ir_model_data (module, name);  -- IrModelData._auto_init()
CREATE INDEX ir_model_data_model_res_id_index ON ir_model_data (model, res_id);  -- IrModelData._auto_init()

-- ir_module_module
ALTER TABLE ir_module_module ADD CONSTRAINT ir_module_module_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_module_module ADD CONSTRAINT ir_module_module_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX ir_module_module__category_id_index ON ir_module_module USING btree (category_id);
CREATE INDEX ir_module_module__state_index ON ir_module_module USING btree (state);
ALTER TABLE ir_module_module ADD CONSTRAINT ir_module_module_name_uniq UNIQUE (name);

-- ir_config_parameter
ALTER TABLE ir_config_parameter ADD CONSTRAINT ir_config_parameter_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_config_parameter ADD CONSTRAINT ir_config_parameter_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_config_parameter ADD CONSTRAINT ir_config_parameter_key_uniq UNIQUE (key);

-- ir_mail_server
ALTER TABLE ir_mail_server ADD CONSTRAINT ir_mail_server_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_mail_server ADD CONSTRAINT ir_mail_server_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX ir_mail_server__name_index ON ir_mail_server USING btree (name);

-- fetchmail_server
ALTER TABLE fetchmail_server ADD CONSTRAINT fetchmail_server_object_id_fkey FOREIGN KEY (object_id) REFERENCES ir_model(id) ON DELETE SET NULL;
ALTER TABLE fetchmail_server ADD CONSTRAINT fetchmail_server_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE fetchmail_server ADD CONSTRAINT fetchmail_server_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX fetchmail_server__state_index ON fetchmail_server USING btree (state);
CREATE INDEX fetchmail_server__server_type_index ON fetchmail_server USING btree (server_type);

-- ir_cron
ALTER TABLE ir_cron ADD CONSTRAINT ir_cron_ir_actions_server_id_fkey FOREIGN KEY (ir_actions_server_id) REFERENCES ir_act_server(id) ON DELETE RESTRICT;
ALTER TABLE ir_cron ADD CONSTRAINT ir_cron_user_id_fkey FOREIGN KEY (user_id) REFERENCES res_users(id) ON DELETE RESTRICT;
ALTER TABLE ir_cron ADD CONSTRAINT ir_cron_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_cron ADD CONSTRAINT ir_cron_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;

-- ir_act_server
ALTER TABLE ir_act_server ADD CONSTRAINT ir_act_server_binding_model_id_fkey FOREIGN KEY (binding_model_id) REFERENCES ir_model(id) ON DELETE CASCADE;
ALTER TABLE ir_act_server ADD CONSTRAINT ir_act_server_model_id_fkey FOREIGN KEY (model_id) REFERENCES ir_model(id) ON DELETE CASCADE;
ALTER TABLE ir_act_server ADD CONSTRAINT ir_act_server_crud_model_id_fkey FOREIGN KEY (crud_model_id) REFERENCES ir_model(id) ON DELETE SET NULL;
ALTER TABLE ir_act_server ADD CONSTRAINT ir_act_server_link_field_id_fkey FOREIGN KEY (link_field_id) REFERENCES ir_model_fields(id) ON DELETE SET NULL;
ALTER TABLE ir_act_server ADD CONSTRAINT ir_act_server_update_field_id_fkey FOREIGN KEY (update_field_id) REFERENCES ir_model_fields(id) ON DELETE CASCADE;
ALTER TABLE ir_act_server ADD CONSTRAINT ir_act_server_update_related_model_id_fkey FOREIGN KEY (update_related_model_id) REFERENCES ir_model(id) ON DELETE SET NULL;
ALTER TABLE ir_act_server ADD CONSTRAINT ir_act_server_template_id_fkey FOREIGN KEY (template_id) REFERENCES mail_template(id) ON DELETE SET NULL;
ALTER TABLE ir_act_server ADD CONSTRAINT ir_act_server_activity_user_id_fkey FOREIGN KEY (activity_user_id) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_act_server ADD CONSTRAINT ir_act_server_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_act_server ADD CONSTRAINT ir_act_server_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX ir_act_server__model_id_index ON ir_act_server USING btree (model_id);

-- ir_ui_view
ALTER TABLE ir_ui_view ADD CONSTRAINT ir_ui_view_inherit_id_fkey FOREIGN KEY (inherit_id) REFERENCES ir_ui_view(id) ON DELETE RESTRICT;
ALTER TABLE ir_ui_view ADD CONSTRAINT ir_ui_view_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_ui_view ADD CONSTRAINT ir_ui_view_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX ir_ui_view__model_index ON ir_ui_view USING btree (model);
CREATE INDEX ir_ui_view__key_index ON ir_ui_view USING btree (key) WHERE key IS NOT NULL;
CREATE INDEX ir_ui_view__inherit_id_index ON ir_ui_view USING btree (inherit_id);
ALTER TABLE ir_ui_view ADD CONSTRAINT ir_ui_view_inheritance_mode CHECK (mode != 'extension' OR inherit_id IS NOT NULL);
ALTER TABLE ir_ui_view ADD CONSTRAINT ir_ui_view_qweb_required_key CHECK (type != 'qweb' OR key IS NOT NULL);
CREATE INDEX ir_ui_view_model_type_inherit_id ON ir_ui_view (model, inherit_id);  -- View._auto_init()

-- payment_provider
ALTER TABLE payment_provider ADD CONSTRAINT payment_provider_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE RESTRICT;
ALTER TABLE payment_provider ADD CONSTRAINT payment_provider_redirect_form_view_id_fkey FOREIGN KEY (redirect_form_view_id) REFERENCES ir_ui_view(id) ON DELETE RESTRICT;
ALTER TABLE payment_provider ADD CONSTRAINT payment_provider_inline_form_view_id_fkey FOREIGN KEY (inline_form_view_id) REFERENCES ir_ui_view(id) ON DELETE RESTRICT;
ALTER TABLE payment_provider ADD CONSTRAINT payment_provider_token_inline_form_view_id_fkey FOREIGN KEY (token_inline_form_view_id) REFERENCES ir_ui_view(id) ON DELETE RESTRICT;
ALTER TABLE payment_provider ADD CONSTRAINT payment_provider_express_checkout_form_view_id_fkey FOREIGN KEY (express_checkout_form_view_id) REFERENCES ir_ui_view(id) ON DELETE RESTRICT;
ALTER TABLE payment_provider ADD CONSTRAINT payment_provider_module_id_fkey FOREIGN KEY (module_id) REFERENCES ir_module_module(id) ON DELETE SET NULL;
ALTER TABLE payment_provider ADD CONSTRAINT payment_provider_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE payment_provider ADD CONSTRAINT payment_provider_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX payment_provider__company_id_index ON payment_provider USING btree (company_id);

-- delivery_carrier
ALTER TABLE delivery_carrier ADD CONSTRAINT delivery_carrier_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE delivery_carrier ADD CONSTRAINT delivery_carrier_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE delivery_carrier ADD CONSTRAINT delivery_carrier_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE delivery_carrier ADD CONSTRAINT delivery_carrier_margin_not_under_100_percent CHECK (margin >= -1);
ALTER TABLE delivery_carrier ADD CONSTRAINT delivery_carrier_shipping_insurance_is_percentage CHECK (shipping_insurance >= 0 AND shipping_insurance <= 100);

-- iap_account
ALTER TABLE iap_account ADD CONSTRAINT iap_account_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE iap_account ADD CONSTRAINT iap_account_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;

-- iap_account_res_company_rel
ALTER TABLE iap_account_res_company_rel ADD CONSTRAINT iap_account_res_company_rel_iap_account_id_fkey FOREIGN KEY (iap_account_id) REFERENCES iap_account(id) ON DELETE CASCADE;
ALTER TABLE iap_account_res_company_rel ADD CONSTRAINT iap_account_res_company_rel_res_company_id_fkey FOREIGN KEY (res_company_id) REFERENCES res_company(id) ON DELETE CASCADE;
CREATE INDEX iap_account_res_company_rel_res_company_id_iap_account_id_idx ON iap_account_res_company_rel (res_company_id, iap_account_id);

-- auth_oauth_provider
ALTER TABLE auth_oauth_provider ADD CONSTRAINT auth_oauth_provider_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE auth_oauth_provider ADD CONSTRAINT auth_oauth_provider_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;

-- project_project
ALTER TABLE project_project ADD CONSTRAINT project_project_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE SET NULL;
ALTER TABLE project_project ADD CONSTRAINT project_project_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE project_project ADD CONSTRAINT project_project_user_id_fkey FOREIGN KEY (user_id) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE project_project ADD CONSTRAINT project_project_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE project_project ADD CONSTRAINT project_project_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX project_project__date_index ON project_project USING btree (date);
CREATE INDEX project_project__stage_id_index ON project_project USING btree (stage_id);
ALTER TABLE project_project ADD CONSTRAINT project_project_project_date_greater CHECK (date >= date_start);

-- project_task
ALTER TABLE project_task ADD CONSTRAINT project_task_project_id_fkey FOREIGN KEY (project_id) REFERENCES project_project(id) ON DELETE SET NULL;
ALTER TABLE project_task ADD CONSTRAINT project_task_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE SET NULL;
ALTER TABLE project_task ADD CONSTRAINT project_task_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE project_task ADD CONSTRAINT project_task_displayed_image_id_fkey FOREIGN KEY (displayed_image_id) REFERENCES ir_attachment(id) ON DELETE SET NULL;
ALTER TABLE project_task ADD CONSTRAINT project_task_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES project_task(id) ON DELETE SET NULL;
ALTER TABLE project_task ADD CONSTRAINT project_task_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE project_task ADD CONSTRAINT project_task_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX project_task__priority_index ON project_task USING btree (priority);
CREATE INDEX project_task__stage_id_index ON project_task USING btree (stage_id);
CREATE INDEX project_task__state_index ON project_task USING btree (state);
CREATE INDEX project_task__date_end_index ON project_task USING btree (date_end);
CREATE INDEX project_task__date_deadline_index ON project_task USING btree (date_deadline);
CREATE INDEX project_task__date_last_stage_update_index ON project_task USING btree (date_last_stage_update);
CREATE INDEX project_task__project_id_index ON project_task USING btree (project_id);
CREATE INDEX project_task__parent_id_index ON project_task USING btree (parent_id);
CREATE INDEX project_task__milestone_id_index ON project_task USING btree (milestone_id) WHERE milestone_id IS NOT NULL;
ALTER TABLE project_task ADD CONSTRAINT project_task_recurring_task_has_no_parent CHECK (NOT (recurring_task IS TRUE AND parent_id IS NOT NULL));
ALTER TABLE project_task ADD CONSTRAINT project_task_private_task_has_no_parent CHECK (NOT (project_id IS NULL AND parent_id IS NOT NULL));
CREATE INDEX project_task__create_date_index ON project_task USING btree (create_date);  -- create_date redefined with index=True

-- account_account
ALTER TABLE account_account ADD CONSTRAINT account_account_currency_id_fkey FOREIGN KEY (currency_id) REFERENCES res_currency(id) ON DELETE SET NULL;
ALTER TABLE account_account ADD CONSTRAINT account_account_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE RESTRICT;
ALTER TABLE account_account ADD CONSTRAINT account_account_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE account_account ADD CONSTRAINT account_account_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX account_account__code_index ON account_account USING btree (code);
CREATE INDEX account_account__account_type_index ON account_account USING btree (account_type);

-- account_journal
ALTER TABLE account_journal ADD CONSTRAINT account_journal_default_account_id_fkey FOREIGN KEY (default_account_id) REFERENCES account_account(id) ON DELETE RESTRICT;
ALTER TABLE account_journal ADD CONSTRAINT account_journal_suspense_account_id_fkey FOREIGN KEY (suspense_account_id) REFERENCES account_account(id) ON DELETE RESTRICT;
ALTER TABLE account_journal ADD CONSTRAINT account_journal_currency_id_fkey FOREIGN KEY (currency_id) REFERENCES res_currency(id) ON DELETE SET NULL;
ALTER TABLE account_journal ADD CONSTRAINT account_journal_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE RESTRICT;
ALTER TABLE account_journal ADD CONSTRAINT account_journal_profit_account_id_fkey FOREIGN KEY (profit_account_id) REFERENCES account_account(id) ON DELETE SET NULL;
ALTER TABLE account_journal ADD CONSTRAINT account_journal_loss_account_id_fkey FOREIGN KEY (loss_account_id) REFERENCES account_account(id) ON DELETE SET NULL;
ALTER TABLE account_journal ADD CONSTRAINT account_journal_bank_account_id_fkey FOREIGN KEY (bank_account_id) REFERENCES res_partner_bank(id) ON DELETE RESTRICT;
ALTER TABLE account_journal ADD CONSTRAINT account_journal_sale_activity_user_id_fkey FOREIGN KEY (sale_activity_user_id) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE account_journal ADD CONSTRAINT account_journal_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE account_journal ADD CONSTRAINT account_journal_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX account_journal__company_id_index ON account_journal USING btree (company_id);
ALTER TABLE account_journal ADD CONSTRAINT account_journal_code_company_uniq UNIQUE (company_id, code);

-- account_move
ALTER TABLE account_move ADD CONSTRAINT account_move_journal_id_fkey FOREIGN KEY (journal_id) REFERENCES account_journal(id) ON DELETE RESTRICT;
ALTER TABLE account_move ADD CONSTRAINT account_move_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE account_move ADD CONSTRAINT account_move_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES account_payment(id) ON DELETE SET NULL;
ALTER TABLE account_move ADD CONSTRAINT account_move_tax_cash_basis_origin_move_id_fkey FOREIGN KEY (tax_cash_basis_origin_move_id) REFERENCES account_move(id) ON DELETE SET NULL;
ALTER TABLE account_move ADD CONSTRAINT account_move_auto_post_origin_id_fkey FOREIGN KEY (auto_post_origin_id) REFERENCES account_move(id) ON DELETE SET NULL;
ALTER TABLE account_move ADD CONSTRAINT account_move_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE RESTRICT;
ALTER TABLE account_move ADD CONSTRAINT account_move_commercial_partner_id_fkey FOREIGN KEY (commercial_partner_id) REFERENCES res_partner(id) ON DELETE RESTRICT;
ALTER TABLE account_move ADD CONSTRAINT account_move_partner_shipping_id_fkey FOREIGN KEY (partner_shipping_id) REFERENCES res_partner(id) ON DELETE SET NULL;
ALTER TABLE account_move ADD CONSTRAINT account_move_partner_bank_id_fkey FOREIGN KEY (partner_bank_id) REFERENCES res_partner_bank(id) ON DELETE RESTRICT;
ALTER TABLE account_move ADD CONSTRAINT account_move_currency_id_fkey FOREIGN KEY (currency_id) REFERENCES res_currency(id) ON DELETE RESTRICT;
ALTER TABLE account_move ADD CONSTRAINT account_move_reversed_entry_id_fkey FOREIGN KEY (reversed_entry_id) REFERENCES account_move(id) ON DELETE SET NULL;
ALTER TABLE account_move ADD CONSTRAINT account_move_invoice_user_id_fkey FOREIGN KEY (invoice_user_id) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE account_move ADD CONSTRAINT account_move_message_main_attachment_id_fkey FOREIGN KEY (message_main_attachment_id) REFERENCES ir_attachment(id) ON DELETE SET NULL;
ALTER TABLE account_move ADD CONSTRAINT account_move_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE account_move ADD CONSTRAINT account_move_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX account_move__date_index ON account_move USING btree (date);
CREATE INDEX account_move__move_type_index ON account_move USING btree (move_type);
CREATE INDEX account_move__company_id_index ON account_move USING btree (company_id);
CREATE INDEX account_move__payment_id_index ON account_move USING btree (payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX account_move__statement_line_id_index ON account_move USING btree (statement_line_id) WHERE statement_line_id IS NOT NULL;
CREATE INDEX account_move__tax_cash_basis_rec_id_index ON account_move USING btree (tax_cash_basis_rec_id) WHERE tax_cash_basis_rec_id IS NOT NULL;
CREATE INDEX account_move__tax_cash_basis_origin_move_id_index ON account_move USING btree (tax_cash_basis_origin_move_id) WHERE tax_cash_basis_origin_move_id IS NOT NULL;
CREATE INDEX account_move__auto_post_origin_id_index ON account_move USING btree (auto_post_origin_id) WHERE auto_post_origin_id IS NOT NULL;
CREATE INDEX account_move__secure_sequence_number_index ON account_move USING btree (secure_sequence_number);
CREATE INDEX account_move__invoice_date_index ON account_move USING btree (invoice_date);
CREATE INDEX account_move__invoice_date_due_index ON account_move USING btree (invoice_date_due);
CREATE INDEX account_move__partner_id_index ON account_move USING btree (partner_id);
CREATE INDEX account_move__reversed_entry_id_index ON account_move USING btree (reversed_entry_id) WHERE reversed_entry_id IS NOT NULL;
CREATE INDEX account_move__message_main_attachment_id_index ON account_move USING btree (message_main_attachment_id) WHERE message_main_attachment_id IS NOT NULL;
CREATE INDEX account_move_to_check_idx ON account_move (journal_id) WHERE to_check = true;  -- AccountMove._auto_init()
CREATE INDEX account_move_payment_idx ON account_move (journal_id, state, payment_state, move_type, date);  -- AccountMove._auto_init()
CREATE UNIQUE INDEX account_move_unique_name ON account_move (name, journal_id) WHERE (state = 'posted' AND name != '/');  -- AccountMove._auto_init()
CREATE INDEX account_move_sequence_index3 ON account_move (journal_id, sequence_prefix desc, (sequence_number+1) desc);  -- AccountMove._auto_init()
CREATE INDEX account_move_journal_id_company_id_idx ON account_move (journal_id, company_id, date);  -- AccountMove.init()
CREATE INDEX account_move_sequence_index ON account_move (journal_id, sequence_prefix desc, sequence_number desc, name);  -- sequence.mixin init()
CREATE INDEX account_move_sequence_index2 ON account_move (journal_id, id desc, sequence_prefix);  -- sequence.mixin init()

-- account_move_line
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_move_id_fkey FOREIGN KEY (move_id) REFERENCES account_move(id) ON DELETE CASCADE;
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_journal_id_fkey FOREIGN KEY (journal_id) REFERENCES account_journal(id) ON DELETE SET NULL;
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_company_currency_id_fkey FOREIGN KEY (company_currency_id) REFERENCES res_currency(id) ON DELETE SET NULL;
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_account_id_fkey FOREIGN KEY (account_id) REFERENCES account_account(id) ON DELETE CASCADE;
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_currency_id_fkey FOREIGN KEY (currency_id) REFERENCES res_currency(id) ON DELETE RESTRICT;
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE RESTRICT;
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES account_payment(id) ON DELETE SET NULL;
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX account_move_line__move_id_index ON account_move_line USING btree (move_id);
CREATE INDEX account_move_line__journal_id_index ON account_move_line USING btree (journal_id);
CREATE INDEX account_move_line__company_id_index ON account_move_line USING btree (company_id);
CREATE INDEX account_move_line__move_name_index ON account_move_line USING btree (move_name);
CREATE INDEX account_move_line__payment_id_index ON account_move_line USING btree (payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX account_move_line__statement_line_id_index ON account_move_line USING btree (statement_line_id) WHERE statement_line_id IS NOT NULL;
CREATE INDEX account_move_line__statement_id_index ON account_move_line USING btree (statement_id) WHERE statement_id IS NOT NULL;
CREATE INDEX account_move_line__group_tax_id_index ON account_move_line USING btree (group_tax_id) WHERE group_tax_id IS NOT NULL;
CREATE INDEX account_move_line__full_reconcile_id_index ON account_move_line USING btree (full_reconcile_id) WHERE full_reconcile_id IS NOT NULL;
CREATE INDEX account_move_line__matching_number_index ON account_move_line USING btree (matching_number);
CREATE INDEX account_move_line__date_maturity_index ON account_move_line USING btree (date_maturity);
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_check_credit_debit CHECK (display_type IN ('line_section', 'line_note') OR credit * debit=0);
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_check_amount_currency_balance_sign CHECK (display_type IN ('line_section', 'line_note') OR ((balance <= 0 AND amount_currency <= 0) OR (balance >= 0 AND amount_currency >= 0)));
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_check_accountable_required_fields CHECK (display_type IN ('line_section', 'line_note') OR account_id IS NOT NULL);
ALTER TABLE account_move_line ADD CONSTRAINT account_move_line_check_non_accountable_fields_null CHECK (display_type NOT IN ('line_section', 'line_note') OR (amount_currency = 0 AND debit = 0 AND credit = 0 AND account_id IS NULL));
CREATE INDEX account_move_line_partner_id_ref_idx ON account_move_line (partner_id, ref);  -- AccountMoveLine.init()
CREATE INDEX account_move_line_date_name_id_idx ON account_move_line (date desc, move_name desc, id);  -- AccountMoveLine.init()
CREATE INDEX account_move_line__unreconciled_index ON account_move_line (account_id, partner_id) WHERE (reconciled IS NULL OR reconciled = false OR reconciled IS NOT true) AND parent_state = 'posted';  -- AccountMoveLine.init()
CREATE INDEX account_move_line_journal_id_neg_amnt_residual_idx ON account_move_line (journal_id) WHERE amount_residual < 0 AND parent_state = 'posted';  -- AccountMoveLine.init()
CREATE INDEX account_move_line_account_id_date_idx ON account_move_line (account_id, date);  -- AccountMoveLine.init()
CREATE INDEX IF NOT EXISTS account_move_line_analytic_distribution_gin_index ON account_move_line USING gin (analytic_distribution);  -- analytic.mixin init()

-- account_payment
ALTER TABLE account_payment ADD CONSTRAINT account_payment_move_id_fkey FOREIGN KEY (move_id) REFERENCES account_move(id) ON DELETE CASCADE;
ALTER TABLE account_payment ADD CONSTRAINT account_payment_partner_bank_id_fkey FOREIGN KEY (partner_bank_id) REFERENCES res_partner_bank(id) ON DELETE RESTRICT;
ALTER TABLE account_payment ADD CONSTRAINT account_payment_paired_internal_transfer_payment_id_fkey FOREIGN KEY (paired_internal_transfer_payment_id) REFERENCES account_payment(id) ON DELETE SET NULL;
ALTER TABLE account_payment ADD CONSTRAINT account_payment_currency_id_fkey FOREIGN KEY (currency_id) REFERENCES res_currency(id) ON DELETE SET NULL;
ALTER TABLE account_payment ADD CONSTRAINT account_payment_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES res_partner(id) ON DELETE RESTRICT;
ALTER TABLE account_payment ADD CONSTRAINT account_payment_outstanding_account_id_fkey FOREIGN KEY (outstanding_account_id) REFERENCES account_account(id) ON DELETE SET NULL;
ALTER TABLE account_payment ADD CONSTRAINT account_payment_destination_account_id_fkey FOREIGN KEY (destination_account_id) REFERENCES account_account(id) ON DELETE SET NULL;
ALTER TABLE account_payment ADD CONSTRAINT account_payment_destination_journal_id_fkey FOREIGN KEY (destination_journal_id) REFERENCES account_journal(id) ON DELETE SET NULL;
ALTER TABLE account_payment ADD CONSTRAINT account_payment_message_main_attachment_id_fkey FOREIGN KEY (message_main_attachment_id) REFERENCES ir_attachment(id) ON DELETE SET NULL;
ALTER TABLE account_payment ADD CONSTRAINT account_payment_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE account_payment ADD CONSTRAINT account_payment_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX account_payment__move_id_index ON account_payment USING btree (move_id);
CREATE INDEX account_payment__paired_internal_transfer_payment_id_index ON account_payment USING btree (paired_internal_transfer_payment_id) WHERE paired_internal_transfer_payment_id IS NOT NULL;
CREATE INDEX account_payment__outstanding_account_id_index ON account_payment USING btree (outstanding_account_id) WHERE outstanding_account_id IS NOT NULL;
CREATE INDEX account_payment__message_main_attachment_id_index ON account_payment USING btree (message_main_attachment_id) WHERE message_main_attachment_id IS NOT NULL;
ALTER TABLE account_payment ADD CONSTRAINT account_payment_check_amount_not_negative CHECK (amount >= 0.0);

-- ir_attachment
ALTER TABLE ir_attachment ADD CONSTRAINT ir_attachment_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE ir_attachment ADD CONSTRAINT ir_attachment_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE ir_attachment ADD CONSTRAINT ir_attachment_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
CREATE INDEX ir_attachment__url_index ON ir_attachment USING btree (url) WHERE url IS NOT NULL;
CREATE INDEX ir_attachment__store_fname_index ON ir_attachment USING btree (store_fname);
CREATE INDEX ir_attachment_res_idx ON ir_attachment (res_model, res_id);  -- IrAttachment._auto_init()

-- index='trigram' fields: Odoo 17 only creates these GIN indexes when pg_trgm is installed
-- (registry.has_trigram); without it no index is created at all. unaccent() wrapping is omitted
-- (only used when the unaccent extension is enabled in Odoo).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX hr_job__name_index ON hr_job USING gin ((jsonb_path_query_array(name, ''$.*'')::text) gin_trgm_ops)';
        EXECUTE 'CREATE INDEX project_project__name_index ON project_project USING gin ((jsonb_path_query_array(name, ''$.*'')::text) gin_trgm_ops)';
        EXECUTE 'CREATE INDEX project_task__name_index ON project_task USING gin (name gin_trgm_ops)';
        EXECUTE 'CREATE INDEX account_account__name_index ON account_account USING gin ((jsonb_path_query_array(name, ''$.*'')::text) gin_trgm_ops)';
        EXECUTE 'CREATE INDEX account_move__name_index ON account_move USING gin (name gin_trgm_ops)';
        EXECUTE 'CREATE INDEX account_move__ref_index ON account_move USING gin (ref gin_trgm_ops)';
        EXECUTE 'CREATE INDEX account_move__payment_reference_index ON account_move USING gin (payment_reference gin_trgm_ops)';
        EXECUTE 'CREATE INDEX account_move_line__ref_index ON account_move_line USING gin (ref gin_trgm_ops)';
    END IF;
END
$$;

-- resource and payroll rules (added by hand beside the generated set)
ALTER TABLE resource_calendar ADD CONSTRAINT resource_calendar_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE resource_resource ADD CONSTRAINT resource_resource_company_id_fkey FOREIGN KEY (company_id) REFERENCES res_company(id) ON DELETE SET NULL;
ALTER TABLE resource_resource ADD CONSTRAINT resource_resource_user_id_fkey FOREIGN KEY (user_id) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE resource_resource ADD CONSTRAINT resource_resource_calendar_id_fkey FOREIGN KEY (calendar_id) REFERENCES resource_calendar(id) ON DELETE SET NULL;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_resource_id_fkey FOREIGN KEY (resource_id) REFERENCES resource_resource(id) ON DELETE RESTRICT;
ALTER TABLE hr_employee ADD CONSTRAINT hr_employee_resource_calendar_id_fkey FOREIGN KEY (resource_calendar_id) REFERENCES resource_calendar(id) ON DELETE RESTRICT;
ALTER TABLE hr_contract ADD CONSTRAINT hr_contract_resource_calendar_id_fkey FOREIGN KEY (resource_calendar_id) REFERENCES resource_calendar(id) ON DELETE RESTRICT;
ALTER TABLE hr_payslip_line ADD CONSTRAINT hr_payslip_line_salary_rule_id_fkey FOREIGN KEY (salary_rule_id) REFERENCES hr_salary_rule(id) ON DELETE RESTRICT;
CREATE INDEX resource_resource__user_id_index ON resource_resource (user_id);
ALTER TABLE resource_calendar ADD CONSTRAINT resource_calendar_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE resource_calendar ADD CONSTRAINT resource_calendar_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE resource_resource ADD CONSTRAINT resource_resource_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE resource_resource ADD CONSTRAINT resource_resource_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE hr_salary_rule ADD CONSTRAINT hr_salary_rule_create_uid_fkey FOREIGN KEY (create_uid) REFERENCES res_users(id) ON DELETE SET NULL;
ALTER TABLE hr_salary_rule ADD CONSTRAINT hr_salary_rule_write_uid_fkey FOREIGN KEY (write_uid) REFERENCES res_users(id) ON DELETE SET NULL;
