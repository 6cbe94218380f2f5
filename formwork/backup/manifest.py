"""What a backup holds, written last: a backup without its manifest is incomplete and never restored.

Layout in the environment's backup store, one folder per backup, never rewritten:
    <id>/manifest.json
    <id>/database/...      pg_dump directory format: stock `pg_restore -j N <id>/database` restores it
    <id>/bundles/000001    the small attachments the dump references, end to end (formwork.backup.bundles)
    <id>/filestore/<ab/abcdef...>   the bigger ones, each under its filestore key
    <id>/started.json      written first: names the environment, so a backup that never
                           finishes is still known to be its own in a store several share
Every file is listed with its SHA-256 and size (and, when bundled, its bundle and offset), so a
drill can name the one that is corrupt, truncated or missing. A manifest is input like any other: one that does not
parse, or whose fields have the wrong shape, makes its backup invalid, never the others.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from formwork.errors import InputError

MANIFEST = "manifest.json"
STARTED = "started.json"
DATABASE = "database"
FILESTORE = "filestore"
FORMAT = 2  # 2: small attachments in bundles
READABLE = (1, 2)
BACKUP_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")


def new_id(now: datetime) -> str:
    """Sortable by time, unique even for two backups in the same second."""
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def started(environment: str, now: datetime) -> bytes:
    return json.dumps({"environment": environment, "started_at": now.isoformat()}).encode()


def started_by(raw: bytes) -> str | None:
    """The environment a started.json names; None when it does not parse."""
    try:
        environment = json.loads(raw).get("environment")
    except (ValueError, AttributeError):
        return None
    return environment if isinstance(environment, str) and environment else None


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    size: int
    bundle: str | None = None  # the bundle holding its bytes (`bundles/000001`), None: an object of its own
    offset: int = 0  # where they start in the bundle

    def to_dict(self) -> dict:
        own = {"sha256": self.sha256, "size": self.size}
        return own if self.bundle is None else {**own, "bundle": self.bundle, "offset": self.offset}


@dataclass(frozen=True)
class Attachment:
    store_fname: str
    checksum: str  # Odoo's sha1 of the content, which names the file
    size: int


@dataclass
class Manifest:
    id: str
    environment: str
    taken_at: datetime  # the snapshot the dump and the row counts come from
    finished_at: datetime | None = None
    source: str = ""  # the database, without credentials
    server_version: str = ""
    database_size: int = 0  # bytes on the source server: what a restore needs free
    wal_lsn: str | None = None
    database_owner: str | None = None  # the role owning the database: restores are given to it where it exists (Odoo's)
    odoo_version: str | None = None
    # who the source database was (production_guard.DatabaseIdentity.recorded()): only a checkpoint of the very
    # database a release failed on may be put back into it (formwork.release.data_rollback)
    database_identity: dict[str, str | None] | None = None
    modules: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)  # table -> rows in the snapshot
    attachments: list[Attachment] = field(default_factory=list)
    files: dict[str, FileEntry] = field(default_factory=dict)  # key inside the backup folder -> checksum

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files.values())

    def to_json(self) -> bytes:
        data = asdict(self)
        data["format"] = FORMAT
        data["taken_at"] = self.taken_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        data["files"] = {key: entry.to_dict() for key, entry in self.files.items()}
        return json.dumps(data, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes, where: str) -> Manifest:
        try:
            data = json.loads(raw)
            if data.pop("format", None) not in READABLE:
                raise ValueError(f"unknown format (expected one of {', '.join(map(str, READABLE))})")
            data["taken_at"] = datetime.fromisoformat(data["taken_at"])
            data["finished_at"] = datetime.fromisoformat(data["finished_at"]) if data.get("finished_at") else None
            data["attachments"] = [Attachment(**a) for a in data.get("attachments", [])]
            data["files"] = {key: FileEntry(**entry) for key, entry in data.get("files", {}).items()}
            manifest = cls(**data)
            manifest._check_shape()
            return manifest
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            why = f"no {exc.args[0]}" if isinstance(exc, KeyError) else str(exc)
            raise InputError(f"{where}: not a readable Formwork backup manifest ({why})") from None

    def _check_shape(self) -> None:
        """What listing, retention and drills compute with has the type they expect."""
        if not isinstance(self.id, str) or not BACKUP_ID.fullmatch(self.id):
            raise ValueError(f"id {self.id!r} is not a backup id")
        if not isinstance(self.environment, str) or not self.environment:
            raise ValueError("no environment")
        if self.taken_at.utcoffset() is None:
            raise ValueError("taken_at has no time zone")
        if self.database_owner is not None and not isinstance(self.database_owner, str):
            raise ValueError("database_owner must be a role name")
        if self.database_identity is not None and not (
            isinstance(self.database_identity, dict) and {"started", "oid"} <= set(self.database_identity)
        ):
            raise ValueError("database_identity must name the server start time and the database oid")
        if not all(isinstance(t, str) and _count(n) for t, n in self.tables.items()):
            raise ValueError("tables must map names to row counts")
        if not all(isinstance(k, str) and isinstance(f.sha256, str) and _count(f.size) for k, f in self.files.items()):
            raise ValueError("files must map keys to a sha256 and a size")
        if not all(f.bundle is None or (_bundle(f.bundle) and _count(f.offset)) for f in self.files.values()):
            raise ValueError("a bundled file must name its bundle (bundles/NNNNNN) and its offset there")


def _bundle(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"bundles/\d{6}", value) is not None


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
