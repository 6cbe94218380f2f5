"""Turn column rules into functions from (original value, row) to masked value."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from formwork.masking.keyed import Keyed
from formwork.masking.model import ColumnRule

# value, row (original values by column name, plus key expressions as "__key:<column>") -> new value
Transform = Callable[[Any, dict[str, Any]], Any]
TEMPLATE_FIELD = re.compile(r"\{([a-z_][a-z0-9_]*)((?:\|[a-z]+)*)\}")
FILTERS: dict[str, Callable[[str], str]] = {
    "lower": str.lower,
    "upper": str.upper,
    "compact": lambda s: re.sub(r"[^A-Za-z0-9]", "", s).upper(),
    "slug": lambda s: re.sub(r"[^a-z0-9]+", ".", s.lower()).strip("."),
}
ALPHABETS = {"digits": "0123456789", "hex": "0123456789abcdef", "upper": "ABCDEFGHJKLMNPQRSTUVWXYZ",
             "alnum": "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"}


def key_column(column: str) -> str:
    return f"__key:{column}"


def noise(rule: ColumnRule, keyed: Keyed) -> Transform:
    percent = float(rule.options["percent"]) / 100
    digits = int(rule.options.get("round", 2))
    # One domain for all noise: rows whose keys are equal (one employee's contract, payslips, lines
    # and wage history) move by the same factor, whichever table or key expression they come from.
    kind = "noise"

    def apply(value, row):
        if value is None:
            return None
        key = row.get(key_column(rule.column), row.get("id"))
        factor = 1 + percent * (2 * keyed.fraction(kind, str(key)) - 1)
        result = round(float(value) * factor, digits)
        return Decimal(str(result)) if isinstance(value, Decimal) else (int(result) if isinstance(value, int) else result)

    return apply


def shift(rule: ColumnRule, keyed: Keyed) -> Transform:
    days = int(rule.options["days"])

    def apply(value, row):
        if value is None:
            return None
        offset = int(round((2 * keyed.fraction(f"shift/{rule.column}", str(value)) - 1) * days)) or 1
        return value + timedelta(days=offset)

    return apply


def hashed(rule: ColumnRule, keyed: Keyed) -> Transform:
    length = int(rule.options.get("length", 12))
    alphabet = ALPHABETS[rule.options.get("alphabet", "alnum")]
    prefix = str(rule.options.get("prefix", ""))

    def apply(value, row):
        return None if value is None else prefix + keyed.chars(f"hash/{rule.column}", str(value), alphabet, length)

    return apply


def template(rule: ColumnRule) -> Callable[[dict[str, Any]], str]:
    """Evaluated on the row's *masked* values."""
    text = rule.options["template"]

    def render(masked: dict[str, Any]) -> str:
        def field(match):
            value = masked.get(match.group(1))
            value = "" if value is None else str(value)
            for name in filter(None, match.group(2).split("|")):
                value = FILTERS[name](value)
            return value

        return TEMPLATE_FIELD.sub(field, text)

    return render


def constant(rule: ColumnRule) -> Transform:
    value = rule.options.get("value")
    return lambda _value, _row: value


def text_values(function: Callable[[str], str]) -> Transform:
    """Apply a text function to a plain string, or to every language of a translated (jsonb) value."""

    def apply(value, row):
        if value is None:
            return None
        if isinstance(value, dict):
            return {lang: (function(text) if isinstance(text, str) else text) for lang, text in value.items()}
        return function(str(value))

    return apply
