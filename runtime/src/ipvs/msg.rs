//! The generic netlink family `IPVS` (linux/ip_vs.h): its commands and
//! attribute sets, encoded and decoded with netlink-packet-core's `Nla`
//! and netlink-packet-generic's `GenlFamily`. Decoding never panics:
//! unknown attributes are kept as [`DefaultNla`] and ignored by the
//! callers, and a known attribute of the wrong size is a decode error.

use netlink_packet_core::{
    parse_u16, parse_u16_be, parse_u32, parse_u8, DecodeError, DefaultNla,
    Emitable, Nla, NlaBuffer, NlasIterator, Parseable, ParseableParametrized,
    NLA_F_NESTED,
};
use netlink_packet_generic::{GenlFamily, GenlHeader};

/// The family name the controller resolves (IPVS_GENL_NAME).
pub const FAMILY: &str = "IPVS";
/// IPVS_GENL_VERSION.
pub const VERSION: u8 = 1;

/// `IPVS_CMD_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    NewService,
    SetService,
    DelService,
    GetService,
    NewDest,
    SetDest,
    DelDest,
    GetDest,
    NewDaemon,
    DelDaemon,
    GetDaemon,
    SetConfig,
    GetConfig,
    SetInfo,
    GetInfo,
    Zero,
    Flush,
    Other(u8),
}

impl Cmd {
    pub fn code(self) -> u8 {
        match self {
            Cmd::NewService => 1,
            Cmd::SetService => 2,
            Cmd::DelService => 3,
            Cmd::GetService => 4,
            Cmd::NewDest => 5,
            Cmd::SetDest => 6,
            Cmd::DelDest => 7,
            Cmd::GetDest => 8,
            Cmd::NewDaemon => 9,
            Cmd::DelDaemon => 10,
            Cmd::GetDaemon => 11,
            Cmd::SetConfig => 12,
            Cmd::GetConfig => 13,
            Cmd::SetInfo => 14,
            Cmd::GetInfo => 15,
            Cmd::Zero => 16,
            Cmd::Flush => 17,
            Cmd::Other(c) => c,
        }
    }

    pub fn from_code(c: u8) -> Cmd {
        const ALL: [Cmd; 17] = [
            Cmd::NewService,
            Cmd::SetService,
            Cmd::DelService,
            Cmd::GetService,
            Cmd::NewDest,
            Cmd::SetDest,
            Cmd::DelDest,
            Cmd::GetDest,
            Cmd::NewDaemon,
            Cmd::DelDaemon,
            Cmd::GetDaemon,
            Cmd::SetConfig,
            Cmd::GetConfig,
            Cmd::SetInfo,
            Cmd::GetInfo,
            Cmd::Zero,
            Cmd::Flush,
        ];
        ALL.into_iter()
            .find(|k| k.code() == c)
            .unwrap_or(Cmd::Other(c))
    }
}

// IPVS_CMD_ATTR_*
const CMD_ATTR_SERVICE: u16 = 1;
const CMD_ATTR_DEST: u16 = 2;
const CMD_ATTR_DAEMON: u16 = 3;
const CMD_ATTR_TIMEOUT_TCP: u16 = 4;
const CMD_ATTR_TIMEOUT_TCP_FIN: u16 = 5;
const CMD_ATTR_TIMEOUT_UDP: u16 = 6;

// IPVS_SVC_ATTR_*
const SVC_AF: u16 = 1;
const SVC_PROTOCOL: u16 = 2;
const SVC_ADDR: u16 = 3;
const SVC_PORT: u16 = 4;
const SVC_FWMARK: u16 = 5;
const SVC_SCHED_NAME: u16 = 6;
const SVC_FLAGS: u16 = 7;
const SVC_TIMEOUT: u16 = 8;
const SVC_NETMASK: u16 = 9;
const SVC_PE_NAME: u16 = 11;

// IPVS_DEST_ATTR_*
const DEST_ADDR: u16 = 1;
const DEST_PORT: u16 = 2;
const DEST_FWD_METHOD: u16 = 3;
const DEST_WEIGHT: u16 = 4;
const DEST_U_THRESH: u16 = 5;
const DEST_L_THRESH: u16 = 6;
const DEST_ACTIVE_CONNS: u16 = 7;
const DEST_INACT_CONNS: u16 = 8;
const DEST_PERSIST_CONNS: u16 = 9;
const DEST_ADDR_FAMILY: u16 = 11;
const DEST_TUN_TYPE: u16 = 13;
const DEST_TUN_PORT: u16 = 14;
const DEST_TUN_FLAGS: u16 = 15;

// IPVS_DAEMON_ATTR_*
const DAEMON_STATE: u16 = 1;
const DAEMON_MCAST_IFN: u16 = 2;
const DAEMON_SYNC_ID: u16 = 3;
const DAEMON_SYNC_MAXLEN: u16 = 4;
const DAEMON_MCAST_GROUP: u16 = 5;
const DAEMON_MCAST_GROUP6: u16 = 6;
const DAEMON_MCAST_PORT: u16 = 7;
const DAEMON_MCAST_TTL: u16 = 8;

/// One IPVS generic netlink message: a command and its attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpvsMessage {
    pub cmd: Cmd,
    pub attrs: Vec<CmdAttr>,
}

impl IpvsMessage {
    pub fn new(cmd: Cmd, attrs: Vec<CmdAttr>) -> IpvsMessage {
        IpvsMessage { cmd, attrs }
    }

    /// The nested service attributes, if the message has them.
    pub fn service(&self) -> Option<&[SvcAttr]> {
        self.attrs.iter().find_map(|a| match a {
            CmdAttr::Service(s) => Some(s.as_slice()),
            _ => None,
        })
    }

    pub fn dest(&self) -> Option<&[DestAttr]> {
        self.attrs.iter().find_map(|a| match a {
            CmdAttr::Dest(d) => Some(d.as_slice()),
            _ => None,
        })
    }

    pub fn daemon(&self) -> Option<&[DaemonAttr]> {
        self.attrs.iter().find_map(|a| match a {
            CmdAttr::Daemon(d) => Some(d.as_slice()),
            _ => None,
        })
    }
}

impl GenlFamily for IpvsMessage {
    fn family_name() -> &'static str {
        FAMILY
    }

    fn command(&self) -> u8 {
        self.cmd.code()
    }

    fn version(&self) -> u8 {
        VERSION
    }
}

impl Emitable for IpvsMessage {
    fn buffer_len(&self) -> usize {
        self.attrs.as_slice().buffer_len()
    }

    fn emit(&self, buffer: &mut [u8]) {
        self.attrs.as_slice().emit(buffer)
    }
}

impl ParseableParametrized<[u8], GenlHeader> for IpvsMessage {
    fn parse_with_param(
        buf: &[u8],
        header: GenlHeader,
    ) -> Result<Self, DecodeError> {
        Ok(IpvsMessage {
            cmd: Cmd::from_code(header.cmd),
            attrs: parse_all(buf)?,
        })
    }
}

/// Parses every attribute of `buf` with `T`'s parser.
fn parse_all<T>(buf: &[u8]) -> Result<Vec<T>, DecodeError>
where
    T: for<'a> Parseable<NlaBuffer<&'a [u8]>>,
{
    NlasIterator::new(buf)
        .map(|nla| nla.and_then(|nla| T::parse(&nla)))
        .collect()
}

/// The value of `nla`, or an error naming the attribute when it is not
/// exactly `n` bytes.
fn exact<'b>(
    nla: &'b NlaBuffer<&[u8]>,
    n: usize,
    what: &str,
) -> Result<&'b [u8], DecodeError> {
    let v = nla.value();
    if v.len() == n {
        Ok(v)
    } else {
        Err(DecodeError::from(format!(
            "IPVS attribute {what}: {} bytes, expected {n}",
            v.len()
        )))
    }
}

/// A NUL-terminated string attribute (the kernel may pad it).
fn string(v: &[u8]) -> Result<String, DecodeError> {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    String::from_utf8(v[..end].to_vec()).map_err(DecodeError::from)
}

// Writers for values the encoder sized itself (`value_len`).
fn emit_u16(buffer: &mut [u8], v: u16) {
    buffer[..2].copy_from_slice(&v.to_ne_bytes());
}

fn emit_u16_be(buffer: &mut [u8], v: u16) {
    buffer[..2].copy_from_slice(&v.to_be_bytes());
}

fn emit_u32(buffer: &mut [u8], v: u32) {
    buffer[..4].copy_from_slice(&v.to_ne_bytes());
}

fn string_len(s: &str) -> usize {
    s.len() + 1
}

fn emit_string(buffer: &mut [u8], s: &str) {
    buffer[..s.len()].copy_from_slice(s.as_bytes());
    buffer[s.len()] = 0;
}

/// The value bytes of an attribute (checked by `NlasIterator`).
fn value<'b>(nla: &'b NlaBuffer<&[u8]>) -> &'b [u8] {
    nla.value()
}

fn other(nla: &NlaBuffer<&[u8]>) -> Result<DefaultNla, DecodeError> {
    DefaultNla::parse(nla)
}

/// `IPVS_CMD_ATTR_*`: the top level of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CmdAttr {
    Service(Vec<SvcAttr>),
    Dest(Vec<DestAttr>),
    Daemon(Vec<DaemonAttr>),
    TimeoutTcp(u32),
    TimeoutTcpFin(u32),
    TimeoutUdp(u32),
    Other(DefaultNla),
}

impl Nla for CmdAttr {
    fn value_len(&self) -> usize {
        match self {
            CmdAttr::Service(v) => v.as_slice().buffer_len(),
            CmdAttr::Dest(v) => v.as_slice().buffer_len(),
            CmdAttr::Daemon(v) => v.as_slice().buffer_len(),
            CmdAttr::TimeoutTcp(_)
            | CmdAttr::TimeoutTcpFin(_)
            | CmdAttr::TimeoutUdp(_) => 4,
            CmdAttr::Other(n) => n.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        match self {
            CmdAttr::Service(_) => CMD_ATTR_SERVICE | NLA_F_NESTED,
            CmdAttr::Dest(_) => CMD_ATTR_DEST | NLA_F_NESTED,
            CmdAttr::Daemon(_) => CMD_ATTR_DAEMON | NLA_F_NESTED,
            CmdAttr::TimeoutTcp(_) => CMD_ATTR_TIMEOUT_TCP,
            CmdAttr::TimeoutTcpFin(_) => CMD_ATTR_TIMEOUT_TCP_FIN,
            CmdAttr::TimeoutUdp(_) => CMD_ATTR_TIMEOUT_UDP,
            CmdAttr::Other(n) => n.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            CmdAttr::Service(v) => v.as_slice().emit(buffer),
            CmdAttr::Dest(v) => v.as_slice().emit(buffer),
            CmdAttr::Daemon(v) => v.as_slice().emit(buffer),
            CmdAttr::TimeoutTcp(t)
            | CmdAttr::TimeoutTcpFin(t)
            | CmdAttr::TimeoutUdp(t) => emit_u32(buffer, *t),
            CmdAttr::Other(n) => n.emit_value(buffer),
        }
    }
}

impl<'a> Parseable<NlaBuffer<&'a [u8]>> for CmdAttr {
    fn parse(nla: &NlaBuffer<&'a [u8]>) -> Result<Self, DecodeError> {
        Ok(match nla.kind() {
            CMD_ATTR_SERVICE => CmdAttr::Service(parse_all(value(nla))?),
            CMD_ATTR_DEST => CmdAttr::Dest(parse_all(value(nla))?),
            CMD_ATTR_DAEMON => CmdAttr::Daemon(parse_all(value(nla))?),
            CMD_ATTR_TIMEOUT_TCP => {
                CmdAttr::TimeoutTcp(parse_u32(exact(nla, 4, "timeout tcp")?)?)
            }
            CMD_ATTR_TIMEOUT_TCP_FIN => CmdAttr::TimeoutTcpFin(parse_u32(
                exact(nla, 4, "timeout tcpfin")?,
            )?),
            CMD_ATTR_TIMEOUT_UDP => {
                CmdAttr::TimeoutUdp(parse_u32(exact(nla, 4, "timeout udp")?)?)
            }
            _ => CmdAttr::Other(other(nla)?),
        })
    }
}

/// `IPVS_SVC_ATTR_*`. Addresses travel as the kernel's 16-byte
/// `nf_inet_addr` (an IPv4 address in its first 4 bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SvcAttr {
    Af(u16),
    Protocol(u16),
    Addr([u8; 16]),
    Port(u16),
    Fwmark(u32),
    SchedName(String),
    /// `struct ip_vs_flags`: the flags, and which of them to change.
    Flags {
        flags: u32,
        mask: u32,
    },
    /// Persistence timeout in seconds.
    Timeout(u32),
    /// Persistence granularity exactly as the kernel holds it: an IPv4
    /// mask in network byte order, or an IPv6 prefix length.
    Netmask(u32),
    PeName(String),
    Other(DefaultNla),
}

impl Nla for SvcAttr {
    fn value_len(&self) -> usize {
        match self {
            SvcAttr::Af(_) | SvcAttr::Protocol(_) | SvcAttr::Port(_) => 2,
            SvcAttr::Addr(_) => 16,
            SvcAttr::Fwmark(_) | SvcAttr::Timeout(_) | SvcAttr::Netmask(_) => 4,
            SvcAttr::SchedName(s) | SvcAttr::PeName(s) => string_len(s),
            SvcAttr::Flags { .. } => 8,
            SvcAttr::Other(n) => n.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        match self {
            SvcAttr::Af(_) => SVC_AF,
            SvcAttr::Protocol(_) => SVC_PROTOCOL,
            SvcAttr::Addr(_) => SVC_ADDR,
            SvcAttr::Port(_) => SVC_PORT,
            SvcAttr::Fwmark(_) => SVC_FWMARK,
            SvcAttr::SchedName(_) => SVC_SCHED_NAME,
            SvcAttr::Flags { .. } => SVC_FLAGS,
            SvcAttr::Timeout(_) => SVC_TIMEOUT,
            SvcAttr::Netmask(_) => SVC_NETMASK,
            SvcAttr::PeName(_) => SVC_PE_NAME,
            SvcAttr::Other(n) => n.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            SvcAttr::Af(v) | SvcAttr::Protocol(v) => emit_u16(buffer, *v),
            SvcAttr::Port(p) => emit_u16_be(buffer, *p),
            SvcAttr::Addr(a) => buffer[..16].copy_from_slice(a),
            SvcAttr::Fwmark(v) | SvcAttr::Timeout(v) => emit_u32(buffer, *v),
            SvcAttr::Netmask(v) => {
                buffer[..4].copy_from_slice(&v.to_ne_bytes())
            }
            SvcAttr::SchedName(s) | SvcAttr::PeName(s) => {
                emit_string(buffer, s)
            }
            SvcAttr::Flags { flags, mask } => {
                emit_u32(&mut buffer[..4], *flags);
                emit_u32(&mut buffer[4..8], *mask);
            }
            SvcAttr::Other(n) => n.emit_value(buffer),
        }
    }
}

/// A 16-byte `nf_inet_addr`; the kernel accepts (and older ones send)
/// shorter values, zero-filled here.
fn inet_addr(v: &[u8], what: &str) -> Result<[u8; 16], DecodeError> {
    if v.len() > 16 {
        return Err(DecodeError::from(format!(
            "IPVS attribute {what}: {} bytes, expected at most 16",
            v.len()
        )));
    }
    let mut a = [0u8; 16];
    a[..v.len()].copy_from_slice(v);
    Ok(a)
}

impl<'a> Parseable<NlaBuffer<&'a [u8]>> for SvcAttr {
    fn parse(nla: &NlaBuffer<&'a [u8]>) -> Result<Self, DecodeError> {
        let v = value(nla);
        Ok(match nla.kind() {
            SVC_AF => SvcAttr::Af(parse_u16(exact(nla, 2, "service af")?)?),
            SVC_PROTOCOL => SvcAttr::Protocol(parse_u16(exact(
                nla,
                2,
                "service protocol",
            )?)?),
            SVC_ADDR => SvcAttr::Addr(inet_addr(v, "service address")?),
            SVC_PORT => {
                SvcAttr::Port(parse_u16_be(exact(nla, 2, "service port")?)?)
            }
            SVC_FWMARK => {
                SvcAttr::Fwmark(parse_u32(exact(nla, 4, "service fwmark")?)?)
            }
            SVC_SCHED_NAME => SvcAttr::SchedName(string(v)?),
            SVC_FLAGS => {
                let v = exact(nla, 8, "service flags")?;
                SvcAttr::Flags {
                    flags: parse_u32(&v[..4])?,
                    mask: parse_u32(&v[4..])?,
                }
            }
            SVC_TIMEOUT => {
                SvcAttr::Timeout(parse_u32(exact(nla, 4, "service timeout")?)?)
            }
            SVC_NETMASK => {
                let v = exact(nla, 4, "service netmask")?;
                SvcAttr::Netmask(u32::from_ne_bytes([v[0], v[1], v[2], v[3]]))
            }
            SVC_PE_NAME => SvcAttr::PeName(string(v)?),
            _ => SvcAttr::Other(other(nla)?),
        })
    }
}

/// `IPVS_DEST_ATTR_*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DestAttr {
    Addr([u8; 16]),
    Port(u16),
    /// `IP_VS_CONN_F_*` forwarding method (the low 3 bits).
    FwdMethod(u32),
    Weight(u32),
    UThresh(u32),
    LThresh(u32),
    ActiveConns(u32),
    InactConns(u32),
    PersistConns(u32),
    AddrFamily(u16),
    TunType(u8),
    TunPort(u16),
    TunFlags(u16),
    Other(DefaultNla),
}

impl Nla for DestAttr {
    fn value_len(&self) -> usize {
        match self {
            DestAttr::Addr(_) => 16,
            DestAttr::Port(_)
            | DestAttr::AddrFamily(_)
            | DestAttr::TunPort(_)
            | DestAttr::TunFlags(_) => 2,
            DestAttr::TunType(_) => 1,
            DestAttr::FwdMethod(_)
            | DestAttr::Weight(_)
            | DestAttr::UThresh(_)
            | DestAttr::LThresh(_)
            | DestAttr::ActiveConns(_)
            | DestAttr::InactConns(_)
            | DestAttr::PersistConns(_) => 4,
            DestAttr::Other(n) => n.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        match self {
            DestAttr::Addr(_) => DEST_ADDR,
            DestAttr::Port(_) => DEST_PORT,
            DestAttr::FwdMethod(_) => DEST_FWD_METHOD,
            DestAttr::Weight(_) => DEST_WEIGHT,
            DestAttr::UThresh(_) => DEST_U_THRESH,
            DestAttr::LThresh(_) => DEST_L_THRESH,
            DestAttr::ActiveConns(_) => DEST_ACTIVE_CONNS,
            DestAttr::InactConns(_) => DEST_INACT_CONNS,
            DestAttr::PersistConns(_) => DEST_PERSIST_CONNS,
            DestAttr::AddrFamily(_) => DEST_ADDR_FAMILY,
            DestAttr::TunType(_) => DEST_TUN_TYPE,
            DestAttr::TunPort(_) => DEST_TUN_PORT,
            DestAttr::TunFlags(_) => DEST_TUN_FLAGS,
            DestAttr::Other(n) => n.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            DestAttr::Addr(a) => buffer[..16].copy_from_slice(a),
            DestAttr::Port(p) | DestAttr::TunPort(p) => emit_u16_be(buffer, *p),
            DestAttr::AddrFamily(v) | DestAttr::TunFlags(v) => {
                emit_u16(buffer, *v)
            }
            DestAttr::TunType(t) => buffer[0] = *t,
            DestAttr::FwdMethod(v)
            | DestAttr::Weight(v)
            | DestAttr::UThresh(v)
            | DestAttr::LThresh(v)
            | DestAttr::ActiveConns(v)
            | DestAttr::InactConns(v)
            | DestAttr::PersistConns(v) => emit_u32(buffer, *v),
            DestAttr::Other(n) => n.emit_value(buffer),
        }
    }
}

impl<'a> Parseable<NlaBuffer<&'a [u8]>> for DestAttr {
    fn parse(nla: &NlaBuffer<&'a [u8]>) -> Result<Self, DecodeError> {
        let u32_of = |what| -> Result<u32, DecodeError> {
            parse_u32(exact(nla, 4, what)?)
        };
        Ok(match nla.kind() {
            DEST_ADDR => DestAttr::Addr(inet_addr(value(nla), "dest address")?),
            DEST_PORT => {
                DestAttr::Port(parse_u16_be(exact(nla, 2, "dest port")?)?)
            }
            DEST_FWD_METHOD => DestAttr::FwdMethod(u32_of("dest fwd method")?),
            DEST_WEIGHT => DestAttr::Weight(u32_of("dest weight")?),
            DEST_U_THRESH => DestAttr::UThresh(u32_of("dest u_thresh")?),
            DEST_L_THRESH => DestAttr::LThresh(u32_of("dest l_thresh")?),
            DEST_ACTIVE_CONNS => DestAttr::ActiveConns(u32_of("dest conns")?),
            DEST_INACT_CONNS => DestAttr::InactConns(u32_of("dest conns")?),
            DEST_PERSIST_CONNS => DestAttr::PersistConns(u32_of("dest conns")?),
            DEST_ADDR_FAMILY => DestAttr::AddrFamily(parse_u16(exact(
                nla,
                2,
                "dest address family",
            )?)?),
            DEST_TUN_TYPE => {
                DestAttr::TunType(parse_u8(exact(nla, 1, "dest tun type")?)?)
            }
            DEST_TUN_PORT => DestAttr::TunPort(parse_u16_be(exact(
                nla,
                2,
                "dest tun port",
            )?)?),
            DEST_TUN_FLAGS => {
                DestAttr::TunFlags(parse_u16(exact(nla, 2, "dest tun flags")?)?)
            }
            _ => DestAttr::Other(other(nla)?),
        })
    }
}

/// `IPVS_DAEMON_ATTR_*`: the connection-sync daemon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DaemonAttr {
    /// `IP_VS_STATE_MASTER` (1) or `IP_VS_STATE_BACKUP` (2).
    State(u32),
    McastIfn(String),
    SyncId(u32),
    SyncMaxLen(u16),
    McastGroup([u8; 4]),
    McastGroup6([u8; 16]),
    McastPort(u16),
    McastTtl(u8),
    Other(DefaultNla),
}

impl Nla for DaemonAttr {
    fn value_len(&self) -> usize {
        match self {
            DaemonAttr::State(_) | DaemonAttr::SyncId(_) => 4,
            DaemonAttr::McastIfn(s) => string_len(s),
            DaemonAttr::SyncMaxLen(_) | DaemonAttr::McastPort(_) => 2,
            DaemonAttr::McastGroup(_) => 4,
            DaemonAttr::McastGroup6(_) => 16,
            DaemonAttr::McastTtl(_) => 1,
            DaemonAttr::Other(n) => n.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        match self {
            DaemonAttr::State(_) => DAEMON_STATE,
            DaemonAttr::McastIfn(_) => DAEMON_MCAST_IFN,
            DaemonAttr::SyncId(_) => DAEMON_SYNC_ID,
            DaemonAttr::SyncMaxLen(_) => DAEMON_SYNC_MAXLEN,
            DaemonAttr::McastGroup(_) => DAEMON_MCAST_GROUP,
            DaemonAttr::McastGroup6(_) => DAEMON_MCAST_GROUP6,
            DaemonAttr::McastPort(_) => DAEMON_MCAST_PORT,
            DaemonAttr::McastTtl(_) => DAEMON_MCAST_TTL,
            DaemonAttr::Other(n) => n.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            DaemonAttr::State(v) | DaemonAttr::SyncId(v) => {
                emit_u32(buffer, *v)
            }
            DaemonAttr::McastIfn(s) => emit_string(buffer, s),
            DaemonAttr::SyncMaxLen(v) | DaemonAttr::McastPort(v) => {
                emit_u16(buffer, *v)
            }
            DaemonAttr::McastGroup(a) => buffer[..4].copy_from_slice(a),
            DaemonAttr::McastGroup6(a) => buffer[..16].copy_from_slice(a),
            DaemonAttr::McastTtl(t) => buffer[0] = *t,
            DaemonAttr::Other(n) => n.emit_value(buffer),
        }
    }
}

impl<'a> Parseable<NlaBuffer<&'a [u8]>> for DaemonAttr {
    fn parse(nla: &NlaBuffer<&'a [u8]>) -> Result<Self, DecodeError> {
        Ok(match nla.kind() {
            DAEMON_STATE => {
                DaemonAttr::State(parse_u32(exact(nla, 4, "daemon state")?)?)
            }
            DAEMON_MCAST_IFN => DaemonAttr::McastIfn(string(value(nla))?),
            DAEMON_SYNC_ID => {
                DaemonAttr::SyncId(parse_u32(exact(nla, 4, "daemon syncid")?)?)
            }
            DAEMON_SYNC_MAXLEN => DaemonAttr::SyncMaxLen(parse_u16(exact(
                nla,
                2,
                "daemon maxlen",
            )?)?),
            DAEMON_MCAST_GROUP => {
                let v = exact(nla, 4, "daemon group")?;
                DaemonAttr::McastGroup([v[0], v[1], v[2], v[3]])
            }
            DAEMON_MCAST_GROUP6 => {
                let v = exact(nla, 16, "daemon group6")?;
                let mut a = [0u8; 16];
                a.copy_from_slice(v);
                DaemonAttr::McastGroup6(a)
            }
            DAEMON_MCAST_PORT => {
                DaemonAttr::McastPort(parse_u16(exact(nla, 2, "daemon port")?)?)
            }
            DAEMON_MCAST_TTL => {
                DaemonAttr::McastTtl(parse_u8(exact(nla, 1, "daemon ttl")?)?)
            }
            _ => DaemonAttr::Other(other(nla)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_packet_core::{NetlinkMessage, NetlinkPayload};
    use netlink_packet_generic::GenlMessage;

    fn round_trip(m: IpvsMessage) {
        let mut g = GenlMessage::from_payload(m.clone());
        g.set_resolved_family_id(33);
        g.finalize();
        let mut nl = NetlinkMessage::from(g);
        nl.finalize();
        let mut buf = vec![0u8; nl.buffer_len()];
        nl.serialize(&mut buf);
        let back =
            NetlinkMessage::<GenlMessage<IpvsMessage>>::deserialize(&buf)
                .unwrap();
        assert_eq!(back.header.message_type, 33);
        match back.payload {
            NetlinkPayload::InnerMessage(g) => assert_eq!(g.payload, m),
            p => panic!("unexpected {p:?}"),
        }
    }

    fn v4(a: [u8; 4]) -> [u8; 16] {
        let mut o = [0u8; 16];
        o[..4].copy_from_slice(&a);
        o
    }

    #[test]
    fn service_round_trip() {
        round_trip(IpvsMessage::new(
            Cmd::NewService,
            vec![CmdAttr::Service(vec![
                SvcAttr::Af(2),
                SvcAttr::Protocol(6),
                SvcAttr::Addr(v4([192, 0, 2, 1])),
                SvcAttr::Port(80),
                SvcAttr::SchedName("wlc".into()),
                SvcAttr::Flags {
                    flags: 1,
                    mask: u32::MAX,
                },
                SvcAttr::Timeout(300),
                SvcAttr::Netmask(u32::MAX),
                SvcAttr::PeName("sip".into()),
            ])],
        ));
    }

    #[test]
    fn dest_daemon_config_round_trip() {
        round_trip(IpvsMessage::new(
            Cmd::NewDest,
            vec![
                CmdAttr::Service(vec![SvcAttr::Af(10), SvcAttr::Fwmark(7)]),
                CmdAttr::Dest(vec![
                    DestAttr::Addr([
                        0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
                    ]),
                    DestAttr::Port(8080),
                    DestAttr::FwdMethod(2),
                    DestAttr::Weight(5),
                    DestAttr::UThresh(100),
                    DestAttr::LThresh(10),
                    DestAttr::AddrFamily(10),
                    DestAttr::TunType(1),
                    DestAttr::TunPort(6080),
                    DestAttr::TunFlags(2),
                ]),
            ],
        ));
        round_trip(IpvsMessage::new(
            Cmd::NewDaemon,
            vec![CmdAttr::Daemon(vec![
                DaemonAttr::State(1),
                DaemonAttr::McastIfn("eth0".into()),
                DaemonAttr::SyncId(9),
                DaemonAttr::SyncMaxLen(1472),
                DaemonAttr::McastGroup([224, 0, 0, 81]),
                DaemonAttr::McastPort(8848),
                DaemonAttr::McastTtl(1),
            ])],
        ));
        round_trip(IpvsMessage::new(
            Cmd::SetConfig,
            vec![
                CmdAttr::TimeoutTcp(900),
                CmdAttr::TimeoutTcpFin(120),
                CmdAttr::TimeoutUdp(300),
            ],
        ));
    }

    #[test]
    fn wire_layout_matches_the_kernel() {
        // The port is big-endian, the protocol host order.
        let attrs = [SvcAttr::Port(80), SvcAttr::Protocol(6)];
        let mut buf = vec![0u8; attrs.as_slice().buffer_len()];
        attrs.as_slice().emit(&mut buf);
        assert_eq!(&buf[..8], &[6, 0, 4, 0, 0, 80, 0, 0]);
        assert_eq!(&buf[8..14], &[6, 0, 2, 0, 6, 0]);
        // A nested service carries NLA_F_NESTED.
        let top = [CmdAttr::Service(attrs.to_vec())];
        let mut buf = vec![0u8; top.as_slice().buffer_len()];
        top.as_slice().emit(&mut buf);
        assert_eq!(u16::from_ne_bytes([buf[2], buf[3]]), 0x8001);
    }

    #[test]
    fn unknown_attributes_are_kept_and_bad_sizes_are_errors() {
        // Service: AF, an unknown attribute 99, stats (10, nested).
        let mut data = Vec::new();
        data.extend_from_slice(&[6, 0, 1, 0, 2, 0, 0, 0]);
        data.extend_from_slice(&[8, 0, 99, 0, 1, 2, 3, 4]);
        data.extend_from_slice(&[4, 0, 10, 0x80]);
        let got: Vec<SvcAttr> = parse_all(&data).unwrap();
        assert_eq!(got[0], SvcAttr::Af(2));
        assert!(matches!(got[1], SvcAttr::Other(_)));
        assert!(matches!(got[2], SvcAttr::Other(_)));
        // A 3-byte port.
        let bad = [7u8, 0, 4, 0, 1, 2, 3, 0];
        assert!(parse_all::<SvcAttr>(&bad).is_err());
        // A truncated attribute.
        let short = [200u8, 0, 4, 0, 1];
        assert!(parse_all::<SvcAttr>(&short).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed = 0x1234_5678u32;
        for len in 0..200 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (seed >> 16) as u8
                })
                .collect();
            let _ = parse_all::<CmdAttr>(&data);
            let _ = parse_all::<SvcAttr>(&data);
            let _ = parse_all::<DestAttr>(&data);
            let _ = parse_all::<DaemonAttr>(&data);
        }
    }
}
