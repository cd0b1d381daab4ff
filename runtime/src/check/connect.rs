//! Sockets with a checker's connect options: `bindto`, `bind_port`,
//! `bind_if` (SO_BINDTODEVICE) and `fwmark` (SO_MARK).

use std::ffi::OsString;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::sys::socket::{self as nsock, setsockopt, sockopt};
use tokio::net::{TcpSocket, TcpStream, UdpSocket};

use crate::site::lvs::Connect;

fn nix_err(what: &str, e: nix::Error) -> io::Error {
    io::Error::new(io::Error::from(e).kind(), format!("{what}: {e}"))
}

/// SO_MARK and SO_BINDTODEVICE, when set.
fn apply_opts(fd: impl AsFd, c: &Connect) -> io::Result<()> {
    if let Some(mark) = c.fwmark {
        setsockopt(&fd, sockopt::Mark, &mark)
            .map_err(|e| nix_err("SO_MARK", e))?;
    }
    if let Some(dev) = c.bind_if {
        setsockopt(&fd, sockopt::BindToDevice, &OsString::from(dev))
            .map_err(|e| nix_err(&format!("SO_BINDTODEVICE {dev}"), e))?;
    }
    Ok(())
}

/// The local address to bind, if any option asks for one.
fn local_addr(c: &Connect, dst: SocketAddr) -> io::Result<Option<SocketAddr>> {
    let ip = match (c.bindto, dst) {
        (Some(ip), _) if ip.is_ipv4() != dst.is_ipv4() => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bindto {ip} is not of the family of {dst}"),
            ))
        }
        (Some(ip), _) => ip,
        (None, SocketAddr::V4(_)) if c.bind_port.is_some() => {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        }
        (None, SocketAddr::V6(_)) if c.bind_port.is_some() => {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        }
        (None, _) => return Ok(None),
    };
    Ok(Some(SocketAddr::new(ip, c.bind_port.unwrap_or(0))))
}

/// A TCP connection to `dst` with the connect options (no timeout: the
/// caller bounds the whole attempt).
pub async fn tcp(dst: SocketAddr, c: &Connect) -> io::Result<TcpStream> {
    let sock = if dst.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    apply_opts(&sock, c)?;
    if let Some(local) = local_addr(c, dst)? {
        if c.bind_port.is_some() {
            sock.set_reuseaddr(true)?;
        }
        sock.bind(local).map_err(|e| {
            io::Error::new(e.kind(), format!("bind {local}: {e}"))
        })?;
    }
    // Closing with RST rather than lingering in TIME_WAIT keeps a
    // fixed bind_port reusable and thousands of checks cheap.
    let s = sock.connect(dst).await?;
    let abort = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    setsockopt(&s, sockopt::Linger, &abort)
        .map_err(|e| nix_err("SO_LINGER", e))?;
    Ok(s)
}

/// A socket of the given type and protocol with the connect options,
/// bound as asked, as a tokio datagram socket (UDP, ICMP, raw ICMP).
pub fn datagram(
    dst: SocketAddr,
    c: &Connect,
    ty: nsock::SockType,
    proto: Option<nsock::SockProtocol>,
) -> io::Result<UdpSocket> {
    let family = if dst.is_ipv4() {
        nsock::AddressFamily::Inet
    } else {
        nsock::AddressFamily::Inet6
    };
    let fd: OwnedFd = nsock::socket(
        family,
        ty,
        nsock::SockFlag::SOCK_CLOEXEC | nsock::SockFlag::SOCK_NONBLOCK,
        proto,
    )
    .map_err(|e| nix_err("socket", e))?;
    apply_opts(&fd, c)?;
    if let Some(local) = local_addr(c, dst)? {
        if c.bind_port.is_some() {
            setsockopt(&fd, sockopt::ReuseAddr, &true)
                .map_err(|e| nix_err("SO_REUSEADDR", e))?;
        }
        nsock::bind(fd.as_raw_fd(), &nsock::SockaddrStorage::from(local))
            .map_err(|e| nix_err(&format!("bind {local}"), e))?;
    }
    UdpSocket::from_std(std::net::UdpSocket::from(fd))
}
