"""How testers log into a masked copy: internal users share the environment's staging password.

Production's password hashes must not reach a copy (whoever knows a production
password could then log in to the copy, and the hashes could be attacked offline),
so masking replaces them. Internal users get Odoo's own hash of the environment's
staging password, so testers log in as any of them; the `staging_password` strategy
writes it. Without a staging password it writes NULL like `null`, and the report
says that nobody can log in. Portal and public users are masked with `null`.

The hash is passlib's pbkdf2_sha512 format, which Odoo 17 verifies (and re-hashes if
its `password.hashing.rounds` asks for more rounds). One salt per run: every internal
user shares the password anyway, and 600,000 rounds per user would cost minutes.
The Masker keeps only the hash and writes it from a table loaded with COPY
(rewrite.Hidden), so it is in no statement's text, hence in no server log.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from formwork.errors import InputError

STRATEGY = "staging_password"
ROUNDS = 600_000  # Odoo 17's MIN_ROUNDS (odoo/addons/base/models/res_users.py)
NO_PASSWORD = (
    "staging password (none set): passwords are cleared, so nobody can log in to this copy; "
    "set one with formwork env add ... --staging-password-stdin"
)
UNUSED = f"staging password: set, but no rule writes it (strategy {STRATEGY}), so it opens nothing on this copy"


def odoo_password_hash(password: str, *, rounds: int = ROUNDS, salt: bytes | None = None) -> str:
    """`$pbkdf2-sha512$<rounds>$<salt>$<checksum>`, salt and checksum in passlib's adapted base64."""
    salt = secrets.token_bytes(16) if salt is None else salt
    checksum = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, rounds)
    return f"$pbkdf2-sha512${rounds}${_ab64(salt)}${_ab64(checksum)}"


def check_staging_password(password: str, where: str = "staging password") -> str:
    """The password, or one InputError line naming where it came from (never the value)."""
    if not password.strip():
        raise InputError(f"{where}: empty; testers could not log in with it (set a non-empty staging password)")
    return password


def _ab64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=").replace("+", ".")
