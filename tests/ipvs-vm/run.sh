#!/bin/bash
# IPVS on a real kernel: builds runtime/tests/ipvs_kernel.rs static (musl),
# boots Debian's kernel in a VM (vm.sh) and runs guest.sh there: the client,
# diff and pool against the kernel, compared with ipvsadm, then real traffic
# through a NAT virtual service that follows a real server's health.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
t0=$SECONDS

cd "$repo"
extra=$(mktemp -d /tmp/kac-ipvs-extra.XXXXXX)
trap 'rm -rf "$extra"' EXIT
if ! cargo test -p kac-runtime --test ipvs_kernel \
    --target x86_64-unknown-linux-musl --no-run --message-format=json \
    >"$extra/build.json" 2>"$extra/build.log"; then
    tail -40 "$extra/build.log" >&2
    echo "run.sh: building the ipvs_kernel test failed" >&2
    exit 1
fi
bin=$(sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' "$extra/build.json" | tail -1)
[ -x "$bin" ] || { echo "run.sh: no ipvs_kernel executable built" >&2; exit 1; }
rm "$extra/build.json" "$extra/build.log"
echo "== built $bin in $((SECONDS - t0)) s"

cp "$bin" "$extra/ipvs_kernel"

t1=$SECONDS
set +e
"$here/vm.sh" -t "${KAC_VM_TIMEOUT:-240}" "$extra" "$here/guest.sh"
rc=$?
set -e
echo "== VM ran $((SECONDS - t1)) s, total $((SECONDS - t0)) s; guest status $rc"
exit $rc
