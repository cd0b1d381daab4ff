#!/usr/bin/env bash
# Builds kacd for routers A and B of tests/vrrp-unicast/keepalived.conf
# and runs unicast.py: unicast VRRP (v2 PASS, v3 IPv4, v3 IPv6) across a
# router, kacd with kacd and with keepalived in both roles: one master,
# failover on SIGTERM and kill -9. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tests/lib/build-routers.sh "$PWD/tests/vrrp-unicast/keepalived.conf" "$tmp" unicast
python3 tests/vrrp-unicast/unicast.py "$tmp/kacd-A" "$tmp/kacd-B"
