"""One environment's backups in a store: list them, find one, and remove what the retention policy lets go.

Environments may share a store: each sees, restores, drills and prunes only the
folders that name it (the manifest, or for an unfinished backup its started.json),
however the environment names compare. A folder without a manifest is a backup that
never finished (killed, failed) or is still being written: it is listed as
incomplete, never restored, and removed by a later retention pass once a newer
backup of the same environment has finished; backups of one environment take its
backup lock, so one still being written is never older than that. A folder whose
manifest does not parse, or whose owner cannot be told, is invalid: listed as such,
never used, never removed, and it never stops the others from being used.
On S3 with versioning, a removal leaves the versions behind a delete marker, and
object lock keeps locked versions until their retention date whatever Formwork
asks: Formwork never bypasses governance mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from formwork.backup import records
from formwork.backup.manifest import BACKUP_ID, MANIFEST, STARTED, Manifest, started_by
from formwork.backup.retention import Decision, RetentionPolicy, plan
from formwork.errors import InputError, S3Denied
from formwork.stores.object_store import ObjectNotFound, ObjectStore, UnsafeKey, refusals

DRILLED = "newest that passed a drill"


@dataclass
class Catalog:
    environment: str
    complete: list[Manifest] = field(default_factory=list)  # oldest first
    incomplete: list[str] = field(default_factory=list)
    invalid: dict[str, str] = field(default_factory=dict)  # folder -> why it cannot be used

    def find(self, backup_id: str | None, where: str) -> Manifest:
        """The given backup, or the latest one."""
        if not self.complete:
            raise InputError(
                f"{where}: no complete backup of {self.environment} to use (take one with `formwork backup {self.environment}`)"
            )
        if backup_id is None:
            return self.complete[-1]
        for manifest in self.complete:
            if manifest.id == backup_id:
                return manifest
        hint = (
            " (it never finished)"
            if backup_id in self.incomplete
            else f" (invalid: {self.invalid[backup_id]})"
            if backup_id in self.invalid
            else ""
        )
        raise InputError(f"--backup '{backup_id}': no such complete backup in {where}{hint}")


def read(store: ObjectStore, environment: str) -> Catalog:
    catalog = Catalog(environment)
    for folder in filter(BACKUP_ID.fullmatch, store.folders()):  # drill records live beside them
        try:
            owner, manifest, why = _inspect(store, folder)
        except UnsafeKey as exc:
            owner, manifest, why = None, None, str(exc)
        if owner not in (environment, None):
            continue  # another environment's
        if why is not None:
            catalog.invalid[folder] = why
        elif manifest is None:
            catalog.incomplete.append(folder)
        else:
            catalog.complete.append(manifest)
    catalog.complete.sort(key=lambda m: m.taken_at)
    return catalog


def _inspect(store: ObjectStore, folder: str) -> tuple[str | None, Manifest | None, str | None]:
    """(whose it is or None when that cannot be told, its manifest if complete, why it is invalid)"""
    marker, raw = _bytes(store, f"{folder}/{STARTED}"), _bytes(store, f"{folder}/{MANIFEST}")
    owner = started_by(marker) if marker is not None else None
    if raw is None:
        return (
            (owner, None, None) if owner else (None, None, f"no {MANIFEST} and no readable {STARTED}: whose it is cannot be told")
        )
    try:
        manifest = Manifest.from_json(raw, store.url(f"{folder}/{MANIFEST}"))
    except InputError as exc:
        return owner, None, str(exc)
    if manifest.id != folder:
        return owner or manifest.environment, None, f"its {MANIFEST} names backup {manifest.id}"
    if owner not in (manifest.environment, None):
        return None, None, f"{STARTED} names environment {owner}, {MANIFEST} {manifest.environment}"
    return manifest.environment, manifest, None


def _bytes(store: ObjectStore, key: str) -> bytes | None:
    try:
        return store.get_bytes(key)
    except (ObjectNotFound, FileNotFoundError):
        return None


def remove(store: ObjectStore, backup_id: str) -> str | None:
    """Delete one backup folder, manifest first (so a half-removed backup reads as incomplete).
    Returns why something was kept, if a key was refused or the store refused."""
    keys = [item.key for item in store.list(f"{backup_id}/")]
    if refused := refusals(keys, within=backup_id):
        return f"{backup_id}: kept, its listing holds a key that could leave the folder: {refused[0]}"
    keys.sort(key=lambda k: k != f"{backup_id}/{MANIFEST}")
    try:
        for key in keys:
            store.delete(key)
    except S3Denied:
        return f"{backup_id}: the store refused the deletion (object lock or policy); kept"
    return None


def apply_retention(store: ObjectStore, catalog: Catalog, policy: RetentionPolicy, *, locked: bool) -> tuple[Decision, list[str]]:
    """Remove what the policy does not keep, and, when the caller holds the environment's backup lock (`locked`),
    this environment's incomplete backups older than its newest complete one: without the lock one of them may
    still be being written. The newest backup a drill passed stays; invalid folders stay. Returns the decision
    and a note for each backup kept against it."""
    taken = {m.id: m.taken_at for m in catalog.complete}
    passed = records.passed(store, catalog.environment)
    drilled = [backup_id for backup_id in taken if backup_id in passed]  # oldest first
    decision = plan(list(taken), taken.__getitem__, policy, pinned={drilled[-1]: DRILLED} if drilled else None)
    newest = catalog.complete[-1].id if catalog.complete else ""
    stale = [folder for folder in catalog.incomplete if folder < newest]  # ids sort by time
    kept = [note for backup_id in decision.remove + (stale if locked else []) if (note := remove(store, backup_id))]
    if stale and not locked:
        kept.append(
            f"{', '.join(stale)}: unfinished, kept: without the backup:{catalog.environment} limit "
            "(`formwork deploy` creates it) one may still be being written"
        )
    kept += [f"{folder}: invalid, kept for a look ({why})" for folder, why in catalog.invalid.items()]
    return decision, kept
