"""Physical protection of an environment's server: a pgBackRest stanza and repository it archives WAL to.

Plain settings the library works from; where they are saved (a Prefect block, `blocks/pitr_protection.py`)
is the caller's business. pgBackRest does the work (archive-push, backups, retention, restore); Formwork writes
its configuration, runs it on schedule and proves the archive restores.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class PitrProtection(BaseModel):
    """A pgBackRest stanza and repository an environment's database server archives WAL to."""

    stanza: str
    repo_url: str = Field(
        description="file:///path or s3://bucket/prefix (S3 settings from the bucket's `formwork store add-s3` block)."
    )
    pg_data: str = Field(description="The server's data directory (pgBackRest's pg1-path).")
    config_path: str = Field(description="The pgBackRest configuration file Formwork writes and archive_command names.")
    managed: bool = Field(
        default=False, description="Formwork runs this server (embedded stack): setup applies settings and restarts it."
    )
    full_every_days: int = Field(default=7, ge=1, description="A full backup when the last one is older than this.")
    diff_every_hours: int = Field(
        default=24, ge=1, description="A differential when the last full/diff is older than this; else incremental."
    )
    retention_full: int = Field(
        default=2, ge=1, description="pgBackRest repo1-retention-full: full backups kept (with their WAL)."
    )
    retention_diff: int = Field(default=7, ge=1, description="pgBackRest repo1-retention-diff: differential backups kept.")
    archive_timeout_seconds: int = Field(
        default=60, ge=1, description="Switch WAL segments at least this often when there is activity."
    )

    @property
    def state_dir(self) -> Path:
        """pgBackRest's log, lock and spool folders, beside its configuration."""
        return Path(self.config_path).parent
