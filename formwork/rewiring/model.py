"""What a rewiring rules file says, once loaded and validated.

Every rule finds the *live* rows of one table (an SQL condition) and says how to
cut them. Applying touches only live rows, so a second run changes nothing, and
the check is the same condition counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from formwork.rulefile import Origin

CONFIG_TABLE = "ir_config_parameter"


@dataclass(frozen=True)
class Rule:
    name: str
    about: str
    table: str
    live: str | None = None  # SQL condition over the table's rows; None for parameter rules
    set: dict[str, str] = field(default_factory=dict)  # column -> SQL expression
    clear: str | None = None  # regex: text columns whose names match are set to NULL
    delete: bool = False
    ensure: dict[str, str] = field(default_factory=dict)  # column -> SQL expression of a row that must exist
    parameter: str | None = None  # an ir_config_parameter key (or a regex of keys, with remove)
    value: str | None = None  # SQL expression of the parameter's value
    remove: bool = False
    module: str | None = None  # the Odoo module owning the table; not installed: the rule is skipped
    origin: Origin | None = None

    @property
    def kind(self) -> str:
        if self.parameter is not None:
            return "remove parameters" if self.remove else "set parameter"
        if self.ensure:
            return "ensure row"
        return "delete" if self.delete else "update"


@dataclass(frozen=True)
class RuleSet:
    files: tuple[str, ...]
    rules: tuple[Rule, ...]
