#!/usr/bin/env python3
"""Sync groups and tracked interfaces in network namespaces: kacd with
kacd, and kacd with the real keepalived (Debian's 2.2.7) in both roles
(keepalived.conf beside this file).

Topology, made here and deleted on exit (namespaces `kacsync<pid>-*`):
routers A and B with eth0 on switch br0 and eth1 on switch br1 (both in
namespace `sw`), and an eth2 each (a veth to an unbridged end in `sw`). A has priority 150, B 100.

Checks, for each pair:
- A is master of S1, S2 (sync group G), T and F; B of nothing.
- A's eth1 goes down: S2 faults, the group follows, and B takes S1 and
  S2 over. A's S1 resigns with priority 0, so a kacd B takes S1 over
  after its skew and S2 with it; a keepalived B waits until S2's own
  master-down time (it holds a group member back until every member
  can become master). eth1's link is polled (`linkbeat_interfaces`).
- eth1 back: A takes both back (preempt).
- A's eth2 goes down: F (tracks it with weight 0) faults and resigns,
  B takes F over after its skew; T (weight -60) drops to 90 and B,
  at 100, takes T over after master-down. eth2 back: A takes both back.

Then, kacd A only: an upgrade (the binary replaced on disk, SIGHUP) to a
config without instance T: A drops T's address at once and keeps the
others without a gap; B sees no election of the others and takes T over.

usage: sync.py KACD_A KACD_B KACD_A2   (kacd built with config id A and
B, and A's config without instance T)
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
    expect, finish, Net, Router, select_pairs, wait_until)

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.join(HERE, "keepalived.conf")
PFX = f"kacsync{os.getpid() % 100000}"
ADDR = {"a": ("192.0.2.1/24", "198.51.100.1/24"),
        "b": ("192.0.2.2/24", "198.51.100.2/24")}
VIP = {"S1": ("192.0.2.81", "eth0"), "S2": ("198.51.100.82", "eth1"),
       "T": ("192.0.2.83", "eth0"), "F": ("192.0.2.84", "eth0"),
       "L": ("198.51.100.85", "eth1"), "K": ("192.0.2.86", "eth0")}
# The scripts the config names (written here, removed at the end).
RUN = "/run/kac-test-sync"
ME = "$(ip -4 -o addr show dev eth0 | awk '{print $4; exit}' | cut -d/ -f1)"
CHK = f"""#!/bin/sh
[ ! -e {RUN}/fail-{ME} ]
"""
NOTIFY = f"""#!/bin/sh
echo "$*" >>{RUN}/notify-{ME}.log
"""
# What each kind of router A notified, to compare kacd with keepalived.
notified = {}
# eth1's link is polled (linkbeat_interfaces), once a second.
POLL = 1.0
SKEW_100 = (256 - 100) / 256
MASTER_DOWN_100 = 3 + SKEW_100

results = []


def setup(net):
    net.ip("sw", "link", "add", "br0", "type", "bridge")
    net.ip("sw", "link", "add", "br1", "type", "bridge")
    for r in ("a", "b"):
        for n, dev in ((0, "eth0"), (1, "eth1")):
            peer = f"{r}{n}"
            net.veth("sw", peer, r, dev)
            net.ip("sw", "link", "set", peer, "master", f"br{n}")
            net.ip("sw", "link", "set", peer, "up")
            net.ip(r, "addr", "add", ADDR[r][n], "dev", dev)
            net.ip(r, "link", "set", dev, "up")
        # eth2, only to be tracked: a veth to nowhere (no dummy driver
        # in every kernel).
        net.veth("sw", f"{r}2", r, "eth2")
        net.ip("sw", "link", "set", f"{r}2", "up")
        net.ip(r, "link", "set", "eth2", "up")
    net.ip("sw", "link", "set", "br0", "up")
    net.ip("sw", "link", "set", "br1", "up")


def write_scripts():
    os.makedirs(RUN, mode=0o755, exist_ok=True)
    for name, text in (("chk.sh", CHK), ("notify.sh", NOTIFY)):
        path = os.path.join(RUN, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o755)


def notify_lines(addr):
    try:
        with open(os.path.join(RUN, f"notify-{addr}.log")) as f:
            return [l.strip() for l in f if l.strip()]
    except OSError:
        return []


def holds(net, r, names):
    have = net.addrs(r, "eth0") | net.addrs(r, "eth1")
    return all(VIP[n][0] in have for n in names)


def vmac_holds(net, r):
    """V's address on r's VMAC vrrp.87, with the VRRP MAC."""
    out = net.ip(r, "-o", "link", "show", "vrrp.87", check=False,
                 capture=True)
    return "00:00:5e:00:01:57" in out and "192.0.2.87" in \
        net.addrs(r, "vrrp.87")


def has_route(net, r):
    """S1's virtual route."""
    out = net.ip(r, "route", "show", "203.0.113.0/24", check=False,
                 capture=True)
    return "via 192.0.2.254" in out


def holds_none(net, r, names):
    have = net.addrs(r, "eth0") | net.addrs(r, "eth1")
    return not any(VIP[n][0] in have for n in names)


def del_vips(net, r):
    for ip, dev in VIP.values():
        net.ip(r, "addr", "del", ip + "/32", "dev", dev, check=False)


def timed(what, cond, bound, limit, ka, kb, strict=True):
    t = wait_until(cond, limit)
    ok = t is not None and (t <= bound + 0.5 or not strict)
    detail = f"({t:.3f}s, bound {bound:.3f}s)" if t is not None else "(never)"
    expect(what, ok, detail)
    results.append((ka, kb, what, t, bound))
    return t


def scenario(net, ka, kb, bins, tmp):
    print(f"== A={ka} (priority 150) B={kb} (priority 100)")
    a = Router(net, "a", ka, bins["A"], CONF, "A", tmp)
    b = Router(net, "b", kb, bins["B"], CONF, "B", tmp)
    every = list(VIP)
    for addr in ("192.0.2.1", "192.0.2.2"):
        for f in (f"notify-{addr}.log", f"fail-{addr}"):
            try:
                os.unlink(os.path.join(RUN, f))
            except OSError:
                pass
    try:
        b.start()
        time.sleep(0.2)
        a.start()
        t = wait_until(lambda: holds(net, "a", every)
                       and holds_none(net, "b", every), 15)
        expect("A becomes master of every instance, B holds nothing",
               t is not None, f"({t:.2f}s)" if t else "")
        t = wait_until(lambda: vmac_holds(net, "a"), 5)
        expect("A holds V's address on its VMAC (00:00:5e:00:01:57)",
               t is not None and not vmac_holds(net, "b"))
        time.sleep(1.5)

        # A's S1 follows S2 out of master with priority 0, so a kacd B
        # takes S1 over after its skew, and S2 with it (its group). A
        # keepalived B holds S1 back until S2, which cannot hear A any
        # more, reaches its own master-down time.
        net.ip("a", "link", "set", "eth1", "down")
        timed("eth1 down on A: B takes S1 and S2 over",
              lambda: holds(net, "b", ["S1", "S2"]),
              SKEW_100 + POLL if kb == "kacd" else MASTER_DOWN_100, 8,
              ka, kb)
        # L is alone on eth1: B cannot hear A there any more, and takes
        # over after master-down.
        timed("eth1 down on A: B takes L over",
              lambda: holds(net, "b", ["L"]), MASTER_DOWN_100, 8, ka, kb)
        if ka == "kacd":
            expect("A polled eth1 (linkbeat)",
                   "Linkbeat reports eth1 down" in a.log_since(0))
        expect("A released S1 (the group follows S2 into fault)",
               holds_none(net, "a", ["S1"]))
        expect("S1's virtual route moved from A to B",
               wait_until(lambda: has_route(net, "b")
                          and not has_route(net, "a"), 2) is not None)
        expect("T and F stay with A", holds(net, "a", ["T", "F"])
               and holds_none(net, "b", ["T", "F"]))
        net.ip("a", "link", "set", "eth1", "up")
        t = wait_until(lambda: holds(net, "a", ["S1", "S2", "L"])
                       and holds_none(net, "b", ["S1", "S2", "L"]), 10)
        expect("eth1 up: A takes S1, S2 and L back", t is not None,
               f"({t:.2f}s)" if t else "")

        net.ip("a", "link", "set", "eth2", "down")
        t0 = time.monotonic()
        timed("eth2 down on A: B takes F over (A faults, priority 0)",
              lambda: holds(net, "b", ["F"]), SKEW_100, 8, ka, kb)
        left = 8 - (time.monotonic() - t0)
        t = wait_until(lambda: holds(net, "b", ["T"]), left)
        t = None if t is None else time.monotonic() - t0
        ok = t is not None and t <= MASTER_DOWN_100 + 0.5
        expect("eth2 down on A: B (100) takes T over from A (150-60=90)",
               ok, f"({t:.3f}s, bound {MASTER_DOWN_100:.3f}s)"
               if t is not None else "(never)")
        results.append((ka, kb, "eth2 down on A: B takes T over", t,
                        MASTER_DOWN_100))
        expect("A released T and F", wait_until(
            lambda: holds_none(net, "a", ["T", "F"]), 2) is not None)
        expect("the sync group and L stay with A",
               holds(net, "a", ["S1", "S2", "L"]))
        net.ip("a", "link", "set", "eth2", "up")
        t = wait_until(lambda: holds(net, "a", every)
                       and holds_none(net, "b", every), 10)
        expect("eth2 up: A takes T and F back", t is not None,
               f"({t:.2f}s)" if t else "")

        # K's script fails on A (150-60=90 < 100): B takes over after
        # master-down, at most one script interval after the failure.
        open(os.path.join(RUN, "fail-192.0.2.1"), "w").close()
        timed("script fails on A: B takes K over",
              lambda: holds(net, "b", ["K"]) and holds_none(net, "a", ["K"]),
              MASTER_DOWN_100 + 1.0, 10, ka, kb)
        os.unlink(os.path.join(RUN, "fail-192.0.2.1"))
        t = wait_until(lambda: holds(net, "a", ["K"])
                       and holds_none(net, "b", ["K"]), 10)
        expect("script passes again: A takes K back", t is not None,
               f"({t:.2f}s)" if t else "")
        for r in (a, b):
            if r.kind == "kacd":
                log = r.log_since(0)
                expect(f"{r.name}: no dropped packets logged",
                       "dropped a packet" not in log)
        a.stop()
        t = wait_until(lambda: vmac_holds(net, "b"), 3)
        expect("A stopped: B holds V on its VMAC after its skew",
               t is not None and t <= SKEW_100 + 0.5,
               f"({t:.3f}s)" if t is not None else "(never)")
        b.stop()
        time.sleep(0.5)  # STOP scripts
        lines = notify_lines("192.0.2.1")
        notified[ka] = lines
        print("  A notified: " + "; ".join(lines))
        # Scripts of one change run concurrently in keepalived (its
        # notify_master and notify may log in either order), and so do
        # those of different objects: compare each object's sequence.
        want_k = ["INSTANCE K BACKUP 150", "INSTANCE K MASTER 150",
                  "INSTANCE K BACKUP 90", "INSTANCE K MASTER 150",
                  "INSTANCE K STOP 150"]
        got_k = [l for l in lines if " K " in l]
        expect(f"A ({ka}) notified K's changes with keepalived's arguments",
               got_k == want_k, f"({got_k})")
        expect(f"A ({ka}) ran K's notify_master twice",
               lines.count("master-only") == 2)
        got_g = [l for l in lines if l.startswith("GROUP")]
        expect(f"A ({ka}) notified the sync group's changes",
               got_g[:5] == ["GROUP G BACKUP 0", "GROUP G MASTER 0",
                             "GROUP G FAULT 0", "GROUP G BACKUP 0",
                             "GROUP G MASTER 0"], f"({got_g})")
    finally:
        a.stop()
        b.stop()
        for r in ("a", "b"):
            for dev in ("eth0", "eth1", "eth2"):
                net.ip(r, "link", "set", dev, "up", check=False)
            del_vips(net, r)


def upgrade(net, bins, tmp):
    print("== upgrade of a kacd A to a config without instance T")
    path = os.path.join(tmp, "kacd-a-installed")
    shutil.copy2(bins["A"], path)
    a = Router(net, "a", "kacd", path, CONF, "A", tmp)
    b = Router(net, "b", "kacd", bins["B"], CONF, "B", tmp)
    rest = ["S1", "S2", "F", "L"]
    try:
        b.start()
        time.sleep(0.2)
        a.start()
        t = wait_until(lambda: holds(net, "a", list(VIP))
                       and holds_none(net, "b", list(VIP)), 15)
        expect("A becomes master of every instance", t is not None)
        new = path + ".new"
        shutil.copy2(bins["A2"], new)
        os.replace(new, path)  # a new inode, as dpkg installs it
        b_log = b.log_size()
        a.send(signal.SIGHUP)
        t0 = time.monotonic()
        gone, gaps, samples = None, 0, 0
        while time.monotonic() - t0 < 2:
            if gone is None and holds_none(net, "a", ["T"]):
                gone = time.monotonic() - t0
            if not holds(net, "a", rest):
                gaps += 1
            samples += 1
            time.sleep(0.01)
        expect("SIGHUP: A removed T's address (T left its config)",
               gone is not None, f"({gone:.2f}s)" if gone else "")
        expect("SIGHUP: A kept S1, S2 and F throughout", gaps == 0,
               f"({gaps} of {samples} samples without them)")
        t = wait_until(lambda: holds(net, "b", ["T"]), 6)
        expect("B takes T over", t is not None)
        moved = [l for l in b.transitions_since(b_log)
                 if "Entering MASTER" in l and "(T)" not in l]
        expect("B saw no election of the others", not moved, f"{moved}")
    finally:
        a.stop()
        b.stop()
        for r in ("a", "b"):
            del_vips(net, r)


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    if os.geteuid() != 0:
        print("skip: needs root for network namespaces")
        return 0
    bins = {"A": os.path.abspath(sys.argv[1]),
            "B": os.path.abspath(sys.argv[2]),
            "A2": os.path.abspath(sys.argv[3])}
    pairs = select_pairs("KAC_SYNC_PAIRS")
    tmp = tempfile.mkdtemp(prefix="kacsync-")
    net = Net(PFX, ("sw", "a", "b"))
    try:
        write_scripts()
        setup(net)
        for ka, kb in pairs:
            scenario(net, ka, kb, bins, tmp)
        upgrade(net, bins, tmp)
        if "kacd" in notified and "keepalived" in notified:
            def per_object(lines):
                return ([l for l in lines if " K " in l],
                        [l for l in lines if l.startswith("GROUP")],
                        lines.count("master-only"))
            expect("kacd notified what keepalived notified, in order",
                   per_object(notified["kacd"])
                   == per_object(notified["keepalived"]),
                   f"\n    kacd:       {notified['kacd']}"
                   f"\n    keepalived: {notified['keepalived']}")
    finally:
        net.cleanup()
        shutil.rmtree(RUN, ignore_errors=True)
    print("\n| A | B | event | takeover | bound |")
    print("|---|---|---|---|---|")
    for ka, kb, what, t, bound in results:
        ts = f"{t * 1000:.0f} ms" if t is not None else "none"
        print(f"| {ka} | {kb} | {what} | {ts} | {bound * 1000:.0f} ms |")
    return finish(tmp, "sync-group and tracking")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
