"""Per-value masking functions, and templates compiled to SQL over a row's new values."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from psycopg import sql

from formwork.masking.keyed import Keyed
from formwork.masking.model import ColumnRule

TEMPLATE_FIELD = re.compile(r"\{([a-z_][a-z0-9_]*)((?:\|[a-z]+)*)\}")
# Template filters as SQL; rules.py accepts exactly these names.
FILTERS_SQL: dict[str, str] = {
    "lower": "lower({})",
    "upper": "upper({})",
    "compact": "upper(regexp_replace({}, '[^A-Za-z0-9]', '', 'g'))",
    "slug": "trim(both '.' from regexp_replace(lower({}), '[^a-z0-9]+', '.', 'g'))",
}
ALPHABETS = {"digits": "0123456789", "hex": "0123456789abcdef",
             "alnum": "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", "upper": "ABCDEFGHJKLMNPQRSTUVWXYZ"}


def noise_factor(rule: ColumnRule, keyed: Keyed) -> Callable[[str], str]:
    """Key (as text) -> multiplier. One domain for all noise: rows with equal keys (one employee's
    contract, payslips, lines and wage history) move by the same factor, whatever table they are in."""
    percent = float(rule.options["percent"]) / 100
    return lambda key: repr(1 + percent * (2 * keyed.fraction("noise", key) - 1))


def shift(rule: ColumnRule, keyed: Keyed) -> Callable[[Any], Any]:
    """`of`: the column whose offsets to use (tracked history); `date`: key a midnight datetime by its date,
    as Odoo tracks a date field's values."""
    days = int(rule.options["days"])
    kind = f"shift/{rule.options.get('of', rule.column)}"
    as_date = bool(rule.options.get("date"))

    def apply(value):
        seed = value.date() if as_date and isinstance(value, datetime) else value
        offset = int(round((2 * keyed.fraction(kind, str(seed)) - 1) * days)) or 1
        return value + timedelta(days=offset)

    return apply


def hashed(rule: ColumnRule, keyed: Keyed) -> Callable[[str], str]:
    length = int(rule.options.get("length", 12))
    alphabet = ALPHABETS[rule.options.get("alphabet", "alnum")]
    prefix = str(rule.options.get("prefix", ""))
    kind = f"hash/{rule.options.get('of', rule.column)}"  # `of`: tracked history hashes as its column does
    return lambda value: prefix + keyed.chars(kind, value, alphabet, length)


def template_sql(rule: ColumnRule) -> Callable[[dict[str, sql.Composable]], sql.Composable]:
    """"{email|lower}" -> lower(<new email>); columns without a new value use their original."""
    text = rule.options["template"]

    def render(new: dict[str, sql.Composable]) -> sql.Composable:
        parts: list[sql.Composable] = []
        last = 0
        for match in TEMPLATE_FIELD.finditer(text):
            if match.start() > last:
                parts.append(sql.Literal(text[last:match.start()]))
            value = sql.SQL("COALESCE(({})::text, '')").format(new.get(match.group(1), sql.SQL("o.{}").format(sql.Identifier(match.group(1)))))
            for name in filter(None, match.group(2).split("|")):
                value = sql.SQL(FILTERS_SQL[name]).format(value)
            parts.append(value)
            last = match.end()
        if last < len(text):
            parts.append(sql.Literal(text[last:]))
        return sql.SQL(" || ").join(parts) if parts else sql.Literal("")

    return render
