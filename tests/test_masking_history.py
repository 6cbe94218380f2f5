"""Tracked history follows the rules (formwork.masking.history): every tracked change of a masked field is
masked as its column is, whatever its value type and also once the field is deleted; business history stays."""

from __future__ import annotations

import json
from datetime import datetime

import psycopg
import pytest

from blocks.local_directory_store import LocalDirectoryStore
from formwork.masking.engine import Masker
from formwork.masking.rules import load_rules
from tests.support.clusters import drop_database
from tests.support.seeded import copy
from tests.test_masking import RULES, SALT

# (model, field, ttype) planted in ir_model_fields: the synthetic seed declares only a few tracked fields.
FIELDS = [
    ("hr.employee", "passport_id", "char"),
    ("hr.employee", "km_home_work", "integer"),
    ("hr.employee", "birthday", "date"),
    ("hr.employee", "notes", "text"),
    ("res.partner", "vat", "char"),
    ("res.partner", "name", "char"),
    ("res.partner", "partner_latitude", "float"),
    ("project.task", "sequence", "integer"),
    ("account.move", "amount_total", "monetary"),
]
VALUE_COLUMN = {"char": "char", "text": "text", "integer": "integer", "float": "float", "monetary": "float", "date": "datetime"}
BUSINESS = [
    ("project.task", "name", "char", "Pour foundations, block C", "Pour foundations, block D"),
    ("project.task", "sequence", "integer", 10, 20),
    ("account.move", "amount_total", "monetary", 18250.75, 18420.5),
]


def one(conn, query, *args):
    return conn.execute(query, args or None).fetchone()


def plant(conn, model: str, res_id: int, field: str, ttype: str, old, new, *, deleted: bool = False) -> int:
    """A tracked change of `field` on record `res_id` of `model` (field_id NULL + field_info if `deleted`); its id."""
    (message,) = one(
        conn,
        "INSERT INTO mail_message (model, res_id, message_type, date) VALUES (%s, %s, 'notification', now()) RETURNING id",
        model,
        res_id,
    )
    column = VALUE_COLUMN[ttype]
    if deleted:
        info = json.dumps({"name": field, "desc": field.replace("_", " ").title(), "type": ttype})
        query = f"INSERT INTO mail_tracking_value (field_id, field_info, old_value_{column}, new_value_{column}, mail_message_id) VALUES (NULL, %s, %s, %s, %s) RETURNING id"
        return one(conn, query, info, old, new, message)[0]
    query = (
        f"INSERT INTO mail_tracking_value (field_id, old_value_{column}, new_value_{column}, mail_message_id) "
        f"SELECT id, %s, %s, %s FROM ir_model_fields WHERE model = %s AND name = %s RETURNING id"
    )
    return one(conn, query, old, new, message, model, field)[0]


def tracked(conn, row: int, ttype: str) -> tuple:
    column = VALUE_COLUMN[ttype]
    return one(conn, f"SELECT old_value_{column}, new_value_{column} FROM mail_tracking_value WHERE id = %s", row)


@pytest.fixture(scope="module")
def history(pg, seeded_source, tmp_path_factory):
    """A copy of the seeded database with tracked changes planted, masked once with the default rules:
    (dsn, originals, planted row ids, business rows before)."""
    source, source_files = seeded_source
    name = "staging_history"
    files = tmp_path_factory.mktemp("history-filestore")
    copy(pg, source, name, source_files, files)
    dsn = pg.dsn(name)
    with psycopg.connect(dsn) as conn:
        for model, field, ttype in FIELDS:
            conn.execute(
                """INSERT INTO ir_model (name, model, "order", state) SELECT '{"en_US": "x"}', %s, 'id', 'base'
                            WHERE NOT EXISTS (SELECT 1 FROM ir_model WHERE model = %s)""",
                (model, model),
            )
            conn.execute(
                """INSERT INTO ir_model_fields (name, complete_name, model, model_id, field_description, ttype, state, store)
                            SELECT %s, %s, %s, id, '{"en_US": "x"}', %s, 'base', true FROM ir_model WHERE model = %s
                            AND NOT EXISTS (SELECT 1 FROM ir_model_fields WHERE model = %s AND name = %s)""",
                (field, f"{model}.{field}", model, ttype, model, model, field),
            )
        a, b = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM hr_employee WHERE passport_id IS NOT NULL AND km_home_work > 0 "
                "AND birthday IS NOT NULL ORDER BY id LIMIT 2"
            )
        ]
        person = one(
            conn,
            "SELECT id FROM res_partner WHERE NOT is_company AND id NOT IN (SELECT partner_id FROM res_company) "
            "AND id NOT IN (SELECT res_id FROM ir_model_data WHERE model = 'res.partner') ORDER BY id LIMIT 1",
        )[0]
        company = one(conn, "SELECT id FROM res_partner WHERE is_company ORDER BY id LIMIT 1")[0]
        conn.execute("UPDATE res_partner SET vat = 'GB112233445' WHERE id = %s", (person,))
        o = {
            e: dict(
                zip(
                    ("passport", "km", "birthday", "email"),
                    one(conn, "SELECT passport_id, km_home_work, birthday, private_email FROM hr_employee WHERE id = %s", e),
                )
            )
            for e in (a, b)
        }
        person_name, company_name = (one(conn, "SELECT name FROM res_partner WHERE id = %s", p)[0] for p in (person, company))
        rows = {
            "passport": plant(conn, "hr.employee", a, "passport_id", "char", o[b]["passport"], o[a]["passport"]),
            "passport gone": plant(
                conn, "hr.employee", a, "passport_id", "char", o[b]["passport"], o[a]["passport"], deleted=True
            ),
            "km": plant(conn, "hr.employee", a, "km_home_work", "integer", o[a]["km"], o[a]["km"]),
            "birthday": plant(
                conn,
                "hr.employee",
                a,
                "birthday",
                "date",
                datetime.combine(o[b]["birthday"], datetime.min.time()),
                datetime.combine(o[a]["birthday"], datetime.min.time()),
            ),
            "notes": plant(conn, "hr.employee", a, "notes", "text", f"Write to {o[a]['email']} before visiting", "Nothing"),
            "vat": plant(conn, "res.partner", person, "vat", "char", "GB112233445", "GB112233445"),
            "name": plant(conn, "res.partner", person, "name", "char", person_name, person_name),
            "latitude": plant(conn, "res.partner", person, "partner_latitude", "float", 51.5072, 51.5073),
            "company name": plant(conn, "res.partner", company, "name", "char", company_name, company_name + " Ltd"),
        }
        task = one(conn, "SELECT id FROM project_task ORDER BY id LIMIT 1")[0]
        move = one(conn, "SELECT id FROM account_move ORDER BY id LIMIT 1")[0]
        business = [
            plant(conn, model, task if model == "project.task" else move, field, ttype, old, new)
            for model, field, ttype, old, new in BUSINESS
        ]
        business += [rows.pop("company name")]
        before = [tracked(conn, r, t) for r, t in zip(business, ("char", "integer", "monetary", "char"))]
        conn.commit()
        originals = {"a": a, "b": b, "person": person, "employees": o}
        with psycopg.connect(dsn) as run:
            report = Masker(run, load_rules(str(RULES)), SALT, LocalDirectoryStore(path=str(files))).run()
    yield dsn, originals, rows, (business, before), report
    drop_database(pg, name)


def test_every_tracked_type_of_a_masked_field_is_masked_as_its_column(history):
    dsn, o, rows, _business, report = history
    assert report.leaks == []
    a, b = o["a"], o["b"]
    with psycopg.connect(dsn) as conn:
        masked = {e: one(conn, "SELECT passport_id, km_home_work, birthday FROM hr_employee WHERE id = %s", e) for e in (a, b)}
        # char: the old passport is B's, so it becomes B's fake; the new one A's fake; also once the field is gone
        assert tracked(conn, rows["passport"], "char") == (masked[b][0], masked[a][0])
        assert tracked(conn, rows["passport gone"], "char") == (masked[b][0], masked[a][0])
        assert masked[b][0] != o["employees"][b]["passport"]
        # integer: A's distance moves by A's own factor, as the column did
        assert tracked(conn, rows["km"], "integer") == (masked[a][1], masked[a][1]) != (o["employees"][a]["km"],) * 2
        # date tracked as a datetime at midnight: shifted as the column shifts that date
        old, new = tracked(conn, rows["birthday"], "date")
        assert (old.date(), new.date()) == (masked[b][2], masked[a][2]) and old.time() == new.time() == datetime.min.time()
        assert masked[b][2] != o["employees"][b]["birthday"]
        # text: scrubbed as the column is
        old, _ = tracked(conn, rows["notes"], "text")
        assert o["employees"][a]["email"] not in old and old.startswith("Write to ") and old.endswith(" before visiting")
        # a person's tax number (hash) and name (faker) become the fakes their columns got
        vat, name = one(conn, "SELECT vat, name FROM res_partner WHERE id = %s", o["person"])
        assert tracked(conn, rows["vat"], "char") == (vat, vat) and vat != "GB112233445"
        assert tracked(conn, rows["name"], "char") == (name, name)
        # float: the column is erased (null), so is its history
        assert tracked(conn, rows["latitude"], "float") == (None, None)


def test_tracked_changes_of_business_fields_stay_byte_identical(history):
    dsn, _o, _rows, (business, before), _report = history
    with psycopg.connect(dsn) as conn:
        assert [tracked(conn, r, t) for r, t in zip(business, ("char", "integer", "monetary", "char"))] == before
