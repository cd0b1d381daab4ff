//! The IPVS client, diff and pool against a real IPVS kernel. The host
//! kernel here has none: every test returns early (saying so) when
//! `/proc/net/ip_vs` is absent. `tests/ipvs-vm/run.sh` builds this
//! binary static and runs it in a VM with Debian's kernel, one test at a
//! time (they share the kernel's table): `--test-threads=1`.
//!
//! `ipvsadm` (from `$KAC_IPVSADM`, else `/usr/sbin/ipvsadm`) is the
//! independent witness: tables written by the client are read back with
//! `ipvsadm -Ln`, and tables written with ipvsadm are read by the client.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::process::Command;

use kac_runtime::ipvs::client::{Client, SyncDaemon, SyncState, Timeouts};
use kac_runtime::ipvs::diff::{diff, Change};
use kac_runtime::ipvs::pool::Pool;
use kac_runtime::ipvs::table::{
    DestKey, DestSpec, Forward, Proto, ServiceKey, ServiceSpec, Table, Tunnel,
    F_ONEPACKET, F_PERSISTENT, F_SCHED1, F_SCHED2,
};

/// A client on a flushed table, or None without IPVS.
fn fresh() -> Option<Client> {
    if !std::path::Path::new("/proc/net/ip_vs").exists() {
        eprintln!("skipped: no IPVS in this kernel (/proc/net/ip_vs)");
        return None;
    }
    let mut c = Client::open().unwrap();
    c.flush().unwrap();
    Some(c)
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn tcp(addr: &str, port: u16) -> ServiceKey {
    ServiceKey::Addr {
        proto: Proto::Tcp,
        addr: ip(addr),
        port,
    }
}

fn dk(addr: &str, port: u16) -> DestKey {
    DestKey {
        addr: ip(addr),
        port,
    }
}

fn ds(forward: Forward, weight: u32) -> DestSpec {
    DestSpec {
        forward,
        weight,
        u_threshold: 0,
        l_threshold: 0,
    }
}

/// Applies `diff(kernel, want)` and returns the changes.
fn converge(c: &mut Client, want: &Table) -> Vec<Change> {
    let changes = diff(&c.dump().unwrap(), want);
    for ch in &changes {
        c.apply(ch).unwrap_or_else(|e| panic!("{ch}: {e}"));
    }
    changes
}

fn ipvsadm(args: &[&str]) -> String {
    let bin = std::env::var("KAC_IPVSADM")
        .unwrap_or_else(|_| "/usr/sbin/ipvsadm".into());
    let out = Command::new(&bin).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "ipvsadm {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `ipvsadm -Ln` reduced to lines "SERVICE SCHED" and
/// "SERVICE -> DEST FORWARD WEIGHT".
fn ipvsadm_view() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut service = String::new();
    for line in ipvsadm(&["-Ln"]).lines() {
        let t: Vec<&str> = line.split_whitespace().collect();
        match t.as_slice() {
            ["FWM", mark, "IPv6", sched, ..] => {
                service = format!("FWM {mark} IPv6");
                out.insert(format!("{service} {sched}"));
            }
            ["FWM", mark, sched, ..] => {
                service = format!("FWM {mark}");
                out.insert(format!("{service} {sched}"));
            }
            [p @ ("TCP" | "UDP" | "SCTP"), addr, sched, ..] => {
                service = format!("{p} {addr}");
                out.insert(format!("{service} {sched}"));
            }
            ["->", addr, fwd, weight, _, _]
                if *addr != "RemoteAddress:Port" =>
            {
                out.insert(format!("{service} -> {addr} {fwd} {weight}"));
            }
            _ => {}
        }
    }
    out
}

/// The same view of a table.
fn view(t: &Table) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (k, s) in &t.services {
        out.insert(format!("{k} {}", s.spec.scheduler));
        for (d, spec) in &s.dests {
            out.insert(format!(
                "{k} -> {d} {} {}",
                spec.forward.word(),
                spec.weight
            ));
        }
    }
    out
}

/// Every kind of service and destination the kernel offers.
fn everything() -> Table {
    let mut t = Table::new();
    let schedulers = [
        "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "mh", "sed",
        "nq", "fo", "ovf",
    ];
    for (i, s) in schedulers.iter().enumerate() {
        let key = tcp("192.0.2.1", 1000 + i as u16);
        t.add_service(key, ServiceSpec::new(s, false));
        t.add_dest(
            &key,
            dk("198.51.100.1", 80),
            ds(Forward::Masq, 1 + i as u32),
        );
    }
    // UDP, one-packet scheduling.
    let udp = ServiceKey::Addr {
        proto: Proto::Udp,
        addr: ip("192.0.2.2"),
        port: 53,
    };
    let mut spec = ServiceSpec::new("rr", false);
    spec.flags = F_ONEPACKET;
    t.add_service(udp, spec);
    t.add_dest(&udp, dk("198.51.100.2", 53), ds(Forward::Masq, 2));
    // SCTP with sh flags, direct routing.
    let sctp = ServiceKey::Addr {
        proto: Proto::Sctp,
        addr: ip("192.0.2.3"),
        port: 9,
    };
    let mut spec = ServiceSpec::new("sh", false);
    spec.flags = F_SCHED1 | F_SCHED2;
    t.add_service(sctp, spec);
    t.add_dest(&sctp, dk("198.51.100.3", 9), ds(Forward::Route, 5));
    // Persistent fwmark with a granularity, tunnels of each kind.
    let fwm = ServiceKey::Fwmark {
        mark: 7,
        ipv6: false,
    };
    let mut spec = ServiceSpec::new("wlc", false);
    spec.flags = F_PERSISTENT;
    spec.timeout = 300;
    spec.netmask = 24;
    t.add_service(fwm, spec);
    t.add_dest(&fwm, dk("198.51.100.4", 0), ds(Forward::ipip(), 1));
    let gue = Forward::Tunnel(Tunnel {
        kind: 1,
        port: 6080,
        flags: 2,
    });
    t.add_dest(&fwm, dk("198.51.100.5", 0), ds(gue, 2));
    let gre = Forward::Tunnel(Tunnel {
        kind: 2,
        port: 0,
        flags: 1,
    });
    t.add_dest(&fwm, dk("198.51.100.6", 0), ds(gre, 3));
    // Thresholds.
    t.add_dest(
        &fwm,
        dk("198.51.100.7", 0),
        DestSpec {
            forward: Forward::Route,
            weight: 4,
            u_threshold: 100,
            l_threshold: 10,
        },
    );
    // IPv6: mh with its flags, a persistent IPv6 fwmark.
    let v6 = tcp("2001:db8::1", 443);
    let mut spec = ServiceSpec::new("mh", true);
    spec.flags = F_SCHED1 | F_SCHED2;
    t.add_service(v6, spec);
    t.add_dest(&v6, dk("2001:db8::10", 8443), ds(Forward::Masq, 1));
    t.add_dest(&v6, dk("2001:db8::11", 443), ds(Forward::Route, 0));
    let fwm6 = ServiceKey::Fwmark {
        mark: 8,
        ipv6: true,
    };
    let mut spec = ServiceSpec::new("lc", true);
    spec.flags = F_PERSISTENT;
    spec.timeout = 60;
    spec.netmask = 64;
    t.add_service(fwm6, spec);
    t.add_dest(&fwm6, dk("2001:db8::12", 0), ds(Forward::ipip(), 1));
    // The SIP persistence engine.
    let sip = ServiceKey::Addr {
        proto: Proto::Udp,
        addr: ip("192.0.2.4"),
        port: 5060,
    };
    let mut spec = ServiceSpec::new("rr", false);
    spec.flags = F_PERSISTENT;
    spec.timeout = 360;
    spec.pe_name = Some("sip".into());
    t.add_service(sip, spec);
    t.add_dest(&sip, dk("198.51.100.8", 5060), ds(Forward::Masq, 1));
    t
}

#[test]
fn without_ipvs_opening_says_why() {
    if std::path::Path::new("/proc/net/ip_vs").exists() {
        return;
    }
    let e = Client::open().err().unwrap();
    assert_eq!(
        e.to_string(),
        "resolving the generic netlink family IPVS (is ip_vs loaded?): ENOENT"
    );
}

#[test]
fn every_kind_of_service_round_trips() {
    let Some(mut c) = fresh() else { return };
    let want = everything();
    let changes = converge(&mut c, &want);
    assert_eq!(
        changes.len(),
        want.services.len() + want.dest_count(),
        "only additions on an empty table"
    );
    let got = c.dump().unwrap();
    assert_eq!(got, want, "kernel:\n{got}\nwanted:\n{want}");
    assert!(diff(&got, &want).is_empty());
    // ipvsadm sees the same table.
    assert_eq!(ipvsadm_view(), view(&want));
}

#[test]
fn settings_are_edited_in_place() {
    let Some(mut c) = fresh() else { return };
    let mut want = everything();
    converge(&mut c, &want);
    // New scheduler, flags and persistence; new weight, method,
    // thresholds and tunnel options.
    for s in want.services.values_mut() {
        s.spec.scheduler = "wrr".into();
        s.spec.flags ^= F_PERSISTENT;
        s.spec.timeout = if s.spec.flags & F_PERSISTENT != 0 {
            30
        } else {
            0
        };
        if s.spec.pe_name.is_some() {
            // The SIP engine needs persistence: keep it.
            s.spec.flags |= F_PERSISTENT;
            s.spec.timeout = 30;
        }
        for d in s.dests.values_mut() {
            d.weight += 10;
            d.u_threshold = 50;
            d.l_threshold = 5;
            if let Forward::Tunnel(t) = &mut d.forward {
                t.flags = 4;
            }
        }
    }
    let changes = converge(&mut c, &want);
    assert!(!changes.is_empty());
    assert!(
        changes.iter().all(|c| matches!(
            c,
            Change::EditService { .. } | Change::EditDest { .. }
        )),
        "edits only: {changes:#?}"
    );
    let got = c.dump().unwrap();
    assert_eq!(got, want, "kernel:\n{got}\nwanted:\n{want}");
    assert_eq!(ipvsadm_view(), view(&want));
    // Deleting: one destination, then one service.
    let key = tcp("192.0.2.1", 1000);
    want.services.get_mut(&key).unwrap().dests.clear();
    want.services.remove(&tcp("192.0.2.1", 1001));
    let changes = converge(&mut c, &want);
    assert_eq!(changes.len(), 2, "{changes:#?}");
    assert_eq!(c.dump().unwrap(), want);
}

#[test]
fn errors_name_the_object_and_the_errno() {
    let Some(mut c) = fresh() else { return };
    let key = tcp("192.0.2.1", 80);
    let spec = ServiceSpec::new("wlc", false);
    c.add_service(&key, &spec).unwrap();
    let e = c.add_service(&key, &spec).unwrap_err();
    assert_eq!(
        e.to_string(),
        "adding virtual server TCP 192.0.2.1:80: EEXIST"
    );
    let d = dk("192.0.2.10", 80);
    c.add_dest(&key, &d, &ds(Forward::Masq, 1)).unwrap();
    let e = c.add_dest(&key, &d, &ds(Forward::Masq, 1)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "adding real server 192.0.2.10:80 to TCP 192.0.2.1:80: EEXIST"
    );
    let missing = tcp("192.0.2.9", 80);
    let e = c.add_dest(&missing, &d, &ds(Forward::Masq, 1)).unwrap_err();
    assert_eq!(e.errno(), Some(nix::errno::Errno::ESRCH), "{e}");
    let e = c.del_dest(&key, &dk("192.0.2.11", 80)).unwrap_err();
    assert_eq!(e.errno(), Some(nix::errno::Errno::ENOENT), "{e}");
    let e = c.del_service(&missing).unwrap_err();
    assert_eq!(e.errno(), Some(nix::errno::Errno::ESRCH), "{e}");
    let e = c
        .add_service(&missing, &ServiceSpec::new("nosuch", false))
        .unwrap_err();
    assert_eq!(e.errno(), Some(nix::errno::Errno::ENOENT), "{e}");
    assert!(e
        .to_string()
        .starts_with("adding virtual server TCP 192.0.2.9:80"));
    // The failed requests left the table as it was.
    let t = c.dump().unwrap();
    assert_eq!(t.services.len(), 1);
    assert_eq!(t.dest_count(), 1);
}

#[test]
fn tables_written_by_ipvsadm_are_read_back() {
    let Some(mut c) = fresh() else { return };
    ipvsadm(&[
        "-A",
        "-t",
        "192.0.2.1:80",
        "-s",
        "rr",
        "-p",
        "120",
        "-M",
        "255.255.255.0",
    ]);
    ipvsadm(&[
        "-a",
        "-t",
        "192.0.2.1:80",
        "-r",
        "198.51.100.1:8080",
        "-m",
        "-w",
        "3",
        "-x",
        "9",
        "-y",
        "2",
    ]);
    ipvsadm(&[
        "-A",
        "-u",
        "[2001:db8::1]:53",
        "-s",
        "sh",
        "-b",
        "sh-port",
        "-o",
    ]);
    ipvsadm(&[
        "-a",
        "-u",
        "[2001:db8::1]:53",
        "-r",
        "[2001:db8::2]:53",
        "-g",
        "-w",
        "0",
    ]);
    ipvsadm(&["-A", "-f", "9", "-s", "wlc"]);
    let t = c.dump().unwrap();
    let mut want = Table::new();
    let k = tcp("192.0.2.1", 80);
    let mut spec = ServiceSpec::new("rr", false);
    spec.flags = F_PERSISTENT;
    spec.timeout = 120;
    spec.netmask = 24;
    want.add_service(k, spec);
    want.add_dest(
        &k,
        dk("198.51.100.1", 8080),
        DestSpec {
            forward: Forward::Masq,
            weight: 3,
            u_threshold: 9,
            l_threshold: 2,
        },
    );
    let k6 = ServiceKey::Addr {
        proto: Proto::Udp,
        addr: ip("2001:db8::1"),
        port: 53,
    };
    let mut spec = ServiceSpec::new("sh", true);
    spec.flags = F_SCHED2 | F_ONEPACKET;
    want.add_service(k6, spec);
    want.add_dest(&k6, dk("2001:db8::2", 53), ds(Forward::Route, 0));
    want.add_service(
        ServiceKey::Fwmark {
            mark: 9,
            ipv6: false,
        },
        ServiceSpec::new("wlc", false),
    );
    assert_eq!(t, want, "kernel:\n{t}\nwanted:\n{want}");
}

#[test]
fn a_messy_table_converges_to_the_pool_in_one_pass() {
    let Some(mut c) = fresh() else { return };
    // What the pool wants: site::MESSY (two virtual servers, one of them
    // a group of three addresses and a fwmark), r2 of the first down.
    let mut pool = Pool::new(&site::MESSY);
    pool.set_checker(0, 1, 0, false);
    let want = pool.desired();
    // The kernel: a stale service, a wrong scheduler, a stale and a
    // wrongly weighted destination, a missing one.
    ipvsadm(&["-A", "-t", "192.0.2.99:80", "-s", "rr"]);
    ipvsadm(&["-A", "-t", "192.0.2.1:80", "-s", "rr"]);
    ipvsadm(&[
        "-a",
        "-t",
        "192.0.2.1:80",
        "-r",
        "198.51.100.1:80",
        "-m",
        "-w",
        "9",
    ]);
    ipvsadm(&[
        "-a",
        "-t",
        "192.0.2.1:80",
        "-r",
        "198.51.100.2:80",
        "-m",
        "-w",
        "1",
    ]);
    ipvsadm(&[
        "-a",
        "-t",
        "192.0.2.1:80",
        "-r",
        "198.51.100.50:80",
        "-g",
        "-w",
        "1",
    ]);
    ipvsadm(&["-A", "-u", "192.0.2.11:53", "-s", "wlc"]);
    let before = c.dump().unwrap();
    let changes = converge(&mut c, &want);
    for ch in &changes {
        eprintln!("{ch}");
    }
    let after = c.dump().unwrap();
    assert_eq!(after, want, "kernel:\n{after}\nwanted:\n{want}");
    assert!(diff(&after, &want).is_empty(), "second pass");
    // Minimal: one change per difference.
    let dels = changes
        .iter()
        .filter(|c| matches!(c, Change::DelService { .. }))
        .count();
    assert_eq!(dels, 1, "only the stale service goes");
    assert!(before.services.len() < after.services.len());
    assert_eq!(ipvsadm_view(), view(&want));
}

#[test]
fn timeouts_are_set_and_read() {
    let Some(mut c) = fresh() else { return };
    let old = c.timeouts().unwrap();
    assert!(old.tcp > 0, "{old:?}");
    let t = Timeouts {
        tcp: 901,
        tcp_fin: 121,
        udp: 301,
    };
    c.set_timeouts(t).unwrap();
    assert_eq!(c.timeouts().unwrap(), t);
    // Zero leaves a value unchanged.
    c.set_timeouts(Timeouts {
        tcp: 0,
        tcp_fin: 0,
        udp: 302,
    })
    .unwrap();
    assert_eq!(c.timeouts().unwrap(), Timeouts { udp: 302, ..t });
    let text = ipvsadm(&["-L", "--timeout"]);
    assert!(text.contains("901 121 302"), "{text}");
    c.set_timeouts(old).unwrap();
}

#[test]
fn the_sync_daemon_starts_and_stops() {
    let Some(mut c) = fresh() else { return };
    let ifname = std::env::var("KAC_SYNC_IF").unwrap_or_else(|_| "lo".into());
    for st in [SyncState::Master, SyncState::Backup] {
        let _ = c.stop_daemon(st);
    }
    let d = SyncDaemon {
        state: SyncState::Master,
        interface: ifname.clone(),
        sync_id: 42,
        maxlen: None,
        port: None,
        ttl: None,
        group: None,
    };
    c.start_daemon(&d).unwrap();
    c.start_daemon(&SyncDaemon {
        state: SyncState::Backup,
        sync_id: 43,
        ..d.clone()
    })
    .unwrap();
    let mut got = c.daemons().unwrap();
    got.sort_by_key(|(_, _, id)| *id);
    assert_eq!(
        got,
        [
            (SyncState::Master, ifname.clone(), 42),
            (SyncState::Backup, ifname.clone(), 43)
        ]
    );
    let text = ipvsadm(&["-L", "--daemon"]);
    assert!(text.contains("master sync daemon"), "{text}");
    let e = c.start_daemon(&d).unwrap_err();
    assert_eq!(e.errno(), Some(nix::errno::Errno::EEXIST), "{e}");
    c.stop_daemon(SyncState::Master).unwrap();
    c.stop_daemon(SyncState::Backup).unwrap();
    assert!(c.daemons().unwrap().is_empty());
}

/// Not a test of its own: `tests/ipvs-vm/guest.sh` runs it (with
/// `--ignored`) to program the traffic test's table from the pool of
/// site::TRAFFIC, in the state named by `$KAC_IPVS_STEP` ("up": both
/// real servers alive; "r1-down": the first one's checker failed;
/// "r1-inhibit": the same with `inhibit_on_failure`).
#[test]
#[ignore]
fn program_traffic_table() {
    let Some(mut c) = Client::open().ok() else {
        panic!("no IPVS");
    };
    let step = std::env::var("KAC_IPVS_STEP");
    let mut pool = Pool::new(match step.as_deref() {
        Ok("r1-inhibit") => &site::TRAFFIC_INHIBIT,
        _ => &site::TRAFFIC,
    });
    match step.as_deref() {
        Ok("up") => {}
        Ok("r1-down" | "r1-inhibit") => {
            pool.set_checker(0, 0, 0, false);
        }
        other => panic!("KAC_IPVS_STEP: {other:?}"),
    }
    for ch in converge(&mut c, &pool.desired()) {
        println!("applied: {ch}");
    }
    for e in pool.take_events() {
        println!("event: {:?} rs {:?}", e.kind, e.rs);
    }
}

/// Hand-built site tables (what the compiler would generate).
mod site {
    use core::net::{IpAddr, Ipv4Addr};
    use core::time::Duration;

    use kac_runtime::site::lvs::{
        Check, Checker, Connect, GroupEntry, Method, Protocol, RealServer,
        Service, Timing, VirtualServer,
    };
    use kac_runtime::site::Site;

    const TCP_CHECK: &[Checker] = &[Checker {
        check: Check::Tcp,
        connect: Connect {
            ip: None,
            port: None,
            bindto: None,
            bind_port: None,
            bind_if: None,
            fwmark: None,
        },
        timing: Timing {
            delay_loop: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
            retry: 1,
            delay_before_retry: Duration::from_secs(1),
            warmup: None,
        },
        alpha: false,
    }];

    const fn rs(
        a: [u8; 4],
        port: u16,
        weight: u32,
        method: Method,
    ) -> RealServer {
        RealServer {
            addr: IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3])),
            port,
            weight,
            method,
            uthreshold: None,
            lthreshold: None,
            inhibit_on_failure: false,
            notify_up: None,
            notify_down: None,
            checkers: TCP_CHECK,
        }
    }

    const fn vs(
        service: Service,
        protocol: Protocol,
        scheduler: &'static str,
        real_servers: &'static [RealServer],
    ) -> VirtualServer {
        VirtualServer {
            scheduler,
            ..VirtualServer::new(
                service,
                protocol,
                real_servers,
                "virtual_server",
            )
        }
    }

    const fn site(virtual_servers: &'static [VirtualServer]) -> Site {
        Site {
            name: "ipvs-kernel",
            virtual_servers,
            ..Site::EMPTY
        }
    }

    const VIP: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));

    pub static MESSY: Site = site(&[
        vs(
            Service::Addr {
                addr: VIP,
                port: 80,
            },
            Protocol::Tcp,
            "wlc",
            &[
                rs([198, 51, 100, 1], 80, 1, Method::Nat),
                rs([198, 51, 100, 2], 80, 2, Method::Nat),
                rs([198, 51, 100, 3], 80, 1, Method::Nat),
            ],
        ),
        vs(
            Service::Group {
                name: "G",
                entries: &[
                    GroupEntry::Range {
                        first: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
                        last: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 12)),
                        port: 53,
                    },
                    GroupEntry::Fwmark {
                        mark: 3,
                        ipv6: false,
                    },
                ],
            },
            Protocol::Udp,
            "rr",
            &[rs([198, 51, 100, 20], 53, 1, Method::Dr)],
        ),
    ]);

    /// The traffic test: NAT to two busybox httpd in namespaces.
    pub static TRAFFIC: Site = site(&[vs(
        Service::Addr {
            addr: VIP,
            port: 80,
        },
        Protocol::Tcp,
        "rr",
        &[
            rs([203, 0, 113, 2], 80, 1, Method::Nat),
            rs([203, 0, 113, 18], 80, 1, Method::Nat),
        ],
    )]);

    /// The same, the first real server with `inhibit_on_failure`.
    pub static TRAFFIC_INHIBIT: Site = site(&[vs(
        Service::Addr {
            addr: VIP,
            port: 80,
        },
        Protocol::Tcp,
        "rr",
        &[
            RealServer {
                inhibit_on_failure: true,
                ..rs([203, 0, 113, 2], 80, 1, Method::Nat)
            },
            rs([203, 0, 113, 18], 80, 1, Method::Nat),
        ],
    )]);
}

/// 10,000 real servers (100 services of 100): applied one acknowledged
/// request at a time, dumped back, then one weight change found and
/// applied; the times are printed for the record.
#[test]
fn ten_thousand_real_servers() {
    let Some(mut c) = fresh() else { return };
    let mut want = Table::new();
    for s in 0..100u16 {
        let key = tcp("192.0.2.1", 10_000 + s);
        want.add_service(key, ServiceSpec::new("wlc", false));
        for d in 0..100u8 {
            let addr = IpAddr::V4([203, 0, 113, d].into());
            want.add_dest(
                &key,
                DestKey { addr, port: 80 },
                ds(Forward::Route, 1),
            );
        }
    }
    let t0 = std::time::Instant::now();
    let n = converge(&mut c, &want).len();
    let applied = t0.elapsed();
    let t1 = std::time::Instant::now();
    let got = c.dump().unwrap();
    let dumped = t1.elapsed();
    assert_eq!(n, 10_100);
    assert_eq!(got, want);
    let key = tcp("192.0.2.1", 10_050);
    let d = DestKey {
        addr: ip("203.0.113.7"),
        port: 80,
    };
    want.services
        .get_mut(&key)
        .unwrap()
        .dests
        .get_mut(&d)
        .unwrap()
        .weight = 0;
    let t2 = std::time::Instant::now();
    let changes = diff(&got, &want);
    assert_eq!(changes.len(), 1);
    c.apply(&changes[0]).unwrap();
    let one = t2.elapsed();
    println!(
        "10,100 requests applied in {applied:?}, table dumped in \
         {dumped:?}, one weight change diffed and applied in {one:?}"
    );
    c.flush().unwrap();
}
