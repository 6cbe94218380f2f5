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
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
      echo "error: need root to install packages 'pgbackrest nginx-light' (apt-get install pgbackrest nginx-light)" >&2; exit 1
    fi
  fi
  for attempt in 1 2 3 4 5 6; do  # another installer may hold the dpkg lock
    if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
       $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbackrest nginx-light >/dev/null; then break; fi
    sleep 10
  done
else
  echo "error: install pgBackRest ('pgbackrest' on Debian/Ubuntu)" >&2
  exit 1
fi
PGBACKREST_BIN="$(command -v pgbackrest || echo /usr/bin/pgbackrest)"
have_pgbackrest || { echo "error: package installed but pgbackrest still not found" >&2; exit 1; }
