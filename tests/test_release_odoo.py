"""The release pipeline on real Odoo images: built from Debian's packages, run by Podman from what GitOps pins,
migrated by `odoo-bin -u`, and rolled back with the data when the migration fails.

Real Podman, a real registry, real Odoo 17 and PostgreSQL. Where Podman cannot run here the tests skip saying why
(tests/support/odoo_images.py); `.ci/run` makes that a failure wherever Podman can be installed.
"""

from __future__ import annotations

import uuid

import httpx
import psycopg
import pytest
from psycopg import sql

from blocks import catalogue
from formwork.environments import EnvironmentSpec
from formwork.errors import OperationError
from formwork.postgres_cluster import free_port, new_password
from formwork.release.gitops.repository import GitOpsRepo
from formwork.release.migration import MODULES, ODOO_BIN
from formwork.release.odoo_container import OdooDatabase, Podman
from formwork.release.registry import Registry
from formwork.release.sbom import sbom
from formwork.seed.odoo_bin import cache_root
from formwork.seed.odoo_role import PASSWORD_VARIABLE
from local.gitops_repo import git, pinned_digest
from local.odoo_sync import OdooSync, Target
from tests.support.gitops import make_gitops_repo
from tests.support.odoo_images import MODULE, addons_repo, podman_or_skip

ROLE = "odoo_release"  # the tests' own Odoo role: other test files own role `odoo` with their own password
ROLLOUT = 120


@pytest.fixture(scope="module")
def runtime():
    podman_or_skip(cache_root() / "podman")
    return Podman(cache_root() / "podman")


@pytest.fixture(scope="module")
def images(runtime, registry, tmp_path_factory):
    """{release: registry/odoo/build@digest} of the three commits, built the way `formwork release build` does."""
    from tasks.build import build

    repo, commits = addons_repo(tmp_path_factory.mktemp("addons") / "repo")
    built = {}
    for release, commit in commits.items():
        git(repo, "checkout", "--quiet", commit)
        built[release] = f"{registry.host}/odoo/build@{build.fn(repo, f'{registry.host}/odoo/build', release, '17.0')}"
    return built


@pytest.fixture(scope="module")
def role(pg):
    password = new_password()
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        admin.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(ROLE), sql.Literal(password)))
    return password


@pytest.fixture(scope="module")
def diary_template(pg, role, runtime, images):
    """A database with fw_site_diary 1.0 installed by the 1.0 image, and three diary lines."""
    name = f"diary_tmpl_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(ROLE)))
    database = OdooDatabase("127.0.0.1", pg.port, name, ROLE, role)
    runtime.run(
        ["run", "--rm", "--network", "host", "--env", "PGPASSWORD", images["1.0"], *database.options()]
        + ["-i", MODULE, "--stop-after-init", "--without-demo=all", "--no-http"],
        "install fw_site_diary 1.0",
        password=role,
    )
    with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO fw_site_diary (day, weather) VALUES ('2026-03-02', 'rain'), ('2026-03-03', 'sun'), ('2026-03-04', 'wind')"
        )
    return name


@pytest.fixture
def environment(pg, role, runtime, diary_template, registry, tmp_path, monkeypatch):
    """One environment on a copy of the template, its Odoo run by the local sync from what its overlay pins."""
    monkeypatch.setenv(PASSWORD_VARIABLE, role)
    database = f"diary_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {}").format(
                sql.Identifier(database), sql.Identifier(diary_template), sql.Identifier(ROLE)
            )
        )
    repo = make_gitops_repo(tmp_path, ("dev",))
    name = f"dev-{uuid.uuid4().hex[:6]}"
    target = Target("dev", name, OdooDatabase("127.0.0.1", pg.port, database, ROLE, role), free_port())
    catalogue.add(
        EnvironmentSpec(
            name,
            pg.dsn(database),
            base_url=target.base_url,
            backup_store=f"file://{tmp_path}/backups",
            gitops_repo=repo,
            gitops_overlay="overlays/dev",
            image_repository=f"{registry.host}/odoo/dev",
        )
    )
    sync = OdooSync(repo, runtime, [target]).start()
    yield name, database, repo, target
    sync.stop()
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        for found in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (database + "%",)).fetchall():
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(found[0])))


def promote(image: str, to: str, **kwargs):
    from flows.promote import promote as promote_flow

    return promote_flow(image=image, to=to, requested_by="bob", rollout_timeout=ROLLOUT, **kwargs)


def row_digests(pg, database: str) -> dict[str, str]:
    """Every table's rows, as one digest per table."""
    with psycopg.connect(pg.dsn(database)) as conn:
        tables = [t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        return {
            table: conn.execute(
                sql.SQL("SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t").format(
                    sql.Identifier(table)
                )
            ).fetchone()[0]
            for table in tables
        }


def columns(pg, database: str, table: str) -> set[str]:
    with psycopg.connect(pg.dsn(database)) as conn:
        return {c for (c,) in conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,))}


def served_digest(target: Target) -> str | None:
    answer = httpx.post(
        target.base_url + "/web/webclient/version_info", json={"jsonrpc": "2.0", "method": "call", "params": {}}, timeout=10
    )
    return answer.json()["result"].get("image_digest")


def test_the_image_is_real_odoo_labelled_reproducible_and_its_scan_sees_debian_and_python_packages(
    images, registry, runtime, tmp_path, pg, role, diary_template
):
    digest = images["1.0"].split("@")[1]
    with Registry(registry.host) as client:
        labels = client.labels("odoo/build", digest)
    assert labels[ODOO_BIN] == "/opt/odoo/odoo-bin" and '"fw_site_diary": "17.0.1.0.0"' in labels[MODULES]
    version = runtime.run(["run", "--rm", images["1.0"], "--version"], "odoo-bin --version")
    assert version.stdout.strip().startswith("Odoo Server 17.0")
    components = sbom(images["1.0"], tmp_path / "sbom.json")
    found = {(c.ecosystem, c.name) for c in components}
    assert ("Debian", "python3-lxml") in found and ("Debian", "python3-psycopg2") in found, sorted(found)[:20]
    assert any(ecosystem == "PyPI" and name.lower() == "werkzeug" for ecosystem, name in found)


def test_a_promotion_with_a_changed_module_migrates_the_database_and_the_new_image_serves_it(environment, images, pg, registry):
    name, database, repo, target = environment
    assert promote(images["1.0"], name).outcome == "done"
    assert served_digest(target) == images["1.0"].split("@")[1]
    assert "labour_hours" not in columns(pg, database, "fw_site_diary")

    report = promote(images["1.1"], name, database_approver="dana")

    assert report.outcome == "done", report.markdown()
    assert report.schema_changes == ["fw_site_diary 17.0.1.0.0 → 17.0.1.1.0"]
    assert report.migration.startswith("odoo-bin -u fw_site_diary (fw_site_diary 17.0.1.0.0 → 17.0.1.1.0) done in")
    assert "labour_hours" in columns(pg, database, "fw_site_diary")
    assert served_digest(target) == images["1.1"].split("@")[1]
    last = GitOpsRepo(repo).history("overlays/dev", "odoo", limit=1)[0]
    assert last.trailers["Migration"] == report.migration and last.trailers["Backup-checkpoint"] == report.checkpoint


def test_a_failing_migration_leaves_the_previous_image_and_the_database_restored_from_the_checkpoint(environment, images, pg):
    name, database, repo, target = environment
    assert promote(images["1.0"], name).outcome == "done"
    before = row_digests(pg, database)

    with pytest.raises(OperationError, match="FAILED in the migration"):
        promote(images["1.2"], name, database_approver="dana")

    assert row_digests(pg, database) == before
    assert pinned_digest(repo, "dev") == images["1.0"].split("@")[1]
    assert served_digest(target) == images["1.0"].split("@")[1]
    with psycopg.connect(pg.dsn()) as admin:
        kept = admin.execute("SELECT datname FROM pg_database WHERE datname = %s", (database + "__failed_release",)).fetchone()
    assert kept, "the half-migrated database is kept for whoever investigates"
    with psycopg.connect(pg.dsn(kept[0])) as conn:
        assert {w for (w,) in conn.execute("SELECT weather FROM fw_site_diary")} == {"half-migrated"}


def test_without_podman_the_build_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    from formwork.release import odoo_container

    assert "podman and runc" in odoo_container.available(tmp_path)
    with pytest.raises(OperationError, match="podman and runc"):
        Podman(tmp_path)
