# Runs inside the VM (busybox sh, in /extra): the client's kernel tests,
# then real traffic through one NAT virtual service programmed by the pool.
# /usr/sbin/ip by path: busybox sh prefers its own `ip` applet.
IP=/usr/sbin/ip
fail=0
check() { # check DESCRIPTION COMMAND...
    d=$1; shift
    if "$@"; then echo "ok: $d"; else echo "FAILED: $d"; fail=1; fi
}

# The sync daemon wants an interface that does multicast.
$IP link add kacsync0 type veth peer name kacsync1
$IP link set kacsync0 up
$IP link set kacsync1 up

echo "== kernel tests"
check "ipvs_kernel tests" env KAC_SYNC_IF=kacsync0 \
    KAC_IPVSADM=/usr/sbin/ipvsadm ./ipvs_kernel --test-threads=1 --show-output

echo "== traffic: client -> 192.0.2.1:80 (NAT) -> two real servers"
ipvsadm -C
$IP netns add kc
$IP link add kc0 type veth peer name kc1
$IP link set kc1 netns kc
$IP addr add 198.51.100.1/24 dev kc0
$IP link set kc0 up
$IP netns exec kc $IP link set lo up
$IP netns exec kc $IP addr add 198.51.100.2/24 dev kc1
$IP netns exec kc $IP link set kc1 up
$IP netns exec kc $IP route add default via 198.51.100.1
$IP addr add 192.0.2.1/32 dev lo
echo 1 >/proc/sys/net/ipv4/ip_forward
for i in 1 2; do
    base=$(( (i - 1) * 16 ))
    $IP netns add kr$i
    $IP link add kr${i}a type veth peer name kr${i}b
    $IP link set kr${i}b netns kr$i
    $IP addr add 203.0.113.$((base + 1))/28 dev kr${i}a
    $IP link set kr${i}a up
    $IP netns exec kr$i $IP link set lo up
    $IP netns exec kr$i $IP addr add 203.0.113.$((base + 2))/28 dev kr${i}b
    $IP netns exec kr$i $IP link set kr${i}b up
    $IP netns exec kr$i $IP route add default via 203.0.113.$((base + 1))
    mkdir -p /tmp/www$i
    echo "real-server-$i" >/tmp/www$i/index.html
    $IP netns exec kr$i /bin/httpd -p 80 -h /tmp/www$i
done

# fetch N: N requests from the client; prints the answers sorted, counted.
fetch() {
    n=0
    while [ $n -lt $1 ]; do
        # (busybox-static's wget -T segfaults: timeout(1) bounds it.)
        $IP netns exec kc /bin/timeout 5 /bin/wget -q -O - \
            http://192.0.2.1/ 2>/dev/null || echo "no-answer"
        n=$((n + 1))
    done | sort | uniq -c | tr -s ' ' | sed 's/^ //' | tr '\n' ' '
}
program() {
    KAC_IPVS_STEP=$1 ./ipvs_kernel program_traffic_table --ignored --exact \
        --nocapture --test-threads=1 2>&1 | grep -E "applied|event|test result"
    ipvsadm -Ln
}

program up
got=$(fetch 4)
echo "answers: $got"
check "both real servers answer (rr)" [ "$got" = "2 real-server-1 2 real-server-2 " ]

program r1-down
check "ipvsadm: 203.0.113.2 removed" sh -c '! ipvsadm -Ln | grep -q 203.0.113.2:80'
got=$(fetch 4)
echo "answers: $got"
check "only real server 2 answers" [ "$got" = "4 real-server-2 " ]

program r1-inhibit
check "ipvsadm: 203.0.113.2 inhibited (weight 0)" \
    sh -c 'ipvsadm -Ln | grep -q "203.0.113.2:80 *Masq *0 "'
got=$(fetch 4)
echo "answers: $got"
check "an inhibited server gets no new connections" [ "$got" = "4 real-server-2 " ]

program up
check "ipvsadm: 203.0.113.2 back" sh -c 'ipvsadm -Ln | grep -q "203.0.113.2:80 *Masq *1"'
got=$(fetch 4)
echo "answers: $got"
check "both real servers answer again" [ "$got" = "2 real-server-1 2 real-server-2 " ]

exit $fail
