"""Seed a database with the construction company through real Odoo 17 (`formwork seed --odoo-bin`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from formwork.dsn import parse_dsn
from formwork.seed.odoo_facts import how_to_open
from tasks import seed as steps
from tasks import seed_odoo as odoo_steps


@dataclass
class OdooSeedReport:
    database: str
    filestore: str | None
    odoo: str = ""
    modules: int = 0
    records: dict[str, int] = field(default_factory=dict)
    files: int = 0
    file_bytes: int = 0
    seconds: float = 0.0
    open: str = ""

    def summary(self) -> str:
        where = f" and {self.files:,} files ({self.file_bytes / 1e6:.1f} MB) in {self.filestore}" if self.filestore else ""
        records = ", ".join(f"{count:,} {label}" for label, count in self.records.items())
        return (
            f"seeded {self.database} through {self.odoo}: {self.modules} modules installed, {records}{where} "
            f"in {self.seconds:.1f} s\nopen it in Odoo: {self.open}"
        )

    def markdown(self) -> str:
        lines = [
            f"# Seeded `{self.database}` through {self.odoo}",
            "",
            f"{self.modules} modules installed.",
            "",
            "| records | count |",
            "|---|---:|",
        ]
        lines += [f"| {label} | {count:,} |" for label, count in self.records.items()]
        lines += ["", f"Open it in Odoo: `{self.open}`"]
        return "\n".join(lines)


@flow(name="seed-through-odoo", log_prints=True)
def seed_through_odoo(dsn: str, odoo_bin: str, filestore: str | None = None, replace: bool = False) -> OdooSeedReport:
    """Check the target first (no Odoo starts for a refused one), build once or reuse the cached build, restore it
    beside the target with its filestore, check it, then publish in one rename."""
    started = time.monotonic()
    spec = parse_dsn(dsn)
    report = OdooSeedReport(database=spec.uri(), filestore=filestore)
    report.odoo = odoo_steps.check_odoo(dsn, odoo_bin, replace)
    cached = odoo_steps.build_or_reuse(dsn, odoo_bin)
    building = odoo_steps.prepare_target(dsn, replace)
    odoo_steps.restore(dsn, building, cached)
    if filestore:
        report.files, report.file_bytes = odoo_steps.copy_filestore(cached, filestore)
    facts = odoo_steps.check_database(dsn, building)
    report.modules, report.records = facts.modules, facts.records
    steps.publish(dsn, building)
    report.seconds = time.monotonic() - started
    report.open = how_to_open(odoo_bin, spec.host, spec.port, spec.dbname, filestore, password=bool(odoo_steps.odoo_password()))
    create_markdown_artifact(report.markdown(), key="seed-report", description=report.summary().splitlines()[0])
    return report
