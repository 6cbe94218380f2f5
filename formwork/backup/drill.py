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

import hashlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import psycopg

from formwork.backup.manifest import DATABASE, FILESTORE, MANIFEST, FileEntry, Manifest
from formwork.backup.snapshot import row_counts
from formwork.backup.take import sha256_of
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
    `part`: only the database's files (DATABASE), or only the others (FILESTORE), so that a drill can restore
    the database while the filestore is verified. Every key of the manifest is checked first: when one could
    leave the backup's folder (or `into`), nothing is downloaded."""
    progress = progress or NoProgress()
    refused = refusals(manifest.files)
    if refused:
        return [f"{store.url(manifest.id)}/{MANIFEST}: {problem}" for problem in refused]
    in_database = f"{DATABASE}/"
    chosen = sorted(
        (key, entry) for key, entry in manifest.files.items() if part is None or key.startswith(in_database) == (part == DATABASE)
    )

    def verify_one(item: tuple[str, FileEntry]) -> tuple[int, str | None]:
        key, entry = item
        local, url = into / key, store.url(f"{manifest.id}/{key}")
        local.parent.mkdir(parents=True, exist_ok=True)
        try:
            store.get_file(f"{manifest.id}/{key}", local)
        except ObjectNotFound:
            return 0, f"{url}: missing"
        size = local.stat().st_size
        if size != entry.size:
            return size, f"{url}: truncated or extended ({size:,} bytes, manifest says {entry.size:,})"
        if sha256_of(local) != entry.sha256:
            return size, f"{url}: SHA-256 mismatch (corrupt or altered)"
        return size, None

    problems = []
    progress.start(f"verify {manifest.id}" + (f" ({part})" if part else ""), sum(entry.size for _, entry in chosen))
    with ThreadPoolExecutor(DOWNLOADS, thread_name_prefix="formwork-verify") as pool:
        for size, problem in pool.map(verify_one, chosen):
            problems += [problem] if problem else []
            progress.advance(size)
    progress.finish()
    return problems


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


def attachment_problems(conn: psycopg.Connection, manifest: Manifest, files: Path) -> list[str]:
    """Every file the restored database references is in the backup, and its bytes match Odoo's sha1 checksum."""

    def in_backup(store_fname: str) -> bytes | None:
        path = files / FILESTORE / store_fname
        return path.read_bytes() if f"{FILESTORE}/{store_fname}" in manifest.files and path.is_file() else None

    return referenced_file_problems(conn, in_backup, "in the backup")


def referenced_file_problems(conn: psycopg.Connection, read: Callable[[str], bytes | None], where: str) -> list[str]:
    """Every file ir_attachment references can be read (None: absent) and matches its sha1 checksum;
    a store_fname that could name a file outside the filestore is reported, never read."""
    if conn.execute("SELECT to_regclass('ir_attachment')").fetchone()[0] is None:
        return []
    problems = []
    rows = conn.execute(
        "SELECT DISTINCT store_fname, checksum FROM ir_attachment WHERE store_fname IS NOT NULL AND store_fname <> ''"
    ).fetchall()
    for store_fname, checksum in rows:
        try:
            content = read(safe_key(store_fname))
        except UnsafeKey as exc:
            problems.append(f"ir_attachment.store_fname {str(exc).removeprefix('key ')}; not read")
            continue
        if content is None:
            problems.append(f"{store_fname}: referenced by ir_attachment, not {where}")
        elif checksum and hashlib.sha1(content).hexdigest() != checksum:
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
