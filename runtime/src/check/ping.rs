//! PING_CHECK: one ICMP (or ICMPv6) echo, answered within
//! `connect_timeout`. An unprivileged ICMP datagram socket when
//! `ping_group_range` allows it, else a raw socket (root).

use std::io;
use std::net::{IpAddr, SocketAddr};

use nix::sys::socket::{SockProtocol, SockType};
use tokio::net::UdpSocket;
use tokio::time::timeout;

use super::plan::Probe;
use super::schedule::{Attempt, Weighting};

const PAYLOAD: &[u8; 16] = b"kac PING_CHECK  ";

/// The Internet checksum (RFC 1071).
pub fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for pair in data.chunks(2) {
        let word = match pair {
            [a, b] => u16::from_be_bytes([*a, *b]),
            [a] => u16::from_be_bytes([*a, 0]),
            _ => 0,
        };
        sum += u32::from(word);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An echo request (type 8, or 128 for ICMPv6; the kernel fills the
/// ICMPv6 checksum).
pub fn echo_request(v6: bool, id: u16, seq: u16) -> Vec<u8> {
    let mut m = vec![if v6 { 128 } else { 8 }, 0, 0, 0];
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(PAYLOAD);
    if !v6 {
        let c = checksum(&m);
        m[2..4].copy_from_slice(&c.to_be_bytes());
    }
    m
}

/// Whether `msg` (the ICMP part) is the reply to our request. A datagram
/// socket's id is the kernel's, so only a raw socket matches it.
pub fn is_reply(v6: bool, msg: &[u8], id: Option<u16>, seq: u16) -> bool {
    msg.len() >= 8
        && msg[0] == if v6 { 129 } else { 0 }
        && msg[6..8] == seq.to_be_bytes()
        && id.is_none_or(|id| msg[4..6] == id.to_be_bytes())
}

fn open(p: &Probe) -> io::Result<(UdpSocket, bool)> {
    let proto = if p.target.is_ipv4() {
        SockProtocol::Icmp
    } else {
        SockProtocol::IcmpV6
    };
    let c = &p.checker.connect;
    match super::connect::datagram(p.target, c, SockType::Datagram, Some(proto))
    {
        Ok(s) => Ok((s, false)),
        // Not allowed by ping_group_range (or no such socket type): fall
        // back to a raw socket, which needs CAP_NET_RAW.
        Err(e) => {
            let s = super::connect::datagram(
                p.target,
                c,
                SockType::Raw,
                Some(proto),
            )
            .map_err(|raw| {
                io::Error::new(
                    raw.kind(),
                    format!("ICMP socket: {e}; raw socket: {raw}"),
                )
            })?;
            Ok((s, true))
        }
    }
}

async fn exchange(
    sock: &UdpSocket,
    raw: bool,
    dst: IpAddr,
) -> Result<(), String> {
    let v6 = dst.is_ipv6();
    let id = super::rand::u16();
    let seq = super::rand::u16();
    sock.send_to(&echo_request(v6, id, seq), SocketAddr::new(dst, 0))
        .await
        .map_err(|e| format!("send ICMP packet fail: {e}"))?;
    let mut buf = [0u8; 1500];
    loop {
        let (n, from) = sock
            .recv_from(&mut buf)
            .await
            .map_err(|e| format!("recv ICMP packet error: {e}"))?;
        if from.ip() != dst {
            continue;
        }
        let mut msg = &buf[..n];
        if raw && !v6 {
            // A raw IPv4 socket hands over the IP header too.
            let ihl = usize::from(msg.first().map_or(0, |b| b & 0x0f)) * 4;
            msg = msg.get(ihl..).unwrap_or(&[]);
        }
        if is_reply(v6, msg, raw.then_some(id), seq) {
            return Ok(());
        }
    }
}

pub async fn check(p: &Probe) -> Attempt {
    let (sock, raw) = open(p).map_err(|e| e.to_string())?;
    timeout(
        p.checker.timing.connect_timeout,
        exchange(&sock, raw, p.target.ip()),
    )
    .await
    .map_err(|_| "no echo reply".to_string())??;
    Ok(Weighting::Configured)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_checksum_verifies() {
        let m = echo_request(false, 0x1234, 7);
        assert_eq!(checksum(&m), 0);
        let mut reply = m.clone();
        reply[0] = 0;
        assert!(is_reply(false, &reply, Some(0x1234), 7));
        assert!(!is_reply(false, &reply, Some(0x1235), 7));
        assert!(is_reply(false, &reply, None, 7));
        assert!(!is_reply(false, &m, None, 7));
    }
}
