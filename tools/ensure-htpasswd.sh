#!/usr/bin/env bash
# Find htpasswd (the tests' password-protected registry); install the 'apache2-utils' package if we can.
set -euo pipefail

if command -v htpasswd >/dev/null 2>&1; then exit 0; fi

echo "htpasswd not found; installing the 'apache2-utils' package..." >&2
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
      echo "error: need root to install package 'apache2-utils' (apt-get install apache2-utils)" >&2; exit 1
    fi
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apache2-utils >/dev/null
else
  echo "error: install htpasswd ('apache2-utils' on Debian/Ubuntu)" >&2
  exit 1
fi
command -v htpasswd >/dev/null 2>&1 || { echo "error: package 'apache2-utils' installed but htpasswd still not found" >&2; exit 1; }
