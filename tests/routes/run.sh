#!/usr/bin/env bash
# Routes, rules and static addresses: kac's netlink code against the real
# keepalived. keepalived (2.2.x) installs the static_* entries of
# tests/routes/keepalived.conf at start-up in a fresh namespace; their
# dump (tests/routes/ns.sh) is compared with the recorded one
# (tests/routes/keepalived.expected: a difference means keepalived or the
# kernel changed), then runtime/tests/netlink_routes.rs applies the same
# entries with kac's Commander in another fresh namespace and compares
# its dump with keepalived's, line for line. The same for VMACs
# (tests/routes/vmac.conf: keepalived masters with use_vmac; the links,
# their addresses and the sysctls, vmac*.expected) against
# runtime/tests/netlink_vmac.rs. Needs root.
#   KAC_ROUTES_RECORD=1  rewrite the *.expected files from this run
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/routes
ns=kacrt-$$-ka
ns2=kacrt-$$-vm
ns3=kacrt-$$-kd
tmp=$(mktemp -d)
kpid=
cleanup() {
    if [ -n "$kpid" ]; then kill "$kpid" 2>/dev/null; wait "$kpid" 2>/dev/null; fi
    if [ -n "${dpid:-}" ]; then kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null; fi
    ip netns del "$ns" 2>/dev/null || true
    ip netns del "$ns2" 2>/dev/null || true
    ip netns del "$ns3" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
# settle NS WHAT PATTERN...: `ns.sh WHAT NS` once it matches every
# PATTERN and has stayed the same for 0.3 s (10 s at most).
settle() {
    local prev= cur= same=0 ok p
    for _ in $(seq 100); do
        sleep 0.1
        cur=$($here/ns.sh "$2" "$1")
        ok=1
        for p in "${@:3}"; do grep -q "$p" <<<"$cur" || ok=0; done
        if [ "$cur" = "$prev" ] && [ $ok = 1 ]; then
            same=$((same + 1)); [ $same -ge 3 ] && break
        else
            same=0
        fi
        prev=$cur
    done
    printf '%s\n' "$cur"
}
ip netns add "$ns"
$here/ns.sh setup "$ns"
ip netns exec "$ns" keepalived -n -l -D --vrrp -f "$PWD/$here/keepalived.conf" \
    -p "$tmp/k.pid" -r "$tmp/v.pid" >"$tmp/keepalived.log" 2>&1 &
kpid=$!
# keepalived installs the static entries once its VRRP child is up:
# wait until the dump has the last rule and stays the same for 0.3 s.
settle "$ns" dump '^202:' >"$tmp/keepalived.txt"
kill "$kpid"; wait "$kpid" 2>/dev/null || true; kpid=
# keepalived removes what it installed when it stops.
$here/ns.sh dump "$ns" >"$tmp/after-stop.txt"
if [ "${KAC_ROUTES_RECORD:-}" = 1 ]; then
    cp "$tmp/keepalived.txt" $here/keepalived.expected
    cp "$tmp/after-stop.txt" $here/keepalived-stopped.expected
fi
diff -u $here/keepalived.expected "$tmp/keepalived.txt" || {
    echo "FAIL: keepalived's dump differs from the recorded one" >&2
    cat "$tmp/keepalived.log" >&2
    exit 1
}
diff -u $here/keepalived-stopped.expected "$tmp/after-stop.txt" || {
    echo "FAIL: keepalived left a different state at stop" >&2; exit 1; }
echo "keepalived: $(grep -c . "$tmp/keepalived.txt") lines as recorded"

ip netns add "$ns2"
$here/ns.sh vmac-setup "$ns2"
ip netns exec "$ns2" keepalived -n -l -D --vrrp -f "$PWD/$here/vmac.conf" \
    -p "$tmp/k2.pid" -r "$tmp/v2.pid" >"$tmp/keepalived-vmac.log" 2>&1 &
kpid=$!
# Both masters (3 adverts) with their addresses on the VMACs.
settle "$ns2" vmac-dump 'fe80::.* deprecated' 192.0.2.100/24 2001:db8::100/64 >"$tmp/vmac.txt"
kill "$kpid"; wait "$kpid" 2>/dev/null || true; kpid=
$here/ns.sh vmac-dump "$ns2" >"$tmp/vmac-stopped.txt"
if [ "${KAC_ROUTES_RECORD:-}" = 1 ]; then
    cp "$tmp/vmac.txt" $here/vmac.expected
    cp "$tmp/vmac-stopped.txt" $here/vmac-stopped.expected
fi
for f in vmac vmac-stopped; do
    diff -u $here/$f.expected "$tmp/$f.txt" || {
        echo "FAIL: keepalived's $f dump differs from the recorded one" >&2
        cat "$tmp/keepalived-vmac.log" >&2
        exit 1
    }
done
echo "keepalived VMACs: $(grep -c . "$tmp/vmac.txt") lines as recorded"

KAC_ROUTES_EXPECTED="$tmp/keepalived.txt" KAC_VMAC_EXPECTED="$tmp/vmac.txt" \
    KAC_VMAC_STOPPED="$tmp/vmac-stopped.txt" \
    cargo test -q -p kac-runtime --test netlink_routes --test netlink_vmac -- --nocapture

# kacd itself, built for the same config: after start-up its namespace
# holds exactly what keepalived's held, and after SIGTERM nothing of it
# (keepalived leaves the peer address behind; kacd removes it too).
KAC_CONFIG="$PWD/$here/keepalived.conf" KAC_SITE=routes cargo build -q -p kacd
cp target/debug/kacd "$tmp/kacd-routes"
cargo build -q -p kacd
ip netns add "$ns3"
$here/ns.sh setup "$ns3"
$here/ns.sh dump "$ns3" >"$tmp/kacd-before.txt"
ip netns exec "$ns3" "$tmp/kacd-routes" -n -l -D --runtime-dir "$tmp/kacd-run" \
    >"$tmp/kacd.log" 2>&1 &
dpid=$!
settle "$ns3" dump '^202:' >"$tmp/kacd.txt"
diff -u "$tmp/keepalived.txt" "$tmp/kacd.txt" || {
    echo "FAIL: kacd's static addresses, routes and rules differ from keepalived's" >&2
    cat "$tmp/kacd.log" >&2
    exit 1
}
kill "$dpid"; wait "$dpid" 2>/dev/null || true; dpid=
$here/ns.sh dump "$ns3" >"$tmp/kacd-after.txt"
diff -u "$tmp/kacd-before.txt" "$tmp/kacd-after.txt" || {
    echo "FAIL: kacd left static entries behind at stop" >&2
    cat "$tmp/kacd.log" >&2
    exit 1
}
echo "kacd: the same $(grep -c . "$tmp/kacd.txt") lines as keepalived; none left after stop"

# kacd with the VMAC config: the same links, addresses and sysctls as
# keepalived's; after SIGTERM everything as before (keepalived leaves
# v0's arp_ignore and arp_filter set; kacd puts them back).
KAC_CONFIG="$PWD/$here/vmac.conf" KAC_SITE=vmac cargo build -q -p kacd
cp target/debug/kacd "$tmp/kacd-vmac"
cargo build -q -p kacd
ns4=kacrt-$$-kv
ip netns add "$ns4"
trap 'cleanup; ip netns del "$ns4" 2>/dev/null || true' EXIT
$here/ns.sh vmac-setup "$ns4"
$here/ns.sh vmac-dump "$ns4" >"$tmp/kacd-vmac-before.txt"
ip netns exec "$ns4" "$tmp/kacd-vmac" -n -l -D --runtime-dir "$tmp/kacd-vrun" \
    >"$tmp/kacd-vmac.log" 2>&1 &
dpid=$!
settle "$ns4" vmac-dump 'fe80::.* deprecated' 192.0.2.100/24 2001:db8::100/64 >"$tmp/kacd-vmac.txt"
diff -u "$tmp/vmac.txt" "$tmp/kacd-vmac.txt" || {
    echo "FAIL: kacd's VMACs differ from keepalived's" >&2
    cat "$tmp/kacd-vmac.log" >&2
    exit 1
}
if grep -E "sending an advert|making VMAC|on VMAC" "$tmp/kacd-vmac.log"; then
    echo "FAIL: kacd could not advertise on its VMACs" >&2
    exit 1
fi
kill "$dpid"; wait "$dpid" 2>/dev/null || true; dpid=
$here/ns.sh vmac-dump "$ns4" >"$tmp/kacd-vmac-after.txt"
diff -u "$tmp/kacd-vmac-before.txt" "$tmp/kacd-vmac-after.txt" || {
    echo "FAIL: kacd did not put everything back after its VMACs" >&2
    cat "$tmp/kacd-vmac.log" >&2
    exit 1
}
echo "kacd VMACs: the same $(grep -c . "$tmp/kacd-vmac.txt") lines as keepalived; all restored after stop"
