#!/usr/bin/env bash
# install-package.sh PROGRAM PACKAGE WHAT: find PROGRAM, else install Debian's PACKAGE (WHAT says why it is needed).
set -euo pipefail
program=$1 package=$2 what=$3

if command -v "$program" >/dev/null 2>&1; then exit 0; fi

echo "$program ($what) not found; installing the '$package' package..." >&2
"$(dirname "$0")/apt-install.sh" "$package"
command -v "$program" >/dev/null 2>&1 || { echo "error: package '$package' installed but $program still not found" >&2; exit 1; }
