//! The checkers against servers this test runs itself on loopback:
//! well-behaved ones and adversarial ones (slow, half-open, garbage,
//! wrong status, wrong digest), scripts and files; the timing rules
//! (retry, delay_before_retry, connect_timeout) measured; and 5,000 TCP
//! checks in flight at once. Real servers (nginx, OpenSMTPD, dnsmasq) are
//! in tests/checkers/run.sh.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::{
    IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, UdpSocket,
};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use kac_runtime::check::{CheckEvent, Engine, Probe, Status, Subscriber};
use kac_runtime::site::lvs::{Check, Checker, Connect, Protocol, Timing, Url};
use kac_runtime::site::track::TrackFile;
use kac_runtime::site::{Command, Weight};

const LO: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn timing(timeout: u64, retry: u32, before_retry: u64) -> Timing {
    Timing {
        delay_loop: Duration::from_secs(30),
        connect_timeout: ms(timeout),
        retry,
        delay_before_retry: ms(before_retry),
        warmup: None,
    }
}

fn probe(check: Check, dst: SocketAddr, t: Timing, alpha: bool) -> Probe {
    let checker = Checker {
        check,
        connect: Connect::default(),
        timing: t,
        alpha,
    };
    let mut p = Probe::new(checker, dst.ip(), dst.port(), Protocol::Tcp);
    p.subscribers.push(Subscriber {
        vs: 0,
        rs: 0,
        checker: usize::from(alpha),
        weight: 10,
    });
    p
}

/// Runs the probes and collects events until `n` arrived or `limit`.
fn events(
    probes: Vec<Probe>,
    n: usize,
    limit: Duration,
) -> Vec<(Duration, CheckEvent)> {
    let (tx, rx) = sync_channel(64);
    let t0 = Instant::now();
    let engine = Engine::start_probes(probes, tx).unwrap();
    let out = collect(&rx, t0, n, limit);
    engine.stop();
    out
}

fn collect(
    rx: &Receiver<CheckEvent>,
    t0: Instant,
    n: usize,
    limit: Duration,
) -> Vec<(Duration, CheckEvent)> {
    let mut out = Vec::new();
    while out.len() < n {
        let left = limit.saturating_sub(t0.elapsed());
        match rx.recv_timeout(left) {
            Ok(ev) => out.push((t0.elapsed(), ev)),
            Err(_) => break,
        }
    }
    out
}

/// The verdict of one attempt: the check runs twice at once, starting up
/// and starting down (alpha); a healthy service brings the alpha one up,
/// a failing one takes the other down. Also returns how long it took.
fn verdict(check: Check, dst: SocketAddr, timeout_ms: u64) -> (bool, Duration) {
    let t = timing(timeout_ms, 0, 100);
    let evs = events(
        vec![probe(check, dst, t, true), probe(check, dst, t, false)],
        1,
        ms(timeout_ms + 3000),
    );
    let (at, ev) = evs.first().cloned().expect("a verdict");
    match ev.status {
        Status::Up => (true, at),
        Status::Down { .. } => (false, at),
        Status::Weight(w) => panic!("unexpected weight {w}"),
    }
}

// ===== servers =====

/// Serves each connection with `f` on its own thread; returns the port.
fn serve(f: impl Fn(TcpStream) + Send + Sync + 'static) -> SocketAddr {
    let l = TcpListener::bind((LO, 0)).unwrap();
    let addr = l.local_addr().unwrap();
    let f = Arc::new(f);
    thread::spawn(move || {
        for s in l.incoming().flatten() {
            let f = f.clone();
            thread::spawn(move || f(s));
        }
    });
    addr
}

fn read_request(s: &mut TcpStream) -> String {
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut req = String::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        req.push_str(&line);
    }
    req
}

/// An HTTP server answering every request with `response`, recording
/// the requests it saw.
fn http(response: &'static [u8]) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let addr = serve(move |mut s| {
        let req = read_request(&mut s);
        log.lock().unwrap().push(req);
        let _ = s.write_all(response);
    });
    (addr, seen)
}

fn closed_port() -> SocketAddr {
    let l = TcpListener::bind((LO, 0)).unwrap();
    l.local_addr().unwrap()
}

const BODY: &[u8] = b"<html>kac</html>\n";
const OK: &[u8] =
    b"HTTP/1.0 200 OK\r\nContent-Length: 17\r\n\r\n<html>kac</html>\n";

fn md5(data: &[u8]) -> [u8; 16] {
    use md5::{Digest, Md5};
    Md5::digest(data).into()
}

fn http_check(urls: &'static [Url]) -> Check {
    Check::Http {
        tls: false,
        urls,
        virtualhost: None,
        sni: false,
    }
}

fn leak<T>(v: Vec<T>) -> &'static [T] {
    Box::leak(v.into_boxed_slice())
}

fn url(path: &'static str, digest: Option<[u8; 16]>) -> Url {
    Url {
        path,
        digest,
        status: &[],
        virtualhost: None,
    }
}

// ===== TCP =====

#[test]
fn tcp_up_refused_and_slow() {
    let open = serve(|_s| {});
    assert!(verdict(Check::Tcp, open, 500).0);
    let (up, at) = verdict(Check::Tcp, closed_port(), 500);
    assert!(!up);
    assert!(at < ms(900), "refusal is immediate, took {at:?}");
}

#[test]
fn tcp_over_ipv6_loopback() {
    let Ok(l) = TcpListener::bind((Ipv6Addr::LOCALHOST, 0)) else {
        eprintln!("SKIP: no IPv6 loopback");
        return;
    };
    let addr = l.local_addr().unwrap();
    thread::spawn(move || for _ in l.incoming() {});
    assert!(verdict(Check::Tcp, addr, 500).0);
}

#[test]
fn connect_options_bindto_and_bind_port() {
    // bindto 127.0.0.2 (loopback holds all of 127/8) and a fixed port:
    // the server sees exactly that source.
    let peers = Arc::new(Mutex::new(Vec::new()));
    let seen = peers.clone();
    let l = TcpListener::bind((LO, 0)).unwrap();
    let dst = l.local_addr().unwrap();
    thread::spawn(move || {
        for (_s, peer) in std::iter::from_fn(|| l.accept().ok()) {
            seen.lock().unwrap().push(peer);
        }
    });
    let src_port = closed_port().port();
    let mut p = probe(Check::Tcp, dst, timing(500, 0, 100), true);
    p.checker.connect = Connect {
        bindto: Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))),
        bind_port: Some(src_port),
        fwmark: is_root().then_some(7),
        ..Connect::default()
    };
    let evs = events(vec![p], 1, ms(3000));
    assert_eq!(evs[0].1.status, Status::Up);
    // The handshake completes in the kernel before the server thread
    // accepts: wait for it to see the connection.
    let deadline = std::time::Instant::now() + ms(2000);
    while peers.lock().unwrap().is_empty()
        && std::time::Instant::now() < deadline
    {
        thread::sleep(ms(5));
    }
    let peers = peers.lock().unwrap();
    assert_eq!(
        peers.first().copied(),
        Some(SocketAddr::new("127.0.0.2".parse().unwrap(), src_port))
    );
}

#[test]
fn connect_ip_and_port_override_the_real_server() {
    let open = serve(|_s| {});
    let mut p = probe(Check::Tcp, closed_port(), timing(500, 0, 100), true);
    // The real server's own port is closed; connect_port points elsewhere.
    let c = Checker {
        connect: Connect {
            ip: Some(LO),
            port: Some(open.port()),
            ..Connect::default()
        },
        ..p.checker
    };
    p = Probe {
        subscribers: p.subscribers.clone(),
        ..Probe::new(
            c,
            IpAddr::V4(Ipv4Addr::new(192, 0, 2, 9)),
            1,
            Protocol::Tcp,
        )
    };
    assert_eq!(p.target, open);
    assert_eq!(p.label, "[192.0.2.9]:tcp:1");
    let evs = events(vec![p], 1, ms(3000));
    assert_eq!(evs[0].1.status, Status::Up);
}

// ===== HTTP =====

#[test]
fn http_good_server_and_request_shape() {
    let urls = leak(vec![url("/health", Some(md5(BODY))), url("/other", None)]);
    let (addr, seen) = http(OK);
    assert!(verdict(http_check(urls), addr, 1000).0);
    let reqs = seen.lock().unwrap();
    let first = reqs.iter().find(|r| r.starts_with("GET /health ")).unwrap();
    assert!(first.starts_with("GET /health HTTP/1.0\r\n"), "{first}");
    assert!(first.contains("User-Agent: KeepAliveClient\r\n"));
    assert!(first.contains(&format!("Host: 127.0.0.1:{}\r\n", addr.port())));
    assert!(reqs.iter().any(|r| r.starts_with("GET /other ")));
}

#[test]
fn http_virtualhost_is_the_host_header() {
    let urls = leak(vec![Url {
        virtualhost: Some("www.example.org"),
        ..url("/", None)
    }]);
    let (addr, seen) = http(OK);
    assert!(verdict(http_check(urls), addr, 1000).0);
    assert!(seen.lock().unwrap()[0].contains("Host: www.example.org\r\n"));
}

#[test]
fn http_wrong_status_and_status_ranges() {
    static NOT_FOUND: &[u8] = b"HTTP/1.1 404 Not Found\r\n\r\nnope";
    let (addr, _) = http(NOT_FOUND);
    assert!(!verdict(http_check(leak(vec![url("/", None)])), addr, 1000).0);
    let accept_404 = leak(vec![Url {
        status: &[(404, 404)],
        ..url("/", None)
    }]);
    assert!(verdict(http_check(accept_404), addr, 1000).0);
    // A 200 is then wrong.
    let (ok, _) = http(OK);
    assert!(!verdict(http_check(accept_404), ok, 1000).0);
}

#[test]
fn http_wrong_digest() {
    let (addr, _) = http(OK);
    let urls = leak(vec![url("/", Some(md5(b"something else")))]);
    assert!(!verdict(http_check(urls), addr, 1000).0);
}

#[test]
fn http_adversaries_are_down() {
    let urls = leak(vec![url("/", None)]);
    // Slow: accepts, reads, never answers.
    let slow = serve(|mut s| {
        read_request(&mut s);
        thread::sleep(Duration::from_secs(20));
    });
    let (up, at) = verdict(http_check(urls), slow, 400);
    assert!(!up);
    assert!(at >= ms(400) && at < ms(1200), "timeout honoured: {at:?}");
    // Half-open: accepts then closes without a byte.
    let half = serve(drop);
    assert!(!verdict(http_check(urls), half, 1000).0);
    // Garbage: random bytes, no status line.
    let garbage = serve(|mut s| {
        read_request(&mut s);
        let junk: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let _ = s.write_all(&junk);
    });
    assert!(!verdict(http_check(urls), garbage, 1000).0);
    // Drip-feed: a status line, then one byte a second (never finishes
    // within connect_timeout).
    let drip = serve(|mut s| {
        read_request(&mut s);
        let _ = s.write_all(b"HTTP/1.0 200 OK\r\n\r\n");
        for _ in 0..20 {
            thread::sleep(ms(300));
            if s.write_all(b"x").is_err() {
                break;
            }
        }
    });
    let (up, at) = verdict(http_check(urls), drip, 500);
    assert!(!up && at < ms(2000), "drip: {up} {at:?}");
}

#[test]
fn ssl_get_against_silent_and_garbage_servers() {
    let check = Check::Http {
        tls: true,
        urls: leak(vec![url("/", None)]),
        virtualhost: None,
        sni: true,
    };
    // Accepts, never says a word: the handshake times out.
    let silent = serve(|_s| thread::sleep(Duration::from_secs(20)));
    let (up, at) = verdict(check, silent, 400);
    assert!(!up && at >= ms(400) && at < ms(1500), "{at:?}");
    // Answers the ClientHello with an HTTP response.
    let plain = serve(|mut s| {
        let mut b = [0u8; 512];
        let _ = std::io::Read::read(&mut s, &mut b);
        let _ = s.write_all(OK);
    });
    assert!(!verdict(check, plain, 1000).0);
}

#[test]
fn genhash_matches_md5_of_the_body() {
    use kac_runtime::check::genhash;
    let (addr, _) = http(OK);
    let d = genhash::genhash(
        &format!("http://127.0.0.1:{}/x", addr.port()),
        &genhash::Options::default(),
    )
    .unwrap();
    assert_eq!(d, md5(BODY));
    assert_eq!(genhash::hex(&d).len(), 32);
    let half = serve(drop);
    assert!(genhash::genhash(
        &format!("http://127.0.0.1:{}/", half.port()),
        &genhash::Options::default()
    )
    .is_err());
}

// ===== timing =====

#[test]
fn hung_server_is_down_after_retries_not_later() {
    // connect_timeout 300 ms, retry 2, delay_before_retry 200 ms: three
    // attempts of 300 ms with two pauses of 200 ms = 1.3 s.
    let slow = serve(|mut s| {
        read_request(&mut s);
        thread::sleep(Duration::from_secs(20));
    });
    let urls = leak(vec![url("/", None)]);
    let p = probe(http_check(urls), slow, timing(300, 2, 200), false);
    let evs = events(vec![p], 1, ms(5000));
    let (at, ev) = &evs[0];
    assert!(matches!(ev.status, Status::Down { .. }));
    assert!(
        *at >= ms(1250) && *at < ms(2300),
        "down after {at:?}, expected about 1.3 s"
    );
}

#[test]
fn recovery_and_transitions_only() {
    // A server that refuses, then accepts: Down once, then Up once.
    let l = TcpListener::bind((LO, 0)).unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let mut t = timing(300, 0, 100);
    t.delay_loop = ms(200);
    let p = probe(Check::Tcp, addr, t, false);
    let (tx, rx) = sync_channel(8);
    let t0 = Instant::now();
    let engine = Engine::start_probes(vec![p], tx).unwrap();
    let first = collect(&rx, t0, 1, ms(3000));
    assert!(matches!(first[0].1.status, Status::Down { .. }));
    // Several loops while down: no repeated Down.
    assert!(collect(&rx, Instant::now(), 1, ms(700)).is_empty());
    let l = TcpListener::bind(addr).unwrap();
    thread::spawn(move || for _ in l.incoming() {});
    let next = collect(&rx, Instant::now(), 2, ms(1500));
    engine.stop();
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0].1.status, Status::Up);
}

#[test]
fn identical_probes_run_once_and_fan_out() {
    use kac_runtime::check::plan::plan_servers;
    use kac_runtime::site::lvs::{Method, RealServer, Service, VirtualServer};
    let hits = Arc::new(Mutex::new(0u32));
    let h = hits.clone();
    let addr = serve(move |_s| *h.lock().unwrap() += 1);
    let checkers = leak(vec![Checker {
        check: Check::Tcp,
        connect: Connect::default(),
        timing: timing(500, 0, 100),
        alpha: true,
    }]);
    let rs = leak(vec![RealServer {
        addr: addr.ip(),
        port: addr.port(),
        weight: 1,
        method: Method::Nat,
        uthreshold: None,
        lthreshold: None,
        inhibit_on_failure: false,
        notify_up: None,
        notify_down: None,
        checkers,
    }]);
    let vs = |port| {
        VirtualServer::new(
            Service::Addr {
                addr: "192.0.2.1".parse().unwrap(),
                port,
            },
            Protocol::Tcp,
            rs,
            "virtual_server",
        )
    };
    let vss = leak(vec![vs(80), vs(81), vs(82)]);
    let probes = plan_servers(vss, &[], None);
    assert_eq!(probes.len(), 1);
    assert_eq!(probes[0].subscribers.len(), 3);
    let evs = events(probes, 3, ms(3000));
    let mut vs_seen: Vec<usize> = evs.iter().map(|(_, e)| e.vs).collect();
    vs_seen.sort();
    assert_eq!(vs_seen, vec![0, 1, 2]);
    thread::sleep(ms(100));
    assert_eq!(*hits.lock().unwrap(), 1, "one connection for three servers");
}

// ===== SMTP =====

fn smtp_server(banner: &'static str, helo_reply: &'static str) -> SocketAddr {
    serve(move |mut s| {
        let _ = s.write_all(banner.as_bytes());
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut line = String::new();
        while r.read_line(&mut line).unwrap_or(0) > 0 {
            let reply = if line.starts_with("HELO ") {
                helo_reply
            } else if line.starts_with("QUIT") {
                "221 bye\r\n"
            } else {
                "500 what\r\n"
            };
            let _ = s.write_all(reply.as_bytes());
            line.clear();
        }
    })
}

#[test]
fn smtp_dialogue() {
    let check = Check::Smtp {
        helo_name: Some("checker.example.org"),
    };
    let good =
        smtp_server("220-mx.example.org ESMTP\r\n220 ready\r\n", "250 hi\r\n");
    assert!(verdict(check, good, 1000).0);
    let refused = smtp_server("554 go away\r\n", "250 hi\r\n");
    assert!(!verdict(check, refused, 1000).0);
    let bad_helo = smtp_server("220 ready\r\n", "550 no\r\n");
    assert!(!verdict(check, bad_helo, 1000).0);
    let silent = serve(|_s| thread::sleep(Duration::from_secs(10)));
    assert!(!verdict(check, silent, 400).0);
}

// ===== DNS =====

/// A DNS server answering with `f(query) -> reply datagrams`.
fn dns_server(
    f: impl Fn(&[u8]) -> Vec<Vec<u8>> + Send + 'static,
) -> SocketAddr {
    let s = UdpSocket::bind((LO, 0)).unwrap();
    let addr = s.local_addr().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 512];
        while let Ok((n, from)) = s.recv_from(&mut buf) {
            for r in f(&buf[..n]) {
                let _ = s.send_to(&r, from);
            }
        }
    });
    addr
}

fn dns_reply(q: &[u8], flags: u16, id_xor: u16) -> Vec<u8> {
    let mut r = q.to_vec();
    let id = u16::from_be_bytes([q[0], q[1]]) ^ id_xor;
    r[..2].copy_from_slice(&id.to_be_bytes());
    r[2..4].copy_from_slice(&flags.to_be_bytes());
    r
}

#[test]
fn dns_rules() {
    let check = Check::Dns {
        query_type: "A",
        name: "www.example.org",
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let good = dns_server(move |q| {
        log.lock().unwrap().push(q.to_vec());
        // Junk first (wrong id, then a query echo), then the answer.
        vec![dns_reply(q, 0x8180, 1), q.to_vec(), dns_reply(q, 0x8180, 0)]
    });
    assert!(verdict(check, good, 1000).0);
    let q = &seen.lock().unwrap()[0];
    assert_eq!(&q[2..6], &[1, 0, 0, 1], "RD set, one question");
    assert_eq!(&q[q.len() - 4..], &[0, 1, 0, 1], "type A class IN");
    let nxdomain = dns_server(|q| vec![dns_reply(q, 0x8183, 0)]);
    assert!(!verdict(check, nxdomain, 1000).0);
    let wrong_id = dns_server(|q| vec![dns_reply(q, 0x8180, 0x55)]);
    let (up, at) = verdict(check, wrong_id, 400);
    assert!(!up && at >= ms(400));
    let silent = dns_server(|_| vec![]);
    assert!(!verdict(check, silent, 300).0);
}

// ===== UDP =====

#[test]
fn udp_open_and_closed_ports() {
    let check = Check::Udp {
        payload: Some(b"ping"),
    };
    let echo = dns_server(|q| vec![q.to_vec()]);
    assert!(verdict(check, echo, 300).0);
    // Silence is success too (keepalived without require_reply).
    let silent = dns_server(|_| vec![]);
    assert!(verdict(check, silent, 300).0);
    let closed = {
        let s = UdpSocket::bind((LO, 0)).unwrap();
        s.local_addr().unwrap()
    };
    let (up, at) = verdict(check, closed, 1000);
    assert!(!up, "ICMP port unreachable is a failure");
    assert!(at < ms(900), "{at:?}");
}

// ===== PING =====

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| s.lines().any(|l| l.starts_with("Uid:\t0\t")))
        .unwrap_or(false)
}

#[test]
fn ping_loopback_v4_and_v6() {
    if !is_root() {
        eprintln!("SKIP: ping needs root (raw socket) here");
        return;
    }
    let v4 = SocketAddr::new(LO, 0);
    assert!(verdict(Check::Ping, v4, 1000).0);
    let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 0);
    if TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).is_ok() {
        assert!(verdict(Check::Ping, v6, 1000).0);
    }
}

// ===== MISC =====

fn sh(script: &str) -> Command {
    Command::new(leak(vec![
        "/bin/sh",
        "-c",
        Box::leak(script.to_string().into_boxed_str()),
    ]))
}

fn misc(script: &str, dynamic: bool, timeout: Option<Duration>) -> Check {
    Check::Misc {
        command: sh(script),
        timeout,
        dynamic,
    }
}

#[test]
fn misc_exit_codes() {
    let dst = SocketAddr::new(LO, 1);
    assert!(verdict(misc("exit 0", false, None), dst, 1000).0);
    assert!(!verdict(misc("exit 1", false, None), dst, 1000).0);
    // Without misc_dynamic any non-zero is down.
    assert!(!verdict(misc("exit 7", false, None), dst, 1000).0);
}

#[test]
fn misc_dynamic_weight() {
    let dst = SocketAddr::new(LO, 1);
    let p = probe(misc("exit 7", true, None), dst, timing(1000, 0, 100), true);
    let evs = events(vec![p], 2, ms(3000));
    let st: Vec<Status> = evs.into_iter().map(|(_, e)| e.status).collect();
    assert_eq!(st, vec![Status::Weight(5), Status::Up]);
}

#[test]
fn misc_timeout_kills_the_process_group() {
    let dir = tempdir();
    let pidfile = format!("{}/pid", dir.0);
    // The shell and its child ignore SIGTERM: only the SIGKILL that
    // follows 2 s later ends them.
    let script =
        format!("trap '' TERM; sleep 30 & echo $! > {pidfile}; wait; sleep 30");
    let dst = SocketAddr::new(LO, 1);
    let p = probe(
        misc(&script, false, Some(ms(300))),
        dst,
        timing(1000, 0, 100),
        false,
    );
    let (tx, rx) = sync_channel(8);
    let t0 = Instant::now();
    let engine = Engine::start_probes(vec![p], tx).unwrap();
    let evs = collect(&rx, t0, 1, ms(3000));
    let (at, ev) = &evs[0];
    assert!(matches!(ev.status, Status::Down { .. }));
    assert!(*at >= ms(300) && *at < ms(1500), "{at:?}");
    let pid = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .to_string();
    assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    thread::sleep(ms(2800));
    let gone = !std::path::Path::new(&format!("/proc/{pid}")).exists()
        || std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true);
    engine.stop();
    assert!(gone, "the grandchild {pid} survived the group kill");
}

/// A directory removed when the test ends.
struct TempDir(String);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempdir() -> TempDir {
    let d = std::env::temp_dir().join(format!(
        "kac-check-{}-{}",
        std::process::id(),
        rand_u32()
    ));
    std::fs::create_dir_all(&d).unwrap();
    TempDir(d.to_string_lossy().into_owned())
}

fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(1u8) as u32
}

// ===== FILE =====

#[test]
fn file_check_follows_the_value() {
    let dir = tempdir();
    let path: &'static str =
        Box::leak(format!("{}/state", dir.0).into_boxed_str());
    std::fs::write(path, "0\n").unwrap();
    let tf = |weight, name| TrackFile {
        name,
        path,
        weight: Weight::new(weight),
        reverse: false,
        init_value: None,
        init_overwrite: false,
    };
    let dst = SocketAddr::new(LO, 1);
    let mut plain = probe(
        Check::File {
            track_file: "plain",
        },
        dst,
        timing(100, 0, 100),
        true,
    );
    plain.track_file = Some(tf(0, "plain"));
    let mut weighted = probe(
        Check::File { track_file: "w" },
        dst,
        timing(100, 0, 100),
        false,
    );
    weighted.track_file = Some(tf(-2, "w"));
    weighted.subscribers[0].checker = 5;
    let (tx, rx) = sync_channel(16);
    let engine = Engine::start_probes(vec![plain, weighted], tx).unwrap();
    // Value 0: both up; FILE_CHECK ignores alpha, so nothing is reported.
    assert!(collect(&rx, Instant::now(), 1, ms(1300)).is_empty());
    std::fs::write(path, "3\n").unwrap();
    let evs = collect(&rx, Instant::now(), 2, ms(2500));
    engine.stop();
    let mut got: Vec<(usize, Status)> = evs
        .into_iter()
        .map(|(_, e)| (e.checker, e.status))
        .collect();
    got.sort_by_key(|(c, _)| *c);
    assert!(matches!(got[0], (1, Status::Down { .. })), "{got:?}");
    // Weighted: 10 + 3 * -2 = 4.
    assert_eq!(got[1], (5, Status::Weight(4)));
}

// ===== scale =====

fn fd_limit() -> u64 {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3)?.parse().ok())
        })
        .unwrap_or(1024)
}

#[test]
fn five_thousand_tcp_checks_in_flight() {
    const N: usize = 5000;
    let need = 2 * N as u64 + 200;
    if fd_limit() < need {
        // Raise the soft limit the only way a safe test can: a shell's
        // `ulimit`, running this one test again under it.
        if std::env::var_os("KAC_CHECK_REEXEC").is_some() {
            panic!("open file limit still {} after ulimit", fd_limit());
        }
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new("/bin/sh")
            .args([
                "-c",
                &format!("ulimit -n {need} || exit 77; exec \"$0\" \"$@\""),
            ])
            .arg(exe)
            .args([
                "five_thousand_tcp_checks_in_flight",
                "--exact",
                "--nocapture",
            ])
            .env("KAC_CHECK_REEXEC", "1")
            .output()
            .unwrap();
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        if out.status.code() == Some(77) {
            eprintln!(
                "SKIP: open file limit {} too low for {N} checks",
                fd_limit()
            );
            return;
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}"
        );
        return;
    }
    let l = TcpListener::bind((LO, 0)).unwrap();
    let addr = l.local_addr().unwrap();
    thread::spawn(move || {
        for s in l.incoming() {
            drop(s);
        }
    });
    // N distinct probes (one per source bind port would be too many
    // ports; distinct labels keep them from being merged).
    let t = timing(10_000, 0, 100);
    let probes: Vec<Probe> = (0..N)
        .map(|i| {
            let mut p = probe(Check::Tcp, addr, t, true);
            p.label = format!("rs{i}");
            p.subscribers[0].rs = i;
            p
        })
        .collect();
    let t0 = Instant::now();
    let cpu0 = thread_cpu_all();
    let evs = events(probes, N, ms(20_000));
    let wall = t0.elapsed();
    let cpu = thread_cpu_all() - cpu0;
    assert_eq!(evs.len(), N, "every check reported");
    assert!(evs.iter().all(|(_, e)| e.status == Status::Up));
    let mut rs: Vec<usize> = evs.iter().map(|(_, e)| e.rs).collect();
    rs.sort();
    rs.dedup();
    assert_eq!(rs.len(), N);
    eprintln!("{N} TCP checks: wall {wall:?}, process CPU {cpu:?}");
    assert!(wall < Duration::from_secs(10), "took {wall:?}");
}

/// Process CPU time (user + system) from /proc/self/stat, in ticks as
/// a Duration (100 Hz).
fn thread_cpu_all() -> Duration {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(") ").map(|(_, a)| a).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

#[test]
fn misc_runs_as_the_script_user() {
    if !is_root() {
        eprintln!("SKIP: switching users needs root");
        return;
    }
    let dst = SocketAddr::new(LO, 1);
    let check = |cmd: Command| Check::Misc {
        command: cmd,
        timeout: None,
        dynamic: false,
    };
    let as_nobody = sh("test \"$(id -u)\" = 65534").run_as("nobody", None);
    assert!(verdict(check(as_nobody), dst, 1000).0);
    // script_user from global_defs applies when the command names none.
    let mut p = probe(
        check(sh("test \"$(id -u)\" = 65534")),
        dst,
        timing(1000, 0, 100),
        true,
    );
    p.script_user = Some(("nobody", None));
    let evs = events(vec![p], 1, ms(3000));
    assert_eq!(evs[0].1.status, Status::Up);
    // An unknown user is a failure, not a run as root.
    let ghost = sh("exit 0").run_as("no-such-user-kac", None);
    assert!(!verdict(check(ghost), dst, 1000).0);
}

#[test]
fn warmup_spreads_the_first_checks() {
    let open = serve(|_s| {});
    let mut t = timing(1000, 0, 100);
    t.warmup = Some(ms(800));
    let probes: Vec<Probe> = (0..40)
        .map(|i| {
            let mut p = probe(Check::Tcp, open, t, true);
            p.label = format!("rs{i}");
            p
        })
        .collect();
    let evs = events(probes, 40, ms(5000));
    assert_eq!(evs.len(), 40);
    let times: Vec<Duration> = evs.iter().map(|(at, _)| *at).collect();
    let last = times.iter().max().copied().unwrap();
    let early = times.iter().filter(|t| **t < ms(400)).count();
    assert!(last < ms(1500), "all within warmup: {last:?}");
    assert!(last > ms(300), "spread, not all at once: {times:?}");
    assert!(early > 0 && early < 40, "spread: {times:?}");
}

#[test]
fn a_slow_consumer_loses_nothing() {
    let open = serve(|_s| {});
    let t = timing(1000, 0, 100);
    let probes: Vec<Probe> = (0..50)
        .map(|i| {
            let mut p = probe(Check::Tcp, open, t, true);
            p.label = format!("rs{i}");
            p.subscribers[0].rs = i;
            p
        })
        .collect();
    let (tx, rx) = sync_channel(1);
    let engine = Engine::start_probes(probes, tx).unwrap();
    let mut seen = Vec::new();
    while let Ok(ev) = rx.recv_timeout(ms(3000)) {
        seen.push(ev.rs);
        thread::sleep(ms(10));
        if seen.len() == 50 {
            break;
        }
    }
    engine.stop();
    seen.sort();
    assert_eq!(seen, (0..50).collect::<Vec<_>>());
}

/// CPU time (user, system) of this process's threads named `name`,
/// from /proc/self/task/*/stat (100 Hz ticks).
fn thread_cpu(name: &str) -> (Duration, Duration) {
    let (mut user, mut sys) = (0u64, 0u64);
    for t in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let comm =
            std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        let s =
            std::fs::read_to_string(t.path().join("stat")).unwrap_or_default();
        let after = s.rsplit_once(") ").map(|(_, a)| a).unwrap_or("");
        let f: Vec<&str> = after.split_whitespace().collect();
        let field = |i: usize| -> u64 {
            f.get(i).and_then(|v| v.parse().ok()).unwrap_or(0)
        };
        user += field(11);
        sys += field(12);
    }
    (
        Duration::from_millis(user * 10),
        Duration::from_millis(sys * 10),
    )
}

/// Not run by default (`--ignored`): 10,000 real servers under TCP_CHECK
/// every second for 10 s; prints the checker thread's CPU per second.
#[test]
#[ignore]
fn bench_ten_thousand_tcp_checks_per_second() {
    const N: usize = 10_000;
    // Spread by warmup, few checks are in flight at once.
    if fd_limit() < 4096 {
        eprintln!("SKIP: needs ulimit -n 4096");
        return;
    }
    let l = TcpListener::bind((LO, 0)).unwrap();
    let addr = l.local_addr().unwrap();
    thread::spawn(move || {
        for s in l.incoming() {
            drop(s);
        }
    });
    let mut t = timing(5000, 0, 100);
    t.delay_loop = Duration::from_secs(1);
    t.warmup = Some(Duration::from_secs(1));
    let probes: Vec<Probe> = (0..N)
        .map(|i| {
            let mut p = probe(Check::Tcp, addr, t, true);
            p.label = format!("rs{i}");
            p.subscribers[0].rs = i;
            p
        })
        .collect();
    let (tx, rx) = sync_channel(1024);
    let engine = Engine::start_probes(probes, tx).unwrap();
    let up = collect(&rx, Instant::now(), N, ms(10_000));
    assert_eq!(up.len(), N);
    let cpu0 = thread_cpu("kac-check");
    let t0 = Instant::now();
    thread::sleep(Duration::from_secs(10));
    let cpu1 = thread_cpu("kac-check");
    let (user, sys) = (cpu1.0 - cpu0.0, cpu1.1 - cpu0.1);
    let wall = t0.elapsed().as_secs_f64();
    assert!(rx.try_recv().is_err(), "no spurious transitions");
    engine.stop();
    eprintln!(
        "{N} TCP checks/s: checker thread {:.1}% of a core \
         (user {:.1}%, system {:.1}%)",
        100.0 * (user + sys).as_secs_f64() / wall,
        100.0 * user.as_secs_f64() / wall,
        100.0 * sys.as_secs_f64() / wall,
    );
}
