# Runs inside the VM (busybox sh, in /extra; see benches/checkers.sh): the
# same site under kacd -C and then under keepalived -C, one after the other,
# against checkers-server real servers in namespace kb. Prints RESULT lines
# the host turns into a table. /usr/sbin/ip by path (busybox sh prefers its
# own applet).
IP=/usr/sbin/ip
TOTAL=$(cat n-total)
WINDOW=${WINDOW:-$(cat n-window)}
now_cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }
# wait_for SECONDS COMMAND...: polls every 0.2 s; prints the wait in ms.
wait_for() {
    lim=$(( $(now_cs) + $1 * 100 )); shift
    t=$(now_cs)
    while ! "$@" >/dev/null 2>&1; do
        [ "$(now_cs)" -gt "$lim" ] && { echo timeout; return 1; }
        sleep 0.2
    done
    echo $(( ($(now_cs) - t) * 10 ))
}
dests() { ipvsadm -Ln | grep -c Masq; }
all_up() { [ "$(dests)" -ge "$TOTAL" ]; }
VICTIM=203.0.113.250:7000
VVIP=$(cat n-victim-vip)
victim_in() { ipvsadm -Ln -t "$VVIP:80" | grep -q " $VICTIM "; }
victim_out() { ! victim_in; }
ticks() { # sum of utime+stime of the pids given, in clock ticks
    s=0
    for p in "$@"; do
        set -- $(cut -d' ' -f14,15 /proc/$p/stat 2>/dev/null)
        s=$(( s + ${1:-0} + ${2:-0} ))
    done
    echo $s
}
rss_kb() {
    s=0
    for p in "$@"; do
        r=$(awk '/^VmRSS:/ {print $2}' /proc/$p/status 2>/dev/null)
        s=$(( s + ${r:-0} ))
    done
    echo $s
}
busy() { # the VM's busy jiffies (all but idle and iowait) from /proc/stat
    set -- $(head -1 /proc/stat)
    echo $(( $2 + $3 + $4 + $7 + $8 + $9 ))
}

# A syslog daemon: without /dev/log, keepalived's syslog falls back to the
# serial console, which would throttle it. Both daemons log to it.
syslogd -O /dev/null

echo "== real servers: namespace kb, $TOTAL (address, port) pairs"
$IP netns add kb
$IP link add b0 type veth peer name b1
$IP link set b1 netns kb
$IP addr add 198.51.100.1/24 dev b0
$IP link set b0 up
$IP route add 203.0.113.0/24 via 198.51.100.2
$IP route add 192.0.2.128/25 via 198.51.100.2
$IP netns exec kb $IP link set lo up
$IP netns exec kb $IP addr add 198.51.100.2/24 dev b1
$IP netns exec kb $IP link set b1 up
$IP netns exec kb $IP route add default via 198.51.100.1
{
    i=1; while [ $i -le 200 ]; do echo "addr add 203.0.113.$i/32 dev lo"; i=$((i + 1)); done
    i=129; while [ $i -le 178 ]; do echo "addr add 192.0.2.$i/32 dev lo"; i=$((i + 1)); done
    echo "addr add 203.0.113.250/32 dev lo"
} >/tmp/addrs
$IP netns exec kb $IP -batch /tmp/addrs
# Plenty of short connections: reuse ports quickly, large backlog.
echo 4096 >/proc/sys/net/core/somaxconn
$IP netns exec kb sh -c 'echo 4096 >/proc/sys/net/core/somaxconn'
echo "1024 65000" >/proc/sys/net/ipv4/ip_local_port_range
echo 1 >/proc/sys/net/ipv4/tcp_tw_reuse
$IP netns exec kb ./checkers-server 0.0.0.0 8000 8049 &
spid1=$!
$IP netns exec kb ./checkers-server 0.0.0.0 9000 9019 &
spid2=$!
start_victim() {
    $IP netns exec kb ./checkers-server 203.0.113.250 7000 7000 &
    vpid=$!
}
start_victim
sleep 1

run_one() { # run_one NAME PROCESS-NAME COMMAND...
    name=$1 pname=$2; shift 2
    ipvsadm -C
    echo "== $name: $*"
    "$@" >/tmp/$name.log 2>&1 &
    main=$!
    t=$(now_cs)
    ms=$(wait_for 300 all_up)
    echo "$name: $(dests) of $TOTAL destinations after ${ms} ms"
    sleep 5
    pids=$(pidof "$pname")
    echo "$name: processes $pids"
    b0=$(busy); c0=$(ticks $pids); s0=$(ticks $spid1 $spid2)
    sleep "$WINDOW"
    b1=$(busy); c1=$(ticks $pids); s1=$(ticks $spid1 $spid2)
    rss=$(rss_kb $pids)
    up=$(dests)
    # Ticks are 1/100 s: ticks per second = percent of one CPU.
    cpu=$(( (c1 - c0) * 10 / WINDOW ))   # tenths of a percent
    srv=$(( (s1 - s0) * 10 / WINDOW ))
    vm=$(( (b1 - b0) * 10 / WINDOW ))
    kill "$vpid"
    down=$(wait_for 60 victim_out)
    start_victim
    back=$(wait_for 60 victim_in)
    echo "RESULT $name startup_ms=$ms cpu_permille=$cpu rss_kb=$rss up=$up/$TOTAL down_ms=$down back_ms=$back server_permille=$srv vm_busy_permille=$vm"
    kill -TERM $main
    t=$(now_cs)
    while [ -n "$(pidof "$pname")" ] && [ $(( $(now_cs) - t )) -lt 3000 ]; do
        sleep 0.2
    done
    wait $main
    echo "$name: stopped after $(( ($(now_cs) - t) * 10 )) ms"
    echo "$name: the first HTTP_GET messages of its log:"
    grep -i -m 5 'http' /tmp/$name.log | grep -v -i activating
    tail -5 /tmp/$name.log
}

mkdir -p /tmp/kacd-run
run_one kacd kacd ./kacd -n -l -C --runtime-dir /tmp/kacd-run
run_one keepalived keepalived ./keepalived -n -l -C -f ./bench.conf \
    -p /tmp/ka.pid -c /tmp/ka-check.pid
ipvsadm -C
exit 0
