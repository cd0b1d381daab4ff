#!/bin/bash
# Prints the directory holding Debian's amd64 kernel for the IPVS VM:
#   vmlinuz, lib/modules/VERSION/ (with modules.dep), VERSION
# Fetched with apt-get download (linux-image-amd64's versioned dependency)
# and cached under $KAC_VM_CACHE (default /var/cache/kac-test/ipvs-vm).
set -euo pipefail
cache=${KAC_VM_CACHE:-/var/cache/kac-test/ipvs-vm}
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
    awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$pkg" ]; then
    # No package lists yet (fresh machine): fall back to any cached kernel.
    dir=$(ls -d "$cache"/linux-image-* 2>/dev/null | tail -1 || true)
    if [ -n "$dir" ] && [ -f "$dir/vmlinuz" ]; then echo "$dir"; exit 0; fi
    apt-get update -qq >&2
    pkg=$(apt-cache depends linux-image-amd64 |
        awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
fi
dir=$cache/$pkg
if [ -f "$dir/vmlinuz" ] && [ -f "$dir/VERSION" ]; then
    echo "$dir"
    exit 0
fi
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download "$pkg" >&2)
dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/x"
ver=${pkg#linux-image-}
mkdir -p "$tmp/out/lib/modules"
cp "$tmp/x/boot/vmlinuz-$ver" "$tmp/out/vmlinuz"
mv "$tmp/x/lib/modules/$ver" "$tmp/out/lib/modules/$ver"
depmod -b "$tmp/out" "$ver"
echo "$ver" > "$tmp/out/VERSION"
rm -rf "$dir"
mv "$tmp/out" "$dir"
echo "$dir"
