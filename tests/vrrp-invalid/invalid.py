#!/usr/bin/env python3
"""Invalid VRRP packets sent at running routers (issue 4, item 5).

Topology, made here and deleted on exit (namespaces `kacinv<pid>-*`): a
switch namespace with a bridge; router A (the master, priority 150),
router B (the backup, priority 100) and an attacker X, each with an
`eth0` on the bridge. The routers run the three instances of
keepalived.conf beside this file: VRRPv2 with PASS auth (VRID 61),
VRRPv3 IPv4 (62) and VRRPv3 IPv6 (63).

X sends, to the VRRP group, one class of invalid packet at a time for
every instance it applies to, 20 packets 100 ms apart: wrong TTL / hop
limit, wrong version, wrong type, bad checksum, truncated header,
address count beyond the packet, wrong password, auth type none, an
unknown auth type, a v2 interval mismatch, an unknown VRID, and an
address-list mismatch (accepted, only counted; sent at priority 1 so
that accepting it changes nothing). The dropped classes otherwise carry
priority 254: a router that accepted one would lose mastership.

For each class it checks, on every kacd: no transition ("Entering" in
the logs), the virtual addresses stay on A and only on A, A's adverts
(captured by X) never pause longer than the interval + 100 ms, each
drop counted under its reason in the SIGUSR2 stats (or, for the reasons
keepalived's stats layout has no line for, logged), and a dropped packet
never counted as a received advert. keepalived 2.2.7 runs the same in
either role for contrast: its numbers are printed, never asserted.

usage: invalid.py KACD_A KACD_B           (kacd built with config ids A, B)
       invalid.py --attack CLASS N MS     (inside X: send one class)
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vrrplib import (GROUP4, GROUP6, Capture, Net, Router, Sender,  # noqa
                     max_gap, select_pairs, vrrp, wait_until)

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.join(HERE, "keepalived.conf")
PFX = f"kacinv{os.getpid() % 100000}"
ADDR = {"a": "192.0.2.1/24", "b": "192.0.2.2/24", "x": "192.0.2.3/24"}
MAC = {"a": "02:00:00:00:00:0a", "b": "02:00:00:00:00:0b",
       "x": "02:00:00:00:00:0c"}
ATTACKER = "192.0.2.3"
PASSWORD = b"k4c-pass"
INTERVAL = 1.0
COUNT, EVERY_MS = 20, 100

INSTANCES = [
    {"name": "V2", "version": 2, "v6": False, "vrid": 61,
     "vips": ["192.0.2.100"], "other": ["192.0.2.200"]},
    {"name": "V3", "version": 3, "v6": False, "vrid": 62,
     "vips": ["192.0.2.110"], "other": ["192.0.2.210"]},
    {"name": "V6", "version": 3, "v6": True, "vrid": 63,
     "vips": ["2001:db8::100"], "other": ["2001:db8::200"]},
]
VIPS = [v for i in INSTANCES for v in i["vips"]]


def packet(inst, src, *, prio=254, version=None, vrid=None, addrs=None,
           **kw):
    """A valid advert for `inst` from `src`, but for the changes in kw."""
    v = version or inst["version"]
    dst = GROUP6 if inst["v6"] else GROUP4
    if v == 2:
        kw.setdefault("interval", 1)
        kw.setdefault("auth_type", 1 if inst["version"] == 2 else 0)
        kw.setdefault("password", PASSWORD if inst["version"] == 2 else b"")
    else:
        kw.setdefault("interval", 100)
    return vrrp(v, vrid or inst["vrid"], prio, addrs or inst["vips"],
                src=src, dst=dst, **kw)


def v2_only(inst):
    return inst["version"] == 2


# class: (applies to, packet builder (inst, src) -> (ttl, msg), the
# stats line that counts it (None: keepalived's layout has no line for
# it), kacd's log words for it, accepted?)
CLASSES = {
    "ttl": (None, lambda i, s: (64, packet(i, s)),
            "Packet Errors/TTL", "invalid TTL/HL", False),
    "version": (None, lambda i, s: (255, packet(
        i, s, version=3 if i["version"] == 2 else 2)),
        None, "wrong VRRP version", False),
    "type": (None, lambda i, s: (255, packet(i, s, vtype=2)),
             "Packet Errors/Invalid Type", "invalid packet type", False),
    "checksum": (None, lambda i, s: (255, packet(i, s, bad_cksum=True)),
                 None, "invalid checksum", False),
    "short": (None, lambda i, s: (255, packet(i, s, truncate=6)),
              "Packet Errors/Length", "packet too short", False),
    "count": (None, lambda i, s: (255, packet(i, s, count=3)),
              "Packet Errors/Length", "packet too short", False),
    "auth-pass": (v2_only, lambda i, s: (255, packet(
        i, s, password=b"wrong-pw")),
        "Authentication Errors/Failure", "authentication failure", False),
    "auth-none": (v2_only, lambda i, s: (255, packet(
        i, s, auth_type=0, password=b"")),
        "Authentication Errors/Type Mismatch",
        "authentication type mismatch", False),
    "auth-type3": (v2_only, lambda i, s: (255, packet(i, s, auth_type=3)),
                   "Authentication Errors/Invalid Type", "malformed packet",
                   False),
    "interval": (v2_only, lambda i, s: (255, packet(i, s, interval=3)),
                 "Packet Errors/Advertisement Interval",
                 "advertisement interval mismatch", False),
    "vrid": (None, lambda i, s: (255, packet(i, s, vrid=99)),
             None, None, False),
    "addr-list": (None, lambda i, s: (255, packet(
        i, s, prio=1, addrs=i["other"])),
        "Packet Errors/Address List", "with another address list", True),
}


def applies(cls, inst):
    only = CLASSES[cls][0]
    return only is None or only(inst)


def attack(cls, n, every_ms):
    """Runs inside X: `n` rounds of class `cls`, one packet per instance."""
    tx = Sender("eth0")
    pkts = []
    for inst in INSTANCES:
        if not applies(cls, inst):
            continue
        src = tx.ll if inst["v6"] else ATTACKER
        ttl, msg = CLASSES[cls][1](inst, src)
        pkts.append((inst["v6"], ttl, msg))
    t0 = time.monotonic()
    for k in range(n):
        for v6, ttl, msg in pkts:
            if v6:
                tx.send6(GROUP6, ttl, msg)
            else:
                tx.send4(ATTACKER, GROUP4, ttl, msg)
        # On a fixed grid, so a slow round does not stretch the rest.
        delay = t0 + (k + 1) * every_ms / 1000 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    return 0


failures = []


def expect(what, ok, detail=""):
    if not ok:
        print(f"  FAIL {what} {detail}")
        failures.append(what)


def setup(net):
    net.ip("sw", "link", "add", "br0", "type", "bridge")
    net.ip("sw", "link", "set", "br0", "up")
    for r in ("a", "b", "x"):
        net.veth("sw", f"p{r}", r, "eth0")
        net.ip("sw", "link", "set", f"p{r}", "master", "br0", "up")
        net.no_dad(r)
        net.ip(r, "link", "set", "eth0", "address", MAC[r])
        net.ip(r, "addr", "add", ADDR[r], "dev", "eth0")
        net.ip(r, "link", "set", "eth0", "up")
    time.sleep(1)


def settled(net, cap):
    """A holds every address, B none, and A advertises every instance."""
    now = time.time()
    return (set(VIPS) <= net.addrs("a") and not set(VIPS) & net.addrs("b")
            and all(cap.from_mac(MAC["a"], i["vrid"], now - INTERVAL - 0.2)
                    for i in INSTANCES))


def scenario(net, kinds, bins, tmp, table):
    ka, kb = kinds
    title = f"A={ka} (master) B={kb} (backup)"
    print(f"== {title}")
    a = Router(net, "a", ka, bins["A"], CONF, "A", tmp)
    b = Router(net, "b", kb, bins["B"], CONF, "B", tmp)
    cap = Capture(net.ns["x"])
    rows = []
    try:
        b.start()
        time.sleep(0.2)
        a.start()
        t = wait_until(lambda: settled(net, cap), 15)
        expect(f"{title}: A becomes master of every instance", t is not None)
        if t is None:
            return
        time.sleep(1.5)
        logged = set()
        classes = os.environ.get("KAC_INVALID_CLASSES", ",".join(CLASSES))
        for cls in classes.split(","):
            _, _, key, words, accepted = CLASSES[cls]
            before = {r.name: r.stats() for r in (a, b)}
            off = {r.name: r.log_size() for r in (a, b)}
            t0 = time.time()
            att = subprocess.Popen(
                ["ip", "netns", "exec", net.ns["x"], sys.executable,
                 os.path.abspath(__file__), "--attack", cls, str(COUNT),
                 str(EVERY_MS)], start_new_session=True)
            moved = 0
            while att.poll() is None:
                if not (set(VIPS) <= net.addrs("a")
                        and not set(VIPS) & net.addrs("b")):
                    moved += 1
                time.sleep(0.05)
            expect(f"{cls}: attacker ran", att.returncode == 0)
            t1 = time.time()
            time.sleep(1.5)
            # keepalived's master may have paused: let it come back.
            wait_until(lambda: settled(net, cap), 12)
            t2 = time.time()
            after = {r.name: r.stats() for r in (a, b)}
            trans = {r.name: r.transitions_since(off[r.name])
                     for r in (a, b)}
            logs = {r.name: r.log_since(off[r.name]) for r in (a, b)}
            for inst in INSTANCES:
                if not applies(cls, inst):
                    continue
                n = inst["name"]
                adverts = [x[0] for x in cap.from_mac(MAC["a"], inst["vrid"])]
                gap = max_gap(adverts, t0, t2)
                during = sum(1 for x in adverts if t0 <= x <= t1)
                counted = {}
                for r in (a, b):
                    if key is not None:
                        d = (after[r.name].get(n, {}).get(key, 0)
                             - before[r.name].get(n, {}).get(key, 0))
                        counted[r.name] = str(d)
                        if r.kind == "kacd":
                            expect(f"{cls} {n}: {r.name} counts {key}",
                                   d == COUNT, f"({d} of {COUNT})")
                    elif words is not None and r.kind == "kacd":
                        counted[r.name] = "log"
                    else:
                        counted[r.name] = "-"
                    # Logged, at most once per reason and instance every
                    # 10 s: checked the first time a reason comes up.
                    if words is not None and r.kind == "kacd" and \
                            (r.name, n, words) not in logged:
                        logged.add((r.name, n, words))
                        seen = any(f"({n}) " in l and words in l
                                   for l in logs[r.name].splitlines())
                        if not seen and counted[r.name] == "log":
                            counted[r.name] = "none"
                        expect(f"{cls} {n}: {r.name} logs '{words}'", seen)
                    rcvd = (after[r.name].get(n, {}).get(
                        "Advertisements/Received", 0)
                        - before[r.name].get(n, {}).get(
                            "Advertisements/Received", 0))
                    if r.name == "a" and r.kind == "kacd":
                        want = COUNT if accepted else 0
                        expect(f"{cls} {n}: A accepted {want} adverts",
                               rcvd == want, f"(got {rcvd})")
                if ka == "kacd":
                    expect(f"{cls} {n}: A's adverts keep coming",
                           gap <= INTERVAL + 0.1, f"(max gap {gap:.3f}s)")
                rows.append((title, cls, n, COUNT, counted["a"],
                             counted["b"], len(trans["a"]), len(trans["b"]),
                             gap, during))
            for r in (a, b):
                # With a keepalived master, a kacd backup may rightly take
                # over when that master pauses.
                if r.kind == "kacd" and ka == "kacd":
                    expect(f"{cls}: no transition on {r.name}",
                           not trans[r.name] and moved == 0,
                           f"{trans[r.name][:2]} (address moved in "
                           f"{moved} samples)")
                if r.kind == "kacd" and not r.alive():
                    expect(f"{cls}: {r.name} still runs", False)
        for r in (a, b):
            if r.kind == "kacd":
                # The JSON dump carries the same counters as SIGUSR2's.
                st, js = r.stats(), r.json()
                for k, inst in enumerate(INSTANCES):
                    s, j = st[inst["name"]], js[k]["stats"]
                    expect(f"{r.name} {inst['name']}: JSON matches stats",
                           (j["ip_ttl_err"], j["packet_len_err"],
                            j["addr_list_err"])
                           == (s["Packet Errors/TTL"],
                               s["Packet Errors/Length"],
                               s["Packet Errors/Address List"]))
    finally:
        a.stop()
        b.stop()
        cap.close()
        for r in ("a", "b"):
            for v in VIPS:
                net.ip(r, "addr", "del", v + ("/64" if ":" in v else "/24"),
                       "dev", "eth0", check=False)
    table.extend(rows)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--attack":
        return attack(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    if os.geteuid() != 0:
        print("skip: needs root for network namespaces")
        return 0
    bins = {"A": os.path.abspath(sys.argv[1]),
            "B": os.path.abspath(sys.argv[2])}
    pairs = select_pairs("KAC_INVALID_PAIRS")
    tmp = tempfile.mkdtemp(prefix="kacinv-")
    table = []
    net = Net(PFX, ("sw", "a", "b", "x"))
    try:
        setup(net)
        for pair in pairs:
            scenario(net, pair, bins, tmp, table)
    finally:
        net.cleanup()
    print(f"\n{COUNT} packets per class and instance, {EVERY_MS} ms apart, "
          "to the VRRP group (each router gets every one). counted: "
          "the stats line's increment, 'log' when the reason has no stats "
          "line but was logged, '-' when neither applies. gap: longest "
          "pause in A's adverts for that instance (interval 1 s); adverts "
          "during: A's adverts while the attacker sent (~2 s).")
    last = None
    for title, cls, n, sent, ca, cb, ta, tb, gap, during in table:
        if title != last:
            print(f"\n{title}\n")
            print("| class | instance | sent | counted A | counted B "
                  "| transitions A | transitions B | max advert gap "
                  "| A's adverts during |")
            print("|---|---|---|---|---|---|---|---|---|")
            last = title
        print(f"| {cls} | {n} | {sent} | {ca} | {cb} | {ta} | {tb} "
              f"| {gap * 1000:.0f} ms | {during} |")
    if failures or os.environ.get("KAC_KEEP_LOGS"):
        print(f"\nFAILED: {len(failures)} checks; logs in {tmp}")
        for f in failures:
            print(f"  {f}")
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    print("\nall invalid-packet checks passed")
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
