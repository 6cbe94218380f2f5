"""Credentials in a GitOps URL: hidden from every message, kept out of git's argv and configuration."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

from formwork.errors import InputError

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/\s@]+)@")


def redact(text: str) -> str:
    """`text` with the credentials of any URL in it replaced by `***` (`https://***@host/...`).

    A user with a password (any scheme) or a bare user on http(s) (a token) is
    hidden; `ssh://git@host` keeps its user, which is no secret.
    """

    def hide(match: re.Match[str]) -> str:
        scheme, userinfo = match.group(1), match.group(2)
        if ":" in userinfo or scheme.lower() in ("http://", "https://"):
            return f"{scheme}***@"
        return match.group(0)

    return _USERINFO.sub(hide, text)


def split_credentials(url: str, shown: str) -> tuple[str, tuple[str, str] | None]:
    """The URL without its credentials, and (user, password) for the helper; None when it carries none.

    Only http(s) credentials can go through a helper; a password in any other URL would
    land in the clone's configuration, so it is refused.
    """
    match = _USERINFO.match(url)
    if not match or redact(match.group(0)) == match.group(0):
        return url, None  # no userinfo, or a user that is no secret (ssh://git@host)
    if match.group(1).lower() not in ("http://", "https://"):
        raise InputError(
            f"{shown}: a password in a {match.group(1)} URL cannot be kept out of git's configuration; "
            "use an SSH key, or an https:// URL"
        )
    parts = urlsplit(url)
    user, _, password = parts.netloc.rpartition("@")[0].partition(":")
    user, password = unquote(user), unquote(password)
    if any(c in "\r\n\0" for c in user + password):
        raise InputError(f"{shown}: the URL's credentials hold a line break")
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2])), (user, password)


def secrets_of(url: str) -> list[str]:
    match = _USERINFO.search(url)
    if not match:
        return []
    parts = [p for p in match.group(2).split(":", 1)]
    if len(parts) == 1 and not match.group(1).lower().startswith("http"):
        return []
    secrets = set()
    for part in parts[1:] if len(parts) == 2 else parts:
        if len(part) >= 3:
            secrets.update({part, unquote(part)})
    return sorted(secrets, key=len, reverse=True)


def last_line(text: str, secrets: list[str]) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    line = lines[-1] if lines else "no message from git"
    line = redact(line)
    for secret in secrets:
        line = line.replace(secret, "***")
    return line
