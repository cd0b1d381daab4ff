//! The receive checks on adverts captured from keepalived 2.2.7, and on
//! each kind of bad packet made from them: every RFC 5798 §7.1 discard
//! is dropped with its own reason; what keepalived only logs (another
//! address list, a v3 interval) is accepted and flagged.

#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use kac_runtime::site::vrrp::Auth;
use kac_runtime::time::Instant;
use kac_runtime::vrrp::rx::{check, Counters, Drop, Expect};
use kac_runtime::vrrp::socket::RawRx;
use kac_runtime::wire::checksum;
use kac_runtime::wire::vrrp::{Addrs, ChecksumMode, Family, Version};

fn frame(name: &str, n: usize) -> Vec<u8> {
    let path =
        format!("{}/tests/captures/{name}.hex", env!("CARGO_MANIFEST_DIR"));
    let line = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && &l[24..28] != "0806")
        .nth(n)
        .unwrap()
        .to_owned();
    (0..line.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&line[i..i + 2], 16).unwrap())
        .collect()
}

const SRC: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
const GROUP: IpAddr = IpAddr::V4(Ipv4Addr::new(224, 0, 0, 18));
const ME: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

/// The VRRP payload of the first v2 advert (Ethernet 14 + IPv4 20).
fn v2_payload() -> Vec<u8> {
    frame("v2-pass", 0)[34..].to_vec()
}

const VIPS_V2: [u8; 8] = [192, 0, 2, 100, 192, 0, 2, 101];

fn expect_v2(vips: &[u8]) -> Expect<'_> {
    Expect {
        version: Version::V2,
        family: Family::V4,
        auth: Auth::Pass("k4c-pass"),
        advert_int: 100,
        vips: Addrs::new(Family::V4, vips),
        checksum: ChecksumMode::Rfc,
        unicast: false,
        peers: &[],
        own: ME,
        old_unicast_group: None,
    }
}

fn rx(payload: &[u8], ttl: u8) -> RawRx<'_> {
    RawRx {
        payload,
        src: SRC,
        dst: GROUP,
        ttl,
        age: Duration::from_millis(3),
    }
}

/// Recomputes the VRRPv2 checksum after an edit.
fn fix_checksum(p: &mut [u8]) {
    p[6] = 0;
    p[7] = 0;
    let c = checksum::of(p);
    p[6..8].copy_from_slice(&c.to_be_bytes());
}

#[test]
fn keepalived_advert_is_accepted_with_its_receive_time() {
    let p = v2_payload();
    let now = Instant::from_micros(10_000_000);
    let a = check(&rx(&p, 255), now, &expect_v2(&VIPS_V2)).unwrap();
    assert_eq!(a.advert.priority, 200);
    assert_eq!(a.advert.from, SRC);
    assert_eq!(a.advert.at, now - Duration::from_millis(3));
    assert!(!a.addr_list_mismatch);
}

#[test]
fn every_discard_has_its_reason() {
    let good = v2_payload();
    let now = Instant::from_micros(1);
    let e = expect_v2(&VIPS_V2);
    let mut cases: Vec<(&str, Vec<u8>, u8, Drop)> = Vec::new();
    cases.push(("ttl 254", good.clone(), 254, Drop::Ttl));
    let mut v = good.clone();
    v[0] = 0x31;
    fix_checksum(&mut v);
    cases.push(("version 3", v, 255, Drop::Version));
    let mut v = good.clone();
    v[0] = 0x22;
    fix_checksum(&mut v);
    cases.push(("type 2", v, 255, Drop::Type));
    let mut v = good.clone();
    v[6] ^= 0xff;
    cases.push(("checksum", v, 255, Drop::Checksum));
    let mut v = good.clone();
    let n = v.len();
    v[n - 1] = b'x';
    fix_checksum(&mut v);
    cases.push(("password", v, 255, Drop::AuthFailure));
    let mut v = good.clone();
    v[4] = 0;
    fix_checksum(&mut v);
    cases.push(("auth type none", v, 255, Drop::AuthType));
    let mut v = good.clone();
    v[4] = 7;
    fix_checksum(&mut v);
    cases.push(("auth type 7", v, 255, Drop::Malformed));
    let mut v = good.clone();
    v[5] = 2;
    fix_checksum(&mut v);
    cases.push(("interval 2 s", v, 255, Drop::Interval));
    let mut v = good.clone();
    v[3] = 9;
    cases.push(("count past the end", v, 255, Drop::Length));
    cases.push(("truncated", good[..7].to_vec(), 255, Drop::Length));
    let mut counters = Counters::default();
    for (what, p, ttl, want) in cases {
        let r = check(&rx(&p, ttl), now, &e);
        assert_eq!(r, Err(want), "{what}");
        counters.count(&r);
    }
    assert_eq!(counters.accepted, 0);
    assert_eq!(counters.dropped(Drop::Length), 2);
    assert_eq!(counters.dropped(Drop::Ttl), 1);
    // Our own packet (multicast loopback is off, but a unicast peer list
    // could name us).
    let mut own = rx(&good, 255);
    own.src = ME;
    assert_eq!(check(&own, now, &e), Err(Drop::OwnPacket));
}

#[test]
fn address_list_differences_are_accepted_and_flagged() {
    let p = v2_payload();
    let now = Instant::from_micros(1);
    let other = [192, 0, 2, 100, 192, 0, 2, 102];
    let a = check(&rx(&p, 255), now, &expect_v2(&other)).unwrap();
    assert!(a.addr_list_mismatch);
    let fewer = [192, 0, 2, 100];
    let a = check(&rx(&p, 255), now, &expect_v2(&fewer)).unwrap();
    assert!(a.addr_list_mismatch);
    // Order does not matter.
    let swapped = [192, 0, 2, 101, 192, 0, 2, 100];
    let a = check(&rx(&p, 255), now, &expect_v2(&swapped)).unwrap();
    assert!(!a.addr_list_mismatch);
}

#[test]
fn v3_interval_difference_is_accepted() {
    let f = frame("v3-ipv4", 0);
    let p = f[34..].to_vec();
    let vips = [192, 0, 2, 110];
    let e = Expect {
        version: Version::V3,
        family: Family::V4,
        auth: Auth::None,
        advert_int: 100,
        vips: Addrs::new(Family::V4, &vips),
        checksum: ChecksumMode::Rfc,
        unicast: false,
        peers: &[],
        own: ME,
        old_unicast_group: None,
    };
    let a = check(&rx(&p, 255), Instant::from_micros(1), &e).unwrap();
    assert!(a.interval_differs);
    assert_eq!(a.advert.interval, 50);
    // In v3_checksum_as_v2 mode keepalived's RFC checksum fails.
    let e2 = Expect {
        checksum: ChecksumMode::V3AsV2,
        ..e
    };
    assert_eq!(
        check(&rx(&p, 255), Instant::from_micros(1), &e2),
        Err(Drop::Checksum)
    );
}

#[test]
fn unicast_instances_accept_routed_ttls() {
    let p = v2_payload();
    let mut e = expect_v2(&VIPS_V2);
    e.unicast = true;
    assert!(check(&rx(&p, 60), Instant::from_micros(1), &e).is_ok());
}

#[test]
fn old_unicast_checksums_are_accepted_only_when_configured() {
    use kac_runtime::wire::vrrp as wv;
    // A unicast VRRPv3 advert to us whose checksum was computed with the
    // group in the pseudo-header (keepalived before 1.3.6).
    let vips = [192, 0, 2, 110];
    let repr = wv::Repr {
        version: Version::V3,
        vrid: 52,
        priority: 150,
        interval_centis: 100,
        auth: wv::Auth::None,
        addrs: Addrs::new(Family::V4, &vips),
    };
    let mut buf = [0u8; 12];
    repr.emit(
        &mut wv::Packet::new_unchecked(&mut buf[..]),
        SRC,
        GROUP,
        ChecksumMode::Rfc,
    );
    let unicast = RawRx {
        payload: &buf,
        src: SRC,
        dst: ME,
        ttl: 255,
        age: Duration::ZERO,
    };
    let mut e = Expect {
        version: Version::V3,
        family: Family::V4,
        auth: Auth::None,
        advert_int: 100,
        vips: Addrs::new(Family::V4, &vips),
        checksum: ChecksumMode::Rfc,
        unicast: true,
        peers: &[],
        own: ME,
        old_unicast_group: None,
    };
    let now = Instant::from_micros(1);
    assert_eq!(check(&unicast, now, &e), Err(Drop::Checksum));
    e.old_unicast_group = Some(GROUP);
    assert!(check(&unicast, now, &e).is_ok());
}

#[test]
fn unicast_peer_ttl_ranges_are_enforced() {
    use kac_runtime::site::vrrp::UnicastPeer;
    let p = v2_payload();
    let peers = [UnicastPeer {
        address: SRC,
        min_ttl: Some(250),
        max_ttl: Some(255),
    }];
    let mut e = expect_v2(&VIPS_V2);
    e.unicast = true;
    e.peers = &peers;
    let now = Instant::from_micros(1);
    assert!(check(&rx(&p, 254), now, &e).is_ok());
    assert_eq!(check(&rx(&p, 249), now, &e), Err(Drop::Ttl));
    // A peer without a range takes any TTL (routed unicast).
    e.peers = &[];
    assert!(check(&rx(&p, 60), now, &e).is_ok());
}
