//! Tracked objects: `vrrp_script`, `track_file`, `vrrp_track_process`,
//! `bfd_instance`. Instances and sync groups refer to them by name.

use std::net::IpAddr;

use super::value::{Command, Micros, RunAs, Sp};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trackers {
    pub vrrp_scripts: Vec<VrrpScript>,
    pub track_files: Vec<TrackFile>,
    pub track_processes: Vec<TrackProcess>,
    pub bfd_instances: Vec<BfdInstance>,
}

/// `weight N [reverse]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Weight {
    pub value: i64,
    pub reverse: bool,
}

impl std::fmt::Display for Weight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.value)?;
        if self.reverse {
            f.write_str(" reverse")?;
        }
        Ok(())
    }
}

/// `vrrp_script NAME { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct VrrpScript {
    pub name: Sp<String>,
    /// Required; `None` only after an error was reported.
    pub script: Option<Sp<Command>>,
    pub interval: Option<Sp<Micros>>,
    pub timeout: Option<Sp<Micros>>,
    pub weight: Option<Sp<Weight>>,
    pub rise: Option<Sp<u64>>,
    pub fall: Option<Sp<u64>>,
    pub user: Option<Sp<RunAs>>,
    pub init_fail: Option<Sp<()>>,
}

impl VrrpScript {
    pub fn new(name: Sp<String>) -> Self {
        VrrpScript {
            name,
            script: None,
            interval: None,
            timeout: None,
            weight: None,
            rise: None,
            fall: None,
            user: None,
            init_fail: None,
        }
    }

    /// keepalived's default interval: 1 s.
    pub fn interval_or_default(&self) -> Micros {
        self.interval
            .as_ref()
            .map_or(Micros::from_secs(1), |i| i.value)
    }
}

/// `track_file NAME { ... }` (`vrrp_track_file` is a deprecated synonym).
#[derive(Clone, Debug, PartialEq)]
pub struct TrackFile {
    pub name: Sp<String>,
    /// Required; `None` only after an error was reported.
    pub file: Option<Sp<String>>,
    pub weight: Option<Sp<Weight>>,
    pub init_file: Option<Sp<InitFile>>,
}

/// `init_file [VALUE] [overwrite]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InitFile {
    pub value: Option<i64>,
    pub overwrite: bool,
}

/// `param_match initial|partial` (bare: exact).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamMatch {
    Exact,
    Initial,
    Partial,
}

/// `vrrp_track_process NAME { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackProcess {
    pub name: Sp<String>,
    /// `process NAME [PARAMS...]`: the process name and the parameters
    /// its command line must carry. Required.
    pub process: Option<Sp<Vec<String>>>,
    pub param_match: Option<Sp<ParamMatch>>,
    pub weight: Option<Sp<Weight>>,
    pub quorum: Option<Sp<u64>>,
    pub quorum_max: Option<Sp<u64>>,
    pub fork_delay: Option<Sp<Micros>>,
    pub terminate_delay: Option<Sp<Micros>>,
    /// `delay` sets both fork and terminate delays.
    pub delay: Option<Sp<Micros>>,
    pub full_command: Option<Sp<()>>,
}

/// `bfd_instance NAME { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct BfdInstance {
    pub name: Sp<String>,
    /// Required; `None` only after an error was reported.
    pub neighbor_ip: Option<Sp<IpAddr>>,
    pub source_ip: Option<Sp<IpAddr>>,
    /// Written in milliseconds with up to 3 decimals; kept in
    /// microseconds.
    pub min_rx: Option<Sp<u64>>,
    pub min_tx: Option<Sp<u64>>,
    pub idle_tx: Option<Sp<u64>>,
    pub multiplier: Option<Sp<u64>>,
    pub passive: Option<Sp<()>>,
    /// `ttl` (or its synonym `hoplimit`).
    pub ttl: Option<Sp<u64>>,
    pub max_hops: Option<Sp<i64>>,
    pub weight: Option<Sp<Weight>>,
    pub vrrp: Option<Sp<()>>,
    pub checker: Option<Sp<()>>,
}

impl BfdInstance {
    pub fn new(name: Sp<String>) -> Self {
        BfdInstance {
            name,
            neighbor_ip: None,
            source_ip: None,
            min_rx: None,
            min_tx: None,
            idle_tx: None,
            multiplier: None,
            passive: None,
            ttl: None,
            max_hops: None,
            weight: None,
            vrrp: None,
            checker: None,
        }
    }
}
