#!/usr/bin/env python3
"""VRRP interop in network namespaces: kacd with kacd, and kacd with the
real keepalived (Debian's 2.2.7) in both roles, VRRPv2 (PASS auth) and
VRRPv3 over IPv4 and IPv6, multicast (keepalived.conf beside this file).

Topology, made here and deleted on exit: a switch namespace with a
bridge, and namespaces for routers A and B and a client C, each with an
`eth0` veth on the bridge; documentation addresses only.

For each pair it checks: one master (A, the higher priority) holding
every virtual address, none on B; gratuitous ARP and unsolicited NA on
the wire from the new master; failover on SIGTERM (priority 0: B takes
over after its skew), on kill -9 (after the master-down interval) and
on `ip link set eth0 down`; A preempting when it comes back. Prints the
measured takeover times against the protocol bound.

usage: interop.py KACD_A KACD_B   (kacd built with config id A and B)
"""

import json
import re
import shutil
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.join(HERE, "keepalived.conf")
PFX = f"kacvi{os.getpid() % 100000}"
NS = {n: f"{PFX}-{n}" for n in ("sw", "a", "b", "c")}
ADDR = {"a": "192.0.2.1/24", "b": "192.0.2.2/24", "c": "192.0.2.3/24"}
MAC = {"a": "02:00:00:00:00:0a", "b": "02:00:00:00:00:0b", "c": "02:00:00:00:00:0c"}
VIPS = ["192.0.2.100", "192.0.2.110", "2001:db8::100"]
# VRRP bounds at advert_int 1 s for the backup (priority 100).
SKEW_100 = (256 - 100) / 256
MASTER_DOWN_100 = 3 + SKEW_100

failures = []
results = []


def sh(*args, check=True, capture=False):
    r = subprocess.run(args, check=False, text=True, capture_output=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip()}")
    return r.stdout if capture else r.returncode


def nsx(ns, *args, **kw):
    return sh("ip", "netns", "exec", NS[ns], *args, **kw)


def setup():
    for n in NS.values():
        sh("ip", "netns", "add", n)
    sh("ip", "-n", NS["sw"], "link", "add", "br0", "type", "bridge")
    sh("ip", "-n", NS["sw"], "link", "set", "br0", "up")
    for r in ("a", "b", "c"):
        sh("ip", "-n", NS["sw"], "link", "add", f"p{r}", "type", "veth",
           "peer", "name", "eth0", "netns", NS[r])
        sh("ip", "-n", NS["sw"], "link", "set", f"p{r}", "master", "br0", "up")
        nsx(r, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0")
        nsx(r, "sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0")
        nsx(r, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0")
        sh("ip", "-n", NS[r], "link", "set", "eth0", "address", MAC[r])
        sh("ip", "-n", NS[r], "addr", "add", ADDR[r], "dev", "eth0")
        sh("ip", "-n", NS[r], "link", "set", "lo", "up")
        sh("ip", "-n", NS[r], "link", "set", "eth0", "up")
    time.sleep(1)


def cleanup():
    for n in NS.values():
        sh("ip", "netns", "del", n, check=False)


def addrs(r):
    out = sh("ip", "-n", NS[r], "-j", "addr", "show", "dev", "eth0",
             check=False, capture=True)
    try:
        return {a["local"] for i in json.loads(out) for a in i["addr_info"]}
    except (ValueError, KeyError):
        return set()


class Router:
    def __init__(self, name, kind, kacd_bin, tmp):
        self.name, self.kind, self.kacd, self.tmp = name, kind, kacd_bin, tmp
        self.proc = None
        self.log = os.path.join(tmp, f"{name}-{kind}.log")

    def start(self):
        cid = self.name.upper()
        d = os.path.join(self.tmp, f"run-{self.name}")
        os.makedirs(d, exist_ok=True)
        if self.kind == "kacd":
            cmd = [self.kacd, "-n", "-l", "-D", "--runtime-dir", d]
        else:
            cmd = ["keepalived", "-n", "-l", "-D", "-P", "-f", CONF, "-i", cid,
                   "-p", f"{d}/k.pid", "-r", f"{d}/v.pid", "-c", f"{d}/c.pid"]
        f = open(self.log, "a")
        f.write(f"==== start {time.time():.3f}\n")
        f.flush()
        # Its own process group: keepalived forks a VRRP child, and
        # `kill -9` must take both (as a crash or the OOM killer would).
        self.proc = subprocess.Popen(["ip", "netns", "exec", NS[self.name]] + cmd,
                                     stdout=f, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def send(self, sig):
        """Sends `sig` without waiting (to time what follows from it)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)

    def signal(self, sig):
        if self.proc and self.proc.poll() is None:
            if sig == signal.SIGKILL:
                os.killpg(self.proc.pid, signal.SIGKILL)
            else:
                self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc = None


def wait_until(cond, timeout):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if cond():
            return time.monotonic() - t0
        time.sleep(0.01)
    return None


def holds_all(r):
    return set(VIPS) <= addrs(r)


def holds_none(r):
    return not (set(VIPS) & addrs(r))


def expect(what, ok, detail=""):
    print(f"  {'ok  ' if ok else 'FAIL'} {what} {detail}")
    if not ok:
        failures.append(what)


class Capture:
    """Gratuitous ARPs and unsolicited NAs seen by the client."""

    def __init__(self):
        self.frames = []
        self.stop = False
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", NS["c"], sys.executable, "-c", CAPTURE],
            stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self.read, daemon=True).start()
        time.sleep(0.3)

    def read(self):
        for line in self.proc.stdout:
            self.frames.append(bytes.fromhex(line.strip()))

    def garp_for(self, ip, mac):
        want_ip = socket.inet_aton(ip)
        want_mac = bytes.fromhex(mac.replace(":", ""))
        return any(f[12:14] == b"\x08\x06" and f[28:32] == want_ip and f[38:42] == want_ip
                   and f[22:28] == want_mac for f in self.frames)

    def na_for(self, ip, mac):
        want = socket.inet_pton(socket.AF_INET6, ip)
        want_mac = bytes.fromhex(mac.replace(":", ""))
        return any(f[12:14] == b"\x86\xdd" and f[20] == 58 and f[54] == 136
                   and f[62:78] == want and f[80:86] == want_mac for f in self.frames)

    def priority_zero_from(self, mac):
        """VRRP adverts with priority 0 sent from `mac`."""
        m = bytes.fromhex(mac.replace(":", ""))
        n = 0
        for f in self.frames:
            if f[6:12] != m:
                continue
            if f[12:14] == b"\x08\x00" and f[23] == 112 and f[34 + 2] == 0:
                n += 1
            elif f[12:14] == b"\x86\xdd" and f[20] == 112 and f[54 + 2] == 0:
                n += 1
        return n

    def adverts_from(self, mac):
        m = bytes.fromhex(mac.replace(":", ""))
        return sum(1 for f in self.frames if f[6:12] == m and (
            (f[12:14] == b"\x08\x00" and f[23] == 112)
            or (f[12:14] == b"\x86\xdd" and f[20] == 112)))

    def close(self):
        self.proc.kill()
        self.proc.wait()


CAPTURE = r"""
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("eth0", 0))
while True:
    d = s.recv(65535)
    arp = d[12:14] == b"\x08\x06"
    na = d[12:14] == b"\x86\xdd" and len(d) > 54 and d[20] == 58 and d[54] == 136
    vrrp4 = d[12:14] == b"\x08\x00" and len(d) > 36 and d[23] == 112
    vrrp6 = d[12:14] == b"\x86\xdd" and len(d) > 56 and d[20] == 112
    if arp or na or vrrp4 or vrrp6:
        print(d.hex(), flush=True)
"""


def log_text(r):
    try:
        with open(r.log) as f:
            return f.read()
    except OSError:
        return ""


def upgrade_without_failover(a, b):
    """SIGHUP to the master kacd after its binary was replaced on disk
    (as a package upgrade does): the new image takes over the running
    state. No election, no address removed, no priority 0."""
    new = a.kacd + ".new"
    shutil.copy2(a.kacd, new)
    os.replace(new, a.kacd)  # a new inode, as dpkg installs it
    cap = Capture()
    b_log = len(log_text(b))
    pid = a.proc.pid
    a.send(signal.SIGHUP)
    t0 = time.monotonic()
    lost = 0
    samples = 0
    while time.monotonic() - t0 < 4:
        if not holds_all("a"):
            lost += 1
        samples += 1
        time.sleep(0.01)
    exe = os.readlink(f"/proc/{pid}/exe") if os.path.exists(f"/proc/{pid}") else ""
    expect("SIGHUP: kacd re-executed the new binary, same pid",
           a.proc.poll() is None and exe == a.kacd, f"({exe})")
    expect("SIGHUP: A resumed as master", "STATE (resumed)" in log_text(a)
           and "taking over MASTER" in log_text(a))
    expect("SIGHUP: the addresses never left A", lost == 0,
           f"({lost} of {samples} samples without them)")
    expect("SIGHUP: B saw no election", "Entering MASTER" not in log_text(b)[b_log:])
    zero = cap.priority_zero_from(MAC["a"])
    expect("SIGHUP: no priority-0 advert from A", zero == 0, f"({zero})")
    expect("SIGHUP: A kept advertising", cap.adverts_from(MAC["a"]) >= 9,
           f"({cap.adverts_from(MAC['a'])} adverts in 4 s, 3 instances)")
    cap.close()


def scenario(kind_a, kind_b, bins, tmp):
    print(f"== A={kind_a} (priority 150) B={kind_b} (priority 100)")
    a = Router("a", kind_a, bins["A"], tmp)
    b = Router("b", kind_b, bins["B"], tmp)
    try:
        b.start()
        time.sleep(0.2)
        a.start()
        t = wait_until(lambda: holds_all("a") and holds_none("b"), 12)
        expect("A becomes master of every instance, B holds nothing", t is not None,
               f"({t:.2f}s)" if t else "")

        if kind_a == "kacd":
            upgrade_without_failover(a, b)

        cap = Capture()
        # The client probes the address every 10 ms across the stop.
        ping = subprocess.Popen(
            ["ip", "netns", "exec", NS["c"], "ping", "-n", "-q", "-i", "0.01",
             "-W", "0.2", "-c", "300", "192.0.2.100"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(0.5)
        # Timed from the signal: keepalived takes a while to exit.
        a.send(signal.SIGTERM)
        t = wait_until(lambda: holds_all("b"), 5)
        a.signal(signal.SIGTERM)
        bound = SKEW_100
        expect("SIGTERM: B takes over after its skew", t is not None and t <= bound + 0.5,
               f"({t:.3f}s, bound {bound:.3f}s)" if t else "")
        out, _ = ping.communicate(timeout=30)
        m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
        lost = int(m.group(1)) - int(m.group(2)) if m else None
        if kind_a == "kacd":
            expect("SIGTERM: the client lost no probe (make before break)",
                   lost == 0, f"({lost} of 300 lost)")
        results.append((kind_a, kind_b, "SIGTERM", t, bound, lost))
        expect("SIGTERM: A removed its addresses", holds_none("a"))
        time.sleep(1.5)
        expect("gratuitous ARP from B for 192.0.2.100", cap.garp_for("192.0.2.100", MAC["b"]))
        expect("unsolicited NA from B for 2001:db8::100", cap.na_for("2001:db8::100", MAC["b"]))
        cap.close()

        a.start()
        t = wait_until(lambda: holds_all("a") and holds_none("b"), 8)
        expect("A preempts when back", t is not None, f"({t:.2f}s)" if t else "")

        a.signal(signal.SIGKILL)
        t = wait_until(lambda: holds_all("b"), 8)
        bound = MASTER_DOWN_100
        expect("kill -9: B takes over within master-down", t is not None and t <= bound + 0.3,
               f"({t:.3f}s, bound {bound:.3f}s)" if t else "")
        results.append((kind_a, kind_b, "kill -9", t, bound, None))
        # A died holding its addresses; a restarted A adds them again.
        for v in VIPS:
            sh("ip", "-n", NS["a"], "addr", "del",
               v + ("/64" if ":" in v else "/24"), "dev", "eth0", check=False)
        a.start()
        t = wait_until(lambda: holds_all("a") and holds_none("b"), 8)
        expect("A preempts after a restart", t is not None, f"({t:.2f}s)" if t else "")

        sh("ip", "-n", NS["a"], "link", "set", "eth0", "down")
        t = wait_until(lambda: holds_all("b"), 8)
        expect("link down: B takes over within master-down", t is not None and t <= bound + 0.3,
               f"({t:.3f}s, bound {bound:.3f}s)" if t else "")
        results.append((kind_a, kind_b, "link down", t, bound, None))
        sh("ip", "-n", NS["a"], "link", "set", "eth0", "up")
        t = wait_until(lambda: holds_all("a") and holds_none("b"), 10)
        expect("link up: A preempts", t is not None, f"({t:.2f}s)" if t else "")
    finally:
        a.signal(signal.SIGTERM)
        b.signal(signal.SIGTERM)
        for r in ("a", "b"):
            for v in VIPS:
                sh("ip", "-n", NS[r], "addr", "del",
                   v + ("/64" if ":" in v else "/24"), "dev", "eth0", check=False)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    if os.geteuid() != 0:
        print("skip: needs root for network namespaces")
        return 0
    bins = {"A": os.path.abspath(sys.argv[1]), "B": os.path.abspath(sys.argv[2])}
    pairs = [("kacd", "kacd"), ("kacd", "keepalived"), ("keepalived", "kacd")]
    if not os.path.exists("/usr/sbin/keepalived"):
        print("keepalived is not installed: kacd with kacd only")
        pairs = pairs[:1]
    tmp = tempfile.mkdtemp(prefix="kacvi-")
    try:
        setup()
        for ka, kb in pairs:
            scenario(ka, kb, bins, tmp)
    finally:
        cleanup()
    if not failures:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n| A (master) | B | trigger | takeover | bound | probes lost (10 ms) |")
    print("|---|---|---|---|---|---|")
    for ka, kb, trig, t, bound, lost in results:
        ts = f"{t * 1000:.0f} ms" if t is not None else "none"
        ls = "" if lost is None else str(lost)
        print(f"| {ka} | {kb} | {trig} | {ts} | {bound * 1000:.0f} ms | {ls} |")
    if failures:
        print(f"\nFAILED: {len(failures)} checks; logs in {tmp}")
        for f in failures:
            print(f"  {f}")
        return 1
    print("\nall interop checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
