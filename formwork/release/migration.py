"""What a release changes in the database: the modules whose version moved, read from the images' labels.

The build labels every image with its modules' manifest versions (`org.odoo.modules`) and, when it is a
Formwork-built Odoo image, with the path of its odoo-bin (`org.formwork.odoo-bin`): only such an image can run
the module upgrade itself. A module whose version differs from the running image's is migrated by `odoo-bin -u`;
a module the running image did not have is new, and the upgrade does not install it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

MODULES = "org.odoo.modules"  # image label: {module: version}, written by the build
ODOO_BIN = "org.formwork.odoo-bin"  # image label of Formwork-built Odoo images: where odoo-bin is


@dataclass(frozen=True)
class ModuleChange:
    module: str
    before: str | None  # None: the running image does not have it
    after: str

    def __str__(self) -> str:
        return f"{self.module} {self.before or '(new)'} → {self.after}"


def module_changes(new_labels: dict[str, str], old_labels: dict[str, str]) -> list[ModuleChange]:
    new, old = json.loads(new_labels.get(MODULES) or "{}"), json.loads(old_labels.get(MODULES) or "{}")
    return [
        ModuleChange(module, old.get(module), version) for module, version in sorted(new.items()) if old.get(module) != version
    ]


def to_upgrade(changes: list[ModuleChange]) -> list[str]:
    """The modules `odoo-bin -u` migrates: those the running image had."""
    return [change.module for change in changes if change.before is not None]
