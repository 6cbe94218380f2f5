"""Safety guards every writing task enforces itself, whatever called it."""

from __future__ import annotations

from blocks.odoo_environment import OdooEnvironment
from formwork.errors import InputError


def refuse_production(name: str, env: OdooEnvironment, action: str) -> None:
    """Formwork only ever reads production; `action` says what was refused ("mask", "rewire")."""
    if env.production:
        raise InputError(f"environment '{name}' is flagged production: Formwork never {action}s it ({action} a copy instead)")


def refuse_production_target(target: str, env: OdooEnvironment) -> None:
    """A refresh or its rollback would replace the database: refused for production."""
    if env.production:
        raise InputError(f"refresh target '{target}' is flagged production: Formwork never writes to production")
