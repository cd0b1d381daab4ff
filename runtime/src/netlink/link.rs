//! VMACs (`use_vmac`): the macvlan interface keepalived puts on an
//! instance's interface, with the VRRP virtual MAC, so that the virtual
//! addresses answer from 00:00:5e:00:01:VRID (00:00:5e:00:02:VRID for
//! IPv6). Like keepalived (vrrp_vmac.c): mode private, IPv6 address
//! generation off (the kernel must not give the VMAC a link-local of its
//! own: an IPv6 VMAC gets the parent's, added by
//! [`Commander::add_vmac_link_local`]), brought up at once. The sysctls
//! that go with it are in [`super::sysctl`].

use std::net::{IpAddr, Ipv6Addr};

use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::address::{AddressAttribute, CacheInfo};
use netlink_packet_route::link::{
    AfSpecInet6, AfSpecUnspec, In6AddrGenMode, InfoData, InfoKind, InfoMacVlan,
    LinkAttribute, LinkFlags, LinkInfo, LinkMessage, MacVlanMode,
};
use netlink_packet_route::RouteNetlinkMessage;

use super::command::{Commander, ErrorKind, Op, Outcome};
use super::request::AddressRequest;
use super::route::EntryError;
use crate::site::types::Vrid;
use crate::wire::Mac;

/// What a VMAC is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vmac {
    /// `use_vmac NAME`, else `vrrp.VRID` ([`Vmac::default_name`]).
    pub name: String,
    /// The instance's interface.
    pub parent: u32,
    /// 00:00:5e:00:01:VRID, or :02: for an IPv6 instance.
    pub mac: Mac,
    pub ipv6: bool,
}

impl Vmac {
    /// The VMAC of instance `vrid` on interface `parent`, named `name`
    /// or keepalived's default.
    pub fn new(
        name: Option<&str>,
        parent: u32,
        vrid: Vrid,
        ipv6: bool,
    ) -> Vmac {
        Vmac {
            name: name
                .map(str::to_owned)
                .unwrap_or_else(|| Vmac::default_name(vrid)),
            parent,
            mac: Mac::vrrp(vrid.get(), ipv6),
            ipv6,
        }
    }

    /// keepalived's name for an unnamed VMAC (`vmac_prefix` "vrrp").
    pub fn default_name(vrid: Vrid) -> String {
        format!("vrrp.{vrid}")
    }

    /// The `RTM_NEWLINK` that creates it.
    pub fn new_message(&self) -> LinkMessage {
        let mut m = LinkMessage::default();
        m.attributes.push(LinkAttribute::IfName(self.name.clone()));
        m.attributes.push(LinkAttribute::Link(self.parent));
        m.attributes
            .push(LinkAttribute::Address(self.mac.0.to_vec()));
        m.attributes.push(LinkAttribute::LinkInfo(vec![
            LinkInfo::Kind(InfoKind::MacVlan),
            LinkInfo::Data(InfoData::MacVlan(vec![InfoMacVlan::Mode(
                MacVlanMode::Private,
            )])),
        ]));
        m
    }

    /// The `RTM_SETLINK` that turns IPv6 address generation off on
    /// `ifindex` (the kernel takes it only once the link exists, and
    /// before the link comes up, so that no link-local is made).
    pub fn no_addrgen_message(ifindex: u32) -> LinkMessage {
        let mut m = LinkMessage::default();
        m.header.index = ifindex;
        m.attributes.push(LinkAttribute::AfSpecUnspec(vec![
            AfSpecUnspec::Inet6(vec![AfSpecInet6::AddrGenMode(
                In6AddrGenMode::None,
            )]),
        ]));
        m
    }

    fn error(&self, op: Op, kind: ErrorKind) -> EntryError {
        EntryError {
            op,
            what: "VMAC",
            line: self.name.clone(),
            kind,
        }
    }
}

/// Whether `l` is a macvlan on `parent`.
fn is_macvlan_on(l: &LinkMessage, parent: u32) -> bool {
    let on_parent = l
        .attributes
        .iter()
        .any(|a| matches!(a, LinkAttribute::Link(p) if *p == parent));
    let macvlan = l.attributes.iter().any(|a| match a {
        LinkAttribute::LinkInfo(i) => {
            i.contains(&LinkInfo::Kind(InfoKind::MacVlan))
        }
        _ => false,
    });
    on_parent && macvlan
}

impl Commander {
    /// Creates VMAC `v`, turns its IPv6 address generation off and brings
    /// it up; its ifindex. A macvlan of
    /// that name on the same interface left by an earlier run is taken
    /// over ([`Outcome::AlreadyPresent`]); any other interface of that
    /// name is an error.
    pub fn create_vmac(
        &mut self,
        v: &Vmac,
    ) -> Result<(u32, Outcome), EntryError> {
        let msg = RouteNetlinkMessage::NewLink(v.new_message());
        let outcome = match self.request(msg, NLM_F_CREATE | NLM_F_EXCL) {
            Ok(_) => Outcome::Done,
            Err(ErrorKind::Kernel {
                errno: libc::EEXIST,
                ..
            }) => Outcome::AlreadyPresent,
            Err(k) => return Err(v.error(Op::Add, k)),
        };
        let link = self.get_link(&v.name).map_err(|k| v.error(Op::Add, k))?;
        if outcome == Outcome::AlreadyPresent && !is_macvlan_on(&link, v.parent)
        {
            return Err(v.error(
                Op::Add,
                ErrorKind::Invalid(format!(
                    "an interface `{}` exists and is not a macvlan on \
                     ifindex {}",
                    v.name, v.parent
                )),
            ));
        }
        let index = link.header.index;
        if outcome == Outcome::AlreadyPresent {
            // Taken over: the MAC may have been changed meanwhile.
            let mut m = LinkMessage::default();
            m.header.index = index;
            m.attributes.push(LinkAttribute::Address(v.mac.0.to_vec()));
            self.request(RouteNetlinkMessage::SetLink(m), 0)
                .map_err(|k| v.error(Op::Add, k))?;
        }
        match self.request(
            RouteNetlinkMessage::SetLink(Vmac::no_addrgen_message(index)),
            0,
        ) {
            // A kernel without IPv6 has no address generation to stop.
            Ok(_)
            | Err(ErrorKind::Kernel {
                errno: libc::EAFNOSUPPORT,
                ..
            }) => {}
            Err(k) => return Err(v.error(Op::Add, k)),
        }
        self.set_link_up(index, true)
            .map_err(|k| v.error(Op::Add, k))?;
        Ok((index, outcome))
    }

    /// Deletes the VMAC `ifindex`; [`Outcome::AlreadyAbsent`] when it is
    /// gone already.
    pub fn delete_vmac(&mut self, ifindex: u32) -> Result<Outcome, EntryError> {
        let mut m = LinkMessage::default();
        m.header.index = ifindex;
        match self.request(RouteNetlinkMessage::DelLink(m), 0) {
            Ok(_) => Ok(Outcome::Done),
            Err(ErrorKind::Kernel {
                errno: libc::ENODEV,
                ..
            }) => Ok(Outcome::AlreadyAbsent),
            Err(kind) => Err(EntryError {
                op: Op::Del,
                what: "VMAC",
                line: format!("ifindex {ifindex}"),
                kind,
            }),
        }
    }

    /// Sets interface `ifindex` administratively up or down.
    pub fn set_link_up(
        &mut self,
        ifindex: u32,
        up: bool,
    ) -> Result<(), ErrorKind> {
        let mut m = LinkMessage::default();
        m.header.index = ifindex;
        m.header.change_mask = LinkFlags::Up;
        if up {
            m.header.flags = LinkFlags::Up;
        }
        self.request(RouteNetlinkMessage::SetLink(m), 0).map(|_| ())
    }

    /// Gives an IPv6 VMAC the parent's link-local address `ll`, as
    /// keepalived does: no DAD (the parent has it), and deprecated
    /// (preferred lifetime 0) so that the kernel does not pick it as a
    /// source on the VMAC's behalf.
    pub fn add_vmac_link_local(
        &mut self,
        vmac: u32,
        ll: Ipv6Addr,
    ) -> Result<Outcome, EntryError> {
        let req = AddressRequest {
            ifindex: vmac,
            local: IpAddr::V6(ll),
            prefix_len: 64,
            address: IpAddr::V6(ll),
            broadcast: None,
            scope: 253,
            flags: netlink_packet_route::address::AddressFlags::Nodad.bits(),
            label: None,
        };
        let mut m = req.new_message();
        let mut life = CacheInfo::default();
        life.ifa_preferred = 0;
        life.ifa_valid = u32::MAX;
        m.attributes.push(AddressAttribute::CacheInfo(life));
        match self.request(
            RouteNetlinkMessage::NewAddress(m),
            NLM_F_CREATE | NLM_F_EXCL,
        ) {
            Ok(_) => Ok(Outcome::Done),
            Err(ErrorKind::Kernel {
                errno: libc::EEXIST,
                ..
            }) => Ok(Outcome::AlreadyPresent),
            Err(kind) => Err(EntryError {
                op: Op::Add,
                what: "VMAC link-local",
                line: format!("{ll} on ifindex {vmac}"),
                kind,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_macs() {
        let v = Vmac::new(None, 3, Vrid::new(51), false);
        assert_eq!(v.name, "vrrp.51");
        assert_eq!(v.mac, Mac([0, 0, 0x5e, 0, 1, 51]));
        let v6 = Vmac::new(Some("vrrp6.52"), 3, Vrid::new(52), true);
        assert_eq!(v6.name, "vrrp6.52");
        assert_eq!(v6.mac, Mac([0, 0, 0x5e, 0, 2, 52]));
        let m = v.new_message();
        assert!(m.attributes.contains(&LinkAttribute::Link(3)));
        assert!(is_macvlan_on(&m, 3));
        assert!(!is_macvlan_on(&m, 4));
    }
}
