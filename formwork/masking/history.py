"""Tracked history follows the rules: a masked column's old values in mail_tracking_value are masked alike.

Odoo's chatter keeps every tracked change in mail_tracking_value, in the columns of the field's type: char,
selection and many2one names in *_value_char, text in *_value_text, integer, boolean and many2one ids in
*_value_integer, float and monetary in *_value_float, date and datetime in *_value_datetime. A hand-kept list
of tracked fields falls behind the rules (an old passport number outlived its column's fake), so the history's
entries are derived here from the resolved entries instead: for every column C of table T an entry masks, the
tracked values of field C of T's model get the same strategy, options and dictionary. An old passport becomes
the fake the column would give that number, an old birthday moves as the column's would, an old home distance
by the employee's own factor. A tracked value of a record outside the entry's `where` (a company's name) stays;
one whose record is gone is masked. A row whose field was deleted since (field_id NULL) is matched by its
message's model and the field name Odoo keeps in field_info.

Fields no rule masks are business data: their numbers and dates stay as they are, and their char/text values
are whatever the rules file's own mail_tracking_value entries make of them (odoo17.yaml scrubs them, which
leaves text without personal data byte-identical). A rules file's own mail_tracking_value entry that only
scrubs gives way to the derived entries; any other one (the wage's, keyed by employee) wins over them.
Not derived: noise keyed by another column (`key: employee_id`), whose key is an expression over T's row;
its history is left to the rules file's own entries, and the plan says so.
A model's table is its name with '.' -> '_', as formwork.odoo_schema reads ir_model_fields.
"""

from __future__ import annotations

from dataclasses import replace

import psycopg
from psycopg import sql

from formwork.masking.introspect import base_type
from formwork.masking.model import ColumnRule, TableRule
from formwork.masking.strategies import REGISTRY
from formwork.rulefile import Origin

TABLE = "mail_tracking_value"
CHAR, TEXT = ("old_value_char", "new_value_char"), ("old_value_text", "new_value_text")
INTEGER, FLOAT, DATETIME = (
    ("old_value_integer", "new_value_integer"),
    ("old_value_float", "new_value_float"),
    ("old_value_datetime", "new_value_datetime"),
)
EVERY = CHAR + TEXT + INTEGER + FLOAT + DATETIME
GROUPS = {
    "every": EVERY,
    "char+text": CHAR + TEXT,
    "char": CHAR,
    "text": TEXT,
    "integer": INTEGER,
    "float": FLOAT,
    "datetime": DATETIME,
}
INTEGERS = ("integer", "smallint", "bigint", "boolean")
GROUP_OF_TYPE = {
    "character varying": "char",
    "character": "char",
    "text": "text",
    "numeric": "float",
    "double precision": "float",
    "real": "float",
    **dict.fromkeys(INTEGERS, "integer"),
    **dict.fromkeys(("date", "timestamp", "timestamp without time zone", "timestamp with time zone"), "datetime"),
}


def follow(
    conn: psycopg.Connection,
    entries: list[TableRule],
    tables: dict[str, dict[str, str]],
) -> tuple[list[TableRule], list[str], dict[int, TableRule]]:
    """`entries` (as formwork.masking.shipped split them: a kept module record keeps its history too) with the
    derived history entries added and the rules' own scrub of the history narrowed to what they leave; notes
    on columns whose history is left to the rules file; id(entry) -> the entry with a readable `where`."""
    if TABLE not in tables:
        return entries, [], {}
    needed = {
        TABLE: {"field_id", "mail_message_id", *EVERY},
        "mail_message": {"model", "res_id"},
        "ir_model_fields": {"model", "name"},
    }
    if missing := [f"{t}.{c}" for t, columns in needed.items() for c in sorted(columns - set(tables.get(t, {})))]:
        return (
            entries,
            [f"{TABLE}: not Odoo 17's tracking (no {', '.join(missing)}), its history is left to the rules file's own entries"],
            {},
        )
    models: dict[str, list[str]] = {}
    for (model,) in conn.execute("SELECT DISTINCT model FROM ir_model_fields ORDER BY model"):
        models.setdefault(model.replace(".", "_"), []).append(model)
    by_field: dict[tuple[str, str], list[tuple[TableRule, ColumnRule]]] = {}
    notes = []
    for entry in entries:
        if entry.table == TABLE or entry.delete or entry.table not in models:
            continue
        for rule in entry.columns:
            kind = base_type(tables[entry.table][rule.column])
            tracked = REGISTRY[rule.strategy].tracked(rule, kind, GROUP_OF_TYPE.get(kind, "char+text"))
            if isinstance(tracked, str):
                notes.append(
                    f"{TABLE}: history of {entry.table}.{rule.column} ({tracked}) is left to the rules file's own {TABLE} entries"
                )
            elif tracked is not None:
                by_field.setdefault((entry.table, rule.column), []).append((entry, tracked))
    merged: dict[tuple, tuple[ColumnRule, list[str], list[str]]] = {}
    for (table, column), found in by_field.items():
        for i, (entry, rule) in enumerate(found):
            where = _tracked(conn, tables, models[table], table, column, entry.where, missing_too=i == 0)
            key = (rule.strategy, repr(sorted(rule.options.items())), rule.column)
            wheres, names = merged.setdefault(key, (rule, [], []))[1:]
            wheres.append(where)
            names += [f"{table}.{column}"] if f"{table}.{column}" not in names else []
    derived, shown = [], {}
    for rule, wheres, names in merged.values():
        derived.append(
            TableRule(TABLE, _columns(rule), " OR ".join(f"({w})" for w in wheres), module="mail", origin=_origin(rule.origin))
        )
        shown[id(derived[-1])] = replace(derived[-1], where=f"tracked changes of {', '.join(names)}")
    return _settled(entries, derived, shown), list(dict.fromkeys(notes)), shown


def _tracked(
    conn: psycopg.Connection, tables: dict, models: list[str], table: str, column: str, where: str | None, missing_too: bool
) -> str:
    """The tracking rows of field `column` of `models`, of records the entry masks (and, if `missing_too`, of
    records that are gone)."""
    names = sql.SQL(", ").join(map(sql.Literal, models))
    field = sql.SQL("field_id IN (SELECT id FROM ir_model_fields WHERE model IN ({m}) AND name = {c})").format(
        m=names, c=sql.Literal(column)
    )
    if "field_info" in tables[TABLE]:
        field = sql.SQL(
            "{f} OR (field_id IS NULL AND field_info->>'name' = {c} AND mail_message_id IN "
            "(SELECT id FROM mail_message WHERE model IN ({m})))"
        ).format(f=field, c=sql.Literal(column), m=names)
    text = field.as_string(conn)
    if not where:
        return text
    # Unqualified names in `where` meet the entry's table first (innermost scope), as in the entry itself.
    record = sql.SQL("SELECT 1 FROM {t} fw_r WHERE fw_r.id = fw_m.res_id AND ").format(t=sql.Identifier(table)).as_string(conn)
    test = f"NOT EXISTS ({record}({where}) IS NOT TRUE)" if missing_too else f"EXISTS ({record}({where}))"
    return f"({text}) AND mail_message_id IN (SELECT fw_m.id FROM mail_message fw_m WHERE fw_m.model IN ({names.as_string(conn)}) AND {test})"


def _columns(rule: ColumnRule) -> tuple[ColumnRule, ...]:
    return tuple(replace(rule, column=column) for column in GROUPS[rule.column])


def _origin(origin: Origin | None) -> Origin | None:
    return replace(origin, key=f"{origin.key} (its tracked history in {TABLE})") if origin else None


def _settled(entries: list[TableRule], derived: list[TableRule], shown: dict[int, TableRule]) -> list[TableRule]:
    """The rules' own history entries next to the derived ones: any of them wins over a derived one, except one
    that only scrubs, which gives way; so no two entries rewrite the same cells."""
    own = [e for e in entries if e.table == TABLE and not e.delete]
    for entry in own:
        if not _scrub_only(entry):
            derived = [_narrowed(d, f"({entry.where or 'TRUE'}) IS NOT TRUE", shown) if _shared(d, entry) else d for d in derived]
    out = []
    for entry in entries:
        if entry in own and _scrub_only(entry) and (theirs := [d for d in derived if _shared(d, entry)]):
            shown[id(entry)] = replace(
                entry, where=f"{entry.where + ', ' if entry.where else ''}not tracked changes of a masked field"
            )
            entry = _narrowed(entry, f"({' OR '.join(f'({d.where})' for d in theirs)}) IS NOT TRUE", shown)
        out.append(entry)
    return out + derived


def _narrowed(entry: TableRule, condition: str, shown: dict[int, TableRule]) -> TableRule:
    """`entry` on the rows it matches where `condition` holds, shown as before in the plan."""
    narrowed = replace(entry, where=f"({entry.where or 'TRUE'}) AND {condition}")
    shown[id(narrowed)] = shown.pop(id(entry), entry)
    return narrowed


def _scrub_only(entry: TableRule) -> bool:
    return all(c.strategy == "scrub" for c in entry.columns)


def _shared(first: TableRule, second: TableRule) -> bool:
    return bool({c.column for c in first.columns} & {c.column for c in second.columns})
