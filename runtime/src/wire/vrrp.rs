//! VRRP advertisements: version 2 (RFC 3768, IPv4, with the simple
//! password and AH auth types) and version 3 (RFC 5798 / RFC 9568, IPv4
//! and IPv6).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! |Version| Type  | Virtual Rtr ID|   Priority    | Count IPvX Addr|
//! v2: |  Auth Type    |   Adver Int   |          Checksum          |
//! v3: |(rsvd) |     Max Adver Int     |          Checksum          |
//! |                    IPvX address(es) ...                        |
//! v2 only: |          Authentication Data (8 bytes)                |
//! ```
//!
//! The checksum covers the VRRP message; in version 3 it also covers the
//! IP pseudo-header, except for IPv4 when keepalived's
//! `v3_checksum_as_v2` is in force (old keepalived versions computed it
//! like version 2).

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::checksum;
use super::{be16, Error, Result};

/// IP protocol number of VRRP.
pub const PROTOCOL: u8 = 112;
/// The only message type: an advertisement.
pub const TYPE_ADVERT: u8 = 1;
/// The fixed header before the addresses.
pub const HEADER_LEN: usize = 8;
/// VRRPv2 authentication data after the addresses.
pub const AUTH_DATA_LEN: usize = 8;
/// The TTL / hop limit every VRRP packet is sent with and must arrive
/// with (RFC 5798 §5.1.1.3).
pub const TTL: u8 = 255;

mod field {
    pub type Field = core::ops::Range<usize>;
    pub const VER_TYPE: usize = 0;
    pub const VRID: usize = 1;
    pub const PRIORITY: usize = 2;
    pub const COUNT: usize = 3;
    /// v2: auth type; v3: reserved nibble and the top of the interval.
    pub const AUTH_TYPE: usize = 4;
    /// v2: interval in seconds.
    pub const ADVER_INT: usize = 5;
    /// v3: 4 reserved bits, 12 bits of centiseconds.
    pub const MAX_ADVER_INT: Field = 4..6;
    pub const CHECKSUM: Field = 6..8;
    pub const ADDRS: usize = 8;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    V2,
    V3,
}

impl Version {
    pub const fn number(self) -> u8 {
        match self {
            Version::V2 => 2,
            Version::V3 => 3,
        }
    }
}

/// The address family of the packet: it decides address width and
/// cannot be read from the VRRP header itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub const fn addr_len(self) -> usize {
        match self {
            Family::V4 => 4,
            Family::V6 => 16,
        }
    }
}

/// A view of a VRRP message (the IP payload).
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// A view whose accessors cannot panic for `family`: the header, the
    /// addresses its count announces and, in version 2, the
    /// authentication data are all inside the buffer.
    pub fn new_checked(buffer: T, family: Family) -> Result<Packet<T>> {
        let p = Packet::new_unchecked(buffer);
        p.check_len(family)?;
        Ok(p)
    }

    pub fn check_len(&self, family: Family) -> Result<()> {
        let len = self.buffer.as_ref().len();
        if len < HEADER_LEN {
            return Err(Error::Truncated);
        }
        if len < self.message_len(family) {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// The length the header says the message has.
    pub fn message_len(&self, family: Family) -> usize {
        let auth = if self.version() == 2 {
            AUTH_DATA_LEN
        } else {
            0
        };
        HEADER_LEN + usize::from(self.addr_count()) * family.addr_len() + auth
    }

    pub fn into_inner(self) -> T {
        self.buffer
    }

    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[field::VER_TYPE] >> 4
    }

    pub fn msg_type(&self) -> u8 {
        self.buffer.as_ref()[field::VER_TYPE] & 0x0f
    }

    pub fn vrid(&self) -> u8 {
        self.buffer.as_ref()[field::VRID]
    }

    pub fn priority(&self) -> u8 {
        self.buffer.as_ref()[field::PRIORITY]
    }

    pub fn addr_count(&self) -> u8 {
        self.buffer.as_ref()[field::COUNT]
    }

    /// Version 2: the authentication type (0 none, 1 password, 2 AH).
    pub fn auth_type(&self) -> u8 {
        self.buffer.as_ref()[field::AUTH_TYPE]
    }

    /// Version 2: the advertisement interval in seconds.
    pub fn adver_int_secs(&self) -> u8 {
        self.buffer.as_ref()[field::ADVER_INT]
    }

    /// Version 3: the maximum advertisement interval in centiseconds.
    pub fn max_adver_int(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::MAX_ADVER_INT]) & 0x0fff
    }

    pub fn checksum(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::CHECKSUM])
    }

    /// The addresses, as the bytes on the wire.
    pub fn addr_bytes(&self, family: Family) -> &[u8] {
        let n = usize::from(self.addr_count()) * family.addr_len();
        &self.buffer.as_ref()[field::ADDRS..field::ADDRS + n]
    }

    /// Version 2: the 8 bytes of authentication data.
    pub fn auth_data(&self, family: Family) -> &[u8] {
        let start =
            field::ADDRS + usize::from(self.addr_count()) * family.addr_len();
        &self.buffer.as_ref()[start..start + AUTH_DATA_LEN]
    }

    /// Whether the checksum verifies for a message sent from `src` to
    /// `dst` (the pseudo-header's addresses) under `mode`.
    pub fn verify_checksum(
        &self,
        src: IpAddr,
        dst: IpAddr,
        mode: ChecksumMode,
    ) -> bool {
        let data = self.buffer.as_ref();
        checksum::finish(
            checksum::sum(data)
                + pseudo_sum(self.version(), src, dst, data.len(), mode),
        ) == 0
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    pub fn set_version_type(&mut self, version: u8, msg_type: u8) {
        self.buffer.as_mut()[field::VER_TYPE] =
            (version << 4) | (msg_type & 0x0f);
    }

    pub fn set_vrid(&mut self, v: u8) {
        self.buffer.as_mut()[field::VRID] = v;
    }

    pub fn set_priority(&mut self, v: u8) {
        self.buffer.as_mut()[field::PRIORITY] = v;
    }

    pub fn set_addr_count(&mut self, v: u8) {
        self.buffer.as_mut()[field::COUNT] = v;
    }

    pub fn set_auth_type(&mut self, v: u8) {
        self.buffer.as_mut()[field::AUTH_TYPE] = v;
    }

    pub fn set_adver_int_secs(&mut self, v: u8) {
        self.buffer.as_mut()[field::ADVER_INT] = v;
    }

    pub fn set_max_adver_int(&mut self, centis: u16) {
        self.buffer.as_mut()[field::MAX_ADVER_INT]
            .copy_from_slice(&(centis & 0x0fff).to_be_bytes());
    }

    pub fn set_checksum(&mut self, v: u16) {
        self.buffer.as_mut()[field::CHECKSUM].copy_from_slice(&v.to_be_bytes());
    }

    pub fn addr_bytes_mut(&mut self, family: Family) -> &mut [u8] {
        let n = usize::from(self.addr_count()) * family.addr_len();
        &mut self.buffer.as_mut()[field::ADDRS..field::ADDRS + n]
    }

    pub fn auth_data_mut(&mut self, family: Family) -> &mut [u8] {
        let start =
            field::ADDRS + usize::from(self.addr_count()) * family.addr_len();
        &mut self.buffer.as_mut()[start..start + AUTH_DATA_LEN]
    }

    /// Computes and stores the checksum (the field is zeroed first).
    pub fn fill_checksum(
        &mut self,
        src: IpAddr,
        dst: IpAddr,
        mode: ChecksumMode,
    ) {
        self.set_checksum(0);
        let version = self.version();
        let data = self.buffer.as_ref();
        let c = checksum::finish(
            checksum::sum(data)
                + pseudo_sum(version, src, dst, data.len(), mode),
        );
        self.set_checksum(c);
    }
}

/// Whether a version 3 IPv4 checksum includes the pseudo-header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ChecksumMode {
    /// RFC 5798: version 3 includes the pseudo-header.
    #[default]
    Rfc,
    /// keepalived's `v3_checksum_as_v2`: IPv4 version 3 without it, as
    /// keepalived before 1.2.23 (and some other routers) computed it.
    V3AsV2,
}

fn pseudo_sum(
    version: u8,
    src: IpAddr,
    dst: IpAddr,
    len: usize,
    mode: ChecksumMode,
) -> u32 {
    if version != 3 {
        return 0;
    }
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => match mode {
            ChecksumMode::Rfc => checksum::pseudo_v4(
                s,
                d,
                PROTOCOL,
                u16::try_from(len).unwrap_or(u16::MAX),
            ),
            ChecksumMode::V3AsV2 => 0,
        },
        (IpAddr::V6(s), IpAddr::V6(d)) => checksum::pseudo_v6(
            s,
            d,
            PROTOCOL,
            u32::try_from(len).unwrap_or(u32::MAX),
        ),
        // Mixed families cannot happen on one socket; such a sum simply
        // fails to verify.
        _ => 1,
    }
}

/// VRRPv2 authentication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Auth<'a> {
    None,
    /// Type 1: the password, zero-padded to 8 bytes on the wire.
    Pass(&'a [u8]),
    /// Type 2: IPsec AH (the AH header carries the data, not VRRP).
    Ah,
}

/// The addresses of an advert, as wire bytes of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Addrs<'a> {
    family: Family,
    bytes: &'a [u8],
}

impl<'a> Addrs<'a> {
    /// `bytes` must hold whole addresses of `family`; a partial last one
    /// is ignored.
    pub fn new(family: Family, bytes: &'a [u8]) -> Addrs<'a> {
        let whole = bytes.len() - bytes.len() % family.addr_len();
        Addrs {
            family,
            bytes: &bytes[..whole],
        }
    }

    pub fn family(&self) -> Family {
        self.family
    }

    pub fn len(&self) -> usize {
        self.bytes.len() / self.family.addr_len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub fn iter(&self) -> impl Iterator<Item = IpAddr> + 'a {
        let fam = self.family;
        self.bytes
            .chunks_exact(fam.addr_len())
            .map(move |c| match fam {
                Family::V4 => IpAddr::V4(Ipv4Addr::new(c[0], c[1], c[2], c[3])),
                Family::V6 => {
                    let mut o = [0u8; 16];
                    o.copy_from_slice(c);
                    IpAddr::V6(Ipv6Addr::from(o))
                }
            })
    }

    /// The same set of addresses, whatever the order (keepalived's
    /// check). Quadratic, but lists are short (at most 255, usually a
    /// handful) and it needs no allocation.
    pub fn same_set(&self, other: &Addrs<'_>) -> bool {
        let w = self.family.addr_len();
        self.family == other.family
            && self.len() == other.len()
            && self
                .bytes
                .chunks_exact(w)
                .all(|a| other.bytes.chunks_exact(w).any(|b| a == b))
    }
}

/// A validated advertisement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Repr<'a> {
    pub version: Version,
    pub vrid: u8,
    pub priority: u8,
    /// The advertisement interval in centiseconds (version 2: whole
    /// seconds × 100).
    pub interval_centis: u16,
    /// Version 2 only; `Auth::None` in version 3.
    pub auth: Auth<'a>,
    pub addrs: Addrs<'a>,
}

impl<'a> Repr<'a> {
    /// Parses and validates an advertisement received from `src` for
    /// `dst` (for the checksum's pseudo-header).
    pub fn parse(
        packet: &Packet<&'a [u8]>,
        family: Family,
        src: IpAddr,
        dst: IpAddr,
        mode: ChecksumMode,
    ) -> Result<Repr<'a>> {
        packet.check_len(family)?;
        let version = match packet.version() {
            2 => Version::V2,
            3 => Version::V3,
            v => return Err(Error::Version(v)),
        };
        if packet.msg_type() != TYPE_ADVERT {
            return Err(Error::Type(packet.msg_type()));
        }
        if !packet.verify_checksum(src, dst, mode) {
            return Err(Error::Checksum);
        }
        if packet.vrid() == 0 {
            return Err(Error::Malformed);
        }
        let view = packet;
        let addrs = Addrs::new(family, view.addr_bytes_static(family));
        let (interval_centis, auth) = match version {
            Version::V2 => {
                if family == Family::V6 {
                    return Err(Error::Malformed);
                }
                let auth = match view.auth_type() {
                    0 => Auth::None,
                    1 => Auth::Pass(view.auth_data_static(family)),
                    2 => Auth::Ah,
                    _ => return Err(Error::Malformed),
                };
                (u16::from(view.adver_int_secs()) * 100, auth)
            }
            Version::V3 => (view.max_adver_int(), Auth::None),
        };
        if interval_centis == 0 {
            return Err(Error::Malformed);
        }
        Ok(Repr {
            version,
            vrid: view.vrid(),
            priority: view.priority(),
            interval_centis,
            auth,
            addrs,
        })
    }

    /// The length of the message this emits.
    pub fn buffer_len(&self) -> usize {
        let auth = match self.version {
            Version::V2 => AUTH_DATA_LEN,
            Version::V3 => 0,
        };
        HEADER_LEN + self.addrs.bytes.len() + auth
    }

    /// Writes the message into `packet` (at least
    /// [`buffer_len`](Self::buffer_len) long) and its checksum.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Packet<T>,
        src: IpAddr,
        dst: IpAddr,
        mode: ChecksumMode,
    ) {
        let family = self.addrs.family;
        packet.set_version_type(self.version.number(), TYPE_ADVERT);
        packet.set_vrid(self.vrid);
        packet.set_priority(self.priority);
        packet
            .set_addr_count(u8::try_from(self.addrs.len()).unwrap_or(u8::MAX));
        match self.version {
            Version::V2 => {
                let (t, data): (u8, &[u8]) = match self.auth {
                    Auth::None => (0, &[]),
                    Auth::Pass(p) => (1, p),
                    Auth::Ah => (2, &[]),
                };
                packet.set_auth_type(t);
                packet.set_adver_int_secs(
                    u8::try_from(self.interval_centis / 100).unwrap_or(u8::MAX),
                );
                let out = packet.auth_data_mut(family);
                out.fill(0);
                let n = data.len().min(AUTH_DATA_LEN);
                out[..n].copy_from_slice(&data[..n]);
            }
            Version::V3 => packet.set_max_adver_int(self.interval_centis),
        }
        packet
            .addr_bytes_mut(family)
            .copy_from_slice(self.addrs.bytes);
        packet.fill_checksum(src, dst, mode);
    }
}

impl<'a> Packet<&'a [u8]> {
    /// [`Packet::addr_bytes`] with the buffer's lifetime.
    fn addr_bytes_static(&self, family: Family) -> &'a [u8] {
        let n = usize::from(self.addr_count()) * family.addr_len();
        &self.buffer[field::ADDRS..field::ADDRS + n]
    }

    fn auth_data_static(&self, family: Family) -> &'a [u8] {
        let start =
            field::ADDRS + usize::from(self.addr_count()) * family.addr_len();
        &self.buffer[start..start + AUTH_DATA_LEN]
    }
}
