//! Wire formats, smoltcp-style: for each protocol a zero-copy `Packet<T>`
//! view over any buffer (`new_unchecked`, `new_checked` after which no
//! accessor panics, setters where `T: AsMut<[u8]>`) and a validated
//! `Repr` with `parse` and `emit`. No allocation, no IO.

pub mod arp;
pub mod checksum;
pub mod ipv4;
pub mod ndisc;
pub mod vrrp;

use core::fmt;

/// Why a packet was not accepted. Each variant is a drop reason the
/// runtime counts separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// Shorter than its headers, or than its own counts say.
    Truncated,
    /// A version this parser does not speak.
    Version(u8),
    /// A message type other than the one expected (VRRP: 1, advert).
    Type(u8),
    /// The checksum does not verify.
    Checksum,
    /// A field holds a value the protocol forbids (e.g. a zero VRID or
    /// advert interval, an IPv6 VRRPv2 packet).
    Malformed,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Truncated => f.write_str("truncated packet"),
            Error::Version(v) => write!(f, "unsupported version {v}"),
            Error::Type(t) => write!(f, "unexpected message type {t}"),
            Error::Checksum => f.write_str("bad checksum"),
            Error::Malformed => f.write_str("malformed packet"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = core::result::Result<T, Error>;

/// A big-endian 16-bit field (`b` holds at least 2 bytes).
pub(crate) fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

/// An IPv4 address field (`b` holds at least 4 bytes).
pub(crate) fn ipv4_at(b: &[u8]) -> core::net::Ipv4Addr {
    core::net::Ipv4Addr::new(b[0], b[1], b[2], b[3])
}

/// An Ethernet (EUI-48) address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Mac(pub [u8; 6]);

impl Mac {
    pub const BROADCAST: Mac = Mac([0xff; 6]);

    /// The VRRP virtual MAC of a VRID: `00:00:5e:00:01:VRID` for IPv4,
    /// `00:00:5e:00:02:VRID` for IPv6 (RFC 5798 §7.3).
    pub const fn vrrp(vrid: u8, ipv6: bool) -> Mac {
        Mac([0x00, 0x00, 0x5e, 0x00, if ipv6 { 0x02 } else { 0x01 }, vrid])
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        )
    }
}
