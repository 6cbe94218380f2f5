"""The addons repository of the release demo and tests: three commits of one module, `fw_site_diary`.

Commit 1 has `fw_site_diary` 17.0.1.0.0 (a diary line: day, weather); commit 2 bumps it to 17.0.1.1.0 and adds a
field (`labour_hours`), which the upgrade must add as a column; commit 3 bumps it to 17.0.1.2.0 with a migration
that rewrites every line, commits that half of its work and then raises, as a large migration committing in
batches does when it fails half-way.
"""

from __future__ import annotations

from pathlib import Path

from local.gitops_repo import git

MODULE = "fw_site_diary"
MANIFEST = (
    "{{'name': 'Site diary', 'version': '{version}', 'depends': ['base'], 'license': 'LGPL-3', "
    "'data': ['security/ir.model.access.csv']}}\n"
)
ACCESS = (
    "id,name,model_id:id,group_id:id,perm_read,perm_write,perm_create,perm_unlink\n"
    "access_fw_site_diary,fw.site.diary,model_fw_site_diary,base.group_user,1,1,1,1\n"
)
MODEL = """from odoo import fields, models


class SiteDiary(models.Model):
    _name = "fw.site.diary"
    _description = "Site diary"

    day = fields.Date(required=True)
    weather = fields.Char()
{extra}"""
FAILING_MIGRATION = """def migrate(cr, version):
    cr.execute("UPDATE fw_site_diary SET weather = 'half-migrated'")
    cr.commit()
    raise RuntimeError("splitting the diary's labour lines failed half-way")
"""
VERSIONS = {
    "1.0": ("17.0.1.0.0", "", None),
    "1.1": ("17.0.1.1.0", "    labour_hours = fields.Float()\n", None),
    "1.2": ("17.0.1.2.0", "    labour_hours = fields.Float()\n", FAILING_MIGRATION),
}


def write_version(repo: Path, release: str) -> None:
    version, extra, migration = VERSIONS[release]
    module = repo / "addons" / MODULE
    files = {
        "__manifest__.py": MANIFEST.format(version=version),
        "__init__.py": "from . import models\n",
        "models/__init__.py": "from . import site_diary\n",
        "models/site_diary.py": MODEL.format(extra=extra),
        "security/ir.model.access.csv": ACCESS,
    }
    if migration:
        files[f"migrations/{version}/pre-migrate.py"] = migration
    for rel, content in files.items():
        (module / rel).parent.mkdir(parents=True, exist_ok=True)
        (module / rel).write_text(content)


def addons_repo(root: Path, env: dict[str, str] | None = None) -> tuple[Path, dict[str, str]]:
    """The repository (a new folder) and {release: commit}; `env` fixes the commits' dates, for the same ids."""
    root.mkdir(parents=True)
    git(root, "init", "--quiet", "--initial-branch=main")
    commits = {}
    for release in VERSIONS:
        write_version(root, release)
        git(root, "add", "-A")
        git(root, "commit", "--quiet", "-m", f"Site diary {release}", env=env)
        commits[release] = git(root, "rev-parse", "HEAD").strip()
    return root, commits
