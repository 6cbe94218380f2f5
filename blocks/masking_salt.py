"""The secret salt that keys every fake, kept as a Prefect Secret block.

Same salt, same fakes: refreshes stay comparable from one night to the next.
Without the salt, nobody can map a fake back to its original.
"""

from __future__ import annotations

import os
import secrets

from prefect.blocks.system import Secret

BLOCK_NAME = "masking-salt"


def masking_salt() -> bytes:
    """$FORMWORK_MASKING_SALT if set, else the `masking-salt` Secret block (created on first use)."""
    explicit = os.environ.get("FORMWORK_MASKING_SALT")
    if explicit:
        return explicit.encode()
    try:
        return Secret.load(BLOCK_NAME).get().encode()
    except ValueError:
        value = secrets.token_hex(32)
        Secret(value=value).save(BLOCK_NAME)
        return value.encode()
