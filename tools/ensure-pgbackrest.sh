#!/usr/bin/env bash
# Find pgBackRest (WAL archiving, backups and point-in-time restores); install it if we can.
# nginx-light comes along: the tests put it, as a TLS proxy, in front of the moto S3 server for pgBackRest.
set -euo pipefail

PGBACKREST_BIN="${PGBACKREST_BIN:-$(command -v pgbackrest || echo /usr/bin/pgbackrest)}"

have_pgbackrest() {
  [ -x "$PGBACKREST_BIN" ] && { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }
}

if have_pgbackrest; then exit 0; fi

echo "pgbackrest or nginx not found; installing the 'pgbackrest' and 'nginx-light' packages..." >&2
"$(dirname "$0")/apt-install.sh" pgbackrest nginx-light
PGBACKREST_BIN="$(command -v pgbackrest || echo /usr/bin/pgbackrest)"
have_pgbackrest || { echo "error: package installed but pgbackrest still not found" >&2; exit 1; }
