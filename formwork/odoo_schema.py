"""What an Odoo database says about itself: the modules installed and the fields they store.

Rules name the module that owns their table. A rule whose module is not installed
is skipped, and said so. A rule that applies (its module is installed, or an
installed module declares one of its columns as a stored field in ir_model_fields)
but whose table or column is missing is schema drift: refused before anything is
written, because running it anyway cuts less than it claims (an SMTP password left
in a table that `rewire check` would call clean). A database without
ir_module_module is not Odoo: which rules apply cannot be told, so nothing runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg

from formwork.errors import InputError
from formwork.masking import introspect
from formwork.rulefile import RulesError

# States of a module whose tables and columns exist (Odoo counts these as installed too).
INSTALLED = ("installed", "to upgrade", "to remove")
# Field types stored without a column of their own.
NO_COLUMN = ("one2many", "many2many", "binary")
# Field types held in a text column, the ones a `clear` pattern of credentials can match.
TEXT_FIELDS = ("char", "text")


class SchemaDrift(RulesError):
    """A rule that applies meets a database lacking its table or column: one line naming rule, table.column and module."""


@dataclass(frozen=True)
class OdooSchema:
    columns: dict[str, dict[str, str]]  # table -> column -> type (introspect.columns)
    installed: frozenset[str]
    stored: dict[str, dict[str, str]]  # table -> field -> ttype, stored fields as ir_model_fields declares them

    def skip_reason(self, module: str | None, table: str, columns: list[str]) -> str | None:
        """Why a rule does not apply here, or None when it does (then its table and columns must exist)."""
        if module is None or module in self.installed:
            return None
        if any(column in self.stored.get(table, {}) for column in columns):
            return None  # an installed module declares the column: its values are live whatever the rule says
        return f"module {module} not installed"

    def declared_text(self, table: str, pattern: str) -> list[str]:
        """Stored text fields of `table` whose names match `pattern`, as ir_model_fields declares them."""
        return [name for name, ttype in self.stored.get(table, {}).items() if ttype in TEXT_FIELDS and re.search(pattern, name)]

    def missing(self, table: str, columns: list[str]) -> str | None:
        """'table.column' (or 'table') that a rule needs and the database lacks; None when all are there."""
        present = self.columns.get(table)
        if present is None:
            return table
        return next((f"{table}.{column}" for column in columns if column not in present), None)


def drift(where: str, problem: str, module: str | None) -> SchemaDrift:
    """`problem`: what is missing, e.g. 'ir_mail_server.smtp_pass does not exist'."""
    owner = f"module {module} is installed" if module else "the rule names no module, so it always applies"
    return SchemaDrift(f"{where}: schema drift: {problem}, but {owner}; refusing before any change")


def read(conn: psycopg.Connection, columns: dict[str, dict[str, str]] | None = None) -> OdooSchema:
    """The database's schema as the rules see it; InputError when it is not an Odoo database."""
    columns = introspect.columns(conn) if columns is None else columns
    if "ir_module_module" not in columns:
        raise InputError(
            f"database {conn.info.dbname}: no ir_module_module table, so not an Odoo database "
            "(which modules are installed cannot be told); refusing before any change"
        )
    installed = frozenset(
        name for (name,) in conn.execute("SELECT name FROM ir_module_module WHERE state = ANY(%s)", (list(INSTALLED),))
    )
    stored: dict[str, dict[str, str]] = {}
    if {"model", "name", "ttype", "store"} <= set(columns.get("ir_model_fields", {})):
        rows = conn.execute(
            "SELECT model, name, ttype FROM ir_model_fields WHERE store AND NOT (ttype = ANY(%s))", (list(NO_COLUMN),)
        )
        for model, name, ttype in rows:
            stored.setdefault(model.replace(".", "_"), {})[name] = ttype
    return OdooSchema(columns, installed, stored)
