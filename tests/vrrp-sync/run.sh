#!/usr/bin/env bash
# Builds kacd for routers A and B of tests/vrrp-sync/keepalived.conf and
# runs sync.py: sync groups and tracked interfaces, kacd with kacd and
# with keepalived in both roles, and an upgrade (SIGHUP) to a config
# without one of the instances. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A's next version for the upgrade check: the same config without
# instance T.
sed '/^vrrp_instance T {/,/^}/d' tests/vrrp-sync/keepalived.conf >"$tmp/upgrade.conf"
KAC_CONFIG="$tmp/upgrade.conf" KAC_CONFIG_ID=A KAC_SITE=sync-A2 \
    cargo build -q -p kacd
cp target/debug/kacd "$tmp/kacd-A2"
tests/lib/build-routers.sh "$PWD/tests/vrrp-sync/keepalived.conf" "$tmp" sync
python3 tests/vrrp-sync/sync.py "$tmp/kacd-A" "$tmp/kacd-B" "$tmp/kacd-A2"
