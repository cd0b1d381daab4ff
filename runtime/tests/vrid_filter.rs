//! The kernel-side VRID filter: a raw VRRP socket filtered to some VRIDs
//! receives only those (as root, on loopback only).

#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use kac_runtime::vrrp::socket::VrrpSocket;
use kac_runtime::wire::vrrp::Family;

const LO: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1));

#[test]
fn only_our_vrids_reach_the_socket() {
    let s = match VrrpSocket::open("lo", 1, Family::V4, LO) {
        Ok(s) => s,
        Err(e) => {
            println!("skip: no raw socket here ({e})");
            return;
        }
    };
    s.filter_vrids(&[51, 53]).unwrap();
    let mut buf = vec![0u8; 65_536];
    for vrid in 40..60u8 {
        let msg = [0x21u8, vrid, 100, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        s.send(LO, &msg).unwrap();
    }
    std::thread::sleep(Duration::from_millis(50));
    let mut got = Vec::new();
    while let Some(rx) = s.recv(&mut buf).unwrap() {
        got.push(rx.payload[1]);
    }
    got.sort();
    assert_eq!(got, vec![51, 53]);
}
