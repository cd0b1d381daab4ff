#!/usr/bin/env bash
# Builds kac and runs the main job on the default site: check
# fixtures/default/keepalived.conf and print it as kac understood it.
# Usage: ./run.sh [CONFIG]   (default: fixtures/default/keepalived.conf)
set -euo pipefail
cd "$(dirname "$0")"
config="${1:-${KAC_CONFIG:-fixtures/default/keepalived.conf}}"
cargo build --release --quiet -p kac-compiler
echo "== kac check $config"
./target/release/kac check "$config"
echo "== kac dump $config"
./target/release/kac dump "$config"
