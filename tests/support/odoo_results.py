"""Real Odoo on what Formwork's pipelines leave behind: the template loaded into another cluster, and one Odoo
process serving several results at once (each boot costs 15-25 s of the suite; the `odoo_served` fixture is the
session's, on the copies' data directory).

The checks per database, on a server that `serving_all` started: the login page of that database, a JSON-RPC login,
/web and its assets, XML-RPC reads of the models users open first, and no ERROR logged for it.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import subprocess
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg

from formwork.pgbin import program
from formwork.postgres_cluster import LocalCluster, free_port
from formwork.seed.odoo_bin import LOG_ERROR
from tests.support.odoo import (
    READ_MODELS,
    REQUEST_TIMEOUT,
    ROLE,
    TEMPLATE,
    Odoo,
    OdooCopy,
    _stop,
    _wait_until_up,
)

ADMIN_ID = 2  # base.user_admin: masking may rename its login, never its id


def load_template(odoo: Odoo, cluster: LocalCluster, name: str, data_dir: Path) -> OdooCopy:
    """The session's template, database (owned by Odoo's role) and filestore, as `name` on another cluster."""
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone():
            conn.execute(f"CREATE ROLE {ROLE} LOGIN CREATEDB")
        conn.execute(f'CREATE DATABASE "{name}" OWNER {ROLE} ENCODING UTF8 TEMPLATE template0')
    dump = subprocess.Popen(
        [program("pg_dump"), "-Fc", "--no-owner", "--no-privileges", odoo.cluster.dsn(TEMPLATE)], stdout=subprocess.PIPE
    )
    subprocess.run(
        [program("pg_restore"), "--no-owner", "--no-privileges", f"--role={ROLE}", "-d", cluster.dsn(name)],
        stdin=dump.stdout,
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert dump.wait(60) == 0, "pg_dump of the template failed"
    copy = OdooCopy(name, data_dir)
    shutil.copytree(odoo.template.filestore, copy.filestore)
    return copy


@contextlib.contextmanager
def serving_all(odoo: Odoo, data_dir: Path, db_host: str = "127.0.0.1", db_port: int | None = None) -> Iterator[tuple[str, Path]]:
    """One Odoo serving the databases of db_host:db_port (default: the template's cluster; a socket folder works too),
    each under its own host name, `<database>.localhost` (`%d` in --db-filter), as Odoo hosts several companies;
    their filestores in data_dir/filestore/<name>. (base URL, log file). Stopped, its group killed, afterwards."""
    port = free_port()
    log = data_dir / f"serving-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    args = odoo.command(
        "server",
        f"--http-port={port}",
        "--http-interface=127.0.0.1",
        "--db-filter=^%d$",
        "--no-database-list",
        "--max-cron-threads=0",
        f"--logfile={log}",
        data_dir=data_dir,
    )
    where = {"--db_host": db_host, "--db_port": str(db_port or odoo.cluster.port)}
    args = [f"{arg.split('=')[0]}={where[arg.split('=')[0]]}" if arg.split("=")[0] in where else arg for arg in args]
    process = subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url, log
    finally:
        _stop(process)


def known_password(conn: psycopg.Connection) -> tuple[str, str]:
    """(login, password) of the administrator, given a fresh password (plaintext, which Odoo re-hashes on login)."""
    password = secrets.token_urlsafe(12)
    row = conn.execute("UPDATE res_users SET password = %s WHERE id = %s RETURNING login", (password, ADMIN_ID)).fetchone()
    assert row, "no administrator (res_users id 2)"
    return row[0], password


def check_copy_serves(odoo: Odoo, served: tuple[str, Path], copy: OdooCopy) -> None:
    """`check_serves` for a copy on the template's cluster (the `odoo_served` fixture serves them), as its administrator."""
    with psycopg.connect(odoo.cluster.dsn(copy.name), autocommit=True) as conn:
        login, password = known_password(conn)
    check_serves(*served, copy.name, login, password)


def check_serves(url: str, log: Path, database: str, login: str, password: str) -> None:
    """The Odoo at `url` (from `serving_all`) serves `database`: login page, JSON-RPC login, /web with its assets, XML-RPC reads, no ERROR."""
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT, headers={"Host": f"{database}.localhost"}) as http:
        page = http.get("/web/login")
        assert page.status_code == 200 and 'name="login"' in page.text, (
            f"{database}: login page: HTTP {page.status_code} {page.headers.get('location', '')} {page.text[-300:]}"
        )
        signed_in = http.post(
            "/web/session/authenticate",
            json={"jsonrpc": "2.0", "method": "call", "params": {"db": database, "login": login, "password": password}},
        ).json()
        assert signed_in.get("result", {}).get("uid"), f"{database}: JSON-RPC login of {login!r} failed: {signed_in.get('error')}"
        web = http.get("/web")
        assets = sorted(set(re.findall(r'(?:src|href)="(/web/assets/[^"]+)"', web.text)))
        assert web.status_code == 200 and assets, f"{database}: /web: HTTP {web.status_code}, {len(assets)} asset bundles"
        for asset in assets:
            assert http.get(asset).status_code == 200, f"{database}: asset {asset} does not load"
    uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(database, login, password, {})
    assert uid, f"{database}: XML-RPC login of {login!r} failed"
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
    for model in READ_MODELS:
        try:
            rows = models.execute_kw(database, uid, password, model, "search_read", [[]], {"limit": 20})
        except xmlrpc.client.Fault as fault:
            raised = re.findall(r"^[A-Za-z_][\w.]*: .*", fault.faultString, re.MULTILINE)
            raise AssertionError(f"{database}: XML-RPC read of {model} failed: {(raised or [fault.faultString])[-1]}") from None
        assert rows, f"{database}: XML-RPC read of {model} returned nothing"
    errors = [
        line for line in log.read_text().splitlines() if LOG_ERROR.match(line) and (f" {database} " in line or " ? " in line)
    ]
    assert not errors, f"Odoo logged errors on {database}:\n" + "\n".join(errors)[:4000]
