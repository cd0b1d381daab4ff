#!/bin/bash
# Boots Debian's kernel (with its ip_vs modules) in a throw-away VM and runs
# a script in it:
#
#   vm.sh [-t SECONDS] [-m MIB] EXTRA_DIR GUEST_SCRIPT
#
# The VM: qemu-system-x86_64 -accel tcg (KVM hangs here), no network device
# (-nic none), an initramfs with busybox-static, the modules ip_vs needs plus
# every IPVS scheduler, veth and crc32c_generic (resolved with depmod/modprobe
# --show-depends), iproute2's ip at /usr/sbin/ip and ipvsadm at
# /usr/sbin/ipvsadm with their shared libraries. EXTRA_DIR is copied to
# /extra (dynamic executables in it get their libraries too) and is the
# working directory; GUEST_SCRIPT runs there with busybox sh. Remember that
# busybox sh runs its own applets before PATH: call /usr/sbin/ip by path.
#
# The guest console goes to stdout; the exit status is the guest script's
# (read from a marker line), 124 when the VM overran the timeout (default
# 240 s), 125 when the VM stopped without a marker.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
timeout=240
mem=512
while getopts "t:m:" o; do
    case $o in
    t) timeout=$OPTARG ;;
    m) mem=$OPTARG ;;
    *) echo "usage: vm.sh [-t SECONDS] [-m MIB] EXTRA_DIR GUEST_SCRIPT" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { echo "usage: vm.sh [-t SECONDS] [-m MIB] EXTRA_DIR GUEST_SCRIPT" >&2; exit 2; }
extra=$(cd "$1" && pwd)
script=$2

for tool in qemu-system-x86_64 busybox depmod modprobe ipvsadm; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
        echo "vm.sh: $tool missing (apt-get install qemu-system-x86 busybox-static kmod ipvsadm iproute2)" >&2
        exit 2
    }
done
busybox_bin=$(command -v busybox)
# The dynamic busybox of Debian's busybox package would need its libc too;
# busybox-static's is self-contained.
if ldd "$busybox_bin" >/dev/null 2>&1; then
    echo "vm.sh: $busybox_bin is dynamic; install busybox-static" >&2
    exit 2
fi

kdir=$("$here/kernel.sh")
ver=$(cat "$kdir/VERSION")

work=$(mktemp -d /tmp/kac-ipvs-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,modules,extra,etc,var}
ln -s /run "$root/var/run"
cp "$busybox_bin" "$root/bin/busybox"

# Modules, in load order, each once.
mods="ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr
ip_vs_dh ip_vs_sh ip_vs_mh ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf
ip_vs_pe_sip veth crc32c_generic sctp"
: >"$root/modules/order"
for m in $mods; do
    modprobe -d "$kdir" -S "$ver" --show-depends "$m" 2>/dev/null |
        awk '$1 == "insmod" {print $2}'
done | awk '!seen[$0]++' | while read -r ko; do
    base=$(basename "$ko")
    # Needs SSE4.2, which TCG lacks; crc32c_generic serves instead.
    [ "$base" = crc32c-intel.ko ] && continue
    cp "$ko" "$root/modules/$base"
    echo "$base" >>"$root/modules/order"
done

# Executables with their shared libraries (ldd), at their own paths.
add_libs() {
    { ldd "$1" 2>/dev/null || true; } | { grep -o '/[^ ]*' || true; } |
    while read -r lib; do
        [ -e "$root$lib" ] && continue
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
}
for bin in /usr/sbin/ipvsadm /usr/sbin/ip; do
    cp "$bin" "$root$bin"
    add_libs "$bin"
done
cp -a "$extra/." "$root/extra/"
find "$root/extra" -type f -perm -u+x | while read -r f; do add_libs "$f"; done
cp "$script" "$root/guest.sh"

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs run /run
mount -t tmpfs tmp /tmp
for m in $(cat /modules/order); do
    insmod /modules/$m 2>/dev/null || echo "vm: insmod $m failed"
done
ip link set lo up
export PATH=/extra:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp
cd /extra
echo "vm: kernel $(uname -r) up after $(cut -d' ' -f1 /proc/uptime) s"
sh /guest.sh
rc=$?
echo "KAC-VM-EXIT=$rc"
poweroff -f
INIT
chmod +x "$root/init"

(cd "$root" && find . | "$busybox_bin" cpio -o -H newc 2>/dev/null | gzip -1) >"$work/initrd.gz"

log=$work/console.log
set +e
timeout --kill-after=5 "$timeout" qemu-system-x86_64 -accel tcg -m "$mem" -smp 1 \
    -nographic -no-reboot -nic none \
    -kernel "$kdir/vmlinuz" -initrd "$work/initrd.gz" \
    -append "console=ttyS0 panic=-1 quiet loglevel=3 rdinit=/init" \
    </dev/null | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    echo "vm.sh: the VM overran ${timeout}s" >&2
    exit 124
fi
rc=$(tr -d '\r' <"$log" | sed -n 's/^KAC-VM-EXIT=\([0-9]*\)$/\1/p' | tail -1)
if [ -z "$rc" ]; then
    echo "vm.sh: the VM stopped without reporting an exit status" >&2
    exit 125
fi
exit "$rc"
