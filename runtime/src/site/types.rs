//! Value types whose invariants hold by construction. Every constructor is
//! a `const fn` that panics on a value the type cannot hold; the generated
//! site tables call them in `static` initialisers, so a table that breaks
//! an invariant is a compile-time error (E0080), not a runtime surprise:
//!
//! ```compile_fail
//! use kac_runtime::site::Vrid;
//! static BAD: Vrid = Vrid::new(0);
//! ```
//!
//! ```compile_fail
//! use kac_runtime::site::{AdvertInterval, VrrpVersion};
//! // VRRPv2 carries whole seconds only.
//! static BAD: AdvertInterval = AdvertInterval::new(VrrpVersion::V2, 50);
//! ```
//!
//! ```compile_fail
//! use kac_runtime::site::IfName;
//! static BAD: IfName = IfName::new("a-name-too-long-for-linux");
//! ```
//!
//! ```
//! use kac_runtime::site::{IfName, Vrid};
//! static GOOD: (Vrid, IfName) = (Vrid::new(51), IfName::new("eth0"));
//! ```

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;

/// A virtual router id, 1..=255.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Vrid(u8);

impl Vrid {
    pub const fn new(v: u8) -> Vrid {
        assert!(v >= 1, "a VRID is 1..=255");
        Vrid(v)
    }

    pub const fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Vrid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A configured VRRP priority, 1..=255 (0 is only ever sent, to resign;
/// 255 means the router owns the virtual addresses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Priority(u8);

impl Priority {
    pub const OWNER: Priority = Priority(255);

    pub const fn new(v: u8) -> Priority {
        assert!(v >= 1, "a configured priority is 1..=255");
        Priority(v)
    }

    pub const fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The VRRP protocol version an instance speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VrrpVersion {
    /// RFC 3768: IPv4 only, whole-second intervals, optional password.
    V2,
    /// RFC 5798: IPv4 and IPv6, centisecond intervals.
    V3,
}

impl VrrpVersion {
    pub const fn number(self) -> u8 {
        match self {
            VrrpVersion::V2 => 2,
            VrrpVersion::V3 => 3,
        }
    }
}

/// An advertisement interval the instance's version can carry on the
/// wire: VRRPv2 1..=255 whole seconds, VRRPv3 1..=4095 centiseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AdvertInterval {
    centis: u16,
}

impl AdvertInterval {
    pub const fn new(version: VrrpVersion, centis: u16) -> AdvertInterval {
        match version {
            VrrpVersion::V2 => assert!(
                centis.is_multiple_of(100) && centis >= 100 && centis <= 25_500,
                "a VRRPv2 advert interval is 1..=255 whole seconds"
            ),
            VrrpVersion::V3 => assert!(
                centis >= 1 && centis <= 4095,
                "a VRRPv3 advert interval is 1..=4095 centiseconds"
            ),
        }
        AdvertInterval { centis }
    }

    pub const fn centis(self) -> u16 {
        self.centis
    }

    pub const fn duration(self) -> Duration {
        Duration::from_millis(self.centis as u64 * 10)
    }
}

/// An address with a prefix length that fits its family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Prefix {
    addr: IpAddr,
    len: u8,
}

impl Prefix {
    pub const fn v4(octets: [u8; 4], len: u8) -> Prefix {
        assert!(len <= 32, "an IPv4 prefix length is 0..=32");
        let [a, b, c, d] = octets;
        Prefix {
            addr: IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
            len,
        }
    }

    pub const fn v6(segments: [u16; 8], len: u8) -> Prefix {
        assert!(len <= 128, "an IPv6 prefix length is 0..=128");
        let [a, b, c, d, e, f, g, h] = segments;
        Prefix {
            addr: IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h)),
            len,
        }
    }

    pub const fn addr(self) -> IpAddr {
        self.addr
    }

    pub const fn prefix_len(self) -> u8 {
        self.len
    }

    pub const fn is_host(self) -> bool {
        match self.addr {
            IpAddr::V4(_) => self.len == 32,
            IpAddr::V6(_) => self.len == 128,
        }
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// A Linux interface name: 1..=15 bytes, no `/`, no whitespace, not `.`
/// or `..` (the kernel's `dev_valid_name`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IfName(&'static str);

impl IfName {
    pub const fn new(name: &'static str) -> IfName {
        let b = name.as_bytes();
        assert!(
            !b.is_empty() && b.len() <= 15,
            "an interface name is 1..=15 bytes"
        );
        assert!(
            !matches!(b, b"." | b".."),
            "an interface name is not . or .."
        );
        let mut i = 0;
        while i < b.len() {
            assert!(
                b[i] != b'/' && b[i] != b':' && !b[i].is_ascii_whitespace(),
                "an interface name has no /, : or blank"
            );
            i += 1;
        }
        IfName(name)
    }

    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for IfName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A tracker weight: how much a tracked object's state moves the
/// priority, -254..=254 (keepalived's bound).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Weight(i16);

impl Weight {
    pub const ZERO: Weight = Weight(0);

    pub const fn new(w: i32) -> Weight {
        assert!(w >= -254 && w <= 254, "a weight is -254..=254");
        Weight(w as i16)
    }

    pub const fn get(self) -> i16 {
        self.0
    }
}

/// A duration that must not be zero (intervals, timeouts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval(Duration);

impl Interval {
    pub const fn from_micros(us: u64) -> Interval {
        assert!(us > 0, "an interval is longer than zero");
        Interval(Duration::from_micros(us))
    }

    pub const fn get(self) -> Duration {
        self.0
    }
}

/// A command to run: its words, and the user (and group) to run it as
/// when the config names one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Command {
    pub argv: &'static [&'static str],
    pub user: Option<&'static str>,
    pub group: Option<&'static str>,
}

impl Command {
    pub const fn new(argv: &'static [&'static str]) -> Command {
        assert!(!argv.is_empty(), "a command has a program");
        Command {
            argv,
            user: None,
            group: None,
        }
    }

    pub const fn run_as(
        self,
        user: &'static str,
        group: Option<&'static str>,
    ) -> Command {
        Command {
            argv: self.argv,
            user: Some(user),
            group,
        }
    }

    pub const fn program(&self) -> &'static str {
        self.argv[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advert_interval_bounds() {
        assert_eq!(AdvertInterval::new(VrrpVersion::V3, 4095).centis(), 4095);
        assert_eq!(
            AdvertInterval::new(VrrpVersion::V2, 100).duration(),
            Duration::from_secs(1)
        );
        assert!(std::panic::catch_unwind(|| AdvertInterval::new(
            VrrpVersion::V2,
            50
        ))
        .is_err());
        assert!(std::panic::catch_unwind(|| AdvertInterval::new(
            VrrpVersion::V3,
            4096
        ))
        .is_err());
    }

    #[test]
    fn names_and_numbers() {
        assert!(std::panic::catch_unwind(|| Vrid::new(0)).is_err());
        assert!(std::panic::catch_unwind(|| Priority::new(0)).is_err());
        assert!(std::panic::catch_unwind(|| Weight::new(255)).is_err());
        assert!(std::panic::catch_unwind(|| IfName::new("a/b")).is_err());
        assert!(std::panic::catch_unwind(|| IfName::new("sixteen-bytes-xx"))
            .is_err());
        assert_eq!(IfName::new("eth0.100").as_str(), "eth0.100");
        assert_eq!(Prefix::v4([192, 0, 2, 1], 24).to_string(), "192.0.2.1/24");
        assert!(std::panic::catch_unwind(|| Prefix::v4([0; 4], 33)).is_err());
    }
}
