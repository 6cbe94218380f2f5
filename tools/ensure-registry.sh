#!/usr/bin/env bash
# Find the OCI distribution registry (Debian's docker-registry); install it if we can.
set -euo pipefail

REGISTRY_BIN="${REGISTRY_BIN:-/usr/bin/docker-registry}"

have_registry() {
  [ -x "$REGISTRY_BIN" ]
}

if have_registry; then exit 0; fi

echo "docker-registry not found; installing the 'docker-registry' package..." >&2
"$(dirname "$0")/apt-install.sh" docker-registry || { echo "error: docker-registry could not be installed: set REGISTRY_BIN to one you have" >&2; exit 1; }
have_registry || { echo "error: package installed but $REGISTRY_BIN still not found; set REGISTRY_BIN" >&2; exit 1; }
