"""Masking rules files: loading, refusing with file:line: key, and checking against a database's columns."""

from __future__ import annotations

import textwrap

import psycopg
import pytest

from formwork.errors import InputError
from formwork.masking.model import AttachmentRule, ColumnRule, Origin, TableRule
from formwork.masking.rules import RulesError, load_rules
from formwork.masking.schema_check import check_overlaps, resolve
from tests.support.clusters import create_database, drop_database

GOOD = """\
version: 1
locale: en_GB
tables:
  - table: res_partner
    module: base
    where: "NOT is_company"
    columns:
      name: {faker: name}
      email: {faker: email, unique: true, domain: keep}
      comment: scrub
      signup_token: null
      ref: {hash: {length: 8, alphabet: digits, prefix: "R"}}
      barcode: {hash: true}
      pin: {constant: "0000"}
      email_normalized: {template: "{email|lower}"}
      lang: keep
  - table: hr_contract
    module: hr
    columns:
      wage: {noise: {percent: 15, round: 2, key: employee_id}}
      date_start: {shift: {days: 180}}
  - table: hr_payslip
    module: hr_payroll
    delete: true
attachments:
  - where: "res_model = 'hr.payslip'"
    module: hr_payroll
  - where: "res_model = 'hr.employee'"
"""

COLUMNS = {
    "res_partner": {
        "name": "character varying",
        "email": "character varying",
        "comment": "text",
        "signup_token": "character varying",
        "ref": "character varying",
        "barcode": "character varying",
        "pin": "character varying",
        "email_normalized": "character varying",
        "lang": "character varying",
        "is_company": "boolean",
    },
    "hr_contract": {"wage": "numeric", "date_start": "date", "employee_id": "integer", "name": "character varying"},
    "hr_payslip": {"id": "integer"},
    "ir_attachment": {"res_model": "character varying"},
}


def write(tmp_path, text: str) -> str:
    path = tmp_path / "rules.yml"
    path.write_text(textwrap.dedent(text))
    return str(path)


def refused(tmp_path, text: str) -> tuple[str, str]:
    path = write(tmp_path, text)
    with pytest.raises(RulesError) as info:
        load_rules(path)
    message = str(info.value)
    assert "\n" not in message
    return path, message


def test_good_file_loads_into_the_model(tmp_path):
    path = write(tmp_path, GOOD)
    rules = load_rules(path)

    assert rules.path == path and rules.locale == "en_GB"
    partner, contract, payslip = rules.tables
    assert partner.table == "res_partner" and partner.module == "base" and partner.where == "NOT is_company"
    assert partner.origin == Origin(path, 4, "tables[0]")
    by_name = {rule.column: rule for rule in partner.columns}
    assert list(by_name) == ["name", "email", "comment", "signup_token", "ref", "barcode", "pin", "email_normalized", "lang"]
    assert by_name["email"] == ColumnRule(
        "email", "faker", {"provider": "email", "unique": True, "domain": "keep"}, Origin(path, 9, "tables[0].columns.email")
    )
    assert by_name["name"].options == {"provider": "name"}
    assert by_name["comment"].strategy == "scrub" and by_name["comment"].options == {}
    assert by_name["ref"].options == {"length": 8, "alphabet": "digits", "prefix": "R"}
    assert by_name["pin"].options == {"value": "0000"}
    assert by_name["email_normalized"].options == {"template": "{email|lower}"}
    assert by_name["lang"].strategy == "keep"

    wage, date_start = contract.columns
    assert wage.strategy == "noise" and wage.options == {"percent": 15, "round": 2, "key": "employee_id"}
    assert wage.origin == Origin(path, 20, "tables[1].columns.wage")
    assert date_start.strategy == "shift" and date_start.options == {"days": 180}

    assert payslip == TableRule("hr_payslip", (), module="hr_payroll", delete=True, origin=Origin(path, 22, "tables[2]"))
    assert rules.attachments[0] == AttachmentRule("res_model = 'hr.payslip'", "hr_payroll", Origin(path, 26, "attachments[0]"))


def test_hash_true_shorthand_means_default_options(tmp_path):
    rules = load_rules(write(tmp_path, GOOD))
    barcode = next(rule for rule in rules.tables[0].columns if rule.column == "barcode")
    assert (barcode.strategy, barcode.options) == ("hash", {})


def test_null_shorthand_from_yaml_null_and_from_the_word(tmp_path):
    rules = load_rules(
        write(
            tmp_path,
            """\
        version: 1
        locale: en_GB
        tables:
          - table: res_partner
            columns:
              signup_token: null
              signup_type: ~
              comment: "null"
        """,
        )
    )
    assert [(rule.strategy, rule.options) for rule in rules.tables[0].columns] == [("null", {})] * 3


def test_unreadable_file(tmp_path):
    missing = str(tmp_path / "nowhere.yml")
    with pytest.raises(RulesError, match=r"nowhere\.yml: cannot read: No such file"):
        load_rules(missing)


def test_rules_errors_are_input_errors():
    assert issubclass(RulesError, InputError)


HEAD = "version: 1\nlocale: en_GB\ntables:\n  - table: res_partner\n    columns:\n"

# (yaml, line, key, what the message must say)
LOAD_ERRORS = {
    "bad yaml": ("version: 1\nlocale: en: GB\ntables: []\n", 2, None, "YAML syntax error: mapping values are not allowed here"),
    "duplicate key": (HEAD + "      name: keep\n      name: scrub\n", 7, None, "duplicate key 'name'"),
    "top level not a mapping": ("- table: res_partner\n", 1, None, "the top level must be a mapping"),
    "missing version": ("locale: en_GB\ntables: []\n", 1, "version", "missing required key"),
    "wrong version": ("version: 2\nlocale: en_GB\ntables: []\n", 1, "version", "must be 1, got 2"),
    "unknown top-level key": (
        "version: 1\nlocale: en_GB\ntables: []\ncolour: red\n",
        4,
        "colour",
        "unknown key (allowed: version, locale, tables, attachments, keep, transient_models, module_records)",
    ),
    "unknown entry key": (HEAD + "      name: keep\n    wehre: x\n", 7, "tables[0].wehre", "unknown key (allowed: table,"),
    "missing table": (
        "version: 1\nlocale: en_GB\ntables:\n  - columns: {name: keep}\n",
        4,
        "tables[0].table",
        "missing required key",
    ),
    "missing columns": (
        "version: 1\nlocale: en_GB\ntables:\n  - table: res_partner\n",
        4,
        "tables[0].columns",
        "no columns to mask (list some, or set delete: true)",
    ),
    "empty columns": (
        "version: 1\nlocale: en_GB\ntables:\n  - table: res_partner\n    where: x\n    columns: {}\n",
        6,
        "tables[0].columns",
        "no columns to mask",
    ),
    "wrong type": (
        "version: 1\nlocale: en_GB\ntables:\n  - table: res_partner\n    delete: 1\n",
        5,
        "tables[0].delete",
        "expected true/false, got 1",
    ),
    "columns with delete": (
        HEAD.replace("columns:", "delete: true\n    columns:") + "      name: keep\n",
        6,
        "tables[0].columns",
        "delete: true removes the rows",
    ),
    "unknown strategy": (
        HEAD + "      name: keep\n      email: {fakr: email}\n",
        7,
        "tables[0].columns.email",
        "unknown strategy 'fakr' (use one of: faker, keep, null, constant, hash, shift, noise, template, scrub, staging_password, pay)",
    ),
    "unknown strategy word": (HEAD + "      comment: scrubb\n", 6, "tables[0].columns.comment", "unknown strategy 'scrubb'"),
    "strategy without its options": (HEAD + "      name: faker\n", 6, "tables[0].columns.name", "strategy 'faker' needs options"),
    "two strategies": (
        HEAD + "      ref: {hash: true, constant: x}\n",
        6,
        "tables[0].columns.ref",
        "2 strategies (hash, constant) given: use exactly one",
    ),
    "faker option without faker": (
        HEAD + "      ref: {hash: true, unique: true}\n",
        6,
        "tables[0].columns.ref.unique",
        "'unique' is a faker option",
    ),
    "unknown hash option": (
        HEAD + "      ref: {hash: {lenght: 8}}\n",
        6,
        "tables[0].columns.ref.hash.lenght",
        "unknown key (allowed: length, alphabet, prefix)",
    ),
    "hash length out of range": (
        HEAD + "      ref: {hash: {length: 65}}\n",
        6,
        "tables[0].columns.ref.hash.length",
        "65 is out of range (allowed: >= 1 and <= 64)",
    ),
    "unknown alphabet": (
        HEAD + "      ref: {hash: {alphabet: base64}}\n",
        6,
        "tables[0].columns.ref.hash.alphabet",
        "'base64' is not allowed (use one of: digits, hex, alnum, upper)",
    ),
    "missing noise percent": (
        HEAD + "      wage:\n        noise:\n          round: 2\n",
        7,
        "tables[0].columns.wage.noise.percent",
        "missing required key",
    ),
    "noise percent out of range": (
        HEAD + "      wage: {noise: {percent: 150}}\n",
        6,
        "tables[0].columns.wage.noise.percent",
        "150 is out of range (allowed: > 0 and <= 100)",
    ),
    "noise percent zero": (
        HEAD + "      wage: {noise: {percent: 0}}\n",
        6,
        "tables[0].columns.wage.noise.percent",
        "out of range",
    ),
    "shift without days": (
        HEAD + "      birthday: {shift: {}}\n",
        6,
        "tables[0].columns.birthday.shift.days",
        "missing required key",
    ),
    "unknown faker provider": (
        HEAD + "      name: keep\n      email:\n        faker: emial\n",
        8,
        "tables[0].columns.email.faker",
        "unknown Faker provider 'emial' for locale en_GB (did you mean: email",
    ),
    "faker machinery is no provider": (
        HEAD + "      name: {faker: seed_instance}\n",
        6,
        "tables[0].columns.name.faker",
        "unknown Faker provider 'seed_instance'",
    ),
    "unknown locale": ("version: 1\nlocale: xx_XX\ntables: []\n", 2, "locale", "unknown Faker locale 'xx_XX'"),
    "unknown column locale": (
        HEAD + "      name: {faker: name, locale: zz_ZZ}\n",
        6,
        "tables[0].columns.name.locale",
        "unknown Faker locale 'zz_ZZ'",
    ),
    "template unknown column": (
        HEAD + '      name: {faker: name}\n      login: {template: "{nmae|slug}@example.com"}\n',
        7,
        "tables[0].columns.login.template",
        "placeholder {nmae} names no column of this entry (columns: name, login)",
    ),
    "template unknown filter": (
        HEAD + '      name: {faker: name}\n      login: {template: "{name|title}"}\n',
        7,
        "tables[0].columns.login.template",
        "unknown filter 'title' in {name} (use one of: lower, upper, compact, slug)",
    ),
    "attachment without where": (
        "version: 1\nlocale: en_GB\ntables: []\nattachments:\n  - module: hr\n",
        5,
        "attachments[0].where",
        "missing required key",
    ),
}


@pytest.mark.parametrize("text, line, key, says", LOAD_ERRORS.values(), ids=LOAD_ERRORS.keys())
def test_refused_with_file_line_and_key(tmp_path, text, line, key, says):
    path, message = refused(tmp_path, text)
    prefix = f"{path}:{line}: " + (f"{key}: " if key else "")
    assert message.startswith(prefix), message
    assert says in message, message


def test_resolve_keeps_installed_entries_and_skips_the_rest(tmp_path):
    rules = load_rules(write(tmp_path, GOOD))

    tables, notes, attachments = resolve(rules, COLUMNS, {"base", "hr"})
    assert [entry.table for entry in tables] == ["res_partner", "hr_contract"]
    assert notes == [
        "hr_payslip (module hr_payroll not installed): skipped",
        "ir_attachment where res_model = 'hr.payslip' (module hr_payroll not installed): skipped",
    ]
    assert [rule.where for rule in attachments] == ["res_model = 'hr.employee'"]

    tables, notes, attachments = resolve(rules, COLUMNS, {"base", "hr", "hr_payroll"})
    assert [entry.table for entry in tables] == ["res_partner", "hr_contract", "hr_payslip"]
    assert notes == [] and len(attachments) == 2


def test_resolve_skips_unknown_tables_and_columns_of_modules_not_installed(tmp_path):
    rules = load_rules(
        write(
            tmp_path,
            """\
        version: 1
        locale: en_GB
        tables:
          - table: hr_payslip_line
            module: hr_payroll
            columns:
              total: {noise: {percent: 5}}
          - table: res_partner
            module: l10n_nl
            columns:
              l10n_nl_kvk: scrub
        """,
        )
    )
    tables, notes, _ = resolve(rules, COLUMNS, {"base"})
    assert tables == []
    assert notes == [
        "hr_payslip_line (module hr_payroll not installed): skipped",
        "res_partner (module l10n_nl not installed): skipped",
    ]


def resolve_error(tmp_path, entries: str, installed=frozenset({"base"})) -> tuple[str, str]:
    path = write(tmp_path, "version: 1\nlocale: en_GB\ntables:\n" + entries)
    rules = load_rules(path)
    with pytest.raises(RulesError) as info:
        resolve(rules, COLUMNS, set(installed))
    return path, str(info.value)


def test_resolve_refuses_unknown_table(tmp_path):
    path, message = resolve_error(
        tmp_path, "  - table: res_partner\n    columns: {name: keep}\n  - table: res_partnr\n    columns: {name: keep}\n"
    )
    assert message.startswith(f"{path}:6: tables[1].table: the database has no table 'res_partnr'"), message


def test_resolve_refuses_unknown_table_of_installed_module(tmp_path):
    path, message = resolve_error(
        tmp_path,
        "  - table: hr_payslip_line\n    module: hr_payroll\n    columns: {total: keep}\n",
        installed={"base", "hr_payroll"},
    )
    assert message.startswith(f"{path}:4: tables[0].table: the database has no table 'hr_payslip_line'"), message


def test_resolve_refuses_unknown_column(tmp_path):
    path, message = resolve_error(
        tmp_path, "  - table: res_partner\n    columns:\n      name: {faker: name}\n      emial: scrub\n"
    )
    assert message == f"{path}:7: tables[0].columns.emial: table res_partner has no column 'emial'"


@pytest.mark.parametrize(
    "column, spec, says",
    [
        ("comment", "{noise: {percent: 10}}", "noise cannot apply to res_partner.comment of type text"),
        ("is_company", "{shift: {days: 3}}", "shift cannot apply to res_partner.is_company of type boolean"),
        ("is_company", "{faker: name}", "faker cannot apply to res_partner.is_company of type boolean"),
        ("is_company", "scrub", "scrub cannot apply"),
        ("comment", "pay", "pay cannot rewrite res_partner.comment (it rewrites only: hr_contract.wage, "),
    ],
)
def test_resolve_refuses_strategy_for_column_type(tmp_path, column, spec, says):
    path, message = resolve_error(tmp_path, f"  - table: res_partner\n    columns:\n      name: keep\n      {column}: {spec}\n")
    assert message.startswith(f"{path}:7: tables[0].columns.{column}: {says}"), message


def test_keep_null_and_constant_apply_to_any_type(tmp_path):
    path = write(
        tmp_path,
        """\
        version: 1
        locale: en_GB
        tables:
          - table: hr_contract
            columns:
              wage: {constant: 0}
              date_start: null
              employee_id: keep
        """,
    )
    tables, notes, _ = resolve(load_rules(path), COLUMNS, set())
    assert len(tables) == 1 and notes == []


def test_template_placeholders_are_written_without_spaces(tmp_path):
    path, message = refused(tmp_path, HEAD + '      name: {faker: name}\n      login: {template: "{ name }"}\n')
    assert message.startswith(f"{path}:7: tables[0].columns.login.template: placeholder {{ name }} names no column"), message


def _entry(where: str | None, line: int, column: str = "x_name") -> TableRule:
    return TableRule(
        "x_site",
        (ColumnRule(column, "faker", {"provider": "name"}, Origin("rules.yaml", line, column)),),
        where=where,
        origin=Origin("rules.yaml", line, "tables"),
    )


def test_entries_rewriting_the_same_cells_are_refused_naming_both_and_disjoint_ones_pass(pg):
    """Dozens of entries on one table (one per tracked field) are checked in one scan of it, each column's
    entries on their own: only the column whose entries overlap is named."""
    name = create_database(pg, "overlaps")
    try:
        with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE x_site (id int, kind int, x_name varchar); "
                "INSERT INTO x_site SELECT i, i % 40, 'n' || i FROM generate_series(1, 2000) i"
            )
            disjoint = [_entry(f"kind = {k}", 10 + k) for k in range(40)]
            check_overlaps(conn, disjoint)
            with pytest.raises(RulesError) as refused:
                check_overlaps(conn, [*disjoint, _entry("kind IN (3, 41)", 99)])
        assert str(refused.value).startswith("rules.yaml:99")
        assert "rewrites x_site.x_name in rows that rules.yaml:13" in str(refused.value)
        with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
            other = [_entry("kind < 5", 200, "x_other"), _entry("kind = 7", 201, "x_other")]
            check_overlaps(conn, [*disjoint, *other])
            with pytest.raises(RulesError) as refused:
                check_overlaps(conn, [*disjoint, *other, _entry("kind = 4", 202, "x_other")])
        assert str(refused.value).startswith("rules.yaml:202")
        assert "rewrites x_site.x_other in rows that rules.yaml:200" in str(refused.value)
    finally:
        drop_database(pg, name)
