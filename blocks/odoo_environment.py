"""An Odoo environment (one database + its filestore) as a Prefect block.

Environments are configuration, so they live where operators already look:
Prefect's Blocks page. The database password is a separate `Secret` block so it
is stored encrypted-at-rest by Prefect and shown as ******** everywhere.
"""

from __future__ import annotations

import copy
import functools
from datetime import timedelta
from typing import Any, ClassVar

from prefect.blocks.core import Block
from prefect.blocks.system import Secret
from pydantic import Field

from formwork.dsn import ConnectionSpec
from formwork.tiers import TIER_TARGETS


@functools.cache
def _schema(cls: type[Block], args: tuple, kwargs: tuple) -> dict[str, Any]:
    return Block.model_json_schema.__func__(cls, *args, **dict(kwargs))


class OdooEnvironment(Block):
    """An Odoo database, its filestore and backup store, and its recovery targets."""

    _block_type_name: ClassVar[str] = "Odoo Environment"
    _block_type_slug: ClassVar[str] = "odoo-environment"
    _description: ClassVar[str] = "An Odoo database and filestore managed by Formwork."

    tier: int = Field(default=3, ge=1, le=3, description="Recovery tier: 1, 2 or 3.")
    rpo_minutes: int | None = Field(default=None, description="Overrides the tier's recovery point objective.")
    rto_minutes: int | None = Field(default=None, description="Overrides the tier's recovery time objective.")
    production: bool = Field(default=False, description="Production databases are only ever read by Formwork.")
    db_host: str
    db_port: int = 5432
    db_name: str
    db_user: str | None = None
    db_password: Secret | None = Field(default=None, description="Absent: PG* variables or .pgpass apply.")
    db_options: dict[str, str] = Field(default_factory=dict, description="Extra libpq parameters, e.g. sslmode.")
    db_identity: dict[str, str | None] | None = Field(
        default=None,
        description="A production database's server start time, system identifier and oid, recorded when added: "
        "what the production guard compares against when the database cannot be reached.",
    )
    filestore_url: str | None = Field(
        default=None, description="file:///path or s3://bucket/prefix of the database's filestore folder."
    )
    backup_store_url: str | None = None
    scratch_dsn: str | None = Field(
        default=None, description="PostgreSQL server (no password) drills restore to; required to drill a production environment."
    )
    base_url: str | None = None
    k8s_namespace: str | None = None
    gitops_overlay: str | None = Field(
        default=None, description="This environment's Kustomize overlay folder in the GitOps repository."
    )
    gitops_repo: str | None = Field(default=None, description="The GitOps repository (git URL or path) Argo CD or Flux syncs.")
    image_repository: str | None = Field(
        default=None, description="Registry repository this environment pulls from, e.g. registry/odoo/prod."
    )
    promotes_from: str | None = Field(
        default=None, description="The environment a release must reach first (its digest is checked)."
    )
    refresh_from: str | None = Field(
        default=None, description="The environment this one is refreshed from every night (formwork deploy)."
    )
    release_calendar: str | None = Field(default=None, description="Business calendar YAML whose freezes gate releases here.")
    mail_catcher: str = Field(default="localhost:1025", description="host:port every mail of a non-production copy goes to.")
    cron_allowlist: list[str] = Field(
        default_factory=lambda: ["base.autovacuum_job"],
        description="XML ids of scheduled actions a non-production copy keeps running.",
    )
    rewiring_rules: list[str] = Field(default_factory=list, description="Extra rewiring rule files, applied after the defaults.")
    retention: str = Field(default="7d,4w,12m", description="Backups kept: newest of N days, weeks, months.")
    alert_webhook: Secret | None = Field(default=None, description="URL called (POST, JSON) when a drill fails.")
    staging_password: Secret | None = Field(
        default=None, description="What internal users log in to a masked copy with; absent: nobody can log in to it."
    )

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Prefect's schema, computed once per class and arguments: Block.save asks for it once per field
        (`_field_has_secrets`, Prefect 3.9), 28 times 6 ms for every environment saved."""
        return copy.deepcopy(_schema(cls, args, tuple(sorted(kwargs.items()))))

    @property
    def rpo_target(self) -> timedelta:
        if self.rpo_minutes is not None:
            return timedelta(minutes=self.rpo_minutes)
        return TIER_TARGETS[self.tier][0]

    @property
    def rto_target(self) -> timedelta:
        if self.rto_minutes is not None:
            return timedelta(minutes=self.rto_minutes)
        return TIER_TARGETS[self.tier][1]

    def connection(self) -> ConnectionSpec:
        """Connection parameters with the password resolved from its Secret block."""
        password = self.db_password.get() if self.db_password is not None else None
        return ConnectionSpec(
            host=self.db_host,
            port=self.db_port,
            dbname=self.db_name,
            user=self.db_user,
            password=password or None,
            options=dict(self.db_options),
        )

    def staging_login_password(self) -> str | None:
        """The staging password from its Secret block (formwork.masking.staging_login), None when none is set."""
        return self.staging_password.get() if self.staging_password is not None else None

    def safe_dsn(self) -> str:
        spec = ConnectionSpec(self.db_host, self.db_port, self.db_name, self.db_user, None, dict(self.db_options))
        uri = spec.uri()
        if self.db_password is not None and self.db_user:
            uri = uri.replace(f"{spec.user}@", f"{spec.user}:********@", 1)
        return uri
