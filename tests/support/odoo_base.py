"""Hand-made Odoo databases: what every Odoo database holds (module base installed, its tables), from the seed's schema.

Rules of module base apply to every Odoo database, so a hand-made one lacking their tables is schema drift.
"""

from __future__ import annotations

import re
from pathlib import Path

SCHEMA = Path(__file__).resolve().parents[2] / "formwork" / "seed" / "schema_tables.sql"
# The tables of module base that rewiring rules name, beyond those a hand-made database brings itself.
BASE_TABLES = ("ir_mail_server", "ir_cron", "ir_act_server", "ir_ui_view", "ir_model_data", "res_users_apikeys")


def base_tables(tables: tuple[str, ...] = BASE_TABLES) -> str:
    """SQL creating `tables` (empty) as the seed defines them."""
    text = SCHEMA.read_text()
    return "\n".join(
        re.search(rf"^CREATE TABLE (?:IF NOT EXISTS )?{table} \(.*?^\);", text, re.MULTILINE | re.DOTALL).group(0)
        for table in tables
    )


def installed(*modules: str) -> str:
    """SQL creating ir_module_module with base and `modules` installed."""
    rows = ", ".join(f"('{name}', 'installed')" for name in ("base", *modules))
    return (
        "CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar NOT NULL, state varchar NOT NULL);\n"
        f"INSERT INTO ir_module_module (name, state) VALUES {rows};"
    )
