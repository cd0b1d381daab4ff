#!/usr/bin/env bash
# Builds kacd for routers A and B of tests/vrrp-interop/keepalived.conf
# (config ids A and B) and runs interop.py: kacd with kacd and with
# keepalived, in network namespaces it makes and removes, then flood.py.
# Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tests/lib/build-routers.sh "$PWD/tests/vrrp-interop/keepalived.conf" "$tmp" interop
python3 tests/vrrp-interop/interop.py "$tmp/kacd-A" "$tmp/kacd-B"
# The same routers under a flood of adverts for other virtual routers:
# kacd must not flap (keepalived's figures are printed beside it).
python3 tests/vrrp-interop/flood.py "$tmp/kacd-A" "$tmp/kacd-B" 10
