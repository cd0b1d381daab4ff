#!/bin/bash
# kacd end to end on a real IPVS kernel: builds a static (musl) kacd for
# kacd-site.conf (`kac build`), boots Debian's kernel in a VM (vm.sh) and
# runs kacd-guest.sh there: kacd -C programs the virtual servers (NAT, DR,
# a group with a range and a fwmark, a fwmark service; TCP_CHECK, HTTP_GET,
# MISC_CHECK, quorum with a sorry server, inhibit_on_failure) and follows
# busybox httpd real servers in guest namespaces; checked with ipvsadm and
# real traffic from a client namespace. Prints check-to-IPVS timings.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
t0=$SECONDS

cd "$repo"
extra=$(mktemp -d /tmp/kac-kacd-vm.XXXXXX)
trap 'rm -rf "$extra"' EXIT
if ! cargo run -q -p kac-compiler --bin kac -- build \
    "$here/kacd-site.conf" --out "$extra/build" >"$extra/build.log" 2>&1; then
    tail -40 "$extra/build.log" >&2
    echo "kacd.sh: building kacd for kacd-site.conf failed" >&2
    exit 1
fi
bin=$(find "$extra/build" -name kacd -type f | head -1)
[ -x "$bin" ] || { echo "kacd.sh: no kacd built" >&2; exit 1; }
mv "$bin" "$extra/kacd"
rm -rf "$extra/build" "$extra/build.log"
echo "== built kacd in $((SECONDS - t0)) s"

t1=$SECONDS
set +e
"$here/vm.sh" -t "${KAC_VM_TIMEOUT:-240}" "$extra" "$here/kacd-guest.sh"
rc=$?
set -e
echo "== VM ran $((SECONDS - t1)) s, total $((SECONDS - t0)) s; guest status $rc"
exit $rc
