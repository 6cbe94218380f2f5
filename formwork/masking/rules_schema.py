"""The shape of a masking rules file, as JSON Schema.

Kept as data so the same description validates files here and can be handed to
editors for completion. It checks structure and ranges only; what a schema cannot
say (one strategy per column, Faker names, template placeholders, the database)
is checked in rules.py and schema_check.py.
"""

from __future__ import annotations

from formwork.masking.transform import ALPHABETS

OPTIONLESS = ("keep", "null", "scrub", "staging_password", "pay")
FAKER_OPTIONS = ("locale", "unique", "kind", "domain")
HASH_ALPHABETS = tuple(ALPHABETS)

_NAME = {"type": "string", "minLength": 1}
_SQL = {"type": "string", "minLength": 1}

_HASH = {
    "type": ["boolean", "object"],
    "if": {"type": "boolean"},
    "then": {"const": True},
    "properties": {
        "length": {"type": "integer", "minimum": 1, "maximum": 64},
        "alphabet": {"enum": list(HASH_ALPHABETS)},
        "prefix": {"type": "string"},
    },
    "additionalProperties": False,
}

_SHIFT = {
    "type": "object",
    "required": ["days"],
    "properties": {"days": {"type": "integer", "minimum": 1}},
    "additionalProperties": False,
}

_NOISE = {
    "type": "object",
    "required": ["percent"],
    "properties": {
        "percent": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
        "round": {"type": "integer", "minimum": 0, "maximum": 6},
        "key": _SQL,
    },
    "additionalProperties": False,
}

# A column is a bare strategy name (or YAML null), or a mapping holding one strategy key;
# faker's options sit next to it, every other strategy's options inside it.
COLUMN = {
    "type": ["string", "null", "object"],
    "if": {"type": "string"},
    "then": {"enum": list(OPTIONLESS)},
    "else": {
        "properties": {
            "faker": _NAME,
            "locale": _NAME,
            "unique": {"type": "boolean"},
            "kind": _NAME,
            "domain": _NAME,
            "constant": {"type": ["string", "number", "boolean", "null"]},
            "hash": _HASH,
            "shift": _SHIFT,
            "noise": _NOISE,
            "template": _NAME,
        },
        "additionalProperties": False,
        "dependentRequired": {option: ["faker"] for option in FAKER_OPTIONS},
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
        "columns": {"type": ["object", "null"], "additionalProperties": COLUMN},
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

SCHEMA = {
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
