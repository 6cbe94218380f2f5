"""shift: dates move by a keyed offset within +/- `days` (never 0). `of`: the column whose offsets to
use (tracked history); `date`: key a midnight datetime by its date, as Odoo tracks a date field's values."""

from dataclasses import replace
from datetime import datetime, timedelta

from psycopg import sql

from formwork.masking.rewrite import Mapped, load_map
from formwork.masking.strategies import DATES, Strategy, register


@register
class Shift(Strategy):
    name = "shift"
    types = DATES
    schema = {
        "type": "object",
        "required": ["days"],
        "properties": {"days": {"type": "integer", "minimum": 1}},
        "additionalProperties": False,
    }
    shown = True
    spares_shipped = True

    def tracked(self, rule, kind, group):
        return replace(rule, column="datetime", options={**rule.options, "of": rule.column, "date": kind == "date"})

    def read(self, masker, entry, rule):
        days = int(rule.options["days"])
        kind = f"shift/{rule.options.get('of', rule.column)}"
        as_date = bool(rule.options.get("date"))

        def move(value):
            seed = value.date() if as_date and isinstance(value, datetime) else value
            return value + timedelta(days=int(round((2 * masker.keyed.fraction(kind, str(seed)) - 1) * days)) or 1)

        # (value, value as PostgreSQL prints it): the join key must match the server's text form.
        query = sql.SQL("SELECT DISTINCT {c}, {c}::text FROM {t} WHERE {c} IS NOT NULL").format(
            c=sql.Identifier(rule.column), t=sql.Identifier(entry.table)
        )
        if entry.where:
            query += sql.SQL(" AND ({})").format(sql.SQL(entry.where))
        return [(text, str(move(value))) for value, text in masker.conn.execute(query)]

    def column(self, masker, rule, pairs):
        return Mapped(load_map(masker.conn, pairs))
