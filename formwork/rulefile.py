"""Rules files written by people: YAML that remembers where each key was written.

A mistake in a rules file leaks data or cuts the wrong wire, so every complaint
names the file, line and key at fault. Masking and rewiring rules share this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from formwork.errors import InputError
from formwork.sqlfragment import problem

TYPE_NAMES = {
    "string": "a string",
    "object": "a mapping",
    "array": "a list",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true/false",
    "null": "null",
}


class RulesError(InputError):
    """A rules file we refuse: one line, starting with `file:line: key:`."""

    def __init__(self, message: str):
        super().__init__(message.replace("\n", " "))


@dataclass(frozen=True)
class Origin:
    """Where a rule came from, for error messages: file, line and dotted key."""

    file: str
    line: int
    key: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key}"


class Map(dict):
    line: int  # where the mapping starts
    key_lines: dict[str, int]


class Seq(list):
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """Safe YAML with line numbers; refuses duplicate and non-string keys, keeps dates as text."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Map:
    loader.flatten_mapping(node)
    result = Map()
    result.line, result.key_lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str) or key in result:
            problem = f"duplicate key '{key}'" if key in result else f"key {key!r} is not a string (quote it)"
            raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Seq:
    result = Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Source:
    """The loaded document, and how to point at a place in it."""

    def __init__(self, file: str, top_keys: str):
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
        if not isinstance(self.doc, Map):
            raise RulesError(f"{file}:1: the top level must be a mapping ({top_keys}), got {show(self.doc)}")

    def line(self, path: list) -> int:
        """The line of the last key (or list item) of `path`; the document's first line for []."""
        node, line = self.doc, self.doc.line
        for part in path:
            line = node.key_lines[part] if isinstance(node, Map) else node.item_lines[part]
            node = node[part]
        return line

    def origin(self, path: list, line: int | None = None) -> Origin:
        key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")
        return Origin(self.file, line or self.line(path), key)

    def error(self, path: list, message: str, line: int | None = None) -> RulesError:
        return RulesError(f"{self.origin(path, line)}: {message}")

    def check_expression(self, path: list, text: str, sql: str | None = None) -> None:
        """SQL that Formwork splices into its own statements (`sql`: `text` with placeholders filled) is one expression."""
        why = problem(text if sql is None else sql)
        if why:
            raise self.error(path, f"{why}: {text!r}")


def value_range(schema: dict) -> str:
    bounds = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}
    return " and ".join(f"{sign} {schema[name]}" for name, sign in bounds.items() if name in schema)


def show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
