# Runs inside the VM (busybox sh, in /extra, which holds a static kacd
# built for kacd-site.conf): kacd's checkers (-C) program IPVS and follow
# the real servers' health; checked with ipvsadm and real traffic.
# /usr/sbin/ip by path: busybox sh prefers its own `ip` applet.
IP=/usr/sbin/ip
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAILED: $1"; fail=1; }
check() { # check DESCRIPTION COMMAND...
    d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
# Centiseconds since boot (busybox date has no %N).
now_cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }
# wait_for SECONDS COMMAND...: polls every 0.1 s; prints the wait in ms.
wait_for() {
    lim=$(( $(now_cs) + $1 * 100 )); shift
    t=$(now_cs)
    while ! "$@" >/dev/null 2>&1; do
        [ "$(now_cs)" -gt "$lim" ] && { echo timeout; return 1; }
        sleep 0.1
    done
    echo $(( ($(now_cs) - t) * 10 ))
}
# The table as sorted `ipvsadm -Sn` lines, one service or destination each.
table() { ipvsadm -Sn | sort; }
has() { ipvsadm -Sn | grep -q -- "$1"; }
hasnt() { ! ipvsadm -Sn | grep -q -- "$1"; }
same_table() { [ "$(table)" = "$(sort "$1")" ]; }
show_diff() { table >/tmp/got; sort "$1" >/tmp/want; diff /tmp/want /tmp/got; }

# MISC_CHECK runs its script as script_user root: the initramfs has no
# user database.
echo "root:x:0:0:root:/tmp:/bin/sh" >/etc/passwd
echo "root:x:0:" >/etc/group

echo "== network: client kc, real servers kr1 kr2, sorry server kr3"
$IP netns add kc
$IP link add kc0 type veth peer name kc1
$IP link set kc1 netns kc
$IP addr add 198.51.100.1/24 dev kc0
$IP link set kc0 up
$IP netns exec kc $IP link set lo up
$IP netns exec kc $IP addr add 198.51.100.2/24 dev kc1
$IP netns exec kc $IP link set kc1 up
$IP netns exec kc $IP route add default via 198.51.100.1
for a in 1 2 3 4 5 6; do $IP addr add 192.0.2.$a/32 dev lo; done
echo 1 >/proc/sys/net/ipv4/ip_forward
# DR answers come back through us from 192.0.2.4, one of our addresses.
echo 1 >/proc/sys/net/ipv4/conf/all/accept_local
start_httpd() { # start_httpd N: busybox httpd in the foreground, pid in /tmp
    $IP netns exec kr$1 /bin/httpd -f -p 80 -h /tmp/www$1 &
    echo $! >/tmp/httpd$1.pid
}
for i in 1 2 3; do
    base=$(( (i - 1) * 16 ))
    $IP netns add kr$i
    $IP link add kr${i}a type veth peer name kr${i}b
    $IP link set kr${i}b netns kr$i
    $IP addr add 203.0.113.$((base + 1))/28 dev kr${i}a
    $IP link set kr${i}a up
    echo 1 >/proc/sys/net/ipv4/conf/kr${i}a/accept_local
    $IP netns exec kr$i $IP link set lo up
    $IP netns exec kr$i $IP addr add 192.0.2.4/32 dev lo
    $IP netns exec kr$i $IP addr add 203.0.113.$((base + 2))/28 dev kr${i}b
    $IP netns exec kr$i $IP link set kr${i}b up
    $IP netns exec kr$i $IP route add default via 203.0.113.$((base + 1))
    mkdir -p /tmp/www$i
    echo "rs$i" >/tmp/www$i/index.html
    start_httpd $i
done
echo "sorry" >/tmp/www3/index.html
touch /tmp/r1-up

# fetch VIP N: N requests from the client; prints the answers counted.
fetch() {
    n=0
    while [ $n -lt $2 ]; do
        # (busybox-static's wget -T segfaults: timeout(1) bounds it.)
        $IP netns exec kc /bin/timeout 3 /bin/wget -q -O - \
            http://$1/index.html 2>/dev/null || echo "none"
        n=$((n + 1))
    done | sort | uniq -c | tr -s ' ' | sed 's/^ //' | tr '\n' ' ' |
        sed 's/ $//'
}
traffic() { # traffic VIP N EXPECTED
    got=$(fetch "$1" "$2")
    if [ "$got" = "$3" ]; then ok "traffic to $1: $got"
    else bad "traffic to $1: got '$got', want '$3'"; fi
}

echo "== a service added by hand, which kacd must leave alone"
ipvsadm -A -t 192.0.2.99:80 -s rr
ipvsadm -a -t 192.0.2.99:80 -r 203.0.113.2:80 -m -w 1

# The table kacd-site.conf asks for with every real server healthy.
cat >/tmp/all-up <<'T'
-A -t 192.0.2.99:80 -s rr
-a -t 192.0.2.99:80 -r 203.0.113.2:80 -m -w 1
-A -t 192.0.2.1:80 -s rr
-a -t 192.0.2.1:80 -r 203.0.113.2:80 -m -w 1
-a -t 192.0.2.1:80 -r 203.0.113.18:80 -m -w 1
-A -t 192.0.2.2:80 -s wrr
-a -t 192.0.2.2:80 -r 203.0.113.2:80 -m -w 3
-a -t 192.0.2.2:80 -r 203.0.113.18:80 -m -w 2
-A -t 192.0.2.3:80 -s rr
-a -t 192.0.2.3:80 -r 203.0.113.2:80 -m -w 1
-a -t 192.0.2.3:80 -r 203.0.113.18:80 -m -w 1
-A -t 192.0.2.4:80 -s rr
-a -t 192.0.2.4:80 -r 203.0.113.2:80 -g -w 1
-a -t 192.0.2.4:80 -r 203.0.113.18:80 -g -w 1
-A -t 192.0.2.5:80 -s rr
-a -t 192.0.2.5:80 -r 203.0.113.2:80 -m -w 1
-a -t 192.0.2.5:80 -r 203.0.113.18:80 -m -w 1
-A -t 192.0.2.6:80 -s rr
-a -t 192.0.2.6:80 -r 203.0.113.2:80 -m -w 1
-a -t 192.0.2.6:80 -r 203.0.113.18:80 -m -w 1
-A -f 7 -s rr
-a -f 7 -r 203.0.113.2:80 -m -w 1
-a -f 7 -r 203.0.113.18:80 -m -w 1
-A -f 9 -s wlc
-a -f 9 -r 203.0.113.18:0 -g -w 5
T
# With r1's httpd stopped: removed, inhibited (weight 0), quorum lost (the
# sorry server replaces the real servers), removed from DR; the group's r1
# follows its MISC_CHECK (marker file still there) and stays.
sed -e '/192.0.2.1:80 -r 203.0.113.2:/d' \
    -e 's/\(192.0.2.2:80 -r 203.0.113.2:80 -m -w\) 3/\1 0/' \
    -e '/192.0.2.3:80 -r /d' -e '/192.0.2.4:80 -r 203.0.113.2:/d' \
    /tmp/all-up >/tmp/r1-down
echo "-a -t 192.0.2.3:80 -r 203.0.113.34:80 -m -w 1" >>/tmp/r1-down
# Then the marker file gone too: r1 leaves the group's services.
sed -e '/192.0.2.[56]:80 -r 203.0.113.2:/d' -e '/-f 7 -r 203.0.113.2:/d' \
    /tmp/r1-down >/tmp/r1-misc-down

echo "== kacd --plan (checkers half)"
./kacd --plan -C --runtime-dir /tmp/kacd-plan >/tmp/plan.txt 2>&1
cat /tmp/plan.txt
check "--plan lists adding 192.0.2.1:80" grep -q -- '-A -t 192.0.2.1:80' /tmp/plan.txt
check "--plan lists the fwmark 9 real server" \
    grep -q -- '-a -f 9 -r 203.0.113.18' /tmp/plan.txt
check "--plan leaves the hand-made 192.0.2.99:80 alone" \
    sh -c '! grep -q 192.0.2.99 /tmp/plan.txt'
check "--plan changed nothing" [ "$(ipvsadm -Sn | grep -c -- '^-A')" = 1 ]

echo "== kacd -n -l -D -C"
# lvs_sync_daemon's interface (a sync daemon needs one that does
# multicast).
$IP link add kacsync0 type veth peer name kacsync1
$IP link set kacsync0 up
$IP link set kacsync1 up
mkdir -p /tmp/kacd-run
./kacd -n -l -D -C --runtime-dir /tmp/kacd-run >/tmp/kacd.log 2>&1 &
kpid=$!
ms=$(wait_for 20 same_table /tmp/all-up)
echo "table complete after ${ms} ms"
check "kacd programs the table the config asks for" same_table /tmp/all-up ||
    show_diff /tmp/all-up
check "lvs_timeouts set" sh -c 'ipvsadm -L --timeout | grep -q "901 121 301"'
check "lvs_sync_daemon: the backup daemon runs (no VRRP master here)" \
    sh -c 'ipvsadm -L --daemon | grep -q "backup sync daemon (mcast=kacsync0, syncid=5,"'
ipvsadm -L --timeout; ipvsadm -L --daemon
traffic 192.0.2.1 4 "2 rs1 2 rs2"
traffic 192.0.2.2 5 "3 rs1 2 rs2"
traffic 192.0.2.3 4 "2 rs1 2 rs2"
traffic 192.0.2.4 4 "2 rs1 2 rs2"
traffic 192.0.2.5 4 "2 rs1 2 rs2"
traffic 192.0.2.6 4 "2 rs1 2 rs2"

echo "== r1's httpd stopped"
kill "$(cat /tmp/httpd1.pid)"
echo "$(date +%T) r1 httpd killed"
t=$(now_cs)
ms=$(wait_for 15 hasnt '192.0.2.1:80 -r 203.0.113.2:')
echo "TIMING check-to-IPVS (TCP stop -> removed from 192.0.2.1:80): ${ms} ms"
[ "$ms" = timeout ] && bad "r1 removed from 192.0.2.1:80"
ms=$(wait_for 15 same_table /tmp/r1-down)
echo "table after r1 down complete $(( ($(now_cs) - t) * 10 )) ms after the kill"
check "r1 removed / inhibited / sorry server in" same_table /tmp/r1-down ||
    show_diff /tmp/r1-down
traffic 192.0.2.1 4 "4 rs2"
traffic 192.0.2.2 4 "4 rs2"
traffic 192.0.2.3 3 "3 sorry"
traffic 192.0.2.4 4 "4 rs2"

echo "== --plan while kacd runs (the start-up table vs now)"
./kacd --plan -C --runtime-dir /tmp/kacd-plan >/tmp/plan2.txt 2>&1
sed -n '/^IPVS/,$p' /tmp/plan2.txt
check "--plan lists putting r1 back into 192.0.2.1:80" \
    grep -q -- '-a -t 192.0.2.1:80 -r 203.0.113.2:80' /tmp/plan2.txt

echo "== MISC_CHECK: marker file removed"
rm /tmp/r1-up
echo "$(date +%T) r1 marker removed"
ms=$(wait_for 15 same_table /tmp/r1-misc-down)
echo "TIMING check-to-IPVS (MISC_CHECK fails -> removed): ${ms} ms"
check "r1 out of the group's services" same_table /tmp/r1-misc-down ||
    show_diff /tmp/r1-misc-down
traffic 192.0.2.5 4 "4 rs2"

echo "== r1 back (httpd and marker)"
start_httpd 1
echo "$(date +%T) r1 httpd started"
ms=$(wait_for 15 has '192.0.2.1:80 -r 203.0.113.2:')
echo "TIMING check-to-IPVS (TCP start -> back in 192.0.2.1:80): ${ms} ms"
touch /tmp/r1-up
ms=$(wait_for 15 same_table /tmp/all-up)
echo "TIMING check-to-IPVS (r1 back -> table complete): ${ms} ms"
check "r1 back everywhere, sorry server gone" same_table /tmp/all-up ||
    show_diff /tmp/all-up
traffic 192.0.2.1 4 "2 rs1 2 rs2"
traffic 192.0.2.3 4 "2 rs1 2 rs2"

echo "== SIGTERM"
kill -TERM $kpid
t=$(now_cs)
while kill -0 $kpid 2>/dev/null; do
    [ $(( $(now_cs) - t )) -gt 1000 ] && break
    sleep 0.1
done
check "kacd exited within 10 s" sh -c "! kill -0 $kpid 2>/dev/null"
wait $kpid
echo "kacd exit status $?, stopped after $(( ($(now_cs) - t) * 10 )) ms"
head -2 /tmp/all-up >/tmp/hand-only
check "kacd's services removed, the hand-made one kept" same_table /tmp/hand-only ||
    show_diff /tmp/hand-only
check "the sync daemon stopped with kacd" sh -c '[ -z "$(ipvsadm -L --daemon)" ]' 

echo "== kacd log (last 40 lines)"
tail -40 /tmp/kacd.log
for i in 1 2 3; do kill "$(cat /tmp/httpd$i.pid)" 2>/dev/null; done
exit $fail
