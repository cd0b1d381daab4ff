//! `vrrp_script`: run every `interval`, kill at `timeout`, debounce with
//! `rise`/`fall` exactly as keepalived's `vrrp_script_child_thread`
//! (vrrp_scheduler.c 1350-1380, vrrp_track.h 51-55).

use std::io;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use super::{Stop, TrackEvent};
use crate::script::{wait_or_cancel, Outcome, Runner};
use crate::site::track::VrrpScript;

/// keepalived's `result` counter: 0..rise-1 is down, rise..rise+fall-1
/// is up. Starts at rise-1 ("one success is enough") with the first
/// result always reported, or at 0 (failed, already reported) with
/// `init_fail`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counter {
    rise: i64,
    fall: i64,
    result: i64,
    init: bool,
}

impl Counter {
    pub fn new(rise: u32, fall: u32, init_fail: bool) -> Counter {
        let rise = i64::from(rise.max(1));
        let fall = i64::from(fall.max(1));
        Counter {
            rise,
            fall,
            result: if init_fail { 0 } else { rise - 1 },
            init: !init_fail,
        }
    }

    /// Feed one run's success; `Some(ok)` when the state changes (and,
    /// for the first run, always).
    pub fn feed(&mut self, success: bool) -> Option<bool> {
        let (rise, fall) = (self.rise, self.fall);
        let mut changed = None;
        if success {
            if self.result < rise - 1 {
                self.result += 1;
            } else if self.result != rise + fall - 1 {
                if self.result < rise {
                    changed = Some(true);
                }
                self.result = rise + fall - 1;
            }
        } else if self.result > rise {
            self.result -= 1;
        } else {
            if self.result == rise || self.init {
                changed = Some(false);
            }
            self.result = 0;
        }
        self.init = false;
        changed
    }

    pub fn is_up(&self) -> bool {
        self.result >= self.rise
    }
}

/// Start the thread for `site.scripts[index]`.
pub fn spawn(
    index: usize,
    s: &'static VrrpScript,
    runner: &Runner,
    tx: SyncSender<TrackEvent>,
    stop: Arc<Stop>,
) -> io::Result<JoinHandle<()>> {
    let prepared = runner.prepare(&s.command);
    std::thread::Builder::new()
        .name("kac-script".into())
        .spawn(move || {
            let prepared = match prepared {
                Ok(p) => p,
                Err(e) => {
                    log::error!("Disabling track script {}: {e}", s.name);
                    super::send(
                        &tx,
                        TrackEvent::ScriptDisabled { index },
                        &stop,
                    );
                    return;
                }
            };
            let mut counter = Counter::new(s.rise, s.fall, s.init_fail);
            let interval = s.interval.get();
            let mut next = Instant::now();
            let mut last_status: Option<Outcome> = None;
            loop {
                if stop.sleep_until(next) {
                    return;
                }
                let started = Instant::now();
                let outcome = match prepared.spawn(&[]) {
                    Ok(mut child) => {
                        wait_or_cancel(&mut child, s.timeout, &|| stop.is_set())
                    }
                    Err(e) => {
                        log::warn!("VRRP_Script({}) cannot start: {e}", s.name);
                        Outcome::Exited(127)
                    }
                };
                if stop.is_set() {
                    return;
                }
                if let Outcome::Exited(c) = outcome {
                    if last_status != Some(outcome) {
                        log::info!("Script `{}` now returning {c}", s.name);
                    }
                }
                last_status = Some(outcome);
                if let Some(ok) = counter.feed(outcome.ok()) {
                    log_change(s.name, ok, outcome);
                    if !super::send(
                        &tx,
                        TrackEvent::Script { index, ok },
                        &stop,
                    ) {
                        return;
                    }
                }
                // The next run is due an interval after this one started;
                // ticks that fell inside an overlong run are skipped, as
                // keepalived skips a run while the script is still busy.
                next = started + interval;
                let now = Instant::now();
                while next <= now {
                    next += interval;
                }
            }
        })
}

fn log_change(name: &str, ok: bool, o: Outcome) {
    match (ok, o) {
        (true, _) => log::info!("VRRP_Script({name}) succeeded"),
        (false, Outcome::TimedOut) => {
            log::info!("VRRP_Script({name}) timed_out")
        }
        (false, Outcome::Exited(c)) => {
            log::info!("VRRP_Script({name}) failed (exited with status {c})")
        }
        (false, Outcome::Signaled(s)) => {
            log::info!("VRRP_Script({name}) failed (due to signal {s})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(c: &mut Counter, seq: &str) -> Vec<Option<bool>> {
        seq.chars().map(|ch| c.feed(ch == '+')).collect()
    }

    #[test]
    fn first_result_is_reported_whatever_rise_and_fall() {
        // vrrp_init_script: result = rise - 1, "one success is enough".
        let mut c = Counter::new(3, 3, false);
        assert_eq!(run(&mut c, "+"), [Some(true)]);
        let mut c = Counter::new(3, 3, false);
        assert_eq!(run(&mut c, "-"), [Some(false)]);
    }

    #[test]
    fn fall_failures_to_go_down_rise_successes_to_come_back() {
        let mut c = Counter::new(2, 3, false);
        assert_eq!(
            run(&mut c, "+--+---++"),
            [
                Some(true),
                None,
                None,
                None, // a success resets the fall count
                None,
                None,
                Some(false), // third failure in a row
                None,
                Some(true), // second success in a row
            ]
        );
    }

    #[test]
    fn a_failure_while_rising_starts_again() {
        let mut c = Counter::new(3, 1, false);
        assert_eq!(
            run(&mut c, "-++-+++"),
            [Some(false), None, None, None, None, None, Some(true)]
        );
    }

    #[test]
    fn init_fail_starts_down_and_needs_rise_successes() {
        // vrrp_init_script: SCRIPT_INIT_STATE_FAILED sets result 0; the
        // failed state was already applied at start, so a failure is not
        // a change.
        let mut c = Counter::new(2, 1, true);
        assert!(!c.is_up());
        assert_eq!(run(&mut c, "-++"), [None, None, Some(true)]);
    }
}
