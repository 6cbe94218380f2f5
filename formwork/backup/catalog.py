"""The backups in a store: list them, find one, and remove what the retention policy lets go.

A folder without a manifest is a backup that never finished (killed, failed): it is
listed as incomplete, never restored, and removed by the next retention pass.
On S3 with versioning, a removal leaves the versions behind a delete marker, and
object lock keeps locked versions until their retention date whatever Formwork
asks: Formwork never bypasses governance mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from blocks.object_store import ObjectNotFound, ObjectStore
from blocks.s3_errors import S3Denied
from formwork.backup.manifest import BACKUP_ID, MANIFEST, Manifest
from formwork.backup.retention import Decision, RetentionPolicy, plan
from formwork.errors import InputError


@dataclass
class Catalog:
    complete: list[Manifest] = field(default_factory=list)  # oldest first
    incomplete: list[str] = field(default_factory=list)

    def find(self, backup_id: str | None, where: str) -> Manifest:
        """The given backup, or the latest one."""
        if not self.complete:
            raise InputError(f"{where}: no complete backup to use (take one with `formwork backup ENV`)")
        if backup_id is None:
            return self.complete[-1]
        for manifest in self.complete:
            if manifest.id == backup_id:
                return manifest
        hint = " (it never finished)" if backup_id in self.incomplete else ""
        raise InputError(f"--backup '{backup_id}': no such complete backup in {where}{hint}")


def read(store: ObjectStore) -> Catalog:
    catalog = Catalog()
    for folder in filter(BACKUP_ID.fullmatch, store.folders()):  # drill records live beside them
        try:
            raw = store.get_bytes(f"{folder}/{MANIFEST}")
        except (ObjectNotFound, FileNotFoundError):
            catalog.incomplete.append(folder)
            continue
        catalog.complete.append(Manifest.from_json(raw, store.url(f"{folder}/{MANIFEST}")))
    catalog.complete.sort(key=lambda m: m.taken_at)
    return catalog


def remove(store: ObjectStore, backup_id: str) -> str | None:
    """Delete one backup folder, manifest first (so a half-removed backup reads as incomplete).
    Returns why something was kept, if the store refused."""
    keys = [item.key for item in store.list(f"{backup_id}/")]
    keys.sort(key=lambda k: k != f"{backup_id}/{MANIFEST}")
    try:
        for key in keys:
            store.delete(key)
    except S3Denied:
        return f"{backup_id}: the store refused the deletion (object lock or policy); kept"
    return None


def apply_retention(store: ObjectStore, catalog: Catalog, policy: RetentionPolicy) -> tuple[Decision, list[str]]:
    """Remove what the policy does not keep, and incomplete backups older than the newest complete one."""
    taken = {m.id: m.taken_at for m in catalog.complete}
    decision = plan(list(taken), taken.__getitem__, policy)
    newest = catalog.complete[-1].id if catalog.complete else ""
    stale = [folder for folder in catalog.incomplete if folder < newest]  # ids sort by time
    kept = [note for backup_id in decision.remove + stale if (note := remove(store, backup_id))]
    return decision, kept
