"""Which text columns no rule touches, and whether they look personal.

Fail closed: a personal-looking column that is neither masked by a rule nor kept
on purpose (`keep:` with a reason) stops the run before anything changes, so a
new module's columns cannot leak silently.
"""

from __future__ import annotations

import re

import psycopg
from psycopg import sql

from formwork.errors import InputError
from formwork.masking.introspect import is_text
from formwork.masking.model import KeptColumn
from formwork.masking.scrub import DETECTORS

# Names that mean personal data on their own; generic ones (name, notes, body) are judged by content.
PERSONAL_NAME = re.compile(
    r"(^|_)(email|phone|mobile|street|street2|zip|birth|birthday|birthdate|ssn|ssnid|sinid|passport|iban|acc_number|"
    r"signature|password|pass|token|secret|api_key|identification|permit|visa|spouse|emergency|private|pin|plate|login)($|_)"
)
# Odoo technical columns that match the pattern but never hold personal data.
TECHNICAL = re.compile(r"^(model|model_name|res_model|ttype|state|type|code|module|key|xml_id|arch_.*|.*_uid)$")


class UncoveredColumns(InputError):
    """Personal-looking columns with neither a rule nor a `keep:` entry: the rules file is incomplete."""

    def __init__(self, rules_file: str, notes: list[str]):
        super().__init__(
            f"{rules_file}: {len(notes)} personal-looking column(s) have no rule and no keep entry "
            f"(mask them, or add them under keep: with a reason); nothing was changed: {'; '.join(notes)}"
        )
        self.notes = notes


def uncovered(
    conn: psycopg.Connection,
    tables: dict[str, dict[str, str]],
    covered: set[tuple[str, str]],
    sample: int = 50,
    module_rows: dict[str, str] | None = None,
) -> list[str]:
    """'table.column: why' for personal-looking text columns without a rule (or a keep entry, in `covered`).
    Content is judged on rows other than `module_rows` (table -> SQL condition): text a module ships
    (an address in a field's help) says nothing about what users typed."""
    module_rows = module_rows or {}
    notes = []
    for table, columns in sorted(tables.items()):
        for column, kind in columns.items():
            if (table, column) in covered or not is_text(kind) or TECHNICAL.match(column):
                continue
            reason = None
            if PERSONAL_NAME.search(column):
                reason = "name looks personal"
            else:
                skip = (
                    sql.SQL(" AND NOT {}").format(sql.SQL(module_rows[table].replace("%", "%%")))
                    if table in module_rows
                    else sql.SQL("")
                )
                values = [
                    v
                    for (v,) in conn.execute(
                        sql.SQL("SELECT {}::text FROM {} WHERE {} IS NOT NULL{} LIMIT %s").format(
                            sql.Identifier(column), sql.Identifier(table), sql.Identifier(column), skip
                        ),
                        (sample,),
                    )
                ]
                kinds = sorted({k for v in values for k, pattern in DETECTORS.items() if pattern.search(v)})
                if kinds:
                    reason = "content looks like " + ", ".join(kinds)
            if reason:
                notes.append(f"{table}.{column}: {reason}")
    return notes


def kept_present(kept: tuple[KeptColumn, ...], tables: dict[str, dict[str, str]]) -> list[KeptColumn]:
    """The keep entries whose column exists in this database."""
    return [k for k in kept if k.column in tables.get(k.table, {})]
