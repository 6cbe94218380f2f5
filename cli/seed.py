"""`formwork seed`: a construction company database, synthetic (Odoo 17 tables, at scale) or through real Odoo."""

from __future__ import annotations

import click


@click.command()
@click.argument("dsn")
@click.option("--filestore", help="Where attachments go: file:///path or s3://bucket/prefix (the database's filestore folder).")
@click.option(
    "--scale", type=click.IntRange(min=1), help="Synthetic seed only. 1 (default): ~10k partners in seconds; 100: ~1M partners."
)
@click.option("--seed", "seed_value", type=int, help="Synthetic seed only. Same seed, same data (default 1).")
@click.option("--replace", is_flag=True, help="Replace the database if it already exists.")
@click.option(
    "--odoo-bin",
    "odoo_bin",
    metavar="PATH",
    help="Build through real Odoo 17: its modules with demo data plus the company, added through Odoo's ORM "
    "(built once, then restored from ~/.cache/formwork). Default: $FORMWORK_ODOO_BIN unless --scale or "
    "--seed is given. Odoo logs in as role odoo (created when missing) with $FORMWORK_ODOO_DB_PASSWORD.",
)
def seed(dsn: str, filestore: str | None, scale: int | None, seed_value: int | None, replace: bool, odoo_bin: str | None) -> None:
    """Create database DSN with a construction company: Odoo 17 tables at any scale, or a real Odoo 17 database
    (--odoo-bin) that Odoo serves."""
    import dataclasses
    import os
    from pathlib import Path

    from formwork.dsn import parse_dsn
    from formwork.errors import InputError
    from formwork.locations import parse_location
    from formwork.production_guard import refuse_production_filestore
    from formwork.seed import odoo_bin as odoo
    from formwork.seed.builder import check_target
    from formwork.seed.odoo_role import PASSWORD_VARIABLE, ROLE

    synthetic = scale is not None or seed_value is not None
    if odoo_bin and synthetic:
        raise InputError(
            "--scale and --seed shape the synthetic database; with --odoo-bin the company is Odoo's own, at one size"
        )
    option = "--odoo-bin"
    if not odoo_bin and not synthetic and os.environ.get(odoo.VARIABLE):
        odoo_bin, option = os.environ[odoo.VARIABLE], odoo.VARIABLE
    if odoo_bin:
        odoo_bin = str(odoo.checked_odoo_bin(odoo_bin, option=option))
    spec = parse_dsn(dsn, option="DSN")
    if filestore:
        parse_location(filestore, option="--filestore")
        refuse_production_filestore(filestore, "seed", label="--filestore")
    check_target(spec, replace=replace)
    if odoo_bin:  # only now: a refused target never starts Odoo
        odoo.OdooRunner(Path(odoo_bin), spec.host, spec.port, ROLE, os.environ.get(PASSWORD_VARIABLE)).version(option=option)
    if spec.password:  # keep it out of the flow run's parameters: libpq reads PGPASSWORD
        os.environ["PGPASSWORD"] = spec.password
    from flows.seed import seed_database

    report = seed_database(
        dsn=dataclasses.replace(spec, password=None).uri(),
        filestore=filestore,
        scale=scale or 1,
        seed=1 if seed_value is None else seed_value,
        replace=replace,
        odoo_bin=odoo_bin,
    )
    click.echo(report.summary())
