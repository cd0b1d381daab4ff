//! An IPVS table as plain data: services keyed by what identifies them
//! to the kernel, each with its settings and destinations. The same type
//! holds what the kernel has (from a dump) and what kacd wants (from the
//! pool), so the two compare with `==` and diff field by field.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::msg::{DestAttr, SvcAttr};

pub const AF_INET: u16 = 2;
pub const AF_INET6: u16 = 10;

// IP_VS_SVC_F_*
pub const F_PERSISTENT: u32 = 0x1;
/// Set by the kernel on every hashed service; never compared.
pub const F_HASHED: u32 = 0x2;
pub const F_ONEPACKET: u32 = 0x4;
pub const F_SCHED1: u32 = 0x8;
pub const F_SCHED2: u32 = 0x10;
pub const F_SCHED3: u32 = 0x20;

/// A service's transport protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proto {
    Tcp,
    Udp,
    Sctp,
    /// Anything else the kernel reports.
    Other(u16),
}

impl Proto {
    pub fn number(self) -> u16 {
        match self {
            Proto::Tcp => 6,
            Proto::Udp => 17,
            Proto::Sctp => 132,
            Proto::Other(n) => n,
        }
    }

    pub fn from_number(n: u16) -> Proto {
        match n {
            6 => Proto::Tcp,
            17 => Proto::Udp,
            132 => Proto::Sctp,
            n => Proto::Other(n),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Proto::Tcp => "TCP",
            Proto::Udp => "UDP",
            Proto::Sctp => "SCTP",
            Proto::Other(_) => "PROTO",
        }
    }
}

/// What identifies a service to the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServiceKey {
    Addr {
        proto: Proto,
        addr: IpAddr,
        port: u16,
    },
    Fwmark {
        mark: u32,
        ipv6: bool,
    },
}

impl ServiceKey {
    pub fn ipv6(&self) -> bool {
        match *self {
            ServiceKey::Addr { addr, .. } => addr.is_ipv6(),
            ServiceKey::Fwmark { ipv6, .. } => ipv6,
        }
    }

    pub fn af(&self) -> u16 {
        if self.ipv6() {
            AF_INET6
        } else {
            AF_INET
        }
    }

    /// The attributes naming this service (all a delete needs).
    pub fn attrs(&self) -> Vec<SvcAttr> {
        let mut v = vec![SvcAttr::Af(self.af())];
        match *self {
            ServiceKey::Addr { proto, addr, port } => {
                v.push(SvcAttr::Protocol(proto.number()));
                v.push(SvcAttr::Addr(inet_addr(addr)));
                v.push(SvcAttr::Port(port));
            }
            ServiceKey::Fwmark { mark, .. } => v.push(SvcAttr::Fwmark(mark)),
        }
        v
    }
}

/// `TCP 192.0.2.1:80`, `UDP [2001:db8::1]:53`, `FWM 7`, `FWM 7 IPv6`, as
/// ipvsadm lists them.
impl fmt::Display for ServiceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ServiceKey::Addr { proto, addr, port } => match proto {
                Proto::Other(n) => {
                    write!(f, "proto {n} {}", SockAddr(addr, port))
                }
                p => write!(f, "{} {}", p.name(), SockAddr(addr, port)),
            },
            ServiceKey::Fwmark { mark, ipv6: false } => write!(f, "FWM {mark}"),
            ServiceKey::Fwmark { mark, ipv6: true } => {
                write!(f, "FWM {mark} IPv6")
            }
        }
    }
}

/// `addr:port` with IPv6 in brackets.
pub struct SockAddr(pub IpAddr, pub u16);

impl fmt::Display for SockAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(a) => write!(f, "{a}:{}", self.1),
            IpAddr::V6(a) => write!(f, "[{a}]:{}", self.1),
        }
    }
}

/// A service's settings: everything `IPVS_CMD_SET_SERVICE` can change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceSpec {
    pub scheduler: String,
    /// `IP_VS_SVC_F_*` without [`F_HASHED`].
    pub flags: u32,
    /// Persistence timeout in seconds (0 without persistence).
    pub timeout: u32,
    /// Persistence granularity as a prefix length (32 or 128: none).
    pub netmask: u8,
    pub pe_name: Option<String>,
}

impl ServiceSpec {
    /// A plain service with `scheduler`: no flags, no persistence.
    pub fn new(scheduler: &str, ipv6: bool) -> ServiceSpec {
        ServiceSpec {
            scheduler: scheduler.to_string(),
            flags: 0,
            timeout: 0,
            netmask: if ipv6 { 128 } else { 32 },
            pe_name: None,
        }
    }

    /// The attributes a new or edited service needs, after its key's.
    pub fn attrs(&self, ipv6: bool) -> Vec<SvcAttr> {
        let netmask = if ipv6 {
            u32::from(self.netmask)
        } else {
            // The kernel keeps an IPv4 mask in network byte order.
            let m = u32::MAX
                .checked_shl(32 - u32::from(self.netmask.min(32)))
                .unwrap_or(0);
            u32::from_ne_bytes(m.to_be_bytes())
        };
        let mut v = vec![
            SvcAttr::SchedName(self.scheduler.clone()),
            SvcAttr::Flags {
                flags: self.flags,
                mask: u32::MAX,
            },
            SvcAttr::Timeout(self.timeout),
            SvcAttr::Netmask(netmask),
        ];
        if let Some(pe) = &self.pe_name {
            v.push(SvcAttr::PeName(pe.clone()));
        }
        v
    }
}

/// IPVS forwarding method, with the tunnel's options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forward {
    /// `IP_VS_CONN_F_MASQ`: NAT.
    Masq,
    /// `IP_VS_CONN_F_LOCALNODE`.
    Local,
    Tunnel(Tunnel),
    /// `IP_VS_CONN_F_DROUTE`: direct routing ("gatewaying").
    Route,
    Bypass,
}

/// `tun_type`, `tun_port`, `tun_flags` of a tunnelling destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Tunnel {
    /// 0 ipip, 1 gue, 2 gre.
    pub kind: u8,
    pub port: u16,
    /// `IP_VS_TUNNEL_ENCAP_FLAG_*` (nocsum 1, csum 2, remcsum 4).
    pub flags: u16,
}

impl Forward {
    pub fn code(self) -> u32 {
        match self {
            Forward::Masq => 0,
            Forward::Local => 1,
            Forward::Tunnel(_) => 2,
            Forward::Route => 3,
            Forward::Bypass => 4,
        }
    }

    pub fn ipip() -> Forward {
        Forward::Tunnel(Tunnel::default())
    }

    /// ipvsadm's word for it.
    pub fn word(self) -> &'static str {
        match self {
            Forward::Masq => "Masq",
            Forward::Local => "Local",
            Forward::Tunnel(_) => "Tunnel",
            Forward::Route => "Route",
            Forward::Bypass => "Bypass",
        }
    }
}

/// What identifies a destination within its service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DestKey {
    pub addr: IpAddr,
    pub port: u16,
}

impl fmt::Display for DestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        SockAddr(self.addr, self.port).fmt(f)
    }
}

/// A destination's settings: everything `IPVS_CMD_SET_DEST` changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DestSpec {
    pub forward: Forward,
    pub weight: u32,
    pub u_threshold: u32,
    pub l_threshold: u32,
}

impl DestSpec {
    pub fn attrs(&self, key: &DestKey) -> Vec<DestAttr> {
        let mut v = vec![
            DestAttr::Addr(inet_addr(key.addr)),
            DestAttr::Port(key.port),
            DestAttr::AddrFamily(if key.addr.is_ipv6() {
                AF_INET6
            } else {
                AF_INET
            }),
            DestAttr::FwdMethod(self.forward.code()),
            DestAttr::Weight(self.weight),
            DestAttr::UThresh(self.u_threshold),
            DestAttr::LThresh(self.l_threshold),
        ];
        if let Forward::Tunnel(t) = self.forward {
            v.push(DestAttr::TunType(t.kind));
            v.push(DestAttr::TunPort(t.port));
            v.push(DestAttr::TunFlags(t.flags));
        }
        v
    }
}

/// One service and its destinations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub spec: ServiceSpec,
    pub dests: BTreeMap<DestKey, DestSpec>,
}

/// A whole IPVS table.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Table {
    pub services: BTreeMap<ServiceKey, Service>,
}

impl Table {
    pub fn new() -> Table {
        Table::default()
    }

    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// Adds (or replaces) a service, keeping its destinations if it was
    /// there.
    pub fn add_service(&mut self, key: ServiceKey, spec: ServiceSpec) {
        self.services
            .entry(key)
            .and_modify(|s| s.spec = spec.clone())
            .or_insert(Service {
                spec,
                dests: BTreeMap::new(),
            });
    }

    /// Adds (or replaces) a destination of an existing service; false
    /// when the service is not in the table.
    pub fn add_dest(
        &mut self,
        service: &ServiceKey,
        key: DestKey,
        spec: DestSpec,
    ) -> bool {
        match self.services.get_mut(service) {
            Some(s) => {
                s.dests.insert(key, spec);
                true
            }
            None => false,
        }
    }

    /// The number of destinations in all services.
    pub fn dest_count(&self) -> usize {
        self.services.values().map(|s| s.dests.len()).sum()
    }
}

/// `ipvsadm -Ln`-like listing, stable for tests.
impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, s) in &self.services {
            write!(f, "{k} {}", s.spec.scheduler)?;
            if s.spec.flags & F_PERSISTENT != 0 {
                write!(f, " persistent {}", s.spec.timeout)?;
                let full = if k.ipv6() { 128 } else { 32 };
                if s.spec.netmask != full {
                    write!(f, " mask /{}", s.spec.netmask)?;
                }
            }
            if s.spec.flags & F_ONEPACKET != 0 {
                write!(f, " ops")?;
            }
            let sched = s.spec.flags & (F_SCHED1 | F_SCHED2 | F_SCHED3);
            if sched != 0 {
                write!(f, " flags {:#x}", sched)?;
            }
            if let Some(pe) = &s.spec.pe_name {
                write!(f, " pe {pe}")?;
            }
            writeln!(f)?;
            for (dk, d) in &s.dests {
                writeln!(
                    f,
                    "  -> {dk} {} {} {} {}",
                    d.forward.word(),
                    d.weight,
                    d.u_threshold,
                    d.l_threshold
                )?;
            }
        }
        Ok(())
    }
}

/// An address as the kernel's 16-byte `nf_inet_addr`.
pub fn inet_addr(a: IpAddr) -> [u8; 16] {
    match a {
        IpAddr::V4(a) => {
            let mut o = [0u8; 16];
            o[..4].copy_from_slice(&a.octets());
            o
        }
        IpAddr::V6(a) => a.octets(),
    }
}

fn addr_of(af: u16, a: [u8; 16]) -> Option<IpAddr> {
    match af {
        AF_INET => Some(IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3]))),
        AF_INET6 => Some(IpAddr::V6(Ipv6Addr::from(a))),
        _ => None,
    }
}

/// A service as the kernel dumps it; `None` when it lacks what
/// identifies it or has an address family other than IPv4/IPv6.
pub fn service_from_attrs(
    attrs: &[SvcAttr],
) -> Option<(ServiceKey, ServiceSpec)> {
    let (mut af, mut proto, mut addr, mut port, mut mark) =
        (None, None, None, None, None);
    let mut spec = ServiceSpec::new("", false);
    let mut netmask_raw = None;
    for a in attrs {
        match a {
            SvcAttr::Af(v) => af = Some(*v),
            SvcAttr::Protocol(v) => proto = Some(*v),
            SvcAttr::Addr(v) => addr = Some(*v),
            SvcAttr::Port(v) => port = Some(*v),
            SvcAttr::Fwmark(v) => mark = Some(*v),
            SvcAttr::SchedName(s) => spec.scheduler.clone_from(s),
            SvcAttr::Flags { flags, .. } => spec.flags = flags & !F_HASHED,
            SvcAttr::Timeout(t) => spec.timeout = *t,
            SvcAttr::Netmask(m) => netmask_raw = Some(*m),
            SvcAttr::PeName(p) => spec.pe_name = Some(p.clone()),
            SvcAttr::Other(_) => {}
        }
    }
    let af = af?;
    let ipv6 = match af {
        AF_INET => false,
        AF_INET6 => true,
        _ => return None,
    };
    spec.netmask = match netmask_raw {
        None => {
            if ipv6 {
                128
            } else {
                32
            }
        }
        Some(m) if ipv6 => m.min(128) as u8,
        Some(m) => u32::from_be_bytes(m.to_ne_bytes()).leading_ones() as u8,
    };
    let key = match (mark, proto, addr, port) {
        (Some(mark), _, _, _) if mark != 0 => ServiceKey::Fwmark { mark, ipv6 },
        (_, Some(p), Some(a), Some(port)) => ServiceKey::Addr {
            proto: Proto::from_number(p),
            addr: addr_of(af, a)?,
            port,
        },
        _ => return None,
    };
    Some((key, spec))
}

/// A destination as the kernel dumps it, given its service's family
/// (the kernel omits the destination's own family on old versions).
pub fn dest_from_attrs(
    service_af: u16,
    attrs: &[DestAttr],
) -> Option<(DestKey, DestSpec)> {
    let (mut addr, mut port, mut af) = (None, None, service_af);
    let mut method = 0;
    let mut tunnel = Tunnel::default();
    let mut spec = DestSpec {
        forward: Forward::Masq,
        weight: 0,
        u_threshold: 0,
        l_threshold: 0,
    };
    for a in attrs {
        match a {
            DestAttr::Addr(v) => addr = Some(*v),
            DestAttr::Port(v) => port = Some(*v),
            DestAttr::AddrFamily(v) => af = *v,
            DestAttr::FwdMethod(m) => method = m & 0x7,
            DestAttr::Weight(w) => spec.weight = *w,
            DestAttr::UThresh(v) => spec.u_threshold = *v,
            DestAttr::LThresh(v) => spec.l_threshold = *v,
            DestAttr::TunType(t) => tunnel.kind = *t,
            DestAttr::TunPort(p) => tunnel.port = *p,
            DestAttr::TunFlags(f) => tunnel.flags = *f,
            _ => {}
        }
    }
    spec.forward = match method {
        0 => Forward::Masq,
        1 => Forward::Local,
        2 => Forward::Tunnel(tunnel),
        3 => Forward::Route,
        _ => Forward::Bypass,
    };
    let key = DestKey {
        addr: addr_of(af, addr?)?,
        port: port?,
    };
    Some((key, spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn service_attrs_round_trip() {
        let key = ServiceKey::Addr {
            proto: Proto::Sctp,
            addr: v4("192.0.2.1"),
            port: 443,
        };
        let mut spec = ServiceSpec::new("sh", false);
        spec.flags = F_PERSISTENT | F_SCHED2;
        spec.timeout = 300;
        spec.netmask = 24;
        let mut attrs = key.attrs();
        attrs.extend(spec.attrs(false));
        // The kernel's mask for /24, in network order.
        assert!(attrs.contains(&SvcAttr::Netmask(u32::from_ne_bytes([
            255, 255, 255, 0
        ]))));
        // The kernel adds HASHED; it is not part of the spec.
        attrs.push(SvcAttr::Flags {
            flags: F_PERSISTENT | F_SCHED2 | F_HASHED,
            mask: u32::MAX,
        });
        assert_eq!(service_from_attrs(&attrs), Some((key, spec)));

        let key6 = ServiceKey::Fwmark {
            mark: 9,
            ipv6: true,
        };
        let mut spec6 = ServiceSpec::new("mh", true);
        spec6.netmask = 64;
        let mut attrs = key6.attrs();
        attrs.extend(spec6.attrs(true));
        assert_eq!(service_from_attrs(&attrs), Some((key6, spec6)));
    }

    #[test]
    fn dest_attrs_round_trip() {
        let key = DestKey {
            addr: "2001:db8::5".parse().unwrap(),
            port: 80,
        };
        let spec = DestSpec {
            forward: Forward::Tunnel(Tunnel {
                kind: 1,
                port: 6080,
                flags: 2,
            }),
            weight: 3,
            u_threshold: 10,
            l_threshold: 2,
        };
        assert_eq!(
            dest_from_attrs(AF_INET6, &spec.attrs(&key)),
            Some((key, spec))
        );
    }

    #[test]
    fn incomplete_kernel_objects_are_skipped() {
        assert_eq!(service_from_attrs(&[SvcAttr::Af(2)]), None);
        assert_eq!(
            service_from_attrs(&[SvcAttr::Af(7), SvcAttr::Fwmark(1)]),
            None
        );
        assert_eq!(dest_from_attrs(AF_INET, &[DestAttr::Port(1)]), None);
    }
}
