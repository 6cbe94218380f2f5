"""Where a drill restores, checked before anything is written.

A drill of a production environment restores to a separate scratch server (the
run's `--scratch-dsn`, else the environment's `scratch_dsn`), never beside
production: a restore there would load production's server and fill its disk, and
a copy named by a derived name is one mistake away from production itself. Which
server is production's is told by identity, not address. Lower environments drill
on their own server unless told otherwise. Every restore checks free space first.
"""

from __future__ import annotations

from formwork.backup.manifest import Manifest
from formwork.dsn import ConnectionSpec, connect_maintenance, parse_dsn
from formwork.environment_settings import EnvironmentSettings
from formwork.errors import InputError
from formwork.production_guard import refuse_production_server
from formwork.refresh import space


def choose(environment: str, env: EnvironmentSettings, scratch_dsn: str | None) -> ConnectionSpec:
    """The scratch server's maintenance database; a password in the DSN would be stored with the run's parameters."""
    option, dsn = ("--scratch-dsn", scratch_dsn) if scratch_dsn else ("scratch_dsn", env.scratch_dsn)
    if dsn is None:
        if env.production:
            raise InputError(
                f"drill {environment}: a production environment is restored on a separate scratch server and none is "
                f"configured: pass --scratch-dsn URI, or register one (formwork env add {environment} ... --scratch-dsn URI)"
            )
        return env.connection().on("postgres")
    spec = parse_dsn(dsn, option=option)
    if spec.password:
        raise InputError(f"{option}: leave the password out (it would be stored with the flow run); use PGPASSWORD or ~/.pgpass")
    return spec


def check(environment: str, env: EnvironmentSettings, server: ConnectionSpec, manifest: Manifest | None = None) -> list[str]:
    """Refuse a production drill onto a production server and, given the backup, a restore without room;
    returns what was measured."""
    with connect_maintenance(server) as admin:
        if env.production:
            try:
                refuse_production_server(admin, "drill")
            except InputError as exc:
                raise InputError(f"drill {environment}: scratch {exc}") from None
        if manifest is None:
            return []
        rooms = [space.database_room(manifest.database_size, admin), space.download_room(manifest.size)]
    short = [room for room in rooms if not room.enough]
    if short:
        raise InputError(f"drill {environment}: not enough free space: " + "; ".join(map(str, short)))
    return [f"space checked: {room}" for room in rooms]
