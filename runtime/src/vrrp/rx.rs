//! The receive path's checks (RFC 5798 §7.1 and keepalived's
//! `vrrp_check_packet`): which instance a packet is for, and whether it
//! is dropped, and why. Pure: a dropped packet never reaches the state
//! machine, so it cannot cause a transition or delay an advert; it is
//! only counted (per reason) and logged (rate-limited, by the caller).

use core::net::IpAddr;

use crate::site::vrrp::Auth;
use crate::time::Instant;
use crate::vrrp::machine::Advert;
use crate::vrrp::socket::RawRx;
use crate::wire::vrrp::{self, Addrs, ChecksumMode, Family, Version};

/// What one instance accepts.
#[derive(Clone, Copy, Debug)]
pub struct Expect<'a> {
    pub version: Version,
    pub family: Family,
    pub auth: Auth,
    /// Configured interval, centiseconds (checked in version 2).
    pub advert_int: u16,
    /// The instance's virtual addresses as wire bytes.
    pub vips: Addrs<'a>,
    pub checksum: ChecksumMode,
    /// Unicast instances do not require TTL 255 (peers may be routed).
    pub unicast: bool,
    /// Unicast peers: an advert from one whose `min_ttl`/`max_ttl` range
    /// excludes its TTL is dropped (as keepalived does).
    pub peers: &'a [crate::site::vrrp::UnicastPeer],
    /// Our own source address (our packets are not for us).
    pub own: IpAddr,
    /// `old_unicast_checksum`: also accept a checksum whose
    /// pseudo-header names this group instead of the real destination
    /// (keepalived before 1.3.6 computed unicast v3 checksums so).
    pub old_unicast_group: Option<IpAddr>,
}

/// Why a packet was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Drop {
    /// Shorter than its header or its address count.
    Length,
    /// No instance on this interface and family has its VRID.
    UnknownVrid,
    /// Sent by this router.
    OwnPacket,
    /// TTL / hop limit not 255.
    Ttl,
    /// Not the instance's VRRP version.
    Version,
    /// Not an advertisement.
    Type,
    Checksum,
    /// Version 2: an auth type other than the instance's.
    AuthType,
    /// Version 2: the password differs.
    AuthFailure,
    /// Version 2: an advert interval other than the instance's.
    Interval,
    /// A field the protocol forbids: a zero interval, an unknown auth
    /// type.
    Malformed,
}

impl Drop {
    pub const ALL: [Drop; 11] = [
        Drop::Length,
        Drop::UnknownVrid,
        Drop::OwnPacket,
        Drop::Ttl,
        Drop::Version,
        Drop::Type,
        Drop::Checksum,
        Drop::AuthType,
        Drop::AuthFailure,
        Drop::Interval,
        Drop::Malformed,
    ];

    /// The log wording.
    pub fn describe(self) -> &'static str {
        match self {
            Drop::Length => "packet too short",
            Drop::UnknownVrid => "unknown VRID",
            Drop::OwnPacket => "own packet",
            Drop::Ttl => "invalid TTL/HL",
            Drop::Version => "wrong VRRP version",
            Drop::Type => "invalid packet type",
            Drop::Checksum => "invalid checksum",
            Drop::AuthType => "authentication type mismatch",
            Drop::AuthFailure => "authentication failure",
            Drop::Interval => "advertisement interval mismatch",
            Drop::Malformed => "malformed packet",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// An accepted advert and what keepalived logs but accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub advert: Advert,
    /// The address list differs from ours (count or members).
    pub addr_list_mismatch: bool,
    /// Version 3: a different interval (a backup learns it).
    pub interval_differs: bool,
}

/// The VRID of a packet, if it is long enough to have one.
pub fn vrid(payload: &[u8]) -> Option<u8> {
    payload.get(1).copied()
}

/// Checks `rx` against the instance that owns its VRID. `now` is when
/// it is processed; the advert's time is `now - rx.age` (when the kernel
/// received it).
pub fn check(
    rx: &RawRx<'_>,
    now: Instant,
    inst: &Expect<'_>,
) -> Result<Accepted, Drop> {
    let data = rx.payload;
    if data.len() < vrrp::HEADER_LEN {
        return Err(Drop::Length);
    }
    if rx.src == inst.own {
        return Err(Drop::OwnPacket);
    }
    if inst.unicast {
        if let Some(p) = inst.peers.iter().find(|p| p.address == rx.src) {
            let lo = p.min_ttl.unwrap_or(0);
            let hi = p.max_ttl.unwrap_or(u8::MAX);
            if !(lo..=hi).contains(&rx.ttl) {
                return Err(Drop::Ttl);
            }
        }
    } else if rx.ttl != vrrp::TTL {
        return Err(Drop::Ttl);
    }
    let p = vrrp::Packet::new_unchecked(data);
    if p.version() != inst.version.number() {
        return Err(Drop::Version);
    }
    if p.msg_type() != vrrp::TYPE_ADVERT {
        return Err(Drop::Type);
    }
    if p.check_len(inst.family).is_err() {
        return Err(Drop::Length);
    }
    let mut parsed =
        vrrp::Repr::parse(&p, inst.family, rx.src, rx.dst, inst.checksum);
    if let (Err(crate::wire::Error::Checksum), Some(group)) =
        (parsed, inst.old_unicast_group)
    {
        parsed =
            vrrp::Repr::parse(&p, inst.family, rx.src, group, inst.checksum);
    }
    let repr = parsed.map_err(|e| match e {
        crate::wire::Error::Checksum => Drop::Checksum,
        crate::wire::Error::Version(_) => Drop::Version,
        crate::wire::Error::Type(_) => Drop::Type,
        crate::wire::Error::Truncated => Drop::Length,
        crate::wire::Error::Malformed => Drop::Malformed,
    })?;
    if inst.version == Version::V2 {
        match (inst.auth, repr.auth) {
            (Auth::None, vrrp::Auth::None) | (Auth::Ah(_), vrrp::Auth::Ah) => {}
            (Auth::Pass(want), vrrp::Auth::Pass(got)) => {
                // Both padded to 8 bytes with zeros.
                let mut w = [0u8; vrrp::AUTH_DATA_LEN];
                let n = want.len().min(vrrp::AUTH_DATA_LEN);
                w[..n].copy_from_slice(&want.as_bytes()[..n]);
                if got != w {
                    return Err(Drop::AuthFailure);
                }
            }
            _ => return Err(Drop::AuthType),
        }
        if repr.interval_centis != inst.advert_int {
            return Err(Drop::Interval);
        }
    }
    let at = now - rx.age;
    Ok(Accepted {
        advert: Advert {
            from: rx.src,
            priority: repr.priority,
            interval: repr.interval_centis,
            at,
        },
        addr_list_mismatch: !repr.addrs.same_set(&inst.vips),
        interval_differs: repr.interval_centis != inst.advert_int,
    })
}

/// Per-instance receive counters (keepalived's names where it has them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub accepted: u64,
    pub dropped: [u64; Drop::ALL.len()],
    pub addr_list_err: u64,
    pub pri_zero_rcvd: u64,
}

impl Counters {
    pub fn dropped(&self, d: Drop) -> u64 {
        self.dropped[d.index()]
    }

    pub fn count(&mut self, r: &Result<Accepted, Drop>) {
        match r {
            Ok(a) => {
                self.accepted += 1;
                if a.addr_list_mismatch {
                    self.addr_list_err += 1;
                }
                if a.advert.priority == 0 {
                    self.pri_zero_rcvd += 1;
                }
            }
            Err(d) => self.dropped[d.index()] += 1,
        }
    }
}
