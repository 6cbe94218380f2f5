"""Rules meet a real database.

One rules file serves many databases with different modules installed. An entry
for a module that is not installed is skipped, and said so; a misspelt table or
column is an error, because silently masking nothing is how data leaks. Types are
checked here too, so a strategy never meets a column it cannot rewrite half-way
through a refresh.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from formwork.masking.model import AttachmentRule, ColumnRule, RuleSet, TableRule
from formwork.masking.rules import RulesError

TEXT_TYPES = frozenset({"character varying", "text", "jsonb", "character"})
NUMBER_TYPES = frozenset({"numeric", "integer", "smallint", "bigint", "double precision", "real"})
# "timestamp" is what remains of "timestamp(3) without time zone" once the precision is cut off.
DATE_TYPES = frozenset({"date", "timestamp", "timestamp without time zone", "timestamp with time zone"})

# Strategies absent from this map (keep, null, constant) apply to any type.
COLUMN_TYPES = {
    "faker": TEXT_TYPES, "hash": TEXT_TYPES, "template": TEXT_TYPES, "scrub": TEXT_TYPES,
    "noise": NUMBER_TYPES, "shift": DATE_TYPES,
}


def resolve(
    rules: RuleSet, columns: dict[str, dict[str, str]], installed_modules: set[str]
) -> tuple[list[TableRule], list[str], list[AttachmentRule]]:
    """(entries to apply, notes on what was skipped, attachment rules to apply); RulesError on a mismatch."""
    tables: list[TableRule] = []
    notes: list[str] = []
    for entry in rules.tables:
        if entry.module and entry.module not in installed_modules:
            notes.append(f"{entry.table} (module {entry.module} not installed): skipped")
            continue
        table_columns = _table_columns(columns, entry.table, entry)
        for rule in entry.columns:
            _check_column(rule, entry.table, table_columns)
        tables.append(entry)
    attachments: list[AttachmentRule] = []
    for rule in rules.attachments:
        if rule.module and rule.module not in installed_modules:
            notes.append(f"ir_attachment where {rule.where} (module {rule.module} not installed): skipped")
            continue
        _table_columns(columns, "ir_attachment", rule)
        attachments.append(rule)
    return tables, notes, attachments


def _table_columns(columns: dict[str, dict[str, str]], table: str, rule: TableRule | AttachmentRule) -> dict[str, str]:
    if table not in columns:
        hint = "" if rule.module else " (add module: if an optional module provides it)"
        key = f"{rule.origin}.table" if isinstance(rule, TableRule) else str(rule.origin)
        raise RulesError(f"{key}: the database has no table '{table}'{hint}")
    return columns[table]


def _check_column(rule: ColumnRule, table: str, table_columns: dict[str, str]) -> None:
    data_type = table_columns.get(rule.column)
    if data_type is None:
        raise RulesError(f"{rule.origin}: table {table} has no column '{rule.column}'")
    allowed = COLUMN_TYPES.get(rule.strategy)
    if allowed is not None and data_type not in allowed:
        raise RulesError(
            f"{rule.origin}: {rule.strategy} cannot apply to {table}.{rule.column} of type {data_type} "
            f"(it needs one of: {', '.join(sorted(allowed))})"
        )


def check_overlaps(conn: psycopg.Connection, entries: list[TableRule]) -> None:
    """Two entries must not rewrite the same column of the same rows: the second would meet the
    first's fakes instead of originals. Disjoint `where`s (individuals / companies) are fine."""
    for i, first in enumerate(entries):
        for second in entries[i + 1:]:
            if first.table != second.table or first.delete or second.delete:
                continue
            shared = sorted({c.column for c in first.columns} & {c.column for c in second.columns})
            if not shared:
                continue
            if first.where and second.where:
                both = sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE ({}) AND ({}))").format(
                    sql.Identifier(first.table), sql.SQL(first.where), sql.SQL(second.where))
                if not conn.execute(both).fetchone()[0]:
                    continue
            raise RulesError(f"{second.origin}: rewrites {first.table}.{', '.join(shared)} in rows that "
                             f"{first.origin} already rewrites; make their where conditions exclusive")
