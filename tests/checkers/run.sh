#!/usr/bin/env bash
# The checkers against real servers from Debian, in two network
# namespaces joined by a veth pair (client 192.0.2.1, 2001:db8::1; servers
# 192.0.2.10-12, 2001:db8::10): nginx over HTTP and HTTPS (a self-signed
# certificate made here, name-based virtual hosts, SNI), OpenSMTPD and
# dnsmasq. The checks themselves are runtime/tests/check_real.rs, run
# inside the client namespace. Needs root, nginx, smtpd, dnsmasq,
# openssl; skips with a message otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."

skip() { echo "SKIP: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "tests/checkers needs root"
for t in nginx smtpd dnsmasq openssl ip; do
    command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] ||
        skip "tests/checkers needs $t (apt-get install nginx-light opensmtpd dnsmasq-base openssl)"
done
export PATH="$PATH:/usr/sbin:/sbin"

# Build first, outside the namespaces.
bin=$(cargo test -p kac-runtime --test check_real --no-run \
        --message-format=json 2>/dev/null |
      sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
[ -x "$bin" ] || { echo "could not build check_real" >&2; exit 1; }

pfx="kacchk$$"
cli="${pfx}c"
srv="${pfx}s"
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    ip netns del "$cli" 2>/dev/null || true
    ip netns del "$srv" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"

ip netns add "$cli"
ip netns add "$srv"
ip -n "$cli" link set lo up
ip -n "$srv" link set lo up
ip link add kc0 netns "$cli" type veth peer name ks0 netns "$srv"
ip -n "$cli" addr add 192.0.2.1/24 dev kc0
ip -n "$cli" addr add 2001:db8::1/64 dev kc0 nodad
ip -n "$srv" addr add 192.0.2.10/24 dev ks0
ip -n "$srv" addr add 192.0.2.11/24 dev ks0
ip -n "$srv" addr add 192.0.2.12/24 dev ks0
ip -n "$srv" addr add 2001:db8::10/64 dev ks0 nodad
ip -n "$cli" link set kc0 up
ip -n "$srv" link set ks0 up

# ---- nginx: HTTP and HTTPS, a default site, a name-based virtual host
# and an SNI-only TLS host, each with its own page.
mkdir -p "$tmp/www" "$tmp/vhost" "$tmp/sni" "$tmp/nginx"
echo "kac checkers: default site" > "$tmp/www/index.html"
echo "kac checkers: vhost.example.org" > "$tmp/vhost/index.html"
echo "kac checkers: sni.example.org" > "$tmp/sni/index.html"
chmod -R a+rX "$tmp/www" "$tmp/vhost" "$tmp/sni"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=checkers.example.org" \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
cat > "$tmp/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    ssl_certificate $tmp/cert.pem;
    ssl_certificate_key $tmp/key.pem;
    server {
        listen 192.0.2.10:80 default_server;
        listen [2001:db8::10]:80 default_server;
        listen 192.0.2.10:443 ssl default_server;
        server_name _;
        root $tmp/www;
        location = /error { return 503; }
        location = /moved { return 302 /; }
    }
    server {
        listen 192.0.2.10:80;
        server_name vhost.example.org;
        root $tmp/vhost;
    }
    server {
        listen 192.0.2.10:443 ssl;
        server_name sni.example.org;
        root $tmp/sni;
        # nginx picks the server by Host too: refuse requests that
        # arrived without this SNI name, so the test sees SNI at work.
        if (\$ssl_server_name != "sni.example.org") { return 421; }
    }
}
CONF
ip netns exec "$srv" nginx -c "$tmp/nginx.conf" -p "$tmp/nginx" \
    -e "$tmp/nginx/error.log" &
pids+=($!)

# ---- OpenSMTPD on 192.0.2.11:25, its own config; it refuses relaying but
# greets and answers HELO like any MTA.
cat > "$tmp/smtpd.conf" <<CONF
listen on 192.0.2.11 port 25
action "local" mbox
match from any for domain "checkers.example.org" action "local"
CONF
chmod 600 "$tmp/smtpd.conf"
# `ip netns exec` gives it a mount namespace of its own (a slave of the
# host's): fresh /run and spool there keep it apart from an smtpd the
# package may have started on the host (one control socket per /run).
ip netns exec "$srv" sh -c '
    mount -t tmpfs kacchk-run /run &&
    mount -t tmpfs -o mode=711 kacchk-spool /var/spool/smtpd &&
    exec smtpd -d -f "$1"' sh "$tmp/smtpd.conf" >"$tmp/smtpd.log" 2>&1 &
pids+=($!)

# ---- dnsmasq on 192.0.2.12:53: knows www.example.org, answers NXDOMAIN
# for the rest of example.org, REFUSED elsewhere (no upstream).
ip netns exec "$srv" dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts \
    --bind-interfaces --listen-address=192.0.2.12 --port=53 --user=root \
    --pid-file="$tmp/dnsmasq.pid" --host-record=www.example.org,192.0.2.80 \
    --local=/example.org/ --log-facility="$tmp/dnsmasq.log" &
pids+=($!)

# Wait for the three to listen.
for i in $(seq 50); do
    ok=1
    ip netns exec "$srv" ss -Hltn 'sport = :80' | grep -q . || ok=0
    ip netns exec "$srv" ss -Hltn 'sport = :443' | grep -q . || ok=0
    ip netns exec "$srv" ss -Hltn 'sport = :25' | grep -q . || ok=0
    ip netns exec "$srv" ss -Hlun 'sport = :53' | grep -q . || ok=0
    [ $ok = 1 ] && break
    sleep 0.2
done
if [ $ok != 1 ]; then
    echo "servers did not start:" >&2
    cat "$tmp/nginx/error.log" "$tmp/smtpd.log" 2>/dev/null >&2 || true
    exit 1
fi

KAC_CHECK_REAL="$tmp" ip netns exec "$cli" "$bin" --test-threads=4
