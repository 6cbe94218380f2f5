"""Real Odoo in `make demo`: production is seeded through it when it is available, and opened in it afterwards.

Odoo is found as the tests find it (formwork.seed.odoo_bin.available_odoo); without it the demo seeds the synthetic
database and says why. Odoo logs in as role `odoo`, whose password the demo generates once
and keeps in `odoo.conf` under FORMWORK_HOME (owner-only, like stack.json): `formwork seed` gets it through
FORMWORK_ODOO_DB_PASSWORD, and `odoo-bin -c odoo.conf` serves the demo's databases with it, its data dir being the
object store that holds their filestores (`objects/filestore/<database>`).
"""

from __future__ import annotations

import configparser
from pathlib import Path

from formwork.postgres_cluster import new_password
from formwork.seed.odoo_role import PASSWORD_VARIABLE, ROLE
from local.stack import LocalStack


class DemoOdoo:
    def __init__(self, stack: LocalStack, odoo_bin: Path):
        self.bin = odoo_bin
        self.config = stack.home / "odoo.conf"
        if not self.config.exists():
            _write_private(self.config, stack, new_password())

    def seed_env(self) -> dict[str, str]:
        """What `formwork seed --odoo-bin` needs in its environment: the role's password."""
        parser = configparser.RawConfigParser()
        parser.read(self.config)
        return {PASSWORD_VARIABLE: parser.get("options", "db_password")}

    def open_command(self, database: str) -> str:
        return f"{self.bin} server -c {self.config} -d {database} --db-filter=^{database}$"


def _write_private(path: Path, stack: LocalStack, password: str) -> None:
    """Owner-only from the first byte on: it holds the role's password."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(
        f"[options]\ndb_host = 127.0.0.1\ndb_port = {stack.postgres.port}\ndb_user = {ROLE}\n"
        f"db_password = {password}\ndata_dir = {stack.objects}\nhttp_interface = 127.0.0.1\nlist_db = False\n"
    )
