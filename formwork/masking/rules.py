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

import yaml
from faker import Faker
from faker.generator import Generator
from jsonschema import Draft202012Validator

from formwork.errors import InputError
from formwork.masking.model import STRATEGIES, AttachmentRule, ColumnRule, Origin, RuleSet, TableRule
from formwork.masking.rules_schema import FAKER_OPTIONS, OPTIONLESS, SCHEMA
from formwork.masking.transform import FILTERS_SQL

TEMPLATE_FILTERS = tuple(FILTERS_SQL)

_VALIDATOR = Draft202012Validator(SCHEMA)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_TYPE_NAMES = {
    "string": "a string", "object": "a mapping", "array": "a list", "integer": "an integer",
    "number": "a number", "boolean": "true/false", "null": "null",
}


class RulesError(InputError):
    """A rules file we refuse: one line, starting with `file:line: key:`."""

    def __init__(self, message: str):
        super().__init__(message.replace("\n", " "))


def load_rules(path: str | PathLike[str]) -> RuleSet:
    src = _Source(str(path))
    _check_schema(src)
    doc = src.doc
    if _faker(doc["locale"]) is None:
        raise src.error(["locale"], f"unknown Faker locale '{doc['locale']}' (e.g. en_GB, fr_FR, nl_NL)")
    tables = tuple(_table(src, i, entry) for i, entry in enumerate(doc["tables"]))
    attachments = tuple(
        AttachmentRule(where=entry["where"], module=entry.get("module"), origin=src.origin(["attachments", i]))
        for i, entry in enumerate(doc.get("attachments", ()))
    )
    return RuleSet(path=src.file, locale=doc["locale"], tables=tables, attachments=attachments)


def template_fields(template: str) -> list[tuple[str, tuple[str, ...]]]:
    """The `{column|filter|...}` placeholders of a template, in order."""
    fields = []
    for inner in _PLACEHOLDER.findall(template):
        column, *filters = inner.split("|")  # no stripping: the engine does not strip either
        fields.append((column, tuple(filters)))
    return fields


# --- YAML that remembers where each key was written


class _Map(dict):
    line: int  # where the mapping starts
    key_lines: dict[str, int]


class _Seq(list):
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """Safe YAML with line numbers; refuses duplicate and non-string keys, keeps dates as text."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line, result.key_lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str) or key in result:
            problem = f"duplicate key '{key}'" if key in result else f"key {key!r} is not a string (quote it)"
            raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Source:
    """The loaded document, and how to point at a place in it."""

    def __init__(self, file: str):
        self.file = file
        try:
            with open(file, encoding="utf-8") as stream:
                text = stream.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise RulesError(f"{file}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
        try:
            self.doc = yaml.load(text, Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            kind = "YAML error" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML syntax error"
            where = f" ({exc.context} on line {exc.context_mark.line + 1})" if exc.context and exc.context_mark else ""
            raise RulesError(f"{file}:{mark.line + 1}: {kind}: {exc.problem or exc.context}{where}") from None
        except yaml.YAMLError as exc:
            raise RulesError(f"{file}:1: YAML error: {exc}") from None
        if not isinstance(self.doc, _Map):
            raise RulesError(f"{file}:1: the top level must be a mapping (version, locale, tables), got {_show(self.doc)}")

    def line(self, path: list) -> int:
        """The line of the last key (or list item) of `path`; the document's first line for []."""
        node, line = self.doc, self.doc.line
        for part in path:
            line = node.key_lines[part] if isinstance(node, _Map) else node.item_lines[part]
            node = node[part]
        return line

    def origin(self, path: list, line: int | None = None) -> Origin:
        key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")
        return Origin(self.file, line or self.line(path), key)

    def error(self, path: list, message: str, line: int | None = None) -> RulesError:
        return RulesError(f"{self.origin(path, line)}: {message}")


# --- structure (JSON Schema), with messages in the file's terms


def _check_schema(src: _Source) -> None:
    found = [_explain(src, error) for error in _VALIDATOR.iter_errors(src.doc)]
    if found:
        line, _, path, message = min(found, key=lambda item: item[:2])
        raise src.error(path, message, line)


def _explain(src: _Source, error) -> tuple[int, int, list, str]:
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
        message = f"expected a strategy ({', '.join(OPTIONLESS)}, or a mapping such as {{faker: name}}), got {_show(value)}"
    elif validator == "type":
        wanted = [expected] if isinstance(expected, str) else expected
        names = [_TYPE_NAMES[name] for name in wanted]
        message = f"expected {', '.join(names[:-1]) + ' or ' if names[1:] else ''}{names[-1]}, got {_show(value)}"
    elif validator == "enum" and in_column and value in STRATEGIES:
        message = f"strategy '{value}' needs options: write {{{value}: ...}}"
    elif validator == "enum" and in_column:
        message = _unknown_strategy(value)
    elif validator == "enum":
        message = f"{_show(value)} is not allowed (use one of: {', '.join(map(str, expected))})"
    elif validator == "const":
        message = f"must be {_show(expected)}, got {_show(value)}"
    elif validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        message = f"{_show(value)} is out of range (allowed: {_range(error.schema)})"
    elif validator == "minLength":
        message = "must not be empty"
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
    return f"unknown strategy {_show(name)} (use one of: {', '.join(STRATEGIES)})"


def _range(schema: dict) -> str:
    bounds = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}
    return " and ".join(f"{sign} {schema[name]}" for name, sign in bounds.items() if name in schema)


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


# --- meaning: what a schema cannot say


def _table(src: _Source, index: int, entry: dict) -> TableRule:
    path = ["tables", index]
    columns = entry.get("columns") or {}
    if entry.get("delete") and columns:
        raise src.error(path + ["columns"], "delete: true removes the rows, so there is nothing to mask (drop columns or delete)")
    if not entry.get("delete") and not columns:
        line = src.line(path + ["columns"] if "columns" in entry else path)
        raise src.error(path + ["columns"], "no columns to mask (list some, or set delete: true)", line)
    rules = tuple(_column(src, path + ["columns", name], spec, columns) for name, spec in columns.items())
    return TableRule(
        table=entry["table"], columns=rules, where=entry.get("where"), module=entry.get("module"),
        delete=entry.get("delete", False), origin=src.origin(path, src.line(path + ["table"])),
    )


def _column(src: _Source, path: list, spec: Any, siblings: dict) -> ColumnRule:
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


def _check_faker(src: _Source, path: list, spec: dict) -> None:
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


def _check_template(src: _Source, path: list, template: str, siblings: dict) -> None:
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
