#!/usr/bin/env bash
# Runs every test of the repository, in order, and reports each step:
#   1. cargo fmt --all --check
#   2. cargo clippy --workspace --all-targets -- -D warnings
#   3. cargo test --workspace   (unit, snapshot, corpus, dump round-trip tests)
#   4. benches/check-vs-keepalived.sh --quick   (needs root and keepalived)
#      and tests/differential/mutate.py --quick: kac against keepalived -t
#      on mutated configs (needs root and keepalived)
#   5. tests/build-script/run.sh (the root build script's contract) and
#      tests/vrrp-interop/run.sh (kacd with kacd and with keepalived in
#      network namespaces: elections, failover, GARP/NA, upgrade without
#      failover, a flood), tests/vrrp-invalid/run.sh (every class of bad
#      packet: dropped, counted, no transition) and
#      tests/vrrp-unicast/run.sh (unicast across a router),
#      tests/vrrp-sync/run.sh (sync groups, tracked interfaces and
#      scripts, notify, polled links, an upgrade that drops an instance),
#      tests/dr-cluster/run.sh (the self-balancing DR pair's notify
#      scripts), tests/routes/run.sh (routes, rules, VMACs against
#      keepalived), tests/checkers/run.sh (checkers against nginx,
#      OpenSMTPD, dnsmasq), tests/ipvs-vm/run.sh (IPVS in a qemu VM
#      with Debian's kernel) and tests/ipvs-vm/kacd.sh (kacd's checkers
#      driving it); need root
#   6. tests/packaging/deb.sh: kac build --deb of the default site,
#      reproducibility, lintian, systemd-analyze security, install,
#      upgrade and purge in a Debian 12 root (debootstrap, cached in
#      /var/cache/kac-test), boot with systemd-nspawn (needs root, and the
#      Debian mirror or the cache); benches/site-build.sh: build and
#      start-up times and sizes beside keepalived (needs root)
#   7. a short run of each fuzz target (needs a nightly toolchain and
#      cargo-fuzz; installed with `cargo install --locked cargo-fuzz` if
#      missing, skipped with a message if there is no nightly)
# Every step runs even when an earlier one fails; the exit status is 1 if
# any step failed. Environment:
#   KAC_FUZZ_SECONDS   seconds per fuzz target (default 60, 0 skips fuzzing)
#   KAC_SKIP_BENCH=1   skip the benchmarks
#   KAC_SKIP_PACKAGING=1  skip the packaging test
set -euo pipefail
cd "$(dirname "$0")"

FUZZ_SECONDS=${KAC_FUZZ_SECONDS:-60}
failed=()
summary=()

# step NAME CMD...: runs CMD, records pass/fail and the time it took.
step() {
    local name=$1; shift
    local t0=$SECONDS rc=0
    echo
    echo "==== $name"
    "$@" || rc=$?
    local dt=$((SECONDS - t0))
    if [ "$rc" = 0 ]; then
        summary+=("ok    ${dt}s  $name")
    else
        summary+=("FAIL  ${dt}s  $name (exit $rc)")
        failed+=("$name")
    fi
}

skip() {
    echo
    echo "==== $1: skipped ($2)"
    summary+=("skip  0s  $1 ($2)")
}

have_nightly() {
    rustup toolchain list 2>/dev/null | grep -q '^nightly'
}

fuzz_smoke() {
    local rc=0 target
    for target in front_end lexer; do
        echo "-- fuzz $target for ${FUZZ_SECONDS}s"
        # Directories after the target are libFuzzer corpora: the first
        # (git-ignored) collects new inputs, the seeds are only read.
        (
            cd fuzz
            mkdir -p "corpus/$target"
            seeds=(seeds/common)
            if [ -d "seeds/$target" ]; then seeds+=("seeds/$target"); fi
            # Fork mode keeps going past timeouts and OOMs (a known open
            # hang, see compiler/tests/fuzz_regressions/open/) but stops at
            # the first crash, which fails this step.
            cargo +nightly fuzz run "$target" "corpus/$target" "${seeds[@]}" -- \
                -fork=1 -ignore_timeouts=1 -ignore_ooms=1 \
                -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
                -max_len=8192
        ) || rc=1
        local slow
        slow=$(find "fuzz/artifacts/$target" -name 'timeout-*' -o -name 'oom-*' 2>/dev/null | wc -l)
        if [ "$slow" -gt 0 ]; then
            echo "warning: fuzz/artifacts/$target holds $slow timeout/oom input(s)"
        fi
    done
    return $rc
}

step "cargo fmt --check" cargo fmt --all --check
step "cargo clippy" cargo clippy --workspace --all-targets -- -D warnings
step "cargo test" cargo test --workspace

if [ "${KAC_SKIP_BENCH:-0}" = 1 ]; then
    skip "benchmark (quick)" "KAC_SKIP_BENCH=1"
elif [ "$(id -u)" != 0 ]; then
    skip "benchmark (quick)" "needs root for a network namespace"
elif [ ! -x /usr/sbin/keepalived ]; then
    skip "benchmark (quick)" "keepalived is not installed"
else
    step "benchmark (quick)" benches/check-vs-keepalived.sh --quick
fi

if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/keepalived ]; then
    skip "differential test vs keepalived" "needs root and keepalived"
else
    step "differential test vs keepalived (quick)" \
        bash -c 'cargo build --release -q -p kac-compiler && python3 tests/differential/mutate.py --quick'
fi

step "build script contract (tests/build-script/run.sh)" tests/build-script/run.sh

if [ "$(id -u)" != 0 ]; then
    skip "VRRP interop in namespaces" "needs root for network namespaces"
else
    step "VRRP interop: kacd with kacd and keepalived (tests/vrrp-interop)" \
        tests/vrrp-interop/run.sh
    step "VRRP invalid packets: dropped, counted, no transition (tests/vrrp-invalid)" \
        tests/vrrp-invalid/run.sh
    step "VRRP unicast, routed: kacd with kacd and keepalived (tests/vrrp-unicast)" \
        tests/vrrp-unicast/run.sh
    step "VRRP sync groups and tracking: kacd with kacd and keepalived (tests/vrrp-sync)" \
        tests/vrrp-sync/run.sh
    step "self-balancing DR pair: VRRP and notify half (tests/dr-cluster)" \
        tests/dr-cluster/run.sh
    step "routes, rules, static addresses, VMACs: kac vs keepalived (tests/routes)" \
        tests/routes/run.sh
    step "checkers against real servers in namespaces (tests/checkers)" \
        tests/checkers/run.sh
    step "IPVS in a VM: Debian's kernel under qemu (tests/ipvs-vm)" \
        tests/ipvs-vm/run.sh
    step "kacd programs IPVS in the VM from its checkers (tests/ipvs-vm/kacd.sh)" \
        tests/ipvs-vm/kacd.sh
fi

# Whether debootstrap can reach the Debian mirror (or a root is cached).
debian_root_available() {
    ls /var/cache/kac-test/bookworm-minbase-*.tar.gz >/dev/null 2>&1 \
        || timeout 10 bash -c 'exec 3<>/dev/tcp/deb.debian.org/80' 2>/dev/null
}

if [ "${KAC_SKIP_PACKAGING:-0}" = 1 ]; then
    skip "packaging test" "KAC_SKIP_PACKAGING=1"
elif [ "$(id -u)" != 0 ]; then
    skip "packaging test" "needs root for dpkg in a Debian root"
elif ! cargo deb --version >/dev/null 2>&1; then
    skip "packaging test" "cargo-deb is not installed (cargo install --locked cargo-deb)"
elif ! debian_root_available; then
    skip "packaging test" "no cached Debian root and deb.debian.org is not reachable"
else
    step "packaging test (kac build --deb, lintian, dpkg, nspawn)" tests/packaging/deb.sh
fi

if [ "${KAC_SKIP_BENCH:-0}" = 1 ]; then
    skip "site build benchmark" "KAC_SKIP_BENCH=1"
elif [ "$(id -u)" != 0 ]; then
    skip "site build benchmark" "needs root for a network namespace"
else
    step "site build benchmark" benches/site-build.sh
fi

if [ "$FUZZ_SECONDS" = 0 ]; then
    skip "fuzz smoke" "KAC_FUZZ_SECONDS=0"
elif ! have_nightly; then
    skip "fuzz smoke" "no nightly toolchain (rustup toolchain install nightly)"
elif ! command -v cargo-fuzz >/dev/null \
    && ! { echo "installing cargo-fuzz"; cargo install --locked cargo-fuzz; }; then
    skip "fuzz smoke" "cargo-fuzz could not be installed"
else
    step "fuzz smoke (${FUZZ_SECONDS}s per target)" fuzz_smoke
fi

echo
echo "==== summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
echo "all tests passed"
