#!/usr/bin/env bash
# Find the OCI distribution registry (Debian's docker-registry); install it if we can.
set -euo pipefail

REGISTRY_BIN="${REGISTRY_BIN:-/usr/bin/docker-registry}"

have_registry() {
  [ -x "$REGISTRY_BIN" ]
}

if have_registry; then exit 0; fi

echo "docker-registry not found; installing the 'docker-registry' package..." >&2
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
      echo "error: need root to install package 'docker-registry' (apt-get install docker-registry), or set REGISTRY_BIN" >&2; exit 1
    fi
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >/dev/null
else
  echo "error: install the OCI distribution registry ('docker-registry' on Debian/Ubuntu) or set REGISTRY_BIN" >&2
  exit 1
fi
have_registry || { echo "error: package installed but $REGISTRY_BIN still not found; set REGISTRY_BIN" >&2; exit 1; }
