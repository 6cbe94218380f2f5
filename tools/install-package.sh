#!/usr/bin/env bash
# install-package.sh PROGRAM PACKAGE WHAT: find PROGRAM, else install Debian's PACKAGE if we can (WHAT says why).
set -euo pipefail
program=$1 package=$2 what=$3

if command -v "$program" >/dev/null 2>&1; then exit 0; fi

echo "$program ($what) not found; installing the '$package' package..." >&2
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
      echo "error: need root to install package '$package' (apt-get install $package)" >&2; exit 1
    fi
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
else
  echo "error: install $program ('$package' on Debian/Ubuntu)" >&2
  exit 1
fi
command -v "$program" >/dev/null 2>&1 || { echo "error: package '$package' installed but $program still not found" >&2; exit 1; }
