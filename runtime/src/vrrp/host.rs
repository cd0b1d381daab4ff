//! What the VRRP engine needs from the host's network stack: interface
//! facts and changes (from the netlink reflector) and address changes
//! (over rtnetlink). A trait so the engine does not care which netlink
//! crate sits behind it.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::BorrowedFd;

use crate::site::addr::{Address, Route, Rule};
use crate::wire::Mac;

/// One interface as the engine needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkInfo {
    pub index: u32,
    pub mac: Mac,
    /// Administratively up and with carrier.
    pub usable: bool,
}

/// A change the engine reacts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostEvent {
    /// An interface appeared, changed state or MAC.
    Link(u32),
    /// An interface went away.
    LinkGone(u32),
    /// An address appeared or went (the engine re-checks sources).
    Address(u32),
    /// The view was rebuilt (events were lost): re-check everything.
    Resync,
}

pub trait Host {
    fn link_by_name(&self, name: &str) -> Option<LinkInfo>;
    fn link(&self, index: u32) -> Option<LinkInfo>;
    /// The first IPv4 address of the interface (keepalived's source).
    fn primary_v4(&self, index: u32) -> Option<Ipv4Addr>;
    /// Its IPv6 link-local address.
    fn link_local_v6(&self, index: u32) -> Option<Ipv6Addr>;
    /// Which interface holds `addr`, if any.
    fn has_address(&self, addr: IpAddr) -> Option<u32>;
    fn add_address(&mut self, index: u32, a: &Address) -> io::Result<()>;
    fn del_address(&mut self, index: u32, a: &Address) -> io::Result<()>;
    /// Routes and rules (`virtual_routes`/`static_routes`, ...); a host
    /// that cannot program them says so.
    fn add_route(&mut self, _r: &Route) -> io::Result<()> {
        Err(unsupported("routes"))
    }
    fn del_route(&mut self, _r: &Route) -> io::Result<()> {
        Err(unsupported("routes"))
    }
    fn add_rule(&mut self, _r: &Rule) -> io::Result<()> {
        Err(unsupported("rules"))
    }
    fn del_rule(&mut self, _r: &Rule) -> io::Result<()> {
        Err(unsupported("rules"))
    }
    /// Creates (or takes over) the VMAC `name` of VRID `vrid` on interface
    /// `parent` with keepalived's sysctls; returns its index.
    fn create_vmac(
        &mut self,
        _name: &str,
        _parent: u32,
        _vrid: crate::site::Vrid,
        _ipv6: bool,
    ) -> io::Result<u32> {
        Err(unsupported("VMACs"))
    }
    /// Gives an IPv6 VMAC its parent's link-local address `ll`, as
    /// keepalived does (the VMAC makes none of its own).
    fn add_vmac_link_local(
        &mut self,
        _index: u32,
        _ll: Ipv6Addr,
    ) -> io::Result<()> {
        Err(unsupported("VMACs"))
    }
    /// Deletes a VMAC made by `create_vmac` and restores the sysctls.
    fn delete_vmac(&mut self, _index: u32) -> io::Result<()> {
        Err(unsupported("VMACs"))
    }
    /// The descriptor to poll for changes.
    fn event_fd(&self) -> BorrowedFd<'_>;
    /// Reads pending changes, updates the view, reports each.
    fn process(&mut self, f: &mut dyn FnMut(HostEvent));
}

fn unsupported(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!("this host does not program {what}"),
    )
}
