"""`formwork seed`: an Odoo-17-shaped construction company database."""

from __future__ import annotations

import click


@click.command()
@click.argument("dsn")
@click.option("--filestore", help="Where attachments go: file:///path or s3://bucket/prefix (the database's filestore folder).")
@click.option("--scale", type=click.IntRange(min=1), default=1, show_default=True, help="1: ~10k partners in seconds; 100: ~1M partners.")
@click.option("--seed", "seed_value", type=int, default=1, show_default=True, help="Same seed, same data.")
@click.option("--replace", is_flag=True, help="Replace the database if it already exists.")
def seed(dsn: str, filestore: str | None, scale: int, seed_value: int, replace: bool) -> None:
    """Create database DSN with a seeded construction company (Odoo 17 tables)."""
    import dataclasses
    import os

    from formwork.dsn import parse_dsn
    from formwork.locations import parse_location
    from formwork.production_guard import refuse_production_filestore
    from formwork.seed.builder import check_target

    spec = parse_dsn(dsn, option="DSN")
    if filestore:
        parse_location(filestore, option="--filestore")
        refuse_production_filestore(filestore, "seed", label="--filestore")
    check_target(spec, replace=replace)
    if spec.password:  # keep it out of the flow run's parameters: libpq reads PGPASSWORD
        os.environ["PGPASSWORD"] = spec.password
    from flows.seed import seed_database

    report = seed_database(dsn=dataclasses.replace(spec, password=None).uri(), filestore=filestore, scale=scale, seed=seed_value, replace=replace)
    click.echo(report.summary())
