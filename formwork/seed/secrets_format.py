"""Credentials in the formats Odoo 17 stores them (passlib pbkdf2_sha512, base32 TOTP keys)."""

from __future__ import annotations

import base64
import hashlib
import random

# Odoo 17 hashes API keys with 6000 rounds (KEY_CRYPT_CONTEXT); passwords use the same
# scheme with more rounds. 25000 keeps `--scale 100` quick while staying a real passlib hash.
PASSWORD_ROUNDS = 25000
API_KEY_ROUNDS = 6000


def _ab64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=").replace("+", ".")


def pbkdf2_sha512(secret: str, rng: random.Random, rounds: int) -> str:
    salt = rng.randbytes(16)
    digest = hashlib.pbkdf2_hmac("sha512", secret.encode(), salt, rounds)
    return f"$pbkdf2-sha512${rounds}${_ab64(salt)}${_ab64(digest)}"


def totp_secret(rng: random.Random) -> str:
    return base64.b32encode(rng.randbytes(20)).decode()


def api_key(rng: random.Random) -> str:
    """Odoo API keys are 40 hex characters; the first 8 are stored in clear as the lookup index."""
    return rng.randbytes(20).hex()
