"""Loading rewiring rules: the shipped defaults, then an environment's own files.

A rule in a later file with the same name replaces the earlier one in place, so
an environment can tighten or adapt a default without copying the whole file.
Every complaint names file, line and key, before any database is touched.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

from jsonschema import Draft202012Validator

from formwork.rewiring.model import CONFIG_TABLE, Rule, RuleSet
from formwork.rulefile import TYPE_NAMES, Source, show

DEFAULT_RULES = str(Path(__file__).resolve().parent.parent.parent / "rewiring_rules" / "odoo17.yaml")
PLACEHOLDERS = ("environment", "base_url", "mail_host", "mail_port", "cron_allowlist")
PLACEHOLDER = re.compile(r"%\((\w*)\)s")

_SQL = {"type": "string", "minLength": 1}
_VALUE = {"type": ["string", "boolean", "integer", "null"]}
_COLUMNS = {"type": "object", "minProperties": 1, "additionalProperties": _VALUE}
SCHEMA = {
    "type": "object",
    "required": ["version", "rules"],
    "properties": {
        "version": {"const": 1},
        "rules": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "about"],
                "properties": {
                    "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
                    "about": _SQL,
                    "table": _SQL,
                    "live": _SQL,
                    "set": _COLUMNS,
                    "clear": _SQL,
                    "delete": {"const": True},
                    "ensure": _COLUMNS,
                    "parameter": _SQL,
                    "value": _VALUE,
                    "remove": {"const": True},
                    "module": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
_VALIDATOR = Draft202012Validator(SCHEMA)
# Which keys make which kind of rule; exactly one kind per rule.
_KINDS = {"set": "update", "clear": "update", "delete": "delete", "ensure": "ensure", "parameter": "parameter"}


def load_rules(paths: list[str | PathLike[str]]) -> RuleSet:
    rules: dict[str, Rule] = {}
    for path in paths:
        src = Source(str(path), "version, rules")
        _check_schema(src)
        for i, entry in enumerate(src.doc["rules"]):
            rule = _rule(src, ["rules", i], entry)
            rules[rule.name] = rule  # a later file's rule of the same name replaces the earlier one in place
    return RuleSet(files=tuple(str(p) for p in paths), rules=tuple(rules.values()))


def _check_schema(src: Source) -> None:
    errors = sorted(_VALIDATOR.iter_errors(src.doc), key=lambda e: (src.line(list(e.absolute_path)), -len(e.absolute_path)))
    if not errors:
        return
    error = errors[0]
    path, value = list(error.absolute_path), error.instance
    if error.validator == "additionalProperties":
        extra = next(key for key in value if key not in error.schema.get("properties", {}))
        raise src.error(path + [extra], f"unknown key (allowed: {', '.join(error.schema['properties'])})")
    if error.validator == "required":
        missing = next(key for key in error.validator_value if key not in value)
        raise src.error(path + [missing], "missing required key", src.line(path))
    if error.validator == "type":
        wanted = [error.validator_value] if isinstance(error.validator_value, str) else error.validator_value
        raise src.error(path, f"expected {' or '.join(TYPE_NAMES[w] for w in wanted)}, got {show(value)}")
    if error.validator == "pattern":
        separator = "underscores (an Odoo module's technical name)" if path[-1] == "module" else "dashes"
        raise src.error(path, f"{show(value)}: use lower-case letters, digits and {separator}")
    if error.validator == "const":
        raise src.error(path, f"must be {show(error.validator_value)}, got {show(value)}")
    raise src.error(path, error.message)


def _rule(src: Source, path: list, entry: dict) -> Rule:
    kinds = [key for key in _KINDS if key in entry]
    if len({_KINDS[k] for k in kinds}) != 1:
        given = ", ".join(kinds) or "none"
        raise src.error(path, f"a rule does exactly one of: set/clear, delete, ensure, parameter (given: {given})")
    kind = _KINDS[kinds[0]]
    if kind == "parameter":
        if "table" in entry:
            raise src.error(path + ["table"], f"parameter rules work on {CONFIG_TABLE}; drop table")
        if ("value" in entry) == ("remove" in entry):
            raise src.error(path + ["parameter"], "a parameter rule has either value (set it) or remove: true")
    else:
        for key in ("value", "remove"):
            if key in entry:
                raise src.error(path + [key], f"'{key}' belongs to parameter rules")
        if "table" not in entry:
            raise src.error(path + ["table"], "missing required key", src.line(path))
        if kind in ("update", "delete") and "live" not in entry and "clear" not in entry:
            raise src.error(path + ["live"], "missing required key: the SQL condition of rows still live", src.line(path))
    for key in ("clear",) + (("parameter",) if entry.get("remove") else ()):
        if key in entry:
            try:
                re.compile(entry[key])
            except re.error as exc:
                raise src.error(path + [key], f"not a valid regular expression: {exc}") from None
    _check_sql(src, path, entry)
    return Rule(
        name=entry["name"],
        about=entry["about"],
        table=entry.get("table", CONFIG_TABLE),
        live=entry.get("live"),
        set=_sql_values(entry.get("set", {})),
        clear=entry.get("clear"),
        delete=entry.get("delete", False),
        ensure=_sql_values(entry.get("ensure", {})),
        parameter=entry.get("parameter"),
        value=_sql_value(entry["value"]) if "value" in entry else None,
        remove=entry.get("remove", False),
        module=entry.get("module"),
        origin=src.origin(path, src.line(path + ["name"])),
    )


def _check_sql(src: Source, path: list, entry: dict) -> None:
    """Known placeholders only; each SQL text one expression, checked with its placeholders as the literals they become."""
    for key in ("live", "set", "ensure", "value"):
        texts = entry.get(key, {})
        for sub, text in texts.items() if isinstance(texts, dict) else [(None, texts)]:
            if not isinstance(text, str):
                continue
            where = path + [key] + ([sub] if sub else [])
            for name in PLACEHOLDER.findall(text):
                if name not in PLACEHOLDERS:
                    raise src.error(where, f"unknown placeholder %({name})s (use: {', '.join(f'%({p})s' for p in PLACEHOLDERS)})")
            src.check_expression(where, text, PLACEHOLDER.sub("NULL", text))


def _sql_values(values: dict) -> dict[str, str]:
    return {column: _sql_value(value) for column, value in values.items()}


def _sql_value(value: object) -> str:
    """YAML scalars become SQL literals; strings are SQL expressions as written."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
