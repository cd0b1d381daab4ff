//! A blocking generic netlink socket speaking the `IPVS` family: dump
//! the table, apply changes (each acknowledged), timeouts, the sync
//! daemon, flush. Errors name the object and the errno, as in
//! "adding real server 192.0.2.10:80 to TCP 192.0.2.1:80: EEXIST".

use std::fmt;
use std::io;
use std::time::Duration;

use netlink_packet_core::{
    NetlinkBuffer, NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK,
    NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_generic::ctrl::nlas::GenlCtrlAttrs;
use netlink_packet_generic::ctrl::{GenlCtrl, GenlCtrlCmd};
use netlink_packet_generic::GenlMessage;
use netlink_sys::protocols::NETLINK_GENERIC;
use netlink_sys::Socket;
use nix::errno::Errno;
use nix::sys::socket::{setsockopt, sockopt};
use nix::sys::time::TimeVal;

use super::diff::Change;
use super::msg::{Cmd, CmdAttr, DaemonAttr, IpvsMessage, FAMILY};
use super::table::{
    dest_from_attrs, service_from_attrs, DestKey, DestSpec, ServiceKey,
    ServiceSpec, Table,
};

const RECV_BUF: usize = 64 * 1024;
/// How long one request may wait for the kernel's answer.
const RECV_TIMEOUT: Duration = Duration::from_secs(5);

/// An IPVS request that failed: what was being done, and why.
#[derive(Debug)]
pub struct Error {
    pub context: String,
    pub cause: Cause,
}

#[derive(Debug)]
pub enum Cause {
    /// The kernel refused the request.
    Errno(Errno),
    /// The socket failed.
    Io(io::Error),
    /// The kernel's answer did not parse.
    Decode(String),
}

impl Error {
    /// The kernel's errno, when it refused.
    pub fn errno(&self) -> Option<Errno> {
        match self.cause {
            Cause::Errno(e) => Some(e),
            Cause::Io(ref e) => e.raw_os_error().map(Errno::from_raw),
            Cause::Decode(_) => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Cause::Errno(e) => write!(f, "{}: {e:?}", self.context),
            Cause::Io(e) => write!(f, "{}: {e}", self.context),
            Cause::Decode(e) => {
                write!(f, "{}: unreadable answer: {e}", self.context)
            }
        }
    }
}

impl std::error::Error for Error {}

type Result<T> = std::result::Result<T, Error>;

/// `lvs_timeouts`: 0 leaves a value unchanged when setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Timeouts {
    pub tcp: u32,
    pub tcp_fin: u32,
    pub udp: u32,
}

/// Which side of the connection sync a daemon is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncState {
    Master,
    Backup,
}

impl SyncState {
    fn code(self) -> u32 {
        match self {
            SyncState::Master => 1,
            SyncState::Backup => 2,
        }
    }

    fn name(self) -> &'static str {
        match self {
            SyncState::Master => "master",
            SyncState::Backup => "backup",
        }
    }
}

/// `lvs_sync_daemon INTERFACE VRRP_INSTANCE [id SYNC_ID] [maxlen LEN]
/// [port PORT] [ttl TTL] [group IP]`, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncDaemon {
    pub state: SyncState,
    pub interface: String,
    pub sync_id: u32,
    pub maxlen: Option<u16>,
    pub port: Option<u16>,
    pub ttl: Option<u8>,
    pub group: Option<std::net::IpAddr>,
}

/// A blocking socket on the `IPVS` generic netlink family.
pub struct Client {
    socket: Socket,
    family: u16,
    seq: u32,
    buf: Vec<u8>,
}

impl Client {
    /// Opens a socket and resolves the family. Fails with ENOENT when
    /// the kernel has no IPVS (module `ip_vs` not loaded).
    pub fn open() -> Result<Client> {
        let ctx = |what: &str| format!("{what} the generic netlink socket");
        let mut socket = Socket::new(NETLINK_GENERIC).map_err(|e| Error {
            context: ctx("opening"),
            cause: Cause::Io(e),
        })?;
        socket.bind_auto().map_err(|e| Error {
            context: ctx("binding"),
            cause: Cause::Io(e),
        })?;
        let t = TimeVal::new(RECV_TIMEOUT.as_secs() as _, 0);
        setsockopt(&socket, sockopt::ReceiveTimeout, &t).map_err(|e| {
            Error {
                context: ctx("setting SO_RCVTIMEO on"),
                cause: Cause::Errno(e),
            }
        })?;
        let mut c = Client {
            socket,
            family: 0,
            seq: 0,
            buf: Vec::with_capacity(RECV_BUF),
        };
        c.family = c.resolve()?;
        Ok(c)
    }

    /// The family id the controller gave `IPVS`.
    pub fn family_id(&self) -> u16 {
        self.family
    }

    fn resolve(&mut self) -> Result<u16> {
        let context = format!(
            "resolving the generic netlink family {FAMILY} (is ip_vs loaded?)"
        );
        let mut g = GenlMessage::from_payload(GenlCtrl {
            cmd: GenlCtrlCmd::GetFamily,
            nlas: vec![GenlCtrlAttrs::FamilyName(FAMILY.to_string())],
        });
        g.finalize();
        let answers = self.exchange(g, NLM_F_REQUEST, &context)?;
        answers
            .into_iter()
            .flat_map(|m: GenlMessage<GenlCtrl>| m.payload.nlas)
            .find_map(|a| match a {
                GenlCtrlAttrs::FamilyId(id) => Some(id),
                _ => None,
            })
            .ok_or(Error {
                context,
                cause: Cause::Decode("no family id in the answer".into()),
            })
    }

    /// Sends one request and collects its answers: until the ack (or
    /// the single answer) for a plain request, until DONE for a dump.
    fn exchange<F>(
        &mut self,
        mut msg: GenlMessage<F>,
        flags: u16,
        context: &str,
    ) -> Result<Vec<GenlMessage<F>>>
    where
        F: netlink_packet_generic::GenlFamily
            + netlink_packet_core::Emitable
            + netlink_packet_core::ParseableParametrized<
                [u8],
                netlink_packet_generic::GenlHeader,
            > + fmt::Debug,
    {
        let err = |cause| Error {
            context: context.to_string(),
            cause,
        };
        if msg.resolved_family_id() == 0 {
            msg.set_resolved_family_id(self.family);
        }
        msg.finalize();
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let mut header = NetlinkHeader::default();
        header.flags = flags;
        header.sequence_number = seq;
        let mut nl =
            NetlinkMessage::new(header, NetlinkPayload::InnerMessage(msg));
        nl.finalize();
        let mut out = vec![0u8; nl.buffer_len()];
        nl.serialize(&mut out);
        loop {
            match self.socket.send(&out, 0) {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(err(Cause::Io(e))),
            }
        }
        let dump = flags & NLM_F_DUMP == NLM_F_DUMP;
        let acked = flags & NLM_F_ACK != 0;
        let mut answers = Vec::new();
        loop {
            self.buf.clear();
            let n = match self.socket.recv(&mut self.buf, libc::MSG_TRUNC) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(err(Cause::Io(e))),
            };
            if n > self.buf.len() {
                return Err(err(Cause::Decode(format!(
                    "a {n}-byte datagram did not fit the buffer"
                ))));
            }
            let mut offset = 0;
            while let Some(rest) = self.buf.get(offset..) {
                let Ok(nb) = NetlinkBuffer::new_checked(rest) else {
                    break;
                };
                let len = nb.length() as usize;
                let (mseq, mtype) = (nb.sequence_number(), nb.message_type());
                offset += (len + 3) & !3;
                if mseq != seq {
                    continue;
                }
                let Some(bytes) = rest.get(..len) else { break };
                let parsed =
                    NetlinkMessage::<GenlMessage<F>>::deserialize(bytes);
                match parsed {
                    Ok(m) => match m.payload {
                        NetlinkPayload::Error(e) => {
                            return match e.code {
                                None => Ok(answers),
                                Some(c) => Err(err(Cause::Errno(
                                    Errno::from_raw(-c.get()),
                                ))),
                            }
                        }
                        NetlinkPayload::Done(d) => {
                            return if d.code < 0 {
                                Err(err(Cause::Errno(Errno::from_raw(-d.code))))
                            } else {
                                Ok(answers)
                            }
                        }
                        NetlinkPayload::InnerMessage(g) => {
                            answers.push(g);
                            if !dump && !acked {
                                return Ok(answers);
                            }
                        }
                        _ => {}
                    },
                    // One unreadable object of a dump skips only itself.
                    Err(e) if dump && mtype == self.family => {
                        log::warn!("{context}: skipping a message: {e}");
                    }
                    Err(e) => return Err(err(Cause::Decode(e.to_string()))),
                }
            }
        }
    }

    /// An acknowledged IPVS command.
    fn command(&mut self, msg: IpvsMessage, context: &str) -> Result<()> {
        let g = GenlMessage::from_payload(msg);
        self.exchange(g, NLM_F_REQUEST | NLM_F_ACK, context)
            .map(|_| ())
    }

    fn dump_of(
        &mut self,
        msg: IpvsMessage,
        context: &str,
    ) -> Result<Vec<IpvsMessage>> {
        let g = GenlMessage::from_payload(msg);
        Ok(self
            .exchange(g, NLM_F_REQUEST | NLM_F_DUMP, context)?
            .into_iter()
            .map(|g| g.payload)
            .collect())
    }

    /// The kernel's whole table.
    pub fn dump(&mut self) -> Result<Table> {
        let mut table = Table::new();
        let services = self.dump_of(
            IpvsMessage::new(Cmd::GetService, vec![]),
            "listing virtual servers",
        )?;
        for m in services {
            let Some((key, spec)) = m.service().and_then(service_from_attrs)
            else {
                continue;
            };
            table.add_service(key, spec);
        }
        let keys: Vec<ServiceKey> = table.services.keys().copied().collect();
        for key in keys {
            let dests = self.dump_of(
                IpvsMessage::new(
                    Cmd::GetDest,
                    vec![CmdAttr::Service(key.attrs())],
                ),
                &format!("listing real servers of {key}"),
            )?;
            for m in dests {
                if let Some((dk, ds)) =
                    m.dest().and_then(|d| dest_from_attrs(key.af(), d))
                {
                    table.add_dest(&key, dk, ds);
                }
            }
        }
        Ok(table)
    }

    pub fn add_service(
        &mut self,
        key: &ServiceKey,
        spec: &ServiceSpec,
    ) -> Result<()> {
        self.service_cmd(Cmd::NewService, key, Some(spec), "adding")
    }

    pub fn edit_service(
        &mut self,
        key: &ServiceKey,
        spec: &ServiceSpec,
    ) -> Result<()> {
        self.service_cmd(Cmd::SetService, key, Some(spec), "editing")
    }

    pub fn del_service(&mut self, key: &ServiceKey) -> Result<()> {
        self.service_cmd(Cmd::DelService, key, None, "deleting")
    }

    fn service_cmd(
        &mut self,
        cmd: Cmd,
        key: &ServiceKey,
        spec: Option<&ServiceSpec>,
        verb: &str,
    ) -> Result<()> {
        let mut attrs = key.attrs();
        if let Some(s) = spec {
            attrs.extend(s.attrs(key.ipv6()));
        }
        self.command(
            IpvsMessage::new(cmd, vec![CmdAttr::Service(attrs)]),
            &format!("{verb} virtual server {key}"),
        )
    }

    pub fn add_dest(
        &mut self,
        service: &ServiceKey,
        key: &DestKey,
        spec: &DestSpec,
    ) -> Result<()> {
        self.dest_cmd(Cmd::NewDest, service, key, Some(spec), "adding", "to")
    }

    pub fn edit_dest(
        &mut self,
        service: &ServiceKey,
        key: &DestKey,
        spec: &DestSpec,
    ) -> Result<()> {
        self.dest_cmd(Cmd::SetDest, service, key, Some(spec), "editing", "in")
    }

    pub fn del_dest(
        &mut self,
        service: &ServiceKey,
        key: &DestKey,
    ) -> Result<()> {
        self.dest_cmd(Cmd::DelDest, service, key, None, "deleting", "from")
    }

    fn dest_cmd(
        &mut self,
        cmd: Cmd,
        service: &ServiceKey,
        key: &DestKey,
        spec: Option<&DestSpec>,
        verb: &str,
        prep: &str,
    ) -> Result<()> {
        let dest = match spec {
            Some(s) => s.attrs(key),
            // A delete needs only the address and port.
            None => {
                let mut v = DestSpec {
                    forward: super::table::Forward::Masq,
                    weight: 0,
                    u_threshold: 0,
                    l_threshold: 0,
                }
                .attrs(key);
                v.truncate(3);
                v
            }
        };
        self.command(
            IpvsMessage::new(
                cmd,
                vec![CmdAttr::Service(service.attrs()), CmdAttr::Dest(dest)],
            ),
            &format!("{verb} real server {key} {prep} {service}"),
        )
    }

    /// Applies one change of [`super::diff`].
    pub fn apply(&mut self, change: &Change) -> Result<()> {
        match change {
            Change::AddService { key, spec } => self.add_service(key, spec),
            Change::EditService { key, spec } => self.edit_service(key, spec),
            Change::DelService { key } => self.del_service(key),
            Change::AddDest { service, key, spec } => {
                self.add_dest(service, key, spec)
            }
            Change::EditDest { service, key, spec } => {
                self.edit_dest(service, key, spec)
            }
            Change::DelDest { service, key } => self.del_dest(service, key),
        }
    }

    /// Removes every service (`ipvsadm -C`).
    pub fn flush(&mut self) -> Result<()> {
        self.command(
            IpvsMessage::new(Cmd::Flush, vec![]),
            "flushing the IPVS table",
        )
    }

    pub fn timeouts(&mut self) -> Result<Timeouts> {
        let context = "reading the IPVS timeouts";
        let g =
            GenlMessage::from_payload(IpvsMessage::new(Cmd::GetConfig, vec![]));
        let answers = self.exchange(g, NLM_F_REQUEST, context)?;
        let mut t = Timeouts::default();
        for a in answers.iter().flat_map(|g| g.payload.attrs.iter()) {
            match a {
                CmdAttr::TimeoutTcp(v) => t.tcp = *v,
                CmdAttr::TimeoutTcpFin(v) => t.tcp_fin = *v,
                CmdAttr::TimeoutUdp(v) => t.udp = *v,
                _ => {}
            }
        }
        Ok(t)
    }

    /// `lvs_timeouts`; a zero leaves that timeout as it is.
    pub fn set_timeouts(&mut self, t: Timeouts) -> Result<()> {
        self.command(
            IpvsMessage::new(
                Cmd::SetConfig,
                vec![
                    CmdAttr::TimeoutTcp(t.tcp),
                    CmdAttr::TimeoutTcpFin(t.tcp_fin),
                    CmdAttr::TimeoutUdp(t.udp),
                ],
            ),
            "setting the IPVS timeouts",
        )
    }

    /// Starts a connection-sync daemon.
    pub fn start_daemon(&mut self, d: &SyncDaemon) -> Result<()> {
        let mut attrs = vec![
            DaemonAttr::State(d.state.code()),
            DaemonAttr::McastIfn(d.interface.clone()),
            DaemonAttr::SyncId(d.sync_id),
        ];
        if let Some(v) = d.maxlen {
            attrs.push(DaemonAttr::SyncMaxLen(v));
        }
        if let Some(v) = d.port {
            attrs.push(DaemonAttr::McastPort(v));
        }
        if let Some(v) = d.ttl {
            attrs.push(DaemonAttr::McastTtl(v));
        }
        match d.group {
            Some(std::net::IpAddr::V4(g)) => {
                attrs.push(DaemonAttr::McastGroup(g.octets()))
            }
            Some(std::net::IpAddr::V6(g)) => {
                attrs.push(DaemonAttr::McastGroup6(g.octets()))
            }
            None => {}
        }
        self.command(
            IpvsMessage::new(Cmd::NewDaemon, vec![CmdAttr::Daemon(attrs)]),
            &format!(
                "starting the {} sync daemon on {} (syncid {})",
                d.state.name(),
                d.interface,
                d.sync_id
            ),
        )
    }

    pub fn stop_daemon(&mut self, state: SyncState) -> Result<()> {
        self.command(
            IpvsMessage::new(
                Cmd::DelDaemon,
                vec![CmdAttr::Daemon(vec![DaemonAttr::State(state.code())])],
            ),
            &format!("stopping the {} sync daemon", state.name()),
        )
    }

    /// The running sync daemons: state, interface, sync id.
    pub fn daemons(&mut self) -> Result<Vec<(SyncState, String, u32)>> {
        let answers = self.dump_of(
            IpvsMessage::new(Cmd::GetDaemon, vec![]),
            "listing the sync daemons",
        )?;
        let mut out = Vec::new();
        for m in answers {
            let Some(attrs) = m.daemon() else { continue };
            let (mut state, mut ifn, mut id) = (None, String::new(), 0);
            for a in attrs {
                match a {
                    DaemonAttr::State(1) => state = Some(SyncState::Master),
                    DaemonAttr::State(2) => state = Some(SyncState::Backup),
                    DaemonAttr::McastIfn(s) => ifn.clone_from(s),
                    DaemonAttr::SyncId(v) => id = *v,
                    _ => {}
                }
            }
            if let Some(s) = state {
                out.push((s, ifn, id));
            }
        }
        Ok(out)
    }
}
