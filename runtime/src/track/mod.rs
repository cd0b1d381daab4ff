//! Trackers that move an instance's effective priority: scripts, files
//! and processes, run off the VRRP thread.
//!
//! ```text
//!  site.scripts        one thread each ("kac-script"): run, rise/fall
//!  site.track_files    one thread ("kac-trackfile"): inotify
//!  site.track_processes one thread ("kac-trackproc"): proc connector,
//!                      /proc polling where it is unavailable
//!          │ transitions only
//!          ▼
//!  SyncSender<TrackEvent> ──▶ VRRP engine: TrackerStates::apply, then
//!                             effective() for the instances concerned
//! ```
//!
//! A hung script holds only its own thread, and is killed with its whole
//! process group at its timeout.
//!
//! Wiring into an engine:
//! ```text
//! let runner = script::Runner::new(&site.global)?;
//! let (tx, rx) = std::sync::mpsc::sync_channel(64);
//! let (trackers, mut states) = Trackers::start(site, &runner, tx)?;
//! // at start and after every TrackEvent (states.apply(&ev)) or link
//! // change, for each instance i:
//! let e = track::effective(site, i, &states, |ifname| link_up(ifname));
//! // e.fault -> FAULT; e.init -> FAULT without notifies (unweighted
//! // script not run yet); else e.priority is the priority to advertise.
//! ```

pub mod effective;
pub mod file;
pub mod process;
pub mod script;
mod stop;

use std::io;
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub use effective::{effective, Effective, ScriptState, TrackerStates};
pub use stop::Stop;

use crate::script::Runner;
use crate::site::Site;

/// A tracked object changed state. Indices are into the site's tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackEvent {
    /// `site.scripts[index]` passed (`ok`) or failed, after rise/fall.
    Script { index: usize, ok: bool },
    /// `site.scripts[index]` cannot run and is dropped from tracking.
    ScriptDisabled { index: usize },
    /// `site.track_files[index]` now holds `value` (0: missing/empty).
    File { index: usize, value: i64 },
    /// `site.track_processes[index]` gained (`ok`) or lost its quorum.
    Process { index: usize, ok: bool },
}

/// The running tracker threads. Dropping it stops them.
pub struct Trackers {
    stop: Arc<Stop>,
    threads: Vec<JoinHandle<()>>,
}

impl Trackers {
    /// Start every tracker the site defines, and return the state at
    /// start: track files read (after `init_file`), processes counted,
    /// scripts not yet run (`Init`, or `Failed` with `init_fail`), as
    /// keepalived's `initialise_tracking_priorities` sees them. Events
    /// then report changes only. A script that cannot run (missing, not
    /// executable, refused by `enable_script_security`) is reported once
    /// as [`TrackEvent::ScriptDisabled`], as keepalived disables it.
    pub fn start(
        site: &'static Site,
        runner: &Runner,
        tx: SyncSender<TrackEvent>,
    ) -> io::Result<(Trackers, TrackerStates)> {
        let mut states = TrackerStates::initial(site);
        let stop = Arc::new(Stop::default());
        let mut threads = Vec::new();
        for (index, s) in site.scripts.iter().enumerate() {
            threads.push(script::spawn(
                index,
                s,
                runner,
                tx.clone(),
                stop.clone(),
            )?);
        }
        if !site.track_files.is_empty() {
            let (t, values) =
                file::spawn(site.track_files, tx.clone(), stop.clone())?;
            threads.push(t);
            states.files = values;
        }
        if !site.track_processes.is_empty() {
            let (t, quorums) = process::spawn(
                site.track_processes,
                process::Options::default(),
                tx,
                stop.clone(),
            )?;
            threads.push(t);
            states.processes = quorums;
        }
        Ok((Trackers { stop, threads }, states))
    }

    /// Stop every tracker thread and wait for them (a running script is
    /// killed with its process group).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.set();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Send `ev`, waiting while the channel is full, but giving up when
/// stopped (so a consumer that stopped reading cannot hang a stop) or
/// disconnected. False: the tracker should end.
pub(crate) fn send(
    tx: &SyncSender<TrackEvent>,
    ev: TrackEvent,
    stop: &Stop,
) -> bool {
    let mut ev = ev;
    loop {
        match tx.try_send(ev) {
            Ok(()) => return true,
            Err(TrySendError::Disconnected(_)) => return false,
            Err(TrySendError::Full(back)) => {
                ev = back;
                if stop.sleep(Duration::from_millis(5)) {
                    return false;
                }
            }
        }
    }
}

impl Drop for Trackers {
    fn drop(&mut self) {
        self.shutdown();
    }
}
