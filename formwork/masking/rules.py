"""Loading a masking rules file.

A mistake in a rules file either leaks data or stops a refresh half-way, so the
whole file is checked before anything runs, and every complaint names the file,
line and key at fault: whoever fixes it has only the YAML in front of them.
The structure is checked by the JSON Schema in rules_schema.py; the rest (one
strategy per column, Faker names, template placeholders) here.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from os import PathLike
from typing import Any

from faker import Faker
from faker.generator import Generator
from jsonschema import Draft202012Validator

from formwork.masking.model import STRATEGIES, AttachmentRule, ColumnRule, KeptColumn, RuleSet, TableRule
from formwork.masking.rules_schema import FAKER_OPTIONS, OPTIONLESS, SCHEMA
from formwork.masking.transform import FILTERS_SQL
from formwork.rulefile import TYPE_NAMES, Map, RulesError, Source, show, value_range  # noqa: F401 (RulesError: the error this module raises)

TEMPLATE_FILTERS = tuple(FILTERS_SQL)

_VALIDATOR = Draft202012Validator(SCHEMA)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def load_rules(path: str | PathLike[str]) -> RuleSet:
    src = Source(str(path), "version, locale, tables")
    _check_schema(src)
    doc = src.doc
    if _faker(doc["locale"]) is None:
        raise src.error(["locale"], f"unknown Faker locale '{doc['locale']}' (e.g. en_GB, fr_FR, nl_NL)")
    tables = tuple(_table(src, i, entry) for i, entry in enumerate(doc["tables"]))
    attachments = tuple(_attachment(src, i, entry) for i, entry in enumerate(doc.get("attachments", ())))
    kept = tuple(_kept(src, i, entry) for i, entry in enumerate(doc.get("keep", ())))
    transient = src.origin(["transient_models"]) if "transient_models" in doc else None
    module_records = src.origin(["module_records"]) if "module_records" in doc else None
    return RuleSet(path=src.file, locale=doc["locale"], tables=tables, attachments=attachments, kept=kept, transient_models=transient,
                   module_records=module_records)


def template_fields(template: str) -> list[tuple[str, tuple[str, ...]]]:
    """The `{column|filter|...}` placeholders of a template, in order."""
    fields = []
    for inner in _PLACEHOLDER.findall(template):
        column, *filters = inner.split("|")  # no stripping: the engine does not strip either
        fields.append((column, tuple(filters)))
    return fields


# --- structure (JSON Schema), with messages in the file's terms


def _check_schema(src: Source) -> None:
    found = [_explain(src, error) for error in _VALIDATOR.iter_errors(src.doc)]
    if found:
        line, _, path, message = min(found, key=lambda item: item[:2])
        raise src.error(path, message, line)


def _explain(src: Source, error) -> tuple[int, int, list, str]:
    """(line, -depth, path, message) for one schema error."""
    path, validator, expected, value = list(error.absolute_path), error.validator, error.validator_value, error.instance
    line = None
    in_column = len(path) == 4 and path[0] == "tables" and path[2] == "columns"
    if validator == "additionalProperties":
        known = error.schema.get("properties", {})
        extra = min((key for key in value if key not in known), key=value.key_lines.get)
        line = value.key_lines[extra]
        if in_column:
            message = _unknown_column_key(extra, [key for key in value if key in STRATEGIES])
        else:
            path.append(extra)
            message = f"unknown key (allowed: {', '.join(known)})"
    elif validator == "required":
        line = src.line(path)
        path.append(next(key for key in expected if key not in value))
        message = "missing required key"
    elif validator == "dependentRequired":
        path.append(next(key for key in expected if key in value))
        message = f"'{path[-1]}' is a faker option; it needs faker next to it"
    elif validator == "type" and in_column:
        message = f"expected a strategy ({', '.join(OPTIONLESS)}, or a mapping such as {{faker: name}}), got {show(value)}"
    elif validator == "type":
        wanted = [expected] if isinstance(expected, str) else expected
        names = [TYPE_NAMES[name] for name in wanted]
        message = f"expected {', '.join(names[:-1]) + ' or ' if names[1:] else ''}{names[-1]}, got {show(value)}"
    elif validator == "enum" and in_column and value in STRATEGIES:
        message = f"strategy '{value}' needs options: write {{{value}: ...}}"
    elif validator == "enum" and in_column:
        message = _unknown_strategy(value)
    elif validator == "enum":
        message = f"{show(value)} is not allowed (use one of: {', '.join(map(str, expected))})"
    elif validator == "const":
        message = f"must be {show(expected)}, got {show(value)}"
    elif validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        message = f"{show(value)} is out of range (allowed: {value_range(error.schema)})"
    elif validator == "minLength" or (validator == "pattern" and path[-1:] == ["reason"]):
        message = "must not be empty"
    elif validator == "pattern":
        message = f"expected table.column, got {show(value)}"
    else:
        message = error.message
    return line or src.line(path), -len(path), path, message


def _unknown_column_key(key: str, strategies: list[str]) -> str:
    if key in OPTIONLESS:
        return f"strategy '{key}' takes no options: write just {key}"
    if not strategies:
        return _unknown_strategy(key)
    if strategies == ["faker"]:
        return f"unknown faker option '{key}' (allowed: {', '.join(FAKER_OPTIONS)})"
    return f"unknown key '{key}' next to {strategies[0]} (its options go inside it: {{{strategies[0]}: {{...}}}})"


def _unknown_strategy(name: Any) -> str:
    return f"unknown strategy {show(name)} (use one of: {', '.join(STRATEGIES)})"


# --- meaning: what a schema cannot say


def _table(src: Source, index: int, entry: dict) -> TableRule:
    path = ["tables", index]
    columns = entry.get("columns") or {}
    if entry.get("delete") and columns:
        raise src.error(path + ["columns"], "delete: true removes the rows, so there is nothing to mask (drop columns or delete)")
    if not entry.get("delete") and not columns:
        line = src.line(path + ["columns"] if "columns" in entry else path)
        raise src.error(path + ["columns"], "no columns to mask (list some, or set delete: true)", line)
    if "where" in entry:
        src.check_expression(path + ["where"], entry["where"])
    rules = tuple(_column(src, path + ["columns", name], spec, columns) for name, spec in columns.items())
    return TableRule(
        table=entry["table"], columns=rules, where=entry.get("where"), module=entry.get("module"),
        delete=entry.get("delete", False), origin=src.origin(path, src.line(path + ["table"])),
    )


def _attachment(src: Source, index: int, entry: dict) -> AttachmentRule:
    src.check_expression(["attachments", index, "where"], entry["where"])
    return AttachmentRule(where=entry["where"], module=entry.get("module"), origin=src.origin(["attachments", index]))


def _kept(src: Source, index: int, entry: dict) -> KeptColumn:
    table, column = entry["column"].split(".")
    return KeptColumn(table=table, column=column, reason=entry["reason"].strip(), origin=src.origin(["keep", index]))


def _column(src: Source, path: list, spec: Any, siblings: dict) -> ColumnRule:
    name = path[-1]
    if spec is None or isinstance(spec, str):
        return ColumnRule(name, spec or "null", {}, src.origin(path))
    strategies = [key for key in spec if key in STRATEGIES]
    if len(strategies) != 1:
        given = f"{len(strategies)} strategies ({', '.join(strategies)})" if strategies else "no strategy"
        raise src.error(path, f"{given} given: use exactly one of {', '.join(STRATEGIES)}")
    strategy, value = strategies[0], spec[strategies[0]]
    if strategy == "faker":
        _check_faker(src, path, spec)
        options = {"provider": value, **{key: spec[key] for key in FAKER_OPTIONS if key in spec}}
    elif strategy == "constant":
        options = {"value": value}
    elif strategy == "template":
        _check_template(src, path + ["template"], value, siblings)
        options = {"template": value}
    else:
        options = {} if value is True else dict(value)
    if "key" in options:
        src.check_expression(path + [strategy, "key"], options["key"])
    return ColumnRule(name, strategy, options, src.origin(path))


@cache
def _faker(locale: str) -> Faker | None:
    try:
        return Faker(locale)
    except AttributeError:  # Faker's way of saying it has no such locale
        return None


def _is_provider(fake: Faker, name: str) -> bool:
    # Checked on the classes first: some of Faker's own methods raise when fetched from an instance.
    if name.startswith("_") or hasattr(Generator, name) or hasattr(Faker, name):
        return False
    return callable(getattr(fake, name, None))


def _check_faker(src: Source, path: list, spec: dict) -> None:
    locale = spec.get("locale", src.doc["locale"])
    fake = _faker(locale)
    if fake is None:
        raise src.error(path + ["locale"], f"unknown Faker locale '{locale}' (e.g. en_GB, fr_FR, nl_NL)")
    provider = spec["faker"]
    if not _is_provider(fake, provider):
        names = {name for p in fake.get_providers() for name in dir(p) if _is_provider(fake, name)}
        close = difflib.get_close_matches(provider, names, n=3)
        hint = f" (did you mean: {', '.join(close)}?)" if close else ""
        raise src.error(path + ["faker"], f"unknown Faker provider '{provider}' for locale {locale}{hint}")


def _check_template(src: Source, path: list, template: str, siblings: dict) -> None:
    if "{" in _PLACEHOLDER.sub("", template) or "}" in _PLACEHOLDER.sub("", template):
        raise src.error(path, f"unbalanced '{{' or '}}' in {template!r}")
    for column, filters in template_fields(template):
        if not column:
            raise src.error(path, f"empty placeholder in {template!r}")
        if column == path[-2]:
            raise src.error(path, f"placeholder {{{column}}} refers to the column itself")
        if column not in siblings:
            raise src.error(path, f"placeholder {{{column}}} names no column of this entry (columns: {', '.join(siblings)})")
        for name in filters:
            if name not in TEMPLATE_FILTERS:
                raise src.error(path, f"unknown filter '{name}' in {{{column}}} (use one of: {', '.join(TEMPLATE_FILTERS)})")
