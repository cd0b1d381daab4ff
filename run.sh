#!/usr/bin/env bash
# Builds and runs the default site (fixtures/default/keepalived.conf, or
# the config given as $1 / $KAC_CONFIG):
#   1. kac check: every mistake in the config, or none;
#   2. kac build: the site's static kacd in target/sites/NAME/kacd;
#   3. with root, a demo in throw-away network namespaces (documentation
#      addresses only): two routers run that kacd, a client pings the
#      virtual address every 10 ms; the master is killed (kill -9), the
#      other takes over; shows the takeover time and the client's lost
#      probes, then cleans up. Without root: prints what kacd would do
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

# The demo: two routers running this site's kacd and a client, on a
# bridge in throw-away namespaces (documentation addresses only).
p="kacrun$$"
tmp=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for n in sw r1 r2 client; do ip netns del "$p-$n" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
for n in sw r1 r2 client; do ip netns add "$p-$n"; done
ip -n "$p-sw" link add br0 type bridge
ip -n "$p-sw" link set br0 up
i=2
for n in r1 r2 client; do
    ip -n "$p-sw" link add "v$n" type veth peer name eth0 netns "$p-$n"
    ip -n "$p-sw" link set "v$n" master br0 up
    ip -n "$p-$n" addr add "192.0.2.$i/24" dev eth0
    ip -n "$p-$n" link set lo up
    ip -n "$p-$n" link set eth0 up
    i=$((i + 1))
done
vip=$(grep -oE '192\.0\.2\.[0-9]+' <<<"$("$kacd" --dump-config | sed -n '/virtual_ipaddress/,/}/p')" | head -1)
vip=${vip:-192.0.2.100}
has_vip() { ip -n "$p-$1" -br addr show dev eth0 | grep -q " $vip/"; }
master() { for r in r1 r2; do if has_vip "$r"; then echo "$r"; fi; done; }
for r in r1 r2; do
    # Started from a subshell, so that this shell does not report on it.
    (ip netns exec "$p-$r" "$kacd" -n -l --runtime-dir "$tmp/$r" \
        >"$tmp/$r.log" 2>&1 & echo $! >"$tmp/$r.pid")
    pids+=("$(cat "$tmp/$r.pid")")
done
echo "== two routers (r1 192.0.2.2, r2 192.0.2.3) run this kacd; waiting for a master of $vip"
for _ in $(seq 100); do [ -n "$(master)" ] && break; sleep 0.1; done
m=$(master)
if [ -z "$m" ]; then echo "no master elected; logs:"; cat "$tmp"/r*.log; exit 1; fi
other=r1; [ "$m" = r1 ] && other=r2
echo "-- master: $m ($(ip -n "$p-$m" -br addr show dev eth0))"
echo "== the client pings $vip every 10 ms; in 1 s $m dies (its cable is pulled)"
ip netns exec "$p-client" ping -n -q -i 0.01 -W 0.2 -w 7 "$vip" >"$tmp/ping" 2>&1 &
ping_pid=$!
sleep 1
ip -n "$p-sw" link set "v$m" down
t0=$(date +%s%N)
for _ in $(seq 1000); do has_vip "$other" && break; sleep 0.01; done
t1=$(date +%s%N)
echo "-- $other took over after $(( (t1 - t0) / 1000000 )) ms (protocol bound: 3 x advert_int + skew)"
wait "$ping_pid" || true
kill -9 "$(cat "$tmp/$m.pid")" 2>/dev/null || true
grep -E "packets transmitted" "$tmp/ping" | sed 's/^/-- client: /'
echo "-- $other's log:"
grep -E "Entering|Adding|Removing" "$tmp/$other.log" | sed 's/^/   /'
