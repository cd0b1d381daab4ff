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

/// Control-message space, aligned as `cmsghdr` needs.
#[repr(C, align(8))]
struct Control([u8; 64]);

/// `sendmsg` of `msg` to `dst` from source address `src` on interface
/// `ifindex` (`IP_PKTINFO` / `IPV6_PKTINFO`), with every buffer on the
/// stack: no allocation per packet (nix's `sendmsg` allocates its
/// control buffer on each call).
pub fn send_from(
    fd: BorrowedFd<'_>,
    dst: std::net::IpAddr,
    src: std::net::IpAddr,
    ifindex: u32,
    scope_id: u32,
    msg: &[u8],
) -> io::Result<()> {
    use std::net::IpAddr;
    let mut ctl = Control([0; 64]);
    let mut iov = libc::iovec {
        iov_base: msg.as_ptr() as *mut libc::c_void,
        iov_len: msg.len(),
    };
    // SAFETY: all-zero is a valid `msghdr` and socket address (null
    // pointers, zero lengths); every pointer set below points to a local
    // that outlives the `sendmsg` call, with its exact length. The
    // control message is written inside `ctl` through the CMSG macros,
    // which stay within `msg_controllen` (checked against its size).
    unsafe {
        let mut mh: libc::msghdr = std::mem::zeroed();
        mh.msg_iov = &mut iov;
        mh.msg_iovlen = 1;
        mh.msg_control = ctl.0.as_mut_ptr().cast();
        let mut sin: libc::sockaddr_in = std::mem::zeroed();
        let mut sin6: libc::sockaddr_in6 = std::mem::zeroed();
        let (level, kind, data_len) = match (dst, src) {
            (IpAddr::V4(d), IpAddr::V4(_)) => {
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_addr.s_addr = u32::from_ne_bytes(d.octets());
                mh.msg_name = (&mut sin as *mut libc::sockaddr_in).cast();
                mh.msg_namelen = size_of::<libc::sockaddr_in>() as u32;
                (
                    libc::IPPROTO_IP,
                    libc::IP_PKTINFO,
                    size_of::<libc::in_pktinfo>(),
                )
            }
            (IpAddr::V6(d), IpAddr::V6(_)) => {
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_addr.s6_addr = d.octets();
                sin6.sin6_scope_id = scope_id;
                mh.msg_name = (&mut sin6 as *mut libc::sockaddr_in6).cast();
                mh.msg_namelen = size_of::<libc::sockaddr_in6>() as u32;
                (
                    libc::IPPROTO_IPV6,
                    libc::IPV6_PKTINFO,
                    size_of::<libc::in6_pktinfo>(),
                )
            }
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "source and destination of different families",
                ))
            }
        };
        let space = libc::CMSG_SPACE(data_len as u32) as usize;
        if space > ctl.0.len() {
            return Err(io::Error::other("control buffer too small"));
        }
        mh.msg_controllen = space as _;
        let cm = libc::CMSG_FIRSTHDR(&mh);
        if cm.is_null() {
            return Err(io::Error::other("no room for a control message"));
        }
        (*cm).cmsg_level = level;
        (*cm).cmsg_type = kind;
        (*cm).cmsg_len = libc::CMSG_LEN(data_len as u32) as _;
        let data = libc::CMSG_DATA(cm);
        match src {
            IpAddr::V4(s) => {
                let info = libc::in_pktinfo {
                    ipi_ifindex: ifindex as libc::c_int,
                    ipi_spec_dst: libc::in_addr {
                        s_addr: u32::from_ne_bytes(s.octets()),
                    },
                    ipi_addr: libc::in_addr { s_addr: 0 },
                };
                std::ptr::write_unaligned(
                    data.cast::<libc::in_pktinfo>(),
                    info,
                );
            }
            IpAddr::V6(s) => {
                let info = libc::in6_pktinfo {
                    ipi6_addr: libc::in6_addr {
                        s6_addr: s.octets(),
                    },
                    ipi6_ifindex: ifindex,
                };
                std::ptr::write_unaligned(
                    data.cast::<libc::in6_pktinfo>(),
                    info,
                );
            }
        }
        if libc::sendmsg(fd.as_raw_fd(), &mh, 0) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

thread_local! {
    static THREAD_ALLOCS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A global allocator that counts the allocations each thread makes
/// (for tests and benchmarks: `#[global_allocator] static A:
/// CountingAlloc = CountingAlloc;`, then [`CountingAlloc::thread_count`]).
pub struct CountingAlloc;

impl CountingAlloc {
    /// Allocations made so far by the calling thread.
    pub fn thread_count() -> u64 {
        THREAD_ALLOCS.with(|c| c.get())
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter is a const-initialised thread-local `Cell` (no allocation, no
// destructor), so counting cannot recurse into the allocator.
unsafe impl std::alloc::GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, l: std::alloc::Layout) -> *mut u8 {
        // `try_with`: the thread-local may be gone while a thread exits.
        let _ = THREAD_ALLOCS.try_with(|c| c.set(c.get() + 1));
        unsafe { std::alloc::System.alloc(l) }
    }

    unsafe fn dealloc(&self, p: *mut u8, l: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(p, l) }
    }

    unsafe fn realloc(
        &self,
        p: *mut u8,
        l: std::alloc::Layout,
        size: usize,
    ) -> *mut u8 {
        let _ = THREAD_ALLOCS.try_with(|c| c.set(c.get() + 1));
        unsafe { std::alloc::System.realloc(p, l, size) }
    }
}

/// Attaches a classic BPF filter to a raw VRRP socket that accepts only
/// packets for `vrids` (and drops the rest in the kernel, before they
/// take room in the socket's buffer: a flood of adverts for other
/// virtual routers cannot push ours out). `ipv4`: the socket sees the
/// IPv4 header first (raw IPv4 sockets do), so the VRID is at the
/// header's length + 1; IPv6 raw sockets see the VRRP message itself.
pub fn attach_vrid_filter(
    fd: BorrowedFd<'_>,
    ipv4: bool,
    vrids: &[u8],
) -> io::Result<()> {
    // BPF opcodes (linux/filter.h).
    const LD_B_ABS: u16 = 0x30; // BPF_LD | BPF_B | BPF_ABS
    const LD_B_IND: u16 = 0x50; // BPF_LD | BPF_B | BPF_IND
    const LDX_B_MSH: u16 = 0xb1; // BPF_LDX | BPF_B | BPF_MSH
    const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    const RET_K: u16 = 0x06; // BPF_RET | BPF_K
    let ins = |code: u16, jt: u8, jf: u8, k: u32| libc::sock_filter {
        code,
        jt,
        jf,
        k,
    };
    if vrids.is_empty() || vrids.len() > 250 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a VRID filter takes 1 to 250 VRIDs",
        ));
    }
    let mut prog: Vec<libc::sock_filter> = Vec::with_capacity(vrids.len() + 4);
    if ipv4 {
        prog.push(ins(LDX_B_MSH, 0, 0, 0)); // X = IPv4 header length
        prog.push(ins(LD_B_IND, 0, 0, 1)); // A = VRID
    } else {
        prog.push(ins(LD_B_ABS, 0, 0, 1)); // A = VRID
    }
    let n = vrids.len();
    for (i, v) in vrids.iter().enumerate() {
        // Equal: jump to the accept at the end; else try the next one
        // (the last one falls through to reject).
        let to_accept = (n - i) as u8;
        prog.push(ins(JEQ_K, to_accept, 0, u32::from(*v)));
    }
    prog.push(ins(RET_K, 0, 0, 0)); // reject
    prog.push(ins(RET_K, 0, 0, 0x0004_0000)); // accept (up to 256 KiB)
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_mut_ptr(),
    };
    setsockopt(fd, libc::SOL_SOCKET, libc::SO_ATTACH_FILTER, &fprog)
}

/// `struct ifreq`: the name, then the union (`ifr_flags`, `ifr_data`, ...).
#[repr(C, align(8))]
struct IfReq {
    name: [u8; libc::IFNAMSIZ],
    ifru: [u8; 24],
}

fn ifreq(name: &str) -> io::Result<IfReq> {
    let mut r = IfReq {
        name: [0; libc::IFNAMSIZ],
        ifru: [0; 24],
    };
    let b = name.as_bytes();
    if b.is_empty() || b.len() >= libc::IFNAMSIZ {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("bad interface name {name:?}"),
        ));
    }
    r.name[..b.len()].copy_from_slice(b);
    Ok(r)
}

/// Link state by polling, as keepalived's `linkbeat_use_polling` reads
/// it: the driver's ETHTOOL_GLINK answer when it has one, else the
/// interface flags (up and running). `fd` is any AF_INET datagram socket
/// in the interface's namespace.
pub fn poll_link(fd: BorrowedFd<'_>, name: &str) -> io::Result<bool> {
    const ETHTOOL_GLINK: u32 = 0x0000_000a;
    #[repr(C)]
    struct EthtoolValue {
        cmd: u32,
        data: u32,
    }
    let f = flags(fd, name)?;
    let admin_up = f & libc::IFF_UP != 0;
    let mut v = EthtoolValue {
        cmd: ETHTOOL_GLINK,
        data: 0,
    };
    let mut r = ifreq(name)?;
    let ptr = (&mut v as *mut EthtoolValue) as usize;
    r.ifru[..size_of::<usize>()].copy_from_slice(&ptr.to_ne_bytes());
    // SAFETY: `r` is a valid ifreq whose ifr_data points at `v`, both
    // alive for the call; the kernel writes at most an EthtoolValue.
    let rc = unsafe {
        libc::ioctl(
            fd.as_raw_fd(),
            libc::SIOCETHTOOL as _,
            &mut r as *mut IfReq,
        )
    };
    if rc == 0 {
        // GLINK says nothing about the administrative state.
        return Ok(admin_up && v.data != 0);
    }
    Ok(admin_up && f & libc::IFF_RUNNING != 0)
}

fn flags(fd: BorrowedFd<'_>, name: &str) -> io::Result<libc::c_int> {
    let mut r = ifreq(name)?;
    // SAFETY: `r` is a valid ifreq, alive for the call; SIOCGIFFLAGS
    // writes a short at the start of its union.
    let rc = unsafe {
        libc::ioctl(
            fd.as_raw_fd(),
            libc::SIOCGIFFLAGS as _,
            &mut r as *mut IfReq,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    let f = i16::from_ne_bytes([r.ifru[0], r.ifru[1]]);
    // The flags are unsigned bits in a short.
    Ok(libc::c_int::from(f as u16))
}

/// Makes the child `cmd` starts get SIGTERM when the thread that starts
/// it ends (kacd killed, or stopped before the child finished), as
/// keepalived's scripts do, so no script outlives the daemon.
pub fn term_with_parent(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the child between fork and exec; it
    // only calls prctl(2), which is async-signal-safe, and allocates
    // nothing.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
