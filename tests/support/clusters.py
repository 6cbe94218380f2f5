"""Throwaway PostgreSQL clusters for tests, started with initdb on free ports."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import psycopg

from formwork.postgres_cluster import LocalCluster, free_port


class ClusterPool:
    """Starts clusters on demand under one base directory and stops them all at the end."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="formwork-pg-"))
        os.chmod(self.base, 0o755)  # the unprivileged server account must enter it
        self.clusters: list[LocalCluster] = []

    def start(self, name: str) -> LocalCluster:
        cluster = LocalCluster(self.base / name, free_port())
        cluster.init()
        cluster.start()
        self.clusters.append(cluster)
        return cluster

    def close(self) -> None:
        for cluster in self.clusters:
            cluster.destroy()
        os.rmdir(self.base) if self.base.exists() and not any(self.base.iterdir()) else None


def create_database(cluster: LocalCluster, prefix: str = "t") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(cluster: LocalCluster, name: str) -> None:
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
