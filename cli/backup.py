"""`formwork backup ENV`, `formwork backups list ENV`, `formwork drill ENV`."""

from __future__ import annotations

import click


@click.command("backup")
@click.argument("environment")
@click.option(
    "--type",
    "kind",
    default="auto",
    show_default=True,
    help="auto, logical, pgbackrest (its schedule picks), full, diff or incr (pgBackRest, see `formwork pitr`).",
)
def backup(environment: str, kind: str) -> None:
    """Back up ENVIRONMENT's database and filestore to its backup store, then apply its retention policy;
    with point-in-time protection, also a pgBackRest backup on its schedule."""
    from flows.backup import backup as backup_flow

    manifest = backup_flow(environment=environment, kind=kind)
    click.echo(f"{manifest.id}")


@click.group("backups")
def backups() -> None:
    """The backups of an environment."""


@backups.command("list")
@click.argument("environment")
def list_backups(environment: str) -> None:
    """Complete backups, oldest first, folders of backups that never finished, and invalid ones."""
    from blocks import catalogue, pitr_protection
    from formwork.backup import catalog
    from formwork.pitr.listing import physical_lines
    from tasks.backup import backup_store

    env = catalogue.load(environment)
    extra = physical_lines(environment, pitr_protection.find(environment))
    if env.backup_store_url or not extra:
        found = catalog.read(backup_store(environment, env), environment)
        click.echo(f"{'ID':24} {'TAKEN (UTC)':20} {'SIZE':>10} {'TABLES':>7} {'ROWS':>12} {'FILES':>8}")
        for m in found.complete:
            click.echo(
                f"{m.id:24} {m.taken_at:%Y-%m-%d %H:%M:%S}  {m.size / 1e6:8.1f}MB {len(m.tables):7} {sum(m.tables.values()):12,} {len(m.files):8,}"
            )
        for folder in found.incomplete:
            click.echo(f"{folder:24} {'incomplete: no manifest (removed by the next backup run)'}")
        for folder, why in found.invalid.items():
            click.echo(f"{folder:24} invalid, never used or removed: {why}")
    for line in extra:
        click.echo(line)


@click.command("drill")
@click.argument("environment")
@click.option("--backup", "backup_id", help="Backup id to restore (default: the latest complete one).")
@click.option(
    "--scratch-dsn",
    help="Restore on this server instead of the environment's scratch_dsn or, for a lower environment, "
    "its own (no password: use PGPASSWORD or ~/.pgpass).",
)
@click.option("--target-time", help="Point-in-time drill from pgBackRest: an ISO time (UTC unless given), 'random' or 'latest'.")
def drill(environment: str, backup_id: str | None, scratch_dsn: str | None, target_time: str | None) -> None:
    """Restore a backup into a scratch database (or, with --target-time, a point in time into a scratch server),
    verify it, measure RPO and RTO; exit 1 when it fails. Production is only ever drilled on a separate scratch server."""
    from flows.dr_drill import dr_drill

    if target_time is None:  # a refused scratch server is one line, before a run starts
        from blocks import catalogue
        from formwork.backup import scratch_server

        env = catalogue.load(environment)
        scratch_server.check(environment, env, scratch_server.choose(environment, env, scratch_dsn))

    result = dr_drill(environment=environment, backup_id=backup_id, scratch_dsn=scratch_dsn, target_time=target_time)
    click.echo(result.summary())
