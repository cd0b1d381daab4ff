//! Words for table values, shared by the dumps and the plan: addresses as
//! `ip addr` writes them, services as ipvsadm does, commands as one line.

use kac_runtime::site::addr::{Address, Broadcast, Scope};
use kac_runtime::site::lvs::{GroupEntry, Method, Protocol, Service};
use kac_runtime::site::vrrp::Instance;
use kac_runtime::site::{Command, IfName};

/// `PREFIX dev DEV [brd B] [scope S] [label L] ...`; the instance's
/// interface when the line names none.
pub fn address(a: &Address, default_dev: Option<IfName>) -> String {
    let mut s = a.prefix.to_string();
    if let Some(peer) = a.peer {
        s.push_str(&format!(" peer {peer}"));
    }
    if let Some(dev) = a.dev.or(default_dev) {
        s.push_str(&format!(" dev {dev}"));
    }
    match a.broadcast {
        Some(Broadcast::Addr(b)) => s.push_str(&format!(" brd {b}")),
        Some(Broadcast::Plus) => s.push_str(" brd +"),
        Some(Broadcast::Minus) => s.push_str(" brd -"),
        None => {}
    }
    match a.scope {
        Some(Scope::Id(0)) => s.push_str(" scope global"),
        Some(Scope::Id(253)) => s.push_str(" scope link"),
        Some(Scope::Id(254)) => s.push_str(" scope host"),
        Some(Scope::Id(n)) => s.push_str(&format!(" scope {n}")),
        Some(Scope::Name(n)) => s.push_str(&format!(" scope {n}")),
        None => {}
    }
    if let Some(l) = a.label {
        s.push_str(&format!(" label {l}"));
    }
    for (on, word) in [
        (a.home, " home"),
        (a.nodad, " nodad"),
        (a.noprefixroute, " noprefixroute"),
        (a.no_track, " no_track"),
    ] {
        if on {
            s.push_str(word);
        }
    }
    s
}

/// The interface an instance address goes on.
pub fn address_dev(a: &Address, i: &Instance) -> IfName {
    a.dev.unwrap_or(i.interface)
}

pub fn method(m: Method) -> &'static str {
    match m {
        Method::Nat => "NAT",
        Method::Dr => "DR",
        Method::Tun => "TUN",
    }
}

pub fn protocol(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "TCP",
        Protocol::Udp => "UDP",
        Protocol::Sctp => "SCTP",
    }
}

/// `IP:PORT`, with brackets for IPv6.
pub fn endpoint(addr: core::net::IpAddr, port: u16) -> String {
    core::net::SocketAddr::new(addr, port).to_string()
}

/// A virtual server's service: `192.0.2.1:80`, `fwmark 1`, `group G`.
pub fn service(s: &Service) -> String {
    match s {
        Service::Addr { addr, port } => endpoint(*addr, *port),
        Service::Fwmark { mark, ipv6 } => {
            format!("fwmark {mark}{}", if *ipv6 { " (IPv6)" } else { "" })
        }
        Service::Group { name, .. } => format!("group {name}"),
    }
}

/// The IPVS services one virtual server is programmed as: a group
/// expands to one service per address (or fwmark) of each range.
pub fn ipvs_services(s: &Service) -> Vec<String> {
    match s {
        Service::Group { entries, .. } => entries
            .iter()
            .flat_map(|e| match *e {
                GroupEntry::Range { first, last, port } => range(first, last)
                    .into_iter()
                    .map(|a| endpoint(a, port))
                    .collect::<Vec<_>>(),
                GroupEntry::Fwmark { mark, ipv6 } => {
                    vec![service(&Service::Fwmark { mark, ipv6 })]
                }
            })
            .collect(),
        other => vec![service(other)],
    }
}

/// Every address from `first` to `last`, capped at 65536 so that a wide
/// IPv6 range cannot exhaust memory in a plan.
fn range(
    first: core::net::IpAddr,
    last: core::net::IpAddr,
) -> Vec<core::net::IpAddr> {
    use core::net::IpAddr;
    let (a, b) = match (first, last) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            (u128::from(u32::from(a)), u128::from(u32::from(b)))
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b)),
        _ => return vec![first],
    };
    let v4 = first.is_ipv4();
    (a..=b.max(a))
        .take(65_536)
        .map(|n| {
            if v4 {
                IpAddr::V4((n as u32).into())
            } else {
                IpAddr::V6(n.into())
            }
        })
        .collect()
}

/// A command as one line, words with blanks quoted.
pub fn command(c: &Command) -> String {
    let words: Vec<String> = c
        .argv
        .iter()
        .map(|w| {
            if w.is_empty() || w.contains(char::is_whitespace) {
                format!("\"{w}\"")
            } else {
                (*w).to_string()
            }
        })
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::{IpAddr, Ipv4Addr};
    use kac_runtime::site::Prefix;

    #[test]
    fn addresses() {
        let site = crate::testsite::named();
        let i = &site.instances[0];
        assert_eq!(
            address(&i.addresses[0], Some(i.interface)),
            "192.0.2.100/24 dev eth0"
        );
        let mut a = site.static_addresses[0];
        a.scope = Some(Scope::Id(254));
        a.label = Some("lo:1");
        a.nodad = true;
        assert_eq!(
            address(&a, None),
            "203.0.113.1/32 dev lo scope host label lo:1 nodad"
        );
        a.prefix = Prefix::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 128);
        a.dev = None;
        a.label = None;
        a.scope = None;
        a.nodad = false;
        assert_eq!(address(&a, None), "2001:db8::1/128");
    }

    #[test]
    fn services() {
        let v4 = |d| IpAddr::V4(Ipv4Addr::new(192, 0, 2, d));
        const ENTRIES: &[GroupEntry] = &[
            GroupEntry::Range {
                first: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
                last: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 3)),
                port: 443,
            },
            GroupEntry::Fwmark {
                mark: 7,
                ipv6: false,
            },
        ];
        let g = Service::Group {
            name: "G",
            entries: ENTRIES,
        };
        assert_eq!(service(&g), "group G");
        assert_eq!(
            ipvs_services(&g),
            [
                "192.0.2.1:443",
                "192.0.2.2:443",
                "192.0.2.3:443",
                "fwmark 7"
            ]
        );
        let v6 = Service::Addr {
            addr: "2001:db8::1".parse().unwrap(),
            port: 80,
        };
        assert_eq!(ipvs_services(&v6), ["[2001:db8::1]:80"]);
        assert_eq!(
            service(&Service::Addr {
                addr: v4(9),
                port: 0
            }),
            "192.0.2.9:0"
        );
    }

    #[test]
    fn commands() {
        let c = Command::new(&["/bin/notify", "a b", ""]);
        assert_eq!(command(&c), "/bin/notify \"a b\" \"\"");
    }
}
