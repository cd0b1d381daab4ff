#!/usr/bin/env bash
# Benchmark: `kac check FILE` against keepalived 2.2.7's `keepalived -t -f FILE`
# on generated configs of about 10k, 100k and 500k lines (100, 1000 and 5000
# vrrp_instance + virtual_server pairs, see gen_config.py).
#
# Measures wall time and peak RSS (GNU time's %M) of each program, several
# repetitions per size, and prints the medians as a markdown table, also
# written to bench-out/check.md.
#
# keepalived -t checks that every interface the config names exists, so it
# runs inside a throw-away network namespace (kacbench-<pid>-0) holding
# veth pairs named like the config's interfaces. The namespace has no link
# to the host and carries no traffic; it is deleted on exit.
#
# usage: benches/check-vs-keepalived.sh [--quick] [--reps N] [--units LIST]
#   --quick      only the 10k-line size, once (for CI)
#   --reps N     repetitions per size (default 5; median reported)
#   --units LIST comma-separated sizes in units (default 100,1000,5000)
#   --no-build   use the existing target/release/kac
# Needs root (ip netns), /usr/sbin/keepalived, /usr/bin/time, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KEEPALIVED=${KEEPALIVED:-/usr/sbin/keepalived}
REPS=5
UNITS="100,1000,5000"
BUILD=1

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) REPS=1; UNITS=100 ;;
        --no-build) BUILD=0 ;;
        --reps) REPS=$2; shift ;;
        --reps=*) REPS=${1#*=} ;;
        --units) UNITS=$2; shift ;;
        --units=*) UNITS=${1#*=} ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

die() { echo "check-vs-keepalived: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespace for keepalived -t)"
[ -x "$KEEPALIVED" ] || die "$KEEPALIVED not found (apt-get install keepalived)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
command -v ip >/dev/null || die "ip not found (apt-get install iproute2)"
command -v python3 >/dev/null || die "python3 not found"

NS="kacbench-$$-0"
WORK=$(mktemp -d /var/tmp/kacbench.XXXXXX)
cleanup() {
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$BUILD" = 1 ]; then
    echo "== building kac (release)" >&2
    (cd "$ROOT" && cargo build --release -q -p kac-compiler)
fi
KAC="$ROOT/target/release/kac"
[ -x "$KAC" ] || die "$KAC was not built"

# measure OUT CMD...: runs CMD with stdout/stderr to OUT.log and appends
# "wall_ms peak_rss_kb exit_code" to OUT. Wall time from the nanosecond
# clock around GNU time (whose %e has only 10 ms resolution).
cat >"$WORK/measure.sh" <<'EOF'
#!/usr/bin/env bash
out=$1; shift
t0=$(date +%s%N)
rc=0
/usr/bin/time -f '%e %M' -o "$out.time" "$@" >"$out.log" 2>&1 || rc=$?
t1=$(date +%s%N)
echo "$(( (t1 - t0) / 1000000 )) $(awk 'END { print $2 }' "$out.time") $rc" >>"$out"
EOF
chmod 755 "$WORK/measure.sh"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "n/a") }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
fmt_ms() { awk -v v="$1" 'BEGIN { if (v >= 1000) printf "%.2f s", v / 1000; else printf "%d ms", v }'; }
fmt_kb() { awk -v v="$1" 'BEGIN { if (v >= 1024) printf "%.1f MiB", v / 1024; else printf "%d KiB", v }'; }

# The namespace: loopback plus one veth pair per interface of the largest
# config (the smaller ones use a prefix of the same names).
max_units=$(tr ',' '\n' <<<"$UNITS" | sort -n | tail -1)
ip netns add "$NS"
ip -n "$NS" link set lo up
for ifc in $(python3 "$ROOT/benches/gen_config.py" --units "$max_units" --print-ifaces); do
    ip -n "$NS" link add "$ifc" type veth peer name "${ifc}p"
    ip -n "$NS" link set "$ifc" up
    ip -n "$NS" link set "${ifc}p" up
done

rows=()
notes=()
for units in ${UNITS//,/ }; do
    conf="$WORK/bench-$units.conf"
    python3 "$ROOT/benches/gen_config.py" --units "$units" -o "$conf"
    lines=$(wc -l <"$conf")
    echo "== $lines lines ($units units), $REPS run(s) each" >&2
    for ((r = 1; r <= REPS; r++)); do
        "$WORK/measure.sh" "$WORK/kac-$units" "$KAC" check "$conf"
        ip netns exec "$NS" "$WORK/measure.sh" "$WORK/ka-$units" "$KEEPALIVED" -t -f "$conf"
    done
    kac_ms=$(awk '{ print $1 }' "$WORK/kac-$units" | median)
    kac_kb=$(awk '{ print $2 }' "$WORK/kac-$units" | median)
    ka_ms=$(awk '{ print $1 }' "$WORK/ka-$units" | median)
    ka_kb=$(awk '{ print $2 }' "$WORK/ka-$units" | median)
    kac_rc=$(awk '{ print $3 }' "$WORK/kac-$units" | sort -u | paste -sd/)
    ka_rc=$(awk '{ print $3 }' "$WORK/ka-$units" | sort -u | paste -sd/)
    if [ "$kac_rc" != 0 ]; then
        errs=$(grep -c '^error' "$WORK/kac-$units.log" || true)
        notes+=("- $lines lines: \`kac check\` exited $kac_rc ($errs errors; first: $(grep -m1 '^error' "$WORK/kac-$units.log" || echo none))")
    fi
    if [ "$ka_rc" != 0 ]; then
        notes+=("- $lines lines: \`keepalived -t\` exited $ka_rc: $(head -c 300 "$WORK/ka-$units.log" | tr '\n' ' ')")
    fi
    rows+=("| $lines | $(fmt_ms "$kac_ms") | $(fmt_ms "$ka_ms") | $(ratio "$ka_ms" "$kac_ms")x | $(fmt_kb "$kac_kb") | $(fmt_kb "$ka_kb") | $(ratio "$ka_kb" "$kac_kb")x |")
done

mkdir -p "$ROOT/bench-out"
{
    echo "# kac check vs keepalived -t"
    echo
    echo "Generated by \`benches/check-vs-keepalived.sh\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs,"
    echo "$("$KEEPALIVED" --version 2>&1 | head -1), median of $REPS run(s)). Ratios are keepalived / kac."
    echo
    echo "| size (lines) | kac time | keepalived time | ratio | kac RSS | keepalived RSS | ratio |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    if [ ${#notes[@]} -gt 0 ]; then
        echo
        echo "Exit codes other than 0:"
        echo
        printf '%s\n' "${notes[@]}"
    fi
} | tee "$ROOT/bench-out/check.md"

# Both programs must accept the generated (valid) configs.
if [ ${#notes[@]} -gt 0 ]; then
    die "a program rejected a generated config (see the notes above)"
fi
