#!/usr/bin/env bash
# Builds kacd for nodes A and B of tests/dr-cluster/keepalived.conf and
# runs dr.py: the self-balancing DR pair's VRRP and notify half, kacd
# with kacd and with keepalived. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tests/lib/build-routers.sh "$PWD/tests/dr-cluster/keepalived.conf" "$tmp" dr
python3 tests/dr-cluster/dr.py "$tmp/kacd-A" "$tmp/kacd-B"
