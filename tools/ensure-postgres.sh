#!/usr/bin/env bash
# Find PostgreSQL server binaries (initdb, pg_ctl, pg_dump); install them if we can.
set -euo pipefail

have_server() {
  [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ] && return 0
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

if have_server; then exit 0; fi

echo "PostgreSQL server binaries not found; installing the 'postgresql' package..." >&2
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
      echo "error: need root to install package 'postgresql' (apt-get install postgresql), or set PG_BINDIR" >&2; exit 1
    fi
  fi
  # Formwork starts its own clusters: don't let the package create and start a system one.
  $SUDO mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null
elif command -v dnf >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  dnf install -y -q postgresql-server postgresql-contrib
else
  echo "error: install the PostgreSQL server package ('postgresql' on Debian/Ubuntu, 'postgresql-server' on Fedora/RHEL) or set PG_BINDIR" >&2
  exit 1
fi
have_server || { echo "error: package installed but initdb still not found; set PG_BINDIR" >&2; exit 1; }
