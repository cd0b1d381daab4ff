#!/usr/bin/env python3
"""VRRP under a flood: router A (priority 150, master) and B (backup) as
in interop.py, while a third namespace floods the segment with VRRP
adverts for *other* virtual routers (VRIDs 1-50, priority 254) as fast
as one Python process can send them, for DURATION seconds. Counts flaps
(changes of master seen by polling the addresses every 10 ms) and
prints the flood rate. kacd's sockets carry a kernel VRID filter, so the
flood never reaches their buffers; keepalived 2.2.7's overflow.

usage: flood.py KACD_A KACD_B [SECONDS]
"""

import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop  # noqa: E402

FLOOD = r"""
import socket, struct, sys, time
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
pkts = []
for vrid in range(1, 51):
    m = bytearray(struct.pack("!BBBBBBH4s8s", 0x21, vrid, 254, 1, 0, 1, 0,
                              socket.inet_aton("192.0.2.200"), b"\0" * 8))
    c = csum(bytes(m)); m[6:8] = struct.pack("!H", c)
    pkts.append(bytes(m))
end = time.time() + float(sys.argv[1])
n = 0
while time.time() < end:
    for p in pkts:
        try:
            s.sendto(p, ("224.0.0.18", 0))
            n += 1
        except OSError:
            pass
print(n)
"""


def run(kind_a, kind_b, bins, tmp, secs):
    a = interop.Router("a", kind_a, bins["A"], tmp)
    b = interop.Router("b", kind_b, bins["B"], tmp)
    try:
        b.start()
        time.sleep(0.2)
        a.start()
        t = interop.wait_until(lambda: interop.holds_all("a") and interop.holds_none("b"), 12)
        if t is None:
            print(f"  {kind_a}/{kind_b}: no stable master before the flood")
            return None
        floods = [subprocess.Popen(
            ["ip", "netns", "exec", interop.NS["c"], sys.executable, "-c", FLOOD, str(secs)],
            stdout=subprocess.PIPE, text=True) for _ in range(2)]
        flaps = 0
        master = "a"
        t0 = time.monotonic()
        while time.monotonic() - t0 < secs:
            now_a = interop.holds_all("a")
            now_b = bool(set(interop.VIPS) & interop.addrs("b"))
            cur = "a" if now_a and not now_b else ("b" if now_b and not now_a else "both" if now_a else "none")
            if cur != master:
                flaps += 1
                master = cur
            time.sleep(0.01)
        sent = sum(int(f.communicate()[0].strip() or 0) for f in floods)
        return flaps, sent / secs
    finally:
        a.signal(signal.SIGTERM)
        b.signal(signal.SIGTERM)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    if os.geteuid() != 0:
        print("skip: needs root for network namespaces")
        return 0
    secs = float(sys.argv[3]) if len(sys.argv) > 3 else 20
    bins = {"A": os.path.abspath(sys.argv[1]), "B": os.path.abspath(sys.argv[2])}
    pairs = [("kacd", "kacd")]
    if os.path.exists("/usr/sbin/keepalived"):
        pairs.append(("keepalived", "keepalived"))
    tmp = tempfile.mkdtemp(prefix="kacfl-")
    rows = []
    try:
        interop.setup()
        for ka, kb in pairs:
            r = run(ka, kb, bins, tmp, secs)
            rows.append((ka, kb, r))
    finally:
        interop.cleanup()
    print(f"\n| A / B | flood (other VRIDs) | changes of master in {secs:.0f} s |")
    print("|---|---|---|")
    failed = False
    for ka, kb, r in rows:
        if r is None:
            print(f"| {ka} / {kb} | - | no master before the flood |")
            failed = failed or ka == "kacd"
            continue
        flaps, rate = r
        print(f"| {ka} / {kb} | {rate:,.0f} packets/s | {flaps} |")
        if ka == "kacd" and flaps:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
