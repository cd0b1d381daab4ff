//! The commander: rtnetlink requests that wait for their own
//! acknowledgement. Adds and removes the site's addresses.

use std::fmt;
use std::io;
use std::time::{Duration, Instant};

use netlink_packet_core::{
    NetlinkPayload, NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_CREATE,
    NLM_F_EXCL, NLM_F_REQUEST,
};
use netlink_packet_route::link::{LinkAttribute, LinkMessage};
use netlink_packet_route::RouteNetlinkMessage;

use super::errno_name;
use super::request::AddressRequest;
use super::scope::{ScopeError, ScopeTable};
use super::socket::{context, messages, Received, RouteSocket};
use crate::site::addr::Address;
use crate::site::types::Prefix;

/// How long a request waits for its acknowledgement by default. The
/// kernel answers address requests in microseconds; this bounds a wedged
/// rtnl lock, not normal work.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// What a request did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Adding: the kernel already had the address (`EEXIST`).
    AlreadyPresent,
    /// Removing: the kernel did not have it (`EADDRNOTAVAIL`).
    AlreadyAbsent,
}

/// Which request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Del,
}

/// Why a request failed.
#[derive(Debug)]
pub enum ErrorKind {
    /// The kernel refused it: the errno, and the kernel's own words
    /// (extended ack) when it gave some.
    Kernel {
        errno: i32,
        message: Option<String>,
    },
    /// No acknowledgement within the commander's timeout.
    Timeout(Duration),
    /// The socket failed.
    Io(io::Error),
    /// The options cannot be sent as they are (a label that does not
    /// start with the interface name, a broadcast on IPv6 ...).
    Invalid(String),
    Scope(ScopeError),
    /// The kernel's reply did not parse.
    Protocol(String),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Kernel { errno, message } => {
                let text = io::Error::from_raw_os_error(*errno).to_string();
                // io::Error's text ends with "(os error N)": keep the
                // words, the name says the rest.
                let text = text.split(" (os error").next().unwrap_or("");
                write!(f, "{} ({text})", errno_name(*errno))?;
                if let Some(m) = message {
                    write!(f, ": kernel says \"{m}\"")?;
                }
                Ok(())
            }
            ErrorKind::Timeout(t) => {
                write!(f, "no answer from the kernel within {t:?}")
            }
            ErrorKind::Io(e) => write!(f, "netlink socket: {e}"),
            ErrorKind::Invalid(s) | ErrorKind::Protocol(s) => f.write_str(s),
            ErrorKind::Scope(e) => e.fmt(f),
        }
    }
}

/// A failed address request, with what it was about.
#[derive(Debug)]
pub struct CommandError {
    pub op: Op,
    pub prefix: Prefix,
    /// The address line as keepalived.conf wrote it.
    pub line: &'static str,
    pub ifindex: u32,
    /// The interface's name when it could be found.
    pub ifname: Option<String>,
    pub kind: ErrorKind,
}

impl CommandError {
    /// The errno when the kernel refused.
    pub fn errno(&self) -> Option<i32> {
        match self.kind {
            ErrorKind::Kernel { errno, .. } => Some(errno),
            _ => None,
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.op {
            Op::Add => "adding",
            Op::Del => "removing",
        };
        let dir = match self.op {
            Op::Add => "to",
            Op::Del => "from",
        };
        write!(f, "{verb} {} {dir} ", self.prefix)?;
        match &self.ifname {
            Some(n) => write!(f, "{n} (ifindex {})", self.ifindex)?,
            None => write!(f, "ifindex {}", self.ifindex)?,
        }
        if !self.line.is_empty() {
            write!(f, " [`{}`]", self.line)?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for CommandError {}

/// A `NETLINK_ROUTE` socket for requests, one at a time.
pub struct Commander {
    sock: RouteSocket,
    seq: u32,
    timeout: Duration,
    /// Loaded at the first scope name that needs it.
    scopes: Option<ScopeTable>,
}

impl Commander {
    pub fn open() -> io::Result<Commander> {
        let sock = RouteSocket::open()?;
        // The kernel's reason in words (extended ack), and acks that do
        // not echo the whole request back.
        sock.socket()
            .set_ext_ack(true)
            .map_err(|e| context(e, "setting NETLINK_EXT_ACK"))?;
        sock.socket()
            .set_cap_ack(true)
            .map_err(|e| context(e, "setting NETLINK_CAP_ACK"))?;
        Ok(Commander {
            sock,
            seq: 0,
            timeout: DEFAULT_TIMEOUT,
            scopes: None,
        })
    }

    /// How long each request waits for its acknowledgement.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Scope names from this table instead of the system's rt_scopes.
    pub fn set_scope_table(&mut self, table: ScopeTable) {
        self.scopes = Some(table);
    }

    /// The name of interface `ifindex`.
    pub fn link_name(&mut self, ifindex: u32) -> Result<String, ErrorKind> {
        let mut m = LinkMessage::default();
        m.header.index = ifindex;
        let replies = self.transact(RouteNetlinkMessage::GetLink(m), 0)?;
        replies
            .iter()
            .find_map(|r| match r {
                RouteNetlinkMessage::NewLink(l) => {
                    l.attributes.iter().find_map(|a| match a {
                        LinkAttribute::IfName(n) => Some(n.clone()),
                        _ => None,
                    })
                }
                _ => None,
            })
            .ok_or_else(|| {
                ErrorKind::Protocol(format!(
                    "no name in the kernel's answer for ifindex {ifindex}"
                ))
            })
    }

    /// Resolves `a` for interface `ifindex` (what [`Self::add_address`]
    /// would send), e.g. to show a plan.
    pub fn resolve(
        &mut self,
        ifindex: u32,
        a: &Address,
    ) -> Result<AddressRequest, CommandError> {
        let err = |kind, ifname| CommandError {
            op: Op::Add,
            prefix: a.prefix,
            line: a.line,
            ifindex,
            ifname,
            kind,
        };
        // The name is needed to check a label only: no round trip else.
        let ifname = match a.label {
            Some(_) => self.link_name(ifindex).map_err(|k| err(k, None))?,
            None => String::new(),
        };
        let scopes = self.scopes.get_or_insert_with(ScopeTable::load);
        match AddressRequest::new(ifindex, &ifname, a, scopes) {
            Ok(req) => Ok(req),
            Err(kind) if ifname.is_empty() => {
                Err(err(kind, self.link_name(ifindex).ok()))
            }
            Err(kind) => Err(err(kind, Some(ifname))),
        }
    }

    /// Adds `a` to interface `ifindex` with its options;
    /// [`Outcome::AlreadyPresent`] when the kernel has it already.
    pub fn add_address(
        &mut self,
        ifindex: u32,
        a: &Address,
    ) -> Result<Outcome, CommandError> {
        let req = self.resolve(ifindex, a)?;
        let msg = RouteNetlinkMessage::NewAddress(req.new_message());
        match self.transact(msg, NLM_F_CREATE | NLM_F_EXCL) {
            Ok(_) => Ok(Outcome::Done),
            Err(ErrorKind::Kernel {
                errno: libc::EEXIST,
                ..
            }) => Ok(Outcome::AlreadyPresent),
            Err(kind) => Err(self.error(Op::Add, ifindex, a, kind)),
        }
    }

    /// Removes `a` from interface `ifindex`; [`Outcome::AlreadyAbsent`]
    /// when the kernel does not have it.
    pub fn del_address(
        &mut self,
        ifindex: u32,
        a: &Address,
    ) -> Result<Outcome, CommandError> {
        // Only the address's identity goes out: an unknown scope name or
        // a label that became invalid must not keep an address in place.
        let req = AddressRequest {
            ifindex,
            local: a.prefix.addr(),
            prefix_len: a.prefix.prefix_len(),
            address: a.peer.unwrap_or(a.prefix.addr()),
            broadcast: None,
            scope: 0,
            flags: 0,
            label: None,
        };
        let msg = RouteNetlinkMessage::DelAddress(req.del_message());
        match self.transact(msg, 0) {
            Ok(_) => Ok(Outcome::Done),
            Err(ErrorKind::Kernel {
                errno: libc::EADDRNOTAVAIL,
                ..
            }) => Ok(Outcome::AlreadyAbsent),
            Err(kind) => Err(self.error(Op::Del, ifindex, a, kind)),
        }
    }

    fn error(
        &mut self,
        op: Op,
        ifindex: u32,
        a: &Address,
        kind: ErrorKind,
    ) -> CommandError {
        CommandError {
            op,
            prefix: a.prefix,
            line: a.line,
            ifindex,
            ifname: self.link_name(ifindex).ok(),
            kind,
        }
    }

    /// Sends one request with `flags` (beside `NLM_F_REQUEST |
    /// NLM_F_ACK`) and waits for its acknowledgement: the replies before
    /// it, or why it failed. For the route, rule and link requests.
    pub(crate) fn request(
        &mut self,
        msg: RouteNetlinkMessage,
        flags: u16,
    ) -> Result<Vec<RouteNetlinkMessage>, ErrorKind> {
        self.transact(msg, flags)
    }

    /// Sends one request and waits for its acknowledgement, collecting
    /// the replies before it.
    fn transact(
        &mut self,
        msg: RouteNetlinkMessage,
        flags: u16,
    ) -> Result<Vec<RouteNetlinkMessage>, ErrorKind> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let port = self.sock.port();
        self.sock
            .send(msg, NLM_F_REQUEST | NLM_F_ACK | flags, seq)
            .map_err(ErrorKind::Io)?;
        let deadline = Instant::now() + self.timeout;
        let mut replies = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ErrorKind::Timeout(self.timeout));
            }
            self.sock.set_recv_timeout(left).map_err(ErrorKind::Io)?;
            let data = match self.sock.recv().map_err(ErrorKind::Io)? {
                Received::Data(data) => data,
                Received::WouldBlock | Received::Lost => continue,
            };
            for (header, payload) in messages(data) {
                // Answers to requests that timed out earlier: not ours.
                if header.sequence_number != seq || header.port_number != port {
                    continue;
                }
                match payload {
                    Ok(NetlinkPayload::Error(e)) => {
                        return match e.code {
                            None => Ok(replies),
                            Some(code) => Err(ErrorKind::Kernel {
                                errno: -code.get(),
                                message: ext_ack_message(
                                    header.flags,
                                    &e.header,
                                ),
                            }),
                        }
                    }
                    Ok(NetlinkPayload::Done(_)) => return Ok(replies),
                    Ok(NetlinkPayload::InnerMessage(m)) => replies.push(m),
                    Ok(_) => {}
                    Err(e) => return Err(ErrorKind::Protocol(e)),
                }
            }
        }
    }
}

/// `NLMSGERR_ATTR_MSG`: the extended ack's text.
const NLMSGERR_ATTR_MSG: u16 = 1;

/// The kernel's message in an error's extended ack. `rest` is what
/// follows the error code: the request's header (or the whole request
/// when not capped), then the attributes when `NLM_F_ACK_TLVS` is set.
fn ext_ack_message(flags: u16, rest: &[u8]) -> Option<String> {
    if flags & NLM_F_ACK_TLVS == 0 {
        return None;
    }
    let echoed = if flags & NLM_F_CAPPED != 0 {
        16
    } else {
        u32::from_ne_bytes(rest.get(..4)?.try_into().ok()?) as usize
    };
    let mut tlvs = rest.get(echoed..)?;
    while tlvs.len() >= 4 {
        let len = usize::from(u16::from_ne_bytes([tlvs[0], tlvs[1]]));
        let kind = u16::from_ne_bytes([tlvs[2], tlvs[3]]) & 0x3fff;
        let value = tlvs.get(4..len)?;
        if kind == NLMSGERR_ATTR_MSG {
            let text = value.split(|b| *b == 0).next().unwrap_or(value);
            return Some(String::from_utf8_lossy(text).into_owned());
        }
        tlvs = tlvs.get((len + 3) & !3..).unwrap_or(&[]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(kind: u16, value: &[u8]) -> Vec<u8> {
        let len = 4 + value.len();
        let mut v = Vec::new();
        v.extend_from_slice(&(len as u16).to_ne_bytes());
        v.extend_from_slice(&kind.to_ne_bytes());
        v.extend_from_slice(value);
        v.resize((len + 3) & !3, 0);
        v
    }

    #[test]
    fn extended_ack_text() {
        let mut rest = vec![0u8; 16];
        rest.extend(tlv(3, &7u32.to_ne_bytes())); // NLMSGERR_ATTR_OFFS
        rest.extend(tlv(NLMSGERR_ATTR_MSG, b"Label is too long\0"));
        let flags = NLM_F_ACK_TLVS | NLM_F_CAPPED;
        assert_eq!(
            ext_ack_message(flags, &rest).as_deref(),
            Some("Label is too long")
        );
        assert_eq!(ext_ack_message(NLM_F_CAPPED, &rest), None);
        // Uncapped: the whole request (length in its first 4 bytes).
        let mut uncapped = vec![0u8; 24];
        uncapped[..4].copy_from_slice(&24u32.to_ne_bytes());
        uncapped.extend(tlv(NLMSGERR_ATTR_MSG, b"no\0"));
        assert_eq!(
            ext_ack_message(NLM_F_ACK_TLVS, &uncapped).as_deref(),
            Some("no")
        );
        // Truncated attributes give nothing rather than a panic.
        assert_eq!(ext_ack_message(flags, &rest[..22]), None);
    }

    #[test]
    fn error_text_names_everything() {
        let e = CommandError {
            op: Op::Add,
            prefix: Prefix::v4([192, 0, 2, 10], 24),
            line: "192.0.2.10/24 dev eth0",
            ifindex: 3,
            ifname: Some("eth0".into()),
            kind: ErrorKind::Kernel {
                errno: libc::EPERM,
                message: None,
            },
        };
        assert_eq!(
            e.to_string(),
            "adding 192.0.2.10/24 to eth0 (ifindex 3) \
             [`192.0.2.10/24 dev eth0`]: EPERM (Operation not permitted)"
        );
        assert_eq!(e.errno(), Some(libc::EPERM));
    }
}
