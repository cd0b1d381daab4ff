//! Address, route and rule entries (shared by `virtual_*` in instances
//! and `static_*` at the top level), `track_group` and `garp_group`.
//!
//! Every entry stores what the line said (options left out are `None` or
//! `false`), and displays as one canonical keepalived.conf line that
//! lowers back to an equal entry.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use super::value::{Family, IpPrefix, Micros, Sp};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Statics {
    pub addresses: Vec<AddressEntry>,
    pub routes: Vec<RouteEntry>,
    pub rules: Vec<RuleEntry>,
    pub track_groups: Vec<TrackGroup>,
    pub garp_groups: Vec<GarpGroup>,
}

/// A number or a name of an iproute2 table (`rt_tables`, `rt_scopes`,
/// `rt_protos`, `rt_dsfield`, `rt_realms`, `group`). keepalived reads
/// numbers as C's `strtoul(.., 0)` does (`0x10`, `010`) and looks names up
/// in /etc/iproute2 when it starts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RtName {
    Id(u32),
    Name(String),
}

impl fmt::Display for RtName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RtName::Id(n) => write!(f, "{n}"),
            RtName::Name(s) => f.write_str(s),
        }
    }
}

/// `brd` of an IPv4 address: an address, `+` (host bits set) or `-`
/// (host bits clear).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Broadcast {
    Addr(Ipv4Addr),
    Plus,
    Minus,
}

impl fmt::Display for Broadcast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Broadcast::Addr(a) => write!(f, "{a}"),
            Broadcast::Plus => f.write_str("+"),
            Broadcast::Minus => f.write_str("-"),
        }
    }
}

/// `preferred_lft`: seconds or `forever`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lifetime {
    Forever,
    Secs(u32),
}

impl fmt::Display for Lifetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lifetime::Forever => f.write_str("forever"),
            Lifetime::Secs(n) => write!(f, "{n}"),
        }
    }
}

/// One `virtual_ipaddress` / `virtual_ipaddress_excluded` /
/// `static_ipaddress` line.
#[derive(Clone, Debug, PartialEq)]
pub struct AddressEntry {
    pub address: Sp<IpPrefix>,
    pub dev: Option<Sp<String>>,
    pub broadcast: Option<Sp<Broadcast>>,
    pub scope: Option<Sp<RtName>>,
    pub label: Option<Sp<String>>,
    pub peer: Option<Sp<IpAddr>>,
    pub home: bool,
    pub nodad: bool,
    pub mngtmpaddr: bool,
    pub noprefixroute: bool,
    pub autojoin: bool,
    pub preferred_lft: Option<Sp<Lifetime>>,
    pub no_track: bool,
    /// Only in `virtual_ipaddress*`.
    pub use_vmac: bool,
    /// Only in `static_ipaddress`.
    pub track_group: Option<Sp<String>>,
}

impl AddressEntry {
    /// An entry with only an address.
    pub fn new(address: Sp<IpPrefix>) -> Self {
        AddressEntry {
            address,
            dev: None,
            broadcast: None,
            scope: None,
            label: None,
            peer: None,
            home: false,
            nodad: false,
            mngtmpaddr: false,
            noprefixroute: false,
            autojoin: false,
            preferred_lft: None,
            no_track: false,
            use_vmac: false,
            track_group: None,
        }
    }

    pub fn family(&self) -> Family {
        self.address.family()
    }
}

/// Writes ` key value` when set.
fn opt<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    key: &str,
    v: &Option<T>,
) -> fmt::Result {
    match v {
        Some(v) => write!(f, " {key} {v}"),
        None => Ok(()),
    }
}

/// Writes ` key` when true.
fn flag(f: &mut fmt::Formatter<'_>, key: &str, on: bool) -> fmt::Result {
    if on {
        write!(f, " {key}")
    } else {
        Ok(())
    }
}

impl fmt::Display for AddressEntry {
    /// The entry as one keepalived.conf line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.address)?;
        opt(f, "peer", &self.peer)?;
        opt(f, "brd", &self.broadcast)?;
        opt(f, "dev", &self.dev)?;
        opt(f, "scope", &self.scope)?;
        opt(f, "label", &self.label)?;
        flag(f, "home", self.home)?;
        flag(f, "-nodad", self.nodad)?;
        flag(f, "mngtmpaddr", self.mngtmpaddr)?;
        flag(f, "noprefixroute", self.noprefixroute)?;
        flag(f, "autojoin", self.autojoin)?;
        opt(f, "preferred_lft", &self.preferred_lft)?;
        flag(f, "no_track", self.no_track)?;
        flag(f, "use_vmac", self.use_vmac)?;
        opt(f, "track_group", &self.track_group)
    }
}

/// A route destination or source: a prefix, or `default` (also written
/// `any`, `all`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouteDest {
    Default,
    Prefix(IpPrefix),
}

impl RouteDest {
    pub fn family(&self) -> Option<Family> {
        match self {
            RouteDest::Default => None,
            RouteDest::Prefix(p) => Some(p.family()),
        }
    }
}

impl fmt::Display for RouteDest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteDest::Default => f.write_str("default"),
            RouteDest::Prefix(p) => write!(f, "{p}"),
        }
    }
}

/// A route type written before the destination (`blackhole 10.0.0.0/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouteType {
    Local,
    Nat,
    Broadcast,
    Anycast,
    Multicast,
    Prohibit,
    Unreachable,
    Blackhole,
    Xresolve,
    Unicast,
    Throw,
    /// A numeric type (0..=255).
    Other(u8),
}

impl RouteType {
    pub const NAMES: &'static [(&'static str, RouteType)] = &[
        ("local", RouteType::Local),
        ("nat", RouteType::Nat),
        ("broadcast", RouteType::Broadcast),
        ("brd", RouteType::Broadcast),
        ("anycast", RouteType::Anycast),
        ("multicast", RouteType::Multicast),
        ("prohibit", RouteType::Prohibit),
        ("unreachable", RouteType::Unreachable),
        ("blackhole", RouteType::Blackhole),
        ("xresolve", RouteType::Xresolve),
        ("unicast", RouteType::Unicast),
        ("throw", RouteType::Throw),
    ];
}

impl fmt::Display for RouteType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let RouteType::Other(n) = self {
            return write!(f, "{n}");
        }
        let name = Self::NAMES
            .iter()
            .find(|(_, t)| t == self)
            .map(|(n, _)| *n)
            .unwrap_or("unicast");
        f.write_str(name)
    }
}

/// A route metric that may be locked (`mtu lock 1400`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Locked<T> {
    pub lock: bool,
    pub value: T,
}

impl<T: fmt::Display> fmt::Display for Locked<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lock {
            write!(f, "lock {}", self.value)
        } else {
            write!(f, "{}", self.value)
        }
    }
}

/// `rtt`, `rttvar`, `rto_min`: a raw kernel value or a time with a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RttTime {
    /// No unit: the kernel's own unit (1/8000 s for rtt, 1/4000 s for
    /// rttvar, ms for rto_min).
    Raw(u32),
    /// `Nms` or `N.NNNs`, in milliseconds.
    Millis(u32),
}

impl fmt::Display for RttTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RttTime::Raw(n) => write!(f, "{n}"),
            RttTime::Millis(n) => write!(f, "{n}ms"),
        }
    }
}

/// `realms [FROM/]TO`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Realms {
    pub from: Option<RtName>,
    pub to: RtName,
}

impl fmt::Display for Realms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.from {
            Some(from) => write!(f, "{from}/{}", self.to),
            None => write!(f, "{}", self.to),
        }
    }
}

/// `pref low|medium|high|N` (IPv6 router preference).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoutePref {
    Low,
    Medium,
    High,
    Other(u8),
}

impl fmt::Display for RoutePref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoutePref::Low => f.write_str("low"),
            RoutePref::Medium => f.write_str("medium"),
            RoutePref::High => f.write_str("high"),
            RoutePref::Other(n) => write!(f, "{n}"),
        }
    }
}

/// `add`, `prepend` (the default) or `append`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddMode {
    Add,
    Prepend,
    Append,
}

impl fmt::Display for AddMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddMode::Add => "add",
            AddMode::Prepend => "prepend",
            AddMode::Append => "append",
        })
    }
}

/// Lightweight tunnel encapsulation (`encap ip|ip6|mpls|ila ...`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Encap {
    Ip(EncapIp),
    Ip6(EncapIp),
    /// MPLS label stack.
    Mpls(Vec<u32>),
    /// ILA locator, four 16-bit hex groups.
    Ila([u16; 4]),
}

/// Options of `encap ip` / `encap ip6` (`tos`/`ttl` are `tc`/`hoplimit`
/// for ip6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct EncapIp {
    pub id: Option<u64>,
    pub dst: Option<IpAddr>,
    pub src: Option<IpAddr>,
    pub tos: Option<RtName>,
    pub ttl: Option<u8>,
    pub flags: Option<u16>,
}

impl fmt::Display for Encap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Encap::Ip(e) | Encap::Ip6(e) => {
                let six = matches!(self, Encap::Ip6(_));
                f.write_str(if six { "ip6" } else { "ip" })?;
                opt(f, "id", &e.id)?;
                opt(f, "dst", &e.dst)?;
                opt(f, "src", &e.src)?;
                opt(f, if six { "tc" } else { "tos" }, &e.tos)?;
                opt(f, if six { "hoplimit" } else { "ttl" }, &e.ttl)?;
                opt(f, "flags", &e.flags)
            }
            Encap::Mpls(labels) => {
                let l: Vec<String> =
                    labels.iter().map(u32::to_string).collect();
                write!(f, "mpls {}", l.join("/"))
            }
            Encap::Ila(g) => {
                write!(f, "ila {:x}:{:x}:{:x}:{:x}", g[0], g[1], g[2], g[3])
            }
        }
    }
}

/// One `nexthop ...` of a multipath route.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Nexthop {
    pub via: Option<Sp<IpAddr>>,
    pub dev: Option<Sp<String>>,
    /// 1..=256.
    pub weight: Option<Sp<u16>>,
    pub onlink: bool,
    pub encap: Option<Sp<Encap>>,
    pub realms: Option<Sp<Realms>>,
}

impl fmt::Display for Nexthop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("nexthop")?;
        opt(f, "via", &self.via)?;
        opt(f, "dev", &self.dev)?;
        opt(f, "weight", &self.weight)?;
        flag(f, "onlink", self.onlink)?;
        opt(f, "encap", &self.encap)?;
        opt(f, "realms", &self.realms)
    }
}

/// One `virtual_routes` / `static_routes` line.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteEntry {
    /// `inet` / `inet6` when written.
    pub family: Option<Sp<Family>>,
    pub rtype: Option<Sp<RouteType>>,
    pub dest: Sp<RouteDest>,
    /// `src`: the preferred source address.
    pub src: Option<Sp<IpAddr>>,
    /// `from`: the source prefix (IPv6 only).
    pub from: Option<Sp<RouteDest>>,
    pub via: Option<Sp<IpAddr>>,
    pub dev: Option<Sp<String>>,
    pub scope: Option<Sp<RtName>>,
    pub table: Option<Sp<RtName>>,
    pub vrf: Option<Sp<String>>,
    pub metric: Option<Sp<u32>>,
    pub protocol: Option<Sp<RtName>>,
    pub tos: Option<Sp<RtName>>,
    pub onlink: bool,
    pub encap: Option<Sp<Encap>>,
    pub expires: Option<Sp<u32>>,
    pub mtu: Option<Sp<Locked<u32>>>,
    pub hoplimit: Option<Sp<u8>>,
    pub advmss: Option<Sp<Locked<u32>>>,
    pub rtt: Option<Sp<Locked<RttTime>>>,
    pub rttvar: Option<Sp<Locked<RttTime>>>,
    pub reordering: Option<Sp<Locked<u32>>>,
    pub window: Option<Sp<u32>>,
    pub cwnd: Option<Sp<Locked<u32>>>,
    pub ssthresh: Option<Sp<Locked<u32>>>,
    pub realms: Option<Sp<Realms>>,
    pub rto_min: Option<Sp<Locked<RttTime>>>,
    pub initcwnd: Option<Sp<u32>>,
    pub initrwnd: Option<Sp<u32>>,
    /// `features ecn`.
    pub ecn: bool,
    pub quickack: Option<Sp<bool>>,
    pub congctl: Option<Sp<Locked<String>>>,
    pub pref: Option<Sp<RoutePref>>,
    pub ttl_propagate: Option<Sp<bool>>,
    pub fastopen_no_cookie: Option<Sp<bool>>,
    pub add_mode: Option<Sp<AddMode>>,
    pub no_track: bool,
    /// Only in `static_routes`.
    pub track_group: Option<Sp<String>>,
    pub nexthops: Vec<Nexthop>,
}

impl RouteEntry {
    pub fn new(dest: Sp<RouteDest>) -> Self {
        RouteEntry {
            family: None,
            rtype: None,
            dest,
            src: None,
            from: None,
            via: None,
            dev: None,
            scope: None,
            table: None,
            vrf: None,
            metric: None,
            protocol: None,
            tos: None,
            onlink: false,
            encap: None,
            expires: None,
            mtu: None,
            hoplimit: None,
            advmss: None,
            rtt: None,
            rttvar: None,
            reordering: None,
            window: None,
            cwnd: None,
            ssthresh: None,
            realms: None,
            rto_min: None,
            initcwnd: None,
            initrwnd: None,
            ecn: false,
            quickack: None,
            congctl: None,
            pref: None,
            ttl_propagate: None,
            fastopen_no_cookie: None,
            add_mode: None,
            no_track: false,
            track_group: None,
            nexthops: Vec::new(),
        }
    }
}

fn family_word(f: Family) -> &'static str {
    match f {
        Family::Inet => "inet",
        Family::Inet6 => "inet6",
    }
}

fn bit(b: &Sp<bool>) -> u8 {
    u8::from(b.value)
}

impl fmt::Display for RouteEntry {
    /// The entry as one keepalived.conf line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rtype {
            Some(t) => write!(f, "{t} {}", self.dest)?,
            None => write!(f, "{}", self.dest)?,
        }
        // keepalived 2.2.7 reads the family word and `src` only after
        // the destination (before it, `default` can take the wrong
        // family, and `inet6 DEST` loses the destination).
        if let Some(fam) = &self.family {
            write!(f, " {}", family_word(fam.value))?;
        }
        opt(f, "src", &self.src)?;
        opt(f, "from", &self.from)?;
        opt(f, "via", &self.via)?;
        opt(f, "dev", &self.dev)?;
        flag(f, "onlink", self.onlink)?;
        opt(f, "scope", &self.scope)?;
        opt(f, "table", &self.table)?;
        opt(f, "vrf", &self.vrf)?;
        opt(f, "metric", &self.metric)?;
        opt(f, "protocol", &self.protocol)?;
        opt(f, "tos", &self.tos)?;
        opt(f, "encap", &self.encap)?;
        opt(f, "expires", &self.expires)?;
        opt(f, "mtu", &self.mtu)?;
        opt(f, "hoplimit", &self.hoplimit)?;
        opt(f, "advmss", &self.advmss)?;
        opt(f, "rtt", &self.rtt)?;
        opt(f, "rttvar", &self.rttvar)?;
        opt(f, "reordering", &self.reordering)?;
        opt(f, "window", &self.window)?;
        opt(f, "cwnd", &self.cwnd)?;
        opt(f, "ssthresh", &self.ssthresh)?;
        opt(f, "realms", &self.realms)?;
        opt(f, "rto_min", &self.rto_min)?;
        opt(f, "initcwnd", &self.initcwnd)?;
        opt(f, "initrwnd", &self.initrwnd)?;
        flag(f, "features ecn", self.ecn)?;
        opt(f, "quickack", &self.quickack.as_ref().map(bit))?;
        opt(f, "congctl", &self.congctl)?;
        opt(f, "pref", &self.pref)?;
        let ttl = self.ttl_propagate.as_ref().map(|b| {
            if b.value {
                "enabled"
            } else {
                "disabled"
            }
        });
        opt(f, "ttl-propagate", &ttl)?;
        opt(
            f,
            "fastopen_no_cookie",
            &self.fastopen_no_cookie.as_ref().map(bit),
        )?;
        if let Some(m) = &self.add_mode {
            write!(f, " {m}")?;
        }
        flag(f, "no_track", self.no_track)?;
        opt(f, "track_group", &self.track_group)?;
        // Nexthops end the line: keepalived reads everything after the
        // first `nexthop` as nexthop options.
        for nh in &self.nexthops {
            write!(f, " {nh}")?;
        }
        Ok(())
    }
}

/// What a rule does with a matching packet.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RuleAction {
    /// `table T` / `lookup T`.
    Table(RtName),
    Goto(u32),
    Nop,
    Blackhole,
    Unreachable,
    Prohibit,
}

impl fmt::Display for RuleAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleAction::Table(t) => write!(f, "table {t}"),
            RuleAction::Goto(n) => write!(f, "goto {n}"),
            RuleAction::Nop => f.write_str("nop"),
            RuleAction::Blackhole => f.write_str("blackhole"),
            RuleAction::Unreachable => f.write_str("unreachable"),
            RuleAction::Prohibit => f.write_str("prohibit"),
        }
    }
}

/// `fwmark MARK[/MASK]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fwmark {
    pub mark: u32,
    pub mask: Option<u32>,
}

impl fmt::Display for Fwmark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mask {
            Some(m) => write!(f, "{}/{}", self.mark, m),
            None => write!(f, "{}", self.mark),
        }
    }
}

/// `A-B` (uidrange, sport, dport).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Range<T> {
    pub start: T,
    pub end: T,
}

impl<T: fmt::Display> fmt::Display for Range<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// One `virtual_rules` / `static_rules` line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleEntry {
    pub family: Option<Sp<Family>>,
    /// `not`: the selector is inverted.
    pub not: bool,
    pub from: Option<Sp<RouteDest>>,
    pub to: Option<Sp<RouteDest>>,
    pub preference: Option<Sp<u32>>,
    pub tos: Option<Sp<RtName>>,
    pub fwmark: Option<Sp<Fwmark>>,
    /// `iif` (also written `dev`).
    pub iif: Option<Sp<String>>,
    pub oif: Option<Sp<String>>,
    pub realms: Option<Sp<Realms>>,
    pub suppress_prefixlength: Option<Sp<u32>>,
    pub suppress_ifgroup: Option<Sp<RtName>>,
    pub tunnel_id: Option<Sp<u64>>,
    pub uidrange: Option<Sp<Range<u32>>>,
    pub l3mdev: bool,
    pub protocol: Option<Sp<u8>>,
    pub ipproto: Option<Sp<RtName>>,
    pub sport: Option<Sp<Range<u16>>>,
    pub dport: Option<Sp<Range<u16>>>,
    pub action: Option<Sp<RuleAction>>,
    pub no_track: bool,
    /// Only in `static_rules`.
    pub track_group: Option<Sp<String>>,
}

impl fmt::Display for RuleEntry {
    /// The entry as one keepalived.conf line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut words: Vec<String> = Vec::new();
        if let Some(fam) = &self.family {
            words.push(family_word(fam.value).to_owned());
        }
        if self.not {
            words.push("not".to_owned());
        }
        let mut kv = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                words.push(format!("{k} {v}"));
            }
        };
        kv("from", self.from.as_ref().map(|v| v.to_string()));
        kv("to", self.to.as_ref().map(|v| v.to_string()));
        kv(
            "preference",
            self.preference.as_ref().map(|v| v.to_string()),
        );
        kv("tos", self.tos.as_ref().map(|v| v.to_string()));
        kv("fwmark", self.fwmark.as_ref().map(|v| v.to_string()));
        kv("iif", self.iif.as_ref().map(|v| v.to_string()));
        kv("oif", self.oif.as_ref().map(|v| v.to_string()));
        kv("realms", self.realms.as_ref().map(|v| v.to_string()));
        kv(
            "suppress_prefixlength",
            self.suppress_prefixlength.as_ref().map(|v| v.to_string()),
        );
        kv(
            "suppress_ifgroup",
            self.suppress_ifgroup.as_ref().map(|v| v.to_string()),
        );
        kv("tunnel-id", self.tunnel_id.as_ref().map(|v| v.to_string()));
        kv("uidrange", self.uidrange.as_ref().map(|v| v.to_string()));
        kv("protocol", self.protocol.as_ref().map(|v| v.to_string()));
        kv("ipproto", self.ipproto.as_ref().map(|v| v.to_string()));
        kv("sport", self.sport.as_ref().map(|v| v.to_string()));
        kv("dport", self.dport.as_ref().map(|v| v.to_string()));
        if self.l3mdev {
            words.push("l3mdev".to_owned());
        }
        if let Some(a) = &self.action {
            words.push(a.to_string());
        }
        if self.no_track {
            words.push("no_track".to_owned());
        }
        if let Some(g) = &self.track_group {
            words.push(format!("track_group {g}"));
        }
        f.write_str(&words.join(" "))
    }
}

/// `track_group NAME { group { VI ... } }`.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackGroup {
    pub name: Sp<String>,
    /// The `group` block's instance names; `None` when no `group` block.
    pub group: Option<Vec<Sp<String>>>,
}

/// `garp_group { ... }` (it has no name).
#[derive(Clone, Debug, PartialEq)]
pub struct GarpGroup {
    /// Where `garp_group` was written.
    pub span: Sp<()>,
    pub garp_interval: Option<Sp<Micros>>,
    pub gna_interval: Option<Sp<Micros>>,
    pub interface: Option<Sp<String>>,
    /// `interfaces { IF ... }`; `None` when not given.
    pub interfaces: Option<Vec<Sp<String>>>,
}
