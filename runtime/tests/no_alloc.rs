//! No heap allocation per advertisement in steady state: a counting
//! global allocator around the per-advert work — the state machine's
//! timer and receive steps, emitting and checking an advert, and (as
//! root, on loopback only) sending and receiving it through a real raw
//! VRRP socket.

#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use kac_runtime::site::vrrp::Auth;
use kac_runtime::site::VrrpVersion;
use kac_runtime::sys::CountingAlloc;
use kac_runtime::time::Instant;
use kac_runtime::vrrp::machine::{Input, Machine, Params};
use kac_runtime::vrrp::rx::{check, Expect};
use kac_runtime::vrrp::socket::{RawRx, VrrpSocket};
use kac_runtime::wire::vrrp::{
    self as wv, Addrs, ChecksumMode, Family, Version,
};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

const ME: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1));
const PEER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
const VIPS: [u8; 8] = [192, 0, 2, 100, 192, 0, 2, 101];

fn params(priority: u8, primary: IpAddr) -> Params {
    Params {
        version: VrrpVersion::V2,
        priority,
        advert_int: 100,
        preempt: true,
        preempt_delay: Duration::ZERO,
        start_master: false,
        primary,
        down_timer_adverts: 3,
        lower_prio_no_advert: false,
        higher_prio_send_advert: false,
    }
}

#[test]
fn the_advert_path_does_not_allocate() {
    let mut master = Machine::new(params(255, ME));
    let mut backup = Machine::new(params(100, PEER));
    let t0 = Instant::from_micros(1_000_000);
    master.step(Input::Start, t0);
    backup.step(Input::Start, t0);
    let repr = wv::Repr {
        version: Version::V2,
        vrid: 51,
        priority: 255,
        interval_centis: 100,
        auth: wv::Auth::Pass(b"k4c-pass"),
        addrs: Addrs::new(Family::V4, &VIPS),
    };
    let expect = Expect {
        version: Version::V2,
        family: Family::V4,
        auth: Auth::Pass("k4c-pass"),
        advert_int: 100,
        vips: Addrs::new(Family::V4, &VIPS),
        checksum: ChecksumMode::Rfc,
        unicast: false,
        peers: &[],
        own: PEER,
        old_unicast_group: None,
    };
    let mut buf = [0u8; 64];
    let before = CountingAlloc::thread_count();
    let mut t = t0;
    for _ in 0..10_000 {
        t = t + Duration::from_secs(1);
        let out = master.step(Input::Timeout, t);
        assert!(!out.actions.is_empty());
        let len = repr.buffer_len();
        repr.emit(
            &mut wv::Packet::new_unchecked(&mut buf[..len]),
            ME,
            IpAddr::V4(Ipv4Addr::new(224, 0, 0, 18)),
            ChecksumMode::Rfc,
        );
        let rx = RawRx {
            payload: &buf[..len],
            src: ME,
            dst: IpAddr::V4(Ipv4Addr::new(224, 0, 0, 18)),
            ttl: 255,
            age: Duration::ZERO,
        };
        let a = check(&rx, t, &expect).unwrap();
        backup.step(Input::Advert(a.advert), t);
    }
    let n = CountingAlloc::thread_count() - before;
    assert_eq!(n, 0, "{n} allocations in 10,000 adverts");
}

#[test]
fn sending_and_receiving_on_a_raw_socket_does_not_allocate() {
    let s = match VrrpSocket::open("lo", 1, Family::V4, ME) {
        Ok(s) => s,
        Err(e) => {
            println!("skip: no raw socket here ({e})");
            return;
        }
    };
    let msg = [0x21u8, 51, 100, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut buf = vec![0u8; 65_536];
    // Warm up (first use of the socket may set things up lazily).
    s.send(ME, &msg).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    while s.recv(&mut buf).unwrap().is_some() {}
    let before = CountingAlloc::thread_count();
    let mut got = 0;
    for _ in 0..1_000 {
        s.send(ME, &msg).unwrap();
        while let Some(rx) = s.recv(&mut buf).unwrap() {
            if rx.payload.first() == Some(&0x21) {
                got += 1;
            }
        }
    }
    let n = CountingAlloc::thread_count() - before;
    assert!(got > 900, "received {got} of 1000");
    assert_eq!(n, 0, "{n} allocations in 1,000 send+receive");
}
