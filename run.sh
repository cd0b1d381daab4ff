#!/usr/bin/env bash
# Builds and runs the default site (fixtures/default/keepalived.conf, or
# the config given as $1 / $KAC_CONFIG):
#   1. kac check: every mistake in the config, or none;
#   2. kac build: the site's static kacd in target/sites/NAME/kacd;
#   3. with root: runs that kacd for a few seconds in a throw-away network
#      namespace with an `eth0` (documentation addresses only), shows it
#      take over its virtual address, stops it (it resigns and removes the
#      address) and cleans up. Without root: prints what it would do
#      (kacd --plan).
set -euo pipefail
cd "$(dirname "$0")"
config="${1:-${KAC_CONFIG:-fixtures/default/keepalived.conf}}"
site=$(basename "$(dirname "$(realpath "$config")")")

cargo build --release --quiet -p kac-compiler
kac=./target/release/kac
echo "== kac check $config"
"$kac" check "$config"
target=x86_64-unknown-linux-musl
if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    target=x86_64-unknown-linux-gnu
    echo "(no musl target installed: building for $target; .ci/run installs it)"
fi
echo "== kac build $config (site $site, $target)"
"$kac" build "$config" --site "$site" --target "$target"
kacd="target/sites/$site/kacd"
"$kacd" --version

if [ "$(id -u)" != 0 ]; then
    echo "== kacd --plan (not root: not starting it)"
    "$kacd" --plan
    exit 0
fi

ns="kacrun-$$"
peer="kacrun-p$$"
tmp=$(mktemp -d)
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    ip netns del "$ns" 2>/dev/null || true
    ip netns del "$peer" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns"
ip netns add "$peer"
ip -n "$ns" link add eth0 type veth peer name eth0 netns "$peer"
ip -n "$ns" addr add 192.0.2.2/24 dev eth0
ip -n "$peer" addr add 192.0.2.3/24 dev eth0
for n in "$ns" "$peer"; do
    ip -n "$n" link set lo up
    ip -n "$n" link set eth0 up
done
echo "== kacd in namespace $ns (eth0 192.0.2.2/24), 5 s"
ip netns exec "$ns" "$kacd" -n -l --runtime-dir "$tmp/run" >"$tmp/log" 2>&1 &
pid=$!
sleep 5
echo "-- eth0 while kacd runs:"
ip -n "$ns" -br addr show dev eth0
kill -TERM "$pid"
wait "$pid" || true
pid=""
echo "-- eth0 after SIGTERM:"
ip -n "$ns" -br addr show dev eth0
echo "-- kacd's log:"
cat "$tmp/log"
