//! The VRRP state machine of one instance, sans IO: a function of
//! (state, input, now) that returns actions and the next deadline. No
//! sockets, no clock, no allocation (actions go into a fixed-capacity
//! list). The transition table is written down in
//! `docs/vrrp-transitions.md`; `tests/vrrp_transitions.rs` checks this
//! code against it row by row.
//!
//! Timing is keepalived's (RFC 5798 §6.1, with RFC 3768's whole-second
//! skew in version 2):
//! - `skew = (256 - priority) * master_adver_int / 256` (v3) or
//!   `(256 - priority) / 256 s` (v2);
//! - `master_down = down_timer_adverts * master_adver_int + skew`, where
//!   a v3 backup learns `master_adver_int` from the master's adverts.
//!
//! Protection against timer degradation: an advert carries the time it
//! was *received* (the kernel's timestamp), and a backup's master-down
//! deadline counts from that, not from when it was processed. The IO
//! layer hands over every queued packet before it reports a timeout, so
//! a backup that was stalled while adverts queued up sees them first and
//! stays backup. And a master-down timer that fires late (by more than
//! a quarter of the master's interval: the process or the whole machine
//! was not running) does not take over at once: it gives the master one
//! more interval to be heard, since its adverts may still be on their
//! way in (after a VM pause the hypervisor delivers them after the guest
//! runs again). A late timer never makes a live master look dead; the
//! price is one interval more failover time when timers are already late.

use core::net::IpAddr;
use core::time::Duration;

use heapless::Vec;

use crate::site::VrrpVersion;
use crate::time::{centis, Instant};

/// The states of RFC 5798 §6.4 plus keepalived's Fault and a final
/// Stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    Init,
    Backup,
    Master,
    /// An interface or a tracked object the instance depends on is down.
    Fault,
    /// After [`Input::Stop`].
    Stopped,
}

impl State {
    /// keepalived's name, as its logs print it.
    pub const fn name(self) -> &'static str {
        match self {
            State::Init => "INIT",
            State::Backup => "BACKUP",
            State::Master => "MASTER",
            State::Fault => "FAULT",
            State::Stopped => "STOP",
        }
    }
}

/// What an instance is configured with, resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    pub version: VrrpVersion,
    /// The configured priority, 1..=255 (255: address owner).
    pub priority: u8,
    /// `advert_int` in centiseconds.
    pub advert_int: u16,
    pub preempt: bool,
    /// `preempt_delay` (zero: none). It runs from start-up, and from the
    /// first lower-priority advert seen.
    pub preempt_delay: Duration,
    /// `state MASTER` was configured.
    pub start_master: bool,
    /// The address adverts are sent from; equal priorities are broken
    /// by comparing it (higher wins).
    pub primary: IpAddr,
    /// keepalived's `down_timer_adverts` (3 by RFC).
    pub down_timer_adverts: u32,
    /// As master, do not answer a lower-priority advert.
    pub lower_prio_no_advert: bool,
    /// As master, send one last advert before yielding to a higher one.
    pub higher_prio_send_advert: bool,
}

/// A valid advert for this instance (checked by the receive path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Advert {
    /// The sender (IP source address).
    pub from: IpAddr,
    pub priority: u8,
    /// Its advertisement interval, centiseconds.
    pub interval: u16,
    /// When the kernel received it.
    pub at: Instant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// Leave Init.
    Start,
    /// Leave Init in the state a previous process of this router had
    /// (SIGHUP re-exec of an upgraded binary): a master stays master
    /// without re-adding its addresses or announcing them, and sends its
    /// next advert at once; no election happens.
    Resume(State),
    Advert(Advert),
    /// The deadline the machine last returned may have passed.
    Timeout,
    /// Something the instance depends on went down.
    Fault,
    /// Everything it depends on is up again.
    FaultCleared,
    /// Trackers changed the effective priority.
    Priority(u8),
    /// Another member of this instance's sync group became master
    /// (`Sync(Master)`) or left master for backup (`Sync(Backup)`): follow
    /// it. A follower leaving master resigns with priority 0, so its peer
    /// takes over after the skew instead of the whole master-down time.
    Sync(State),
    /// Shut down.
    Stop,
}

/// Why the state changed (for logs and notify).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    Startup,
    /// The master-down timer expired.
    MasterDown,
    /// An advert with higher priority (or equal, from a higher address).
    HigherPriority,
    Fault,
    FaultCleared,
    Stop,
    /// Taken over from the previous process.
    Resumed,
    /// Following another member of the sync group.
    Sync,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Transition {
        from: State,
        to: State,
        reason: Reason,
    },
    /// Send an advert with this priority (0: resign).
    SendAdvert { priority: u8 },
    /// Add the virtual addresses, routes and rules.
    AddAddresses,
    /// Remove them.
    RemoveAddresses,
    /// Start the gratuitous ARP / NA sequence of a new master.
    Announce,
    /// A lower-priority router advertised: repeat the announcements
    /// (`garp_lower_prio_*`) and run `notify_master_rx_lower_pri`.
    LowerPriorityMaster { from: IpAddr },
}

/// At most this many actions come out of one step.
pub const MAX_ACTIONS: usize = 6;

/// The result of a step.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Output {
    pub actions: Vec<Action, MAX_ACTIONS>,
    /// When to call again with [`Input::Timeout`].
    pub deadline: Option<Instant>,
}

impl Output {
    fn push(&mut self, a: Action) {
        // MAX_ACTIONS is above the longest sequence any transition
        // produces (tested), so this never drops.
        let _ = self.actions.push(a);
    }
}

/// One instance's machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Machine {
    params: Params,
    state: State,
    /// The effective priority (configured, moved by trackers).
    priority: u8,
    /// The master's advert interval (v3: learnt), centiseconds.
    master_adver_int: u16,
    deadline: Option<Instant>,
    /// Preemption is held off until then (`preempt_delay`).
    preempt_after: Option<Instant>,
}

impl Machine {
    pub fn new(params: Params) -> Machine {
        Machine {
            params,
            state: State::Init,
            priority: params.priority,
            master_adver_int: params.advert_int,
            deadline: None,
            preempt_after: None,
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn priority(&self) -> u8 {
        self.priority
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The master's advert interval as this instance knows it.
    pub fn master_adver_int(&self) -> u16 {
        self.master_adver_int
    }

    fn skew(&self) -> Duration {
        let p = u64::from(256 - u32::from(self.priority.max(1)));
        match self.params.version {
            VrrpVersion::V2 => Duration::from_micros(p * 1_000_000 / 256),
            VrrpVersion::V3 => Duration::from_micros(
                p * u64::from(self.master_adver_int) * 10_000 / 256,
            ),
        }
    }

    /// `down_timer_adverts × master_adver_int + skew`.
    pub fn master_down_interval(&self) -> Duration {
        centis(u32::from(self.master_adver_int))
            * self.params.down_timer_adverts
            + self.skew()
    }

    /// Whether the deadline passed long enough ago that this process
    /// (or machine) was evidently not running when it should have been.
    fn is_late(&self, now: Instant) -> bool {
        let grace = centis(u32::from(self.master_adver_int)) / 4;
        self.deadline.is_some_and(|d| now.since(d) > grace)
    }

    fn adver_int(&self) -> Duration {
        centis(u32::from(self.params.advert_int))
    }

    fn go(&mut self, to: State, reason: Reason, out: &mut Output) {
        let from = self.state;
        self.state = to;
        out.push(Action::Transition { from, to, reason });
    }

    fn become_master(
        &mut self,
        now: Instant,
        reason: Reason,
        out: &mut Output,
    ) {
        self.go(State::Master, reason, out);
        out.push(Action::AddAddresses);
        out.push(Action::SendAdvert {
            priority: self.priority,
        });
        out.push(Action::Announce);
        self.master_adver_int = self.params.advert_int;
        self.deadline = Some(now + self.adver_int());
    }

    fn become_backup(
        &mut self,
        now: Instant,
        reason: Reason,
        out: &mut Output,
    ) {
        self.go(State::Backup, reason, out);
        self.deadline = Some(now + self.master_down_interval());
    }

    /// Gives up mastership: a priority-0 advert so the backup takes over
    /// after its skew time, and the addresses go.
    fn resign(&mut self, out: &mut Output) {
        if self.state == State::Master {
            out.push(Action::SendAdvert { priority: 0 });
            out.push(Action::RemoveAddresses);
        }
    }

    /// Feeds one input at `now`.
    pub fn step(&mut self, input: Input, now: Instant) -> Output {
        let mut out = Output::default();
        match (self.state, input) {
            (State::Stopped, _) => {}
            (_, Input::Stop) => {
                self.resign(&mut out);
                self.go(State::Stopped, Reason::Stop, &mut out);
                self.deadline = None;
            }
            (State::Init, Input::Start) => self.start(now, &mut out),
            (State::Init, Input::Resume(State::Master)) => {
                self.go(State::Master, Reason::Resumed, &mut out);
                out.push(Action::SendAdvert {
                    priority: self.priority,
                });
                self.deadline = Some(now + self.adver_int());
            }
            (State::Init, Input::Resume(State::Backup)) => {
                self.become_backup(now, Reason::Resumed, &mut out);
            }
            // Anything else resumes as a fresh start.
            (State::Init, Input::Resume(_)) => self.start(now, &mut out),
            (State::Fault, Input::Fault) => {}
            (_, Input::Fault) => {
                self.resign(&mut out);
                self.go(State::Fault, Reason::Fault, &mut out);
                self.deadline = None;
            }
            (State::Fault, Input::FaultCleared) => {
                if self.priority == 255 {
                    self.become_master(now, Reason::FaultCleared, &mut out);
                } else {
                    self.become_backup(now, Reason::FaultCleared, &mut out);
                }
            }
            (_, Input::Priority(p)) => self.priority = p,
            (State::Backup, Input::Sync(State::Master)) => {
                self.become_master(now, Reason::Sync, &mut out);
            }
            (State::Master, Input::Sync(State::Backup)) => {
                self.resign(&mut out);
                self.become_backup(now, Reason::Sync, &mut out);
            }
            (State::Backup, Input::Advert(a)) => self.backup_rx(a, &mut out),
            (State::Master, Input::Advert(a)) => {
                self.master_rx(a, now, &mut out)
            }
            (State::Backup, Input::Timeout)
                if self.deadline.is_some_and(|d| d <= now) =>
            {
                if self.is_late(now) {
                    self.deadline =
                        Some(now + centis(u32::from(self.master_adver_int)));
                } else {
                    self.become_master(now, Reason::MasterDown, &mut out);
                }
            }
            (State::Master, Input::Timeout)
                if self.deadline.is_some_and(|d| d <= now) =>
            {
                out.push(Action::SendAdvert {
                    priority: self.priority,
                });
                // From the deadline, not from the (slightly late) wake-up:
                // lateness must not add up advert after advert. After a
                // stall longer than an interval, start afresh from now.
                let due = self.deadline.unwrap_or(now);
                let next = due + self.adver_int();
                self.deadline = Some(if next > now {
                    next
                } else {
                    now + self.adver_int()
                });
            }
            // Adverts in Init/Fault, Start after Init, FaultCleared
            // outside Fault, Timeout without a timer: nothing to do.
            _ => {}
        }
        out.deadline = self.deadline;
        out
    }

    fn start(&mut self, now: Instant, out: &mut Output) {
        if !self.params.preempt_delay.is_zero() {
            self.preempt_after = Some(now + self.params.preempt_delay);
        }
        if self.priority == 255 {
            self.become_master(now, Reason::Startup, out);
        } else if self.params.start_master {
            // keepalived's `state MASTER` below 255: take over after one
            // interval (plus the smallest skew) unless a master speaks.
            self.go(State::Backup, Reason::Startup, out);
            let min_skew = match self.params.version {
                VrrpVersion::V2 => Duration::from_micros(1_000_000 / 256),
                VrrpVersion::V3 => Duration::from_micros(
                    u64::from(self.params.advert_int) * 10_000 / 256,
                ),
            };
            self.deadline = Some(now + self.adver_int() + min_skew);
        } else {
            self.become_backup(now, Reason::Startup, out);
        }
    }

    fn backup_rx(&mut self, a: Advert, _out: &mut Output) {
        if a.priority == 0 {
            // The master resigned: take over after the skew only.
            self.deadline = Some(a.at + self.skew());
            return;
        }
        let lower = a.priority < self.priority;
        if lower && self.params.preempt {
            match self.preempt_after {
                // preempt_delay: hold off from the first lower advert.
                None if !self.params.preempt_delay.is_zero() => {
                    self.preempt_after = Some(a.at + self.params.preempt_delay);
                }
                _ => {}
            }
            let held = self.preempt_after.is_some_and(|t| a.at < t);
            if !held {
                // Discard: the master-down timer keeps running and this
                // router takes over when it expires.
                return;
            }
        } else if !lower {
            self.preempt_after = None;
        }
        if self.params.version == VrrpVersion::V3 {
            self.master_adver_int = a.interval.max(1);
        }
        self.deadline = Some(a.at + self.master_down_interval());
    }

    fn master_rx(&mut self, a: Advert, now: Instant, out: &mut Output) {
        if a.priority == 0 {
            out.push(Action::SendAdvert {
                priority: self.priority,
            });
            out.push(Action::LowerPriorityMaster { from: a.from });
            self.deadline = Some(now + self.adver_int());
            return;
        }
        let higher = a.priority > self.priority
            || (a.priority == self.priority
                && addr_key(a.from) > addr_key(self.params.primary));
        if higher {
            if self.params.higher_prio_send_advert {
                out.push(Action::SendAdvert {
                    priority: self.priority,
                });
            }
            out.push(Action::RemoveAddresses);
            self.go(State::Backup, Reason::HigherPriority, out);
            if self.params.version == VrrpVersion::V3 {
                self.master_adver_int = a.interval.max(1);
            }
            self.deadline = Some(a.at + self.master_down_interval());
        } else if !self.params.lower_prio_no_advert {
            // Answer at once to force the election (RFC 5798 §6.4.3
            // says discard; keepalived answers so the other side learns
            // quickly that a higher-priority master is present).
            out.push(Action::SendAdvert {
                priority: self.priority,
            });
            out.push(Action::LowerPriorityMaster { from: a.from });
            self.deadline = Some(now + self.adver_int());
        }
    }
}

/// Addresses compare in network byte order (RFC 5798 §6.4.3).
fn addr_key(a: IpAddr) -> [u8; 16] {
    match a {
        IpAddr::V4(v) => {
            let mut k = [0u8; 16];
            k[12..].copy_from_slice(&v.octets());
            k
        }
        IpAddr::V6(v) => v.octets(),
    }
}
