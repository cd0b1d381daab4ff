#!/usr/bin/env python3
"""Site config for benches/checkers.sh: TCP real servers under TCP_CHECK and
HTTP real servers under HTTP_GET, every second, 100 a virtual server.

usage: checkers-gen.py TCP HTTP > conf

Layout (the guest script knows it too):
- TCP real servers: 203.0.113.1.. x ports 8000-8049, in order; the last
  one is replaced by the victim 203.0.113.250:7000, which has its own
  server process so it can be killed alone (check-to-IPVS latency).
- HTTP real servers: 192.0.2.129.. x ports 9000-9019.
- virtual servers: 192.0.2.1.. port 80, NAT, rr (the victim's is the last
  TCP one).
"""
import sys

PER_VS = 100


def tcp_servers(n):
    out = []
    for i in range(n - 1):
        out.append((f"203.0.113.{1 + i // 50}", 8000 + i % 50))
    out.append(("203.0.113.250", 7000))
    return out


def http_servers(n):
    return [(f"192.0.2.{129 + i // 20}", 9000 + i % 20) for i in range(n)]


def main():
    tcp, http = int(sys.argv[1]), int(sys.argv[2])
    if tcp > 200 * 50 or http > 50 * 20 or tcp < 1:
        sys.exit("checkers-gen.py: at most 10000 TCP and 1000 HTTP")
    w = sys.stdout.write
    w("global_defs {\n    router_id kac-checkers-bench\n}\n")
    vip = 0
    for kind, servers in (("tcp", tcp_servers(tcp)),
                          ("http", http_servers(http))):
        for start in range(0, len(servers), PER_VS):
            vip += 1
            w(f"virtual_server 192.0.2.{vip} 80 {{\n"
              "    delay_loop 1\n    lvs_sched rr\n    lvs_method NAT\n"
              "    protocol TCP\n")
            for addr, port in servers[start:start + PER_VS]:
                w(f"    real_server {addr} {port} {{\n        weight 1\n")
                if kind == "tcp":
                    w("        TCP_CHECK {\n            connect_timeout 2\n"
                      "            retry 0\n        }\n")
                else:
                    w("        HTTP_GET {\n            url {\n"
                      "                path /\n"
                      "                status_code 200\n            }\n"
                      "            connect_timeout 2\n            retry 0\n"
                      "        }\n")
                w("    }\n")
            w("}\n")
    if vip > 128:
        sys.exit("checkers-gen.py: too many virtual servers")


main()
