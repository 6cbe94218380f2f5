"""Masking strategies, registered by name: one module per strategy says how its options are read
and checked, how its new values are computed and written, and what becomes of its tracked history and
module-shipped rows. The rules loader, its schema, the engine, history and shipped look strategies up
here, so a new strategy is one new module that calls `register`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from formwork.masking.introspect import TEXT_TYPES

TEXT = frozenset(TEXT_TYPES)
NUMBERS = frozenset({"numeric", "integer", "smallint", "bigint", "double precision", "real"})
# "timestamp" is what remains of "timestamp(3) without time zone" once the precision is cut off.
DATES = frozenset({"date", "timestamp", "timestamp without time zone", "timestamp with time zone"})
REGISTRY: dict[str, Strategy] = {}


class Strategy:
    """The defaults: no options, nothing read, nothing written (keep)."""

    name: str
    schema: dict | None = None  # JSON Schema of its options inside {name: ...}; None: written as a bare name
    beside: dict[str, dict] = {}  # options written next to it rather than inside it (faker's), with their schemas
    shown = False  # the report shows its options
    by_row = False  # new values are computed in Python for every row (`function`), in the workers
    memo = True  # by_row: compute each distinct value once
    types: frozenset[str] | None = None  # the column types it can rewrite; None: any
    spares_shipped = False  # module-shipped rows keep their value (formwork.masking.shipped): it draws from the original
    erased = False  # made from other columns or secrets: the column's tracked history keeps none of it

    def misfit(self, table: str, column: str) -> str | None:
        """Why it cannot rewrite this column whatever its type (checked against the database), or None."""
        return None

    def options(self, src, path: list, spec: Any, siblings: dict) -> dict:
        """Its options from a column's spec (`path` names the column), checked: one-line src.error."""
        value = spec.get(self.name, True) if isinstance(spec, dict) else True
        return {} if value is True else dict(value)

    def describe(self, options: dict) -> str:
        return f"{self.name} {options}" if self.shown else self.name

    def tracked(self, rule, kind: str, group: str):
        """The rule for the column's tracked old values (formwork.masking.history), its `column` naming the group of
        tracking columns it writes (`group`: those of the column's type `kind`); a str: why that history is left
        to the rules file; None: it stays."""
        return replace(rule, column="every", strategy="null", options={}) if self.erased else replace(rule, column=group)

    def leak_kind(self, rule) -> str | None:
        """by_row: how the leak check writes this column's originals (normal_forms), None: not identifying."""
        return None

    def prepare(self, masker, rule, values: list, json: bool) -> None:
        """by_row: see every original of the column before any new value is drawn."""

    def function(self, masker, entry, rule, result):
        """by_row: original text -> new text."""
        raise NotImplementedError

    def read(self, masker, entry, rule) -> list[tuple] | None:
        """(original or row id, new value) pairs its column is written from, worked out before any rewrite
        (a few thousand values); None: it needs none."""
        return None

    def column(self, masker, rule, pairs: list[tuple] | None):
        """The rewrite.Column writing its new values; None: the column is not written (or by_row)."""
        return None


def register(strategy: type[Strategy]) -> type[Strategy]:
    REGISTRY[strategy.name] = strategy()
    return strategy


def names() -> str:
    return ", ".join(REGISTRY)


# The built-in strategies, in the order error messages list them.
from formwork.masking.strategies import faker, keep, null, constant, hash, shift, noise, template, scrub, staging_password, pay  # noqa: E402,F401,I001
