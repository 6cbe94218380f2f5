"""Backups and DR drills on a real seeded database, to a local folder and to S3 over HTTP."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest

from blocks import catalogue
from blocks.stores import open_store, s3_block_name
from formwork.backup import bundles, catalog, drill
from formwork.backup.manifest import MANIFEST
from formwork.backup.snapshot import row_counts
from formwork.environments import EnvironmentSpec
from tests.support.webhook import WebhookReceiver
from tests.test_object_store import s3_store
from tests.test_refresh_cli import DIGEST, latest_report


def scratch_databases(pg, database: str) -> list[str]:
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        return [n for (n,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (database + "\\_\\_drill%",))]


@pytest.fixture
def prod(pg, pg_other, seeded_source, prefect_api, tmp_path):
    """A production environment on the seeded database with a local backup store, drilled on the other server; its name."""
    source, files = seeded_source
    name = f"p-{uuid.uuid4().hex[:6]}"
    catalogue.add(
        EnvironmentSpec(
            name,
            pg.dsn(source),
            filestore=f"file://{files}",
            backup_store=f"file://{tmp_path}/backups",
            tier=1,
            production=True,
            scratch_dsn=pg_other.dsn(),
        )
    )
    return name


def test_backup_then_drill_passes_with_rpo_and_rto_and_production_untouched(
    pg, pg_other, seeded_source, prod, run_formwork, formwork_here, prefect_api, tmp_path
):
    with psycopg.connect(pg.dsn(seeded_source[0])) as conn:
        before = conn.execute(DIGEST).fetchone()[0]
        partners = conn.execute("SELECT count(*) FROM res_partner").fetchone()[0]
    taken = run_formwork("backup", prod)
    assert taken.returncode == 0, taken.stderr[-2000:]
    backup_id = taken.stdout.strip().splitlines()[-1]
    listed = formwork_here("backups", "list", prod)
    assert backup_id in listed.stdout, listed.stdout

    manifest = catalog.read(open_store(f"file://{tmp_path}/backups"), prod).find(backup_id, "test")
    assert manifest.tables["res_partner"] == partners and "base" in manifest.modules and manifest.wal_lsn
    assert manifest.attachments and all(f"filestore/{a.store_fname}" in manifest.files for a in manifest.attachments)

    drilled = run_formwork("drill", prod)
    assert drilled.returncode == 0, drilled.stdout[-2000:] + drilled.stderr[-2000:]
    assert f"drill {prod} from backup {backup_id}: PASSED" in drilled.stdout
    assert "RPO" in drilled.stdout and "(target 15.0 min)" in drilled.stdout and "(target 60.0 min)" in drilled.stdout
    assert scratch_databases(pg_other, seeded_source[0]) == []
    with psycopg.connect(pg.dsn(seeded_source[0])) as conn:
        assert conn.execute(DIGEST).fetchone()[0] == before
    report = latest_report(prefect_api, "drill-report")
    for check in (
        "backup files match the manifest",
        "row counts match the manifest",
        "isolated (nothing live)",
        "foreign keys valid",
        "filestore objects present",
        "Odoo sanity",
        "RPO within target",
        "RTO within target",
    ):
        assert f"| {check} | pass |" in report, check
    assert backup_id in latest_report(prefect_api, "backup-report")

    # The estate's posture: a fresh backup, drilled, well inside tier 1's objectives.
    shown = formwork_here("status", prod, "--json")
    [posture] = json.loads(shown.stdout)
    assert (shown.returncode, posture["state"], posture["reasons"]) == (0, "inside", []), shown.stdout + shown.stderr
    assert posture["drilled_backup"] == backup_id and posture["last_drill"]["passed"] and posture["backups_kept"] == 1
    assert posture["restorable_point_age_seconds"] < posture["rpo_target_seconds"] == 15 * 60


def backed_up(prod: str) -> tuple[str, Path]:
    from flows.backup import backup

    manifest = backup(environment=prod)
    root = Path(catalogue.load(prod).backup_store_url.removeprefix("file://")) / manifest.id
    return manifest.id, root


def failed_drill(prod: str) -> str:
    from flows.dr_drill import dr_drill
    from formwork.errors import OperationError

    with pytest.raises(OperationError) as failed:
        dr_drill(environment=prod)
    return str(failed.value)


def test_one_flipped_byte_fails_the_drill_naming_the_file(pg_other, seeded_source, prod, monkeypatch):
    monkeypatch.setattr(bundles, "LIMIT", -1)  # every file an object of its own, as files over the limit are
    backup_id, root = backed_up(prod)
    victim = max((root / "database").glob("*.dat.gz"), key=lambda p: p.stat().st_size)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    attachment = sorted(p for p in (root / "filestore").rglob("*") if p.is_file())[0]  # verified where it lies, in memory
    attachment.write_bytes(attachment.read_bytes()[::-1])
    reason = failed_drill(prod)
    assert f"{backup_id}/database/{victim.name}: SHA-256 mismatch" in reason, reason
    assert f"{backup_id}/filestore/{attachment.relative_to(root / 'filestore').as_posix()}: SHA-256 mismatch" in reason, reason
    assert scratch_databases(pg_other, seeded_source[0]) == []


def test_a_flipped_cut_or_lost_bundle_fails_the_drill_naming_each_file_in_it(pg_other, seeded_source, prod, monkeypatch):
    """Small files travel in bundles; the drill still names the file, not only the bundle."""
    monkeypatch.setattr(bundles, "SIZE", 64 * 1024)  # a few bundles out of the seed's small files
    backup_id, root = backed_up(prod)
    files = json.loads((root / MANIFEST).read_bytes())["files"]
    held = {}
    for key, entry in sorted(files.items()):
        if key.startswith("filestore/"):
            held.setdefault(entry.get("bundle"), []).append((key, entry))
    assert None not in held and len(held) >= 3, sorted(held)  # every seeded file is small
    (first, flipped), (second, cut), (third, lost) = ((b, held[b]) for b in sorted(held)[:3])
    assert not (root / "filestore").exists()

    key, entry = flipped[0]
    data = bytearray((root / first).read_bytes())
    data[entry["offset"]] ^= 0x01
    (root / first).write_bytes(bytes(data))
    last_key, last = max(cut, key=lambda item: item[1]["offset"])
    (root / second).write_bytes((root / second).read_bytes()[:-1])
    (root / third).unlink()

    reason = failed_drill(prod)
    assert f"{backup_id}/{key}: SHA-256 mismatch" in reason, reason
    assert f"{backup_id}/{last_key}: truncated or extended ({last['size'] - 1:,} bytes, manifest says {last['size']:,})" in reason
    assert f"{backup_id}/{lost[0][0]}: missing (bundle {third} not found)" in reason, reason
    assert scratch_databases(pg_other, seeded_source[0]) == []


def test_rows_are_counted_as_restored_whatever_is_written_beside_the_count(pg, database):
    """The drill counts rows on one connection while another rewires the copy (which adds rows)."""
    with psycopg.connect(pg.dsn(database), autocommit=True) as writer:
        writer.execute("CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key text)")
        writer.execute("INSERT INTO ir_config_parameter (key) VALUES ('database.uuid')")
        with psycopg.connect(pg.dsn(database)) as counting, drill.as_restored(counting):
            writer.execute("INSERT INTO ir_config_parameter (key) VALUES ('written beside the count')")
            assert row_counts(counting) == {"ir_config_parameter": 1}
        assert row_counts(writer) == {"ir_config_parameter": 2}


def test_a_truncated_or_missing_file_fails_the_drill_naming_it(pg, seeded_source, prod, monkeypatch):
    monkeypatch.setattr(bundles, "LIMIT", -1)  # every file an object of its own, as files over the limit are
    backup_id, root = backed_up(prod)
    toc = root / "database" / "toc.dat"
    toc.write_bytes(toc.read_bytes()[:-10])
    attachment, grown = sorted(p for p in (root / "filestore").rglob("*") if p.is_file())[-2:]
    attachment.unlink()
    size = grown.stat().st_size
    grown.write_bytes(grown.read_bytes() + b"\0" * 1_000_000)  # read no further than the manifest's size
    reason = failed_drill(prod)
    assert f"{backup_id}/database/toc.dat: truncated or extended" in reason, reason
    assert f"{backup_id}/filestore/{attachment.relative_to(root / 'filestore').as_posix()}: missing" in reason, reason
    assert (
        f"{backup_id}/filestore/{grown.relative_to(root / 'filestore').as_posix()}: truncated or extended "
        f"(over {size:,} bytes, manifest says {size:,})"
    ) in reason, reason


def test_a_restore_that_does_not_match_fails_and_its_scratch_database_is_dropped(pg_other, seeded_source, prod):
    backup_id, root = backed_up(prod)
    manifest = json.loads((root / MANIFEST).read_text())
    manifest["tables"]["res_partner"] += 1
    (root / MANIFEST).write_text(json.dumps(manifest))
    reason = failed_drill(prod)
    assert "row counts match the manifest: res_partner" in reason, reason
    assert scratch_databases(pg_other, seeded_source[0]) == []


def test_a_failed_drill_calls_the_alert_webhook(pg, pg_other, seeded_source, prefect_api, tmp_path):
    receiver = WebhookReceiver()
    source, files = seeded_source
    name = f"p-{uuid.uuid4().hex[:6]}"
    catalogue.add(
        EnvironmentSpec(
            name,
            pg.dsn(source),
            filestore=f"file://{files}",
            backup_store=f"file://{tmp_path}/backups",
            alert_webhook=receiver.url("/hook-secret-token"),
            production=True,
            scratch_dsn=pg_other.dsn(),
        )
    )
    try:
        _, root = backed_up(name)
        (root / "database" / "toc.dat").write_bytes(b"not a dump")
        failed_drill(name)
    finally:
        receiver.stop()
    assert receiver.received and receiver.received[-1]["drill"]["passed"] is False
    assert "backup files match the manifest" in receiver.received[-1]["drill"]["failed_checks"]


def test_backup_and_drill_over_s3_on_another_server(pg, pg_other, seeded_source, prefect_api, s3_server, s3_bucket):
    from flows.backup import backup
    from flows.dr_drill import dr_drill

    s3_store(s3_server.endpoint, s3_bucket, prefix="").save(s3_block_name(s3_bucket), overwrite=True)
    source, files = seeded_source
    name = f"p-{uuid.uuid4().hex[:6]}"
    catalogue.add(
        EnvironmentSpec(
            name, pg.dsn(source), filestore=f"file://{files}", backup_store=f"s3://{s3_bucket}/backups/{name}", production=True
        )
    )
    manifest = backup(environment=name)
    result = dr_drill(environment=name, scratch_dsn=pg_other.dsn("postgres"))
    assert result.passed and result.backup_id == manifest.id and result.rto is not None
    assert scratch_databases(pg_other, source) == []
