#!/usr/bin/env python3
"""The self-balancing DR pair (keepalived.conf beside this file): its
VRRP and notify half in network namespaces, kacd with kacd and with the
real keepalived (Debian's 2.2.7) in both roles.

Topology, made here and deleted on exit (namespaces `kacdr<pid>-*`):
nodes A (192.0.2.1) and B (192.0.2.2) and a client C (192.0.2.9) on one
switch. Each node serves HTTP on port 8080 naming itself, has
arp_ignore=1 / arp_announce=2 on eth0, and runs the notify scripts
written here: notify_master takes the VIP 192.0.2.50 off lo (VRRP puts
it on eth0), notify_backup / notify_fault put it on lo.

Checks, for each pair: the master holds the VIP on eth0, the backup on
lo only; an ARP request for the VIP is answered by the master alone; the
client's HTTP request to the VIP reaches the master. After the master
stops (SIGTERM; it then holds the VIP nowhere), the same from the other
side, and again when it is back.

usage: dr.py KACD_A KACD_B   (kacd built with config id A and B)
"""

import os
import shutil
import signal
import socket
import struct
import subprocess
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
PFX = f"kacdr{os.getpid() % 100000}"
VIP = "192.0.2.50"
ADDR = {"a": "192.0.2.1", "b": "192.0.2.2", "c": "192.0.2.9"}
MAC = {"a": "02:00:00:00:02:0a", "b": "02:00:00:00:02:0b",
       "c": "02:00:00:00:02:0c"}
RUN = "/run/kac-test-dr"
SCRIPTS = {
    "to-eth0.sh": f"#!/bin/sh\nip addr del {VIP}/32 dev lo 2>/dev/null\n"
                  "exit 0\n",
    "to-lo.sh": f"#!/bin/sh\nip addr add {VIP}/32 dev lo 2>/dev/null\n"
                "exit 0\n",
}
# Run in the client's namespace: one ARP request for the VIP, the MACs
# that answer within half a second.
ARP = r"""
import socket, struct, sys, time
dev, me, mac, target = sys.argv[1:5]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind((dev, 0))
m = bytes.fromhex(mac.replace(":", ""))
req = (b"\xff" * 6 + m + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
       + m + socket.inet_aton(me) + b"\0" * 6 + socket.inet_aton(target))
s.send(req)
s.settimeout(0.1)
seen = set()
end = time.time() + 0.5
while time.time() < end:
    try:
        d = s.recv(100)
    except socket.timeout:
        continue
    if len(d) >= 42 and d[20:22] == b"\0\2" and d[28:32] == socket.inet_aton(target):
        seen.add(d[22:28].hex(":"))
print(" ".join(sorted(seen)))
"""



def setup(net):
    net.ip("sw", "link", "add", "br0", "type", "bridge")
    net.ip("sw", "link", "set", "br0", "up")
    for r in ("a", "b", "c"):
        net.veth("sw", f"p{r}", r, "eth0")
        net.ip("sw", "link", "set", f"p{r}", "master", "br0")
        net.ip("sw", "link", "set", f"p{r}", "up")
        net.ip(r, "link", "set", "eth0", "address", MAC[r])
        net.ip(r, "addr", "add", ADDR[r] + "/24", "dev", "eth0")
        net.ip(r, "link", "set", "eth0", "up")
    for r in ("a", "b"):
        for k, v in (("arp_ignore", 1), ("arp_announce", 2)):
            net.x(r, "sysctl", "-qw", f"net.ipv4.conf.eth0.{k}={v}")
            net.x(r, "sysctl", "-qw", f"net.ipv4.conf.all.{k}={v}")


def http_servers(net, tmp):
    procs = []
    for r in ("a", "b"):
        d = os.path.join(tmp, f"www-{r}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "index.html"), "w") as f:
            f.write(f"node-{r}\n")
        procs.append(subprocess.Popen(
            ["ip", "netns", "exec", net.ns[r], sys.executable, "-m",
             "http.server", "8080", "--bind", "0.0.0.0", "--directory", d],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True))
    return procs


def where(net, r):
    """'eth0', 'lo', 'both' or 'none': where node r holds the VIP."""
    on = [dev for dev in ("eth0", "lo") if VIP in net.addrs(r, dev)]
    return {0: "none", 2: "both"}.get(len(on), on[0] if on else "none")


def arp_answers(net):
    out = net.x("c", sys.executable, "-c", ARP, "eth0", ADDR["c"], MAC["c"],
                VIP, capture=True)
    return set(out.split())


def fetch(net):
    # A fresh neighbour entry each time: the client must ask again.
    net.ip("c", "neigh", "flush", "dev", "eth0", check=False)
    r = subprocess.run(["ip", "netns", "exec", net.ns["c"], "python3", "-c",
                        "import urllib.request,sys;print(urllib.request."
                        f"urlopen('http://{VIP}:8080/',timeout=2).read()"
                        ".decode().strip())"],
                       capture_output=True, text=True)
    return r.stdout.strip()


def check_master(net, m, b, label, b_running=True):
    # A stopped node runs no notify script: it holds the VIP nowhere.
    b_want = "lo" if b_running else "none"
    t = wait_until(lambda: where(net, m) == "eth0"
                   and where(net, b) == b_want, 12)
    expect(f"{label}: master {m.upper()} has the VIP on eth0, "
           f"{b.upper()} {'on lo' if b_running else 'nowhere'}",
           t is not None, f"(A: {where(net, 'a')}, B: {where(net, 'b')})")
    macs = arp_answers(net)
    expect(f"{label}: only {m.upper()} answers ARP for the VIP",
           macs == {MAC[m]}, f"({macs})")
    got = fetch(net)
    expect(f"{label}: the client's request reaches {m.upper()}",
           got == f"node-{m}", f"({got!r})")


def scenario(net, ka, kb, bins, tmp):
    print(f"== A={ka} (priority 150) B={kb} (priority 100)")
    a = Router(net, "a", ka, bins["A"], CONF, "A", tmp)
    b = Router(net, "b", kb, bins["B"], CONF, "B", tmp)
    try:
        b.start()
        time.sleep(0.3)
        a.start()
        check_master(net, "a", "b", "start")
        a.stop()
        check_master(net, "b", "a", "A stopped", b_running=False)
        a.start()
        check_master(net, "a", "b", "A back")
    finally:
        a.stop()
        b.stop()
        for r in ("a", "b"):
            for dev in ("eth0", "lo"):
                net.ip(r, "addr", "del", VIP + "/32", "dev", dev, check=False)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    if os.geteuid() != 0:
        print("skip: needs root for network namespaces")
        return 0
    bins = {"A": os.path.abspath(sys.argv[1]),
            "B": os.path.abspath(sys.argv[2])}
    pairs = select_pairs("KAC_DR_PAIRS")
    tmp = tempfile.mkdtemp(prefix="kacdr-")
    net = Net(PFX, ("sw", "a", "b", "c"))
    servers = []
    try:
        os.makedirs(RUN, mode=0o755, exist_ok=True)
        for name, text in SCRIPTS.items():
            path = os.path.join(RUN, name)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o755)
        setup(net)
        servers = http_servers(net, tmp)
        for ka, kb in pairs:
            scenario(net, ka, kb, bins, tmp)
    finally:
        for p in servers:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        net.cleanup()
        shutil.rmtree(RUN, ignore_errors=True)
    return finish(tmp, "DR-pair")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
