//! Unsolicited neighbour advertisements (RFC 4861 §4.4, §7.2.6): the
//! ICMPv6 message keepalived sends for a virtual IPv6 address, from that
//! address to ff02::1 with hop limit 255, the Override flag set (not
//! Router, not Solicited) and a target link-layer address option
//! (captured from 2.2.7; see `tests/captures/`).

use core::net::Ipv6Addr;

use super::checksum;
use super::{Error, Mac, Result};

/// IPv6 next header of ICMPv6.
pub const NEXT_HEADER: u8 = 58;
pub const TYPE_NEIGHBOR_ADVERT: u8 = 136;
/// Type, code, checksum, flags (8) + target (16) + one option (8).
pub const MESSAGE_LEN: usize = 32;
/// The all-nodes group the advert goes to.
pub const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

pub const FLAG_ROUTER: u8 = 0x80;
pub const FLAG_SOLICITED: u8 = 0x40;
pub const FLAG_OVERRIDE: u8 = 0x20;

/// Option type: target link-layer address.
const OPT_TARGET_LLADDR: u8 = 2;

mod field {
    pub type Field = core::ops::Range<usize>;
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: Field = 2..4;
    pub const FLAGS: usize = 4;
    pub const RESERVED: Field = 5..8;
    pub const TARGET: Field = 8..24;
    pub const OPT_TYPE: usize = 24;
    pub const OPT_LEN: usize = 25;
    pub const OPT_MAC: Field = 26..32;
}

/// A neighbour advertisement with one target link-layer address option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Repr {
    pub flags: u8,
    pub target: Ipv6Addr,
    pub lladdr: Mac,
}

impl Repr {
    /// The unsolicited advert keepalived sends for `addr` owned via `mac`.
    pub fn unsolicited(mac: Mac, addr: Ipv6Addr) -> Repr {
        Repr {
            flags: FLAG_OVERRIDE,
            target: addr,
            lladdr: mac,
        }
    }

    /// Parses the ICMPv6 message sent from `src` to `dst`.
    pub fn parse(msg: &[u8], src: Ipv6Addr, dst: Ipv6Addr) -> Result<Repr> {
        if msg.len() < MESSAGE_LEN {
            return Err(Error::Truncated);
        }
        if msg[field::TYPE] != TYPE_NEIGHBOR_ADVERT {
            return Err(Error::Type(msg[field::TYPE]));
        }
        if msg[field::CODE] != 0
            || msg[field::OPT_TYPE] != OPT_TARGET_LLADDR
            || msg[field::OPT_LEN] != 1
        {
            return Err(Error::Malformed);
        }
        let len = u32::try_from(msg.len()).map_err(|_| Error::Malformed)?;
        let sum = checksum::sum(msg)
            + checksum::pseudo_v6(src, dst, NEXT_HEADER, len);
        if checksum::finish(sum) != 0 {
            return Err(Error::Checksum);
        }
        let mut t = [0u8; 16];
        t.copy_from_slice(&msg[field::TARGET]);
        let mut m = [0u8; 6];
        m.copy_from_slice(&msg[field::OPT_MAC]);
        Ok(Repr {
            flags: msg[field::FLAGS],
            target: Ipv6Addr::from(t),
            lladdr: Mac(m),
        })
    }

    /// Writes the 32-byte message with its checksum for `src` → `dst`.
    pub fn emit(
        &self,
        out: &mut [u8; MESSAGE_LEN],
        src: Ipv6Addr,
        dst: Ipv6Addr,
    ) {
        out[field::TYPE] = TYPE_NEIGHBOR_ADVERT;
        out[field::CODE] = 0;
        out[field::CHECKSUM].fill(0);
        out[field::FLAGS] = self.flags;
        out[field::RESERVED].fill(0);
        out[field::TARGET].copy_from_slice(&self.target.octets());
        out[field::OPT_TYPE] = OPT_TARGET_LLADDR;
        out[field::OPT_LEN] = 1;
        out[field::OPT_MAC].copy_from_slice(&self.lladdr.0);
        let c = checksum::finish(
            checksum::sum(&out[..])
                + checksum::pseudo_v6(
                    src,
                    dst,
                    NEXT_HEADER,
                    MESSAGE_LEN as u32,
                ),
        );
        out[field::CHECKSUM].copy_from_slice(&c.to_be_bytes());
    }
}
