//! `virtual_server`, `real_server` and checkers, resolved: groups
//! expanded into their entries, keepalived's defaults applied.

use core::net::IpAddr;
use core::time::Duration;

use super::types::{Command, IfName};

/// IPVS forwarding method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Nat,
    Dr,
    Tun,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

/// What a virtual server listens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// `IP [PORT]`; port 0 for a persistent all-ports service.
    Addr { addr: IpAddr, port: u16 },
    /// `fwmark N`, with the family from `ip_family` (default IPv4).
    Fwmark { mark: u32, ipv6: bool },
    /// `group NAME`, with the group's entries.
    Group {
        name: &'static str,
        entries: &'static [GroupEntry],
    },
}

/// One line of a `virtual_server_group`, expanded to a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupEntry {
    /// Every address from `first` to `last` inclusive, on `port`.
    Range {
        first: IpAddr,
        last: IpAddr,
        port: u16,
    },
    Fwmark {
        mark: u32,
        ipv6: bool,
    },
}

/// When a checker runs and how often it retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// `delay_loop` (default 60 s).
    pub delay_loop: Duration,
    /// `connect_timeout` (default 5 s).
    pub connect_timeout: Duration,
    /// `retry` (default 1 for most checkers).
    pub retry: u32,
    /// `delay_before_retry` (default 1 s).
    pub delay_before_retry: Duration,
    /// `warmup`: the longest random delay before the first check.
    pub warmup: Option<Duration>,
}

/// Where a network checker connects, beyond the real server's address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Connect {
    pub ip: Option<IpAddr>,
    pub port: Option<u16>,
    pub bindto: Option<IpAddr>,
    pub bind_port: Option<u16>,
    pub bind_if: Option<&'static str>,
    pub fwmark: Option<u32>,
}

/// One `url { }` of HTTP_GET / SSL_GET.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Url {
    pub path: &'static str,
    pub digest: Option<[u8; 16]>,
    /// Inclusive status ranges; empty means keepalived's 200-299.
    pub status: &'static [(u16, u16)],
    pub virtualhost: Option<&'static str>,
}

/// What kind of check, with its own settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Tcp,
    Http {
        tls: bool,
        urls: &'static [Url],
        virtualhost: Option<&'static str>,
        sni: bool,
    },
    Smtp {
        helo_name: Option<&'static str>,
    },
    Dns {
        /// The query type by name (`A`, `AAAA`, `SOA`, ...).
        query_type: &'static str,
        name: &'static str,
    },
    Misc {
        command: Command,
        timeout: Option<Duration>,
        dynamic: bool,
    },
    Udp {
        payload: Option<&'static [u8]>,
    },
    Ping,
    File {
        track_file: &'static str,
    },
    Bfd {
        name: &'static str,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checker {
    pub check: Check,
    pub connect: Connect,
    pub timing: Timing,
    pub alpha: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RealServer {
    pub addr: IpAddr,
    /// The real server's port (the virtual server's when not written).
    pub port: u16,
    /// `weight` (default 1).
    pub weight: u32,
    pub method: Method,
    pub uthreshold: Option<u32>,
    pub lthreshold: Option<u32>,
    pub inhibit_on_failure: bool,
    pub notify_up: Option<Command>,
    pub notify_down: Option<Command>,
    pub checkers: &'static [Checker],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SorryServer {
    pub addr: IpAddr,
    pub port: u16,
    pub inhibit: bool,
    pub method: Method,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VirtualServer {
    pub service: Service,
    pub protocol: Protocol,
    /// IPVS scheduler name (`lb_algo`, default `wlc`).
    pub scheduler: &'static str,
    /// Scheduler flags by name (`ops`, `sh-port`, ...).
    pub flags: &'static [&'static str],
    /// `lb_kind` (default NAT).
    pub method: Method,
    /// `persistence_timeout` (seconds; keepalived's default 360 when the
    /// keyword is bare).
    pub persistence_timeout: Option<u32>,
    pub persistence_granularity: Option<u8>,
    pub persistence_engine: Option<&'static str>,
    pub quorum: u32,
    pub hysteresis: u32,
    pub quorum_up: Option<Command>,
    pub quorum_down: Option<Command>,
    pub alpha: bool,
    pub omega: bool,
    pub ha_suspend: bool,
    pub inhibit_on_failure: bool,
    pub sorry_server: Option<SorryServer>,
    pub real_servers: &'static [RealServer],
    /// The line that opened the block, for logs.
    pub line: &'static str,
}

impl VirtualServer {
    /// A virtual server with keepalived's defaults for everything but
    /// what it listens on and its real servers (`lvs_sched wlc`,
    /// `lvs_method NAT`, quorum 1, ...), for tables built by hand:
    /// `VirtualServer { scheduler: "rr", ..VirtualServer::new(..) }`.
    pub const fn new(
        service: Service,
        protocol: Protocol,
        real_servers: &'static [RealServer],
        line: &'static str,
    ) -> VirtualServer {
        VirtualServer {
            service,
            protocol,
            scheduler: "wlc",
            flags: &[],
            method: Method::Nat,
            persistence_timeout: None,
            persistence_granularity: None,
            persistence_engine: None,
            quorum: 1,
            hysteresis: 0,
            quorum_up: None,
            quorum_down: None,
            alpha: false,
            omega: false,
            ha_suspend: false,
            inhibit_on_failure: false,
            sorry_server: None,
            real_servers,
            line,
        }
    }
}

/// The IPVS settings of `global_defs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LvsGlobals {
    /// `lvs_timeouts` (seconds; `None`: leave the kernel's).
    pub timeouts: Option<LvsTimeouts>,
    /// `lvs_flush`: empty the whole IPVS table at start-up.
    pub flush: bool,
    pub sync_daemon: Option<LvsSyncDaemon>,
}

impl LvsGlobals {
    pub const NONE: LvsGlobals = LvsGlobals {
        timeouts: None,
        flush: false,
        sync_daemon: None,
    };
}

/// `lvs_timeouts [tcp S] [tcpfin S] [udp S]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LvsTimeouts {
    pub tcp: Option<u32>,
    pub tcpfin: Option<u32>,
    pub udp: Option<u32>,
}

/// `lvs_sync_daemon IF [VRRP_INSTANCE] [id N] [maxlen N] [port N] [ttl N]
/// [group IP]`: IPVS connection sync, master while the instance is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LvsSyncDaemon {
    pub interface: IfName,
    /// Into [`super::Site::instances`].
    pub instance: Option<usize>,
    /// `id` (keepalived's default: the instance's VRID).
    pub id: Option<u8>,
    pub maxlen: Option<u16>,
    pub port: Option<u16>,
    pub ttl: Option<u8>,
    pub group: Option<IpAddr>,
}
