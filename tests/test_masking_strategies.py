"""A masking strategy is one unit registered by name: a strategy defined here, in one class, is read
from a rules file (its options checked by its own schema), computed by the engine's workers, and its new
values feed a template; a strategy nobody registered is refused in one line listing the registered ones,
before anything changes."""

from __future__ import annotations

import psycopg
import pytest

from formwork.masking import strategies
from formwork.masking.engine import Masker
from formwork.masking.rules import RulesError, load_rules
from formwork.masking.strategies import REGISTRY, Strategy, register
from tests.support.clusters import create_database, drop_database

SALT = b"strategies-salt-0123456789abcdef"
RULES = """\
version: 1
locale: en_GB
tables:
  - table: x_site
    columns:
      code: {column}
      label: {{template: "{{code|upper}}/{{note}}"}}
      note: null
"""


class Reverse(Strategy):
    """The test's own strategy: the text backwards, then `suffix`, computed row by row in the workers."""

    name = "reverse"
    schema = {"type": "object", "properties": {"suffix": {"type": "string"}}, "additionalProperties": False}
    shown = True
    by_row = True

    def function(self, masker, entry, rule, result):
        suffix = rule.options.get("suffix", "")
        return lambda value: value[::-1] + suffix


@pytest.fixture(scope="module")
def site(pg):
    """A database with one hand-made table (its name), and the table's digest."""
    name = create_database(pg, "strategies")
    with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
        conn.execute("""
            CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar, state varchar);
            CREATE TABLE x_site (id integer PRIMARY KEY, code varchar, label varchar, note text);
            INSERT INTO x_site VALUES (1, 'north-7', 'North 7', 'gate code 1234'), (2, 'yard', 'Yard', NULL), (3, NULL, 'Empty', 'x');""")
    yield name
    drop_database(pg, name)


@pytest.fixture
def reverse():
    register(Reverse)
    yield
    del REGISTRY["reverse"]


def _rows(pg, name) -> list[tuple]:
    with psycopg.connect(pg.dsn(name)) as conn:
        return conn.execute("SELECT id, code, label, note FROM x_site ORDER BY id").fetchall()


def _refused(pg, site, tmp_path, column: str) -> str:
    before = _rows(pg, site)
    path = tmp_path / "rules.yml"
    path.write_text(RULES.format(column=column))
    with pytest.raises(RulesError) as refused, psycopg.connect(pg.dsn(site)) as conn:
        Masker(conn, load_rules(path), SALT).run()
        conn.commit()
    assert _rows(pg, site) == before
    message = str(refused.value)
    assert "\n" not in message and message.startswith(f"{path}:6: tables[0].columns.code"), message
    return message


def test_a_strategy_defined_in_one_class_masks_through_the_engine(pg, site, tmp_path, reverse):
    path = tmp_path / "rules.yml"
    path.write_text(RULES.format(column='{reverse: {suffix: "-x"}}'))
    with psycopg.connect(pg.dsn(site)) as conn:
        report = Masker(conn, load_rules(path), SALT).run()
        rows = conn.execute("SELECT id, code, label, note FROM x_site ORDER BY id").fetchall()
        conn.rollback()
    assert rows == [(1, "7-htron-x", "7-HTRON-X/", None), (2, "dray-x", "DRAY-X/", None), (3, None, "/", None)]
    assert report.columns["x_site.code"] == "reverse {'suffix': '-x'}"
    assert report.leaks == []


def test_its_options_are_checked_by_its_own_schema(pg, site, tmp_path, reverse):
    message = _refused(pg, site, tmp_path, "{reverse: {sufix: '-x'}}")
    assert "sufix" in message


def test_a_strategy_nobody_registered_is_refused_listing_the_registered_ones(pg, site, tmp_path):
    listed = f"(use one of: {strategies.names()})"
    assert "reverse" not in listed and "faker, keep, null" in listed
    for written in ("{reverse: {suffix: '-x'}}", "reverse"):
        assert _refused(pg, site, tmp_path, written).endswith(f"unknown strategy 'reverse' {listed}")
