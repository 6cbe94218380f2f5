"""Table contents as data: a table, its columns and a stream of rows for COPY."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import Cursor, sql

ADMIN = 2


@dataclass
class TableRows:
    table: str
    columns: tuple[str, ...]
    rows: Iterable[tuple[Any, ...]]
    count: int  # expected number of rows, for progress


def audit(ts: datetime, uid: int = ADMIN) -> tuple[int, datetime, int, datetime]:
    """Odoo's magic columns: create_uid, create_date, write_uid, write_date."""
    return (uid, ts, uid, ts)


AUDIT = ("create_uid", "create_date", "write_uid", "write_date")


def tr(text: str) -> str:
    """A translated (jsonb) value as Odoo 17 stores it."""
    return json.dumps({"en_US": text})


def copy_rows(cur: Cursor, data: TableRows, on_rows: Callable[[int], None] | None = None, every: int = 20000) -> int:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(data.table), sql.SQL(", ").join(map(sql.Identifier, data.columns))
    )
    done = pending = 0
    with cur.copy(statement) as copy:
        for row in data.rows:
            copy.write_row(row)
            pending += 1
            if pending == every:
                done += pending
                if on_rows:
                    on_rows(pending)
                pending = 0
    done += pending
    if on_rows and pending:
        on_rows(pending)
    return done
