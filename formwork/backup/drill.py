"""A disaster-recovery drill: prove a backup restores into a usable database, and how fast.

Every file of the database is checked against the manifest before it is restored,
and the filestore's while it is, so a corrupt, truncated or missing file fails the
drill by name. The restore goes into
a new scratch database (`<db>__drill_<run>`), never an existing one; it is
rewired so it cannot reach the outside, checked, and dropped whatever happens.
RPO is the age of the restored point when the drill started; RTO is the time from
the drill's start to a verified, usable database.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import psycopg

from formwork.backup import bundles
from formwork.backup.manifest import DATABASE, FILESTORE, MANIFEST, FileEntry, Manifest
from formwork.backup.snapshot import row_counts
from formwork.backup.take import IN_MEMORY, digests, sha256_of
from formwork.errors import first_line
from formwork.progress import NoProgress, Progress
from formwork.stores.object_store import (
    ObjectNotFound,
    ObjectStore,
    UnsafeKey,
    refusals,
    safe_key,
)

SCRATCH = "__drill_"
DOWNLOADS = 8  # parallel downloads: latency-bound for S3


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str = ""


def check(name: str, problems: list[str], ok: str = "") -> Check:
    """Passed when there are no problems; the first five are named."""
    more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
    return Check(name, not problems, "; ".join(problems[:5]) + more if problems else ok)


@dataclass
class DrillResult:
    environment: str
    backup_id: str
    started_at: datetime
    taken_at: datetime
    rpo_target: timedelta
    rto_target: timedelta
    scratch: str = ""
    rto: timedelta | None = None  # None: never reached a verified database
    checks: list[Check] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def rpo(self) -> timedelta:
        return self.started_at - self.taken_at

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def add(self, check: Check) -> bool:
        self.checks.append(check)
        return check.passed

    def measure(self) -> None:
        for name, measured, target in (("RPO", self.rpo, self.rpo_target), ("RTO", self.rto, self.rto_target)):
            if measured is not None:
                self.add(
                    check(
                        f"{name} within target",
                        [f"{_span(measured)} exceeds {_span(target)}"] if measured > target else [],
                        f"{_span(measured)} ≤ {_span(target)}",
                    )
                )

    def summary(self) -> str:
        verdict = (
            "PASSED" if self.passed else "FAILED: " + "; ".join(f"{c.name}: {c.detail}" for c in self.checks if not c.passed)
        )
        rto = _span(self.rto) if self.rto is not None else "not reached"
        return (
            f"drill {self.environment} {self.subject()}: {verdict} — RPO {_span(self.rpo)} (target {_span(self.rpo_target)}), "
            f"RTO {rto} (target {_span(self.rto_target)})"
        )

    def subject(self) -> str:
        return f"from backup {self.backup_id}"

    def restored_from(self) -> str:
        return f"Backup `{self.backup_id}` taken {self.taken_at:%Y-%m-%d %H:%M:%S} UTC, restored into scratch database `{self.scratch}` (dropped)."

    def record(self) -> dict:
        return {
            "environment": self.environment,
            "backup": self.backup_id,
            "started_at": self.started_at.isoformat(),
            "rpo_seconds": self.rpo.total_seconds(),
            "rto_seconds": self.rto.total_seconds() if self.rto is not None else None,
            "passed": self.passed,
            "failed_checks": [c.name for c in self.checks if not c.passed],
        }

    def markdown(self, earlier: list[dict]) -> str:
        lines = [
            f"# DR drill: {self.environment}",
            "",
            f"**{self.summary()}**",
            "",
            self.restored_from(),
            "",
            "| check | result | detail |",
            "|---|---|---|",
        ]
        lines += [f"| {c.name} | {'pass' if c.passed else '**FAIL**'} | {c.detail} |" for c in self.checks]
        lines += ["", "Phases: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.phases.items())]
        if earlier:
            lines += [
                "",
                "## Trend (earlier drills, newest first)",
                "",
                "| started | backup | RPO | RTO | result |",
                "|---|---|---:|---:|---|",
            ]
            for r in earlier:
                rto = _span(timedelta(seconds=r["rto_seconds"])) if r["rto_seconds"] is not None else "-"
                lines.append(
                    f"| {r['started_at'][:19]} | {r['backup']} | {_span(timedelta(seconds=r['rpo_seconds']))} | {rto} | "
                    f"{'pass' if r['passed'] else 'FAIL: ' + ', '.join(r['failed_checks'])} |"
                )
        return "\n".join(lines)


def fetch(
    store: ObjectStore, manifest: Manifest, into: Path, progress: Progress | None = None, part: str | None = None
) -> list[str]:
    """Download every file of the backup into `into`, checking size and SHA-256; returns the problems, by file.
    `part`: only the database's files (DATABASE), or only the others (FILESTORE). Every key of the manifest is
    checked first: when one could leave the backup's folder (or `into`), nothing is downloaded."""

    def download(key: str, entry: FileEntry) -> tuple[int, str | None]:
        local = into / key
        local.parent.mkdir(parents=True, exist_ok=True)
        try:
            store.get_file(f"{manifest.id}/{key}", local)
        except ObjectNotFound:
            return 0, f"{store.url(f'{manifest.id}/{key}')}: missing"
        return _compared(store, manifest, key, entry, local.stat().st_size, sha256_of(local))

    def unpack(key: str, entry: FileEntry, data: bytes) -> tuple[int, str | None]:
        local = into / key
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
        return _compared(store, manifest, key, entry, len(data), hashlib.sha256(data).hexdigest())

    return _each_file(store, manifest, part, progress, download, unpack)


def verify_filestore(store: ObjectStore, manifest: Manifest, progress: Progress | None = None) -> Verified:
    """The filestore's files checked against the manifest where they lie: each read once, written nowhere.
    A drill needs their size, SHA-256 and Odoo's SHA-1 (the attachment check), not a copy of them."""
    sha1s: dict[str, str] = {}

    def verify(key: str, entry: FileEntry) -> tuple[int, str | None]:
        name = f"{manifest.id}/{key}"
        try:
            if entry.size <= IN_MEMORY:  # one read, no temporary file, no more than the manifest says
                data = store.get_bytes(name, limit=entry.size + 1)
                if len(data) > entry.size:
                    grown = f"truncated or extended (over {entry.size:,} bytes, manifest says {entry.size:,})"
                    return len(data), f"{store.url(name)}: {grown}"
                return verified(key, entry, data)
            with tempfile.TemporaryDirectory(prefix="formwork-verify-") as scratch:
                local = Path(scratch) / "f"
                store.get_file(name, local)
                return checked(key, entry, local.stat().st_size, *digests(local, "sha256", "sha1"))
        except ObjectNotFound:
            return 0, f"{store.url(name)}: missing"

    def verified(key: str, entry: FileEntry, data: bytes) -> tuple[int, str | None]:
        return checked(key, entry, len(data), hashlib.sha256(data).hexdigest(), hashlib.sha1(data).hexdigest())

    def checked(key: str, entry: FileEntry, size: int, sha256: str, sha1: str) -> tuple[int, str | None]:
        size, problem = _compared(store, manifest, key, entry, size, sha256)
        if problem is None:
            sha1s[key.removeprefix(f"{FILESTORE}/")] = sha1
        return size, problem

    return Verified(_each_file(store, manifest, FILESTORE, progress, verify, verified), sha1s)


@dataclass
class Verified:
    problems: list[str]
    sha1: dict[str, str]  # filestore key -> SHA-1 of its verified content, as Odoo's ir_attachment.checksum is


Checked = tuple[int, str | None]  # bytes read, the problem (None: the file is as the manifest says)


def _each_file(
    store: ObjectStore,
    manifest: Manifest,
    part: str | None,
    progress: Progress | None,
    one: Callable[[str, FileEntry], Checked],
    in_bundle: Callable[[str, FileEntry, bytes], Checked],
) -> list[str]:
    """`one(key, entry)` on every file of the part that is an object of its own, `in_bundle(key, entry, its bytes)`
    on every bundled one (each bundle read once), several at once (latency-bound on S3); the problems, by file."""
    progress = progress or NoProgress()
    refused = refusals(manifest.files)
    if refused:
        return [f"{store.url(manifest.id)}/{MANIFEST}: {problem}" for problem in refused]
    in_database = f"{DATABASE}/"
    chosen = sorted(
        (key, entry) for key, entry in manifest.files.items() if part is None or key.startswith(in_database) == (part == DATABASE)
    )
    grouped: dict[str, list[tuple[str, FileEntry]]] = {}
    for key, entry in chosen:
        if entry.bundle is not None:
            grouped.setdefault(entry.bundle, []).append((key, entry))

    def unbundled(bundle: str) -> list[Checked]:
        files = grouped[bundle]
        try:
            data = store.get_bytes(f"{manifest.id}/{bundle}", limit=max(e.offset + e.size for _, e in files))
        except ObjectNotFound:
            return [(0, f"{store.url(f'{manifest.id}/{key}')}: missing (bundle {bundle} not found)") for key, _ in files]
        return [in_bundle(key, entry, bundles.content(data, entry)) for key, entry in files]

    jobs = [functools.partial(unbundled, bundle) for bundle in grouped]
    jobs += [functools.partial(lambda k, e: [one(k, e)], key, entry) for key, entry in chosen if entry.bundle is None]
    problems = []
    progress.start(f"verify {manifest.id}" + (f" ({part})" if part else ""), sum(entry.size for _, entry in chosen))
    with ThreadPoolExecutor(DOWNLOADS, thread_name_prefix="formwork-verify") as pool:
        for checked in pool.map(lambda job: job(), jobs):
            for size, problem in checked:
                problems += [problem] if problem else []
                progress.advance(size)
    progress.finish()
    return problems


def _compared(
    store: ObjectStore, manifest: Manifest, key: str, entry: FileEntry, size: int, sha256: str
) -> tuple[int, str | None]:
    url = store.url(f"{manifest.id}/{key}")
    if size != entry.size:
        return size, f"{url}: truncated or extended ({size:,} bytes, manifest says {entry.size:,})"
    if sha256 != entry.sha256:
        return size, f"{url}: SHA-256 mismatch (corrupt or altered)"
    return size, None


@contextmanager
def as_restored(conn: psycopg.Connection) -> Iterator[None]:
    """A read-only snapshot of the database taken now: what is read through `conn` inside it ignores every
    later write (the rewiring of the same copy on another connection)."""
    conn.isolation_level, conn.read_only = psycopg.IsolationLevel.REPEATABLE_READ, True
    with conn.transaction():
        conn.execute("SELECT 1")  # the snapshot is taken by the first statement
        yield


def row_count_problems(conn: psycopg.Connection, manifest: Manifest) -> list[str]:
    found = row_counts(conn)
    return [
        f"{table}: {found[table]:,} rows, manifest says {rows:,}" if table in found else f"{table}: missing"
        for table, rows in sorted(manifest.tables.items())
        if found.get(table) != rows
    ]


def foreign_key_problems(conn: psycopg.Connection) -> list[str]:
    """pg_restore validates each foreign key as it adds it; one left unvalidated or missing is a problem."""
    rows = conn.execute(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"
    ).fetchall()
    return [f"{table}.{name} not validated" for table, name in rows]


def attachment_problems(conn: psycopg.Connection, verified: Verified) -> list[str]:
    """Every file the restored database references is in the backup, and its bytes match Odoo's sha1 checksum."""
    return referenced_file_problems(conn, verified.sha1.get, "in the backup")


def sha1_of(read: Callable[[str], bytes | None]) -> Callable[[str], str | None]:
    """A checksum reader from a content reader (None: absent)."""

    def sha1(store_fname: str) -> str | None:
        content = read(store_fname)
        return None if content is None else hashlib.sha1(content).hexdigest()

    return sha1


def referenced_file_problems(conn: psycopg.Connection, checksum_of: Callable[[str], str | None], where: str) -> list[str]:
    """Every file ir_attachment references is there (`checksum_of` gives its SHA-1, None when absent) and matches
    its checksum; a store_fname that could name a file outside the filestore is reported, never read."""
    if conn.execute("SELECT to_regclass('ir_attachment')").fetchone()[0] is None:
        return []
    problems = []
    rows = conn.execute(
        "SELECT DISTINCT store_fname, checksum FROM ir_attachment WHERE store_fname IS NOT NULL AND store_fname <> ''"
    ).fetchall()
    for store_fname, checksum in rows:
        try:
            found = checksum_of(safe_key(store_fname))
        except UnsafeKey as exc:
            problems.append(f"ir_attachment.store_fname {str(exc).removeprefix('key ')}; not read")
            continue
        if found is None:
            problems.append(f"{store_fname}: referenced by ir_attachment, not {where}")
        elif checksum and found != checksum:
            problems.append(f"{store_fname}: content does not match ir_attachment.checksum")
    return problems


# Odoo facts a usable database has: (what, query returning the problems).
SANITY = [
    (
        "base module installed",
        "SELECT 'base is not installed' WHERE NOT EXISTS (SELECT 1 FROM ir_module_module WHERE name = 'base' AND state = 'installed')",
    ),
    ("a company", "SELECT 'no company' WHERE NOT EXISTS (SELECT 1 FROM res_company)"),
    ("an active user", "SELECT 'no active user' WHERE NOT EXISTS (SELECT 1 FROM res_users WHERE active)"),
    (
        "database identity",
        "SELECT 'no database.uuid' WHERE NOT EXISTS (SELECT 1 FROM ir_config_parameter WHERE key = 'database.uuid')",
    ),
    (
        "journal entries balance",
        "SELECT format('move %s: debit %s <> credit %s', move_id, sum(debit), sum(credit)) FROM account_move_line "
        "GROUP BY move_id HAVING round(sum(debit) - sum(credit), 2) <> 0 LIMIT 5",
    ),
]


def sanity_problems(conn: psycopg.Connection) -> list[str]:
    problems = []
    for what, query in SANITY:
        try:
            problems += [f"{what}: {row[0]}" for row in conn.execute(query)]
        except psycopg.errors.UndefinedTable as exc:
            conn.rollback()
            problems.append(f"{what}: {first_line(exc)}")
    return problems


class Stopwatch:
    def __init__(self, result: DrillResult):
        self.result = result

    def __call__(self, phase: str, function, *args):
        started = time.monotonic()
        try:
            return function(*args)
        finally:
            self.result.phases[phase] = self.result.phases.get(phase, 0.0) + time.monotonic() - started


def _span(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
