"""Safety guards every writing task enforces itself, whatever called it.

The flag is checked first; then the environment's database itself, by identity: a
lower environment whose address reaches a production database (`localhost` for
`127.0.0.1`, an alias, a proxy) is refused here, before a flow run starts. The
library functions that write check again on their own connection.
"""

from __future__ import annotations

import psycopg

from blocks.odoo_environment import OdooEnvironment
from formwork import production_guard
from formwork.dsn import connect_maintenance
from formwork.errors import InputError


def refuse_production(name: str, env: OdooEnvironment, action: str) -> None:
    """Formwork only ever reads production; `action` says what was refused ("mask", "rewire")."""
    if env.production:
        raise InputError(f"environment '{name}' is flagged production: Formwork never {action}s it ({action} a copy instead)")
    _refuse_reaching_production(name, env, action)


def refuse_production_target(target: str, env: OdooEnvironment) -> None:
    """A refresh or its rollback would replace the database: refused for production."""
    if env.production:
        raise InputError(f"refresh target '{target}' is flagged production: Formwork never writes to production")
    _refuse_reaching_production(target, env, "replace")


def _refuse_reaching_production(name: str, env: OdooEnvironment, action: str) -> None:
    try:
        admin = connect_maintenance(env.connection())
    except psycopg.OperationalError:
        return  # unreachable from here: the step that writes connects, and checks, itself
    with admin:
        try:
            production_guard.refuse_production(admin, action, env.db_name)
        except InputError as exc:
            raise InputError(f"environment '{name}': {exc}") from None
