"""Shared by tests/vrrp-invalid and tests/vrrp-unicast: namespaces,
routers (kacd or keepalived) in them, their logs and counter dumps, and
VRRP packets built by hand (RFC 3768 / RFC 5798) for an attacker.

Every namespace made here starts with the caller's prefix and is deleted
by `Net.cleanup`; every process started here runs in its own process
group, which is all `Router.stop` ever signals.
"""

import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

PROTO = 112
GROUP4 = "224.0.0.18"
GROUP6 = "ff02::12"


def sh(*args, check=True, capture=False):
    r = subprocess.run(args, check=False, text=True, capture_output=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip()}")
    return r.stdout if capture else r.returncode


# The checks of one test run: `expect` prints each, `finish` the verdict.
failures = []


def expect(what, ok, detail=""):
    print(f"  {'ok  ' if ok else 'FAIL'} {what} {detail}")
    if not ok:
        failures.append(what)


def finish(tmp, what):
    """The exit status: 1 with the failed checks (the logs stay in tmp),
    else 0 (tmp removed)."""
    if failures:
        print(f"\nFAILED: {len(failures)} checks; logs in {tmp}")
        for f in failures:
            print(f"  {f}")
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nall {what} checks passed")
    return 0


def wait_until(cond, timeout, step=0.02):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if cond():
            return time.monotonic() - t0
        time.sleep(step)
    return None


class Net:
    """Namespaces `PFX-name`; `bridge()` puts some of them on a switch."""

    def __init__(self, prefix, names):
        self.ns = {n: f"{prefix}-{n}" for n in names}
        for n in self.ns.values():
            sh("ip", "netns", "add", n)
        for n in self.ns.values():
            sh("ip", "-n", n, "link", "set", "lo", "up")

    def x(self, name, *args, **kw):
        return sh("ip", "netns", "exec", self.ns[name], *args, **kw)

    def ip(self, name, *args, **kw):
        return sh("ip", "-n", self.ns[name], *args, **kw)

    def no_dad(self, name):
        for k in ("all", "default"):
            self.x(name, "sysctl", "-qw", f"net.ipv6.conf.{k}.accept_dad=0")

    def veth(self, a, a_if, b, b_if):
        """A veth pair from namespace `a` (`a_if`) to `b` (`b_if`)."""
        self.ip(a, "link", "add", a_if, "type", "veth", "peer", "name",
                b_if, "netns", self.ns[b])

    def cleanup(self):
        for n in self.ns.values():
            sh("ip", "netns", "del", n, check=False)

    def addrs(self, name, dev="eth0"):
        out = self.ip(name, "-j", "addr", "show", "dev", dev, check=False,
                      capture=True)
        try:
            return {a["local"] for i in json.loads(out)
                    for a in i["addr_info"]}
        except (ValueError, KeyError):
            return set()


class Router:
    """kacd (a binary built for this router) or keepalived (`-i ID` on
    the shared config), in namespace `ns`, logging to a file."""

    def __init__(self, net, name, kind, kacd_bin, conf, cid, tmp):
        self.net, self.name, self.kind = net, name, kind
        self.kacd, self.conf, self.cid, self.tmp = kacd_bin, conf, cid, tmp
        self.proc = None
        self.dir = os.path.join(tmp, f"run-{name}-{kind}")
        self.log = os.path.join(tmp, f"{name}-{kind}.log")

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        d = self.dir
        if self.kind == "kacd":
            cmd = [self.kacd, "-n", "-l", "-D", "--runtime-dir", d]
        else:
            # keepalived writes its dumps to /tmp/keepalived.*: give it a
            # /tmp of its own, our directory bound there (so its config
            # must not live under /tmp).
            os.makedirs(f"{d}/tmp", exist_ok=True)
            ka = ["keepalived", "-n", "-l", "-D", "-P", "-f", self.conf,
                  "-i", self.cid, "-p", "/tmp/k.pid", "-r", "/tmp/v.pid",
                  "-c", "/tmp/c.pid"]
            cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                   'mount --bind "$0" /tmp && exec "$@"', f"{d}/tmp"] + ka
        with open(self.log, "a") as f:
            f.write(f"==== start {time.time():.3f}\n")
        f = open(self.log, "a")
        # Its own process group: keepalived forks a VRRP child, and
        # `kill -9` must take both (as a crash would).
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.net.ns[self.name]] + cmd,
            stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
        f.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def send(self, sig):
        if self.alive():
            self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM):
        if self.alive():
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

    def log_size(self):
        try:
            return os.path.getsize(self.log)
        except OSError:
            return 0

    def log_since(self, offset):
        with open(self.log, errors="replace") as f:
            f.seek(offset)
            return f.read()

    def transitions_since(self, offset):
        return [l for l in self.log_since(offset).splitlines()
                if "Entering" in l]

    def stats(self):
        """The SIGUSR2 counters: {instance: {"Section/Name": n}}."""
        if self.kind == "kacd":
            path = os.path.join(self.dir, "keepalived.stats")
        else:
            path = os.path.join(self.dir, "tmp", "keepalived.stats")
        try:
            os.unlink(path)
        except OSError:
            pass
        self.send(signal.SIGUSR2)
        text = ""

        def done():
            nonlocal text
            try:
                with open(path) as f:
                    text = f.read()
            except OSError:
                return False
            # keepalived writes in place: wait for the last section.
            return text.rstrip().endswith(tuple("0123456789")) and \
                text.count("Priority Zero") >= text.count("VRRP Instance")
        if wait_until(done, 5) is None:
            raise RuntimeError(f"{self.name}: no stats dump at {path}")
        time.sleep(0.05)
        with open(path) as f:
            return parse_stats(f.read())

    def json(self):
        path = os.path.join(self.dir, "keepalived.json")
        try:
            os.unlink(path)
        except OSError:
            pass
        self.send(signal.SIGRTMIN + 2)
        if wait_until(lambda: os.path.exists(path), 5) is None:
            raise RuntimeError(f"{self.name}: no JSON dump at {path}")
        with open(path) as f:
            return json.load(f)


def parse_stats(text):
    out, inst, sections = {}, None, {}
    for line in text.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        body = line.strip()
        m = re.match(r"VRRP Instance: (\S+)", body)
        if m:
            inst = out.setdefault(m.group(1), {})
            sections = {}
            continue
        if inst is None:
            continue
        if body.endswith(":"):
            sections = {k: v for k, v in sections.items() if k < indent}
            sections[indent] = body[:-1]
            continue
        m = re.match(r"(.+?):\s*(-?\d+)$", body)
        if not m:
            continue
        parents = [v for k, v in sorted(sections.items()) if k < indent]
        key = "/".join(parents[-1:] + [m.group(1)])
        inst[key] = int(m.group(2))
    return out


# ---- VRRP packets, by hand ---------------------------------------------

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def pseudo(src, dst, length):
    if ":" in src:
        return (socket.inet_pton(socket.AF_INET6, src)
                + socket.inet_pton(socket.AF_INET6, dst)
                + struct.pack("!I3xB", length, PROTO))
    return (socket.inet_aton(src) + socket.inet_aton(dst)
            + struct.pack("!xBH", PROTO, length))


def vrrp(version, vrid, prio, addrs, *, src, dst, interval=1, auth_type=1,
         password=b"", vtype=1, count=None, cksum_version=None,
         bad_cksum=False, truncate=None):
    """One VRRP message. `interval` is seconds in v2, centiseconds in v3.
    `cksum_version` picks the checksum algorithm independently of the
    version nibble (2: message only; 3: with the pseudo-header)."""
    fam = socket.AF_INET6 if ":" in src else socket.AF_INET
    body = b"".join(socket.inet_pton(fam, a) for a in addrs)
    n = len(addrs) if count is None else count
    if version == 2:
        head = struct.pack("!BBBBBBH", (version << 4) | vtype, vrid, prio, n,
                           auth_type, interval, 0)
        msg = head + body + password.ljust(8, b"\0")[:8]
    else:
        head = struct.pack("!BBBBHH", (version << 4) | vtype, vrid, prio, n,
                           interval & 0x0FFF, 0)
        msg = head + body
    cv = cksum_version or (2 if version == 2 and fam == socket.AF_INET
                           else 3)
    c = csum(msg) if cv == 2 else csum(pseudo(src, dst, len(msg)) + msg)
    if bad_cksum:
        c ^= 0x5A5A
    msg = msg[:6] + struct.pack("!H", c) + msg[8:]
    if truncate is not None:
        msg = msg[:truncate]
    return msg


def ip4_header(src, dst, ttl, payload_len):
    # Checksum and total length are filled in by the kernel (IP_HDRINCL).
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + payload_len, 0, 0,
                       ttl, PROTO, 0, socket.inet_aton(src),
                       socket.inet_aton(dst))


class Sender:
    """Raw senders on `dev` in the current namespace: IPv4 with our own
    header (any TTL), IPv6 with the hop limit set per packet."""

    def __init__(self, dev="eth0"):
        self.dev = dev
        self.ifindex = socket.if_nametoindex(dev)
        self.s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                socket.IPPROTO_RAW)
        self.s4.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                           dev.encode())
        self.s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, PROTO)
        self.s6.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                           dev.encode())
        self.s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF,
                           self.ifindex)
        self.ll = link_local(dev)
        self.s6.bind((self.ll, 0, 0, self.ifindex))

    def send4(self, src, dst, ttl, msg):
        self.s4.sendto(ip4_header(src, dst, ttl, len(msg)) + msg, (dst, 0))

    def send6(self, dst, hops, msg):
        self.s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS,
                           hops)
        self.s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS,
                           hops)
        scope = self.ifindex if dst.startswith(("ff02", "fe80")) else 0
        self.s6.sendto(msg, (dst, 0, 0, scope))


def link_local(dev):
    out = subprocess.run(["ip", "-j", "-6", "addr", "show", "dev", dev,
                          "scope", "link"], capture_output=True,
                         text=True).stdout
    for i in json.loads(out or "[]"):
        for a in i.get("addr_info", []):
            return a["local"]
    raise RuntimeError(f"{dev} has no IPv6 link-local address")


# ---- capture -----------------------------------------------------------

CAPTURE = r"""
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
while True:
    d, addr = s.recvfrom(65535)
    t = time.time()
    if addr[2] == 4:   # PACKET_OUTGOING: our own
        continue
    if d[12:14] == b"\x08\x00" and len(d) > 34 and d[23] == 112:
        o = 14 + (d[14] & 15) * 4
        src = socket.inet_ntop(socket.AF_INET, d[26:30])
        ttl = d[22]
    elif d[12:14] == b"\x86\xdd" and len(d) > 62 and d[20] == 112:
        o = 54
        src = socket.inet_ntop(socket.AF_INET6, d[22:38])
        ttl = d[21]
    else:
        continue
    if len(d) < o + 3:
        continue
    print(f"{t:.6f} {d[6:12].hex()} {src} {d[o] >> 4} {d[o + 1]} {d[o + 2]} {ttl}",
          flush=True)
"""


class Capture:
    """Every VRRP packet seen on `dev` in namespace `ns` (not our own):
    (time, source MAC, source address, version, VRID, priority, TTL)."""

    def __init__(self, ns, dev="eth0"):
        self.adverts = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", ns, sys.executable, "-c", CAPTURE, dev],
            stdout=subprocess.PIPE, text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()
        time.sleep(0.3)

    def _read(self):
        for line in self.proc.stdout:
            f = line.split()
            if len(f) != 7:
                continue
            rec = (float(f[0]), f[1], f[2], int(f[3]), int(f[4]), int(f[5]),
                   int(f[6]))
            with self.lock:
                self.adverts.append(rec)

    def from_mac(self, mac, vrid, t0=0.0, t1=float("inf")):
        mac = mac.replace(":", "")
        with self.lock:
            return [a for a in self.adverts
                    if a[1] == mac and a[4] == vrid and t0 <= a[0] <= t1]

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def max_gap(times, t0, t1):
    """Longest silence in [t0, t1] between packets at `times` (sorted),
    counting from the last packet before t0 and up to t1."""
    before = [t for t in times if t < t0]
    inside = [t for t in times if t0 <= t <= t1]
    pts = before[-1:] + inside
    if not pts:
        return t1 - t0
    gaps = [b - a for a, b in zip(pts, pts[1:])]
    gaps.append(t1 - pts[-1])
    return max(gaps)


def select_pairs(env_var):
    """The (A, B) implementation pairs to run: every combination with kacd,
    or those named in `env_var` ("kacd/keepalived,..."); without
    keepalived installed, kacd with kacd only."""
    pairs = [("kacd", "kacd"), ("kacd", "keepalived"),
             ("keepalived", "kacd")]
    if os.environ.get(env_var):
        pairs = [tuple(p.split("/"))
                 for p in os.environ[env_var].split(",")]
    if not os.path.exists("/usr/sbin/keepalived"):
        print("keepalived is not installed: kacd with kacd only")
        pairs = [p for p in pairs if "keepalived" not in p]
    return pairs
