#!/usr/bin/env bash
# Shared by tests/routes/run.sh (keepalived's side) and
# runtime/tests/netlink_routes.rs (kac's side), so both see the same
# namespace and compare the same text:
#   ns.sh setup NS   the veth pair v0/v1 (both up) and lo in namespace NS
#   ns.sh dump NS    the addresses of v0, the routes and the rules that are
#                    not the kernel's own, normalised (sorted addresses, no
#                    lifetimes, no link-local/kernel routes)
#   ns.sh vmac-setup NS   setup, plus 192.0.2.1/24 on v0 and
#                    all/rp_filter=1 (to see what a VMAC does to it)
#   ns.sh vmac-dump NS    the VMACs vrrp.51 and vrrp6.52 (link, addresses)
#                    and the sysctls of them, v0 and all
set -euo pipefail
cmd=$1 ns=$2
case $cmd in
setup)
    ip -n "$ns" link set lo up
    ip -n "$ns" link add v0 address 02:00:5e:10:00:01 type veth \
        peer name v1 address 02:00:5e:10:00:02
    ip -n "$ns" link set v0 up
    ip -n "$ns" link set v1 up
    ;;
dump)
    # A route is its first line and the indented nexthop lines after it;
    # routes the kernel made (proto kernel) and link-local/multicast
    # ones are left out.
    routes() {
        ip -n "$ns" "$1" -d route show table all | awk '
            /^[^ \t]/ { keep = ($0 !~ /proto kernel/ && $0 !~ /fe80::|ff00::/) }
            keep { sub(/ +$/, ""); gsub(/ expires [0-9]+sec/, " expires"); print }'
    }
    rules() {
        ip -n "$ns" "$1" rule show |
            { grep -Ev '^(0|32766|32767):[[:space:]]+from all lookup (local|main|default) *$' || true; } |
            sed 's/ *$//'
    }
    addrs() {
        ip -n "$ns" "$1" -o addr show dev v0 | { grep -v " fe80::" || true; } |
            sed -E 's/^[0-9]+: +v0 +//; s/\\.*$//; s/ +$//' | sort
    }
    echo "== addresses"; addrs -4; addrs -6
    echo "== routes";    routes -4
    echo "== routes6";   routes -6
    echo "== rules";     rules -4
    echo "== rules6";    rules -6
    ;;
vmac-setup)
    "$0" setup "$ns"
    ip -n "$ns" addr add 192.0.2.1/24 dev v0
    ip netns exec "$ns" sh -c 'echo 1 >/proc/sys/net/ipv4/conf/all/rp_filter'
    ;;
vmac-dump)
    for dev in vrrp.51 vrrp6.52; do
        echo "== link $dev"
        # Name, flags, MAC, kind and mode, address generation: not the
        # index, queues or offload sizes.
        ip -n "$ns" -d link show dev "$dev" 2>/dev/null |
            grep -oE '^[0-9]+: [^ ]+|<[^>]*>|link/ether [0-9a-f:]+|macvlan mode [a-z]+|addrgenmode [a-z0-9]+' |
            sed -E 's/^[0-9]+: //' || true
        echo "== addresses $dev"
        ip -n "$ns" -o addr show dev "$dev" 2>/dev/null |
            sed -E 's/^[0-9]+: +[^ ]+ +//; s/\\.*$//; s/ +$//' | sort || true
    done
    echo "== sysctls"
    ip netns exec "$ns" sh -c '
        for dev in all v0 vrrp.51 vrrp6.52; do
            for k in arp_ignore arp_filter accept_local promote_secondaries rp_filter; do
                f=/proc/sys/net/ipv4/conf/$dev/$k
                [ -f "$f" ] && echo "ipv4 $dev $k $(cat "$f")"
            done
            for k in disable_ipv6 addr_gen_mode; do
                f=/proc/sys/net/ipv6/conf/$dev/$k
                [ -f "$f" ] && echo "ipv6 $dev $k $(cat "$f")"
            done
        done; true'
    ;;
*) echo "usage: $0 setup|dump NS" >&2; exit 2 ;;
esac
