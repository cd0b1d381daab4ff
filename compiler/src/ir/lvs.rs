//! `virtual_server_group`, `virtual_server`, `real_server` and checkers.
//!
//! Every setting is stored as written (`None` when absent); keepalived's
//! defaults are applied by the runtime, or by the helper methods here.
//! The `Display` impls print values in canonical keepalived.conf syntax.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use super::value::{Command, Family, IpPrefix, Micros, RunAs, Sp};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lvs {
    pub groups: Vec<VirtualServerGroup>,
    pub servers: Vec<VirtualServer>,
}

// ===== virtual_server_group =====

#[derive(Clone, Debug, PartialEq)]
pub struct VirtualServerGroup {
    pub name: Sp<String>,
    pub entries: Vec<Sp<GroupEntry>>,
}

/// One line of a `virtual_server_group`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupEntry {
    /// `ADDRESS-RANGE [PORT]`.
    Addresses { range: AddrRange, port: Option<u16> },
    /// `fwmark N [inet|inet6]`.
    Fwmark { mark: u32, family: Option<Family> },
}

/// The address part of a group entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddrRange {
    /// `192.0.2.1`.
    Single(IpAddr),
    /// `192.0.2.1-10` (IPv4: last octet, decimal) or `2001:db8::1-ff`
    /// (IPv6: last hextet, hexadecimal).
    LastPart { start: IpAddr, last: u16 },
    /// `192.0.2.1-192.0.3.10`.
    Span { start: IpAddr, end: IpAddr },
    /// `192.0.2.0/24`: every address of the prefix.
    Prefix(IpPrefix),
}

impl AddrRange {
    pub fn family(&self) -> Family {
        match self {
            AddrRange::Single(a)
            | AddrRange::LastPart { start: a, .. }
            | AddrRange::Span { start: a, .. } => Family::of(a),
            AddrRange::Prefix(p) => p.family(),
        }
    }
}

impl fmt::Display for AddrRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddrRange::Single(a) => write!(f, "{a}"),
            AddrRange::LastPart {
                start: a @ IpAddr::V4(_),
                last,
            } => {
                write!(f, "{a}-{last}")
            }
            AddrRange::LastPart { start, last } => {
                write!(f, "{start}-{last:x}")
            }
            AddrRange::Span { start, end } => write!(f, "{start}-{end}"),
            AddrRange::Prefix(p) => write!(f, "{}/{}", p.addr, p.len),
        }
    }
}

impl fmt::Display for GroupEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupEntry::Addresses { range, port } => {
                write!(f, "{range}")?;
                if let Some(p) = port {
                    write!(f, " {p}")?;
                }
                Ok(())
            }
            GroupEntry::Fwmark { mark, family } => {
                write!(f, "fwmark {mark}")?;
                if let Some(fam) = family {
                    write!(f, " {}", family_keyword(*fam))?;
                }
                Ok(())
            }
        }
    }
}

/// `inet` / `inet6`, as `ip_family` and group fwmarks spell families.
pub fn family_keyword(f: Family) -> &'static str {
    match f {
        Family::Inet => "inet",
        Family::Inet6 => "inet6",
    }
}

// ===== virtual_server =====

/// What follows `virtual_server`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum VsKey {
    /// `IP [PORT]` (no port only for persistent services).
    Addr { addr: IpAddr, port: Option<u16> },
    /// `fwmark N`.
    Fwmark(u32),
    /// `group NAME`.
    Group(String),
}

impl fmt::Display for VsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VsKey::Addr {
                addr,
                port: Some(p),
            } => write!(f, "{addr} {p}"),
            VsKey::Addr { addr, port: None } => write!(f, "{addr}"),
            VsKey::Fwmark(m) => write!(f, "fwmark {m}"),
            VsKey::Group(g) => write!(f, "group {g}"),
        }
    }
}

/// IPVS schedulers keepalived 2.2.7 accepts (check_parser.c).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheduler {
    Rr,
    Wrr,
    Lc,
    Wlc,
    Lblc,
    Sh,
    Mh,
    Dh,
    Fo,
    Ovf,
    Lblcr,
    Sed,
    Nq,
    Twos,
}

impl Scheduler {
    pub const ALL: &'static [(&'static str, Scheduler)] = &[
        ("rr", Scheduler::Rr),
        ("wrr", Scheduler::Wrr),
        ("lc", Scheduler::Lc),
        ("wlc", Scheduler::Wlc),
        ("lblc", Scheduler::Lblc),
        ("sh", Scheduler::Sh),
        ("mh", Scheduler::Mh),
        ("dh", Scheduler::Dh),
        ("fo", Scheduler::Fo),
        ("ovf", Scheduler::Ovf),
        ("lblcr", Scheduler::Lblcr),
        ("sed", Scheduler::Sed),
        ("nq", Scheduler::Nq),
        ("twos", Scheduler::Twos),
    ];
}

impl fmt::Display for Scheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = Scheduler::ALL
            .iter()
            .find(|(_, s)| s == self)
            .map_or("wlc", |(n, _)| n);
        f.write_str(name)
    }
}

/// IPVS forwarding method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Nat,
    Dr,
    Tun,
}

impl Method {
    pub const ALL: &'static [(&'static str, Method)] = &[
        ("NAT", Method::Nat),
        ("DR", Method::Dr),
        ("TUN", Method::Tun),
    ];
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Nat => "NAT",
            Method::Dr => "DR",
            Method::Tun => "TUN",
        })
    }
}

/// `type ipip|gue|gre` of a TUN method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TunnelType {
    Ipip,
    Gue,
    Gre,
}

/// Tunnel checksum option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TunnelCsum {
    NoCsum,
    Csum,
    RemCsum,
}

/// `lvs_method NAT|DR|TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forwarding {
    pub method: Method,
    pub tunnel_type: Option<TunnelType>,
    pub tunnel_port: Option<u16>,
    pub csum: Option<TunnelCsum>,
}

impl Forwarding {
    pub fn plain(method: Method) -> Self {
        Forwarding {
            method,
            tunnel_type: None,
            tunnel_port: None,
            csum: None,
        }
    }
}

impl fmt::Display for Forwarding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.method)?;
        match self.tunnel_type {
            Some(TunnelType::Ipip) => f.write_str(" type ipip")?,
            Some(TunnelType::Gue) => f.write_str(" type gue")?,
            Some(TunnelType::Gre) => f.write_str(" type gre")?,
            None => {}
        }
        if let Some(p) = self.tunnel_port {
            write!(f, " port {p}")?;
        }
        match self.csum {
            Some(TunnelCsum::NoCsum) => f.write_str(" nocsum"),
            Some(TunnelCsum::Csum) => f.write_str(" csum"),
            Some(TunnelCsum::RemCsum) => f.write_str(" remcsum"),
            None => Ok(()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        })
    }
}

/// `persistence_granularity`: an IPv4 netmask or an IPv6 prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granularity {
    Mask(Ipv4Addr),
    PrefixLen(u8),
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Granularity::Mask(m) => write!(f, "{m}"),
            Granularity::PrefixLen(n) => write!(f, "{n}"),
        }
    }
}

/// IPVS service flags set by bare keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceFlag {
    Ops,
    Hashed,
    Flag1,
    Flag2,
    Flag3,
    ShPort,
    ShFallback,
    MhPort,
    MhFallback,
}

impl ServiceFlag {
    pub const ALL: &'static [(&'static str, ServiceFlag)] = &[
        ("ops", ServiceFlag::Ops),
        ("hashed", ServiceFlag::Hashed),
        ("flag-1", ServiceFlag::Flag1),
        ("flag-2", ServiceFlag::Flag2),
        ("flag-3", ServiceFlag::Flag3),
        ("sh-port", ServiceFlag::ShPort),
        ("sh-fallback", ServiceFlag::ShFallback),
        ("mh-port", ServiceFlag::MhPort),
        ("mh-fallback", ServiceFlag::MhFallback),
    ];

    pub fn keyword(self) -> &'static str {
        ServiceFlag::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("ops", |(n, _)| n)
    }
}

/// `sorry_server IP [PORT]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SorryServer {
    pub addr: Sp<IpAddr>,
    pub port: Option<Sp<u16>>,
    /// `sorry_server_inhibit`.
    pub inhibit: bool,
    /// `sorry_server_lvs_method`.
    pub method: Option<Sp<Forwarding>>,
}

impl fmt::Display for SorryServer {
    /// The `sorry_server` line's value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.addr)?;
        if let Some(p) = &self.port {
            write!(f, " {p}")?;
        }
        Ok(())
    }
}

/// Timing settings shared by virtual servers, real servers and checkers
/// (each level defaults to the one above).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timing {
    pub delay_loop: Option<Sp<Micros>>,
    pub connect_timeout: Option<Sp<Micros>>,
    pub retry: Option<Sp<u32>>,
    pub delay_before_retry: Option<Sp<Micros>>,
    pub warmup: Option<Sp<Micros>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VirtualServer {
    /// The header; its span is the header's first word after the keyword.
    pub key: Sp<VsKey>,
    pub ip_family: Option<Sp<Family>>,
    pub sched: Option<Sp<Scheduler>>,
    pub method: Option<Sp<Forwarding>>,
    pub protocol: Option<Sp<Protocol>>,
    /// `persistence_timeout [N]`: the inner `None` is the bare keyword
    /// (keepalived then uses 360 s).
    pub persistence_timeout: Option<Sp<Option<u32>>>,
    pub persistence_granularity: Option<Sp<Granularity>>,
    pub persistence_engine: Option<Sp<String>>,
    pub ha_suspend: bool,
    pub alpha: bool,
    pub omega: bool,
    pub inhibit_on_failure: bool,
    pub quorum: Option<Sp<u32>>,
    pub hysteresis: Option<Sp<u32>>,
    pub quorum_up: Option<Sp<Command>>,
    pub quorum_down: Option<Sp<Command>>,
    pub timing: Timing,
    pub virtualhost: Option<Sp<String>>,
    pub smtp_alert: Option<Sp<bool>>,
    pub snmp_name: Option<Sp<String>>,
    /// Default weight of real servers (1..=2147483647).
    pub weight: Option<Sp<u32>>,
    pub flags: Vec<Sp<ServiceFlag>>,
    pub sorry_server: Option<SorryServer>,
    pub real_servers: Vec<RealServer>,
}

impl VirtualServer {
    pub fn new(key: Sp<VsKey>) -> Self {
        VirtualServer {
            key,
            ip_family: None,
            sched: None,
            method: None,
            protocol: None,
            persistence_timeout: None,
            persistence_granularity: None,
            persistence_engine: None,
            ha_suspend: false,
            alpha: false,
            omega: false,
            inhibit_on_failure: false,
            quorum: None,
            hysteresis: None,
            quorum_up: None,
            quorum_down: None,
            timing: Timing::default(),
            virtualhost: None,
            smtp_alert: None,
            snmp_name: None,
            weight: None,
            flags: Vec::new(),
            sorry_server: None,
            real_servers: Vec::new(),
        }
    }

    /// The family the header fixes, if it does (addresses do; fwmarks and
    /// groups do not).
    pub fn header_family(&self) -> Option<Family> {
        match &self.key.value {
            VsKey::Addr { addr, .. } => Some(Family::of(addr)),
            _ => None,
        }
    }

    pub fn is_persistent(&self) -> bool {
        self.persistence_timeout.is_some()
            || self.persistence_granularity.is_some()
    }
}

// ===== real_server =====

#[derive(Clone, Debug, PartialEq)]
pub struct RealServer {
    pub addr: Sp<IpAddr>,
    pub port: Option<Sp<u16>>,
    /// 0..=2147483647; unset means the virtual server's `weight` (1).
    pub weight: Option<Sp<u32>>,
    pub method: Option<Sp<Forwarding>>,
    pub uthreshold: Option<Sp<u32>>,
    pub lthreshold: Option<Sp<u32>>,
    pub inhibit_on_failure: Option<Sp<bool>>,
    pub notify_up: Option<Sp<Command>>,
    pub notify_down: Option<Sp<Command>>,
    pub alpha: Option<Sp<bool>>,
    pub timing: Timing,
    pub smtp_alert: Option<Sp<bool>>,
    pub virtualhost: Option<Sp<String>>,
    pub snmp_name: Option<Sp<String>>,
    pub checkers: Vec<Checker>,
}

impl RealServer {
    pub fn new(addr: Sp<IpAddr>, port: Option<Sp<u16>>) -> Self {
        RealServer {
            addr,
            port,
            weight: None,
            method: None,
            uthreshold: None,
            lthreshold: None,
            inhibit_on_failure: None,
            notify_up: None,
            notify_down: None,
            alpha: None,
            timing: Timing::default(),
            smtp_alert: None,
            virtualhost: None,
            snmp_name: None,
            checkers: Vec::new(),
        }
    }

    /// `IP [PORT]` as in the `real_server` header.
    pub fn header(&self) -> String {
        match &self.port {
            Some(p) => format!("{} {}", self.addr, p),
            None => self.addr.to_string(),
        }
    }
}

// ===== checkers =====

/// The checker block keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckerKind {
    Tcp,
    HttpGet,
    SslGet,
    Smtp,
    Dns,
    Misc,
    Udp,
    Ping,
    File,
    Bfd,
}

impl CheckerKind {
    pub const ALL: &'static [(&'static str, CheckerKind)] = &[
        ("TCP_CHECK", CheckerKind::Tcp),
        ("HTTP_GET", CheckerKind::HttpGet),
        ("SSL_GET", CheckerKind::SslGet),
        ("SMTP_CHECK", CheckerKind::Smtp),
        ("DNS_CHECK", CheckerKind::Dns),
        ("MISC_CHECK", CheckerKind::Misc),
        ("UDP_CHECK", CheckerKind::Udp),
        ("PING_CHECK", CheckerKind::Ping),
        ("FILE_CHECK", CheckerKind::File),
        ("BFD_CHECK", CheckerKind::Bfd),
    ];

    pub fn keyword(self) -> &'static str {
        CheckerKind::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("TCP_CHECK", |(n, _)| n)
    }
}

/// Connection options (`connect_ip` ... `fwmark`) of network checkers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConnectOpts {
    pub connect_ip: Option<Sp<IpAddr>>,
    pub connect_port: Option<Sp<u16>>,
    pub bindto: Option<Sp<IpAddr>>,
    pub bind_port: Option<Sp<u16>>,
    pub bind_if: Option<Sp<String>>,
    pub connect_timeout: Option<Sp<Micros>>,
    pub fwmark: Option<Sp<u32>>,
}

/// One checker block of a real server.
#[derive(Clone, Debug, PartialEq)]
pub struct Checker {
    /// The block keyword (span: the keyword).
    pub kind: Sp<CheckerKind>,
    pub conn: ConnectOpts,
    /// `retry` (0..), `delay_before_retry`, `warmup`, `delay_loop`;
    /// `connect_timeout` lives in `conn`.
    pub timing: Timing,
    pub alpha: Option<Sp<bool>>,
    pub log_all_failures: Option<Sp<bool>>,
    pub detail: CheckDetail,
}

impl Checker {
    pub fn new(kind: Sp<CheckerKind>) -> Self {
        let detail = match kind.value {
            CheckerKind::HttpGet | CheckerKind::SslGet => {
                CheckDetail::Http(HttpCheck::default())
            }
            CheckerKind::Smtp => CheckDetail::Smtp(SmtpCheck::default()),
            CheckerKind::Dns => CheckDetail::Dns(DnsCheck::default()),
            CheckerKind::Misc => CheckDetail::Misc(MiscCheck::default()),
            CheckerKind::Udp => CheckDetail::Udp(UdpCheck::default()),
            CheckerKind::File => CheckDetail::File(FileCheck::default()),
            CheckerKind::Bfd => CheckDetail::Bfd(BfdCheck::default()),
            CheckerKind::Tcp | CheckerKind::Ping => CheckDetail::None,
        };
        Checker {
            kind,
            conn: ConnectOpts::default(),
            timing: Timing::default(),
            alpha: None,
            log_all_failures: None,
            detail,
        }
    }
}

/// Settings specific to one kind of checker.
#[derive(Clone, Debug, PartialEq)]
pub enum CheckDetail {
    /// TCP_CHECK, PING_CHECK.
    None,
    Http(HttpCheck),
    Smtp(SmtpCheck),
    Dns(DnsCheck),
    Misc(MiscCheck),
    Udp(UdpCheck),
    File(FileCheck),
    Bfd(BfdCheck),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpProtocol {
    V1_0,
    V1_0C,
    V1_1,
}

impl fmt::Display for HttpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HttpProtocol::V1_0 => "1.0",
            HttpProtocol::V1_0C => "1.0C",
            HttpProtocol::V1_1 => "1.1",
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct HttpCheck {
    pub urls: Vec<Url>,
    pub virtualhost: Option<Sp<String>>,
    pub http_protocol: Option<Sp<HttpProtocol>>,
    pub enable_sni: Option<Sp<bool>>,
    pub fast_recovery: Option<Sp<bool>>,
}

/// An MD5 digest (`digest` in `url`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Digest(pub [u8; 16]);

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// `status_code` entry: `N` or `A-B`, 100..=599.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusRange {
    pub min: u16,
    pub max: u16,
}

impl fmt::Display for StatusRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}-{}", self.min, self.max)
        }
    }
}

/// `url { ... }` of HTTP_GET / SSL_GET.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Url {
    pub path: Option<Sp<String>>,
    pub digest: Option<Sp<Digest>>,
    /// Empty means keepalived's default, 200-299.
    pub status_codes: Vec<Sp<StatusRange>>,
    pub virtualhost: Option<Sp<String>>,
    pub regex: Option<Sp<String>>,
    pub regex_no_match: bool,
    pub regex_options: Vec<Sp<String>>,
    pub regex_min_offset: Option<Sp<u64>>,
    pub regex_max_offset: Option<Sp<u64>>,
    /// `regex_stack START MAX`.
    pub regex_stack: Option<Sp<(u64, u64)>>,
}

/// SMTP_CHECK: its own connection options are in [`Checker::conn`];
/// each legacy `host { ... }` block adds a checker target.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SmtpCheck {
    pub helo_name: Option<Sp<String>>,
    pub hosts: Vec<ConnectOpts>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DnsType {
    A,
    Ns,
    Cname,
    Soa,
    Mx,
    Txt,
    Aaaa,
    Rrsig,
    Dnskey,
}

impl DnsType {
    pub const ALL: &'static [(&'static str, DnsType)] = &[
        ("A", DnsType::A),
        ("NS", DnsType::Ns),
        ("CNAME", DnsType::Cname),
        ("SOA", DnsType::Soa),
        ("MX", DnsType::Mx),
        ("TXT", DnsType::Txt),
        ("AAAA", DnsType::Aaaa),
        ("RRSIG", DnsType::Rrsig),
        ("DNSKEY", DnsType::Dnskey),
    ];
}

impl fmt::Display for DnsType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = DnsType::ALL
            .iter()
            .find(|(_, t)| t == self)
            .map_or("SOA", |(n, _)| n);
        f.write_str(n)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DnsCheck {
    pub query_type: Option<Sp<DnsType>>,
    pub name: Option<Sp<String>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct MiscCheck {
    pub path: Option<Sp<Command>>,
    /// Whole seconds.
    pub timeout: Option<Sp<u32>>,
    pub dynamic: bool,
    pub user: Option<Sp<RunAs>>,
}

/// A hex string (`payload`, `require_reply`), kept as its words; `x`
/// nibbles (don't-care) are allowed in `require_reply` only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HexString(pub Vec<String>);

impl fmt::Display for HexString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct UdpCheck {
    pub payload: Option<Sp<HexString>>,
    /// `require_reply [HEX]`.
    pub require_reply: Option<Sp<Option<HexString>>>,
    pub min_reply_length: Option<Sp<u16>>,
    pub max_reply_length: Option<Sp<u16>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileCheck {
    pub track_file: Option<Sp<String>>,
    /// `weight N [reverse|noreverse]`.
    pub weight: Option<Sp<i32>>,
    pub reverse: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BfdCheck {
    pub name: Option<Sp<String>>,
}
