#!/usr/bin/env bash
# Builds kacd for routers A (master) and B (backup) of
# tests/vrrp-invalid/keepalived.conf and runs invalid.py: an attacker
# sends every class of invalid VRRP packet for their VRIDs; no transition,
# no gap in the master's adverts, every drop counted. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
conf="$PWD/tests/vrrp-invalid/keepalived.conf"
for id in A B; do
    KAC_CONFIG="$conf" KAC_CONFIG_ID=$id KAC_SITE="invalid-$id" \
        cargo build -q -p kacd
    cp target/debug/kacd "$tmp/kacd-$id"
done
# Leave the default site built, as the other tests expect.
cargo build -q -p kacd
python3 tests/vrrp-invalid/invalid.py "$tmp/kacd-A" "$tmp/kacd-B"
