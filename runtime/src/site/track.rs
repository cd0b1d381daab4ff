//! Tracked objects defined at the top level: `vrrp_script`,
//! `vrrp_track_file`, `vrrp_track_process`.

use core::time::Duration;

use super::types::{Command, Interval, Weight};

/// `vrrp_script NAME { }` with keepalived's defaults applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VrrpScript {
    pub name: &'static str,
    pub command: Command,
    /// `interval` (default 1 s).
    pub interval: Interval,
    /// `timeout` (default: the interval).
    pub timeout: Duration,
    pub weight: Weight,
    pub reverse: bool,
    /// `rise` / `fall` (default 1).
    pub rise: u32,
    pub fall: u32,
    /// `init_fail`: start failed rather than succeeded.
    pub init_fail: bool,
}

/// `vrrp_track_file NAME { }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrackFile {
    pub name: &'static str,
    pub path: &'static str,
    pub weight: Weight,
    pub reverse: bool,
    /// `init_file [VALUE] [overwrite]`: create the file with this value.
    pub init_value: Option<i64>,
    pub init_overwrite: bool,
}

/// How `process NAME PARAMS...` matches a command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamMatch {
    Exact,
    Initial,
    Partial,
}

/// `vrrp_track_process NAME { }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrackProcess {
    pub name: &'static str,
    /// The process name, then the parameters its command line must carry.
    pub process: &'static [&'static str],
    pub param_match: ParamMatch,
    pub weight: Weight,
    pub reverse: bool,
    /// `quorum` (default 1) and `quorum_max`.
    pub quorum: u32,
    pub quorum_max: Option<u32>,
    pub fork_delay: Option<Duration>,
    pub terminate_delay: Option<Duration>,
    pub full_command: bool,
}
