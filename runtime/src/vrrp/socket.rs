//! The raw VRRP socket of one interface and family, shared by every
//! instance on it (the receive path dispatches by VRID). Bound to the
//! device, TTL / hop limit 255 on everything sent, DSCP CS6 (TOS 0xc0)
//! like keepalived, multicast loopback off; received packets come with
//! their TTL (IPv4: from the header the kernel includes; IPv6: from
//! `IPV6_HOPLIMIT`), destination and the kernel's receive timestamp.

use std::io::{self, IoSliceMut};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::NonZeroU32;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nix::sys::socket::{
    self, sockopt, ControlMessageOwned, MsgFlags, SockaddrStorage,
};
use rustix::net::{AddressFamily, Protocol, SocketFlags, SocketType};

use crate::sys;
use crate::wire::{ipv4, vrrp};

/// The VRRP multicast groups (RFC 5798 §5.1.1.2, §5.1.2.2).
pub const GROUP_V4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 18);
pub const GROUP_V6: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x12);

/// keepalived's traffic class for VRRP: DSCP CS6 (network control).
const TOS: i32 = 0xc0;

/// One received packet, VRRP payload only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawRx<'a> {
    pub payload: &'a [u8],
    pub src: IpAddr,
    pub dst: IpAddr,
    pub ttl: u8,
    /// How long ago the kernel received it (from its timestamp; zero
    /// when there is none).
    pub age: Duration,
}

#[derive(Debug)]
pub struct VrrpSocket {
    fd: OwnedFd,
    family: vrrp::Family,
    ifindex: u32,
    src: IpAddr,
    group: IpAddr,
    joined: bool,
}

fn io_err(e: nix::Error) -> io::Error {
    io::Error::from_raw_os_error(e as i32)
}

fn ctx(e: io::Error, what: &str, ifname: &str) -> io::Error {
    io::Error::new(e.kind(), format!("{what} on {ifname}: {e}"))
}

impl VrrpSocket {
    /// Opens the socket for `family` on interface `ifname` (index
    /// `ifindex`), sending from `src` (which must be an address of the
    /// interface; IPv6: its link-local address).
    pub fn open(
        ifname: &str,
        ifindex: u32,
        family: vrrp::Family,
        src: IpAddr,
    ) -> io::Result<VrrpSocket> {
        let af = match family {
            vrrp::Family::V4 => AddressFamily::INET,
            vrrp::Family::V6 => AddressFamily::INET6,
        };
        let proto =
            NonZeroU32::new(u32::from(vrrp::PROTOCOL)).map(Protocol::from_raw);
        let fd = rustix::net::socket_with(
            af,
            SocketType::RAW,
            SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
            proto,
        )
        .map_err(|e| ctx(e.into(), "raw VRRP socket", ifname))?;
        let s = VrrpSocket {
            fd,
            family,
            ifindex,
            src,
            group: match family {
                vrrp::Family::V4 => IpAddr::V4(GROUP_V4),
                vrrp::Family::V6 => IpAddr::V6(GROUP_V6),
            },
            joined: false,
        };
        s.configure(ifname, src)
            .map_err(|e| ctx(e, "configuring the VRRP socket", ifname))?;
        Ok(s)
    }

    fn configure(&self, ifname: &str, src: IpAddr) -> io::Result<()> {
        let fd = self.fd.as_fd();
        socket::setsockopt(&fd, sockopt::BindToDevice, &ifname.into())
            .map_err(io_err)?;
        socket::setsockopt(&fd, sockopt::ReceiveTimestampns, &true)
            .map_err(io_err)?;
        match (self.family, src) {
            (vrrp::Family::V4, IpAddr::V4(a)) => {
                socket::setsockopt(&fd, sockopt::IpMulticastTtl, &255)
                    .map_err(io_err)?;
                socket::setsockopt(&fd, sockopt::Ipv4Ttl, &255)
                    .map_err(io_err)?;
                socket::setsockopt(&fd, sockopt::IpMulticastLoop, &false)
                    .map_err(io_err)?;
                socket::setsockopt(&fd, sockopt::Ipv4Tos, &TOS)
                    .map_err(io_err)?;
                // Not bound to `a`: a raw socket bound to an address
                // receives only packets sent to that address, not the
                // group's. The source goes with each message instead.
                let _ = a;
            }
            (vrrp::Family::V6, IpAddr::V6(a)) => {
                socket::setsockopt(&fd, sockopt::Ipv6MulticastHops, &255)
                    .map_err(io_err)?;
                socket::setsockopt(&fd, sockopt::Ipv6Ttl, &255)
                    .map_err(io_err)?;
                sys::set_int(
                    fd,
                    libc::IPPROTO_IPV6,
                    libc::IPV6_MULTICAST_LOOP,
                    0,
                )?;
                socket::setsockopt(&fd, sockopt::Ipv6TClass, &TOS)
                    .map_err(io_err)?;
                socket::setsockopt(&fd, sockopt::Ipv6RecvHopLimit, &true)
                    .map_err(io_err)?;
                socket::setsockopt(&fd, sockopt::Ipv6RecvPacketInfo, &true)
                    .map_err(io_err)?;
                sys::set_int(
                    fd,
                    libc::IPPROTO_IPV6,
                    libc::IPV6_MULTICAST_IF,
                    self.ifindex as i32,
                )?;
                let _ = a; // as for IPv4
            }
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("source {src} is not of the socket's family"),
                ))
            }
        }
        Ok(())
    }

    pub fn family(&self) -> vrrp::Family {
        self.family
    }

    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// The source address the socket is bound to.
    pub fn src(&self) -> IpAddr {
        self.src
    }

    /// Lets only packets for `vrids` reach this socket (the kernel drops
    /// the rest; see [`sys::attach_vrid_filter`]).
    pub fn filter_vrids(&self, vrids: &[u8]) -> io::Result<()> {
        sys::attach_vrid_filter(
            self.fd.as_fd(),
            self.family == vrrp::Family::V4,
            vrids,
        )
    }

    /// The TTL / hop limit of unicast adverts (`unicast_ttl`; 255 unless
    /// set).
    pub fn set_unicast_ttl(&self, ttl: u8) -> io::Result<()> {
        let fd = self.fd.as_fd();
        match self.family {
            vrrp::Family::V4 => {
                socket::setsockopt(&fd, sockopt::Ipv4Ttl, &i32::from(ttl))
            }
            vrrp::Family::V6 => {
                socket::setsockopt(&fd, sockopt::Ipv6Ttl, &i32::from(ttl))
            }
        }
        .map_err(io_err)
    }

    /// Joins the VRRP group (again, after the link came back).
    pub fn join(&mut self) -> io::Result<()> {
        if self.joined {
            return Ok(());
        }
        self.membership(true)?;
        self.joined = true;
        Ok(())
    }

    /// Leaves the group (the link went down; the kernel forgets the
    /// membership with the address anyway).
    pub fn leave(&mut self) {
        if self.joined {
            // Failing to leave a group of a vanished link is fine.
            let _ = self.membership(false);
            self.joined = false;
        }
    }

    fn membership(&self, join: bool) -> io::Result<()> {
        match self.group {
            IpAddr::V4(g) => {
                sys::membership_v4(self.fd.as_fd(), g, self.ifindex, join)
            }
            IpAddr::V6(g) => {
                sys::membership_v6(self.fd.as_fd(), g, self.ifindex, join)
            }
        }
    }

    /// Sends one VRRP message to `dst` (the group, or a unicast peer)
    /// from the socket's source address (`IP_PKTINFO`/`IPV6_PKTINFO`),
    /// without allocating.
    pub fn send(&self, dst: IpAddr, msg: &[u8]) -> io::Result<()> {
        let scope = match dst {
            IpAddr::V6(a) if a.is_multicast() || a.is_unicast_link_local() => {
                self.ifindex
            }
            _ => 0,
        };
        sys::send_from(self.fd.as_fd(), dst, self.src, self.ifindex, scope, msg)
    }

    /// Receives one packet into `buf` if one is waiting.
    pub fn recv<'b>(&self, buf: &'b mut [u8]) -> io::Result<Option<RawRx<'b>>> {
        // Room for a timestamp, a hop limit and packet info, aligned for
        // `cmsghdr`, on the stack (nix's `cmsg_space!` allocates).
        #[repr(C, align(8))]
        struct Control([u8; 128]);
        let mut control = Control([0; 128]);
        let cmsg = &mut control.0;
        let (len, from, ttl6, dst6, stamp) = {
            let mut iov = [IoSliceMut::new(buf)];
            let msg = match socket::recvmsg::<SockaddrStorage>(
                self.fd.as_raw_fd(),
                &mut iov,
                Some(&mut cmsg[..]),
                MsgFlags::empty(),
            ) {
                Ok(m) => m,
                Err(nix::Error::EAGAIN) => return Ok(None),
                Err(e) => return Err(io_err(e)),
            };
            let mut ttl6 = None;
            let mut dst6 = None;
            let mut stamp = None;
            if let Ok(cmsgs) = msg.cmsgs() {
                for c in cmsgs {
                    match c {
                        ControlMessageOwned::Ipv6HopLimit(h) => {
                            ttl6 = u8::try_from(h).ok()
                        }
                        ControlMessageOwned::Ipv6PacketInfo(pi) => {
                            dst6 = Some(Ipv6Addr::from(pi.ipi6_addr.s6_addr))
                        }
                        ControlMessageOwned::ScmTimestampns(ts) => {
                            stamp = Some(ts)
                        }
                        _ => {}
                    }
                }
            }
            let from = msg.address.and_then(|a: SockaddrStorage| {
                a.as_sockaddr_in6().map(|s| IpAddr::V6(s.ip()))
            });
            (msg.bytes, from, ttl6, dst6, stamp)
        };
        let age = stamp.map_or(Duration::ZERO, |ts| {
            let sent = UNIX_EPOCH
                + Duration::new(
                    u64::try_from(ts.tv_sec()).unwrap_or(0),
                    u32::try_from(ts.tv_nsec()).unwrap_or(0),
                );
            // A wall-clock step could make this negative or huge: keep
            // it within what a socket queue can plausibly hold.
            SystemTime::now()
                .duration_since(sent)
                .unwrap_or(Duration::ZERO)
                .min(Duration::from_secs(10))
        });
        let data = &buf[..len];
        match self.family {
            vrrp::Family::V4 => {
                let Ok(ip) = ipv4::Packet::new_checked(data) else {
                    // The kernel hands over whole IP packets; should one
                    // ever be cut, report it as an empty (too short)
                    // VRRP message rather than a TTL error.
                    return Ok(Some(RawRx {
                        payload: &[],
                        src: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                        dst: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                        ttl: vrrp::TTL,
                        age,
                    }));
                };
                let (src, dst, ttl) = (ip.src(), ip.dst(), ip.ttl());
                let hl = ip.header_len();
                let total = usize::from(ip.total_len());
                Ok(Some(RawRx {
                    payload: &data[hl..total],
                    src: IpAddr::V4(src),
                    dst: IpAddr::V4(dst),
                    ttl,
                    age,
                }))
            }
            vrrp::Family::V6 => Ok(Some(RawRx {
                payload: data,
                src: from.unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
                dst: IpAddr::V6(dst6.unwrap_or(GROUP_V6)),
                ttl: ttl6.unwrap_or(0),
                age,
            })),
        }
    }
}

impl AsFd for VrrpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
