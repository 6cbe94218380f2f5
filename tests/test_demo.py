"""`make demo` end to end, then `make stop`, on ports of its own.

Once: a second whole demo cost the suite four minutes of its fifteen; each pipeline's re-run after a crash is
proven in its own tests (tests/test_hostile_*.py, test_refresh_cli.py, test_seed.py). Its release part runs on the
stub image and the HTTP stand-in (FORMWORK_DEMO_RELEASE=stand-in): on real Odoo images it costs the suite another
three and a half minutes (its migrations run on the seeded 92-module databases), and tests/test_release_odoo.py
proves each of its steps on real images; `FORMWORK_DEMO_RELEASE=real pytest tests/test_demo.py` runs it whole."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

from formwork.postgres_cluster import free_port
from tests.support.cli import FORMWORK, checkout_env

pytestmark = pytest.mark.slow


@pytest.mark.timeout(700)  # one whole demo (its own limit is below)
def test_demo_runs_and_stops():
    home = Path(tempfile.mkdtemp(prefix="formwork-demo-"))
    os.chmod(home, 0o755)
    env = {
        **os.environ,
        "FORMWORK_HOME": str(home / ".formwork"),
        "FORMWORK_PG_PORT": str(free_port()),
        "FORMWORK_PREFECT_PORT": str(free_port()),
    }
    env.pop("PREFECT_API_URL", None)
    env.setdefault("FORMWORK_DEMO_RELEASE", "stand-in")
    env = checkout_env(env)
    try:
        result = subprocess.run([*FORMWORK, "demo"], env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, (result.stdout[-2000:], result.stderr[-2000:])
        assert "prod     1     yes" in result.stdout
        assert "seeded postgresql://postgres@127.0.0.1" in result.stdout
        assert "no leaks" in result.stdout and "after: nothing live" in result.stdout
        assert "never rewires it" in result.stderr and "never masks it" in result.stderr
        assert "is flagged production: Formwork never writes to production" in result.stderr
        assert "refresh prod -> staging: done" in result.stdout
        assert "drill prod from backup" in result.stdout and ": PASSED" in result.stdout
        assert "SHA-256 mismatch" in result.stderr
        assert (
            "drill prod to the end of the archive from pgBackRest backup" in result.stdout
            and "pgbackrest check passed" in result.stdout
        )
        assert "deployment refresh/refresh\n  schedule nightly-staging: 0 2 * * * (Europe/London) paused" in result.stdout
        assert "refresh-prod-to-staging is Suspended" in result.stdout and "formwork approve " in result.stdout
        built = result.stdout.split("the one image, by digest: ")[1].split()[0]
        assert "frozen for month-end close" in result.stdout and "next open slot" in result.stdout
        assert f"promote {built} to prod: done" in result.stdout
        posture = result.stdout.split("$ formwork status prod staging")[1]
        assert "  staging: never drilled: no backup has been proven to restore" in posture
        assert "2 environments: " in posture and any(
            line.split()[:4] == ["staging", "2", "at", "risk"] for line in posture.splitlines()
        )
        status = result.stdout.split("$ formwork release status")[1]
        assert all(f"{name} " in status for name in ("dev", "test", "staging", "prod"))
        released = re.findall(r"promote (\S+) to prod: done", result.stdout)[-1]  # real Odoo: the 1.1 release
        assert status.count(released.split("@")[1][:19]) == 4
        real_images = "migration: odoo-bin -u fw_site_diary" in result.stdout
        assert real_images == (env["FORMWORK_DEMO_RELEASE"] == "real"), result.stdout[-3000:]
        if real_images:  # rehearsed before production; 1.2's failed migration rolled back with its data
            assert "rehearsal: rehearsed on the checkpoint restored on the scratch server" in result.stdout
            assert "FAILED in the migration; the database is as it was" in result.stdout
            assert "(no line says 'half-migrated': True)" in result.stdout
        settings = (home / ".formwork" / "stack.json").read_text()
        import json

        password = json.loads(settings)["pg_password"]
        assert password not in result.stdout + result.stderr
        assert json.loads(settings)["prefect_auth"] not in result.stdout + result.stderr
        through_odoo = (
            "through Odoo Server 17.0" in result.stdout
        )  # real Odoo when the demo finds it (FORMWORK_ODOO_BIN, ../shared/odoo)
        assert through_odoo or os.environ.get("FORMWORK_REQUIRE_ODOO") != "1", result.stdout[-3000:]
        with psycopg.connect(f"postgresql://postgres:{password}@127.0.0.1:{env['FORMWORK_PG_PORT']}/prod") as conn:
            if through_odoo:
                assert (
                    conn.execute(
                        "SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND name IN ('hr', 'account', 'project')"
                    ).fetchone()[0]
                    == 3
                )
                assert conn.execute("SELECT count(*) FROM hr_employee WHERE name = 'Maria Keller'").fetchone()[0] == 1
            else:
                assert conn.execute("SELECT count(*) FROM res_partner").fetchone()[0] > 9000
        assert any((home / ".formwork" / "objects" / "filestore" / "prod").iterdir())
        if through_odoo:  # how to open it, with the Odoo role's password in an owner-only file, never printed
            odoo_conf = home / ".formwork" / "odoo.conf"
            assert f"server -c {odoo_conf} -d prod" in result.stdout and odoo_conf.stat().st_mode & 0o077 == 0
            odoo_password = odoo_conf.read_text().split("db_password = ")[1].split()[0]
            assert odoo_password not in result.stdout + result.stderr
    finally:
        stopped = subprocess.run([*FORMWORK, "local", "down"], env=env, capture_output=True, text=True, timeout=120)
        assert stopped.returncode == 0, stopped.stderr
        status = subprocess.run([*FORMWORK, "local", "status"], env=env, capture_output=True, text=True, timeout=60)
        shutil.rmtree(home, ignore_errors=True)
        assert (
            "postgres  stopped" in status.stdout and "prefect   stopped" in status.stdout and "worker    stopped" in status.stdout
        )
        assert "registry  stopped" in status.stdout and "odoo      stopped" in status.stdout
