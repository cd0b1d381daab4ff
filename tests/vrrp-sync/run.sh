#!/usr/bin/env bash
# Builds kacd for routers A and B of tests/vrrp-sync/keepalived.conf and
# runs sync.py: sync groups and tracked interfaces, kacd with kacd and
# with keepalived in both roles. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tests/lib/build-routers.sh "$PWD/tests/vrrp-sync/keepalived.conf" "$tmp" sync
python3 tests/vrrp-sync/sync.py "$tmp/kacd-A" "$tmp/kacd-B"
