#!/usr/bin/env bash
# Captures what keepalived 2.2.7 puts on the wire as a VRRP master:
# adverts (VRRPv2 with a password, VRRPv3 over IPv4 and IPv6), gratuitous
# ARPs and unsolicited neighbour advertisements, and its priority-0
# advert on shutdown. Writes one `.hex` file per scenario beside this
# script: a comment line, then one frame per line (Ethernet onwards, hex).
#
# Everything runs in two network namespaces made here (kaccap-a runs
# keepalived, kaccap-b listens) joined by a veth pair, with documentation
# addresses only; both are deleted on exit. Needs root and keepalived.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    sleep 0.3
    ip netns del kaccap-a 2>/dev/null || true
    ip netns del kaccap-b 2>/dev/null || true
    if [ -n "${KEEP_LOGS:-}" ]; then cp "$tmp"/*.log "$KEEP_LOGS"/ || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add kaccap-a
ip netns add kaccap-b
ip link add kaccap-a0 netns kaccap-a type veth peer name kaccap-b0 netns kaccap-b
# Fixed MACs so the captures do not change from run to run.
ip -n kaccap-a link set kaccap-a0 address 02:00:00:00:0a:01
ip -n kaccap-b link set kaccap-b0 address 02:00:00:00:0b:01
ip -n kaccap-a addr add 192.0.2.1/24 dev kaccap-a0
ip -n kaccap-b addr add 192.0.2.2/24 dev kaccap-b0
ip -n kaccap-a addr add 2001:db8::1/64 dev kaccap-a0 nodad
ip -n kaccap-a link set kaccap-a0 addrgenmode none
ip -n kaccap-a addr add fe80::a1/64 dev kaccap-a0 nodad
ip -n kaccap-b addr add 2001:db8::2/64 dev kaccap-b0 nodad
for ns in a b; do
    ip -n kaccap-$ns link set lo up
    ip -n kaccap-$ns link set kaccap-${ns}0 up
done
sleep 1

# scenario NAME SECONDS CONFIG: run keepalived with CONFIG for SECONDS,
# capturing in kaccap-b, then stop it (SIGTERM: priority 0) and keep
# capturing one more second.
scenario() {
    local name=$1 secs=$2 conf=$tmp/$1.conf
    cat >"$conf"
    ip netns exec kaccap-b python3 - "$here/$name.hex" "$((secs + 2))" "$name" <<'PY' &
import socket, sys, time
out, secs, name = sys.argv[1], float(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("kaccap-b0", 0))
s.settimeout(0.2)
frames = []
end = time.time() + secs
while time.time() < end:
    try:
        data, addr = s.recvfrom(65535)
    except socket.timeout:
        continue
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    ethertype = data[12:14]
    # VRRP over IPv4 (protocol 112), ARP, and IPv6 (VRRP 112 or ICMPv6
    # neighbour advertisements, type 136).
    if ethertype == b"\x08\x06":
        frames.append(data)
    elif ethertype == b"\x08\x00" and data[23] == 112:
        frames.append(data)
    elif ethertype == b"\x86\xdd" and (data[20] == 112 or (data[20] == 58 and data[54] == 136)):
        frames.append(data)
with open(out, "w") as f:
    f.write(f"# {name}: frames from keepalived 2.2.7 (capture.sh)\n")
    for d in frames:
        f.write(d.hex() + "\n")
PY
    local cap=$!
    pids+=("$cap")
    sleep 0.5
    ip netns exec kaccap-a keepalived -n -l -D -P -f "$conf" \
        -p "$tmp/$name.pid" -r "$tmp/$name.vrrp.pid" -c "$tmp/$name.chk.pid" \
        >"$tmp/$name.log" 2>&1 &
    local ka=$!
    pids+=("$ka")
    sleep "$secs"
    kill -TERM "$ka"
    wait "$ka" || true
    wait "$cap"
    echo "$name: $(($(wc -l <"$here/$name.hex") - 1)) frames"
}

scenario v2-pass 7 <<'EOF2'
global_defs {
    router_id cap
    vrrp_garp_master_delay 1
    vrrp_garp_master_repeat 2
}
vrrp_instance V2 {
    state MASTER
    interface kaccap-a0
    virtual_router_id 51
    priority 200
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass k4c-pass
    }
    virtual_ipaddress {
        192.0.2.100/24
        192.0.2.101/24
    }
}
EOF2

scenario v3-ipv4 4 <<'EOF2'
global_defs {
    router_id cap
    vrrp_version 3
    vrrp_garp_master_delay 1
    vrrp_garp_master_repeat 1
}
vrrp_instance V3 {
    state MASTER
    interface kaccap-a0
    virtual_router_id 52
    priority 150
    advert_int 0.5
    virtual_ipaddress {
        192.0.2.110/24
    }
}
EOF2

scenario v3-ipv6 7 <<'EOF2'
global_defs {
    router_id cap
    vrrp_garp_master_delay 1
    vrrp_garp_master_repeat 1
}
vrrp_instance V6 {
    state MASTER
    interface kaccap-a0
    virtual_router_id 53
    priority 120
    advert_int 1
    virtual_ipaddress {
        2001:db8::100/64
        2001:db8::101/64
    }
}
EOF2
