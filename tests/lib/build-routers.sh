#!/usr/bin/env bash
# usage: build-routers.sh CONFIG OUTDIR NAME
# Builds kacd for routers A and B of CONFIG (its `@A` / `@B` lines, as
# keepalived -i A / -i B reads them) into OUTDIR/kacd-A and OUTDIR/kacd-B
# (sites NAME-A, NAME-B), then rebuilds the default site, which the other
# tests expect in target/debug/kacd. Run from the repository root.
set -euo pipefail
conf=$1 out=$2 name=$3
for id in A B; do
    KAC_CONFIG="$conf" KAC_CONFIG_ID=$id KAC_SITE="$name-$id" \
        cargo build -q -p kacd
    cp target/debug/kacd "$out/kacd-$id"
done
cargo build -q -p kacd
