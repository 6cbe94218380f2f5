"""Has the environment picked up the promoted image? Ask Odoo itself, over HTTP.

Odoo answers `GET /web/health` with `{"status": "pass"}` once it serves requests,
and `/web/webclient/version_info` (JSON-RPC) with its version. A server that
reports the image it runs (`image_digest` in version_info's result, or an
`X-Image-Digest` response header, as Formwork-built images do) must report the
promoted digest; one that does not is judged by health alone, and the report says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

HEALTH = "/web/health"
VERSION = "/web/webclient/version_info"


@dataclass(frozen=True)
class Rollout:
    done: bool
    detail: str
    seconds: float


def observe(client: httpx.Client, base_url: str) -> tuple[bool, str | None, str]:
    """(healthy, digest it reports or None, what was seen)"""
    try:
        health = client.get(base_url + HEALTH)
        if health.status_code != 200 or health.json().get("status") != "pass":
            return False, None, f"{HEALTH} answered {health.status_code}"
        version = client.post(base_url + VERSION, json={"jsonrpc": "2.0", "method": "call", "params": {}})
        result = version.json().get("result") or {}
        digest = result.get("image_digest") or version.headers.get("X-Image-Digest") or health.headers.get("X-Image-Digest")
        return True, digest, f"Odoo {result.get('server_version', '?')}, image {digest or 'not reported'}"
    except (httpx.HTTPError, ValueError) as exc:
        return False, None, f"no answer ({type(exc).__name__})"


def wait_for(base_url: str, digest: str, timeout: float, interval: float = 2.0) -> Rollout:
    """Poll until the server is healthy on `digest`, or the timeout passes."""
    started = time.monotonic()
    seen = "nothing yet"
    with httpx.Client(timeout=min(10.0, interval * 5)) as client:
        while True:
            healthy, running, seen = observe(client, base_url.rstrip("/"))
            if healthy and running in (digest, None):
                suffix = "" if running else " (the server does not report its image: judged by health alone)"
                return Rollout(True, seen + suffix, time.monotonic() - started)
            if time.monotonic() - started >= timeout:
                return Rollout(False, f"not rolled out after {timeout:.0f} s: {seen}", time.monotonic() - started)
            time.sleep(interval)
