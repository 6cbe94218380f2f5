"""SQL written into rules files is spliced into Formwork's own statements, so each fragment must be exactly
one expression: never a `;` that ends the statement and starts another, never a comment that cuts off
what Formwork adds after it (an UPDATE's WHERE), never a clause of its own (FROM, UNION, ...).

PostgreSQL's own scanner and parser (through pglast) read the fragment, so quotes, dollar quotes,
quoted identifiers and comments are understood exactly as the server will.
"""

from __future__ import annotations

from pglast import ast, parse_sql
from pglast.enums import SetOperation
from pglast.parser import ParseError, scan

COMMENTS = ("SQL_COMMENT", "C_COMMENT")
SEMICOLON = "ASCII_59"
# What `SELECT <one expression>` may set; anything else (FROM, WHERE, UNION, ORDER BY, INTO...) came from the fragment.
_BARE_SELECT = {"targetList", "op", "limitOption", "groupDistinct", "all"}


def problem(text: str) -> str | None:
    """Why `text` is not exactly one SQL expression, or None when it is."""
    try:
        tokens = scan(text)
    except ParseError as exc:
        return f"not valid SQL: {exc.args[0]}"
    if any(token.name in COMMENTS for token in tokens):
        return "SQL comments are not allowed in a rule's SQL (write notes as YAML # comments)"
    if any(token.name == SEMICOLON for token in tokens):
        return "';' would end the statement: a rule's SQL is one expression, never a statement"
    try:
        statements = parse_sql(f"SELECT {text}")
    except ParseError as exc:
        return f"not one SQL expression: {exc.args[0]}"
    select = statements[0].stmt if len(statements) == 1 else None
    if not _one_expression(select):
        return "not one SQL expression (it adds clauses or statements of its own)"
    return None


def _one_expression(select) -> bool:
    if not isinstance(select, ast.SelectStmt) or select.op != SetOperation.SETOP_NONE:
        return False
    targets = select.targetList or ()
    extra = [name for name in select.__slots__ if name not in _BARE_SELECT and getattr(select, name, None)]
    if len(targets) != 1 or targets[0].name is not None or extra:
        return False
    value = targets[0].val
    return not (isinstance(value, ast.ColumnRef) and isinstance(value.fields[-1], ast.A_Star))  # `*`: all columns, not a value
