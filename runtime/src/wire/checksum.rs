//! The Internet checksum (RFC 1071) and the pseudo-headers VRRPv3 and
//! ICMPv6 include in theirs.

use core::net::{Ipv4Addr, Ipv6Addr};

/// The one's complement sum of `data` as big-endian 16-bit words (an
/// odd last byte is padded with zero), not yet folded or complemented.
pub fn sum(data: &[u8]) -> u32 {
    let mut acc: u32 = 0;
    let mut chunks = data.chunks_exact(2);
    for w in &mut chunks {
        acc += u32::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = chunks.remainder() {
        acc += u32::from(*last) << 8;
    }
    acc
}

/// Folds a sum to 16 bits and complements it: the value to put in a
/// checksum field, or 0 when verifying a message that includes one.
pub fn finish(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

/// The checksum of `data` alone.
pub fn of(data: &[u8]) -> u16 {
    finish(sum(data))
}

/// The sum of an IPv4 pseudo-header (RFC 768 style).
pub fn pseudo_v4(src: Ipv4Addr, dst: Ipv4Addr, proto: u8, len: u16) -> u32 {
    sum(&src.octets()) + sum(&dst.octets()) + u32::from(proto) + u32::from(len)
}

/// The sum of an IPv6 pseudo-header (RFC 8200 §8.1).
pub fn pseudo_v6(src: Ipv6Addr, dst: Ipv6Addr, next: u8, len: u32) -> u32 {
    sum(&src.octets())
        + sum(&dst.octets())
        + (len >> 16)
        + (len & 0xffff)
        + u32::from(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1071_example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2.
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(finish(sum(&data)), !0xddf2);
    }

    #[test]
    fn odd_length_pads_with_zero() {
        assert_eq!(of(&[0x12, 0x34, 0x56]), of(&[0x12, 0x34, 0x56, 0x00]));
    }

    #[test]
    fn message_with_its_checksum_verifies_to_zero() {
        let mut m = [0x45, 0x00, 0x00, 0x1c, 0xab, 0xcd, 0x00, 0x00];
        let c = of(&m);
        m[6..8].copy_from_slice(&c.to_be_bytes());
        assert_eq!(of(&m), 0);
    }
}
