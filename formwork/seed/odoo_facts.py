"""What a database seeded through Odoo holds, checked before it is published, and how to open it in Odoo."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from formwork.errors import OperationError
from formwork.locations import parse_location
from formwork.seed.odoo_build import MODULES
from formwork.seed.odoo_role import PASSWORD_VARIABLE, ROLE

# Records a user looks for first, model by table.
COUNTED = {
    "res_partner": "contacts",
    "res_users": "users",
    "hr_employee": "employees",
    "hr_contract": "contracts",
    "res_partner_bank": "bank accounts",
    "crm_lead": "leads",
    "sale_order": "sales orders",
    "account_move": "invoices and entries",
    "project_task": "tasks",
    "mail_message": "messages",
    "ir_attachment": "attachments",
}


@dataclass
class OdooFacts:
    modules: int = 0
    records: dict[str, int] = field(default_factory=dict)


def check_seeded(conninfo: dict) -> OdooFacts:
    """Every module of the build installed (OperationError naming the missing ones), and the records counted."""
    with psycopg.connect(**conninfo) as conn:
        installed = {name for (name,) in conn.execute("SELECT name FROM ir_module_module WHERE state = 'installed'")}
        missing = sorted(set(MODULES) - installed)
        if missing:
            raise OperationError(f"the Odoo database lacks installed modules {', '.join(missing)}: not publishing it")
        records = {
            label: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for table, label in COUNTED.items()
        }
    return OdooFacts(len(installed), records)


def data_dir(filestore: str | None, database: str) -> Path | None:
    """Odoo's --data-dir for a local filestore laid out as Odoo's (`<data-dir>/filestore/<database>`), else None."""
    if not filestore:
        return None
    location = parse_location(filestore, option="--filestore")
    path = Path(location.path)
    if location.scheme != "file" or path.name != database or path.parent.name != "filestore":
        return None
    return path.parent.parent


def how_to_open(odoo_bin: str, host: str, port: int, database: str, filestore: str | None, password: bool) -> str:
    """The command that serves the database in Odoo; the role's password is never part of it."""
    where = data_dir(filestore, database)
    command = f"{odoo_bin} server --db_host={host} --db_port={port} --db_user={ROLE} -d {database} --db-filter=^{database}$" + (
        f" --data-dir={where}" if where else ""
    )
    notes = [f"role {ROLE}'s password in PGPASSWORD, as in {PASSWORD_VARIABLE}"] if password else []
    if not where:
        notes.append(f"its files must be in <data-dir>/filestore/{database}")
    return command + (f"   ({'; '.join(notes)})" if notes else "") + "; log in as admin (Odoo's demo data: password admin)"
