"""The release pipeline on real Odoo images: built from Debian's packages, run by Podman from what GitOps pins,
migrated by `odoo-bin -u`, and rolled back with the data when the migration fails.

Real Podman, a real registry, real Odoo 17 and PostgreSQL. Where Podman cannot run here the tests skip saying why
(tests/support/odoo_images.py); `.ci/run` makes that a failure wherever Podman can be installed.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql

from blocks import catalogue
from demo.site_diary import MODULE, addons_repo
from formwork.environments import EnvironmentSpec
from formwork.errors import OperationError
from formwork.postgres_cluster import free_port, new_password
from formwork.release import odoo_container
from formwork.release.gitops.repository import GitOpsRepo
from formwork.release.migration import MODULES, ODOO_BIN
from formwork.release.odoo_container import OdooDatabase, Podman
from formwork.release.registry import Registry
from formwork.release.sbom import sbom
from formwork.seed.odoo_role import PASSWORD_VARIABLE
from local.gitops_repo import git, pinned_digest
from local.odoo_sync import OdooSync, Target
from tests.support.approvals import resume_paused
from tests.support.gitops import make_gitops_repo
from tests.support.odoo_images import podman_or_skip

ROLE = "odoo_release"  # the tests' own Odoo role: other test files own role `odoo` with their own password
ROLLOUT = 120
# The freeze starts this many seconds after the release is asked for: the window is open when it is checked, and
# a checkpoint, a rehearsal (a restore and an upgrade) and the restore it forecasts cannot all fit before it.
FREEZE_IN = 4


@pytest.fixture(scope="module")
def runtime():
    podman_or_skip(odoo_container.runtime_home())
    return odoo_container.runtime()


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
def role(pg, pg_other):
    """The role Odoo runs as, on the environments' server and on the scratch server rehearsals restore on."""
    password = new_password()
    for cluster in (pg, pg_other):
        with psycopg.connect(cluster.dsn(), autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            admin.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(ROLE), sql.Literal(password)))
    return password


@pytest.fixture(scope="module")
def diary_template(pg, role, runtime, images, tmp_path_factory):
    """A database with fw_site_diary 1.0 installed by the 1.0 image, and three diary lines."""
    name = f"diary_tmpl_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(pg.dsn(), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(ROLE)))
    database = OdooDatabase("127.0.0.1", pg.port, name, ROLE, role)
    installed = odoo_container.install(
        runtime, images["1.0"], [MODULE], database, tmp_path_factory.mktemp("logs") / "install.log"
    )
    assert installed.ok, installed.excerpt
    with psycopg.connect(pg.dsn(name), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO fw_site_diary (day, weather) VALUES ('2026-03-02', 'rain'), ('2026-03-03', 'sun'), ('2026-03-04', 'wind')"
        )
    return name


@pytest.fixture
def make_environment(pg, role, runtime, diary_template, registry, prefect_api, tmp_path, monkeypatch):
    """Environments on copies of the template, each run by the local sync from what its overlay pins."""
    monkeypatch.setenv(PASSWORD_VARIABLE, role)
    made: list[tuple[OdooSync, str]] = []

    def make(production: bool = False, **settings) -> tuple[str, str, str, Target]:
        database = f"diary_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(pg.dsn(), autocommit=True) as admin:
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {}").format(
                    sql.Identifier(database), sql.Identifier(diary_template), sql.Identifier(ROLE)
                )
            )
        overlay = "prod" if production else "dev"
        repo = make_gitops_repo(tmp_path / database, (overlay,))
        name = f"{overlay}-{uuid.uuid4().hex[:6]}"
        target = Target(overlay, name, OdooDatabase("127.0.0.1", pg.port, database, ROLE, role), free_port())
        catalogue.add(
            EnvironmentSpec(
                name,
                pg.dsn(database),
                production=production,
                base_url=target.base_url,
                backup_store=f"file://{tmp_path}/backups/{name}",
                gitops_repo=repo,
                gitops_overlay=f"overlays/{overlay}",
                image_repository=f"{registry.host}/odoo/{overlay}",
                **settings,
            )
        )
        made.append((OdooSync(repo, runtime, [target]).start(), database))
        return name, database, repo, target

    yield make
    for sync, database in made:
        sync.stop()
        with psycopg.connect(pg.dsn(), autocommit=True) as admin:
            for (found,) in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (database + "%",)).fetchall():
                admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(found)))


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


def test_a_promotion_with_a_changed_module_migrates_the_database_and_the_new_image_serves_it(make_environment, images, pg):
    name, database, repo, target = make_environment()
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


def test_a_failing_migration_leaves_the_previous_image_and_the_database_restored_from_the_checkpoint(
    make_environment, images, pg
):
    name, database, repo, target = make_environment()
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


def calendar(path: Path, freeze_in: float | None = None) -> str:
    """Production's calendar: open, or with a two-hour freeze starting `freeze_in` seconds from now."""
    text = "company: Northbridge Construction Ltd\ntimezone: Europe/London\n"
    if freeze_in is not None:
        start = datetime.now(UTC) + timedelta(seconds=freeze_in)
        text += (
            f'freezes:\n  one_off:\n    - {{from: "{start:%Y-%m-%dT%H:%M:%S}+00:00", '
            f'until: "{start + timedelta(hours=2):%Y-%m-%dT%H:%M:%S}+00:00", reason: month-end close}}\n'
        )
    path.write_text(text)
    return str(path)


def test_a_production_migration_is_rehearsed_and_one_that_would_overrun_the_window_waits_for_an_approver(
    make_environment, images, pg, pg_other, prefect_api, tmp_path
):
    path = tmp_path / "calendar.yaml"
    name, database, repo, target = make_environment(
        production=True, release_calendar=calendar(path), scratch_dsn=pg_other.dsn("postgres")
    )
    assert promote(images["1.0"], name, approver="alice", change_reference="CR-1").outcome == "done"
    before = row_digests(pg, database)
    calendar(path, freeze_in=FREEZE_IN)  # open now; closed before a rehearsed migration and its restore could end
    outcome: dict = {}

    def release():
        try:
            promote(images["1.1"], name, approver="alice", change_reference="CR-2", database_approver="dana")
        except Exception as exc:  # noqa: BLE001 - the test reads it
            outcome["error"] = exc

    worker = threading.Thread(target=release)
    worker.start()
    answer = {"approver": "erin", "change_reference": "CR-2", "approve": False, "reason": "not in tonight's window"}
    resume_paused(prefect_api, f"promote-to-{name}", answer, wait=120)
    worker.join(timeout=120)

    assert "migration past the release window rejected" in str(outcome.get("error")), outcome
    assert row_digests(pg, database) == before and "labour_hours" not in columns(pg, database, "fw_site_diary")
    assert pinned_digest(repo, "prod") == served_digest(target) == images["1.0"].split("@")[1]
    with psycopg.connect(pg_other.dsn()) as scratch:
        assert not scratch.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (database + "%",)).fetchall()


def test_a_production_migration_that_fails_its_rehearsal_is_refused_before_production_is_touched(
    make_environment, images, pg, pg_other
):
    name, database, repo, target = make_environment(production=True, scratch_dsn=pg_other.dsn("postgres"))
    assert promote(images["1.0"], name, approver="alice", change_reference="CR-1").outcome == "done"
    before = row_digests(pg, database)

    with pytest.raises(OperationError, match="the migration failed in its rehearsal; nothing changed"):
        promote(images["1.2"], name, approver="alice", change_reference="CR-3", database_approver="dana")

    assert row_digests(pg, database) == before
    assert pinned_digest(repo, "prod") == images["1.0"].split("@")[1]


def test_without_podman_the_build_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "podman and runc" in odoo_container.available(tmp_path)
    with pytest.raises(OperationError, match="podman and runc"):
        Podman(tmp_path)
