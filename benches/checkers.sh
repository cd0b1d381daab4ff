#!/bin/bash
# Checker benchmark on a real IPVS kernel (issue 6 item 6): kacd against
# Debian's keepalived (2.2.7, /usr/sbin/keepalived with its libraries), the
# same site for both: TCP real servers under TCP_CHECK and HTTP real servers
# under HTTP_GET, delay_loop 1, 100 real servers a NAT virtual server.
#
# usage: benches/checkers.sh [TCP [HTTP [WINDOW]]]   (default 10000 1000 20)
#
# Boots Debian's kernel under qemu TCG (tests/ipvs-vm/vm.sh, one vCPU) and
# runs benches/checkers-guest.sh there: real servers are one namespace with
# 250 addresses from 203.0.113.0/24 and 192.0.2.128/25, served on 50 (TCP)
# and 20 (HTTP) ports by benches/checkers-server/main.rs (static musl, one
# thread a port); the victim 203.0.113.250:7000 has its own server process.
# For each daemon: start, wait until every destination is in the IPVS
# table, then over WINDOW seconds CPU (utime+stime from /proc/PID/stat of
# all its processes), RSS (VmRSS, all processes), then kill the victim's
# server and time its removal from `ipvsadm -Ln` (check-to-IPVS latency),
# restart it and time its return. Prints a markdown table, also written to
# bench-out/checkers.md. Needs root, qemu-system-x86 busybox-static kmod
# ipvsadm iproute2 keepalived, the musl target. Takes about 10 minutes
# (the kacd build for an 11,000-real-server site is most of a cold run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tcp=${1:-10000}
http=${2:-1000}
window=${3:-20}
keepalived=${KEEPALIVED:-/usr/sbin/keepalived}
[ -x "$keepalived" ] || { echo "checkers.sh: $keepalived missing (apt-get install keepalived)" >&2; exit 2; }
t0=$SECONDS

work=$(mktemp -d /tmp/kac-checkers-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
extra=$work/extra
mkdir -p "$extra"
python3 "$root/benches/checkers-gen.py" "$tcp" "$http" >"$extra/bench.conf"
echo $((tcp + http)) >"$extra/n-total"
echo "$window" >"$extra/n-window"
# The victim is the last TCP real server: its virtual server's number.
echo "192.0.2.$(( (tcp + 99) / 100 ))" >"$extra/n-victim-vip"

rustc --edition 2021 --target x86_64-unknown-linux-musl -O \
    -o "$extra/checkers-server" "$root/benches/checkers-server/main.rs"
cd "$root"
if ! cargo run -q -p kac-compiler --bin kac -- build "$extra/bench.conf" \
    --out "$work/build" >"$work/build.log" 2>&1; then
    tail -40 "$work/build.log" >&2
    echo "checkers.sh: building kacd failed" >&2
    exit 1
fi
mv "$(find "$work/build" -name kacd -type f | head -1)" "$extra/kacd"
cp "$keepalived" "$extra/keepalived"
echo "== built in $((SECONDS - t0)) s; booting the VM"

t1=$SECONDS
set +e
"$root/tests/ipvs-vm/vm.sh" -t "${KAC_VM_TIMEOUT:-900}" -m 1024 "$extra" \
    "$root/benches/checkers-guest.sh" | tee "$work/console.log"
rc=${PIPESTATUS[0]}
set -e
echo "== VM ran $((SECONDS - t1)) s, total $((SECONDS - t0)) s; guest status $rc"

# RESULT NAME key=value ... -> a side-by-side markdown table.
tr -d '\r' <"$work/console.log" | grep '^RESULT ' >"$work/results" || true
[ -s "$work/results" ] || { echo "checkers.sh: no results" >&2; exit 1; }
mkdir -p "$root/bench-out"
python3 - "$work/results" "$tcp" "$http" "$window" <<'PY' | tee "$root/bench-out/checkers.md"
import sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    rows[f[1]] = dict(kv.split("=", 1) for kv in f[2:])
tcp, http, window = sys.argv[2:5]
names = [n for n in ("kacd", "keepalived") if n in rows]
def pct(v):
    return f"{int(v) / 10:.1f} %" if v.lstrip("-").isdigit() else v
def ms(v):
    return f"{v} ms" if v.isdigit() else v
lines = [
    ("CPU of one vCPU while checking", "cpu_permille", pct),
    ("RSS, all processes", "rss_kb", lambda v: f"{int(v) / 1024:.1f} MiB"),
    ("real servers up at the window's end", "up", str),
    ("check-to-IPVS: victim killed -> removed", "down_ms", ms),
    ("victim restarted -> back in IPVS", "back_ms", ms),
    ("start -> every destination in IPVS", "startup_ms", ms),
    ("real-server process CPU meanwhile", "server_permille", pct),
    ("whole VM busy meanwhile", "vm_busy_permille", pct),
]
print(f"{tcp} TCP_CHECK + {http} HTTP_GET real servers, delay_loop 1, "
      f"{window} s window, qemu TCG, 1 vCPU\n")
print("| | " + " | ".join(names) + " |")
print("|---|" + "---|" * len(names))
for label, key, fmt in lines:
    print(f"| {label} | " + " | ".join(fmt(rows[n].get(key, "?"))
                                      for n in names) + " |")
PY
exit "$rc"
