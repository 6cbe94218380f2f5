#!/usr/bin/env bash
# Find skopeo (the registry client (image copies and manifest reads)); install the 'skopeo' package if we can.
set -euo pipefail

if command -v skopeo >/dev/null 2>&1; then exit 0; fi

echo "skopeo not found; installing the 'skopeo' package..." >&2
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
      echo "error: need root to install package 'skopeo' (apt-get install skopeo)" >&2; exit 1
    fi
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq skopeo >/dev/null
else
  echo "error: install skopeo ('skopeo' on Debian/Ubuntu)" >&2
  exit 1
fi
command -v skopeo >/dev/null 2>&1 || { echo "error: package 'skopeo' installed but skopeo still not found" >&2; exit 1; }
