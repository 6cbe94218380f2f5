#!/usr/bin/env bash
# apt-install.sh PACKAGE...: install Debian packages as root or through passwordless sudo, retried while another
# installer holds the dpkg lock. The ensure-*.sh scripts call it when what they look for is missing.
set -euo pipefail

command -v apt-get >/dev/null 2>&1 || { echo "error: no apt-get here: install $* with your system's package manager" >&2; exit 1; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "error: need root to install $* (apt-get install $*)" >&2; exit 1
  fi
fi
for attempt in 1 2 3 4 5 6; do
  if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
     $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; then exit 0; fi
  [ "$attempt" -eq 6 ] || sleep 10
done
echo "error: apt-get install $* failed" >&2
exit 1
