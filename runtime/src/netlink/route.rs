//! Routes of the site tables ([`Route`]) as rtnetlink requests, with
//! keepalived's defaults: protocol `keepalived` (18), scope global for
//! unicast and reject routes, table main (iproute2's scope and table for
//! local, broadcast, anycast and nat routes); and the commander's
//! requests that add and remove them.
//!
//! Names the build could not resolve ([`crate::site::addr::RtId::Name`]) are looked up in
//! the router's iproute2 files when the request is built ([`names`]).

use std::fmt;
use std::net::IpAddr;

use netlink_packet_core::{DefaultNla, NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::link::{
    InfoData, InfoVrf, LinkAttribute, LinkInfo, LinkMessage,
};
use netlink_packet_route::route::{
    MplsLabel, RouteAddress, RouteAttribute, RouteFlags, RouteHeader,
    RouteIp6Tunnel, RouteIpTunnel, RouteLwEnCapType, RouteLwTunnelEncap,
    RouteMessage, RouteMetric, RouteMplsIpTunnel, RouteMplsTtlPropagation,
    RouteNextHop, RouteNextHopFlags, RoutePreference, RouteProtocol,
    RouteRealm, RouteScope, RouteType as NlRouteType, RouteVia,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use super::command::{Commander, ErrorKind, Op, Outcome};
use super::scope::ScopeTable;
use crate::site::addr::{
    AddMode, Encap, EncapIp, Locked, Nexthop, Realms, Route, RTPROT_KEEPALIVED,
};
use crate::site::types::IfName;

/// A failed route or rule request, with the line it was for.
#[derive(Debug)]
pub struct EntryError {
    pub op: Op,
    /// `route`, `rule` or `VMAC`.
    pub what: &'static str,
    /// The line as keepalived.conf wrote it (the interface name for a
    /// VMAC).
    pub line: String,
    pub kind: ErrorKind,
}

impl EntryError {
    pub fn errno(&self) -> Option<i32> {
        match self.kind {
            ErrorKind::Kernel { errno, .. } => Some(errno),
            _ => None,
        }
    }
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.op {
            Op::Add => "adding",
            Op::Del => "removing",
        };
        write!(f, "{verb} {} `{}`: {}", self.what, self.line, self.kind)
    }
}

impl std::error::Error for EntryError {}

/// Name lookups in iproute2's files: `NUMBER NAME` per line, `#`
/// comments, numbers decimal or `0x` hex; the administrator's
/// /etc/iproute2 first, then the distribution's /usr/share/iproute2, and
/// each `FILE.d/*.conf`.
pub mod names {
    use std::path::{Path, PathBuf};

    use super::ErrorKind;
    use crate::site::addr::RtId;

    const DIRS: [&str; 2] = ["/etc/iproute2", "/usr/share/iproute2"];

    /// Reads `NUMBER NAME` lines.
    pub fn parse(text: &str, name: &str) -> Option<u32> {
        text.lines().find_map(|l| {
            let l = l.split('#').next().unwrap_or("");
            let mut w = l.split_whitespace();
            let (num, n) = (w.next()?, w.next()?);
            if n != name {
                return None;
            }
            match num.strip_prefix("0x").or(num.strip_prefix("0X")) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            }
        })
    }

    fn files(table: &str) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for dir in DIRS {
            out.push(Path::new(dir).join(table));
            if let Ok(rd) =
                std::fs::read_dir(Path::new(dir).join(format!("{table}.d")))
            {
                let mut more: Vec<PathBuf> = rd
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "conf"))
                    .collect();
                more.sort();
                out.extend(more);
            }
        }
        out
    }

    /// `id` as a number, reading iproute2's `table` file (`rt_tables`,
    /// `rt_protos`, ...) for a name.
    pub fn resolve(id: RtId, table: &str) -> Result<u32, ErrorKind> {
        let name = match id {
            RtId::Id(n) => return Ok(n),
            RtId::Name(n) => n,
        };
        if let Ok(n) = name.parse() {
            return Ok(n);
        }
        let searched = files(table);
        for f in &searched {
            if let Ok(text) = std::fs::read_to_string(f) {
                if let Some(n) = parse(&text, name) {
                    return Ok(n);
                }
            }
        }
        Err(ErrorKind::Invalid(format!(
            "unknown {table} name `{name}` (not in {})",
            searched
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }

    /// An IP protocol by number or /etc/protocols name (`NAME NUMBER`).
    pub fn ipproto(id: RtId) -> Result<u8, ErrorKind> {
        let n = match id {
            RtId::Id(n) => n,
            RtId::Name(name) => {
                let text = std::fs::read_to_string("/etc/protocols")
                    .unwrap_or_default();
                text.lines()
                    .find_map(|l| {
                        let l = l.split('#').next().unwrap_or("");
                        let mut w = l.split_whitespace();
                        let n = w.next()?;
                        let num = w.next()?;
                        let hit = n == name || w.any(|a| a == name);
                        hit.then(|| num.parse().ok()).flatten()
                    })
                    .ok_or_else(|| {
                        ErrorKind::Invalid(format!(
                            "unknown IP protocol `{name}` (not in \
                             /etc/protocols)"
                        ))
                    })?
            }
        };
        u8::try_from(n).map_err(|_| {
            ErrorKind::Invalid(format!("IP protocol {n} is over 255"))
        })
    }

    /// A value that must fit a byte (tos, protocol).
    pub fn byte(id: RtId, table: &str) -> Result<u8, ErrorKind> {
        let n = resolve(id, table)?;
        u8::try_from(n).map_err(|_| {
            ErrorKind::Invalid(format!("{table} value {n} is over 255"))
        })
    }
}

/// `RTAX_FEATURE_ECN`.
const FEATURE_ECN: u32 = 1;
/// `ILA_ATTR_LOCATOR`.
const ILA_ATTR_LOCATOR: u16 = 1;
/// `RT_TABLE_MAIN`.
const TABLE_MAIN: u32 = 254;
/// `RT_TABLE_LOCAL`.
const TABLE_LOCAL: u32 = 255;

/// The interface numbers a request needs, looked up by name.
pub trait Ifindexes {
    fn ifindex(&mut self, name: IfName) -> Result<u32, ErrorKind>;
    /// The routing table of VRF device `name`.
    fn vrf_table(&mut self, name: IfName) -> Result<u32, ErrorKind>;
}

/// The `RTM_NEWROUTE` payload for `r` (also the key of its
/// `RTM_DELROUTE`, without the metrics).
pub fn route_message(
    r: &Route,
    links: &mut dyn Ifindexes,
    scopes: &ScopeTable,
) -> Result<RouteMessage, ErrorKind> {
    let family = if r.ipv6 {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    };
    let kind = r.kind.map_or(1, |k| k.number());
    let mut m = RouteMessage::default();
    m.header.address_family = family;
    m.header.kind = NlRouteType::from(kind);
    let table = match (r.table, r.vrf) {
        (Some(t), _) => names::resolve(t, "rt_tables")?,
        (None, Some(v)) => links.vrf_table(v)?,
        // iproute2's choice for these types; main for the rest.
        (None, None) if matches!(kind, 2..=4 | 10) => TABLE_LOCAL,
        (None, None) => TABLE_MAIN,
    };
    m.header.table =
        u8::try_from(table).unwrap_or(RouteHeader::RT_TABLE_UNSPEC);
    m.attributes.push(RouteAttribute::Table(table));
    let protocol = match r.protocol {
        Some(p) => names::byte(p, "rt_protos")?,
        None => RTPROT_KEEPALIVED,
    };
    m.header.protocol = RouteProtocol::from(protocol);
    m.header.scope = RouteScope::from(match r.scope {
        Some(s) => scopes.resolve(s).map_err(ErrorKind::Scope)?,
        // iproute2's choice for these types; keepalived (and the
        // kernel) leave every other route global.
        None => match kind {
            2 | 10 => 254,
            3..=5 => 253,
            _ => 0,
        },
    });
    if let Some(t) = r.tos {
        m.header.tos = names::byte(t, "rt_dsfield")?;
    }
    if r.onlink {
        m.header.flags |= RouteFlags::Onlink;
    }
    if let Some(d) = r.dest {
        check_family(d.addr(), r.ipv6, "destination")?;
        m.header.destination_prefix_length = d.prefix_len();
        m.attributes
            .push(RouteAttribute::Destination(address(d.addr())));
    }
    if let Some(f) = r.from {
        check_family(f.addr(), r.ipv6, "from")?;
        m.header.source_prefix_length = f.prefix_len();
        m.attributes.push(RouteAttribute::Source(address(f.addr())));
    }
    if let Some(s) = r.src {
        check_family(s, r.ipv6, "src")?;
        m.attributes.push(RouteAttribute::PrefSource(address(s)));
    }
    if let Some(v) = r.via {
        m.attributes.push(gateway(v, r.ipv6));
    }
    if let Some(d) = r.dev {
        m.attributes.push(RouteAttribute::Oif(links.ifindex(d)?));
    }
    if let Some(n) = r.metric {
        m.attributes.push(RouteAttribute::Priority(n));
    }
    if let Some(e) = &r.encap {
        push_encap(&mut m.attributes, e)?;
    }
    if let Some(x) = r.expires {
        m.attributes.push(RouteAttribute::Expires(x));
    }
    if let Some(rl) = &r.realms {
        m.attributes.push(RouteAttribute::Realm(realm(rl)?));
    }
    if let Some(p) = r.pref {
        m.attributes
            .push(RouteAttribute::Preference(RoutePreference::from(
                p.number(),
            )));
    }
    if let Some(t) = r.ttl_propagate {
        m.attributes.push(RouteAttribute::TtlPropagate(if t {
            RouteMplsTtlPropagation::Enabled
        } else {
            RouteMplsTtlPropagation::Disabled
        }));
    }
    let metrics = metrics(r);
    if !metrics.is_empty() {
        m.attributes.push(RouteAttribute::Metrics(metrics));
    }
    if !r.nexthops.is_empty() {
        let mut hops = Vec::with_capacity(r.nexthops.len());
        for nh in r.nexthops {
            hops.push(nexthop(nh, r.ipv6, links)?);
        }
        m.attributes.push(RouteAttribute::MultiPath(hops));
    }
    Ok(m)
}

fn check_family(a: IpAddr, ipv6: bool, what: &str) -> Result<(), ErrorKind> {
    if a.is_ipv6() == ipv6 {
        Ok(())
    } else {
        Err(ErrorKind::Invalid(format!(
            "{what} {a} is not of the route's family"
        )))
    }
}

fn address(a: IpAddr) -> RouteAddress {
    match a {
        IpAddr::V4(v) => RouteAddress::Inet(v),
        IpAddr::V6(v) => RouteAddress::Inet6(v),
    }
}

/// `RTA_GATEWAY`, or `RTA_VIA` for a gateway of the other family (an
/// IPv4 route via an IPv6 neighbour).
fn gateway(v: IpAddr, ipv6: bool) -> RouteAttribute {
    match (v, ipv6) {
        (IpAddr::V6(g), false) => RouteAttribute::Via(RouteVia::Inet6(g)),
        _ => RouteAttribute::Gateway(address(v)),
    }
}

fn realm(r: &Realms) -> Result<RouteRealm, ErrorKind> {
    let num = |id| {
        let n = names::resolve(id, "rt_realms")?;
        u16::try_from(n)
            .map_err(|_| ErrorKind::Invalid(format!("realm {n} is over 65535")))
    };
    Ok(RouteRealm {
        source: match r.from {
            Some(f) => num(f)?,
            None => 0,
        },
        destination: num(r.to)?,
    })
}

/// `RTA_METRICS`, with `RTAX_LOCK` collecting the locked ones.
fn metrics(r: &Route) -> Vec<RouteMetric> {
    let m = &r.metrics;
    let mut out = Vec::new();
    let mut lock = 0u32;
    let mut put =
        |v: Option<Locked<u32>>, rtax: u32, f: fn(u32) -> RouteMetric| {
            if let Some(l) = v {
                if l.lock {
                    lock |= 1 << rtax;
                }
                out.push(f(l.value));
            }
        };
    put(m.mtu, 2, RouteMetric::Mtu);
    put(m.window, 3, RouteMetric::Window);
    put(m.rtt, 4, RouteMetric::Rtt);
    put(m.rttvar, 5, RouteMetric::RttVar);
    put(m.ssthresh, 6, RouteMetric::SsThresh);
    put(m.cwnd, 7, RouteMetric::Cwnd);
    put(m.advmss, 8, RouteMetric::Advmss);
    put(m.reordering, 9, RouteMetric::Reordering);
    put(m.hoplimit, 10, RouteMetric::Hoplimit);
    put(m.initcwnd, 11, RouteMetric::InitCwnd);
    put(m.rto_min, 13, RouteMetric::RtoMin);
    put(m.initrwnd, 14, RouteMetric::InitRwnd);
    if m.ecn {
        out.push(RouteMetric::Features(FEATURE_ECN));
    }
    if let Some(q) = m.quickack {
        out.push(RouteMetric::QuickAck(u32::from(q)));
    }
    if let Some(c) = m.congctl {
        if c.lock {
            lock |= 1 << 16;
        }
        out.push(RouteMetric::CcAlgo(c.value.to_owned()));
    }
    if let Some(f) = m.fastopen_no_cookie {
        out.push(RouteMetric::FastopenNoCookie(u32::from(f)));
    }
    if lock != 0 {
        out.insert(0, RouteMetric::Lock(lock));
    }
    out
}

fn push_encap(
    attrs: &mut Vec<RouteAttribute>,
    e: &Encap,
) -> Result<(), ErrorKind> {
    let (kind, nlas) = encap(e)?;
    attrs.push(RouteAttribute::EncapType(kind));
    attrs.push(RouteAttribute::Encap(nlas));
    Ok(())
}

fn encap(
    e: &Encap,
) -> Result<(RouteLwEnCapType, Vec<RouteLwTunnelEncap>), ErrorKind> {
    let tos = |o: &EncapIp| -> Result<Option<u8>, ErrorKind> {
        o.tos.map(|t| names::byte(t, "rt_dsfield")).transpose()
    };
    Ok(match e {
        Encap::Mpls(labels) => {
            let n = labels.len();
            let stack = labels
                .iter()
                .enumerate()
                .map(|(i, l)| MplsLabel {
                    label: *l,
                    traffic_class: 0,
                    bottom_of_stack: i + 1 == n,
                    ttl: 0,
                })
                .collect();
            (
                RouteLwEnCapType::Mpls,
                vec![RouteLwTunnelEncap::Mpls(RouteMplsIpTunnel::Destination(
                    stack,
                ))],
            )
        }
        Encap::Ip(o) => {
            let mut v = Vec::new();
            if let Some(id) = o.id {
                v.push(RouteLwTunnelEncap::Ip(RouteIpTunnel::Id(id)));
            }
            if let Some(IpAddr::V4(d)) = o.dst {
                v.push(RouteLwTunnelEncap::Ip(RouteIpTunnel::Destination(d)));
            }
            if let Some(IpAddr::V4(s)) = o.src {
                v.push(RouteLwTunnelEncap::Ip(RouteIpTunnel::Source(s)));
            }
            if let Some(t) = tos(o)? {
                v.push(RouteLwTunnelEncap::Ip(RouteIpTunnel::Tos(t)));
            }
            if let Some(t) = o.ttl {
                v.push(RouteLwTunnelEncap::Ip(RouteIpTunnel::Ttl(t)));
            }
            if let Some(f) = o.flags {
                v.push(RouteLwTunnelEncap::Other(DefaultNla::new(
                    7, // LWTUNNEL_IP_FLAGS
                    f.to_ne_bytes().to_vec(),
                )));
            }
            (RouteLwEnCapType::Ip, v)
        }
        Encap::Ip6(o) => {
            let mut v = Vec::new();
            if let Some(id) = o.id {
                v.push(RouteLwTunnelEncap::Ip6(RouteIp6Tunnel::Id(id)));
            }
            if let Some(IpAddr::V6(d)) = o.dst {
                v.push(RouteLwTunnelEncap::Ip6(RouteIp6Tunnel::Destination(d)));
            }
            if let Some(IpAddr::V6(s)) = o.src {
                v.push(RouteLwTunnelEncap::Ip6(RouteIp6Tunnel::Source(s)));
            }
            if let Some(t) = tos(o)? {
                v.push(RouteLwTunnelEncap::Ip6(RouteIp6Tunnel::Tc(t)));
            }
            if let Some(t) = o.ttl {
                v.push(RouteLwTunnelEncap::Ip6(RouteIp6Tunnel::Hoplimit(t)));
            }
            if let Some(f) = o.flags {
                v.push(RouteLwTunnelEncap::Other(DefaultNla::new(
                    7, // LWTUNNEL_IP6_FLAGS
                    f.to_ne_bytes().to_vec(),
                )));
            }
            (RouteLwEnCapType::Ip6, v)
        }
        Encap::Ila(g) => {
            let loc = g.iter().fold(0u64, |acc, x| (acc << 16) | u64::from(*x));
            (
                RouteLwEnCapType::Ila,
                vec![RouteLwTunnelEncap::Other(DefaultNla::new(
                    ILA_ATTR_LOCATOR,
                    loc.to_ne_bytes().to_vec(),
                ))],
            )
        }
    })
}

fn nexthop(
    nh: &Nexthop,
    ipv6: bool,
    links: &mut dyn Ifindexes,
) -> Result<RouteNextHop, ErrorKind> {
    let mut hop = RouteNextHop::default();
    if let Some(w) = nh.weight {
        if !(1..=256).contains(&w) {
            return Err(ErrorKind::Invalid(format!(
                "nexthop weight {w} is not 1..=256"
            )));
        }
        // The kernel counts from 0 (`rtnh_hops` = weight - 1).
        hop.hops = (w - 1) as u8;
    }
    if nh.onlink {
        hop.flags |= RouteNextHopFlags::Onlink;
    }
    if let Some(d) = nh.dev {
        hop.interface_index = links.ifindex(d)?;
    }
    if let Some(v) = nh.via {
        hop.attributes.push(gateway(v, ipv6));
    }
    if let Some(e) = &nh.encap {
        push_encap(&mut hop.attributes, e)?;
    }
    if let Some(r) = &nh.realms {
        hop.attributes.push(RouteAttribute::Realm(realm(r)?));
    }
    Ok(hop)
}

/// The flags of an `RTM_NEWROUTE` for `mode` (iproute2's meaning).
fn add_flags(mode: Option<AddMode>) -> u16 {
    match mode {
        None | Some(AddMode::Add) => NLM_F_CREATE | NLM_F_EXCL,
        Some(AddMode::Prepend) => NLM_F_CREATE,
        Some(AddMode::Append) => NLM_F_CREATE | NLM_F_APPEND,
    }
}

/// Looks names up through the commander's own socket.
struct ByName<'a>(&'a mut Commander);

impl Ifindexes for ByName<'_> {
    fn ifindex(&mut self, name: IfName) -> Result<u32, ErrorKind> {
        self.0.link_index(name.as_str())
    }

    fn vrf_table(&mut self, name: IfName) -> Result<u32, ErrorKind> {
        let link = self.0.get_link(name.as_str())?;
        link.attributes
            .iter()
            .find_map(|a| match a {
                LinkAttribute::LinkInfo(infos) => {
                    infos.iter().find_map(|i| match i {
                        LinkInfo::Data(InfoData::Vrf(v)) => {
                            v.iter().find_map(|x| match x {
                                InfoVrf::TableId(t) => Some(*t),
                                _ => None,
                            })
                        }
                        _ => None,
                    })
                }
                _ => None,
            })
            .ok_or_else(|| {
                ErrorKind::Invalid(format!("`{name}` is not a VRF device"))
            })
    }
}

impl Commander {
    /// The link called `name`, as the kernel describes it.
    pub fn get_link(&mut self, name: &str) -> Result<LinkMessage, ErrorKind> {
        let mut m = LinkMessage::default();
        m.attributes.push(LinkAttribute::IfName(name.to_owned()));
        let replies = self
            .request(RouteNetlinkMessage::GetLink(m), 0)
            .map_err(|k| match k {
                ErrorKind::Kernel {
                    errno: libc::ENODEV,
                    ..
                } => ErrorKind::Invalid(format!("no interface `{name}`")),
                k => k,
            })?;
        replies
            .into_iter()
            .find_map(|r| match r {
                RouteNetlinkMessage::NewLink(l) => Some(l),
                _ => None,
            })
            .ok_or_else(|| {
                ErrorKind::Protocol(format!("no answer for interface `{name}`"))
            })
    }

    /// The ifindex of interface `name`.
    pub fn link_index(&mut self, name: &str) -> Result<u32, ErrorKind> {
        Ok(self.get_link(name)?.header.index)
    }

    /// The message [`Self::add_route`] would send, e.g. to show a plan.
    pub fn route_message(
        &mut self,
        r: &Route,
    ) -> Result<RouteMessage, ErrorKind> {
        let scopes = ScopeTable::load();
        route_message(r, &mut ByName(self), &scopes)
    }

    /// Adds route `r` with every option; [`Outcome::AlreadyPresent`] when
    /// the kernel has it (`EEXIST`, without `prepend`/`append`).
    pub fn add_route(&mut self, r: &Route) -> Result<Outcome, EntryError> {
        let err = |kind| EntryError {
            op: Op::Add,
            what: "route",
            line: r.line.to_owned(),
            kind,
        };
        let m = self.route_message(r).map_err(err)?;
        match self
            .request(RouteNetlinkMessage::NewRoute(m), add_flags(r.add_mode))
        {
            Ok(_) => Ok(Outcome::Done),
            Err(ErrorKind::Kernel {
                errno: libc::EEXIST,
                ..
            }) => Ok(Outcome::AlreadyPresent),
            Err(k) => Err(err(k)),
        }
    }

    /// Removes route `r`; [`Outcome::AlreadyAbsent`] when the kernel has
    /// no such route (`ESRCH`), or its interface is gone.
    pub fn del_route(&mut self, r: &Route) -> Result<Outcome, EntryError> {
        let err = |kind| EntryError {
            op: Op::Del,
            what: "route",
            line: r.line.to_owned(),
            kind,
        };
        let mut m = match self.route_message(r) {
            Ok(m) => m,
            // The interface went away, and the kernel removed the route
            // with it.
            Err(ErrorKind::Invalid(s)) if s.starts_with("no interface") => {
                return Ok(Outcome::AlreadyAbsent)
            }
            Err(k) => return Err(err(k)),
        };
        // The route's key: metrics, lifetimes and encapsulation do not
        // identify it (and an encapsulation the kernel lacks would make
        // the removal of a route that cannot exist fail).
        m.attributes.retain(|a| {
            !matches!(
                a,
                RouteAttribute::Metrics(_)
                    | RouteAttribute::Expires(_)
                    | RouteAttribute::Encap(_)
                    | RouteAttribute::EncapType(_)
            )
        });
        match self.request(RouteNetlinkMessage::DelRoute(m), 0) {
            Ok(_) => Ok(Outcome::Done),
            Err(ErrorKind::Kernel {
                errno: libc::ESRCH | libc::ENODEV,
                ..
            }) => Ok(Outcome::AlreadyAbsent),
            Err(k) => Err(err(k)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::addr::{Metrics, RouteType, RtId};
    use crate::site::types::Prefix;

    struct Fixed;

    impl Ifindexes for Fixed {
        fn ifindex(&mut self, name: IfName) -> Result<u32, ErrorKind> {
            match name.as_str() {
                "eth0" => Ok(2),
                "eth1" => Ok(3),
                n => Err(ErrorKind::Invalid(format!("no interface `{n}`"))),
            }
        }
        fn vrf_table(&mut self, _: IfName) -> Result<u32, ErrorKind> {
            Ok(1001)
        }
    }

    fn msg(r: &Route) -> RouteMessage {
        route_message(r, &mut Fixed, &ScopeTable::default()).unwrap()
    }

    #[test]
    fn keepalived_defaults() {
        let r = Route {
            via: Some("192.0.2.1".parse().unwrap()),
            dev: Some(IfName::new("eth0")),
            ..Route::to(Some(Prefix::v4([203, 0, 113, 0], 24)), false, "")
        };
        let m = msg(&r);
        assert_eq!(m.header.protocol, RouteProtocol::KeepAlived);
        assert_eq!(m.header.scope, RouteScope::Universe);
        assert_eq!(m.header.table, 254);
        assert_eq!(m.header.kind, NlRouteType::Unicast);
        assert_eq!(m.header.destination_prefix_length, 24);
        assert!(m.attributes.contains(&RouteAttribute::Oif(2)));
        assert!(m.attributes.contains(&RouteAttribute::Gateway(
            RouteAddress::Inet("192.0.2.1".parse().unwrap())
        )));
    }

    #[test]
    fn metrics_and_locks() {
        let r = Route {
            kind: Some(RouteType::Blackhole),
            table: Some(RtId::Id(1000)),
            metrics: Metrics {
                mtu: Some(Locked::with_lock(1400)),
                advmss: Some(Locked::new(1300)),
                ecn: true,
                congctl: Some(Locked::with_lock("reno")),
                ..Metrics::NONE
            },
            ..Route::to(Some(Prefix::v4([203, 0, 113, 0], 24)), false, "")
        };
        let m = msg(&r);
        assert_eq!(m.header.table, 0, "tables over 255 only in RTA_TABLE");
        assert!(m.attributes.contains(&RouteAttribute::Table(1000)));
        let metrics = m
            .attributes
            .iter()
            .find_map(|a| match a {
                RouteAttribute::Metrics(v) => Some(v.clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!(metrics[0], RouteMetric::Lock((1 << 2) | (1 << 16)));
        assert!(metrics.contains(&RouteMetric::Features(1)));
        assert!(metrics.contains(&RouteMetric::CcAlgo("reno".into())));
    }

    #[test]
    fn nexthops_and_errors() {
        static HOPS: [Nexthop; 2] = [
            Nexthop {
                via: Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1))),
                dev: Some(IfName::new("eth0")),
                weight: Some(3),
                onlink: true,
                encap: None,
                realms: None,
            },
            Nexthop {
                via: None,
                dev: Some(IfName::new("eth1")),
                weight: None,
                onlink: false,
                encap: Some(Encap::Mpls(&[100, 200])),
                realms: None,
            },
        ];
        let r = Route {
            nexthops: &HOPS,
            vrf: Some(IfName::new("blue")),
            ..Route::to(None, false, "")
        };
        let m = msg(&r);
        assert!(m.attributes.contains(&RouteAttribute::Table(1001)));
        let hops = m
            .attributes
            .iter()
            .find_map(|a| match a {
                RouteAttribute::MultiPath(v) => Some(v.clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!(hops[0].hops, 2);
        assert_eq!(hops[0].interface_index, 2);
        assert!(hops[0].flags.contains(RouteNextHopFlags::Onlink));
        assert_eq!(hops[1].interface_index, 3);
        assert_eq!(hops[1].attributes.len(), 2, "{:?}", hops[1]);

        let bad = Route {
            dev: Some(IfName::new("eth9")),
            ..Route::to(None, false, "")
        };
        assert!(
            route_message(&bad, &mut Fixed, &ScopeTable::default()).is_err()
        );
        let mixed = Route {
            src: Some("2001:db8::1".parse().unwrap()),
            ..Route::to(Some(Prefix::v4([192, 0, 2, 0], 24)), false, "")
        };
        assert!(matches!(
            route_message(&mixed, &mut Fixed, &ScopeTable::default()),
            Err(ErrorKind::Invalid(_))
        ));
    }

    #[test]
    fn iproute2_name_files() {
        let text = "# comment\n255\tlocal\n0x10 ten # x\n100 blue\n";
        assert_eq!(names::parse(text, "ten"), Some(16));
        assert_eq!(names::parse(text, "blue"), Some(100));
        assert_eq!(names::parse(text, "red"), None);
        assert_eq!(names::resolve(RtId::Id(7), "rt_tables").unwrap(), 7);
        assert!(names::resolve(RtId::Name("no-such-x"), "rt_tables").is_err());
    }
}
