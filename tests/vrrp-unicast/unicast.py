#!/usr/bin/env python3
"""Unicast VRRP (`unicast_src_ip` + `unicast_peer`) in network
namespaces: kacd with kacd, and kacd with the real keepalived (Debian's
2.2.7) in both roles; VRRPv2 with PASS auth, VRRPv3 over IPv4 and over
IPv6 (keepalived.conf beside this file).

Topology, made here and deleted on exit (namespaces `kacuni<pid>-*`):
router A on 198.51.100.0/24 and 2001:db8:a::/64, router B on
203.0.113.0/24 and 2001:db8:b::/64, and a router namespace R forwarding
between them. No multicast crosses R, and every advert arrives one hop
away (TTL / hop limit 254): unicast must not require 255.

For each pair it checks: one master (A, the higher priority) holding
every virtual address, none on B; B hears A's adverts with TTL 254;
failover on SIGTERM (priority 0: B takes over within its skew) and on
kill -9 (within the master-down interval); A preempting when back.
Prints the takeover times against the protocol bound.

usage: unicast.py KACD_A KACD_B   (kacd built with config id A and B)
"""

import os
import shutil
import signal
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "vrrp-invalid"))
from vrrplib import (  # noqa: E402
    Capture, expect, finish, Net, Router, select_pairs, wait_until)

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.join(HERE, "keepalived.conf")
PFX = f"kacuni{os.getpid() % 100000}"
SIDE = {
    "a": ("198.51.100.1/24", "198.51.100.254", "2001:db8:a::1/64",
          "2001:db8:a::ff"),
    "b": ("203.0.113.2/24", "203.0.113.254", "2001:db8:b::2/64",
          "2001:db8:b::ff"),
}
MAC = {"a": "02:00:00:00:01:0a", "b": "02:00:00:00:01:0b"}
VIPS = ["192.0.2.100", "192.0.2.110", "2001:db8::100"]
VRIDS = {71: "U2", 72: "U3", 73: "U6"}
SKEW_100 = (256 - 100) / 256
MASTER_DOWN_100 = 3 + SKEW_100

results = []


def setup(net):
    for k in ("all", "default"):
        net.x("r", "sysctl", "-qw", f"net.ipv4.conf.{k}.forwarding=1")
        net.x("r", "sysctl", "-qw", f"net.ipv6.conf.{k}.forwarding=1")
    for r in ("a", "b"):
        v4, gw4, v6, gw6 = SIDE[r]
        net.no_dad(r)
        net.no_dad("r")
        net.veth("r", f"to{r}", r, "eth0")
        net.ip("r", "addr", "add", f"{gw4}/24", "dev", f"to{r}")
        net.ip("r", "addr", "add", f"{gw6}/64", "dev", f"to{r}")
        net.ip("r", "link", "set", f"to{r}", "up")
        net.ip(r, "link", "set", "eth0", "address", MAC[r])
        net.ip(r, "addr", "add", v4, "dev", "eth0")
        net.ip(r, "addr", "add", v6, "dev", "eth0")
        net.ip(r, "link", "set", "eth0", "up")
        net.ip(r, "route", "add", "default", "via", gw4)
        net.ip(r, "-6", "route", "add", "default", "via", gw6)
    # Both ways through R, before any router starts.
    ok = wait_until(lambda: net.x("a", "ping", "-c1", "-W1", "203.0.113.2",
                                  check=False) == 0
                    and net.x("a", "ping", "-6", "-c1", "-W1",
                              "2001:db8:b::2", check=False) == 0, 10)
    if ok is None:
        raise RuntimeError("no route between A and B through R")


def holds_all(net, r):
    return set(VIPS) <= net.addrs(r)


def holds_none(net, r):
    return not set(VIPS) & net.addrs(r)


def del_vips(net, r):
    for v in VIPS:
        net.ip(r, "addr", "del", v + ("/128" if ":" in v else "/32"), "dev",
               "eth0", check=False)


def scenario(net, ka, kb, bins, tmp):
    print(f"== A={ka} (priority 150) B={kb} (priority 100), unicast")
    a = Router(net, "a", ka, bins["A"], CONF, "A", tmp)
    b = Router(net, "b", kb, bins["B"], CONF, "B", tmp)
    cap = Capture(net.ns["b"])
    try:
        b.start()
        time.sleep(0.2)
        a.start()
        t = wait_until(lambda: holds_all(net, "a") and holds_none(net, "b"),
                       15)
        expect("A becomes master of every instance, B holds nothing",
               t is not None, f"({t:.2f}s)" if t else "")
        time.sleep(2.5)
        expect("one master: B still holds nothing", holds_none(net, "b"))
        now = time.time()
        for vrid, name in VRIDS.items():
            with cap.lock:
                seen = [x for x in cap.adverts if x[4] == vrid and x[0] <= now
                        and x[2] in ("198.51.100.1", "2001:db8:a::1")]
            ttls = sorted({x[6] for x in seen})
            # kacd sends with 255; keepalived 2.2.7's IPv6 unicast adverts
            # go with the default hop limit (64).
            ok = ttls == [254] if ka == "kacd" else bool(ttls) and \
                max(ttls) < 255
            expect(f"{name}: B hears A's adverts, one hop away", ok,
                   f"(TTL/hop limit {ttls})")
        logs = a.log_since(0) + b.log_since(0)
        expect("no drops logged", "dropped a packet" not in logs)

        a.send(signal.SIGTERM)
        t = wait_until(lambda: holds_all(net, "b"), 5)
        a.stop()
        expect("SIGTERM: B takes over after its skew",
               t is not None and t <= SKEW_100 + 0.5,
               f"({t:.3f}s, bound {SKEW_100:.3f}s)" if t else "")
        results.append((ka, kb, "SIGTERM", t, SKEW_100))
        expect("SIGTERM: A removed its addresses", holds_none(net, "a"))

        a.start()
        t = wait_until(lambda: holds_all(net, "a") and holds_none(net, "b"),
                       8)
        expect("A preempts when back", t is not None,
               f"({t:.2f}s)" if t else "")

        a.stop(signal.SIGKILL)
        t = wait_until(lambda: holds_all(net, "b"), 8)
        expect("kill -9: B takes over within master-down",
               t is not None and t <= MASTER_DOWN_100 + 0.3,
               f"({t:.3f}s, bound {MASTER_DOWN_100:.3f}s)" if t else "")
        results.append((ka, kb, "kill -9", t, MASTER_DOWN_100))
        # A died holding its addresses; a restarted A adds them again.
        del_vips(net, "a")
        a.start()
        t = wait_until(lambda: holds_all(net, "a") and holds_none(net, "b"),
                       8)
        expect("A preempts after a restart", t is not None,
               f"({t:.2f}s)" if t else "")
    finally:
        a.stop()
        b.stop()
        cap.close()
        del_vips(net, "a")
        del_vips(net, "b")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    if os.geteuid() != 0:
        print("skip: needs root for network namespaces")
        return 0
    bins = {"A": os.path.abspath(sys.argv[1]),
            "B": os.path.abspath(sys.argv[2])}
    pairs = select_pairs("KAC_UNICAST_PAIRS")
    tmp = tempfile.mkdtemp(prefix="kacuni-")
    net = Net(PFX, ("r", "a", "b"))
    try:
        setup(net)
        for ka, kb in pairs:
            scenario(net, ka, kb, bins, tmp)
    finally:
        net.cleanup()
    print("\n| A | B | trigger | takeover | bound |")
    print("|---|---|---|---|---|")
    for ka, kb, trig, t, bound in results:
        ts = f"{t * 1000:.0f} ms" if t is not None else "none"
        print(f"| {ka} | {kb} | {trig} | {ts} | {bound * 1000:.0f} ms |")
    return finish(tmp, "unicast")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
