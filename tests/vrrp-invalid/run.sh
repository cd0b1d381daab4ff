#!/usr/bin/env bash
# Builds kacd for routers A (master) and B (backup) of
# tests/vrrp-invalid/keepalived.conf and runs invalid.py: an attacker
# sends every class of invalid VRRP packet for their VRIDs; no transition,
# no gap in the master's adverts, every drop counted. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tests/lib/build-routers.sh "$PWD/tests/vrrp-invalid/keepalived.conf" "$tmp" invalid
python3 tests/vrrp-invalid/invalid.py "$tmp/kacd-A" "$tmp/kacd-B"
