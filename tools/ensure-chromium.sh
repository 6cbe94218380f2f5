#!/usr/bin/env bash
# Debian's chromium for the browser test (Playwright drives /usr/bin/chromium; no `playwright install`
# download). Never fails `make install`: without it the browser test skips with a stated reason.
set -uo pipefail

CHROMIUM="${FORMWORK_CHROMIUM:-/usr/bin/chromium}"
warn() {
  echo "warning: $*; the browser approval test will be skipped" >&2
  exit 0
}

if [ -x "$CHROMIUM" ]; then exit 0; fi

echo "chromium not found at $CHROMIUM; installing the Debian package 'chromium'..." >&2
command -v apt-get >/dev/null 2>&1 || warn "no apt-get here: install chromium (or set FORMWORK_CHROMIUM to a Chromium binary)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    warn "need root to install package 'chromium' (apt-get install chromium)"
  fi
fi
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
last_line() { grep -v '^\s*$' "$LOG" | tail -n 1; }
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"
$APT update -qq >"$LOG" 2>&1 || warn "apt-get update failed: $(last_line)"
$APT install -y -qq chromium >"$LOG" 2>&1 || warn "apt-get install chromium failed: $(last_line)"
[ -x "$CHROMIUM" ] || warn "package installed but $CHROMIUM still not found"
