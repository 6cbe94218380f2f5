#!/usr/bin/env bash
# Find skopeo (the registry client: image copies and manifest reads), installing it if we can.
exec "$(dirname "$0")/install-package.sh" skopeo skopeo "the registry client"
