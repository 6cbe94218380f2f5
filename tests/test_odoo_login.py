"""How testers log into a masked copy, on real Odoo 17: internal users with the environment's staging password
(admin as admin, everyone else under their masked login), nobody with a production password, portal users not at all.

One copy of the real template, masked once with the default rules, served by the session's shared Odoo."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import psycopg
import pytest

from formwork.masking.engine import Masker
from formwork.masking.rules import load_rules
from formwork.masking.staging_login import odoo_password_hash
from tests.support.odoo import REQUEST_TIMEOUT

RULES = Path(__file__).resolve().parent.parent / "masking_rules" / "odoo17.yaml"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # a cold cache builds Odoo and its database first
SALT = b"odoo-login-tests-salt"
STAGING = "Staging-" + secrets.token_urlsafe(9)
# Production's passwords, stored as Odoo stores them; none may open the copy.
PRODUCTION = {
    "admin": "prod-Admin-" + secrets.token_urlsafe(6),
    "demo": "prod-Demo-" + secrets.token_urlsafe(6),
    "portal": "prod-Portal-" + secrets.token_urlsafe(6),
}
DEMO_LOGIN = "marc.demo@brickwell.example"


@pytest.fixture(scope="module")
def masked(odoo, tmp_path_factory):
    """(copy, {user: login after masking}): the demo data's admin, internal user and portal user, each with a
    production password, the internal user logging in with an address (as most companies' users do), masked."""
    copy = odoo.copy("login")
    with psycopg.connect(odoo.cluster.dsn(copy.name)) as conn:
        ids = {login: conn.execute("SELECT id FROM res_users WHERE login = %s", (login,)).fetchone()[0] for login in PRODUCTION}
        assert conn.execute(
            "SELECT array_agg(share ORDER BY id) FROM res_users WHERE id = ANY(%s)", (list(ids.values()),)
        ).fetchone()[0] == [False, False, True]  # admin, demo: internal; portal
        for login, password in PRODUCTION.items():
            conn.execute("UPDATE res_users SET password = %s WHERE id = %s", (odoo_password_hash(password), ids[login]))
        # As the admin does it in Odoo: the edit is his (write_uid 2), so the demo user is no longer a module record.
        conn.execute("UPDATE res_users SET login = %s, write_uid = 2 WHERE id = %s", (DEMO_LOGIN, ids["demo"]))
        conn.commit()
        report = Masker(conn, load_rules(str(RULES)), SALT, None, STAGING).run()
        assert report.leaks == [] and "res_users.password" in report.columns
        logins = {user: conn.execute("SELECT login FROM res_users WHERE id = %s", (i,)).fetchone()[0] for user, i in ids.items()}
    yield copy, logins
    odoo.drop(copy)


def sign_in(http: httpx.Client, db: str, login: str, password: str) -> int | None:
    """JSON-RPC login, as the web client does; the user id, or None when Odoo refuses."""
    answer = http.post(
        "/web/session/authenticate",
        json={"jsonrpc": "2.0", "method": "call", "params": {"db": db, "login": login, "password": password}},
    ).json()
    return (answer.get("result") or {}).get("uid")


def partners(http: httpx.Client) -> list[dict]:
    answer = http.post(
        "/web/dataset/call_kw",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": "res.partner",
                "method": "search_read",
                "args": [[]],
                "kwargs": {"fields": ["name", "email"], "limit": 5},
            },
        },
    ).json()
    assert "error" not in answer, answer["error"]
    return answer["result"]


def test_internal_users_log_in_with_the_staging_password_only_and_portal_users_not_at_all(masked, odoo_served):
    copy, logins = masked
    assert logins["admin"] == "admin" and logins["demo"] not in ("demo", DEMO_LOGIN) and "@" in logins["demo"]
    url, _ = odoo_served

    def attempt(user: str, password: str) -> tuple[int | None, list[dict]]:
        with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT, headers={"Host": f"{copy.name}.localhost"}) as http:
            uid = sign_in(http, copy.name, logins[user], password)
            return uid, partners(http) if uid else []

    for user in ("admin", "demo"):
        uid, read = attempt(user, STAGING)
        assert uid and read, f"{user} ({logins[user]}) cannot log in with the staging password"
        assert attempt(user, PRODUCTION[user])[0] is None, f"{user}'s production password still opens the copy"
    for password in (STAGING, PRODUCTION["portal"]):
        assert attempt("portal", password)[0] is None, "a portal user logs in to the copy"


def test_every_internal_user_shares_one_staging_hash_and_no_one_else_has_a_password(odoo, masked):
    copy, _ = masked
    with psycopg.connect(odoo.cluster.dsn(copy.name)) as conn:
        hashes = dict(
            conn.execute("SELECT share IS FALSE, array_agg(DISTINCT coalesce(password, '-')) FROM res_users GROUP BY 1")
        )
        totp = conn.execute("SELECT count(*) FROM res_users WHERE totp_secret IS NOT NULL").fetchone()[0]
    assert len(hashes[True]) == 1 and hashes[True][0].startswith("$pbkdf2-sha512$600000$")
    assert hashes[False] == ["-"] and totp == 0
