#!/usr/bin/env bash
# Find htpasswd (the tests' password-protected registry), installing it if we can.
exec "$(dirname "$0")/install-package.sh" htpasswd apache2-utils "the tests' password-protected registry"
