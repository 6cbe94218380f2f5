"""The default masking rules' res_users entries as a rules file of their own: how testers log in, tested alone."""

from __future__ import annotations

from pathlib import Path

import yaml

DEFAULT_RULES = Path(__file__).resolve().parents[2] / "masking_rules" / "odoo17.yaml"


def login_rules(folder: Path) -> str:
    rules = yaml.safe_load(DEFAULT_RULES.read_text())
    rules["tables"] = [entry for entry in rules["tables"] if entry["table"] == "res_users"]
    rules.pop("attachments", None)
    # The hand-made res_users has no ir_model_data nor ir_model to tell module records and wizards by.
    rules.pop("module_records", None)
    rules.pop("transient_models", None)
    path = folder / "login-rules.yaml"
    path.write_text(yaml.safe_dump(rules))
    return str(path)
