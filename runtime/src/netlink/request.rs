//! What an address line of the site tables asks of the kernel, resolved
//! with keepalived's (and iproute2's) rules, and the rtnetlink message
//! that carries it. Pure: no socket.

use std::net::{IpAddr, Ipv4Addr};

use netlink_packet_route::address::{
    AddressAttribute, AddressFlags, AddressHeaderFlags, AddressMessage,
    AddressScope,
};
use netlink_packet_route::AddressFamily;

use super::command::ErrorKind;
use super::scope::ScopeTable;
use crate::site::addr::{Address, Broadcast};

/// Linux's IFNAMSIZ - 1: the longest label (and interface name).
const LABEL_MAX: usize = 15;

/// An address to add or remove, with every option resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressRequest {
    pub ifindex: u32,
    /// `IFA_LOCAL`: the address itself.
    pub local: IpAddr,
    /// Applies to `address` (the peer's prefix on point-to-point).
    pub prefix_len: u8,
    /// `IFA_ADDRESS`: the peer when there is one, else `local`.
    pub address: IpAddr,
    pub broadcast: Option<Ipv4Addr>,
    pub scope: u8,
    /// `IFA_F_*`.
    pub flags: u32,
    pub label: Option<String>,
}

impl AddressRequest {
    /// Resolves `a` for interface `ifindex` named `ifname`:
    ///
    /// - IPv6 addresses get `IFA_F_NODAD` always (keepalived does so that
    ///   a virtual address is usable at once); keepalived ignores a scope
    ///   or a label on them, and so does this.
    /// - `brd` is IPv4 only; `+`/`-` set/clear the host bits and, as in
    ///   keepalived, give no broadcast on a /31 or /32 or with a peer.
    /// - A label must fit 15 bytes. (iproute2 also wants the interface
    ///   name as its prefix; the kernel does not, and keepalived sends
    ///   such labels after a warning, which the compiler gives.)
    /// - No scope means global, or host for 127.0.0.0/8 (iproute2).
    pub fn new(
        ifindex: u32,
        ifname: &str,
        a: &Address,
        scopes: &ScopeTable,
    ) -> Result<AddressRequest, ErrorKind> {
        let local = a.prefix.addr();
        let prefix_len = a.prefix.prefix_len();
        if let Some(peer) = a.peer {
            if peer.is_ipv4() != local.is_ipv4() {
                return Err(ErrorKind::Invalid(format!(
                    "peer {peer} is not of the family of {local}"
                )));
            }
        }
        let address = a.peer.unwrap_or(local);
        let mut flags = 0;
        if a.home {
            flags |= AddressFlags::Homeaddress.bits();
        }
        if a.noprefixroute {
            flags |= AddressFlags::Noprefixroute.bits();
        }
        let (scope, broadcast, label) = match local {
            IpAddr::V6(_) => {
                if a.broadcast.is_some() {
                    return Err(ErrorKind::Invalid(
                        "a broadcast address is IPv4 only".into(),
                    ));
                }
                flags |= AddressFlags::Nodad.bits();
                (0, None, None)
            }
            IpAddr::V4(ip) => {
                let scope = match a.scope {
                    Some(s) => scopes.resolve(s).map_err(ErrorKind::Scope)?,
                    None if ip.octets()[0] == 127 => 254,
                    None => 0,
                };
                let broadcast = match (a.broadcast, a.peer) {
                    (Some(b), None) => broadcast(b, ip, prefix_len),
                    _ => None,
                };
                let label = match a.label {
                    Some(l) => Some(check_label(l, ifname)?),
                    None => None,
                };
                (scope, broadcast, label)
            }
        };
        Ok(AddressRequest {
            ifindex,
            local,
            prefix_len,
            address,
            broadcast,
            scope,
            flags,
            label,
        })
    }

    /// The `RTM_NEWADDR` payload.
    pub fn new_message(&self) -> AddressMessage {
        let mut m = self.base_message();
        m.header.scope = AddressScope::from(self.scope);
        // The header holds the low 8 flag bits; IFA_FLAGS all 32 (the
        // kernel prefers it when present).
        m.header.flags =
            AddressHeaderFlags::from_bits_retain((self.flags & 0xff) as u8);
        if let Some(b) = self.broadcast {
            m.attributes.push(AddressAttribute::Broadcast(b));
        }
        if let Some(l) = &self.label {
            m.attributes.push(AddressAttribute::Label(l.clone()));
        }
        if self.flags != 0 {
            m.attributes.push(AddressAttribute::Flags(
                AddressFlags::from_bits_retain(self.flags),
            ));
        }
        m
    }

    /// The `RTM_DELADDR` payload: the address's identity only (local,
    /// prefix, peer). A label would have to match the kernel's for the
    /// address to be found, and a removal should not depend on it.
    pub fn del_message(&self) -> AddressMessage {
        self.base_message()
    }

    fn base_message(&self) -> AddressMessage {
        let mut m = AddressMessage::default();
        m.header.family = match self.local {
            IpAddr::V4(_) => AddressFamily::Inet,
            IpAddr::V6(_) => AddressFamily::Inet6,
        };
        m.header.prefix_len = self.prefix_len;
        m.header.index = self.ifindex;
        m.attributes.push(AddressAttribute::Local(self.local));
        m.attributes.push(AddressAttribute::Address(self.address));
        m
    }
}

fn broadcast(b: Broadcast, ip: Ipv4Addr, len: u8) -> Option<Ipv4Addr> {
    let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
    let ip = u32::from(ip);
    match b {
        Broadcast::Addr(a) => Some(a),
        Broadcast::Plus | Broadcast::Minus if len > 30 => None,
        Broadcast::Plus => Some(Ipv4Addr::from(ip | !mask)),
        Broadcast::Minus => Some(Ipv4Addr::from(ip & mask)),
    }
}

/// The kernel takes any label up to 15 bytes (only iproute2 insists on
/// the interface name as prefix; the compiler warns about that, as
/// keepalived does, and keepalived sends such labels): only the length
/// is checked.
fn check_label(label: &str, _ifname: &str) -> Result<String, ErrorKind> {
    if label.len() > LABEL_MAX {
        return Err(ErrorKind::Invalid(format!(
            "label `{label}` is longer than {LABEL_MAX} bytes"
        )));
    }
    Ok(label.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::addr::Scope;
    use crate::site::types::Prefix;

    fn address(prefix: Prefix) -> Address {
        Address::plain(prefix, "test")
    }

    fn req(a: &Address) -> Result<AddressRequest, ErrorKind> {
        AddressRequest::new(3, "eth0", a, &ScopeTable::default())
    }

    #[test]
    fn ipv4_options() {
        let a = Address {
            broadcast: Some(Broadcast::Plus),
            scope: Some(Scope::Name("link")),
            label: Some("eth0:vip"),
            noprefixroute: true,
            ..address(Prefix::v4([192, 0, 2, 10], 24))
        };
        let r = req(&a).unwrap();
        assert_eq!(r.broadcast, Some(Ipv4Addr::new(192, 0, 2, 255)));
        assert_eq!(r.scope, 253);
        assert_eq!(r.label.as_deref(), Some("eth0:vip"));
        assert_eq!(r.flags, AddressFlags::Noprefixroute.bits());
        assert_eq!(r.address, r.local);

        let m = r.new_message();
        assert_eq!(m.header.prefix_len, 24);
        assert_eq!(m.header.index, 3);
        assert_eq!(u8::from(m.header.scope), 253);
        assert!(m
            .attributes
            .contains(&AddressAttribute::Label("eth0:vip".into())));
        // IFA_F_NOPREFIXROUTE does not fit the header: it needs IFA_FLAGS.
        assert!(m.header.flags.is_empty());
        assert!(m
            .attributes
            .contains(&AddressAttribute::Flags(AddressFlags::Noprefixroute)));
        let d = r.del_message();
        assert_eq!(d.attributes.len(), 2, "identity only: {d:?}");

        let minus = Address {
            broadcast: Some(Broadcast::Minus),
            ..address(Prefix::v4([198, 51, 100, 77], 26))
        };
        assert_eq!(
            req(&minus).unwrap().broadcast,
            Some(Ipv4Addr::new(198, 51, 100, 64))
        );
        let host = Address {
            broadcast: Some(Broadcast::Plus),
            ..address(Prefix::v4([198, 51, 100, 77], 32))
        };
        assert_eq!(req(&host).unwrap().broadcast, None);
        let lo = address(Prefix::v4([127, 0, 0, 2], 8));
        assert_eq!(req(&lo).unwrap().scope, 254);
    }

    #[test]
    fn peer_semantics() {
        let a = Address {
            peer: Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2))),
            broadcast: Some(Broadcast::Plus),
            ..address(Prefix::v4([192, 0, 2, 1], 32))
        };
        let r = req(&a).unwrap();
        assert_eq!(r.local, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!(r.address, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)));
        assert_eq!(r.broadcast, None, "keepalived ignores brd with a peer");
        let bad = Address {
            peer: Some("2001:db8::2".parse().unwrap()),
            ..address(Prefix::v4([192, 0, 2, 1], 32))
        };
        assert!(req(&bad).is_err());
    }

    #[test]
    fn ipv6_gets_nodad_and_ignores_v4_options() {
        let a = Address {
            scope: Some(Scope::Id(253)),
            label: Some("eth0:6"),
            home: true,
            ..address(Prefix::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 64))
        };
        let r = req(&a).unwrap();
        assert_eq!(
            r.flags,
            (AddressFlags::Nodad | AddressFlags::Homeaddress).bits()
        );
        assert_eq!((r.scope, r.label.as_deref()), (0, None));
        let m = r.new_message();
        assert_eq!(
            m.header.flags,
            AddressHeaderFlags::Nodad | AddressHeaderFlags::Homeaddress
        );
        let brd = Address {
            broadcast: Some(Broadcast::Plus),
            ..address(Prefix::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 64))
        };
        assert!(matches!(req(&brd), Err(ErrorKind::Invalid(_))));
    }

    #[test]
    fn labels() {
        let bad = Address {
            label: Some("lan:1"),
            ..address(Prefix::v4([192, 0, 2, 10], 24))
        };
        // The kernel takes it (only iproute2 objects): so do we.
        assert_eq!(req(&bad).unwrap().label.as_deref(), Some("lan:1"));
        let long = Address {
            label: Some("eth0:0123456789a"),
            ..address(Prefix::v4([192, 0, 2, 10], 24))
        };
        assert!(req(&long).is_err());
        let scope = Address {
            scope: Some(Scope::Name("galaxy")),
            ..address(Prefix::v4([192, 0, 2, 10], 24))
        };
        assert!(matches!(req(&scope), Err(ErrorKind::Scope(_))));
    }
}
