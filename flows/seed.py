"""Seed an Odoo-17-shaped construction company database (demo, tests, benchmarks)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.seed_odoo import OdooSeedReport, seed_through_odoo
from formwork.dsn import parse_dsn
from formwork.errors import InputError
from formwork.locations import parse_location
from formwork.seed.builder import GROUPS
from tasks import seed as steps


@dataclass
class SeedReport:
    database: str
    filestore: str | None
    scale: int
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    file_bytes: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        where = f" and {self.files:,} files ({self.file_bytes / 1e6:.1f} MB) in {self.filestore}" if self.filestore else ""
        return (
            f"seeded {self.database}: {sum(self.rows.values()):,} rows in {len(self.rows)} tables{where} "
            f"in {self.seconds:.1f} s (scale {self.scale}, seed {self.seed})"
        )

    def markdown(self) -> str:
        lines = [f"# Seeded `{self.database}`", "", self.summary(), "", "| table | rows |", "|---|---:|"]
        lines += [f"| {table} | {count:,} |" for table, count in sorted(self.rows.items())]
        lines += [
            "",
            "Personal data to mask lives in: res_partner, res_users (login, password, totp_secret, signature), "
            "res_users_apikeys, res_partner_bank, hr_employee, hr_contract, hr_payslip(_line), mail_tracking_value, "
            "mail_message, mail_mail, project_task, account_move.narration, ir_attachment.index_content and the "
            "payslip / ID / contract files in the filestore.",
        ]
        return "\n".join(lines)


def _check(dsn: str, filestore: str | None, through_odoo: bool, scale: int, seed: int) -> None:
    if through_odoo and (scale, seed) != (1, 1):
        raise InputError("seed: scale and seed shape the synthetic database; through Odoo (odoo_bin) the company has one size")
    if parse_dsn(dsn).password:
        raise InputError(
            "seed: the DSN given to the flow must not carry a password (flow parameters are visible); use PGPASSWORD or .pgpass"
        )
    if filestore:
        parse_location(filestore, option="--filestore")


@flow(name="seed", flow_run_name="seed-{scale}x-seed{seed}", log_prints=True)
def seed_database(
    dsn: str, filestore: str | None = None, scale: int = 1, seed: int = 1, replace: bool = False, odoo_bin: str | None = None
) -> SeedReport | OdooSeedReport:
    """Build beside the target, load every table group, write the filestore, then publish in one rename; given
    `odoo_bin`, the company is built through real Odoo instead (flows/seed_odoo.py)."""
    _check(dsn, filestore, bool(odoo_bin), scale, seed)
    if odoo_bin:
        report = seed_through_odoo(dsn, odoo_bin, filestore, replace)
        print(report.summary())
        return report
    started = time.monotonic()
    report = SeedReport(database=parse_dsn(dsn).uri(), filestore=filestore, scale=scale, seed=seed)

    building = steps.prepare_target(dsn, replace)
    steps.create_schema(dsn, building)
    for group in GROUPS:
        report.rows.update(steps.load_group(dsn, building, group, scale, seed))
    files = steps.load_attachments(dsn, building, filestore, scale, seed)
    report.rows.update(files.rows)
    report.files, report.file_bytes = files.files, files.file_bytes
    steps.finish_schema(dsn, building)
    steps.publish(dsn, building)

    report.seconds = time.monotonic() - started
    create_markdown_artifact(report.markdown(), key="seed-report", description=report.summary())
    print(report.summary())
    return report
