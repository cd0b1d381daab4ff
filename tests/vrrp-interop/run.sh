#!/usr/bin/env bash
# Builds kacd for routers A and B of tests/vrrp-interop/keepalived.conf
# (config ids A and B) and runs interop.py: kacd with kacd and with
# keepalived, in network namespaces it makes and removes, then flood.py.
# Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
conf="$PWD/tests/vrrp-interop/keepalived.conf"
for id in A B; do
    KAC_CONFIG="$conf" KAC_CONFIG_ID=$id KAC_SITE="interop-$id" \
        cargo build -q -p kacd
    cp target/debug/kacd "$tmp/kacd-$id"
done
# Leave the default site built, as the other tests expect.
cargo build -q -p kacd
python3 tests/vrrp-interop/interop.py "$tmp/kacd-A" "$tmp/kacd-B"
# The same routers under a flood of adverts for other virtual routers:
# kacd must not flap (keepalived's figures are printed beside it).
python3 tests/vrrp-interop/flood.py "$tmp/kacd-A" "$tmp/kacd-B" 10
