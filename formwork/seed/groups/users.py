"""Users with hashed passwords, TOTP secrets, signatures and API keys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from formwork.seed.groups.partners import work_email
from formwork.seed.plan import ANCHOR, JOBS, SeedPlan
from formwork.seed.rows import AUDIT, TableRows, audit
from formwork.seed.secrets_format import API_KEY_ROUNDS, PASSWORD_ROUNDS, api_key, pbkdf2_sha512, totp_secret


def tables(plan: SeedPlan) -> Iterator[TableRows]:
    n = plan.counts.users
    yield TableRows(
        "res_users",
        (
            "id",
            "login",
            "password",
            "partner_id",
            "company_id",
            "active",
            "share",
            "signature",
            "totp_secret",
            "notification_type",
            *AUDIT,
        ),
        _users(plan),
        n + 2,
    )
    yield TableRows(
        "res_users_apikeys",
        ("id", "name", "user_id", "scope", "index", "key", "create_date"),
        _api_keys(plan),
        sum(1 for i in range(n) if _has_api_key(i)) + 1,
    )


def _has_api_key(i: int) -> bool:
    return i % 5 == 0


def _users(plan: SeedPlan) -> Iterator[tuple]:
    rng = plan.rng("users")
    a = audit(ANCHOR - timedelta(days=3 * 365), uid=1)
    yield (1, "__system__", None, plan.ODOOBOT_PARTNER, 1, False, False, None, None, "inbox", *a)
    yield (
        2,
        "admin",
        pbkdf2_sha512("admin-" + plan.token("admin", length=8), rng, PASSWORD_ROUNDS),
        plan.ADMIN_PARTNER,
        1,
        True,
        False,
        "<p>--<br>Helen Carter<br>ERP Administrator</p>",
        totp_secret(rng),
        "inbox",
        *a,
    )
    for i in range(plan.counts.users):
        e = plan.employee(i)
        signature = f"<p>--<br>{e.who.name}<br>{JOBS[e.job][0]}<br>Mobile {e.who.mobile}</p>"
        password = pbkdf2_sha512(plan.token("password", i, length=12), rng, PASSWORD_ROUNDS)
        totp = totp_secret(rng) if i % 3 != 2 else None
        yield (
            plan.user_id(i),
            work_email(plan, i),
            password,
            plan.employee_partner_id(i),
            1,
            True,
            False,
            signature,
            totp,
            "email" if i % 2 else "inbox",
            *audit(ANCHOR - timedelta(days=400 + i % 300)),
        )


def _api_keys(plan: SeedPlan) -> Iterator[tuple]:
    rng = plan.rng("apikeys")
    key = api_key(rng)
    yield (1, "CI deployment pipeline", 2, "rpc", key[:8], pbkdf2_sha512(key, rng, API_KEY_ROUNDS), ANCHOR - timedelta(days=90))
    next_id = 2
    for i in range(plan.counts.users):
        if _has_api_key(i):
            key = api_key(rng)
            yield (
                next_id,
                f"Site app ({plan.employee(i).who.first})",
                plan.user_id(i),
                "rpc",
                key[:8],
                pbkdf2_sha512(key, rng, API_KEY_ROUNDS),
                ANCHOR - timedelta(days=30 + i % 200),
            )
            next_id += 1
