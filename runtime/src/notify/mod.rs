//! Notifications of state changes: scripts and FIFOs, keepalived's way
//! (vrrp/vrrp_notify.c, lib/notify.c).
//!
//! [`Notifier::notify`] only queues: a worker thread writes the FIFO
//! lines and starts the scripts, so the VRRP thread never waits on a
//! script or a full FIFO. For each state change of an instance or sync
//! group:
//! * a line on `notify_fifo` and `vrrp_notify_fifo`:
//!   `INSTANCE "VI_1" MASTER 100` / `GROUP "VG_1" BACKUP 0`;
//! * the state's own script (`notify_master`, `notify_backup`,
//!   `notify_fault`, `notify_stop`) with its configured words only;
//! * then the generic `notify` script with four more words: `INSTANCE` or
//!   `GROUP`, the name, the state word, the priority (0 for a group).
//!
//! Scripts of one object run one after the other, in the order of the
//! changes (keepalived starts them without waiting, so a slow
//! `notify_master` can still be running when `notify_backup` starts; we
//! keep the order, waiting at most [`ORDER_WAIT`] for the previous one).
//! STOP scripts are killed 1 s after they start, as keepalived's
//! `child_killed_thread` does at shutdown.

pub mod fifo;

use std::collections::VecDeque;
use std::io;
use std::process::Child;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use crate::script::{Prepared, Runner};
use crate::site::vrrp::Notify;
use crate::site::{Command, Site};

pub use fifo::Fifo;

/// How long the next script of an object waits for the previous one.
pub const ORDER_WAIT: Duration = Duration::from_secs(10);

/// How long a STOP script may run (keepalived: TIMER_HZ, 1 s).
pub const STOP_SCRIPT_LIMIT: Duration = Duration::from_secs(1);

/// The state words keepalived writes and passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Master,
    Backup,
    Fault,
    Stop,
    Deleted,
}

impl State {
    /// The state as notified: keepalived reports an instance deleted on
    /// reload as FAULT unless `notify_deleted` is set
    /// (vrrp_notify.c `send_instance_notifies`), and the tables carry no
    /// `notify_deleted`.
    pub fn notified(self) -> State {
        match self {
            State::Deleted => State::Fault,
            s => s,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            State::Master => "MASTER",
            State::Backup => "BACKUP",
            State::Fault => "FAULT",
            State::Stop => "STOP",
            State::Deleted => "DELETED",
        }
    }
}

/// FIFO-only instance events (no state change).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstanceEvent {
    /// A master received a lower-priority advert (also runs
    /// `notify_master_rx_lower_pri`, without extra words).
    MasterRxLowerPri,
    /// `notify_priority_changes`: the effective priority changed.
    MasterPriority,
    BackupPriority,
}

impl InstanceEvent {
    pub fn word(self) -> &'static str {
        match self {
            InstanceEvent::MasterRxLowerPri => "MASTER_RX_LOWER_PRI",
            InstanceEvent::MasterPriority => "MASTER_PRIORITY",
            InstanceEvent::BackupPriority => "BACKUP_PRIORITY",
        }
    }
}

/// What to notify. Indices are into `site.instances` / `site.sync_groups`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Instance {
        index: usize,
        state: State,
        priority: u8,
    },
    Group {
        index: usize,
        state: State,
    },
    InstanceEvent {
        index: usize,
        event: InstanceEvent,
        priority: u8,
    },
}

/// Open the VRRP notify FIFOs `global` names (`notify_fifo`, then
/// `vrrp_notify_fifo`), each with its script when one is given (the
/// tables do not carry `*_fifo_script` yet). Failures are logged and the
/// FIFO left out, as keepalived does.
pub fn open_fifos(
    global: &crate::site::Global,
    runner: &Runner,
    scripts: [Option<&Command>; 2],
) -> Vec<Fifo> {
    let mut out = Vec::new();
    for (path, script) in [global.notify_fifo, global.vrrp_notify_fifo]
        .into_iter()
        .zip(scripts)
    {
        let Some(path) = path else { continue };
        match Fifo::open(path, script, runner) {
            Ok(f) => out.push(f),
            Err(e) => log::error!("{e}"),
        }
    }
    out
}

/// The FIFO line keepalived writes for an event (vrrp_notify.c
/// `notify_fifo`): `TYPE "NAME" WORD PRIORITY\n`.
pub fn fifo_line(site: &Site, ev: &Event) -> Option<String> {
    let (ty, name, word, prio) = match *ev {
        Event::Instance {
            index,
            state,
            priority,
        } => (
            "INSTANCE",
            site.instances.get(index)?.name,
            state.notified().word(),
            priority,
        ),
        Event::Group { index, state } => (
            "GROUP",
            site.sync_groups.get(index)?.name,
            state.notified().word(),
            0,
        ),
        Event::InstanceEvent {
            index,
            event,
            priority,
        } => (
            "INSTANCE",
            site.instances.get(index)?.name,
            event.word(),
            priority,
        ),
    };
    Some(format!("{ty} \"{name}\" {word} {prio}\n"))
}

/// The commands an event runs, in order, with the words each gets
/// appended.
pub fn commands(site: &Site, ev: &Event) -> Vec<(Command, Vec<String>)> {
    let (ty, name, notify, state, prio): (_, _, &Notify, _, u8) = match *ev {
        Event::Instance {
            index,
            state,
            priority,
        } => match site.instances.get(index) {
            Some(i) => ("INSTANCE", i.name, &i.notify, state, priority),
            None => return Vec::new(),
        },
        Event::Group { index, state } => match site.sync_groups.get(index) {
            Some(g) => ("GROUP", g.name, &g.notify, state, 0),
            None => return Vec::new(),
        },
        Event::InstanceEvent { index, event, .. } => {
            return match (event, site.instances.get(index)) {
                (InstanceEvent::MasterRxLowerPri, Some(i)) => i
                    .notify
                    .master_rx_lower_pri
                    .map(|c| vec![(c, Vec::new())])
                    .unwrap_or_default(),
                _ => Vec::new(),
            }
        }
    };
    let state = state.notified();
    let own = match state {
        State::Master => notify.master,
        State::Backup => notify.backup,
        State::Fault | State::Deleted => notify.fault,
        State::Stop => notify.stop,
    };
    let mut out = Vec::new();
    if let Some(c) = own {
        out.push((c, Vec::new()));
    }
    if let Some(c) = notify.notify {
        let words = vec![
            ty.to_string(),
            name.to_string(),
            state.word().to_string(),
            prio.to_string(),
        ];
        out.push((c, words));
    }
    out
}

/// Which object an event belongs to (for ordering).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Instance(usize),
    Group(usize),
}

enum Msg {
    Event(Event),
    /// Finish what is queued, then exit.
    Stop,
}

/// Queues notifications to a worker thread.
pub struct Notifier {
    tx: Sender<Msg>,
    worker: Option<JoinHandle<()>>,
}

impl Notifier {
    /// Start the worker. `fifos` are the open notify FIFOs
    /// (`notify_fifo`, `vrrp_notify_fifo`): see [`Fifo::open`].
    pub fn start(
        site: &'static Site,
        runner: Runner,
        fifos: Vec<Fifo>,
    ) -> io::Result<Notifier> {
        let (tx, rx) = channel();
        let worker = std::thread::Builder::new()
            .name("kac-notify".into())
            .spawn(move || Worker::new(site, runner, fifos).run(rx))?;
        Ok(Notifier {
            tx,
            worker: Some(worker),
        })
    }

    /// Queue `ev`; never blocks.
    pub fn notify(&self, ev: Event) {
        if self.tx.send(Msg::Event(ev)).is_err() {
            log::error!("notify worker gone; dropped {ev:?}");
        }
    }

    /// Run what is queued (STOP scripts included, each for at most
    /// [`STOP_SCRIPT_LIMIT`]), wait up to `grace` for scripts still
    /// running, then return. FIFOs kacd created are removed.
    pub fn stop(mut self, grace: Duration) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(w) = self.worker.take() {
            let deadline = Instant::now() + grace;
            while !w.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if w.is_finished() {
                let _ = w.join();
            }
        }
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
    }
}

struct Running {
    child: Child,
    started: Instant,
    limit: Option<Duration>,
}

struct Lane {
    key: Key,
    queue: VecDeque<(Prepared, Vec<String>, Option<Duration>)>,
    running: Option<Running>,
}

struct Worker {
    site: &'static Site,
    runner: Runner,
    fifos: Vec<Fifo>,
    lanes: Vec<Lane>,
    /// Scripts we stopped waiting for (ORDER_WAIT), still reaped.
    detached: Vec<Running>,
}

impl Worker {
    fn new(site: &'static Site, runner: Runner, fifos: Vec<Fifo>) -> Worker {
        Worker {
            site,
            runner,
            fifos,
            lanes: Vec::new(),
            detached: Vec::new(),
        }
    }

    fn run(mut self, rx: Receiver<Msg>) {
        let mut stopping = false;
        loop {
            let busy = self.lanes.iter().any(|l| l.running.is_some())
                || !self.detached.is_empty();
            if stopping && !busy {
                break;
            }
            let msg = if busy || stopping {
                rx.recv_timeout(Duration::from_millis(5))
            } else {
                rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
            };
            match msg {
                Ok(Msg::Event(ev)) => self.handle(ev),
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => {
                    stopping = true
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            self.pump();
        }
        for f in self.fifos.drain(..) {
            f.close();
        }
    }

    fn handle(&mut self, ev: Event) {
        if let Some(line) = fifo_line(self.site, &ev) {
            for f in &mut self.fifos {
                f.write_line(&line);
            }
        }
        let key = match ev {
            Event::Instance { index, .. }
            | Event::InstanceEvent { index, .. } => Key::Instance(index),
            Event::Group { index, .. } => Key::Group(index),
        };
        let limit = match ev {
            Event::Instance {
                state: State::Stop, ..
            }
            | Event::Group {
                state: State::Stop, ..
            } => Some(STOP_SCRIPT_LIMIT),
            _ => None,
        };
        for (cmd, words) in commands(self.site, &ev) {
            let prepared = match self.runner.prepare(&cmd) {
                Ok(p) => p,
                Err(e) => {
                    log::error!("not running notify script: {e}");
                    continue;
                }
            };
            let lane = match self.lanes.iter().position(|l| l.key == key) {
                Some(i) => &mut self.lanes[i],
                None => {
                    self.lanes.push(Lane {
                        key,
                        queue: VecDeque::new(),
                        running: None,
                    });
                    let n = self.lanes.len() - 1;
                    &mut self.lanes[n]
                }
            };
            lane.queue.push_back((prepared, words, limit));
        }
    }

    /// Reap finished scripts, enforce limits, start the next of each lane.
    fn pump(&mut self) {
        let now = Instant::now();
        self.detached.retain_mut(|r| !reap(r, now));
        for lane in &mut self.lanes {
            if let Some(r) = &mut lane.running {
                if reap(r, now) {
                    lane.running = None;
                } else if now.duration_since(r.started) >= ORDER_WAIT
                    && !lane.queue.is_empty()
                {
                    if let Some(r) = lane.running.take() {
                        self.detached.push(r);
                    }
                }
            }
            if lane.running.is_some() {
                continue;
            }
            while let Some((p, words, limit)) = lane.queue.pop_front() {
                log::debug!("running notify {:?} {:?}", p.argv, words);
                match p.spawn(&words) {
                    Ok(child) => {
                        lane.running = Some(Running {
                            child,
                            started: Instant::now(),
                            limit,
                        });
                        break;
                    }
                    Err(e) => log::error!(
                        "Error exec-ing command '{}': {e}",
                        p.argv[0]
                    ),
                }
            }
        }
    }
}

/// True when `r` has finished (killing its group if over its limit).
fn reap(r: &mut Running, now: Instant) -> bool {
    match r.child.try_wait() {
        Ok(Some(_)) | Err(_) => true,
        Ok(None) => {
            if r.limit.is_some_and(|l| now.duration_since(r.started) >= l) {
                let _ =
                    killpg(Pid::from_raw(r.child.id() as i32), Signal::SIGKILL);
                let _ = r.child.wait();
                true
            } else {
                false
            }
        }
    }
}
