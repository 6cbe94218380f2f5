"""A seeded Odoo 17 database to copy from, built with the library."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg

from blocks.local_directory_store import LocalDirectoryStore
from formwork.dsn import parse_dsn
from formwork.postgres_cluster import LocalCluster
from formwork.seed import builder
from formwork.seed.plan import SeedPlan


def seed(cluster: LocalCluster, name: str, filestore: Path, scale: int = 1, seed_value: int = 1) -> None:
    builder.build(parse_dsn(cluster.dsn(name)), SeedPlan(scale, seed_value), LocalDirectoryStore(path=str(filestore)).put_bytes)


def copy(cluster: LocalCluster, source: str, target: str, source_files: Path, target_files: Path) -> None:
    """A copy of database and filestore, as a refresh would make it."""
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    shutil.rmtree(target_files, ignore_errors=True)
    shutil.copytree(source_files, target_files)
