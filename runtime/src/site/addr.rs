//! Addresses, routes and rules: `virtual_ipaddress[_excluded]`,
//! `virtual_routes`, `virtual_rules` and their `static_*` twins.

use super::types::{IfName, Prefix};

/// `brd` of an IPv4 address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Broadcast {
    Addr(core::net::Ipv4Addr),
    /// `+`: host bits set.
    Plus,
    /// `-`: host bits clear.
    Minus,
}

/// Address scope (`scope`), by number (names resolved at build time when
/// they are iproute2's built-in ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Id(u8),
    /// A name from /etc/iproute2/rt_scopes, looked up on the router.
    Name(&'static str),
}

/// One address line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Address {
    pub prefix: Prefix,
    /// `dev`; the instance's interface when `None`.
    pub dev: Option<IfName>,
    pub broadcast: Option<Broadcast>,
    pub scope: Option<Scope>,
    pub label: Option<&'static str>,
    pub peer: Option<core::net::IpAddr>,
    pub home: bool,
    pub nodad: bool,
    pub noprefixroute: bool,
    pub no_track: bool,
    /// The line as keepalived.conf writes it, for logs.
    pub line: &'static str,
}

impl Address {
    /// An address with no options, as `virtual_ipaddress` writes
    /// `PREFIX` alone (`line` is that text, for logs).
    pub const fn plain(prefix: Prefix, line: &'static str) -> Address {
        Address {
            prefix,
            dev: None,
            broadcast: None,
            scope: None,
            label: None,
            peer: None,
            home: false,
            nodad: false,
            noprefixroute: false,
            no_track: false,
            line,
        }
    }
}

/// A number, or a name from one of iproute2's tables (`rt_tables`,
/// `rt_protos`, `rt_realms`, `rt_dsfield`, `group`; `/etc/protocols` for
/// `ipproto`) that the build could not resolve: the router's files are
/// read when the entry is installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RtId {
    Id(u32),
    Name(&'static str),
}

/// The route type written before the destination (`blackhole DEST`);
/// unicast when none is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouteType {
    Unicast,
    Local,
    Broadcast,
    Anycast,
    Multicast,
    Blackhole,
    Unreachable,
    Prohibit,
    Throw,
    Nat,
    Xresolve,
    /// A type given by number.
    Other(u8),
}

impl RouteType {
    /// The kernel's `RTN_*` value.
    pub const fn number(self) -> u8 {
        match self {
            RouteType::Unicast => 1,
            RouteType::Local => 2,
            RouteType::Broadcast => 3,
            RouteType::Anycast => 4,
            RouteType::Multicast => 5,
            RouteType::Blackhole => 6,
            RouteType::Unreachable => 7,
            RouteType::Prohibit => 8,
            RouteType::Throw => 9,
            RouteType::Nat => 10,
            RouteType::Xresolve => 11,
            RouteType::Other(n) => n,
        }
    }

    /// Types that send nothing anywhere: no interface, no gateway.
    pub const fn is_reject(self) -> bool {
        matches!(
            self,
            RouteType::Blackhole
                | RouteType::Unreachable
                | RouteType::Prohibit
                | RouteType::Throw
        )
    }
}

/// A route metric the kernel may be told to keep (`mtu lock 1400`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Locked<T> {
    pub value: T,
    pub lock: bool,
}

impl<T> Locked<T> {
    pub const fn new(value: T) -> Locked<T> {
        Locked { value, lock: false }
    }

    pub const fn with_lock(value: T) -> Locked<T> {
        Locked { value, lock: true }
    }
}

/// The `RTAX_*` metrics of a route, in the kernel's units (`rtt` in
/// 1/8 ms, `rttvar` in 1/4 ms, `rto_min` in ms: the build converts and
/// clamps them to 200 ms..120 s as keepalived does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Metrics {
    pub mtu: Option<Locked<u32>>,
    pub window: Option<Locked<u32>>,
    pub rtt: Option<Locked<u32>>,
    pub rttvar: Option<Locked<u32>>,
    pub ssthresh: Option<Locked<u32>>,
    pub cwnd: Option<Locked<u32>>,
    pub advmss: Option<Locked<u32>>,
    pub reordering: Option<Locked<u32>>,
    pub hoplimit: Option<Locked<u32>>,
    pub initcwnd: Option<Locked<u32>>,
    /// `features ecn`.
    pub ecn: bool,
    pub rto_min: Option<Locked<u32>>,
    pub initrwnd: Option<Locked<u32>>,
    pub quickack: Option<bool>,
    /// `congctl [lock] NAME`.
    pub congctl: Option<Locked<&'static str>>,
    pub fastopen_no_cookie: Option<bool>,
}

impl Metrics {
    pub const NONE: Metrics = Metrics {
        mtu: None,
        window: None,
        rtt: None,
        rttvar: None,
        ssthresh: None,
        cwnd: None,
        advmss: None,
        reordering: None,
        hoplimit: None,
        initcwnd: None,
        ecn: false,
        rto_min: None,
        initrwnd: None,
        quickack: None,
        congctl: None,
        fastopen_no_cookie: None,
    };
}

/// `realms [FROM/]TO`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Realms {
    pub from: Option<RtId>,
    pub to: RtId,
}

/// `pref low|medium|high` of an IPv6 route (`ICMPV6_ROUTER_PREF_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoutePref {
    Low,
    Medium,
    High,
    Other(u8),
}

impl RoutePref {
    pub const fn number(self) -> u8 {
        match self {
            RoutePref::Low => 3,
            RoutePref::Medium => 0,
            RoutePref::High => 1,
            RoutePref::Other(n) => n,
        }
    }
}

/// How a route is added (iproute2's words): `add` fails when the kernel
/// has the route, `prepend` puts it before routes of the same key,
/// `append` after them. Without one, a route the kernel has already is
/// left alone (reported as already present).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddMode {
    Add,
    Prepend,
    Append,
}

/// Options of `encap ip` / `encap ip6`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EncapIp {
    pub id: Option<u64>,
    pub dst: Option<core::net::IpAddr>,
    pub src: Option<core::net::IpAddr>,
    /// `tos` (ip) / `tc` (ip6).
    pub tos: Option<RtId>,
    /// `ttl` (ip) / `hoplimit` (ip6).
    pub ttl: Option<u8>,
    pub flags: Option<u16>,
}

/// Lightweight tunnel encapsulation (`encap ...`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encap {
    Ip(EncapIp),
    Ip6(EncapIp),
    /// The MPLS label stack, outermost first.
    Mpls(&'static [u32]),
    /// The ILA locator.
    Ila([u16; 4]),
}

/// One `nexthop` of a multipath route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Nexthop {
    pub via: Option<core::net::IpAddr>,
    pub dev: Option<IfName>,
    /// 1..=256 (`weight`); 1 when not written.
    pub weight: Option<u16>,
    pub onlink: bool,
    pub encap: Option<Encap>,
    pub realms: Option<Realms>,
}

/// The protocol keepalived gives its routes and rules when the line names
/// none (`RTPROT_KEEPALIVED`, `proto keepalived` in `ip route`).
pub const RTPROT_KEEPALIVED: u8 = 18;

/// The preference keepalived gives the first rule without one; each
/// further one gets one less.
pub const RULE_DEFAULT_PREFERENCE: u32 = 16384;

/// One route line, every option of keepalived's `virtual_routes` /
/// `static_routes` typed. Names the build could not resolve are
/// [`RtId::Name`]s, looked up on the router.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// `None` for `default` (then `ipv6` gives the family).
    pub dest: Option<Prefix>,
    pub ipv6: bool,
    /// Unicast when `None`.
    pub kind: Option<RouteType>,
    /// `src`: the preferred source address.
    pub src: Option<core::net::IpAddr>,
    /// `from`: a source prefix (IPv6).
    pub from: Option<Prefix>,
    pub via: Option<core::net::IpAddr>,
    pub dev: Option<IfName>,
    pub onlink: bool,
    pub scope: Option<Scope>,
    pub table: Option<RtId>,
    /// `vrf NAME`: the table of that VRF device.
    pub vrf: Option<IfName>,
    pub metric: Option<u32>,
    /// keepalived's own ([`RTPROT_KEEPALIVED`]) when `None`.
    pub protocol: Option<RtId>,
    pub tos: Option<RtId>,
    pub encap: Option<Encap>,
    /// Seconds (IPv6).
    pub expires: Option<u32>,
    pub metrics: Metrics,
    pub realms: Option<Realms>,
    pub pref: Option<RoutePref>,
    /// MPLS `ttl-propagate enabled|disabled`.
    pub ttl_propagate: Option<bool>,
    pub add_mode: Option<AddMode>,
    pub nexthops: &'static [Nexthop],
    pub no_track: bool,
    /// The line as keepalived.conf writes it, for logs.
    pub line: &'static str,
}

impl Route {
    /// A unicast route to `dest` with no options.
    pub const fn to(
        dest: Option<Prefix>,
        ipv6: bool,
        line: &'static str,
    ) -> Route {
        Route {
            dest,
            ipv6,
            kind: None,
            src: None,
            from: None,
            via: None,
            dev: None,
            onlink: false,
            scope: None,
            table: None,
            vrf: None,
            metric: None,
            protocol: None,
            tos: None,
            encap: None,
            expires: None,
            metrics: Metrics::NONE,
            realms: None,
            pref: None,
            ttl_propagate: None,
            add_mode: None,
            nexthops: &[],
            no_track: false,
            line,
        }
    }
}

/// What a rule does with a matching packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleAction {
    /// `table T` / `lookup T`.
    Table(RtId),
    /// `goto PREFERENCE`.
    Goto(u32),
    Nop,
    Blackhole,
    Unreachable,
    Prohibit,
}

/// `A-B` (uidrange, sport, dport).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Range<T> {
    pub start: T,
    pub end: T,
}

/// One rule line, every option of keepalived's `virtual_rules` /
/// `static_rules` typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub ipv6: bool,
    /// `not`: the selector is inverted.
    pub not: bool,
    pub from: Option<Prefix>,
    pub to: Option<Prefix>,
    /// The build fills in keepalived's default (counting down from
    /// [`RULE_DEFAULT_PREFERENCE`]) when the line has none.
    pub preference: Option<u32>,
    pub tos: Option<RtId>,
    pub fwmark: Option<u32>,
    pub fwmask: Option<u32>,
    pub iif: Option<IfName>,
    pub oif: Option<IfName>,
    pub realms: Option<Realms>,
    pub suppress_prefixlen: Option<u32>,
    pub suppress_ifgroup: Option<RtId>,
    pub tunnel_id: Option<u64>,
    pub uidrange: Option<Range<u32>>,
    pub l3mdev: bool,
    /// keepalived's own ([`RTPROT_KEEPALIVED`]) when `None`.
    pub protocol: Option<u8>,
    pub ipproto: Option<RtId>,
    pub sport: Option<Range<u16>>,
    pub dport: Option<Range<u16>>,
    /// `None` only with `l3mdev` (the VRF's table).
    pub action: Option<RuleAction>,
    pub no_track: bool,
    pub line: &'static str,
}

impl Rule {
    /// A rule with only a family and an action.
    pub const fn new(
        ipv6: bool,
        action: Option<RuleAction>,
        line: &'static str,
    ) -> Rule {
        Rule {
            ipv6,
            not: false,
            from: None,
            to: None,
            preference: None,
            tos: None,
            fwmark: None,
            fwmask: None,
            iif: None,
            oif: None,
            realms: None,
            suppress_prefixlen: None,
            suppress_ifgroup: None,
            tunnel_id: None,
            uidrange: None,
            l3mdev: false,
            protocol: None,
            ipproto: None,
            sport: None,
            dport: None,
            action,
            no_track: false,
            line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::{IpAddr, Ipv6Addr};

    /// Tables build routes and rules in `static`s: the constructors and
    /// struct update syntax work there.
    static ROUTE: Route = Route {
        via: Some(IpAddr::V6(Ipv6Addr::new(
            0x2001, 0xdb8, 0, 0, 0, 0, 0, 0xfe,
        ))),
        ..Route::to(
            Some(Prefix::v6([0x2001, 0xdb8, 1, 0, 0, 0, 0, 0], 48)),
            true,
            "2001:db8:1::/48 via 2001:db8::fe",
        )
    };
    static RULE: Rule = Rule {
        preference: Some(RULE_DEFAULT_PREFERENCE),
        ..Rule::new(false, Some(RuleAction::Table(RtId::Id(100))), "")
    };

    #[test]
    fn kernel_numbers() {
        assert_eq!(ROUTE.kind.map_or(1, RouteType::number), 1);
        assert_eq!(ROUTE.metrics, Metrics::NONE);
        assert_eq!(RULE.preference, Some(16384));
        assert_eq!(RouteType::Blackhole.number(), 6);
        assert_eq!(RouteType::Throw.number(), 9);
        assert!(RouteType::Prohibit.is_reject());
        assert!(!RouteType::Local.is_reject());
        assert_eq!(RoutePref::Low.number(), 3);
        assert_eq!(RoutePref::High.number(), 1);
        assert!(Locked::with_lock(1).lock && !Locked::new(1).lock);
    }
}
