//! [`Host`] on Linux: the netlink reflector's view of interfaces and
//! addresses, and rtnetlink requests for address changes.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsFd, BorrowedFd};

use log::warn;

use crate::netlink::link::Vmac;
use crate::netlink::sysctl::VmacSettings;
use crate::netlink::{Change, Commander, Link, Reflector};
use crate::site::addr::{Address, Route, Rule};
use crate::vrrp::host::{Host, HostEvent, LinkInfo};

pub struct LinuxHost {
    reflector: Reflector,
    commander: Commander,
    /// The VMACs made here, with the sysctls to put back when each goes.
    vmacs: Vec<(u32, VmacSettings)>,
}

impl LinuxHost {
    pub fn open() -> io::Result<LinuxHost> {
        Ok(LinuxHost {
            reflector: Reflector::open()?,
            commander: Commander::open()?,
            vmacs: Vec::new(),
        })
    }
}

fn info(l: &Link) -> LinkInfo {
    LinkInfo {
        index: l.index,
        mac: l.mac.unwrap_or_default(),
        usable: l.is_usable(),
    }
}

fn to_io(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

impl Host for LinuxHost {
    fn link_by_name(&self, name: &str) -> Option<LinkInfo> {
        self.reflector.link_by_name(name).map(info)
    }

    fn link(&self, index: u32) -> Option<LinkInfo> {
        self.reflector.link(index).map(info)
    }

    fn primary_v4(&self, index: u32) -> Option<Ipv4Addr> {
        self.reflector.primary_v4(index)
    }

    fn link_local_v6(&self, index: u32) -> Option<Ipv6Addr> {
        self.reflector.link_local_v6(index)
    }

    fn has_address(&self, addr: IpAddr) -> Option<u32> {
        self.reflector.has_address(addr)
    }

    fn add_address(&mut self, index: u32, a: &Address) -> io::Result<()> {
        self.commander
            .add_address(index, a)
            .map(|_| ())
            .map_err(to_io)
    }

    fn del_address(&mut self, index: u32, a: &Address) -> io::Result<()> {
        self.commander
            .del_address(index, a)
            .map(|_| ())
            .map_err(to_io)
    }

    fn add_route(&mut self, r: &Route) -> io::Result<()> {
        self.commander.add_route(r).map(|_| ()).map_err(to_io)
    }

    fn del_route(&mut self, r: &Route) -> io::Result<()> {
        self.commander.del_route(r).map(|_| ()).map_err(to_io)
    }

    fn add_rule(&mut self, r: &Rule) -> io::Result<()> {
        self.commander.add_rule(r).map(|_| ()).map_err(to_io)
    }

    fn del_rule(&mut self, r: &Rule) -> io::Result<()> {
        self.commander.del_rule(r).map(|_| ()).map_err(to_io)
    }

    fn create_vmac(
        &mut self,
        name: &str,
        parent: u32,
        vrid: crate::site::Vrid,
        ipv6: bool,
    ) -> io::Result<u32> {
        let v = Vmac::new(Some(name), parent, vrid, ipv6);
        let (index, _) = self.commander.create_vmac(&v).map_err(to_io)?;
        let parent_name =
            self.reflector
                .link(parent)
                .map(|l| l.name.clone())
                .ok_or_else(|| to_io(format!("no interface {parent}")))?;
        let settings =
            VmacSettings::apply(name, &parent_name, ipv6).map_err(to_io)?;
        self.vmacs.push((index, settings));
        // The reflector learns of the new link from the kernel's event.
        Ok(index)
    }

    fn add_vmac_link_local(
        &mut self,
        index: u32,
        ll: Ipv6Addr,
    ) -> io::Result<()> {
        self.commander
            .add_vmac_link_local(index, ll)
            .map(|_| ())
            .map_err(to_io)
    }

    fn delete_vmac(&mut self, index: u32) -> io::Result<()> {
        let r = self.commander.delete_vmac(index).map(|_| ()).map_err(to_io);
        if let Some(at) = self.vmacs.iter().position(|(i, _)| *i == index) {
            let (_, settings) = self.vmacs.remove(at);
            settings.restore().map_err(to_io)?;
        }
        r
    }

    fn event_fd(&self) -> BorrowedFd<'_> {
        self.reflector.as_fd()
    }

    fn process(&mut self, f: &mut dyn FnMut(HostEvent)) {
        let r = self.reflector.process(&mut |c: Change| {
            f(match c {
                Change::LinkAdded { index }
                | Change::LinkRenamed { index, .. }
                | Change::LinkState { index, .. }
                | Change::MacChanged { index, .. } => HostEvent::Link(index),
                Change::LinkRemoved(l) => HostEvent::LinkGone(l.index),
                Change::AddressAdded(a) | Change::AddressRemoved(a) => {
                    HostEvent::Address(a.index)
                }
                Change::AddressChanged { after, .. } => {
                    HostEvent::Address(after.index)
                }
                Change::Resync => HostEvent::Resync,
            })
        });
        if let Err(e) = r {
            warn!("netlink reflector: {e}");
        }
    }
}
