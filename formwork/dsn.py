"""PostgreSQL connection URIs: parse, validate and redact.

libpq does the parsing (psycopg's `conninfo_to_dict`), so we accept exactly what
PostgreSQL tools accept; we only add the rules an Odoo environment needs
(a host and a database) and make sure a password never reaches a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import quote

import psycopg
from psycopg.conninfo import conninfo_to_dict

from formwork.errors import InputError, first_line

_PASSWORD_IN_URI = re.compile(r"(://[^:/@]*:)([^@]*)(@)")
# `?password=`, `&sslpassword=` in a URI's query, `password=...` in a key=value conninfo string
_PASSWORD_PARAMETER = re.compile(r"(?i)((?:^|[?&\s])(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)")


def redact(uri: str) -> str:
    """The URI (or conninfo string) with any password replaced by `***`."""
    return _PASSWORD_PARAMETER.sub(r"\1***", _PASSWORD_IN_URI.sub(r"\1***\3", uri))


@dataclass(frozen=True)
class ConnectionSpec:
    host: str
    port: int
    dbname: str
    user: str | None = None
    password: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        """The redacted URI: a password never reaches a log line, a traceback or a flow parameter's repr."""
        return f"ConnectionSpec({redact(self.uri())!r})"

    def kwargs(self) -> dict[str, str | int]:
        """Keyword arguments for `psycopg.connect`; absent values fall back to PG* / .pgpass."""
        out: dict[str, str | int] = {"host": self.host, "port": self.port, "dbname": self.dbname}
        if self.user:
            out["user"] = self.user
        if self.password:
            out["password"] = self.password
        out.update(self.options)
        return out

    def on(self, dbname: str) -> ConnectionSpec:
        """The same server and credentials, another database (a refresh's side copy, `postgres`)."""
        return replace(self, dbname=dbname)

    def uri(self, *, with_password: bool = False, dbname: str | None = None) -> str:
        user = quote(self.user or "", safe="")
        if user and self.password:
            user += ":" + (quote(self.password, safe="") if with_password else "***")
        auth = f"{user}@" if user else ""
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in sorted(self.options.items()))
        return f"postgresql://{auth}{self.host}:{self.port}/{dbname or self.dbname}" + (f"?{query}" if query else "")


def connect_maintenance(spec: ConnectionSpec) -> psycopg.Connection:
    """Autocommit connection to the server's `postgres` database, for CREATE/DROP/RENAME DATABASE."""
    return psycopg.connect(**spec.on("postgres").kwargs(), autocommit=True)


def parse_dsn(uri: str, *, option: str = "--dsn") -> ConnectionSpec:
    """Parse a `postgresql://` URI; raise InputError naming the redacted value at fault."""
    shown = redact(uri)
    if not uri.startswith(("postgresql://", "postgres://")):
        raise InputError(f"{option} '{shown}': expected a postgresql:// URI")
    try:
        params = conninfo_to_dict(uri)
    except psycopg.ProgrammingError as exc:
        reason = first_line(exc, "malformed URI")
        raise InputError(f"{option} '{shown}': malformed URI ({redact(reason)})") from None
    host = params.pop("host", None)
    dbname = params.pop("dbname", None)
    if not host:
        raise InputError(f"{option} '{shown}': no host given")
    if "," in str(host):
        raise InputError(f"{option} '{shown}': one host expected, got several")
    if not dbname:
        raise InputError(f"{option} '{shown}': no database name given (postgresql://host:port/DBNAME)")
    port_text = str(params.pop("port", "5432"))
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InputError(f"{option} '{shown}': port '{port_text}' is not a number from 1 to 65535")
    user = params.pop("user", None)
    password = params.pop("password", None)
    return ConnectionSpec(
        host=str(host),
        port=int(port_text),
        dbname=str(dbname),
        user=str(user) if user else None,
        password=str(password) if password else None,
        options={k: str(v) for k, v in params.items()},
    )
