//! The only code in kac that uses `unsafe`: the few socket calls no safe
//! crate offers (rustix and nix lack a link-layer socket address and
//! IPv6 multicast membership by interface index). Each `unsafe` block
//! passes a plain C struct, fully initialised here, to one syscall that
//! only reads it for the stated size. `runtime/tests/unsafe_confined.rs`
//! fails if `unsafe` appears anywhere else in the workspace.

#![allow(unsafe_code)]

use std::io;
use std::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use crate::wire::Mac;

/// `setsockopt(fd, level, name, value)` for a plain-data `T`.
fn setsockopt<T: Copy>(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
    value: &T,
) -> io::Result<()> {
    // SAFETY: `value` is a valid, initialised `T` for the duration of
    // the call, and its exact size is passed; the kernel only reads it.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (value as *const T).cast(),
            size_of::<T>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Joins (or leaves) an IPv4 multicast group on the interface with
/// index `ifindex` (`ip_mreqn`: by index, whatever its addresses).
pub fn membership_v4(
    fd: BorrowedFd<'_>,
    group: Ipv4Addr,
    ifindex: u32,
    join: bool,
) -> io::Result<()> {
    let req = libc::ip_mreqn {
        imr_multiaddr: libc::in_addr {
            s_addr: u32::from_ne_bytes(group.octets()),
        },
        imr_address: libc::in_addr { s_addr: 0 },
        imr_ifindex: ifindex as libc::c_int,
    };
    let name = if join {
        libc::IP_ADD_MEMBERSHIP
    } else {
        libc::IP_DROP_MEMBERSHIP
    };
    setsockopt(fd, libc::IPPROTO_IP, name, &req)
}

/// Joins (or leaves) an IPv6 multicast group on interface `ifindex`.
pub fn membership_v6(
    fd: BorrowedFd<'_>,
    group: Ipv6Addr,
    ifindex: u32,
    join: bool,
) -> io::Result<()> {
    let req = libc::ipv6_mreq {
        ipv6mr_multiaddr: libc::in6_addr {
            s6_addr: group.octets(),
        },
        ipv6mr_interface: ifindex,
    };
    let name = if join {
        libc::IPV6_ADD_MEMBERSHIP
    } else {
        libc::IPV6_DROP_MEMBERSHIP
    };
    setsockopt(fd, libc::IPPROTO_IPV6, name, &req)
}

/// Sets an `int` socket option (for the few nix does not name).
pub fn set_int(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    setsockopt(fd, level, name, &value)
}

/// A link-layer socket that only sends whole Ethernet frames (it binds
/// to no protocol, so the kernel queues nothing to it).
#[derive(Debug)]
pub struct PacketSocket {
    fd: OwnedFd,
}

impl PacketSocket {
    pub fn open() -> io::Result<PacketSocket> {
        // SAFETY: plain syscall; the result is checked before use and
        // owned from here on.
        let fd = unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                0,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is a new descriptor nobody else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(PacketSocket { fd })
    }

    /// Sends `frame` (Ethernet header included) out of `ifindex`.
    pub fn send(
        &self,
        ifindex: u32,
        dst: Mac,
        ethertype: u16,
        frame: &[u8],
    ) -> io::Result<()> {
        let mut addr = [0u8; 8];
        addr[..6].copy_from_slice(&dst.0);
        let sll = libc::sockaddr_ll {
            sll_family: libc::AF_PACKET as libc::c_ushort,
            sll_protocol: ethertype.to_be(),
            sll_ifindex: ifindex as libc::c_int,
            sll_hatype: 0,
            sll_pkttype: 0,
            sll_halen: 6,
            sll_addr: addr,
        };
        // SAFETY: `frame` and `sll` are valid for the lengths passed and
        // only read by the kernel.
        let n = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                frame.as_ptr().cast(),
                frame.len(),
                0,
                (&sll as *const libc::sockaddr_ll).cast(),
                size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }
}
