"""Rows Odoo's modules ship (OdooBot, the public user, views, module descriptions) are not personal data.

A row is module-shipped when ir_model_data maps it (model, res_id) under a real module (not __export__,
__import__, __custom__...: those name rows users exported or imported), the mapping is Odoo's own (module
loading writes it with raw SQL, so create_uid and write_uid are NULL or 1; one an admin adds in the UI is his),
and nobody edited the row since: its write_uid is NULL or 1. Odoo loads module data as SUPERUSER_ID (1) and
stamps every later edit with the editing user's id, so an admin who renamed base.partner_admin to his own name
(write_uid 2) is masked as usual. write_date is no signal: later module installs touch it. Edits made as uid 1
(odoo-bin shell, crons running as OdooBot) or in plain SQL leave it at 1, so they look unedited; a module that
loads real people's records (a data migration module) makes them look shipped too: such databases must not opt in.

Opt-in with `module_records: keep` in the rules file. Then no fake replaces a shipped row's values (they keep
their names, and are not sampled for the leak check), while what resets or erases (staging_password, null,
constant, delete) and scrub still apply to them: a shipped admin keeps no production password, a shipped row
no other person's name. The leak check does not search shipped rows (module descriptions, views, field labels,
digest tips, module mail templates), and coverage judges columns by the content of the other rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import psycopg
from psycopg import sql

from formwork.masking import introspect
from formwork.masking.model import RuleSet, TableRule
from formwork.masking.strategies import REGISTRY
from formwork.rulefile import RulesError

SUPERUSER_ID = 1
# The ir_model_data rows (d) that a real module's loading wrote.
MAPPED = (
    f"d.res_id IS NOT NULL AND NOT starts_with(d.module, '__') AND COALESCE(d.create_uid, {SUPERUSER_ID}) = {SUPERUSER_ID} "
    f"AND COALESCE(d.write_uid, {SUPERUSER_ID}) = {SUPERUSER_ID}"
)


@dataclass
class ShippedRows:
    conditions: dict[str, str] = field(default_factory=dict)  # table -> SQL condition true on its module-shipped rows
    counts: dict[str, int] = field(default_factory=dict)  # table -> module-shipped rows
    shown: dict[int, TableRule] = field(default_factory=dict)  # id(entry split here) -> the entry as the plan shows it

    def split(self, entries: Iterable[TableRule]) -> list[TableRule]:
        """Each entry on a table with shipped rows becomes: all its columns on the other rows, and the
        others (credentials, secrets, free text) on the shipped ones. Deletes stay whole."""
        out: list[TableRule] = []
        for entry in entries:
            shipped = self.conditions.get(entry.table)
            if shipped is None or entry.delete:
                out.append(entry)
                continue
            parts = [(entry.columns, f"NOT {shipped}", "NOT module-shipped")]
            if still := tuple(c for c in entry.columns if not REGISTRY[c.strategy].spares_shipped):
                parts.append((still, shipped, "module-shipped"))
            for columns, condition, shown in parts:
                out.append(part := replace(entry, columns=columns, where=_both(entry.where, condition)))
                self.shown[id(part)] = replace(part, where=_both(entry.where, shown))
        return out

    def shown_as(self, entry: TableRule) -> TableRule:
        """The entry with a readable `where` for the plan (the SQL condition is long)."""
        return self.shown.get(id(entry), entry)

    def notes(self, entries: Iterable[TableRule]) -> list[str]:
        """One line per masked table with shipped rows, and one for the leak check."""
        still_masked: dict[str, list[str]] = {}
        for entry in entries:
            if entry.table in self.conditions and not entry.delete:
                masked = still_masked.setdefault(entry.table, [])
                masked += [c.column for c in entry.columns if not REGISTRY[c.strategy].spares_shipped and c.column not in masked]
        lines = [
            f"{table}: {self.counts[table]:,} module-shipped rows kept (ir_model_data, never edited)"
            + (f"; {', '.join(masked)} still masked in them" if masked else "")
            for table, masked in sorted(still_masked.items())
        ]
        if self.counts:
            lines.append(
                f"leak check: {sum(self.counts.values()):,} module-shipped rows in {len(self.counts)} tables not searched "
                "(what modules ship is not what users wrote)"
            )
        return lines


def find(conn: psycopg.Connection, rules: RuleSet, tables: dict[str, dict[str, str]]) -> ShippedRows:
    """The shipped rows of every table, if the rules keep them; reads only."""
    if rules.module_records is None:
        return ShippedRows()
    if not {"module", "model", "res_id", "create_uid", "write_uid"} <= set(tables.get("ir_model_data", {})):
        raise RulesError(
            f"{rules.module_records}: keep needs Odoo's ir_model_data table (module, model, res_id, create_uid, write_uid) "
            "and this database has none, so Formwork cannot tell module records from users' (remove the key); nothing was changed"
        )
    models: dict[str, list[str]] = {}
    for (model,) in conn.execute(
        f"SELECT DISTINCT d.model FROM ir_model_data d WHERE d.model IS NOT NULL AND {MAPPED} ORDER BY 1"
    ):
        table = model.replace(".", "_")
        if {"id", "write_uid"} <= set(tables.get(table, {})):  # without write_uid no row can be shown unedited
            models.setdefault(table, []).append(model)
    found = ShippedRows()
    for table, names in models.items():
        shipped = _shipped(conn, names)
        if count := introspect.count(conn, table, shipped):  # a semi-join from ir_model_data: no scan of big tables
            found.conditions[table], found.counts[table] = f"({shipped}) IS TRUE", count
    return found


def _both(where: str | None, condition: str) -> str:
    return f"({where}) AND {condition}" if where else condition


def _shipped(conn: psycopg.Connection, models: list[str]) -> str:
    """True on the rows of a table (of these models) that a real module loaded and nobody edited since. The
    conditions kept add IS TRUE: never NULL, so that their negation selects exactly the other rows."""
    names = ", ".join(sql.Literal(m).as_string(conn) for m in models)
    return (
        f"COALESCE(write_uid, {SUPERUSER_ID}) = {SUPERUSER_ID} AND id IN (SELECT d.res_id FROM ir_model_data d "
        f"WHERE d.model IN ({names}) AND {MAPPED})"
    )


LOOKUP_INDEX = "fw_masking_module_rows"


@contextmanager
def looked_up(conn: psycopg.Connection, found: ShippedRows) -> Iterator[None]:
    """ir_model_data indexed by (model, res_id) for the block, inside the caller's transaction: a copy straight
    from its restore has no indexes yet, and every query carrying a shipped-rows condition (counts, reads,
    rewrites, coverage, the leak check) scanned the whole table (real Odoo's masking run: 10.4 s, 7.5 s indexed).
    Dropped at the end, so the copy gets only Odoo's own indexes; an error rolls it back with the rest."""
    indexed = (
        conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_index x JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0] "
            "WHERE x.indrelid = 'ir_model_data'::regclass AND a.attname = 'model')"
        ).fetchone()[0]
        if found.conditions
        else True
    )
    if indexed:
        yield
        return
    conn.execute(f"CREATE INDEX {LOOKUP_INDEX} ON ir_model_data (model, res_id)")
    yield
    conn.execute(f"DROP INDEX {LOOKUP_INDEX}")
