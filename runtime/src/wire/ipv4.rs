//! The IPv4 header, as a raw IPv4 socket hands it over with the payload:
//! only what VRRP needs to validate a packet (length, TTL, protocol,
//! addresses).

use core::net::Ipv4Addr;

use super::{be16, ipv4_at, Error, Result};

mod field {
    pub type Field = core::ops::Range<usize>;
    pub const VER_IHL: usize = 0;
    pub const TOTAL_LEN: Field = 2..4;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const SRC: Field = 12..16;
    pub const DST: Field = 16..20;
}

/// The smallest header (no options).
pub const MIN_HEADER_LEN: usize = 20;

/// A view of an IPv4 packet.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// A view whose accessors cannot panic: version 4, a header length
    /// of at least 20 bytes inside the buffer, a total length inside the
    /// buffer and not shorter than the header.
    pub fn new_checked(buffer: T) -> Result<Packet<T>> {
        let p = Packet::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        if b.len() < MIN_HEADER_LEN {
            return Err(Error::Truncated);
        }
        if b[field::VER_IHL] >> 4 != 4 {
            return Err(Error::Version(b[field::VER_IHL] >> 4));
        }
        let hl = self.header_len();
        let total = usize::from(self.total_len());
        if hl < MIN_HEADER_LEN || hl > b.len() || total < hl || total > b.len()
        {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    pub fn header_len(&self) -> usize {
        usize::from(self.buffer.as_ref()[field::VER_IHL] & 0x0f) * 4
    }

    pub fn total_len(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::TOTAL_LEN])
    }

    pub fn ttl(&self) -> u8 {
        self.buffer.as_ref()[field::TTL]
    }

    pub fn protocol(&self) -> u8 {
        self.buffer.as_ref()[field::PROTOCOL]
    }

    pub fn src(&self) -> Ipv4Addr {
        ipv4_at(&self.buffer.as_ref()[field::SRC])
    }

    pub fn dst(&self) -> Ipv4Addr {
        ipv4_at(&self.buffer.as_ref()[field::DST])
    }

    /// The payload up to the total length (trailing link padding cut).
    pub fn payload(&self) -> &[u8] {
        let total = usize::from(self.total_len());
        &self.buffer.as_ref()[self.header_len()..total]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_and_wrong_version_are_refused() {
        assert_eq!(
            Packet::new_checked(&[0x45u8; 10][..]).err(),
            Some(Error::Truncated)
        );
        let mut h = [0u8; 20];
        h[0] = 0x65;
        assert_eq!(Packet::new_checked(&h[..]).err(), Some(Error::Version(6)));
        h[0] = 0x45;
        h[3] = 40; // total length past the buffer
        assert_eq!(Packet::new_checked(&h[..]).err(), Some(Error::Truncated));
        h[3] = 20;
        assert!(Packet::new_checked(&h[..]).is_ok());
    }
}
