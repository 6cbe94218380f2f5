"""Loading a masking rules file.

A mistake in a rules file either leaks data or stops a refresh half-way, so the
whole file is checked before anything runs, and every complaint names the file,
line and key at fault: whoever fixes it has only the YAML in front of them.
The structure is checked by the JSON Schema in rules_schema.py; the rest (one
strategy per column) here, and each strategy's options by its module (strategies/).
"""

from __future__ import annotations

from os import PathLike
from typing import Any

from jsonschema import Draft202012Validator

from formwork.masking.model import AttachmentRule, ColumnRule, KeptColumn, RuleSet, TableRule
from formwork.masking.rules_schema import optionless, schema
from formwork.masking.strategies import REGISTRY, names
from formwork.masking.strategies.faker import faker_for
from formwork.rulefile import TYPE_NAMES, Map, RulesError, Source, show, value_range  # noqa: F401 (RulesError: the error this module raises)


def load_rules(path: str | PathLike[str]) -> RuleSet:
    src = Source(str(path), "version, locale, tables")
    _check_schema(src)
    doc = src.doc
    if faker_for(doc["locale"]) is None:
        raise src.error(["locale"], f"unknown Faker locale '{doc['locale']}' (e.g. en_GB, fr_FR, nl_NL)")
    tables = tuple(_table(src, i, entry) for i, entry in enumerate(doc["tables"]))
    attachments = tuple(_attachment(src, i, entry) for i, entry in enumerate(doc.get("attachments", ())))
    kept = tuple(_kept(src, i, entry) for i, entry in enumerate(doc.get("keep", ())))
    transient = src.origin(["transient_models"]) if "transient_models" in doc else None
    module_records = src.origin(["module_records"]) if "module_records" in doc else None
    return RuleSet(
        path=src.file,
        locale=doc["locale"],
        tables=tables,
        attachments=attachments,
        kept=kept,
        transient_models=transient,
        module_records=module_records,
    )


# --- structure (JSON Schema), with messages in the file's terms


def _check_schema(src: Source) -> None:
    found = [_explain(src, error) for error in Draft202012Validator(schema()).iter_errors(src.doc)]
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
            message = _unknown_column_key(extra, [key for key in value if key in REGISTRY])
        else:
            path.append(extra)
            message = f"unknown key (allowed: {', '.join(known)})"
    elif validator == "required":
        line = src.line(path)
        path.append(next(key for key in expected if key not in value))
        message = "missing required key"
    elif validator == "dependentRequired":
        path.append(next(key for key in expected if key in value))
        owner = expected[path[-1]][0]
        message = f"'{path[-1]}' is a {owner} option; it needs {owner} next to it"
    elif validator == "type" and in_column:
        message = f"expected a strategy ({', '.join(optionless())}, or a mapping such as {{faker: name}}), got {show(value)}"
    elif validator == "type":
        wanted = [expected] if isinstance(expected, str) else expected
        names = [TYPE_NAMES[name] for name in wanted]
        message = f"expected {', '.join(names[:-1]) + ' or ' if names[1:] else ''}{names[-1]}, got {show(value)}"
    elif validator == "enum" and in_column and value in REGISTRY:
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
    if key in optionless():
        return f"strategy '{key}' takes no options: write just {key}"
    if not strategies:
        return _unknown_strategy(key)
    if beside := REGISTRY[strategies[0]].beside:
        return f"unknown {strategies[0]} option '{key}' (allowed: {', '.join(beside)})"
    return f"unknown key '{key}' next to {strategies[0]} (its options go inside it: {{{strategies[0]}: {{...}}}})"


def _unknown_strategy(name: Any) -> str:
    return f"unknown strategy {show(name)} (use one of: {names()})"


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
        table=entry["table"],
        columns=rules,
        where=entry.get("where"),
        module=entry.get("module"),
        delete=entry.get("delete", False),
        origin=src.origin(path, src.line(path + ["table"])),
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
    strategies = [key for key in spec if key in REGISTRY]
    if len(strategies) != 1:
        given = f"{len(strategies)} strategies ({', '.join(strategies)})" if strategies else "no strategy"
        raise src.error(path, f"{given} given: use exactly one of {names()}")
    return ColumnRule(name, strategies[0], REGISTRY[strategies[0]].options(src, path, spec, siblings), src.origin(path))
