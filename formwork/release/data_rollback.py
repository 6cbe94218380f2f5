"""The data half of a failed release's rollback: the pre-release checkpoint put back into the environment's database.

The checkpoint's dump is restored beside the target (`<target>__formwork_<run>`, closed to other roles until the
swap), then in one transaction the half-migrated database becomes `<target>__failed_release` (kept for whoever
investigates; the one of an earlier failure is dropped) and the restored copy becomes the target, open to the
roles that could open it. A crash before that commit leaves the target as it was.

This is the one restore Formwork makes into a database that may be production, and only of that database's own
checkpoint: the identity the backup recorded (server start time, system identifier, oid) must be the target's
now. A checkpoint of another database, without a recorded identity, or taken before the server restarted is
refused before anything changes.
"""

from __future__ import annotations

from pathlib import Path

from formwork import databases
from formwork.backup.manifest import Manifest
from formwork.dsn import ConnectionSpec, connect_maintenance
from formwork.errors import InputError
from formwork.production_guard import DatabaseIdentity, identify
from formwork.progress import Progress
from formwork.refresh import access, clone, swap

FAILED = "__failed_release"


def failed_name(target: str) -> str:
    return databases.derived_name(target, FAILED)


def checked_identity(server: ConnectionSpec, target: str, manifest: Manifest) -> DatabaseIdentity:
    """The identity the checkpoint recorded, when it is the target's now; InputError otherwise."""
    if not manifest.database_identity:
        raise InputError(f"checkpoint {manifest.id} records no database identity: it cannot be put back into '{target}'")
    recorded = DatabaseIdentity.from_record(manifest.database_identity)
    with connect_maintenance(server) as admin:
        now = identify(admin, target)
    if now is None or not recorded.same_database(now):
        raise InputError(
            f"checkpoint {manifest.id} was not taken of database '{target}' as it is now (another database, or its server "
            "restarted since): refusing to put it back"
        )
    return recorded


def put_back(
    server: ConnectionSpec, target: str, manifest: Manifest, dump: Path, run: str, progress: Progress | None = None
) -> str:
    """Restore checkpoint `manifest` (its dump folder `dump`) into `target` on `server`; the failed database's new name."""
    recorded = checked_identity(server, target, manifest)
    fresh, failed = swap.building_name(target, run), failed_name(target)
    with connect_maintenance(server) as admin:
        databases.drop(admin, fresh)  # a retry of this run starts from nothing
    clone.restore(server, fresh, dump, progress=progress, owned_like=target, source_owner=manifest.database_owner)
    with connect_maintenance(server) as admin:
        databases.drop(admin, failed)
        databases.rename_all(
            admin,
            [(target, failed), (fresh, target)],
            access.opening(admin, fresh, like=target),
            attempts=swap.ATTEMPTS,
            own_checkpoint=(target, recorded),
        )
    return failed
