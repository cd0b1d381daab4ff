//! [`Host`] on Linux: the netlink reflector's view of interfaces and
//! addresses, and rtnetlink requests for address changes.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsFd, BorrowedFd};

use log::warn;

use crate::netlink::{Change, Commander, Link, Reflector};
use crate::site::addr::{Address, Route, Rule};
use crate::vrrp::host::{Host, HostEvent, LinkInfo};

pub struct LinuxHost {
    reflector: Reflector,
    commander: Commander,
}

impl LinuxHost {
    pub fn open() -> io::Result<LinuxHost> {
        Ok(LinuxHost {
            reflector: Reflector::open()?,
            commander: Commander::open()?,
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
