//! From the site tables to probes: one probe per distinct check, with
//! every (virtual server, real server, checker) that wants its verdict.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use crate::site::lvs::{Check, Checker, Protocol, VirtualServer};
use crate::site::track::TrackFile;
use crate::site::Site;

/// Who gets a probe's verdicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subscriber {
    pub vs: usize,
    pub rs: usize,
    pub checker: usize,
    /// The real server's configured weight (what a dynamic weight falls
    /// back to).
    pub weight: u32,
}

/// One check to run, however many virtual servers share it.
#[derive(Clone, Debug)]
pub struct Probe {
    pub checker: Checker,
    /// Where it connects: `connect_ip`/`connect_port`, else the real
    /// server's.
    pub target: SocketAddr,
    /// keepalived's name for the real server in logs:
    /// `[192.0.2.10]:tcp:80`.
    pub label: String,
    /// `script_user` from `global_defs`, for MISC_CHECK commands that
    /// name no user.
    pub script_user: Option<(&'static str, Option<&'static str>)>,
    /// The `track_file` a FILE_CHECK follows, resolved.
    pub track_file: Option<TrackFile>,
    pub subscribers: Vec<Subscriber>,
}

/// keepalived's `FMT_RS`: `[ADDR]:PROTO:PORT`.
pub fn label(addr: IpAddr, protocol: Protocol, port: u16) -> String {
    let proto = match protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Sctp => "sctp",
    };
    format!("[{addr}]:{proto}:{port}")
}

impl Probe {
    /// A probe for one checker against `addr:port` (the real server).
    pub fn new(
        checker: Checker,
        addr: IpAddr,
        port: u16,
        protocol: Protocol,
    ) -> Probe {
        let target = SocketAddr::new(
            checker.connect.ip.unwrap_or(addr),
            checker.connect.port.unwrap_or(port),
        );
        Probe {
            checker,
            target,
            label: label(addr, protocol, port),
            script_user: None,
            track_file: None,
            subscribers: Vec::new(),
        }
    }
}

/// Every probe of the site.
pub fn plan(site: &'static Site) -> Vec<Probe> {
    plan_servers(
        site.virtual_servers,
        site.track_files,
        site.global.script_user,
    )
}

/// Every probe of these virtual servers; identical checks (same kind,
/// settings, target and timing) are merged into one probe.
pub fn plan_servers(
    virtual_servers: &'static [VirtualServer],
    track_files: &'static [TrackFile],
    script_user: Option<(&'static str, Option<&'static str>)>,
) -> Vec<Probe> {
    let mut probes: Vec<Probe> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (vi, vs) in virtual_servers.iter().enumerate() {
        for (ri, rs) in vs.real_servers.iter().enumerate() {
            for (ci, c) in rs.checkers.iter().enumerate() {
                if let Check::Bfd { name } = c.check {
                    // BFD sessions are the BFD engine's; nothing to probe.
                    log::debug!("BFD_CHECK {name} is not run by the checkers");
                    continue;
                }
                let mut p = Probe::new(*c, rs.addr, rs.port, vs.protocol);
                p.script_user = script_user;
                if let Check::File { track_file } = c.check {
                    p.track_file = track_files
                        .iter()
                        .find(|t| t.name == track_file)
                        .copied();
                }
                let sub = Subscriber {
                    vs: vi,
                    rs: ri,
                    checker: ci,
                    weight: rs.weight,
                };
                // Debug output covers every field of the check; the
                // label keeps the log name right for each probe.
                let key = format!("{:?}|{}|{}", c, p.target, p.label);
                match index.get(&key) {
                    Some(&i) => probes[i].subscribers.push(sub),
                    None => {
                        p.subscribers.push(sub);
                        index.insert(key, probes.len());
                        probes.push(p);
                    }
                }
            }
        }
    }
    probes
}
