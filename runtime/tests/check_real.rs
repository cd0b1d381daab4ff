//! The checkers against real servers: run by tests/checkers/run.sh inside
//! the client namespace it builds (nginx on 192.0.2.10 and
//! [2001:db8::10], OpenSMTPD on 192.0.2.11, dnsmasq on 192.0.2.12;
//! nothing answers on 192.0.2.99). `KAC_CHECK_REAL` names the directory
//! holding the served pages; without it every test skips.

#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use kac_runtime::check::{genhash, Engine, Probe, Status, Subscriber};
use kac_runtime::site::lvs::{Check, Checker, Connect, Protocol, Timing, Url};

fn env() -> Option<PathBuf> {
    match std::env::var_os("KAC_CHECK_REAL") {
        Some(d) => Some(PathBuf::from(d)),
        None => {
            eprintln!("SKIP: run by tests/checkers/run.sh (KAC_CHECK_REAL)");
            None
        }
    }
}

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

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn probe(
    check: Check,
    dst: SocketAddr,
    c: Connect,
    t: Timing,
    alpha: bool,
) -> Probe {
    let checker = Checker {
        check,
        connect: c,
        timing: t,
        alpha,
    };
    let mut p = Probe::new(checker, dst.ip(), dst.port(), Protocol::Tcp);
    p.subscribers.push(Subscriber {
        vs: 0,
        rs: 0,
        checker: usize::from(alpha),
        weight: 1,
    });
    p
}

/// One attempt's verdict (see check_local.rs) and how long it took.
fn verdict_with(
    check: Check,
    dst: SocketAddr,
    c: Connect,
    t: Timing,
) -> (bool, Duration) {
    let (tx, rx) = sync_channel(8);
    let t0 = Instant::now();
    let engine = Engine::start_probes(
        vec![
            probe(check, dst, c, t, true),
            probe(check, dst, c, t, false),
        ],
        tx,
    )
    .unwrap();
    let limit =
        t.connect_timeout * (t.retry + 1) + t.delay_before_retry * t.retry;
    let ev = rx.recv_timeout(limit + ms(3000)).expect("a verdict");
    let at = t0.elapsed();
    engine.stop();
    match ev.status {
        Status::Up => (true, at),
        Status::Down { reason } => {
            eprintln!("{dst}: down: {reason}");
            (false, at)
        }
        Status::Weight(w) => panic!("weight {w}"),
    }
}

fn verdict(check: Check, dst: SocketAddr) -> bool {
    verdict_with(check, dst, Connect::default(), timing(2000, 0, 100)).0
}

fn md5_of(path: PathBuf) -> [u8; 16] {
    use md5::{Digest, Md5};
    Md5::digest(std::fs::read(&path).unwrap()).into()
}

fn leak<T>(v: Vec<T>) -> &'static [T] {
    Box::leak(v.into_boxed_slice())
}

fn get(tls: bool, sni: bool, urls: Vec<Url>) -> Check {
    Check::Http {
        tls,
        urls: leak(urls),
        virtualhost: None,
        sni,
    }
}

fn url(path: &'static str, digest: Option<[u8; 16]>) -> Url {
    Url {
        path,
        digest,
        status: &[],
        virtualhost: None,
    }
}

#[test]
fn nginx_http_get() {
    let Some(dir) = env() else { return };
    let home = md5_of(dir.join("www/index.html"));
    let vhost = md5_of(dir.join("vhost/index.html"));
    let web = addr("192.0.2.10:80");
    assert!(verdict(get(false, false, vec![url("/", Some(home))]), web));
    assert!(verdict(
        get(false, false, vec![url("/index.html", None)]),
        web
    ));
    // Wrong digest, a 404, a 503 and a redirect are failures...
    assert!(!verdict(
        get(false, false, vec![url("/", Some(vhost))]),
        web
    ));
    assert!(!verdict(
        get(false, false, vec![url("/missing", None)]),
        web
    ));
    assert!(!verdict(get(false, false, vec![url("/error", None)]), web));
    assert!(!verdict(get(false, false, vec![url("/moved", None)]), web));
    // ... unless status_code says otherwise.
    let want_404 = Url {
        status: &[(404, 404)],
        ..url("/missing", None)
    };
    assert!(verdict(get(false, false, vec![want_404]), web));
    let want_3xx = Url {
        status: &[(300, 399)],
        ..url("/moved", None)
    };
    assert!(verdict(get(false, false, vec![want_3xx]), web));
    // Every url must pass.
    assert!(!verdict(
        get(
            false,
            false,
            vec![url("/", Some(home)), url("/missing", None)]
        ),
        web
    ));
    // virtualhost picks nginx's name-based server.
    let v = Url {
        virtualhost: Some("vhost.example.org"),
        ..url("/", Some(vhost))
    };
    assert!(verdict(get(false, false, vec![v]), web));
    // IPv6.
    let web6 = addr("[2001:db8::10]:80");
    assert!(verdict(get(false, false, vec![url("/", Some(home))]), web6));
}

#[test]
fn nginx_ssl_get_and_sni() {
    let Some(dir) = env() else { return };
    let home = md5_of(dir.join("www/index.html"));
    let sni_page = md5_of(dir.join("sni/index.html"));
    let tls = addr("192.0.2.10:443");
    // A self-signed certificate is fine, as with keepalived.
    assert!(verdict(get(true, false, vec![url("/", Some(home))]), tls));
    assert!(!verdict(get(true, false, vec![url("/missing", None)]), tls));
    // With SNI the virtualhost selects nginx's TLS server; without, the
    // default one answers.
    let v = Url {
        virtualhost: Some("sni.example.org"),
        ..url("/", Some(sni_page))
    };
    assert!(verdict(get(true, true, vec![v]), tls));
    assert!(!verdict(get(true, false, vec![v]), tls));
    // Plain HTTP to the TLS port: not a web server we understand.
    assert!(!verdict(get(false, false, vec![url("/", None)]), tls));
    // SSL_GET to the plain port: the handshake fails.
    assert!(!verdict(
        get(true, false, vec![url("/", None)]),
        addr("192.0.2.10:80")
    ));
}

#[test]
fn genhash_against_nginx() {
    let Some(dir) = env() else { return };
    let home = md5_of(dir.join("www/index.html"));
    let vhost = md5_of(dir.join("vhost/index.html"));
    let sni_page = md5_of(dir.join("sni/index.html"));
    let o = genhash::Options::default();
    assert_eq!(genhash::genhash("http://192.0.2.10/", &o).unwrap(), home);
    assert_eq!(genhash::genhash("https://192.0.2.10/", &o).unwrap(), home);
    assert_eq!(
        genhash::genhash("http://[2001:db8::10]/", &o).unwrap(),
        home
    );
    let v = genhash::Options {
        virtualhost: Some("vhost.example.org".into()),
        ..Default::default()
    };
    assert_eq!(genhash::genhash("http://192.0.2.10/", &v).unwrap(), vhost);
    let s = genhash::Options {
        virtualhost: Some("sni.example.org".into()),
        sni: true,
        ..Default::default()
    };
    assert_eq!(
        genhash::genhash("https://192.0.2.10/", &s).unwrap(),
        sni_page
    );
}

#[test]
fn opensmtpd_smtp_check() {
    if env().is_none() {
        return;
    }
    let smtp = Check::Smtp {
        helo_name: Some("checker.example.org"),
    };
    assert!(verdict(smtp, addr("192.0.2.11:25")));
    assert!(verdict(
        Check::Smtp { helo_name: None },
        addr("192.0.2.11:25")
    ));
    // nginx is not an MTA; nothing listens on 26.
    assert!(!verdict(smtp, addr("192.0.2.10:80")));
    assert!(!verdict(smtp, addr("192.0.2.11:26")));
}

#[test]
fn dnsmasq_dns_check() {
    if env().is_none() {
        return;
    }
    let dns = addr("192.0.2.12:53");
    let q = |query_type, name| Check::Dns { query_type, name };
    assert!(verdict(q("A", "www.example.org"), dns));
    // NXDOMAIN (rcode 3) inside the local domain, REFUSED outside it.
    assert!(!verdict(q("A", "missing.example.org"), dns));
    assert!(!verdict(q("A", "www.example.net"), dns));
    // keepalived's rule is the rcode, not the answer count: an AAAA query
    // for a name with only an A record is NOERROR.
    assert!(verdict(q("AAAA", "www.example.org"), dns));
    // No DNS server on nginx's address: ICMP port unreachable.
    let (up, at) = verdict_with(
        q("A", "www.example.org"),
        addr("192.0.2.10:53"),
        Connect::default(),
        timing(2000, 0, 100),
    );
    assert!(!up && at < ms(1500), "{at:?}");
}

#[test]
fn udp_check_against_dnsmasq() {
    if env().is_none() {
        return;
    }
    let udp = Check::Udp { payload: None };
    assert!(verdict(udp, addr("192.0.2.12:53")));
    assert!(!verdict(udp, addr("192.0.2.12:54")));
}

#[test]
fn ping_check() {
    if env().is_none() {
        return;
    }
    // First with ping sockets refused (a new namespace's default "1 0":
    // the raw socket fallback), then allowed (unprivileged ICMP
    // datagram sockets). The sysctl is this namespace's own.
    let range = "/proc/sys/net/ipv4/ping_group_range";
    for allowed in ["1 0", "0 2147483647"] {
        std::fs::write(range, allowed).unwrap();
        assert!(verdict(Check::Ping, addr("192.0.2.10:0")), "{allowed}");
        assert!(verdict(Check::Ping, addr("[2001:db8::10]:0")), "{allowed}");
        let (up, at) = verdict_with(
            Check::Ping,
            addr("192.0.2.99:0"),
            Connect::default(),
            timing(500, 0, 100),
        );
        assert!(!up && at >= ms(500) && at < ms(1500), "{at:?}");
    }
}

#[test]
fn tcp_timeout_to_a_silent_host_is_honoured() {
    if env().is_none() {
        return;
    }
    // Nothing answers ARP for .99: every SYN vanishes. retry 1: two
    // attempts of 400 ms with 300 ms between them.
    let (up, at) = verdict_with(
        Check::Tcp,
        addr("192.0.2.99:80"),
        Connect::default(),
        timing(400, 1, 300),
    );
    assert!(!up);
    assert!(at >= ms(1100) && at < ms(1700), "down after {at:?}");
}

#[test]
fn connect_options_on_real_interfaces() {
    if env().is_none() {
        return;
    }
    let web = addr("192.0.2.10:80");
    let t = timing(800, 0, 100);
    let via = |dev: &'static str| Connect {
        bind_if: Some(dev),
        fwmark: Some(42),
        bindto: Some(IpAddr::from([192, 0, 2, 1])),
        ..Connect::default()
    };
    assert!(verdict_with(Check::Tcp, web, via("kc0"), t).0);
    // Bound to lo, the server is not reachable.
    assert!(!verdict_with(Check::Tcp, web, via("lo"), t).0);
    // A bindto address this namespace does not have.
    let foreign = Connect {
        bindto: Some(IpAddr::from([198, 51, 100, 7])),
        ..Connect::default()
    };
    assert!(!verdict_with(Check::Tcp, web, foreign, t).0);
}
