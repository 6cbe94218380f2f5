#!/usr/bin/env bash
# Find a container engine for the image build and the local Odoo containers (Podman with runc), and mmdebstrap,
# which builds the Debian base of real Odoo images; install them if we can.
# Never fails `make install`: without them the image tests skip with a stated reason (.ci/run makes that a failure
# wherever apt-get could have installed them).
set -uo pipefail

have_podman() {
  command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1 && command -v mmdebstrap >/dev/null 2>&1
}

warn() {
  echo "warning: $*; image build tests will be skipped" >&2
  exit 0
}

if have_podman; then exit 0; fi
if [ -n "${DOCKER_HOST:-}" ]; then exit 0; fi  # a Docker-compatible engine was named explicitly

echo "podman/runc/mmdebstrap not found; installing the 'podman', 'runc' and 'mmdebstrap' packages..." >&2
command -v apt-get >/dev/null 2>&1 || warn "no apt-get here: install podman and runc (or set DOCKER_HOST to a Docker-compatible engine)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    warn "need root to install packages 'podman runc' (apt-get install podman runc), or set DOCKER_HOST"
  fi
fi
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
last_line() { grep -v '^\s*$' "$LOG" | tail -n 1; }
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$LOG" 2>&1 \
  || warn "apt-get update failed: $(last_line)"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc mmdebstrap >"$LOG" 2>&1 \
  || warn "apt-get install podman runc mmdebstrap failed: $(last_line)"
have_podman || warn "packages installed but podman, runc or mmdebstrap still not found"
