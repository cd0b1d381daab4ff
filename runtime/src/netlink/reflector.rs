//! The netlink reflector: a dump of links and addresses, then the
//! kernel's link and address broadcasts, kept as a [`View`].

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;

use netlink_packet_core::{
    NetlinkPayload, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST,
};
use netlink_packet_route::address::AddressMessage;
use netlink_packet_route::link::LinkMessage;
use netlink_packet_route::RouteNetlinkMessage;
use nix::sys::socket::{setsockopt, sockopt};

use super::socket::{context, messages, Received, RouteSocket};
use super::view::{Change, IfAddress, Link, View};

/// How often a dump is tried again when events were lost while it ran
/// or the kernel flagged it inconsistent (`NLM_F_DUMP_INTR`).
const DUMP_ATTEMPTS: u32 = 5;

/// How the reflector's socket is set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Receive buffer in bytes (`SO_RCVBUFFORCE`, which root may set
    /// beyond `net.core.rmem_max`; `SO_RCVBUF` otherwise). Events that
    /// do not fit are lost and cost a full dump. `None` keeps the
    /// kernel's default. keepalived's `vrrp_netlink_monitor_rcv_bufs`.
    pub rcvbuf: Option<usize>,
    /// How long a dump may wait for the kernel's next reply.
    pub dump_timeout: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            rcvbuf: Some(1 << 20),
            dump_timeout: Duration::from_secs(5),
        }
    }
}

/// Counters, for the daemon's statistics dump.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Link and address messages applied (dumps included).
    pub messages: u64,
    /// Messages skipped because they did not parse.
    pub decode_errors: u64,
    /// Dumps made after events were lost.
    pub resyncs: u64,
}

/// Keeps a [`View`] of the host's links and addresses in step with the
/// kernel. Poll [`AsFd::as_fd`] for readability and call
/// [`Reflector::process`].
pub struct Reflector {
    sock: RouteSocket,
    view: View,
    seq: u32,
    stats: Stats,
}

impl Reflector {
    /// Opens with the default [`Options`].
    pub fn open() -> io::Result<Reflector> {
        Reflector::open_with(Options::default())
    }

    /// Subscribes to link and address events, then dumps links and
    /// addresses (events that arrive meanwhile are applied in order, so
    /// nothing falls between the dump and the first event).
    pub fn open_with(opts: Options) -> io::Result<Reflector> {
        let sock = RouteSocket::open()?;
        if let Some(size) = opts.rcvbuf {
            setsockopt(sock.socket(), sockopt::RcvBufForce, &size)
                .or_else(|_| setsockopt(sock.socket(), sockopt::RcvBuf, &size))
                .map_err(|e| {
                    context(e.into(), "setting the netlink receive buffer")
                })?;
        }
        sock.set_recv_timeout(opts.dump_timeout)?;
        for group in [
            libc::RTNLGRP_LINK,
            libc::RTNLGRP_IPV4_IFADDR,
            libc::RTNLGRP_IPV6_IFADDR,
        ] {
            sock.socket().add_membership(group).map_err(|e| {
                context(e, &format!("joining rtnetlink group {group}"))
            })?;
        }
        let mut r = Reflector {
            sock,
            view: View::new(),
            seq: 0,
            stats: Stats::default(),
        };
        r.view = r.dump()?;
        Ok(r)
    }

    /// Reads every pending event without blocking, applies it to the
    /// view and reports what changed. When events were lost, dumps again
    /// and reports [`Change::Resync`] and the differences.
    pub fn process(&mut self, out: &mut impl FnMut(Change)) -> io::Result<()> {
        let port = self.sock.port();
        loop {
            match self.sock.recv()? {
                Received::WouldBlock => return Ok(()),
                Received::Lost => self.resync(out)?,
                Received::Data(data) => {
                    for (header, payload) in messages(data) {
                        // Late replies to one of our dumps: stale.
                        if header.port_number == port {
                            continue;
                        }
                        match payload {
                            Ok(NetlinkPayload::InnerMessage(m)) => {
                                self.stats.messages += 1;
                                self.view.apply(&m, out);
                            }
                            Err(_) => self.stats.decode_errors += 1,
                            Ok(_) => {}
                        }
                    }
                }
            }
        }
    }

    /// Dumps links and addresses again and reports [`Change::Resync`]
    /// then every difference from the view held so far.
    pub fn resync(&mut self, out: &mut impl FnMut(Change)) -> io::Result<()> {
        let fresh = self.dump()?;
        self.stats.resyncs += 1;
        out(Change::Resync);
        self.view.replace_with(fresh, out);
        Ok(())
    }

    pub fn view(&self) -> &View {
        &self.view
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    pub fn link(&self, index: u32) -> Option<&Link> {
        self.view.link(index)
    }

    pub fn link_by_name(&self, name: &str) -> Option<&Link> {
        self.view.link_by_name(name)
    }

    pub fn links(&self) -> impl Iterator<Item = &Link> {
        self.view.links()
    }

    pub fn addresses(&self, index: u32) -> &[IfAddress] {
        self.view.addresses(index)
    }

    pub fn has_address(&self, addr: IpAddr) -> Option<u32> {
        self.view.has_address(addr)
    }

    /// See [`View::primary_v4`].
    pub fn primary_v4(&self, index: u32) -> Option<Ipv4Addr> {
        self.view.primary_v4(index)
    }

    /// See [`View::link_local_v6`].
    pub fn link_local_v6(&self, index: u32) -> Option<Ipv6Addr> {
        self.view.link_local_v6(index)
    }

    /// A complete view from a dump of links then addresses, blocking on
    /// the socket while it runs.
    fn dump(&mut self) -> io::Result<View> {
        let socket = self.sock.socket();
        socket
            .set_non_blocking(false)
            .map_err(|e| context(e, "netlink socket blocking mode"))?;
        let result = self.dump_attempts();
        let socket = self.sock.socket();
        socket
            .set_non_blocking(true)
            .map_err(|e| context(e, "netlink socket non-blocking mode"))?;
        result
    }

    fn dump_attempts(&mut self) -> io::Result<View> {
        for _ in 0..DUMP_ATTEMPTS {
            let mut view = View::new();
            let mut consistent = true;
            for (what, request) in [
                (
                    "links",
                    RouteNetlinkMessage::GetLink(LinkMessage::default()),
                ),
                (
                    "addresses",
                    RouteNetlinkMessage::GetAddress(AddressMessage::default()),
                ),
            ] {
                self.seq = self.seq.wrapping_add(1);
                self.sock
                    .send(request, NLM_F_REQUEST | NLM_F_DUMP, self.seq)
                    .map_err(|e| context(e, &format!("dumping {what}")))?;
                consistent &= self
                    .read_dump(&mut view)
                    .map_err(|e| context(e, &format!("dumping {what}")))?;
            }
            if consistent {
                return Ok(view);
            }
        }
        Err(io::Error::other(format!(
            "rtnetlink dump: events lost or dump interrupted \
             {DUMP_ATTEMPTS} times in a row"
        )))
    }

    /// Reads the replies to dump `self.seq` into `view`, with the events
    /// that arrive meanwhile; false when the result cannot be trusted.
    fn read_dump(&mut self, view: &mut View) -> io::Result<bool> {
        let (port, seq) = (self.sock.port(), self.seq);
        let mut consistent = true;
        loop {
            let data = match self.sock.recv()? {
                Received::Data(data) => data,
                Received::Lost => {
                    // The dump itself goes on; what was lost were events.
                    consistent = false;
                    continue;
                }
                Received::WouldBlock => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "no reply from the kernel",
                    ))
                }
            };
            for (header, payload) in messages(data) {
                let ours = header.port_number == port;
                if ours && header.sequence_number != seq {
                    continue;
                }
                match payload {
                    Ok(NetlinkPayload::Done(_)) if ours => {
                        return Ok(consistent)
                    }
                    Ok(NetlinkPayload::Error(e)) if ours => {
                        if let Some(code) = e.code {
                            return Err(io::Error::from_raw_os_error(
                                -code.get(),
                            ));
                        }
                    }
                    Ok(NetlinkPayload::InnerMessage(m)) => {
                        if ours && header.flags & NLM_F_DUMP_INTR != 0 {
                            consistent = false;
                        }
                        self.stats.messages += 1;
                        view.apply(&m, &mut |_| {});
                    }
                    Err(_) => self.stats.decode_errors += 1,
                    Ok(_) => {}
                }
            }
        }
    }
}

impl AsFd for Reflector {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }
}
