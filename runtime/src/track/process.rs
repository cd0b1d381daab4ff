//! `vrrp_track_process`: how many processes match a name (and
//! parameters), against `quorum`..=`quorum_max` (keepalived's
//! core/track_process.c).
//!
//! keepalived keeps a tree of pids fed by the kernel's proc connector
//! (fork/exec/comm/exit events). We count from /proc instead and use the
//! connector only to know *when* to count again: on an exec, comm change
//! or exit, a rescan a few milliseconds later; where the connector is
//! unavailable (no CAP_NET_ADMIN, or another network namespace's view),
//! /proc is polled every [`Options::poll`].
//!
//! Matching (read_procs / check_params): the name is compared with
//! `comm` (the 15-byte name in /proc/PID/stat; zombies skipped), or with
//! `argv[0]` under `full_command`. Parameters, NUL-joined with a final NUL,
//! are compared with the process's remaining argv bytes: `exact` whole,
//! `partial` as a prefix ending on a word boundary, `initial` as a prefix
//! where the last word may be cut short. Without parameters any process
//! of that name matches.

use std::io;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags};

use super::{Stop, TrackEvent};
use crate::site::track::{ParamMatch, TrackProcess};

/// How the process tracker learns about changes.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Use the proc connector when it is available.
    pub connector: bool,
    /// The /proc polling period without it.
    pub poll: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            connector: true,
            poll: Duration::from_secs(1),
        }
    }
}

/// One process as /proc shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proc {
    pub comm: String,
    /// The raw cmdline: argv words each followed by NUL.
    pub cmdline: Vec<u8>,
}

/// Whether `p` is a process `t` counts.
pub fn matches(t: &TrackProcess, p: &Proc) -> bool {
    let Some((&name, params)) = t.process.split_first() else {
        return false;
    };
    let argv0_end = p
        .cmdline
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(p.cmdline.len());
    let proc_name: &[u8] = if t.full_command {
        &p.cmdline[..argv0_end]
    } else {
        p.comm.as_bytes()
    };
    if proc_name != name.as_bytes() {
        return false;
    }
    if params.is_empty() {
        return true;
    }
    let have = p.cmdline.get(argv0_end + 1..).unwrap_or(&[]);
    let mut want = Vec::new();
    for w in params {
        want.extend_from_slice(w.as_bytes());
        want.push(0);
    }
    if have.len() < want.len() {
        return false;
    }
    match t.param_match {
        ParamMatch::Exact => have == want.as_slice(),
        ParamMatch::Partial => have.starts_with(&want),
        ParamMatch::Initial => have.starts_with(&want[..want.len() - 1]),
    }
}

/// Every live process in /proc (zombies left out).
pub fn scan(need_cmdline: bool) -> Vec<Proc> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for ent in dir.flatten() {
        let name = ent.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(stat) = std::fs::read(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some(open) = stat.iter().position(|&b| b == b'(') else {
            continue;
        };
        let Some(close) = stat.iter().rposition(|&b| b == b')') else {
            continue;
        };
        if stat.get(close + 2) == Some(&b'Z') || close < open {
            continue;
        }
        let comm = String::from_utf8_lossy(&stat[open + 1..close]).into_owned();
        let cmdline = if need_cmdline {
            std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default()
        } else {
            Vec::new()
        };
        out.push(Proc { comm, cmdline });
    }
    out
}

/// The number of processes each tracker counts.
pub fn count(tracks: &[TrackProcess]) -> Vec<u32> {
    let need = tracks.iter().any(|t| t.full_command || t.process.len() > 1);
    let procs = scan(need);
    tracks
        .iter()
        .map(|t| procs.iter().filter(|p| matches(t, p)).count() as u32)
        .collect()
}

pub fn quorum(t: &TrackProcess, n: u32) -> bool {
    n >= t.quorum && t.quorum_max.is_none_or(|m| n <= m)
}

/// The reported quorum of one tracker, with `fork_delay` (gain) and
/// `terminate_delay` (loss) applied: a change is reported only when it
/// still holds after its delay; one that reverts before is not reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Debounce {
    pub reported: bool,
    pending: Option<Instant>,
}

impl Debounce {
    pub fn new(initial: bool) -> Debounce {
        Debounce {
            reported: initial,
            pending: None,
        }
    }

    /// Feed the current quorum at `now`; `Some(state)` to report.
    pub fn feed(
        &mut self,
        t: &TrackProcess,
        have: bool,
        now: Instant,
    ) -> Option<bool> {
        if have == self.reported {
            self.pending = None;
            return None;
        }
        let delay = if have {
            t.fork_delay
        } else {
            t.terminate_delay
        }
        .unwrap_or(Duration::ZERO);
        let due = *self.pending.get_or_insert(now + delay);
        if now >= due {
            self.pending = None;
            self.reported = have;
            return Some(have);
        }
        None
    }

    /// When the pending change falls due.
    pub fn due(&self) -> Option<Instant> {
        self.pending
    }
}

/// Whether the proc connector can be used here (it needs CAP_NET_ADMIN
/// and the initial network namespace).
pub fn connector_available() -> bool {
    connector::open().is_ok()
}

/// Count once, then watch on a thread that sends quorum changes.
/// Returns the thread and each tracker's quorum at start.
pub fn spawn(
    tracks: &'static [TrackProcess],
    opts: Options,
    tx: SyncSender<TrackEvent>,
    stop: Arc<Stop>,
) -> io::Result<(JoinHandle<()>, Vec<bool>)> {
    let conn = if opts.connector {
        match connector::open() {
            Ok(s) => Some(s),
            Err(e) => {
                log::info!("proc connector unavailable ({e}); polling /proc");
                None
            }
        }
    } else {
        None
    };
    let counts = count(tracks);
    let mut state: Vec<Debounce> = tracks
        .iter()
        .zip(&counts)
        .map(|(t, &n)| Debounce::new(quorum(t, n)))
        .collect();
    let initial = state.iter().map(|d| d.reported).collect();
    let t = std::thread::Builder::new()
        .name("kac-trackproc".into())
        .spawn(move || {
            let mut next_scan = Instant::now() + opts.poll;
            loop {
                let due = state.iter().filter_map(Debounce::due).min();
                let wake = due.map_or(next_scan, |d| d.min(next_scan));
                let woke_early = match &conn {
                    Some(s) => {
                        if stop.is_set() {
                            return;
                        }
                        connector::wait(
                            s,
                            wake.min(
                                Instant::now() + Duration::from_millis(200),
                            ),
                        )
                    }
                    None => {
                        if stop.sleep_until(wake) {
                            return;
                        }
                        false
                    }
                };
                if stop.is_set() {
                    return;
                }
                let now = Instant::now();
                if !woke_early && now < wake {
                    continue;
                }
                if woke_early {
                    // Let a burst of fork/exec settle before counting.
                    if stop.sleep(Duration::from_millis(5)) {
                        return;
                    }
                    if let Some(s) = &conn {
                        connector::drain(s);
                    }
                }
                let counts = count(tracks);
                let now = Instant::now();
                for (index, ((t, d), n)) in
                    tracks.iter().zip(state.iter_mut()).zip(counts).enumerate()
                {
                    if let Some(ok) = d.feed(t, quorum(t, n), now) {
                        log::info!(
                            "Quorum {} for tracked process {}",
                            if ok { "gained" } else { "lost" },
                            t.name
                        );
                        if !super::send(
                            &tx,
                            TrackEvent::Process { index, ok },
                            &stop,
                        ) {
                            return;
                        }
                    }
                }
                if conn.is_none() || now >= next_scan {
                    next_scan = now + opts.poll;
                }
                if conn.is_some() {
                    // With the connector, scans follow events (and
                    // pending delays); the poll period is a safety net.
                    next_scan = next_scan.max(now + opts.poll * 5);
                }
            }
        })?;
    Ok((t, initial))
}

/// The kernel's proc connector (NETLINK_CONNECTOR, CN_IDX_PROC).
mod connector {
    use super::*;
    use netlink_sys::{protocols::NETLINK_CONNECTOR, Socket, SocketAddr};

    const CN_IDX_PROC: u32 = 1;
    const CN_VAL_PROC: u32 = 1;
    const PROC_CN_MCAST_LISTEN: u32 = 1;
    const NLMSG_DONE: u16 = 3;

    pub fn open() -> io::Result<Socket> {
        let mut s = Socket::new(NETLINK_CONNECTOR)?;
        s.bind(&SocketAddr::new(0, CN_IDX_PROC))?;
        // nlmsghdr + cn_msg + the op.
        let mut m = Vec::with_capacity(40);
        m.extend_from_slice(&40u32.to_ne_bytes());
        m.extend_from_slice(&NLMSG_DONE.to_ne_bytes());
        m.extend_from_slice(&0u16.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes()); // seq
        m.extend_from_slice(&std::process::id().to_ne_bytes());
        m.extend_from_slice(&CN_IDX_PROC.to_ne_bytes());
        m.extend_from_slice(&CN_VAL_PROC.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes()); // seq
        m.extend_from_slice(&0u32.to_ne_bytes()); // ack
        m.extend_from_slice(&4u16.to_ne_bytes()); // len
        m.extend_from_slice(&0u16.to_ne_bytes()); // flags
        m.extend_from_slice(&PROC_CN_MCAST_LISTEN.to_ne_bytes());
        s.send_to(&m, &SocketAddr::new(0, 0), 0)?;
        s.set_non_blocking(true)?;
        Ok(s)
    }

    /// Wait for an event until `deadline`; true when one came.
    pub fn wait(s: &Socket, deadline: Instant) -> bool {
        let left = deadline.saturating_duration_since(Instant::now());
        let ts = rustix::time::Timespec {
            tv_sec: left.as_secs() as i64,
            tv_nsec: i64::from(left.subsec_nanos()),
        };
        let mut fds = [PollFd::new(s, PollFlags::IN)];
        matches!(poll(&mut fds, Some(&ts)), Ok(n) if n > 0)
    }

    /// Read and drop everything queued (events only say "look again").
    pub fn drain(s: &Socket) {
        let mut buf = vec![0u8; 8192];
        while let Ok(n) = s.recv(&mut &mut buf[..], 0) {
            if n == 0 {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(
        process: &'static [&'static str],
        pm: ParamMatch,
        full: bool,
    ) -> TrackProcess {
        TrackProcess {
            name: "t",
            process,
            param_match: pm,
            weight: crate::site::Weight::ZERO,
            reverse: false,
            quorum: 1,
            quorum_max: None,
            fork_delay: None,
            terminate_delay: None,
            full_command: full,
        }
    }

    fn p(comm: &str, cmd: &[&str]) -> Proc {
        let mut cmdline = Vec::new();
        for w in cmd {
            cmdline.extend_from_slice(w.as_bytes());
            cmdline.push(0);
        }
        Proc {
            comm: comm.into(),
            cmdline,
        }
    }

    #[test]
    fn matching_rules() {
        use ParamMatch::*;
        let sleep = p("sleep", &["/bin/sleep", "1000", "x"]);
        let cases: &[(TrackProcess, bool)] = &[
            (tp(&["sleep"], Exact, false), true),
            (tp(&["slee"], Exact, false), false),
            (tp(&["/bin/sleep"], Exact, false), false),
            (tp(&["/bin/sleep"], Exact, true), true),
            (tp(&["sleep", "1000", "x"], Exact, false), true),
            (tp(&["sleep", "1000"], Exact, false), false),
            (tp(&["sleep", "1000"], Partial, false), true),
            (tp(&["sleep", "100"], Partial, false), false),
            (tp(&["sleep", "100"], Initial, false), true),
            (tp(&["sleep", "1000", "x", "y"], Partial, false), false),
        ];
        for (t, want) in cases {
            assert_eq!(matches(t, &sleep), *want, "{:?}", t.process);
        }
    }

    #[test]
    fn quorum_bounds_and_delays() {
        let mut t = tp(&["x"], ParamMatch::Exact, false);
        t.quorum = 2;
        t.quorum_max = Some(3);
        assert!(!quorum(&t, 1));
        assert!(quorum(&t, 2) && quorum(&t, 3));
        assert!(!quorum(&t, 4));

        t.fork_delay = Some(Duration::from_secs(2));
        let t0 = Instant::now();
        let mut d = Debounce::new(false);
        assert_eq!(d.feed(&t, true, t0), None);
        assert_eq!(d.feed(&t, true, t0 + Duration::from_secs(1)), None);
        assert_eq!(d.feed(&t, true, t0 + Duration::from_secs(2)), Some(true));
        // No terminate_delay: a loss is reported at once.
        assert_eq!(d.feed(&t, false, t0 + Duration::from_secs(3)), Some(false));
        // A gain that reverts inside fork_delay is never reported.
        assert_eq!(d.feed(&t, true, t0 + Duration::from_secs(4)), None);
        assert_eq!(d.feed(&t, false, t0 + Duration::from_secs(5)), None);
        assert_eq!(d.feed(&t, true, t0 + Duration::from_secs(6)), None);
        assert_eq!(d.due(), Some(t0 + Duration::from_secs(8)));
    }
}
