"""What a masking rules file says, once loaded and validated.

A rules file is a list of table entries. Each entry rewrites the rows of one table
that match `where`, column by column, with one strategy per column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from formwork.rulefile import Origin


@dataclass(frozen=True)
class ColumnRule:
    column: str
    strategy: str  # a name in formwork.masking.strategies.REGISTRY; its module documents its options
    options: dict[str, Any] = field(default_factory=dict)
    origin: Origin | None = None


@dataclass(frozen=True)
class TableRule:
    table: str
    columns: tuple[ColumnRule, ...]
    where: str | None = None  # SQL condition selecting the rows to mask
    module: str | None = None  # Odoo module providing the table; when not installed the entry is skipped
    delete: bool = False  # delete the matching rows instead of rewriting them
    origin: Origin | None = None


@dataclass(frozen=True)
class AttachmentRule:
    """Attachments whose files are replaced by a placeholder (rows keep their place, files change)."""

    where: str
    module: str | None = None
    origin: Origin | None = None


@dataclass(frozen=True)
class KeptColumn:
    """A personal-looking column left as it is on purpose, and why (`keep:` in a rules file)."""

    table: str
    column: str
    reason: str
    origin: Origin | None = None


@dataclass(frozen=True)
class RuleSet:
    path: str
    locale: str
    tables: tuple[TableRule, ...]
    attachments: tuple[AttachmentRule, ...] = ()
    kept: tuple[KeptColumn, ...] = ()
    transient_models: Origin | None = (
        None  # where `transient_models: delete` was written; None: not asked (formwork.masking.transient)
    )
    module_records: Origin | None = None  # where `module_records: keep` is set: module-shipped rows keep their values
