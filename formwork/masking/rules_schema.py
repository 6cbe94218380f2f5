"""The shape of a masking rules file, as JSON Schema.

Kept as data so the same description validates files here and can be handed to
editors for completion. It checks structure and ranges only; what a schema cannot
say (one strategy per column, Faker names, template placeholders, the database)
is checked in rules.py and schema_check.py.
"""

from __future__ import annotations

from formwork.masking.strategies import REGISTRY

_NAME = {"type": "string", "minLength": 1}
_SQL = {"type": "string", "minLength": 1}


def optionless() -> tuple[str, ...]:
    return tuple(name for name, strategy in REGISTRY.items() if strategy.schema is None)


def column() -> dict:
    """A column is a bare strategy name (or YAML null), or a mapping holding one strategy key;
    options written beside a strategy (faker's) sit next to it, every other strategy's inside it."""
    return {
        "type": ["string", "null", "object"],
        "if": {"type": "string"},
        "then": {"enum": list(optionless())},
        "else": {
            "properties": {
                name: schema
                for s in REGISTRY.values()
                for name, schema in ([(s.name, s.schema)] if s.schema else []) + list(s.beside.items())
            },
            "additionalProperties": False,
            "dependentRequired": {option: [s.name] for s in REGISTRY.values() for option in s.beside},
        },
    }


TABLE = {
    "type": "object",
    "required": ["table"],
    "properties": {
        "table": _NAME,
        "module": _NAME,
        "where": _SQL,
        "delete": {"type": "boolean"},
        "columns": {"type": ["object", "null"], "additionalProperties": {"$ref": "#/$defs/column"}},
    },
    "additionalProperties": False,
    # `columns` is required unless `delete: true`: checked in rules.py, where the message can say so.
}

ATTACHMENT = {
    "type": "object",
    "required": ["where"],
    "properties": {"where": _SQL, "module": _NAME},
    "additionalProperties": False,
}

# A column deliberately left as it is: business data that looks personal by name or content.
KEPT = {
    "type": "object",
    "required": ["column", "reason"],
    "properties": {
        "column": {"type": "string", "pattern": r"^[a-z0-9_]+\.[a-z0-9_]+$"},
        "reason": {"type": "string", "pattern": r"\S"},
    },
    "additionalProperties": False,
}


def schema() -> dict:
    """The whole file's schema, with the strategies registered now."""
    return {**_SCHEMA, "$defs": {"column": column()}}


_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Formwork masking rules",
    "type": "object",
    "required": ["version", "locale", "tables"],
    "properties": {
        "version": {"const": 1},
        "locale": _NAME,
        "tables": {"type": "array", "items": TABLE},
        "attachments": {"type": "array", "items": ATTACHMENT},
        "keep": {"type": "array", "items": KEPT},
        "transient_models": {"enum": ["delete"]},
        "module_records": {"enum": ["keep"]},  # formwork.masking.shipped
    },
    "additionalProperties": False,
}
