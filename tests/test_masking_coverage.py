"""Coverage fails closed: a personal-looking column with no rule and no `keep:` entry stops the run before any change."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from formwork.errors import InputError
from formwork.masking.coverage import UncoveredColumns
from formwork.masking.engine import Masker
from formwork.masking.rules import load_rules
from tests.support.clusters import create_database, drop_database

SALT = b"coverage-salt-0123456789abcdef"
RULES = """\
version: 1
locale: en_GB
tables:
  - table: res_partner
    module: base
    columns:
      name: {faker: name}
"""
KEEP = """\
keep:
  - column: x_site_log.x_private_email
    reason: the site's shared inbox address, printed on every delivery note
"""


@pytest.fixture
def small_odoo(pg):
    """A hand-made Odoo-shaped database: base installed, partners, and a custom module's table with a personal column."""
    name = create_database(pg, "cov")
    with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
        conn.execute("""
            CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar, state varchar);
            INSERT INTO ir_module_module (name, state) VALUES ('base', 'installed'), ('x_site', 'installed');
            CREATE TABLE ir_model_fields (id serial PRIMARY KEY, model varchar, name varchar, ttype varchar, store boolean);
            INSERT INTO ir_model_fields (model, name, ttype, store) VALUES
                ('res.partner', 'name', 'char', true), ('x.site.log', 'x_private_email', 'char', true),
                ('x.site.log', 'x_note', 'text', true);
            CREATE TABLE res_partner (id serial PRIMARY KEY, name varchar);
            INSERT INTO res_partner (name) VALUES ('Harriet Okafor'), ('Tomasz Wójcik');
            CREATE TABLE x_site_log (id serial PRIMARY KEY, x_private_email varchar, x_note text);
            INSERT INTO x_site_log (x_private_email, x_note) VALUES ('harriet.okafor@gmail.com', 'gate code changed');
        """)
    yield pg.dsn(name)
    drop_database(pg, name)


def digest(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT md5((SELECT string_agg(name, '|' ORDER BY id) FROM res_partner) || "
            "(SELECT string_agg(x_private_email || x_note, '|' ORDER BY id) FROM x_site_log))"
        ).fetchone()[0]


def rules_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    return path


def test_uncovered_personal_column_refuses_before_any_change_then_passes_once_kept(small_odoo, tmp_path):
    before = digest(small_odoo)
    path = rules_file(tmp_path, RULES)
    with psycopg.connect(small_odoo) as conn:
        masker = Masker(conn, load_rules(path), SALT)
        assert "uncovered: x_site_log.x_private_email: name looks personal" in masker.plan().lines()
        with pytest.raises(UncoveredColumns) as refused:
            masker.run()
    message = str(refused.value)
    assert isinstance(refused.value, InputError) and "\n" not in message
    assert str(path) in message and "x_site_log.x_private_email: name looks personal" in message
    assert "harriet" not in message.lower()  # names the column, never the value
    assert digest(small_odoo) == before

    rules_file(tmp_path, RULES + KEEP)
    with psycopg.connect(small_odoo) as conn:
        masker = Masker(conn, load_rules(path), SALT)
        lines = masker.plan().lines()
        assert lines[0] == "coverage: 1 masked, 1 kept, 0 uncovered personal-looking columns"
        assert "kept: x_site_log.x_private_email: the site's shared inbox address, printed on every delivery note" in lines
        masker.run()
        assert conn.execute("SELECT x_private_email FROM x_site_log").fetchone()[0] == "harriet.okafor@gmail.com"
        assert "Harriet Okafor" not in [n for (n,) in conn.execute("SELECT name FROM res_partner")]


def test_uncovered_column_found_by_content(small_odoo, tmp_path):
    """A column with a harmless name holding personal-looking content is refused too."""
    with psycopg.connect(small_odoo, autocommit=True) as conn:
        conn.execute("UPDATE x_site_log SET x_note = 'ring +44 7700 900123 or write to tomasz.w@example.org'")
    before = digest(small_odoo)
    path = rules_file(tmp_path, RULES + KEEP)
    with psycopg.connect(small_odoo) as conn:
        with pytest.raises(UncoveredColumns) as refused:
            Masker(conn, load_rules(path), SALT).run()
    assert "x_site_log.x_note: content looks like" in str(refused.value)
    assert "tomasz" not in str(refused.value)
    assert digest(small_odoo) == before


@pytest.mark.parametrize(
    "entry, key, says",
    [
        ("  - column: x_site_log.x_private_email\n    reason: ''\n", "keep[0].reason", "must not be empty"),
        ("  - column: x_site_log.x_private_email\n", "keep[0].reason", "missing required key"),
        ("  - column: x_private_email\n    reason: shared inbox\n", "keep[0].column", "expected table.column"),
        ("  - column: x_site_log.x_private_email\n    reason: shared inbox\n    why: x\n", "keep[0].why", "unknown key"),
    ],
)
def test_keep_entries_need_a_column_and_a_reason(tmp_path, entry, key, says):
    path = rules_file(tmp_path, RULES + "keep:\n" + entry)
    with pytest.raises(InputError) as refused:
        load_rules(path)
    message = str(refused.value)
    assert str(path) in message and key in message and says in message and "\n" not in message
