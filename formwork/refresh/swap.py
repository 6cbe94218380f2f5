"""The databases around a refresh target, and the one moment the target changes.

A refresh builds `<target>__formwork_<run>` beside the target and, once it is
verified, renames old -> `<target>__prev` and new -> `<target>` in one
transaction: a crash before the commit leaves the target as it was, after it
the new copy is complete, and open to the roles that could open the old one
(until then only Formwork may connect to it: see `access`). Leftover side
databases of killed runs are dropped by the next run; one previous copy is kept
for `refresh rollback`.
"""

from __future__ import annotations

import psycopg

from formwork import databases
from formwork.errors import OperationError
from formwork.production_guard import refuse_production
from formwork.refresh import access

BUILDING = "__formwork_"
PREVIOUS = "__prev"
SWAPPING = "__formwork_swap"
# Odoo workers reconnect within moments of being disconnected: retry the rename a few times.
ATTEMPTS = 10


def building_name(target: str, run: str) -> str:
    return databases.derived_name(target, BUILDING + run)


def previous_name(target: str) -> str:
    return databases.derived_name(target, PREVIOUS)


def exists(admin: psycopg.Connection, name: str) -> bool:
    return databases.exists(admin, name)


def leftovers(admin: psycopg.Connection, target: str, marker: str = BUILDING) -> list[str]:
    """Side databases `<target><marker>*` of earlier runs that never finished (killed, failed)."""
    return databases.leftovers(admin, target, marker)


def drop(admin: psycopg.Connection, name: str) -> None:
    databases.drop(admin, name)


def swap_in(admin: psycopg.Connection, target: str, fresh: str) -> None:
    """fresh becomes target, open to whoever could open the old target; the old target becomes the previous copy
    (replacing the one before)."""
    refuse_production(admin, "replace", target)  # before its previous copy is dropped
    drop(admin, previous_name(target))
    moves = [(target, previous_name(target))] if exists(admin, target) else []
    databases.rename_all(admin, moves + [(fresh, target)], access.opening(admin, fresh, like=target), attempts=ATTEMPTS)


def swap_back(admin: psycopg.Connection, target: str) -> None:
    """The previous copy becomes target again, and the current one becomes the previous copy."""
    previous = previous_name(target)
    if not exists(admin, previous):
        raise OperationError(f"no previous copy of '{target}' to roll back to (database '{previous}' does not exist)")
    parked = databases.derived_name(target, SWAPPING)
    databases.rename_all(admin, [(target, parked), (previous, target), (parked, previous)], attempts=ATTEMPTS)
