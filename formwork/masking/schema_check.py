"""Rules meet a real database.

One rules file serves many databases with different modules installed. An entry
for a module that is not installed is skipped, and said so; a misspelt table or
column is an error, and so is a missing one of an installed module (schema drift,
see formwork.odoo_schema), because silently masking nothing is how data leaks. Types are
checked here too, so a strategy never meets a column it cannot rewrite half-way
through a refresh.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from formwork import odoo_schema
from formwork.masking import introspect
from formwork.masking.model import AttachmentRule, ColumnRule, RuleSet, TableRule
from formwork.masking.rules import RulesError
from formwork.masking.strategies import REGISTRY
from formwork.odoo_schema import OdooSchema, SchemaDrift


def resolve_database(
    conn: psycopg.Connection,
    rules: RuleSet,
    tables: dict[str, dict[str, str]] | None = None,
) -> tuple[list[TableRule], list[str], list[AttachmentRule]]:
    """resolve() against what `conn`'s database holds (`tables`: introspect.columns, if already read); reads only."""
    tables = introspect.columns(conn) if tables is None else tables
    schema = odoo_schema.read(conn, tables)
    base_types = {t: {c: introspect.base_type(k) for c, k in cols.items()} for t, cols in tables.items()}
    return resolve(rules, base_types, set(schema.installed), schema.stored)


def resolve(
    rules: RuleSet,
    columns: dict[str, dict[str, str]],
    installed_modules: set[str],
    stored: dict[str, dict[str, str]] | None = None,
) -> tuple[list[TableRule], list[str], list[AttachmentRule]]:
    """(entries to apply, notes on what was skipped, attachment rules to apply); RulesError on a mismatch.
    `stored`: table -> stored field -> type, as ir_model_fields declares them (see formwork.odoo_schema)."""
    schema = OdooSchema(columns, frozenset(installed_modules), stored or {})
    tables: list[TableRule] = []
    notes: list[str] = []
    for entry in rules.tables:
        why = schema.skip_reason(entry.module, entry.table, [rule.column for rule in entry.columns])
        if why:
            notes.append(f"{entry.table} ({why}): skipped")
            continue
        table_columns = _table_columns(columns, entry.table, entry)
        for rule in entry.columns:
            _check_column(rule, entry, table_columns)
        tables.append(entry)
    attachments: list[AttachmentRule] = []
    for rule in rules.attachments:
        why = schema.skip_reason(rule.module, "ir_attachment", [])
        if why:
            notes.append(f"ir_attachment where {rule.where} ({why}): skipped")
            continue
        _table_columns(columns, "ir_attachment", rule)
        attachments.append(rule)
    return tables, notes, attachments


def _table_columns(columns: dict[str, dict[str, str]], table: str, rule: TableRule | AttachmentRule) -> dict[str, str]:
    if table not in columns:
        key = f"{rule.origin}.table" if isinstance(rule, TableRule) else str(rule.origin)
        if rule.module:
            raise SchemaDrift(f"{key}: the database has no table '{table}' (schema drift: module {rule.module} is installed)")
        raise RulesError(f"{key}: the database has no table '{table}' (add module: if an optional module provides it)")
    return columns[table]


def _check_column(rule: ColumnRule, entry: TableRule, table_columns: dict[str, str]) -> None:
    table = entry.table
    data_type = table_columns.get(rule.column)
    if data_type is None and entry.module:
        raise SchemaDrift(
            f"{rule.origin}: table {table} has no column '{rule.column}' (schema drift: module {entry.module} is installed)"
        )
    if data_type is None:
        raise RulesError(f"{rule.origin}: table {table} has no column '{rule.column}'")
    strategy = REGISTRY[rule.strategy]
    if misfit := strategy.misfit(table, rule.column):
        raise RulesError(f"{rule.origin}: {misfit}")
    allowed = strategy.types
    if allowed is not None and data_type not in allowed:
        raise RulesError(
            f"{rule.origin}: {rule.strategy} cannot apply to {table}.{rule.column} of type {data_type} "
            f"(it needs one of: {', '.join(sorted(allowed))})"
        )


def check_overlaps(conn: psycopg.Connection, entries: list[TableRule]) -> None:
    """Two entries must not rewrite the same column of the same rows: the second would meet the
    first's fakes instead of originals. Disjoint `where`s (individuals / companies) are fine.

    One scan per table, counting for each column several entries rewrite the entries each row matches,
    each entry's condition evaluated once per row: entries derived per tracked field
    (formwork.masking.history) are dozens on one table, and a query per pair took minutes on a freshly
    restored copy without statistics (a query per column, 0.8 s of each run on real Odoo's history)."""
    sharing: dict[tuple[str, str], list[TableRule]] = {}
    for entry in entries:
        if not entry.delete:
            for rule in entry.columns:
                sharing.setdefault((entry.table, rule.column), []).append(entry)
    per_table: dict[str, dict[tuple[int, ...], list[TableRule]]] = {}  # columns sharing the same entries: checked once
    for (table, _column), group in sharing.items():
        if len(group) > 1:
            if not all(e.where for e in group):
                _name_the_pair(conn, group)
            per_table.setdefault(table, {})[tuple(map(id, group))] = group
    for table, groups in per_table.items():
        for group, twice in zip(groups.values(), _rows_matched_twice(conn, table, list(groups.values()))):
            if twice:
                _name_the_pair(conn, group)


def _rows_matched_twice(conn: psycopg.Connection, table: str, groups: list[list[TableRule]]) -> list[bool]:
    """For each group of entries, whether a row of `table` matches two of them."""
    distinct = list({id(e): e for group in groups for e in group}.values())
    matches = {id(e): sql.Identifier(f"m{i}") for i, e in enumerate(distinct)}
    each = sql.SQL(", ").join(sql.SQL("(({}) IS TRUE)::int AS {}").format(sql.SQL(e.where), matches[id(e)]) for e in distinct)
    twice = sql.SQL(", ").join(
        sql.SQL("coalesce(bool_or({} > 1), false)").format(sql.SQL(" + ").join(matches[id(e)] for e in group)) for group in groups
    )
    # OFFSET 0 keeps the subquery whole: each condition is evaluated once per row, not once per group using it.
    query = sql.SQL("SELECT {} FROM (SELECT {} FROM {} OFFSET 0) AS matched").format(twice, each, sql.Identifier(table))
    return list(conn.execute(query).fetchone())


def _name_the_pair(conn: psycopg.Connection, group: list[TableRule]) -> None:
    for i, first in enumerate(group):
        for second in group[i + 1 :]:
            if first.where and second.where and not _rows_matched_twice(conn, first.table, [[first, second]])[0]:
                continue
            shared = sorted({c.column for c in first.columns} & {c.column for c in second.columns})
            raise RulesError(
                f"{second.origin}: rewrites {first.table}.{', '.join(shared)} in rows that "
                f"{first.origin} already rewrites; make their where conditions exclusive"
            )
