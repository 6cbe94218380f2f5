"""What a masking rules file says, once loaded and validated.

A rules file is a list of table entries. Each entry rewrites the rows of one table
that match `where`, column by column, with one strategy per column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from formwork.rulefile import Origin

STRATEGIES = ("faker", "keep", "null", "constant", "hash", "shift", "noise", "template", "scrub", "staging_password", "pay")


@dataclass(frozen=True)
class ColumnRule:
    column: str
    strategy: str  # one of STRATEGIES
    options: dict[str, Any] = field(default_factory=dict)
    origin: Origin | None = None

    # Options by strategy (all optional unless marked):
    #   faker:    provider (required, a Faker method such as name, email, iban), locale, unique (bool),
    #             kind (dictionary shared by columns meaning the same thing; default: the provider),
    #             domain ("keep" or a domain name, for email)
    #   constant: value (required; may be null)
    #   hash:     length (int, default 12), alphabet ("digits" | "hex" | "alnum" | "upper", default "alnum"), prefix (str)
    #   shift:    days (int, required: bounded offset +/- days)
    #   noise:    percent (number, required), round (int decimals, default 2), key (SQL expression; rows with
    #             the same key get the same factor, e.g. employee_id)
    #   template: template (required, e.g. "{name|slug}@example.com": other columns' masked values, with filters)
    #   pay:      no options; masked pay on the columns formwork.masking.pay.COLUMNS lists (wage, payslips, lines, wage history)
    #   scrub, keep, null: no options
    #   staging_password: no options; Odoo's hash of the environment's staging password, or NULL without one
    #             (formwork.masking.staging_login)


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
    transient_models: Origin | None = None  # where `transient_models: delete` was written; None: not asked (formwork.masking.transient)
    module_records: Origin | None = None  # where `module_records: keep` is set: module-shipped rows keep their values
