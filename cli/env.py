"""`formwork env`: the catalogue of Odoo environments."""

from __future__ import annotations

import click

from blocks import catalogue
from cli.password import password_options, read_password
from formwork.backup.retention import RetentionPolicy
from formwork.environments import EnvironmentSpec
from formwork.errors import InputError
from formwork.tiers import format_minutes


@click.group()
def env() -> None:
    """Add, list, show and remove Odoo environments."""


@env.command("add")
@click.argument("name")
@click.option(
    "--dsn",
    required=True,
    help="postgresql://user@host:port/dbname (a password, stored as a Secret block, is best given "
    "with --password-stdin/-env/-file: a command line shows in ps).",
)
@password_options
@click.option("--filestore", help="The database's filestore folder: file:///path or s3://bucket/prefix.")
@click.option("--backup-store", help="Where backups go: file:///path or s3://bucket/prefix.")
@click.option("--base-url", help="The URL users open, e.g. https://staging.erp.example.com.")
@click.option("--tier", default="3", show_default=True, help="Recovery tier 1, 2 or 3 (sets RPO/RTO targets).")
@click.option("--production", is_flag=True, help="Flag as production: Formwork will only ever read it.")
@click.option("--rpo-minutes", type=int, help="Override the tier's recovery point objective.")
@click.option("--rto-minutes", type=int, help="Override the tier's recovery time objective.")
@click.option("--k8s-namespace", help="Kubernetes namespace running this environment's Odoo.")
@click.option("--gitops-overlay", help="Path of this environment's Kustomize overlay in the GitOps repository.")
@click.option("--mail-catcher", help="HOST:PORT that all mail of this (non-production) copy goes to [default: localhost:1025].")
@click.option(
    "--keep-cron", "keep_crons", multiple=True, help="XML id of a scheduled action that stays on after rewiring (repeatable)."
)
@click.option("--rewiring-rules", multiple=True, type=click.Path(dir_okay=False), help="Extra rewiring rules file (repeatable).")
@click.option("--gitops-repo", help="The GitOps repository (git URL or path) holding the overlay.")
@click.option("--image-repository", help="Registry repository this environment pulls from, e.g. registry.example.com/odoo/prod.")
@click.option("--promotes-from", help="Environment a release must reach first, e.g. staging for production.")
@click.option("--refresh-from", help="Environment this one is refreshed from every night once deployed (formwork deploy).")
@click.option(
    "--release-calendar", type=click.Path(dir_okay=False), help="Business calendar YAML whose freezes gate releases here."
)
@click.option("--keep", help="Backups kept: newest of N days, weeks, months [default: 7d,4w,12m].")
@click.option("--alert-webhook", help="URL a failed drill POSTs to (stored as a Secret block).")
@click.option("--scratch-dsn", help="PostgreSQL server drills restore to, without password (required to drill production).")
@password_options(prefix="staging-password", what="staging password internal users log in to masked copies with")
def add(
    name: str,
    dsn: str,
    password_stdin: bool,
    password_env: str | None,
    password_file: str | None,
    filestore,
    backup_store,
    base_url,
    tier,
    production,
    rpo_minutes,
    rto_minutes,
    k8s_namespace,
    gitops_overlay,
    mail_catcher,
    keep_crons,
    rewiring_rules,
    gitops_repo,
    image_repository,
    promotes_from,
    refresh_from,
    release_calendar,
    keep,
    alert_webhook,
    scratch_dsn,
    staging_password_stdin: bool,
    staging_password_env: str | None,
    staging_password_file: str | None,
) -> None:
    """Register environment NAME."""
    if password_stdin and staging_password_stdin:
        raise InputError(
            "--password-stdin and --staging-password-stdin: stdin gives one password; read the other from -env or -file"
        )
    staging_password = read_password(
        staging_password_stdin, staging_password_env, staging_password_file, prefix="staging-password", what="staging password"
    )
    spec = EnvironmentSpec(
        name=name,
        dsn=dsn,
        password=read_password(password_stdin, password_env, password_file),
        filestore=filestore,
        backup_store=backup_store,
        base_url=base_url,
        tier=tier,
        production=production,
        rpo_minutes=rpo_minutes,
        rto_minutes=rto_minutes,
        k8s_namespace=k8s_namespace,
        gitops_overlay=gitops_overlay,
        mail_catcher=mail_catcher,
        keep_crons=keep_crons,
        rewiring_rules=rewiring_rules,
        keep=keep,
        alert_webhook=alert_webhook,
        gitops_repo=gitops_repo,
        image_repository=image_repository,
        promotes_from=promotes_from,
        release_calendar=release_calendar,
        refresh_from=refresh_from,
        scratch_dsn=scratch_dsn,
        staging_password=staging_password,
    )
    added = catalogue.add(spec)
    click.echo(f"added environment '{name}': {added.safe_dsn()}" + (" (production)" if added.production else ""))


@env.command("list")
def list_() -> None:
    """List environments, one line each."""
    found = catalogue.all_environments()
    if not found:
        click.echo("no environments yet: formwork env add NAME --dsn URI")
        return
    rows = [("NAME", "TIER", "PRODUCTION", "DATABASE", "FILESTORE")]
    for name, item in found.items():
        rows.append((name, str(item.tier), "yes" if item.production else "no", item.safe_dsn(), item.filestore_url or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


@env.command("show")
@click.argument("name")
def show(name: str) -> None:
    """Show one environment (secrets masked)."""
    item = catalogue.load(name)
    rpo = item.rpo_target.total_seconds() / 60
    rto = item.rto_target.total_seconds() / 60
    lines = [
        ("name", name),
        ("production", "yes" if item.production else "no"),
        ("tier", str(item.tier)),
        ("rpo target", format_minutes(rpo) + ("" if item.rpo_minutes is None else " (override)")),
        ("rto target", format_minutes(rto) + ("" if item.rto_minutes is None else " (override)")),
        ("database", item.safe_dsn()),
        (
            "password",
            f"******** (secret block '{catalogue.password_block_name(name)}')"
            if item.db_password
            else "none stored (PG* environment / .pgpass)",
        ),
        ("filestore", item.filestore_url or "-"),
        ("backup store", item.backup_store_url or "-"),
        ("scratch server", item.scratch_dsn or "-"),
        ("base url", item.base_url or "-"),
        ("k8s namespace", item.k8s_namespace or "-"),
        ("gitops", f"{item.gitops_repo or '-'} {item.gitops_overlay or ''}".rstrip()),
        ("image repository", item.image_repository or "-"),
        ("promotes from", item.promotes_from or "-"),
        ("refreshed from", item.refresh_from or "-"),
        ("release calendar", item.release_calendar or "-"),
        ("mail catcher", item.mail_catcher),
        ("kept crons", ", ".join(item.cron_allowlist) or "-"),
        ("rewiring rules", ", ".join(["defaults", *item.rewiring_rules])),
        ("backups kept", str(RetentionPolicy.parse(item.retention))),
        ("alert webhook", f"******** (secret block '{catalogue.webhook_block_name(name)}')" if item.alert_webhook else "-"),
        (
            "staging login",
            f"******** (secret block '{catalogue.staging_password_block_name(name)}')"
            if item.staging_password
            else "none (masking clears passwords: nobody can log in to masked copies)",
        ),
    ]
    for key, value in lines:
        click.echo(f"{key + ':':16}{value}")


@env.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Remove environment NAME from the catalogue (its database is not touched)."""
    catalogue.remove(name)
    click.echo(f"removed environment '{name}' (its database and files were not touched)")
