"""Wizards (Odoo's transient models) hold nothing a copy needs: their rows are deleted, not masked.

A wizard row lives about an hour before Odoo vacuums it, and meanwhile holds what
someone just typed: a new password, an API key, an e-mail address. Listing each
column under `keep:` would be wrong, and masking them one by one brittle (every
module adds wizards), so `transient_models: delete` makes every table whose model
ir_model marks transient a `delete: true` entry: all its columns count as covered,
and its rows are deleted first thing inside the masking transaction, so a failed
run leaves them as they were. One DELETE per table, never TRUNCATE ... CASCADE
(that would empty the regular tables pointing at a wizard). A database whose
ir_model cannot say which models are transient is refused: Formwork cannot tell.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

import psycopg

from formwork.masking.model import RuleSet, TableRule
from formwork.rulefile import RulesError

# Foreign keys that refuse a referenced row's deletion (NO ACTION, RESTRICT): the referencing rows go first.
BLOCKING = ("a", "r")


def entries(conn: psycopg.Connection, rules: RuleSet, tables: dict[str, dict[str, str]]) -> list[TableRule]:
    """One `delete: true` entry per existing transient table, in an order no foreign key between them
    refuses; [] when the rules do not ask. Reads only."""
    origin = rules.transient_models
    if origin is None:
        return []
    if not {"model", "transient"} <= set(tables.get("ir_model", {})):
        raise RulesError(
            f"{origin}: delete: the database has no ir_model table with a transient column, so which "
            "tables belong to wizards cannot be told; refusing before any change"
        )
    models = [model for (model,) in conn.execute("SELECT model FROM ir_model WHERE transient ORDER BY model")]
    present = [table for table in dict.fromkeys(m.replace(".", "_") for m in models) if table in tables]
    return [TableRule(table=table, columns=(), delete=True, origin=origin) for table in _referencing_first(conn, present)]


def _referencing_first(conn: psycopg.Connection, tables: list[str]) -> list[str]:
    """`tables` ordered so that rows a blocking foreign key holds on to are deleted after the rows holding them
    (sms.resend.recipient before sms.resend). With a cycle, the given order: the database then refuses only
    if rows really block, and the run rolls back."""
    order = TopologicalSorter({table: () for table in tables})
    edges = conn.execute(
        """
        SELECT src.relname, dst.relname FROM pg_constraint k
        JOIN pg_class src ON src.oid = k.conrelid JOIN pg_class dst ON dst.oid = k.confrelid
        WHERE k.contype = 'f' AND k.confdeltype = ANY(%s) AND k.conrelid <> k.confrelid
          AND src.relnamespace = 'public'::regnamespace AND dst.relnamespace = 'public'::regnamespace
          AND src.relname = ANY(%s) AND dst.relname = ANY(%s)""",
        (list(BLOCKING), tables, tables),
    )
    for referencing, referenced in edges:
        order.add(referenced, referencing)
    try:
        return list(order.static_order())
    except CycleError:
        return tables
