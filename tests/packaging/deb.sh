#!/usr/bin/env bash
# The static binary and the Debian package of a site, tested with the real
# tools:
#   - `kac build fixtures/default/keepalived.conf --deb` builds; a second
#     build of the same config and commit gives byte-identical kacd (and
#     .deb); `file` says statically linked
#   - `kacd --dump-config` of the built binary equals `kac dump`
#   - lintian reports no errors (overrides carry a written reason)
#   - systemd-analyze security --offline=true scores kacd.service <= 2.5
#   - in a Debian 12 root made by debootstrap: dpkg -i installs and
#     enables, a rebuilt package with a higher version upgrades, another
#     site's package replaces it (Conflicts/Replaces), dpkg --purge leaves
#     no file of the package behind
#   - that root boots with systemd-nspawn -b and kacd.service is active
#
# Needs: cargo, cargo-deb, the musl target, file, lintian, systemd-analyze;
# for the Debian root: root, debootstrap and deb.debian.org (or the cached
# root in $KAC_TEST_CACHE, default /var/cache/kac-test); for the boot:
# systemd-nspawn. What is missing is skipped with a message, unless
# KAC_PACKAGING_STRICT=1 makes it a failure.
#
# Environment: KAC_TEST_CACHE (cache directory), KAC_NSPAWN=0 (no boot),
# KEEP=1 (keep the work directory for a look afterwards).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

CACHE=${KAC_TEST_CACHE:-/var/cache/kac-test}
MIRROR=${KAC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What the Debian root holds besides minbase: systemd to boot it, iproute2
# for the test network, dbus for systemctl.
INCLUDE=systemd,systemd-sysv,dbus,iproute2
TARBALL=$CACHE/bookworm-minbase-$(echo "$INCLUDE" | sha256sum | cut -c1-8).tar.gz
MAX_EXPOSURE=2.5

WORK=$(mktemp -d /tmp/kac-pkgtest.XXXXXX)
NSPAWN_PID=""
cleanup() {
    local rc=$?
    if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
        kill "$NSPAWN_PID" 2>/dev/null || true
        wait "$NSPAWN_PID" 2>/dev/null || true
    fi
    if [ "${KEEP:-0}" = 1 ]; then
        echo "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
skip() {
    if [ "${KAC_PACKAGING_STRICT:-0}" = 1 ]; then fail "$* (KAC_PACKAGING_STRICT=1)"; fi
    echo "SKIP: $*"
}

# ---- kac itself
echo "== building kac"
cargo build -q -p kac-compiler
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
KAC=$TARGET_DIR/debug/kac
[ -x "$KAC" ] || fail "no kac at $KAC"

SITE_CONF=fixtures/default/keepalived.conf
EDGE_CONF=tests/packaging/sites/edge/keepalived.conf

# ---- two builds of one site
echo "== kac build $SITE_CONF --deb (twice, into different --out dirs)"
"$KAC" build "$SITE_CONF" --deb --out "$WORK/a"
"$KAC" build "$SITE_CONF" --deb --out "$WORK/b"
BIN=$WORK/a/default/kacd
DEB=$(ls "$WORK"/a/default/kacd-default_*_amd64.deb)
[ -f "$DEB" ] || fail "no kacd-default .deb in $WORK/a/default"
sha_a=$(sha256sum <"$BIN" | cut -d' ' -f1)
sha_b=$(sha256sum <"$WORK/b/default/kacd" | cut -d' ' -f1)
[ "$sha_a" = "$sha_b" ] || fail "two builds differ: kacd $sha_a vs $sha_b"
ok "reproducible: kacd sha256 $sha_a in both builds"
deb_a=$(sha256sum <"$DEB" | cut -d' ' -f1)
deb_b=$(sha256sum <"$WORK"/b/default/kacd-default_*_amd64.deb | cut -d' ' -f1)
[ "$deb_a" = "$deb_b" ] || fail "two builds differ: .deb $deb_a vs $deb_b"
ok "reproducible: .deb sha256 $deb_a in both builds"

# ---- the binary
desc=$(file -b "$BIN")
echo "file: $desc"
case "$desc" in
    *"statically linked"*) ok "kacd is statically linked" ;;
    *) fail "kacd is not statically linked: $desc" ;;
esac
"$BIN" --version | tee "$WORK/version"
grep -q "default" "$WORK/version" || fail "kacd --version names no site"
"$BIN" --dump-config >"$WORK/dump-kacd" || fail "kacd --dump-config failed"
"$KAC" dump "$SITE_CONF" >"$WORK/dump-kac"
diff -u "$WORK/dump-kac" "$WORK/dump-kacd" || fail "kacd --dump-config differs from kac dump"
ok "kacd --dump-config equals kac dump"

# ---- the package's contents
dpkg-deb -c "$DEB" | awk '{print $6}' | sort >"$WORK/contents"
for f in ./usr/sbin/kacd ./usr/lib/systemd/system/kacd.service \
    ./usr/share/man/man1/kac.1.gz ./usr/share/man/man8/kacd.8.gz \
    ./usr/share/lintian/overrides/kacd-default \
    ./usr/share/doc/kacd-default/copyright; do
    grep -qx "$f" "$WORK/contents" || fail "$f missing from $(basename "$DEB")"
done
dpkg-deb -f "$DEB" Package Conflicts Replaces | tee "$WORK/control"
grep -q "^Package: kacd-default$" "$WORK/control" || fail "package name"
grep -q "^Conflicts:.*keepalived" "$WORK/control" || fail "no Conflicts: keepalived"
grep -q "^Replaces:.*keepalived" "$WORK/control" || fail "no Replaces: keepalived"
# The packaged binary is the one kac build wrote beside it.
dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./usr/sbin/kacd | cmp - "$BIN" \
    || fail "usr/sbin/kacd in the package is not $BIN"
for page in man1/kac.1.gz man8/kacd.8.gz; do
    dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - "./usr/share/man/$page" \
        | zcat | grep -q '^\.TH' || fail "$page is no man page"
done
ok "contents: binary, unit, kac(1), kacd(8), overrides, copyright"

# ---- lintian: no errors; every override has a reason
for f in appliance/pkg/lintian-overrides; do
    awk '!/^#/ && NF && prev !~ /^#/ {bad=1; print FILENAME ": override without a reason: " $0}
         {prev=$0} END {exit bad}' "$f" || fail "lintian override without a comment"
done
if command -v lintian >/dev/null; then
    echo "== lintian"
    # lintian warns that it runs as root; that is not about the package.
    lintian --display-level '>=info' --fail-on error "$DEB" 2>&1 \
        | { grep -v 'running with root privileges' || true; } | tee "$WORK/lintian" \
        || fail "lintian reports errors"
    if grep -q '^E:' "$WORK/lintian"; then fail "lintian reports errors"; fi
    ok "lintian: no errors"
else
    skip "lintian is not installed"
fi

# ---- the unit's sandbox
if command -v systemd-analyze >/dev/null; then
    out=$(systemd-analyze security --offline=true --no-pager appliance/pkg/kacd.service 2>&1)
    score=$(sed -n 's/.*Overall exposure level for kacd.service: \([0-9.]*\).*/\1/p' <<<"$out")
    [ -n "$score" ] || { echo "$out"; fail "no exposure level in systemd-analyze's output"; }
    awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN {exit !(s <= m)}' \
        || { echo "$out"; fail "kacd.service exposure $score > $MAX_EXPOSURE"; }
    ok "systemd-analyze security: kacd.service exposure $score (<= $MAX_EXPOSURE)"
else
    skip "systemd-analyze is not installed"
fi

# ---- the Debian root
if [ "$(id -u)" != 0 ]; then
    skip "install/upgrade/purge in a Debian root: needs root"
    exit 0
fi

debian_root() {
    local dir=$1
    mkdir -p "$dir"
    if [ -f "$TARBALL" ]; then
        echo "== Debian 12 root from the cache $TARBALL"
        tar -xzf "$TARBALL" -C "$dir"
        return 0
    fi
    command -v debootstrap >/dev/null || { skip "no cached root and no debootstrap"; return 1; }
    echo "== debootstrap --variant=minbase --include=$INCLUDE bookworm (not cached yet)"
    if ! debootstrap --variant=minbase --include="$INCLUDE" bookworm "$dir" "$MIRROR" \
        >"$WORK/debootstrap.log" 2>&1; then
        tail -20 "$WORK/debootstrap.log"
        if grep -qi 'Failed getting release file\|Couldn.t download\|resolve' "$WORK/debootstrap.log"; then
            skip "no cached root and $MIRROR is not reachable"
            return 1
        fi
        fail "debootstrap failed"
    fi
    mkdir -p "$CACHE"
    tar -czf "$TARBALL.tmp" -C "$dir" . && mv "$TARBALL.tmp" "$TARBALL"
    echo "cached the root in $TARBALL ($(du -h "$TARBALL" | cut -f1))"
}

R=$WORK/root
debian_root "$R" || exit 0
in_root() { chroot "$R" "$@"; }

# Everything of the package, found by name, outside dpkg's own records.
leftovers() {
    find "$R" \( -path "$R/proc" -o -path "$R/sys" -o -path "$R/dev" \
        -o -path "$R/var/log" -o -path "$R/var/lib/dpkg" \) -prune \
        -o -iname '*kacd*' -print
}
[ -z "$(leftovers)" ] || fail "the fresh root already holds kacd files"

echo "== dpkg -i $(basename "$DEB")"
cp "$DEB" "$R/tmp/"
in_root dpkg -i "/tmp/$(basename "$DEB")"
[ "$(in_root dpkg-query -W -f='${Status}' kacd-default)" = "install ok installed" ] \
    || fail "kacd-default is not installed"
in_root /usr/sbin/kacd --version | grep -q default || fail "installed kacd does not run"
[ -L "$R/etc/systemd/system/multi-user.target.wants/kacd.service" ] \
    || fail "kacd.service is not enabled after install"
ok "installed and enabled"
in_root dpkg -L kacd-default >"$WORK/files"

# The installed unit (with any site drop-ins) keeps its score.
if command -v systemd-analyze >/dev/null; then
    score=$(systemd-analyze security --offline=true --root="$R" --no-pager kacd.service 2>&1 \
        | sed -n 's/.*Overall exposure level for kacd.service: \([0-9.]*\).*/\1/p')
    [ -n "$score" ] && awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN {exit !(s <= m)}' \
        || fail "installed kacd.service exposure '${score}' > $MAX_EXPOSURE"
    ok "installed kacd.service exposure $score"
fi

echo "== upgrade to a rebuilt package with a higher version"
"$KAC" build "$SITE_CONF" --deb --deb-version 0.1.0-2 --out "$WORK/c" >/dev/null
DEB2=$(ls "$WORK"/c/default/kacd-default_0.1.0-2_amd64.deb)
cp "$DEB2" "$R/tmp/"
in_root dpkg -i "/tmp/$(basename "$DEB2")"
[ "$(in_root dpkg-query -W -f='${Version}' kacd-default)" = 0.1.0-2 ] || fail "no upgrade to 0.1.0-2"
[ -L "$R/etc/systemd/system/multi-user.target.wants/kacd.service" ] \
    || fail "kacd.service is not enabled after the upgrade"
ok "upgraded to 0.1.0-2, still enabled"

# ---- boot the root: kacd.service starts and stays up
boot_check() {
    if [ "${KAC_NSPAWN:-1}" = 0 ]; then skip "boot with systemd-nspawn: KAC_NSPAWN=0"; return 0; fi
    command -v systemd-nspawn >/dev/null || { skip "boot: systemd-nspawn is not installed (apt install systemd-container)"; return 0; }
    echo "== boot the root with systemd-nspawn -b --private-network"
    # The fixture's interface: a dummy eth0 made before kacd starts. A
    # probe records kacd's state a few seconds after it started (long
    # enough for a Type=notify start and a first watchdog), then powers
    # off.
    cat >"$R/etc/systemd/system/kac-test-net.service" <<'EOF'
[Unit]
Description=kac packaging test: the fixture's eth0
Before=kacd.service
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/ip link add eth0 type dummy
ExecStart=/usr/sbin/ip addr add 192.0.2.1/24 dev eth0
ExecStart=/usr/sbin/ip link set eth0 up
[Install]
WantedBy=multi-user.target
EOF
    cat >"$R/etc/systemd/system/kac-test-probe.service" <<'EOF'
[Unit]
Description=kac packaging test: record kacd's state, then power off
After=kacd.service
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'sleep 12; systemctl is-active kacd >/kac-probe 2>&1; systemctl show -p ActiveState,SubState,Result,NRestarts,ExecMainStatus kacd >>/kac-probe; journalctl -b -u kacd --no-pager >/kac-probe.journal 2>&1; systemctl poweroff'
[Install]
WantedBy=multi-user.target
EOF
    in_root systemctl enable kac-test-net.service kac-test-probe.service >/dev/null 2>&1
    rm -f "$R/kac-probe"
    timeout 180 systemd-nspawn --quiet --register=no --keep-unit --private-network \
        -D "$R" -b >"$WORK/boot.log" 2>&1 </dev/null &
    NSPAWN_PID=$!
    wait "$NSPAWN_PID" || true
    NSPAWN_PID=""
    in_root systemctl disable kac-test-net.service kac-test-probe.service >/dev/null 2>&1
    rm -f "$R"/etc/systemd/system/kac-test-*.service
    if [ ! -f "$R/kac-probe" ]; then
        tail -30 "$WORK/boot.log"
        fail "the booted root recorded no kacd state"
    fi
    cat "$R/kac-probe"
    if [ "$(head -1 "$R/kac-probe")" != active ]; then
        cat "$R/kac-probe.journal"
        rm -f "$R"/kac-probe*
        fail "kacd.service is not active after boot"
    fi
    echo "kacd's journal in the booted root (last lines):"
    tail -8 "$R/kac-probe.journal"
    rm -f "$R"/kac-probe*
    ok "booted: kacd.service active"
}
boot_check

echo "== another site's package replaces this one"
"$KAC" build "$EDGE_CONF" --deb --out "$WORK/e" >/dev/null
DEB3=$(ls "$WORK"/e/edge/kacd-edge_*_amd64.deb)
cp "$DEB3" "$R/tmp/"
# Every site package provides and conflicts with kacd-site. dpkg alone
# refuses the second site (it honours Replaces of real packages only);
# apt removes the first site and installs the second.
if in_root dpkg -i "/tmp/$(basename "$DEB3")" >"$WORK/dpkg-conflict.log" 2>&1; then
    fail "dpkg installed kacd-edge beside kacd-default"
fi
grep -q "conflicting packages" "$WORK/dpkg-conflict.log" || { cat "$WORK/dpkg-conflict.log"; fail "dpkg -i kacd-edge failed for another reason"; }
ok "dpkg -i refuses a second site beside the first (Conflicts: kacd-site)"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    "/tmp/$(basename "$DEB3")"
[ "$(in_root dpkg-query -W -f='${Status}' kacd-edge)" = "install ok installed" ] || fail "kacd-edge not installed"
status=$(in_root dpkg-query -W -f='${Status}' kacd-default 2>/dev/null || true)
case "$status" in
    "" | *not-installed* | *config-files*) ok "kacd-edge replaced kacd-default ($status)" ;;
    *) fail "kacd-default is still '$status' beside kacd-edge" ;;
esac
in_root /usr/sbin/kacd --version | grep -q edge || fail "/usr/sbin/kacd is not the edge site's"
[ -L "$R/etc/systemd/system/multi-user.target.wants/kacd.service" ] \
    || fail "kacd.service is not enabled after the site change"
# Purging the replaced site must leave the new site's unit alone.
in_root dpkg -L kacd-default >>"$WORK/files" 2>/dev/null || true
in_root dpkg --purge kacd-default
[ -L "$R/etc/systemd/system/multi-user.target.wants/kacd.service" ] \
    || fail "purging kacd-default disabled kacd-edge's kacd.service"
[ -e "$R/usr/sbin/kacd" ] || fail "purging kacd-default removed kacd-edge's binary"
ok "purging the replaced site leaves the new site enabled"

echo "== dpkg --purge"
in_root dpkg -L kacd-edge >>"$WORK/files"
in_root dpkg --purge kacd-edge
for p in kacd-edge kacd-default; do
    status=$(in_root dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in "" | *not-installed*) ;; *) fail "$p is '$status' after purge" ;; esac
done
rm -f "$R"/tmp/kacd-*.deb
sort -u "$WORK/files" | while read -r f; do
    # Directories the package shares with the system stay; its files go.
    if [ -e "$R$f" ] && [ ! -d "$R$f" ]; then fail "left after purge: $f"; fi
done
left=$(leftovers)
[ -z "$left" ] || fail "left after purge: $left"
ok "purged: no file of the packages left"

echo "packaging test passed"
