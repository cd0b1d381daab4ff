//! The in-process view of links and addresses, and the changes between
//! two states of it. Pure: it is fed parsed rtnetlink messages and never
//! touches a socket, so every rule here is unit-tested.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_route::address::{
    AddressAttribute, AddressFlags, AddressMessage,
};
use netlink_packet_route::link::{
    LinkAttribute, LinkFlags, LinkInfo, LinkMessage, State,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use crate::wire::Mac;

const IFF_UP: u32 = LinkFlags::Up.bits();
const IFF_RUNNING: u32 = LinkFlags::Running.bits();
const IFF_LOWER_UP: u32 = LinkFlags::LowerUp.bits();

/// RFC 2863 operational state (`IFLA_OPERSTATE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperState {
    Unknown,
    NotPresent,
    Down,
    LowerLayerDown,
    Testing,
    Dormant,
    Up,
    Other(u8),
}

impl From<State> for OperState {
    fn from(s: State) -> OperState {
        match s {
            State::Unknown => OperState::Unknown,
            State::NotPresent => OperState::NotPresent,
            State::Down => OperState::Down,
            State::LowerLayerDown => OperState::LowerLayerDown,
            State::Testing => OperState::Testing,
            State::Dormant => OperState::Dormant,
            State::Up => OperState::Up,
            other => OperState::Other(u8::from(other)),
        }
    }
}

/// The state bits of a link that decide whether VRRP can use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkStatus {
    /// `IFF_UP`: set up by the administrator.
    pub admin_up: bool,
    /// `IFF_RUNNING`: the kernel's "operationally up" (operstate up or
    /// unknown, which is what carrier-less devices report).
    pub running: bool,
    /// `IFF_LOWER_UP`: the driver reports carrier.
    pub lower_up: bool,
    pub oper: OperState,
}

impl LinkStatus {
    /// Carrier as keepalived reads it from netlink: `IFF_RUNNING`. It is
    /// false while the lower layer is down, and also while dormant (e.g.
    /// 802.1X not yet authorised) although `IFF_LOWER_UP` is set.
    pub fn carrier(&self) -> bool {
        self.running
    }

    /// Up and carrying traffic: what VRRP needs to leave Fault.
    pub fn is_usable(&self) -> bool {
        self.admin_up && self.carrier()
    }
}

/// One network interface as the kernel last described it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub index: u32,
    pub name: String,
    /// `IFF_*` flags as the kernel sent them.
    pub flags: u32,
    pub oper: OperState,
    /// The hardware address when it is an Ethernet-sized one.
    pub mac: Option<Mac>,
    pub mtu: u32,
    /// `IFLA_INFO_KIND` (`veth`, `macvlan`, `bridge` ...), when set.
    pub kind: Option<String>,
    /// `IFLA_LINK`: the parent (lower) interface of a VLAN, macvlan, veth.
    pub parent: Option<u32>,
    /// `IFLA_MASTER`: the bridge or bond this link is a port of.
    pub master: Option<u32>,
}

impl Link {
    pub fn status(&self) -> LinkStatus {
        LinkStatus {
            admin_up: self.flags & IFF_UP != 0,
            running: self.flags & IFF_RUNNING != 0,
            lower_up: self.flags & IFF_LOWER_UP != 0,
            oper: self.oper,
        }
    }

    pub fn admin_up(&self) -> bool {
        self.status().admin_up
    }

    pub fn carrier(&self) -> bool {
        self.status().carrier()
    }

    /// Admin up and carrier: see [`LinkStatus::is_usable`].
    pub fn is_usable(&self) -> bool {
        self.status().is_usable()
    }

    /// Builds a link from a `RTM_NEWLINK`. Some events (wireless ones)
    /// carry only a few attributes: what is missing is kept from `prev`.
    fn from_message(m: &LinkMessage, prev: Option<&Link>) -> Link {
        let mut link = match prev {
            Some(p) => p.clone(),
            None => Link {
                index: m.header.index,
                name: String::new(),
                flags: 0,
                oper: OperState::Unknown,
                mac: None,
                mtu: 0,
                kind: None,
                parent: None,
                master: None,
            },
        };
        link.flags = m.header.flags.bits();
        for a in &m.attributes {
            match a {
                LinkAttribute::IfName(n) => link.name.clone_from(n),
                LinkAttribute::OperState(s) => link.oper = (*s).into(),
                LinkAttribute::Address(b) => {
                    link.mac = <[u8; 6]>::try_from(b.as_slice()).ok().map(Mac)
                }
                LinkAttribute::Mtu(v) => link.mtu = *v,
                LinkAttribute::Link(i) => link.parent = Some(*i),
                LinkAttribute::Controller(i) => link.master = Some(*i),
                LinkAttribute::LinkInfo(infos) => {
                    for i in infos {
                        if let LinkInfo::Kind(k) = i {
                            link.kind = Some(k.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        link
    }
}

/// One address on an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfAddress {
    pub index: u32,
    /// The interface's own address (`IFA_LOCAL`, or `IFA_ADDRESS` when
    /// that is all the kernel sent, as for IPv6 without a peer).
    pub addr: IpAddr,
    pub prefix_len: u8,
    /// The other end of a point-to-point address (`IFA_ADDRESS` when it
    /// differs from `IFA_LOCAL`).
    pub peer: Option<IpAddr>,
    pub broadcast: Option<Ipv4Addr>,
    /// `IFA_F_*` flags (`IFA_FLAGS`, or the header's 8 bits).
    pub flags: u32,
    pub scope: u8,
    /// IPv4 only: the `IFA_LABEL` (`eth0:1`).
    pub label: Option<String>,
}

impl IfAddress {
    fn has(&self, f: AddressFlags) -> bool {
        self.flags & f.bits() != 0
    }

    /// IPv6 duplicate address detection has not finished: the kernel
    /// refuses it as a source address until it has.
    pub fn tentative(&self) -> bool {
        self.has(AddressFlags::Tentative)
    }

    /// IPv6 duplicate address detection found another holder.
    pub fn dadfailed(&self) -> bool {
        self.has(AddressFlags::Dadfailed)
    }

    pub fn deprecated(&self) -> bool {
        self.has(AddressFlags::Deprecated)
    }

    /// IPv4: not the first address of its subnet on the interface.
    pub fn secondary(&self) -> bool {
        self.has(AddressFlags::Secondary)
    }

    pub fn nodad(&self) -> bool {
        self.has(AddressFlags::Nodad)
    }

    /// Usable as a source address now: neither tentative nor a DAD
    /// failure.
    pub fn usable_as_source(&self) -> bool {
        !self.tentative() && !self.dadfailed()
    }

    /// The kernel's identity of an address on a link: IPv6 allows one of
    /// each address per link; IPv4 allows the same local address in
    /// several subnets (and with several peers).
    fn same(&self, other: &IfAddress) -> bool {
        self.index == other.index
            && self.addr == other.addr
            && match self.addr {
                IpAddr::V6(_) => true,
                IpAddr::V4(_) => {
                    self.prefix_len == other.prefix_len
                        && self.peer == other.peer
                }
            }
    }

    /// Parses a `RTM_NEWADDR`/`RTM_DELADDR`; `None` for families other
    /// than IPv4 and IPv6 or a message without an address.
    fn from_message(m: &AddressMessage) -> Option<IfAddress> {
        if !matches!(
            m.header.family,
            AddressFamily::Inet | AddressFamily::Inet6
        ) {
            return None;
        }
        let mut local = None;
        let mut address = None;
        let mut broadcast = None;
        let mut label = None;
        let mut flags = None;
        for a in &m.attributes {
            match a {
                AddressAttribute::Local(ip) => local = Some(*ip),
                AddressAttribute::Address(ip) => address = Some(*ip),
                AddressAttribute::Broadcast(ip) => broadcast = Some(*ip),
                AddressAttribute::Label(l) => label = Some(l.clone()),
                AddressAttribute::Flags(f) => flags = Some(f.bits()),
                _ => {}
            }
        }
        let addr = local.or(address)?;
        Some(IfAddress {
            index: m.header.index,
            addr,
            prefix_len: m.header.prefix_len,
            peer: address.filter(|a| local.is_some() && *a != addr),
            broadcast,
            flags: flags.unwrap_or(u32::from(m.header.flags.bits())),
            scope: m.header.scope.into(),
            label,
        })
    }
}

/// A difference the reflector saw, in the order it saw them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A link appeared (read it from the view).
    LinkAdded {
        index: u32,
    },
    /// A link went away; its last state. Its addresses were reported
    /// removed before this.
    LinkRemoved(Link),
    LinkRenamed {
        index: u32,
        old: String,
        new: String,
    },
    /// Admin or operational state changed: compare
    /// `before.is_usable()` and `after.is_usable()` for up/down.
    LinkState {
        index: u32,
        before: LinkStatus,
        after: LinkStatus,
    },
    MacChanged {
        index: u32,
        before: Option<Mac>,
        after: Option<Mac>,
    },
    AddressAdded(IfAddress),
    /// The same address with other flags (e.g. IPv6 DAD finished: no
    /// longer tentative), scope, label or broadcast.
    AddressChanged {
        before: IfAddress,
        after: IfAddress,
    },
    AddressRemoved(IfAddress),
    /// Kernel events were lost (`ENOBUFS`); the view was rebuilt from a
    /// fresh dump and the differences follow this change.
    Resync,
}

/// Links by index, and the addresses of each in the order the kernel
/// reported them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    links: BTreeMap<u32, Link>,
    addrs: BTreeMap<u32, Vec<IfAddress>>,
}

impl View {
    pub fn new() -> View {
        View::default()
    }

    pub fn link(&self, index: u32) -> Option<&Link> {
        self.links.get(&index)
    }

    pub fn link_by_name(&self, name: &str) -> Option<&Link> {
        self.links.values().find(|l| l.name == name)
    }

    /// Every link, by index.
    pub fn links(&self) -> impl Iterator<Item = &Link> {
        self.links.values()
    }

    /// The addresses of link `index` (empty for an unknown link).
    pub fn addresses(&self, index: u32) -> &[IfAddress] {
        self.addrs.get(&index).map_or(&[], Vec::as_slice)
    }

    /// Every address of every link.
    pub fn all_addresses(&self) -> impl Iterator<Item = &IfAddress> {
        self.addrs.values().flatten()
    }

    /// The link that holds `addr` as one of its own addresses.
    pub fn has_address(&self, addr: IpAddr) -> Option<u32> {
        self.all_addresses()
            .find(|a| a.addr == addr)
            .map(|a| a.index)
    }

    /// The IPv4 address keepalived sends adverts from: the first primary
    /// (not secondary) IPv4 address of the link, else its first IPv4
    /// address.
    pub fn primary_v4(&self, index: u32) -> Option<Ipv4Addr> {
        let v4 = |a: &IfAddress| match a.addr {
            IpAddr::V4(ip) => Some(ip),
            IpAddr::V6(_) => None,
        };
        let addrs = self.addresses(index);
        addrs
            .iter()
            .filter(|a| !a.secondary())
            .find_map(v4)
            .or_else(|| addrs.iter().find_map(v4))
    }

    /// The link's IPv6 link-local address (fe80::/10) usable as a source
    /// now: tentative and DAD-failed ones are skipped (an
    /// [`Change::AddressChanged`] follows when DAD completes).
    pub fn link_local_v6(&self, index: u32) -> Option<Ipv6Addr> {
        self.addresses(index).iter().find_map(|a| match a.addr {
            IpAddr::V6(ip)
                if ip.segments()[0] & 0xffc0 == 0xfe80
                    && a.usable_as_source() =>
            {
                Some(ip)
            }
            _ => None,
        })
    }

    /// Applies one rtnetlink message and reports what it changed.
    /// Messages other than link and address ones are ignored.
    pub fn apply(
        &mut self,
        msg: &RouteNetlinkMessage,
        out: &mut impl FnMut(Change),
    ) {
        match msg {
            // Bridge port messages (family AF_BRIDGE) describe the port's
            // bridge attributes, and RTM_DELLINK of that family means "left
            // the bridge", not "deleted": only AF_UNSPEC speaks of links.
            RouteNetlinkMessage::NewLink(m)
                if m.header.interface_family == AddressFamily::Unspec =>
            {
                let prev = self.links.get(&m.header.index);
                let link = Link::from_message(m, prev);
                self.upsert_link(link, out);
            }
            RouteNetlinkMessage::DelLink(m)
                if m.header.interface_family == AddressFamily::Unspec =>
            {
                self.remove_link(m.header.index, out);
            }
            RouteNetlinkMessage::NewAddress(m) => {
                if let Some(a) = IfAddress::from_message(m) {
                    self.upsert_address(a, out);
                }
            }
            RouteNetlinkMessage::DelAddress(m) => {
                if let Some(a) = IfAddress::from_message(m) {
                    self.remove_address(&a, out);
                }
            }
            _ => {}
        }
    }

    fn upsert_link(&mut self, link: Link, out: &mut impl FnMut(Change)) {
        let index = link.index;
        let Some(old) = self.links.insert(index, link.clone()) else {
            out(Change::LinkAdded { index });
            return;
        };
        if old.name != link.name {
            out(Change::LinkRenamed {
                index,
                old: old.name.clone(),
                new: link.name.clone(),
            });
        }
        let (before, after) = (old.status(), link.status());
        if before != after {
            out(Change::LinkState {
                index,
                before,
                after,
            });
        }
        if old.mac != link.mac {
            out(Change::MacChanged {
                index,
                before: old.mac,
                after: link.mac,
            });
        }
    }

    fn remove_link(&mut self, index: u32, out: &mut impl FnMut(Change)) {
        // The kernel removes the addresses first, but a lost or reordered
        // event must not leave addresses of a link that is gone.
        for a in self.addrs.remove(&index).unwrap_or_default() {
            out(Change::AddressRemoved(a));
        }
        if let Some(old) = self.links.remove(&index) {
            out(Change::LinkRemoved(old));
        }
    }

    fn upsert_address(&mut self, a: IfAddress, out: &mut impl FnMut(Change)) {
        let list = self.addrs.entry(a.index).or_default();
        match list.iter_mut().find(|x| x.same(&a)) {
            Some(x) if *x == a => {}
            Some(x) => {
                let before = std::mem::replace(x, a.clone());
                out(Change::AddressChanged { before, after: a });
            }
            None => {
                list.push(a.clone());
                out(Change::AddressAdded(a));
            }
        }
    }

    fn remove_address(&mut self, a: &IfAddress, out: &mut impl FnMut(Change)) {
        let Some(list) = self.addrs.get_mut(&a.index) else {
            return;
        };
        if let Some(pos) = list.iter().position(|x| x.same(a)) {
            let old = list.remove(pos);
            if list.is_empty() {
                self.addrs.remove(&a.index);
            }
            out(Change::AddressRemoved(old));
        }
    }

    /// Turns `self` into `new`, reporting each difference as the events
    /// would have: removed addresses and links first, then added or
    /// changed links, then added or changed addresses.
    pub fn replace_with(&mut self, new: View, out: &mut impl FnMut(Change)) {
        let gone: Vec<u32> = self
            .links
            .keys()
            .filter(|i| !new.links.contains_key(i))
            .copied()
            .collect();
        for index in gone {
            self.remove_link(index, out);
        }
        let stale: Vec<IfAddress> = self
            .all_addresses()
            .filter(|a| !new.all_addresses().any(|n| n.same(a)))
            .cloned()
            .collect();
        for a in &stale {
            self.remove_address(a, out);
        }
        for link in new.links.into_values() {
            self.upsert_link(link, out);
        }
        for a in new.addrs.into_values().flatten() {
            self.upsert_address(a, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_packet_route::address::AddressScope;
    use netlink_packet_route::link::LinkHeader;

    fn link_msg(index: u32, name: &str, flags: u32) -> RouteNetlinkMessage {
        let mut m = LinkMessage::default();
        m.header = LinkHeader {
            index,
            flags: LinkFlags::from_bits_retain(flags),
            ..LinkHeader::default()
        };
        m.attributes = vec![
            LinkAttribute::IfName(name.into()),
            LinkAttribute::Address(vec![2, 0, 0, 0, 0, index as u8]),
            LinkAttribute::Mtu(1500),
            LinkAttribute::OperState(if flags & IFF_RUNNING != 0 {
                State::Up
            } else {
                State::Down
            }),
        ];
        RouteNetlinkMessage::NewLink(m)
    }

    fn addr_msg(index: u32, ip: &str, len: u8, flags: u32) -> AddressMessage {
        let ip: IpAddr = ip.parse().unwrap();
        let mut m = AddressMessage::default();
        m.header.family = match ip {
            IpAddr::V4(_) => AddressFamily::Inet,
            IpAddr::V6(_) => AddressFamily::Inet6,
        };
        m.header.index = index;
        m.header.prefix_len = len;
        m.header.scope = AddressScope::Universe;
        m.attributes.push(AddressAttribute::Address(ip));
        if ip.is_ipv4() {
            m.attributes.push(AddressAttribute::Local(ip));
        }
        m.attributes.push(AddressAttribute::Flags(
            AddressFlags::from_bits_retain(flags),
        ));
        m
    }

    fn apply(view: &mut View, msg: RouteNetlinkMessage) -> Vec<Change> {
        let mut out = Vec::new();
        view.apply(&msg, &mut |c| out.push(c));
        out
    }

    const UP_RUNNING: u32 = IFF_UP | IFF_RUNNING | IFF_LOWER_UP;

    #[test]
    fn link_lifecycle() {
        let mut v = View::new();
        assert_eq!(
            apply(&mut v, link_msg(2, "eth0", IFF_UP)),
            [Change::LinkAdded { index: 2 }]
        );
        let l = v.link(2).unwrap();
        assert!(l.admin_up() && !l.carrier() && !l.is_usable());
        assert_eq!(l.mac, Some(Mac([2, 0, 0, 0, 0, 2])));
        assert_eq!(v.link_by_name("eth0").unwrap().index, 2);

        // Carrier comes: one LinkState change, usable now.
        let c = apply(&mut v, link_msg(2, "eth0", UP_RUNNING));
        let [Change::LinkState {
            index: 2,
            before,
            after,
        }] = c.as_slice()
        else {
            panic!("{c:?}")
        };
        assert!(!before.is_usable() && after.is_usable());
        assert_eq!(after.oper, OperState::Up);

        // The same state again reports nothing.
        assert_eq!(apply(&mut v, link_msg(2, "eth0", UP_RUNNING)), []);

        // Rename.
        assert_eq!(
            apply(&mut v, link_msg(2, "lan", UP_RUNNING)),
            [Change::LinkRenamed {
                index: 2,
                old: "eth0".into(),
                new: "lan".into()
            }]
        );

        // An address, then the link goes: the address first.
        apply(
            &mut v,
            RouteNetlinkMessage::NewAddress(addr_msg(2, "192.0.2.1", 24, 0)),
        );
        let mut del = LinkMessage::default();
        del.header.index = 2;
        let c = apply(&mut v, RouteNetlinkMessage::DelLink(del));
        assert!(matches!(c[0], Change::AddressRemoved(_)), "{c:?}");
        assert!(matches!(&c[1], Change::LinkRemoved(l) if l.name == "lan"));
        assert!(v.link(2).is_none() && v.addresses(2).is_empty());
    }

    #[test]
    fn bridge_port_messages_are_not_links() {
        let mut v = View::new();
        apply(&mut v, link_msg(3, "v0", UP_RUNNING));
        let mut del = LinkMessage::default();
        del.header.index = 3;
        del.header.interface_family = AddressFamily::Bridge;
        assert_eq!(apply(&mut v, RouteNetlinkMessage::DelLink(del)), []);
        assert!(v.link(3).is_some());
    }

    #[test]
    fn partial_link_message_keeps_attributes() {
        let mut v = View::new();
        apply(&mut v, link_msg(4, "wlan0", UP_RUNNING));
        let mut m = LinkMessage::default();
        m.header.index = 4;
        m.header.flags = LinkFlags::from_bits_retain(UP_RUNNING);
        m.attributes = vec![LinkAttribute::IfName("wlan0".into())];
        assert_eq!(apply(&mut v, RouteNetlinkMessage::NewLink(m)), []);
        assert_eq!(v.link(4).unwrap().mtu, 1500);
    }

    #[test]
    fn mac_change() {
        let mut v = View::new();
        apply(&mut v, link_msg(5, "eth1", UP_RUNNING));
        let RouteNetlinkMessage::NewLink(mut m) =
            link_msg(5, "eth1", UP_RUNNING)
        else {
            unreachable!()
        };
        m.attributes[1] = LinkAttribute::Address(Mac::vrrp(7, false).0.into());
        assert_eq!(
            apply(&mut v, RouteNetlinkMessage::NewLink(m)),
            [Change::MacChanged {
                index: 5,
                before: Some(Mac([2, 0, 0, 0, 0, 5])),
                after: Some(Mac::vrrp(7, false))
            }]
        );
    }

    #[test]
    fn addresses_and_flags() {
        let tentative = AddressFlags::Tentative.bits();
        let mut v = View::new();
        apply(&mut v, link_msg(2, "eth0", UP_RUNNING));
        let ll = addr_msg(2, "fe80::1", 64, tentative);
        let c = apply(&mut v, RouteNetlinkMessage::NewAddress(ll.clone()));
        assert!(matches!(&c[..], [Change::AddressAdded(a)] if a.tentative()));
        assert_eq!(v.link_local_v6(2), None, "tentative is not usable");

        // DAD done: same address, new flags.
        let c = apply(
            &mut v,
            RouteNetlinkMessage::NewAddress(addr_msg(2, "fe80::1", 64, 0)),
        );
        assert!(matches!(
            &c[..],
            [Change::AddressChanged { before, after }]
                if before.tentative() && !after.tentative()
        ));
        assert_eq!(v.link_local_v6(2), Some("fe80::1".parse().unwrap()));

        // Secondary first in the list; the primary wins.
        let sec = AddressFlags::Secondary.bits();
        for (ip, f) in [("192.0.2.9", sec), ("198.51.100.1", 0)] {
            apply(
                &mut v,
                RouteNetlinkMessage::NewAddress(addr_msg(2, ip, 24, f)),
            );
        }
        assert_eq!(v.primary_v4(2), Some(Ipv4Addr::new(198, 51, 100, 1)));
        assert_eq!(v.has_address("192.0.2.9".parse().unwrap()), Some(2));
        assert_eq!(v.has_address("192.0.2.10".parse().unwrap()), None);

        // Same IPv4 address in another subnet is another address.
        let c = apply(
            &mut v,
            RouteNetlinkMessage::NewAddress(addr_msg(2, "192.0.2.9", 32, 0)),
        );
        assert!(matches!(&c[..], [Change::AddressAdded(_)]));
        assert_eq!(v.addresses(2).len(), 4);

        let c = apply(
            &mut v,
            RouteNetlinkMessage::DelAddress(addr_msg(2, "192.0.2.9", 24, sec)),
        );
        assert!(
            matches!(&c[..], [Change::AddressRemoved(a)] if a.prefix_len == 24)
        );
        // Removing what is not there reports nothing.
        let c = apply(
            &mut v,
            RouteNetlinkMessage::DelAddress(addr_msg(2, "192.0.2.9", 24, 0)),
        );
        assert_eq!(c, []);
    }

    #[test]
    fn peer_address() {
        let mut m = addr_msg(2, "192.0.2.1", 32, 0);
        m.attributes[0] =
            AddressAttribute::Address("192.0.2.2".parse().unwrap());
        let a = IfAddress::from_message(&m).unwrap();
        assert_eq!(a.addr, "192.0.2.1".parse::<IpAddr>().unwrap());
        assert_eq!(a.peer, Some("192.0.2.2".parse().unwrap()));
        assert_eq!(
            IfAddress::from_message(&addr_msg(2, "2001:db8::1", 64, 0))
                .unwrap()
                .peer,
            None
        );
    }

    #[test]
    fn resync_reports_differences() {
        let mut old = View::new();
        apply(&mut old, link_msg(2, "eth0", UP_RUNNING));
        apply(&mut old, link_msg(3, "eth1", UP_RUNNING));
        for (i, ip) in [(2, "192.0.2.1"), (2, "192.0.2.2"), (3, "198.51.100.1")]
        {
            apply(
                &mut old,
                RouteNetlinkMessage::NewAddress(addr_msg(i, ip, 24, 0)),
            );
        }
        // Meanwhile: eth1 gone, eth0 lost carrier and 192.0.2.2, gained
        // 203.0.113.1, eth2 appeared.
        let mut new = View::new();
        apply(&mut new, link_msg(2, "eth0", IFF_UP));
        apply(&mut new, link_msg(4, "eth2", UP_RUNNING));
        for ip in ["192.0.2.1", "203.0.113.1"] {
            apply(
                &mut new,
                RouteNetlinkMessage::NewAddress(addr_msg(2, ip, 24, 0)),
            );
        }
        let mut out = Vec::new();
        old.replace_with(new.clone(), &mut |c| out.push(c));
        let kinds: Vec<String> = out
            .iter()
            .map(|c| match c {
                Change::AddressRemoved(a) => format!("-{}", a.addr),
                Change::AddressAdded(a) => format!("+{}", a.addr),
                Change::LinkRemoved(l) => format!("-{}", l.name),
                Change::LinkAdded { index } => format!("+link{index}"),
                Change::LinkState { index, after, .. } => {
                    format!("link{index} usable={}", after.is_usable())
                }
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "-198.51.100.1",
                "-eth1",
                "-192.0.2.2",
                "link2 usable=false",
                "+link4",
                "+203.0.113.1"
            ]
        );
        assert_eq!(old, new);
    }
}
