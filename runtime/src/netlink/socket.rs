//! A `NETLINK_ROUTE` socket that sends and receives whole datagrams of
//! [`RouteNetlinkMessage`]s, shared by the reflector and the commander.

use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;

use netlink_packet_core::{
    NetlinkBuffer, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::protocols::NETLINK_ROUTE;
use netlink_sys::Socket;
use nix::sys::socket::{setsockopt, sockopt};
use nix::sys::time::TimeVal;

/// Large enough for any rtnetlink datagram: the kernel sizes dump
/// datagrams to at most 32 KiB, and a single link message with many
/// attributes stays far below.
const RECV_BUF: usize = 64 * 1024;

pub(crate) struct RouteSocket {
    socket: Socket,
    /// Our netlink port id: replies to our requests carry it.
    port: u32,
    buf: Vec<u8>,
}

/// What one `recv` gave.
pub(crate) enum Received<'a> {
    Data(&'a [u8]),
    /// Nothing pending (non-blocking), or the receive timeout passed.
    WouldBlock,
    /// The kernel dropped messages for this socket (`ENOBUFS`), or a
    /// datagram did not fit the buffer: state must be read again.
    Lost,
}

impl RouteSocket {
    pub(crate) fn open() -> io::Result<RouteSocket> {
        let mut socket = Socket::new(NETLINK_ROUTE)
            .map_err(|e| context(e, "opening a NETLINK_ROUTE socket"))?;
        let addr = socket
            .bind_auto()
            .map_err(|e| context(e, "binding the netlink socket"))?;
        Ok(RouteSocket {
            socket,
            port: addr.port_number(),
            buf: Vec::with_capacity(RECV_BUF),
        })
    }

    pub(crate) fn port(&self) -> u32 {
        self.port
    }

    pub(crate) fn socket(&self) -> &Socket {
        &self.socket
    }

    /// `SO_RCVTIMEO`: how long a blocking receive waits.
    pub(crate) fn set_recv_timeout(&self, t: Duration) -> io::Result<()> {
        // Zero would mean "forever": wait at least a microsecond.
        let t = TimeVal::new(
            t.as_secs() as _,
            (t.subsec_micros().max(u32::from(t.is_zero()))) as _,
        );
        setsockopt(&self.socket, sockopt::ReceiveTimeout, &t)
            .map_err(|e| context(e.into(), "setting SO_RCVTIMEO"))
    }

    /// Sends one request.
    pub(crate) fn send(
        &self,
        payload: RouteNetlinkMessage,
        flags: u16,
        seq: u32,
    ) -> io::Result<()> {
        let mut header = NetlinkHeader::default();
        header.flags = flags;
        header.sequence_number = seq;
        let mut msg =
            NetlinkMessage::new(header, NetlinkPayload::InnerMessage(payload));
        msg.finalize();
        let mut buf = vec![0u8; msg.buffer_len()];
        msg.serialize(&mut buf);
        loop {
            match self.socket.send(&buf, 0) {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Receives one datagram.
    pub(crate) fn recv(&mut self) -> io::Result<Received<'_>> {
        loop {
            self.buf.clear();
            // MSG_TRUNC: the real length comes back even when the
            // datagram was cut to fit.
            match self.socket.recv(&mut self.buf, libc::MSG_TRUNC) {
                Ok(n) if n > self.buf.len() => return Ok(Received::Lost),
                Ok(_) => return Ok(Received::Data(&self.buf)),
                Err(e) => match e.raw_os_error() {
                    Some(libc::EINTR) => {}
                    Some(libc::ENOBUFS) => return Ok(Received::Lost),
                    _ if e.kind() == io::ErrorKind::WouldBlock => {
                        return Ok(Received::WouldBlock)
                    }
                    _ => return Err(e),
                },
            }
        }
    }
}

impl AsFd for RouteSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

/// One message of a datagram: its header, and its payload or why the
/// payload did not parse.
pub(crate) type Parsed = (
    NetlinkHeader,
    Result<NetlinkPayload<RouteNetlinkMessage>, String>,
);

/// Splits a datagram into its messages. A message that does not parse
/// is returned as an error with its header, so that one odd message
/// (an attribute this crate version does not know how to read) skips
/// only itself.
pub(crate) fn messages(data: &[u8]) -> impl Iterator<Item = Parsed> + '_ {
    let mut offset = 0;
    std::iter::from_fn(move || {
        let rest = data.get(offset..)?;
        let buf = NetlinkBuffer::new_checked(rest).ok()?;
        let len = buf.length() as usize;
        let mut header = NetlinkHeader::default();
        header.length = buf.length();
        header.message_type = buf.message_type();
        header.flags = buf.flags();
        header.sequence_number = buf.sequence_number();
        header.port_number = buf.port_number();
        let msg = rest.get(..len)?;
        // Messages are 4-byte aligned in a datagram.
        offset += (len + 3) & !3;
        let payload = NetlinkMessage::<RouteNetlinkMessage>::deserialize(msg)
            .map(|m| m.payload)
            .map_err(|e| e.to_string());
        Some((header, payload))
    })
}

/// An error with what was being done.
pub(crate) fn context(e: io::Error, what: &str) -> io::Error {
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_packet_core::{DoneMessage, NLM_F_MULTIPART};
    use netlink_packet_route::link::LinkMessage;

    fn serialize(
        payload: NetlinkPayload<RouteNetlinkMessage>,
        seq: u32,
    ) -> Vec<u8> {
        let mut header = NetlinkHeader::default();
        header.sequence_number = seq;
        header.flags = NLM_F_MULTIPART;
        let mut m = NetlinkMessage::new(header, payload);
        m.finalize();
        let mut buf = vec![0u8; m.buffer_len()];
        m.serialize(&mut buf);
        buf
    }

    #[test]
    fn splits_datagrams_and_skips_bad_messages() {
        let mut link = LinkMessage::default();
        link.header.index = 7;
        let mut data = serialize(
            NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewLink(link)),
            1,
        );
        // A RTM_NEWADDR too short for its header.
        let mut bad = serialize(NetlinkPayload::Noop, 2);
        bad[4..6].copy_from_slice(&20u16.to_ne_bytes());
        data.extend_from_slice(&bad);
        data.extend_from_slice(&serialize(
            NetlinkPayload::Done(DoneMessage::default()),
            3,
        ));
        let got: Vec<Parsed> = messages(&data).collect();
        assert_eq!(got.len(), 3);
        assert!(matches!(
            &got[0].1,
            Ok(NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewLink(l)))
                if l.header.index == 7
        ));
        assert_eq!(got[1].0.sequence_number, 2);
        assert!(got[1].1.is_err());
        assert!(matches!(got[2].1, Ok(NetlinkPayload::Done(_))));
        // A truncated tail ends the iteration instead of reading past it.
        assert_eq!(messages(&data[..data.len() - 2]).count(), 2);
    }
}
