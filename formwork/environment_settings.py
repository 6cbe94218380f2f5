"""What the library reads of an environment's settings, as a Protocol: the saved `OdooEnvironment` block
(blocks/odoo_environment.py) is one, a test's plain object another; the library needs no Prefect to use either."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from formwork.dsn import ConnectionSpec


class EnvironmentSettings(Protocol):
    production: bool
    scratch_dsn: str | None
    db_host: str  # a path: the server's socket directory
    db_port: int

    @property
    def rpo_target(self) -> timedelta: ...

    def connection(self) -> ConnectionSpec: ...
