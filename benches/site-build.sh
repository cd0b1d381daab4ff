#!/usr/bin/env bash
# Site build benchmark: what building and starting one site costs with kac,
# beside Debian's keepalived.
#   - rebuild time of a site with dependencies already built: touch the
#     config and `kac build` again; switch to a second site; no change
#   - size of the static kacd (stripped: kac build strips symbols) and of
#     /usr/sbin/keepalived plus the shared libraries it loads (ldd)
#   - time from exec to ready: READY=1 on a $NOTIFY_SOCKET this script
#     listens on, for kacd and for keepalived (2.2.7 from Debian speaks
#     sd_notify with --dont-fork), each run in a network namespace this
#     script creates, with documentation addresses only
# Prints a markdown table and writes it to bench-out/site-build.md.
#
# Needs root (network namespaces), python3, cargo and the musl target;
# keepalived for its column. Environment: RUNS (ready-time runs, default
# 20), KAC_BENCH_OUT (build output directory, default a temporary one).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-20}
[ "$(id -u)" = 0 ] || { echo "site-build.sh: needs root for network namespaces" >&2; exit 2; }

WORK=$(mktemp -d /tmp/kac-sitebench.XXXXXX)
OUT=${KAC_BENCH_OUT:-$WORK/sites}
NS_PREFIX=kacsb$$
cleanup() {
    local ns
    for ns in "$NS_PREFIX-kacd" "$NS_PREFIX-ka"; do
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

SITE_CONF=fixtures/default/keepalived.conf
EDGE_CONF=tests/packaging/sites/edge/keepalived.conf

# kac's own speed does not matter here (cargo's build of kacd does).
cargo build -q -p kac-compiler
KAC=${CARGO_TARGET_DIR:-$ROOT/target}/debug/kac

# seconds CMD...: runs CMD quietly, prints its wall time in seconds.
seconds() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >"$WORK/last.log" 2>&1 || { cat "$WORK/last.log" >&2; return 1; }
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}'
}

echo "== builds (a first build brings the dependencies up to date, untimed)"
"$KAC" build "$SITE_CONF" --out "$OUT" >/dev/null 2>"$WORK/first.log" \
    || { cat "$WORK/first.log"; exit 1; }
# The config's copy is touched, not the fixture in git.
mkdir -p "$WORK/default"
cp "$SITE_CONF" "$WORK/default/keepalived.conf"
"$KAC" build "$WORK/default/keepalived.conf" --out "$OUT" >/dev/null 2>&1
touch "$WORK/default/keepalived.conf"
t_touch=$(seconds "$KAC" build "$WORK/default/keepalived.conf" --out "$OUT")
echo "rebuild after touching the config: ${t_touch}s"
t_touch_deb=$(seconds bash -c "touch '$WORK/default/keepalived.conf' && '$KAC' build '$WORK/default/keepalived.conf' --deb --out '$OUT'")
echo "rebuild after touching the config, with --deb: ${t_touch_deb}s"
t_edge=$(seconds "$KAC" build "$EDGE_CONF" --out "$OUT")
echo "build of a second site: ${t_edge}s"
t_noop=$(seconds "$KAC" build "$EDGE_CONF" --out "$OUT")
echo "build with nothing changed: ${t_noop}s"

KACD=$OUT/edge/kacd
size_kacd=$(stat -c %s "$OUT/default/kacd")
size_edge=$(stat -c %s "$KACD")
deb_size=$(stat -c %s "$OUT"/default/kacd-default_*.deb)
file -b "$OUT/default/kacd" | grep -q 'statically linked' || { echo "kacd is not static" >&2; exit 1; }

ka_bin=/usr/sbin/keepalived
have_ka=0
if [ -x "$ka_bin" ]; then
    have_ka=1
    size_ka=$(stat -c %s "$ka_bin")
    # Each shared library once, by its real file.
    size_ka_libs=$(ldd "$ka_bin" | awk '/=>/ {print $3} /^[[:space:]]*\// {print $1}' \
        | xargs -r readlink -f | sort -u | xargs -r stat -c %s | awk '{s += $1} END {print s + 0}')
    n_ka_libs=$(ldd "$ka_bin" | awk '/=>/ && $3 ~ /^\// {n++} END {print n + 0}')
fi

# A namespace with an eth0 (one end of a veth pair) holding a
# documentation address, for the edge site's instance.
make_ns() {
    local ns=$1
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$ns" link add eth0 type veth peer name eth1
    ip -n "$ns" addr add 203.0.113.2/24 dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set eth1 up
}

# ready_times NS WAITFOR CMD...: RUNS exec-to-ready times in ms, one a
# line. WAITFOR is `notify` (READY=1 on $NOTIFY_SOCKET) or the path of a
# pid file whose appearance counts as ready.
ready_times() {
    local ns=$1 waitfor=$2; shift 2
    python3 - "$RUNS" "$WORK" "$waitfor" ip netns exec "$ns" "$@" <<'EOF'
import os, signal, socket, subprocess, sys, time
runs, work, waitfor, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
path = os.path.join(work, "notify.sock")
def wait_pidfile(t0):
    while time.monotonic() - t0 < 10:
        try:
            if os.path.getsize(waitfor) > 0:
                return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(0.0002)
    return None
for i in range(runs):
    if waitfor != "notify" and os.path.exists(waitfor):
        os.unlink(waitfor)
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(10)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    ready = None
    if waitfor != "notify":
        ready = wait_pidfile(t0)
    try:
        while ready is None:
            msg = s.recv(4096).decode(errors="replace")
            if "READY=1" in msg.split("\n"):
                ready = time.monotonic() - t0
    except socket.timeout:
        pass
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    s.close()
    if ready is None:
        sys.exit(f"no READY=1 within 10 s from {' '.join(cmd)}")
    print(f"{ready * 1000:.2f}")
    time.sleep(0.2)
EOF
}

median() { sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "== exec to ready, $RUNS runs each (edge site: VRRP only; this host has no IPVS)"
make_ns "$NS_PREFIX-kacd"
mkdir -p "$WORK/run-kacd"
ready_times "$NS_PREFIX-kacd" notify "$KACD" --dont-fork --runtime-dir "$WORK/run-kacd" \
    >"$WORK/ready-kacd"
ready_kacd=$(median <"$WORK/ready-kacd")
echo "kacd: median ${ready_kacd} ms to READY=1"
ready_times "$NS_PREFIX-kacd" "$WORK/run-kacd/keepalived.pid" "$KACD" --dont-fork \
    --runtime-dir "$WORK/run-kacd" >"$WORK/pid-kacd"
pid_kacd=$(median <"$WORK/pid-kacd")
echo "kacd: median ${pid_kacd} ms to its pid file"

ready_ka="n/a"
if [ "$have_ka" = 1 ]; then
    make_ns "$NS_PREFIX-ka"
    mkdir -p "$WORK/run-ka"
    # keepalived sends READY=1 only when its parent is systemd, so its
    # VRRP process's pid file (written once that process runs) stands in.
    ready_times "$NS_PREFIX-ka" "$WORK/run-ka/vrrp.pid" "$ka_bin" --dont-fork \
        -f "$ROOT/$EDGE_CONF" -p "$WORK/run-ka/keepalived.pid" \
        -r "$WORK/run-ka/vrrp.pid" -c "$WORK/run-ka/checkers.pid" >"$WORK/ready-ka"
    ready_ka=$(median <"$WORK/ready-ka")
    echo "keepalived: median ${ready_ka} ms to its VRRP pid file"
fi

kib() { awk -v b="$1" 'BEGIN {printf "%.0f KiB", b / 1024}'; }
mkdir -p bench-out
{
    echo "# Site build benchmark"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), kac build --target x86_64-unknown-linux-musl (release, fat LTO, symbols stripped)."
    echo
    echo "| | kac (kacd) | Debian keepalived $( [ "$have_ka" = 1 ] && keepalived --version 2>&1 | awk 'NR==1 {print $2}') |"
    echo "| --- | --- | --- |"
    echo "| rebuild after touching the site config | ${t_touch} s | (no build: reads the config at start) |"
    echo "| same, with --deb | ${t_touch_deb} s | |"
    echo "| build of a second site (dependencies built) | ${t_edge} s | |"
    echo "| build with nothing changed | ${t_noop} s | |"
    if [ "$have_ka" = 1 ]; then
        echo "| binary | $(kib "$size_kacd") static (default site), $(kib "$size_edge") (edge site) | $(kib "$size_ka") |"
        echo "| shared libraries loaded | none | $n_ka_libs, $(kib "$size_ka_libs") |"
        echo "| binary + libraries | $(kib "$size_kacd") | $(kib $((size_ka + size_ka_libs))) |"
    else
        echo "| binary | $(kib "$size_kacd") static | not installed |"
    fi
    echo "| .deb | $(kib "$deb_size") (kacd-default) | |"
    echo "| exec to READY=1, median of $RUNS (edge site, in a netns) | ${ready_kacd} ms | (sent only under systemd) |"
    echo "| exec to pid file, median of $RUNS (kacd: keepalived.pid; keepalived: vrrp.pid) | ${pid_kacd} ms | ${ready_ka} ms |"
    echo
    echo "Ready times include \`ip netns exec\` and process start; the daemon is stopped with SIGTERM after each run."
} | tee bench-out/site-build.md
