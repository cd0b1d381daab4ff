//! Gratuitous ARP, as a whole Ethernet frame for an `AF_PACKET` socket.
//!
//! keepalived announces a virtual IPv4 address with an ARP *request*
//! whose sender and target protocol addresses are both the address, the
//! sender hardware address the interface's (or the VMAC), and the target
//! hardware address all-ones, broadcast (captured from 2.2.7; see
//! `tests/captures/`).

use core::net::Ipv4Addr;

use super::{Error, Mac, Result};

/// Ethernet type of ARP.
pub const ETHERTYPE: u16 = 0x0806;
/// Ethernet header (14) + ARP for IPv4 over Ethernet (28).
pub const FRAME_LEN: usize = 42;

mod field {
    pub type Field = core::ops::Range<usize>;
    pub const ETH_DST: Field = 0..6;
    pub const ETH_SRC: Field = 6..12;
    pub const ETHERTYPE: Field = 12..14;
    pub const HTYPE: Field = 14..16;
    pub const PTYPE: Field = 16..18;
    pub const HLEN: usize = 18;
    pub const PLEN: usize = 19;
    pub const OPER: Field = 20..22;
    pub const SHA: Field = 22..28;
    pub const SPA: Field = 28..32;
    pub const THA: Field = 32..38;
    pub const TPA: Field = 38..42;
}

pub const OP_REQUEST: u16 = 1;
pub const OP_REPLY: u16 = 2;

/// A view of an Ethernet frame carrying ARP.
#[derive(Debug, Clone)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

fn mac(b: &[u8]) -> Mac {
    let mut m = [0u8; 6];
    m.copy_from_slice(b);
    Mac(m)
}

use super::{be16, ipv4_at as ip};

impl<T: AsRef<[u8]>> Frame<T> {
    pub const fn new_unchecked(buffer: T) -> Frame<T> {
        Frame { buffer }
    }

    pub fn new_checked(buffer: T) -> Result<Frame<T>> {
        let f = Frame::new_unchecked(buffer);
        if f.buffer.as_ref().len() < FRAME_LEN {
            return Err(Error::Truncated);
        }
        Ok(f)
    }

    pub fn eth_dst(&self) -> Mac {
        mac(&self.buffer.as_ref()[field::ETH_DST])
    }

    pub fn eth_src(&self) -> Mac {
        mac(&self.buffer.as_ref()[field::ETH_SRC])
    }

    pub fn ethertype(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::ETHERTYPE])
    }

    pub fn operation(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::OPER])
    }

    pub fn sender_mac(&self) -> Mac {
        mac(&self.buffer.as_ref()[field::SHA])
    }

    pub fn sender_ip(&self) -> Ipv4Addr {
        ip(&self.buffer.as_ref()[field::SPA])
    }

    pub fn target_mac(&self) -> Mac {
        mac(&self.buffer.as_ref()[field::THA])
    }

    pub fn target_ip(&self) -> Ipv4Addr {
        ip(&self.buffer.as_ref()[field::TPA])
    }
}

/// An ARP message for IPv4 over Ethernet, with its Ethernet addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Repr {
    pub eth_dst: Mac,
    pub eth_src: Mac,
    pub operation: u16,
    pub sender_mac: Mac,
    pub sender_ip: Ipv4Addr,
    pub target_mac: Mac,
    pub target_ip: Ipv4Addr,
}

impl Repr {
    /// The gratuitous ARP keepalived sends for `addr` from `mac`.
    pub fn gratuitous(mac: Mac, addr: Ipv4Addr) -> Repr {
        Repr {
            eth_dst: Mac::BROADCAST,
            eth_src: mac,
            operation: OP_REQUEST,
            sender_mac: mac,
            sender_ip: addr,
            target_mac: Mac::BROADCAST,
            target_ip: addr,
        }
    }

    pub fn parse<T: AsRef<[u8]>>(f: &Frame<T>) -> Result<Repr> {
        let b = f.buffer.as_ref();
        if b.len() < FRAME_LEN {
            return Err(Error::Truncated);
        }
        if f.ethertype() != ETHERTYPE
            || be16(&b[field::HTYPE]) != 1
            || be16(&b[field::PTYPE]) != 0x0800
            || b[field::HLEN] != 6
            || b[field::PLEN] != 4
        {
            return Err(Error::Malformed);
        }
        Ok(Repr {
            eth_dst: f.eth_dst(),
            eth_src: f.eth_src(),
            operation: f.operation(),
            sender_mac: f.sender_mac(),
            sender_ip: f.sender_ip(),
            target_mac: f.target_mac(),
            target_ip: f.target_ip(),
        })
    }

    /// Writes the 42-byte frame into `out[..FRAME_LEN]`.
    pub fn emit(&self, out: &mut [u8; FRAME_LEN]) {
        out[field::ETH_DST].copy_from_slice(&self.eth_dst.0);
        out[field::ETH_SRC].copy_from_slice(&self.eth_src.0);
        out[field::ETHERTYPE].copy_from_slice(&ETHERTYPE.to_be_bytes());
        out[field::HTYPE].copy_from_slice(&1u16.to_be_bytes());
        out[field::PTYPE].copy_from_slice(&0x0800u16.to_be_bytes());
        out[field::HLEN] = 6;
        out[field::PLEN] = 4;
        out[field::OPER].copy_from_slice(&self.operation.to_be_bytes());
        out[field::SHA].copy_from_slice(&self.sender_mac.0);
        out[field::SPA].copy_from_slice(&self.sender_ip.octets());
        out[field::THA].copy_from_slice(&self.target_mac.0);
        out[field::TPA].copy_from_slice(&self.target_ip.octets());
    }
}
