//! Byte-exact tests against what keepalived 2.2.7 put on the wire
//! (`tests/captures/*.hex`, made by `tests/captures/capture.sh`): every
//! captured advert, gratuitous ARP and neighbour advertisement parses to
//! what the capture's config says, and emitting the parsed form gives
//! back the captured bytes.

#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use kac_runtime::wire::vrrp::{self, Auth, ChecksumMode, Family, Version};
use kac_runtime::wire::{arp, ipv4, ndisc, Mac};

const KEEPALIVED_MAC: Mac = Mac([0x02, 0, 0, 0, 0x0a, 0x01]);

fn frames(name: &str) -> Vec<Vec<u8>> {
    let path =
        format!("{}/tests/captures/{name}.hex", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            (0..l.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&l[i..i + 2], 16).unwrap())
                .collect()
        })
        .collect()
}

#[derive(Debug, Default)]
struct Seen {
    adverts: Vec<(u8, u8, u16, Vec<IpAddr>)>,
    garps: Vec<Ipv4Addr>,
    nas: Vec<Ipv6Addr>,
}

/// Checks each frame round-trips and collects what it said.
fn check(name: &str) -> Seen {
    let mut seen = Seen::default();
    for f in frames(name) {
        let ethertype = u16::from_be_bytes([f[12], f[13]]);
        match ethertype {
            0x0800 => {
                let ip = ipv4::Packet::new_checked(&f[14..]).unwrap();
                assert_eq!(ip.ttl(), vrrp::TTL);
                assert_eq!(ip.protocol(), vrrp::PROTOCOL);
                let (src, dst) = (IpAddr::V4(ip.src()), IpAddr::V4(ip.dst()));
                let payload = ip.payload();
                let p = vrrp::Packet::new_checked(payload, Family::V4).unwrap();
                let r = vrrp::Repr::parse(
                    &p,
                    Family::V4,
                    src,
                    dst,
                    ChecksumMode::Rfc,
                )
                .unwrap();
                let mut out = vec![0u8; r.buffer_len()];
                r.emit(
                    &mut vrrp::Packet::new_unchecked(&mut out[..]),
                    src,
                    dst,
                    ChecksumMode::Rfc,
                );
                assert_eq!(out, payload, "{name}: re-emitted advert differs");
                if let Auth::Pass(p) = r.auth {
                    assert_eq!(p, b"k4c-pass");
                }
                seen.adverts.push((
                    r.version.number(),
                    r.priority,
                    r.interval_centis,
                    r.addrs.iter().collect(),
                ));
            }
            0x0806 => {
                let fr = arp::Frame::new_checked(&f[..]).unwrap();
                let r = arp::Repr::parse(&fr).unwrap();
                assert_eq!(
                    r,
                    arp::Repr::gratuitous(KEEPALIVED_MAC, r.sender_ip)
                );
                let mut out = [0u8; arp::FRAME_LEN];
                r.emit(&mut out);
                assert_eq!(&out[..], &f[..arp::FRAME_LEN]);
                seen.garps.push(r.sender_ip);
            }
            0x86dd => {
                let ip6 = &f[14..];
                assert_eq!(ip6[7], 255, "hop limit");
                let next = ip6[6];
                let src =
                    Ipv6Addr::from(<[u8; 16]>::try_from(&ip6[8..24]).unwrap());
                let dst =
                    Ipv6Addr::from(<[u8; 16]>::try_from(&ip6[24..40]).unwrap());
                let plen = usize::from(u16::from_be_bytes([ip6[4], ip6[5]]));
                let payload = &ip6[40..40 + plen];
                if next == vrrp::PROTOCOL {
                    let (s, d) = (IpAddr::V6(src), IpAddr::V6(dst));
                    let p =
                        vrrp::Packet::new_checked(payload, Family::V6).unwrap();
                    let r = vrrp::Repr::parse(
                        &p,
                        Family::V6,
                        s,
                        d,
                        ChecksumMode::Rfc,
                    )
                    .unwrap();
                    assert_eq!(r.version, Version::V3);
                    let mut out = vec![0u8; r.buffer_len()];
                    r.emit(
                        &mut vrrp::Packet::new_unchecked(&mut out[..]),
                        s,
                        d,
                        ChecksumMode::Rfc,
                    );
                    assert_eq!(
                        out, payload,
                        "{name}: re-emitted advert differs"
                    );
                    seen.adverts.push((
                        3,
                        r.priority,
                        r.interval_centis,
                        r.addrs.iter().collect(),
                    ));
                } else {
                    assert_eq!(next, ndisc::NEXT_HEADER);
                    assert_eq!(dst, ndisc::ALL_NODES);
                    let r = ndisc::Repr::parse(payload, src, dst).unwrap();
                    assert_eq!(
                        r,
                        ndisc::Repr::unsolicited(KEEPALIVED_MAC, r.target)
                    );
                    // keepalived sends it from the address it announces.
                    assert_eq!(src, r.target);
                    let mut out = [0u8; ndisc::MESSAGE_LEN];
                    r.emit(&mut out, src, dst);
                    assert_eq!(&out[..], payload);
                    seen.nas.push(r.target);
                }
            }
            other => panic!("{name}: unexpected ethertype {other:#06x}"),
        }
    }
    seen
}

fn v4(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn vrrp_v2_with_password() {
    let s = check("v2-pass");
    let vips = vec![v4("192.0.2.100"), v4("192.0.2.101")];
    assert!(s.adverts.len() >= 3, "{s:?}");
    let (last, rest) = s.adverts.split_last().unwrap();
    for a in rest {
        assert_eq!(a, &(2, 200, 100, vips.clone()));
    }
    // On SIGTERM the master resigns with priority 0.
    assert_eq!(last, &(2, 0, 100, vips));
    assert!(s.garps.contains(&"192.0.2.100".parse().unwrap()));
    assert!(s.garps.contains(&"192.0.2.101".parse().unwrap()));
}

#[test]
fn vrrp_v3_ipv4() {
    let s = check("v3-ipv4");
    let (last, rest) = s.adverts.split_last().unwrap();
    assert!(!rest.is_empty());
    for a in rest {
        assert_eq!(a, &(3, 150, 50, vec![v4("192.0.2.110")]));
    }
    assert_eq!(last.1, 0);
    assert!(!s.garps.is_empty());
}

#[test]
fn vrrp_v3_ipv6_and_neighbour_adverts() {
    let s = check("v3-ipv6");
    let vips = vec![v4("2001:db8::100"), v4("2001:db8::101")];
    let (last, rest) = s.adverts.split_last().unwrap();
    assert!(!rest.is_empty());
    for a in rest {
        assert_eq!(a, &(3, 120, 100, vips.clone()));
    }
    assert_eq!(last.1, 0);
    assert!(s.nas.contains(&"2001:db8::100".parse().unwrap()));
    assert!(s.nas.contains(&"2001:db8::101".parse().unwrap()));
}

#[test]
fn a_flipped_bit_is_refused() {
    // Every single-bit corruption of a captured advert is refused or
    // parses to something else: the checksum catches it.
    let f = &frames("v3-ipv4")[0];
    let ip = ipv4::Packet::new_checked(&f[14..]).unwrap();
    let (src, dst) = (IpAddr::V4(ip.src()), IpAddr::V4(ip.dst()));
    let payload = ip.payload().to_vec();
    for bit in 0..payload.len() * 8 {
        let mut bad = payload.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let p = vrrp::Packet::new_unchecked(&bad[..]);
        assert!(
            vrrp::Repr::parse(&p, Family::V4, src, dst, ChecksumMode::Rfc)
                .is_err(),
            "bit {bit} flipped still parses"
        );
    }
}

#[test]
fn v3_checksum_as_v2_is_a_different_checksum() {
    let f = &frames("v3-ipv4")[0];
    let ip = ipv4::Packet::new_checked(&f[14..]).unwrap();
    let (src, dst) = (IpAddr::V4(ip.src()), IpAddr::V4(ip.dst()));
    let p = vrrp::Packet::new_checked(ip.payload(), Family::V4).unwrap();
    let r =
        vrrp::Repr::parse(&p, Family::V4, src, dst, ChecksumMode::Rfc).unwrap();
    // keepalived's RFC-mode advert fails in v3_checksum_as_v2 mode...
    assert!(
        vrrp::Repr::parse(&p, Family::V4, src, dst, ChecksumMode::V3AsV2)
            .is_err()
    );
    // ...and one emitted in that mode verifies only in that mode.
    let mut out = vec![0u8; r.buffer_len()];
    r.emit(
        &mut vrrp::Packet::new_unchecked(&mut out[..]),
        src,
        dst,
        ChecksumMode::V3AsV2,
    );
    let q = vrrp::Packet::new_checked(&out[..], Family::V4).unwrap();
    assert!(
        vrrp::Repr::parse(&q, Family::V4, src, dst, ChecksumMode::V3AsV2)
            .is_ok()
    );
    assert!(
        vrrp::Repr::parse(&q, Family::V4, src, dst, ChecksumMode::Rfc).is_err()
    );
}

#[test]
fn announce_frames_equal_keepalived_frames() {
    use kac_runtime::vrrp::announce::{garp_frame, na_frame};
    for f in frames("v2-pass").iter().chain(&frames("v3-ipv6")) {
        match u16::from_be_bytes([f[12], f[13]]) {
            0x0806 => {
                let ip = Ipv4Addr::new(f[38], f[39], f[40], f[41]);
                assert_eq!(&garp_frame(KEEPALIVED_MAC, ip)[..], &f[..]);
            }
            0x86dd if f[20] == ndisc::NEXT_HEADER => {
                let target =
                    Ipv6Addr::from(<[u8; 16]>::try_from(&f[62..78]).unwrap());
                assert_eq!(&na_frame(KEEPALIVED_MAC, target)[..], &f[..]);
            }
            _ => {}
        }
    }
}
