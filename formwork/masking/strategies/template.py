"""template: a value built from other columns' new values, e.g. "{name|slug}@example.com"; a column
without a new value gives its original. `parse` is the one reading of the template syntax."""

import re

from psycopg import sql

from formwork.masking.rewrite import Expression
from formwork.masking.strategies import TEXT, Strategy, register

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
FILTERS_SQL: dict[str, str] = {
    "lower": "lower({})",
    "upper": "upper({})",
    "compact": "upper(regexp_replace({}, '[^A-Za-z0-9]', '', 'g'))",
    "slug": "trim(both '.' from regexp_replace(lower({}), '[^a-z0-9]+', '.', 'g'))",
}


def parse(text: str) -> list[str | tuple[str, tuple[str, ...]]]:
    """Literal text and (column, filters) placeholders, in order."""
    parts: list[str | tuple[str, tuple[str, ...]]] = []
    last = 0
    for match in _PLACEHOLDER.finditer(text):
        column, *filters = match.group(1).split("|")  # no stripping
        parts += [text[last : match.start()]] if match.start() > last else []
        parts.append((column, tuple(filters)))
        last = match.end()
    return parts + ([text[last:]] if last < len(text) else [])


@register
class Template(Strategy):
    name = "template"
    erased = True
    types = TEXT
    schema = {"type": "string", "minLength": 1}
    shown = True
    spares_shipped = True

    def options(self, src, path, spec, siblings):
        text, path = spec[self.name], path + [self.name]
        parts = parse(text)
        if any("{" in part or "}" in part for part in parts if isinstance(part, str)):
            raise src.error(path, f"unbalanced '{{' or '}}' in {text!r}")
        for column, filters in (part for part in parts if isinstance(part, tuple)):
            if not column:
                raise src.error(path, f"empty placeholder in {text!r}")
            if column == path[-2]:
                raise src.error(path, f"placeholder {{{column}}} refers to the column itself")
            if column not in siblings:
                raise src.error(path, f"placeholder {{{column}}} names no column of this entry (columns: {', '.join(siblings)})")
            for name in filters:
                if name not in FILTERS_SQL:
                    raise src.error(path, f"unknown filter '{name}' in {{{column}}} (use one of: {', '.join(FILTERS_SQL)})")
        return {"template": text}

    def column(self, masker, rule, pairs):
        parts = parse(rule.options["template"])

        def render(new: dict[str, sql.Composable]) -> sql.Composable:
            out: list[sql.Composable] = []
            for part in parts:
                if isinstance(part, str):
                    out.append(sql.Literal(part))
                    continue
                column, filters = part
                value = sql.SQL("COALESCE(({})::text, '')").format(
                    new.get(column, sql.SQL("o.{}").format(sql.Identifier(column)))
                )
                for name in filters:
                    value = sql.SQL(FILTERS_SQL[name]).format(value)
                out.append(value)
            return sql.SQL(" || ").join(out) if out else sql.Literal("")

        return Expression(render)
