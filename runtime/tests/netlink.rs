//! The netlink reflector and commander against a real kernel, each test
//! in its own network namespace (`kacnl-PID-TAG`, see `netlink/ns.rs`)
//! on veth pairs, with documentation addresses only. Skipped with a
//! printed reason when the process cannot create namespaces.
//!
//! `cargo test -p kac-runtime --test netlink -- --nocapture` shows the
//! timings.

#![allow(clippy::unwrap_used)]

#[path = "netlink/ns.rs"]
mod ns;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use kac_runtime::netlink::{
    Change, Commander, ErrorKind, Options, Outcome, Reflector,
};
use kac_runtime::site::addr::{Address, Broadcast, Scope};
use kac_runtime::site::types::Prefix;
use kac_runtime::wire::Mac;
use ns::Netns;
use rustix::event::{poll, PollFd, PollFlags, Timespec};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn address(prefix: Prefix) -> Address {
    Address::plain(prefix, "")
}

/// Polls the reflector's fd and processes events until `done` holds for
/// the changes seen so far, or `timeout` passes (then panics with them).
fn wait_for(
    r: &mut Reflector,
    timeout: Duration,
    what: &str,
    done: impl Fn(&Reflector, &[Change]) -> bool,
) -> Vec<Change> {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    loop {
        r.process(&mut |c| seen.push(c)).unwrap();
        if done(r, &seen) {
            return seen;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out waiting for {what}: {seen:#?}");
        let t = Timespec {
            tv_sec: 0,
            tv_nsec: left.min(Duration::from_millis(100)).as_nanos() as _,
        };
        poll(&mut [PollFd::new(&*r, PollFlags::IN)], Some(&t)).unwrap();
    }
}

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn initial_dump_sees_links_and_addresses() {
    let Some(ns) = Netns::new("dump") else { return };
    ns.ip("link add v0 address 02:00:00:00:00:10 type veth peer name v1");
    ns.ip("link set v0 up");
    ns.ip("link set v1 up");
    ns.ip("addr add 192.0.2.1/24 dev v0");
    ns.ip("addr add 192.0.2.2/24 dev v0");
    ns.ip("addr add 2001:db8::1/64 dev v0 nodad");
    let r = ns.run(Reflector::open).unwrap();

    let v0 = r.link_by_name("v0").expect("v0 in the dump").clone();
    assert_eq!(v0.index, ns.ifindex("v0"));
    assert_eq!(r.link(v0.index), Some(&v0));
    assert_eq!(v0.mac, Some(Mac([2, 0, 0, 0, 0, 0x10])));
    assert_eq!(v0.kind.as_deref(), Some("veth"));
    assert!(v0.admin_up() && v0.carrier() && v0.is_usable());
    assert!(r.link_by_name("lo").is_some());
    assert_eq!(r.links().count(), 3);

    let addrs: Vec<IpAddr> =
        r.addresses(v0.index).iter().map(|a| a.addr).collect();
    for a in ["192.0.2.1", "192.0.2.2", "2001:db8::1"] {
        assert!(addrs.contains(&ip(a)), "{a} not in {addrs:?}");
        assert_eq!(r.has_address(ip(a)), Some(v0.index));
    }
    assert_eq!(r.has_address(ip("198.51.100.1")), None);
    assert_eq!(r.primary_v4(v0.index), Some("192.0.2.1".parse().unwrap()));
    let second = r
        .addresses(v0.index)
        .iter()
        .find(|a| a.addr == ip("192.0.2.2"))
        .unwrap();
    assert!(second.secondary() && second.prefix_len == 24);
    let v6 = r
        .addresses(v0.index)
        .iter()
        .find(|a| a.addr == ip("2001:db8::1"))
        .unwrap();
    assert!(v6.nodad() && !v6.tentative());
    assert_eq!(r.stats().resyncs, 0);
}

#[test]
fn link_and_address_events() {
    let Some(ns) = Netns::new("events") else {
        return;
    };
    ns.ip("link add v0 type veth peer name v1");
    let mut r = ns.run(Reflector::open).unwrap();
    let v0 = ns.ifindex("v0");
    assert!(!r.link(v0).unwrap().admin_up());

    // Admin up, but the peer is down: no carrier.
    ns.ip("link set v0 up");
    wait_for(&mut r, SECOND, "v0 admin up", |r, _| {
        r.link(v0).unwrap().admin_up()
    });
    assert!(!r.link(v0).unwrap().carrier());
    assert!(!r.link(v0).unwrap().is_usable());

    // The peer comes up: carrier, usable.
    ns.ip("link set v1 up");
    let seen = wait_for(&mut r, SECOND, "v0 usable", |_, seen| {
        seen.iter().any(|c| {
            matches!(c, Change::LinkState { index, before, after }
                if *index == v0 && !before.is_usable() && after.is_usable())
        })
    });
    assert!(r.link(v0).unwrap().is_usable(), "{seen:?}");

    // The kernel reports an autoconfigured link-local address once DAD
    // is done; until then there is none to send from.
    wait_for(&mut r, 5 * SECOND, "a usable link-local", |r, _| {
        r.link_local_v6(v0).is_some()
    });
    let ll = r.link_local_v6(v0).unwrap();
    assert!(ll.segments()[0] == 0xfe80, "{ll}");

    // An address added with DAD: tentative first, then usable.
    ns.ip("addr add 2001:db8::5/64 dev v0");
    let seen = wait_for(&mut r, 5 * SECOND, "DAD completion", |_, seen| {
        seen.iter().any(|c| {
            matches!(c, Change::AddressChanged { before, after }
                if after.addr == ip("2001:db8::5")
                    && before.tentative() && after.usable_as_source())
        })
    });
    assert!(
        seen.iter().any(|c| matches!(c, Change::AddressAdded(a)
            if a.addr == ip("2001:db8::5") && a.tentative())),
        "{seen:#?}"
    );

    ns.ip("addr add 198.51.100.7/24 dev v0");
    wait_for(&mut r, SECOND, "address added", |_, seen| {
        seen.iter().any(|c| {
            matches!(c, Change::AddressAdded(a)
            if a.addr == ip("198.51.100.7")
                && a.index == v0
                && a.prefix_len == 24)
        })
    });
    assert_eq!(r.has_address(ip("198.51.100.7")), Some(v0));
    ns.ip("addr del 198.51.100.7/24 dev v0");
    wait_for(&mut r, SECOND, "address removed", |_, seen| {
        seen.iter().any(|c| {
            matches!(c, Change::AddressRemoved(a)
            if a.addr == ip("198.51.100.7"))
        })
    });
    assert_eq!(r.has_address(ip("198.51.100.7")), None);

    ns.ip("link set v0 address 00:00:5e:00:01:33");
    wait_for(&mut r, SECOND, "MAC change", |_, seen| {
        seen.iter().any(|c| {
            matches!(c, Change::MacChanged { index, after, .. }
                if *index == v0 && *after == Some(Mac::vrrp(0x33, false)))
        })
    });

    // The peer goes down: v0 stays admin up but loses carrier.
    ns.ip("link set v1 down");
    let seen = wait_for(&mut r, SECOND, "v0 carrier loss", |_, seen| {
        seen.iter().any(|c| {
            matches!(c, Change::LinkState { index, after, .. }
            if *index == v0 && !after.carrier())
        })
    });
    let l = r.link(v0).unwrap();
    assert!(l.admin_up() && !l.is_usable(), "{seen:?}");

    ns.ip("link set v0 name lan0");
    wait_for(&mut r, SECOND, "rename", |_, seen| {
        seen.iter().any(
            |c| matches!(c, Change::LinkRenamed { new, .. } if new == "lan0"),
        )
    });
    assert_eq!(r.link_by_name("lan0").unwrap().index, v0);

    ns.ip("link del lan0");
    let seen = wait_for(&mut r, SECOND, "both veth ends removed", |r, _| {
        r.links().count() == 1
    });
    let removed: Vec<&str> = seen
        .iter()
        .filter_map(|c| match c {
            Change::LinkRemoved(l) => Some(l.name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(removed.len(), 2, "{seen:#?}");
    assert!(removed.contains(&"lan0") && removed.contains(&"v1"));
    assert!(r.addresses(v0).is_empty());
    assert_eq!(r.stats().decode_errors, 0);
}

#[test]
fn commander_adds_and_removes_addresses() {
    let Some(ns) = Netns::new("cmd") else { return };
    ns.ip("link add v0 type veth peer name v1");
    ns.ip("link set v0 up");
    ns.ip("link set v1 up");
    let v0 = ns.ifindex("v0");
    let (mut c, mut r) =
        ns.run(|| (Commander::open().unwrap(), Reflector::open().unwrap()));

    // IPv4 with label, brd + and scope link.
    let vip = Address {
        label: Some("v0:vip"),
        broadcast: Some(Broadcast::Plus),
        scope: Some(Scope::Name("link")),
        line: "192.0.2.10/24 brd + dev v0 scope link label v0:vip",
        ..address(Prefix::v4([192, 0, 2, 10], 24))
    };
    assert_eq!(c.add_address(v0, &vip).unwrap(), Outcome::Done);
    let info = ns.addr_info("v0", "192.0.2.10").expect("added");
    assert_eq!(info["prefixlen"], 24);
    assert_eq!(info["broadcast"], "192.0.2.255");
    assert_eq!(info["scope"], "link");
    assert_eq!(info["label"], "v0:vip");
    assert_eq!(c.add_address(v0, &vip).unwrap(), Outcome::AlreadyPresent);

    // The reflector sees the commander's change.
    wait_for(&mut r, SECOND, "the VIP", |_, seen| {
        seen.iter().any(|ch| {
            matches!(ch, Change::AddressAdded(a)
            if a.addr == ip("192.0.2.10")
                && a.label.as_deref() == Some("v0:vip")
                && a.broadcast == Some("192.0.2.255".parse().unwrap())
                && a.scope == 253)
        })
    });

    // IPv6: NODAD always, so it is usable at once; home, noprefixroute.
    let vip6 = Address {
        home: true,
        noprefixroute: true,
        ..address(Prefix::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10], 64))
    };
    assert_eq!(c.add_address(v0, &vip6).unwrap(), Outcome::Done);
    let info = ns.addr_info("v0", "2001:db8::10").expect("added");
    assert_eq!(info["prefixlen"], 64);
    assert_eq!(info["nodad"], true, "{info}");
    assert_eq!(info["home"], true, "{info}");
    assert_eq!(info["noprefixroute"], true, "{info}");
    assert!(info.get("tentative").is_none(), "{info}");
    let routes = ns.ip("-6 route show dev v0");
    assert!(!routes.contains("2001:db8::/64"), "noprefixroute: {routes}");
    wait_for(&mut r, SECOND, "the IPv6 VIP", |r, _| {
        r.addresses(v0).iter().any(|a| {
            a.addr == ip("2001:db8::10") && a.nodad() && a.usable_as_source()
        })
    });

    // Point-to-point: IFA_LOCAL is ours, IFA_ADDRESS the peer's.
    let ptp = Address {
        peer: Some(ip("203.0.113.2")),
        ..address(Prefix::v4([203, 0, 113, 1], 32))
    };
    assert_eq!(c.add_address(v0, &ptp).unwrap(), Outcome::Done);
    let info = ns.addr_info("v0", "203.0.113.1").expect("added");
    assert_eq!(info["address"], "203.0.113.2", "{info}");
    assert_eq!(info["prefixlen"], 32);

    // Scope by number; brd -.
    let site = Address {
        scope: Some(Scope::Id(200)),
        broadcast: Some(Broadcast::Minus),
        ..address(Prefix::v4([198, 51, 100, 77], 26))
    };
    assert_eq!(c.add_address(v0, &site).unwrap(), Outcome::Done);
    let info = ns.addr_info("v0", "198.51.100.77").expect("added");
    assert_eq!(info["scope"], "site");
    assert_eq!(info["broadcast"], "198.51.100.64");

    for a in [&vip, &vip6, &ptp, &site] {
        assert_eq!(c.del_address(v0, a).unwrap(), Outcome::Done, "{a:?}");
        assert_eq!(c.del_address(v0, a).unwrap(), Outcome::AlreadyAbsent);
        let local = a.prefix.addr().to_string();
        assert!(ns.addr_info("v0", &local).is_none(), "{local} still there");
    }
    wait_for(&mut r, SECOND, "all four removed", |r, _| {
        [&vip, &vip6, &ptp, &site]
            .iter()
            .all(|a| r.has_address(a.prefix.addr()).is_none())
    });

    // A request that gives up before the kernel's ack: the late ack must
    // not be taken for the next request's (sequence numbers).
    let late = address(Prefix::v4([192, 0, 2, 20], 24));
    c.set_timeout(Duration::ZERO);
    let e = c.add_address(v0, &late).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Timeout(_)), "{e}");
    c.set_timeout(SECOND);
    assert_eq!(c.add_address(v0, &late).unwrap(), Outcome::AlreadyPresent);
    assert_eq!(c.del_address(v0, &late).unwrap(), Outcome::Done);

    // A label that does not start with the interface name: the kernel
    // takes it (only iproute2 objects), as keepalived relies on.
    let odd = Address {
        label: Some("lan:1"),
        line: "192.0.2.11/24 dev v0 label lan:1",
        ..address(Prefix::v4([192, 0, 2, 11], 24))
    };
    assert_eq!(c.add_address(v0, &odd).unwrap(), Outcome::Done);
    let info = ns.addr_info("v0", "192.0.2.11").unwrap();
    assert_eq!(info["label"], "lan:1");
    assert_eq!(c.del_address(v0, &odd).unwrap(), Outcome::Done);

    // The kernel's refusal carries the errno's name and the address.
    let e = c
        .add_address(9999, &address(Prefix::v4([192, 0, 2, 12], 24)))
        .unwrap_err();
    assert_eq!(e.errno(), Some(libc::ENODEV), "{e}");
    let text = e.to_string();
    assert!(
        text.starts_with("adding 192.0.2.12/24 to ifindex 9999: ENODEV"),
        "{text}"
    );
    let e = c.del_address(9999, &vip).unwrap_err();
    let text = e.to_string();
    assert!(
        text.starts_with("removing 192.0.2.10/24 from ifindex 9999 [`")
            && text.contains("`]: ENODEV (No such device)"),
        "{text}"
    );
}

#[test]
fn lost_events_resync() {
    let Some(ns) = Netns::new("enobufs") else {
        return;
    };
    ns.ip("link add v0 type veth peer name v1");
    ns.ip("link set v0 up");
    ns.ip("addr add 192.0.2.1/24 dev v0");
    // The smallest receive buffer the kernel allows: a burst of address
    // events overflows it while nobody reads.
    let opts = Options {
        rcvbuf: Some(1),
        ..Options::default()
    };
    let mut r = ns.run(|| Reflector::open_with(opts)).unwrap();
    let v0 = ns.ifindex("v0");
    let n = 200;
    let mut lines = String::new();
    for i in 0..n {
        lines += &format!("addr add 2001:db8::{:x}/64 dev v0 nodad\n", i + 1);
    }
    lines += "addr del 192.0.2.1/24 dev v0\n";
    ns.batch(&lines);

    let mut seen = Vec::new();
    r.process(&mut |c| seen.push(c)).unwrap();
    assert!(
        seen.contains(&Change::Resync),
        "no resync: {} changes",
        seen.len()
    );
    assert!(r.stats().resyncs >= 1);
    // After the resync the view is complete and what changed was
    // reported, the removal included.
    let v6 = r
        .addresses(v0)
        .iter()
        .filter(|a| a.addr.is_ipv6() && !a.addr.to_string().starts_with("fe80"))
        .count();
    assert_eq!(v6, n);
    assert_eq!(r.has_address(ip("192.0.2.1")), None);
    assert!(seen.iter().any(
        |c| matches!(c, Change::AddressRemoved(a) if a.addr == ip("192.0.2.1"))
    ));
    for i in 0..n {
        let a = ip(&format!("2001:db8::{:x}", i + 1));
        let added = seen
            .iter()
            .filter(|c| matches!(c, Change::AddressAdded(x) if x.addr == a))
            .count();
        assert_eq!(added, 1, "{a} reported {added} times");
    }
    eprintln!(
        "resync: {} changes, {} resyncs, {} messages",
        seen.len(),
        r.stats().resyncs,
        r.stats().messages
    );
}

/// Numbers for the report: the initial dump of many links, and the
/// commander's round trip.
#[test]
fn timings() {
    let Some(ns) = Netns::new("timing") else {
        return;
    };
    let pairs = 100;
    let mut lines = String::new();
    for i in 0..pairs {
        lines += &format!("link add a{i} type veth peer name b{i}\n");
        lines += &format!("addr add 192.0.2.{}/32 dev a{i}\n", i + 1);
        lines +=
            &format!("addr add 2001:db8::{:x}/128 dev a{i} nodad\n", i + 1);
    }
    ns.batch(&lines);
    let (r, took) = ns.run(|| {
        let t = Instant::now();
        let r = Reflector::open().unwrap();
        (r, t.elapsed())
    });
    let links = r.links().count();
    assert_eq!(links, 2 * pairs + 1);
    // Ours, and lo's 127.0.0.1 and ::1.
    assert_eq!(r.view().all_addresses().count(), 2 * pairs + 2);
    eprintln!(
        "initial dump: {links} links, {} addresses in {took:?}",
        2 * pairs
    );

    let mut c = ns.run(|| Commander::open().unwrap());
    let a0 = ns.ifindex("a0");
    let n = 200u16;
    let vips: Vec<Address> = (0..n)
        .map(|i| address(Prefix::v6([0x2001, 0xdb8, 1, 0, 0, 0, 0, i + 1], 64)))
        .collect();
    let t = Instant::now();
    for a in &vips {
        assert_eq!(c.add_address(a0, a).unwrap(), Outcome::Done);
    }
    let add = t.elapsed();
    let t = Instant::now();
    for a in &vips {
        assert_eq!(c.del_address(a0, a).unwrap(), Outcome::Done);
    }
    let del = t.elapsed();
    eprintln!(
        "commander: {n} adds in {add:?} ({:?} each), \
         {n} removals in {del:?} ({:?} each)",
        add / u32::from(n),
        del / u32::from(n)
    );
}
