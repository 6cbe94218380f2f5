"""Refresh steps as Prefect tasks: each does one thing to the copy beside the target, never to the target."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from prefect import task

from blocks.local_directory_store import LocalDirectoryStore
from blocks.masking_salt import masking_salt
from blocks.odoo_environment import OdooEnvironment
from blocks.stores import open_folder
from formwork.backup import catalog, drill
from formwork.backup.manifest import DATABASE, FILESTORE, Manifest
from formwork.backup.snapshot import row_counts, snapshot
from formwork.dsn import ConnectionSpec, connect_maintenance
from formwork.errors import InputError, OperationError
from formwork.masking.engine import Masker, MaskReport
from formwork.masking.staging_login import check_staging_password
from formwork.posture.facts import REFRESH_RECORD
from formwork.refresh import clone, dump_folder, filestore, space, swap
from formwork.refresh.same_database import same_database
from formwork.rewiring.engine import Rewirer, RewireReport
from formwork.rewiring.rules import DEFAULT_RULES as DEFAULT_REWIRING
from formwork.rewiring.rules import load_rules as load_rewiring_rules
from tasks.backup import backup_store
from tasks.concurrency import server_slots
from tasks.guards import refuse_production_target
from tasks.masking import load_masking_rules
from tasks.progress import task_progress
from tasks.retries import retry_transient, retry_unless_refused
from tasks.rewiring import settings_for


def side_spec(env: OdooEnvironment, database: str) -> ConnectionSpec:
    return env.connection().on(database)


def admin(env: OdooEnvironment) -> psycopg.Connection:
    """The target server's maintenance database, for CREATE/DROP/RENAME DATABASE."""
    return connect_maintenance(env.connection())


@task(name="check guards")
def check_guards(
    source: str, src: OdooEnvironment, target: str, dst: OdooEnvironment, rules: str, from_backup: str | None = None
) -> list[str]:
    """Everything that can refuse the run, before anything is written; returns what was measured.
    From a backup, the source is not reached at all: its backup store stands in for it."""
    refuse_production_target(target, dst)
    if not dst.filestore_url or not (src.filestore_url or from_backup):
        missing = target if not dst.filestore_url else source
        raise InputError(f"environment '{missing}' has no filestore: set one with formwork env add ... --filestore URL")
    filestore.refuse_production(open_folder(dst.filestore_url))
    load_masking_rules(rules, dst)  # file, line and key of a bad rule, before anything is read
    if dst.staging_password is not None:
        check_staging_password(dst.staging_login_password(), f"environment '{target}': staging password")
    load_rewiring_rules([DEFAULT_REWIRING, *dst.rewiring_rules])
    try:
        if from_backup:
            manifest = find_backup(source, src, from_backup)
            with admin(dst) as a:
                rooms = [space.database_room(manifest.database_size, a), space.download_room(manifest.size)]
        else:
            with psycopg.connect(**src.connection().kwargs()) as s, admin(dst) as a:
                _refuse_same_database(source, s, target, dst)
                database_size, data_size = space.source_sizes(s)
                rooms = [space.database_room(database_size, a), space.download_room(data_size)]
    except psycopg.OperationalError as exc:
        raise OperationError(f"refresh {source} -> {target}: cannot reach a server: {str(exc).splitlines()[0]}") from None
    short = [room for room in rooms if not room.enough]
    if short:
        raise InputError(f"refresh {source} -> {target}: not enough free space: " + "; ".join(map(str, short)))
    return [f"space checked: {room}" for room in rooms]


def _refuse_same_database(source: str, s: psycopg.Connection, target: str, dst: OdooEnvironment) -> None:
    existing = _connect_or_none(dst)
    if existing is not None:
        with existing:
            if same_database(s, existing):
                raise InputError(
                    f"refresh {source} -> {target}: the target is the source database itself "
                    "(same server and database under another address)"
                )


def find_backup(source: str, src: OdooEnvironment, backup_id: str) -> Manifest:
    store = backup_store(source, src)
    return catalog.read(store, source).find(None if backup_id == "latest" else backup_id, store.url())


def _connect_or_none(env: OdooEnvironment, database: str | None = None) -> psycopg.Connection | None:
    try:
        return psycopg.connect(**side_spec(env, database or env.db_name).kwargs())
    except psycopg.OperationalError:
        return None  # the target database does not exist yet: it cannot be the source


@task(name="clean up earlier runs")
def clean_up(target: str, dst: OdooEnvironment) -> list[str]:
    """Side databases, folders and dumps of runs that were killed or failed; the live target is never among them.

    A run killed between the database swap and the filestore's is finished instead:
    the live target is that run's copy, and it needs its files."""
    notes = []
    dumps = dump_folder.remove_left(target)
    if dumps:
        notes.append(f"removed the dump folder {dumps}, left by an earlier run that did not finish")
    swapped = refresh_run_of(dst)
    with admin(dst) as conn:
        for name in swap.leftovers(conn, dst.db_name):
            swap.drop(conn, name)
            notes.append(f"dropped database {name}, left by an earlier run that did not finish")
    target = open_folder(dst.filestore_url)
    for side in filestore.side_folders(target):
        if swapped and side.url() == target.beside(swap.BUILDING + swapped).url():
            filestore.finish(target, side)
            notes.append(f"finished the filestore swap of run {swapped}, killed after its database swap")
        else:
            filestore.remove(side)
            notes.append(f"removed {side.url()}, left by an earlier run that did not finish")
    return notes


def refresh_run_of(dst: OdooEnvironment, database: str | None = None) -> str | None:
    """The refresh run whose copy is the live target, or `database` beside it (rewire_copy marks every copy)."""
    conn = _connect_or_none(dst, database)
    if conn is None:
        return None
    with conn:
        if not _has(conn, "ir_config_parameter"):
            return None
        row = conn.execute("SELECT value FROM ir_config_parameter WHERE key = 'formwork.refresh_run'").fetchone()
    return row[0] if row else None


@task(name="describe the target")
def describe_target(dst: OdooEnvironment) -> str:
    with admin(dst) as conn:
        size = (
            conn.execute("SELECT pg_size_pretty(pg_database_size(%s))", (dst.db_name,)).fetchone()
            if swap.exists(conn, dst.db_name)
            else None
        )
    if size is None:
        return f"`{dst.db_name}` does not exist yet: nothing is replaced."
    with psycopg.connect(**dst.connection().kwargs()) as conn:
        last = conn.execute("SELECT max(write_date) FROM mail_message").fetchone()[0] if _has(conn, "mail_message") else None
    return f"`{dst.db_name}` ({size[0]}, last chatter write {last or 'unknown'}) will be replaced; the current copy is kept as `{swap.previous_name(dst.db_name)}`."


def _has(conn: psycopg.Connection, table: str) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()[0]


@task(name="clone production beside the target", retries=2, retry_delay_seconds=10, retry_condition_fn=retry_transient)
def clone_database(src: OdooEnvironment, dst: OdooEnvironment, side: str, scratch: Path) -> dict[str, int]:
    """Tables and rows only: indexes and constraints come after masking (`build_indexes`), from the dump
    left in `scratch`. Returns the source's row counts, read in the snapshot the dump was taken from."""
    with admin(dst) as conn:
        swap.drop(conn, side)  # a retry starts from nothing
    shutil.rmtree(scratch / DATABASE, ignore_errors=True)
    with server_slots(src, dst, why="clone"):
        with snapshot(src.connection(), "source") as (snapshot_id, facts):
            clone.dump(src.connection(), scratch / DATABASE, progress=task_progress(), snapshot=snapshot_id)
        clone.restore(
            side_spec(dst, "postgres"),
            side,
            scratch / DATABASE,
            progress=task_progress(),
            defer_indexes=True,
            owned_like=dst.db_name,
            source_owner=facts.database_owner,
        )
    return facts.tables


@task(name="copy the filestore beside the target", retries=2, retry_delay_seconds=10, retry_condition_fn=retry_unless_refused)
def copy_filestore(src: OdooEnvironment, side_url: str) -> int:
    return filestore.copy_all(open_folder(src.filestore_url), open_folder(side_url), task_progress())


@task(name="restore the backup beside the target", retries=2, retry_delay_seconds=10, retry_condition_fn=retry_transient)
def restore_backup(
    source: str, src: OdooEnvironment, dst: OdooEnvironment, side: str, side_url: str, backup_id: str, scratch: Path
) -> Manifest:
    """Every file verified against the manifest first; production is not read at all. Indexes as in clone_database."""
    store, manifest = backup_store(source, src), find_backup(source, src, backup_id)
    with admin(dst) as conn:
        swap.drop(conn, side)
    problems = drill.fetch(store, manifest, scratch, task_progress())
    if problems:
        raise OperationError(f"backup {manifest.id} failed verification: " + "; ".join(problems[:3]))
    with server_slots(dst, why="restore backup"):
        clone.restore(
            side_spec(dst, "postgres"),
            side,
            scratch / DATABASE,
            progress=task_progress(),
            defer_indexes=True,
            owned_like=dst.db_name,
            source_owner=manifest.database_owner,
        )
    filestore.copy_all(LocalDirectoryStore(path=str(scratch / FILESTORE)), open_folder(side_url), task_progress())
    return manifest


@task(name="build indexes and constraints on the copy")
def build_indexes(dst: OdooEnvironment, side: str, scratch: Path) -> None:
    with server_slots(dst, why="build indexes"):
        clone.build_indexes(side_spec(dst, "postgres"), side, scratch / DATABASE, progress=task_progress())


@task(name="mask the copy")
def mask_copy(dst: OdooEnvironment, side: str, side_url: str, rules: str) -> MaskReport:
    with psycopg.connect(**side_spec(dst, side).kwargs()) as conn:
        return Masker(
            conn, load_masking_rules(rules, dst), masking_salt(), open_folder(side_url), dst.staging_login_password()
        ).run(task_progress())


@task(name="rewire the copy")
def rewire_copy(target: str, dst: OdooEnvironment, side: str, run: str) -> RewireReport:
    with psycopg.connect(**side_spec(dst, side).kwargs()) as conn:
        # Production's own say on what it was rewired for must not spare a rule: this copy is new.
        conn.execute("DELETE FROM ir_config_parameter WHERE key = 'formwork.rewired_for'")
        report = Rewirer(conn, load_rewiring_rules([DEFAULT_REWIRING, *dst.rewiring_rules]), settings_for(target, dst)).apply()
        for key, value in (("formwork.refresh_run", run), (REFRESH_RECORD, "{}")):  # the record is filled in once masked
            conn.execute(
                "INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                (key, value),
            )
        conn.commit()
    if report.live:
        raise OperationError("the copy still has live endpoints: " + ", ".join(live.rule.name for live in report.live))
    return report


@task(name="record the refresh in the copy")
def record_refresh(
    dst: OdooEnvironment, side: str, source: str, approver: str, change_reference: str, rules: str, masked: MaskReport, run: str
) -> None:
    """The copy says where it came from (formwork.posture reads it): when, from where, approved by whom, which
    masking rules, what the leak check searched. Written before the swap, so it goes live with the copy."""
    text = Path(rules).read_bytes() if Path(rules).is_file() else b""
    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": source,
        "approver": approver,
        "change": change_reference,
        "rules": f"{Path(rules).name}@{hashlib.sha256(text).hexdigest()[:12]}",
        "leak_check": f"passed: {masked.originals:,} originals searched for, none found",
        "run": run,
    }
    with psycopg.connect(**side_spec(dst, side).kwargs()) as conn:
        conn.execute("UPDATE ir_config_parameter SET value = %s WHERE key = %s", (json.dumps(record), REFRESH_RECORD))


@task(name="verify row counts against the source")
def verify_counts(expected: dict[str, int], dst: OdooEnvironment, side: str, removed: dict[str, int], rewired: set[str]) -> int:
    """Every table holds the source's rows (as counted in the dump's snapshot, or in the backup's manifest),
    less what masking deleted on purpose; tables whose rows rewiring adds or removes (`rewired`) are
    vouched for by the rewiring check instead."""
    with psycopg.connect(**side_spec(dst, side).kwargs()) as conn:
        found = row_counts(conn)
    wanted = {table: rows - removed.get(table, 0) for table, rows in expected.items() if table not in rewired}
    wrong = [
        f"{table} {found.get(table)} (expected {rows})" for table, rows in sorted(wanted.items()) if found.get(table) != rows
    ]
    wrong += [f"{table} (not in the source)" for table in sorted(set(found) - set(wanted) - rewired)]
    if wrong:
        raise OperationError("the copy does not match the source: " + "; ".join(wrong[:5]))
    return sum(found.values())


@task(name="swap the copy in")
def swap_in(dst: OdooEnvironment, side: str, side_url: str) -> None:
    """The one moment the target changes: databases in one transaction, then the filestore folders."""
    filestore.stage(open_folder(dst.filestore_url), open_folder(side_url))
    with admin(dst) as conn:
        swap.swap_in(conn, dst.db_name, side)
    filestore.finish(open_folder(dst.filestore_url), open_folder(side_url))
