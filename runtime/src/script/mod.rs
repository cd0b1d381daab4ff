//! Running configured commands: user, security rules, timeouts, and
//! killing the process group of one that hangs.
//!
//! keepalived (lib/notify.c `system_call_script`) forks, drops to the
//! script's uid/gid with its supplementary groups cleared, puts the child
//! in its own process group, sends stdio to /dev/null and execs the
//! program with keepalived's own environment. On a timeout it sends
//! SIGTERM and, 2 s later, SIGKILL to the group (vrrp_scheduler.c
//! `vrrp_script_child_thread`). We do the same with `std::process`.

pub mod security;
pub mod user;

use std::fmt;
use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use crate::site::{Command, Global};

pub use security::{Finding, FindingKind};
pub use user::Identity;

/// How long a script has to die after SIGTERM before the group gets
/// SIGKILL (keepalived: 2 s).
pub const TERM_GRACE: Duration = Duration::from_secs(2);

/// Why a command cannot be run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptError {
    /// The user or group named for it does not exist.
    User(String),
    /// `enable_script_security` refuses it.
    Insecure(Finding),
    /// The program is missing or not executable.
    NotFound(Finding),
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptError::User(m) => f.write_str(m),
            ScriptError::Insecure(x) | ScriptError::NotFound(x) => x.fmt(f),
        }
    }
}

impl std::error::Error for ScriptError {}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Exited(i32),
    Signaled(i32),
    /// Killed by us at the timeout.
    TimedOut,
}

impl Outcome {
    /// keepalived's success: exit status 0.
    pub fn ok(self) -> bool {
        self == Outcome::Exited(0)
    }
}

/// Runs commands for one site: knows the default script user and
/// whether script security is on.
#[derive(Debug, Clone)]
pub struct Runner {
    default: Identity,
    secure: bool,
}

/// A command checked and bound to the identity it runs as.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub argv: Vec<String>,
    pub identity: Identity,
}

impl Runner {
    /// The runner for `global`'s `script_user` and
    /// `enable_script_security`.
    pub fn new(global: &Global) -> Result<Runner, ScriptError> {
        let default = match global.script_user {
            Some((u, g)) => Identity::lookup(u, g)?,
            None => Identity::keepalived_default(),
        };
        Ok(Runner {
            default,
            secure: global.enable_script_security,
        })
    }

    /// A runner with an explicit default identity (tests).
    pub fn with_identity(default: Identity, secure: bool) -> Runner {
        Runner { default, secure }
    }

    pub fn default_identity(&self) -> Identity {
        self.default
    }

    /// The identity `cmd` runs as: its own `user`, else the default.
    pub fn identity(&self, cmd: &Command) -> Result<Identity, ScriptError> {
        match cmd.user {
            Some(u) => Identity::lookup(u, cmd.group),
            None => Ok(self.default),
        }
    }

    /// Resolve the user and, with script security on, refuse a script
    /// that a non-root user could replace.
    pub fn prepare(&self, cmd: &Command) -> Result<Prepared, ScriptError> {
        let identity = self.identity(cmd)?;
        let argv: Vec<String> =
            cmd.argv.iter().map(|s| s.to_string()).collect();
        let findings = security::check(&argv[0], identity);
        for f in findings {
            match f.kind {
                FindingKind::NotFound | FindingKind::NotExecutable => {
                    return Err(ScriptError::NotFound(f))
                }
                FindingKind::Insecure if self.secure => {
                    return Err(ScriptError::Insecure(f))
                }
                FindingKind::Insecure => log::warn!("{f}"),
            }
        }
        Ok(Prepared { argv, identity })
    }

    /// keepalived's start-up check of every script the site names
    /// (`vrrp_script`, notify commands, FIFO scripts, start/stop scripts):
    /// what is missing, not executable or unsafe. Unsafe findings are
    /// errors only with `enable_script_security`.
    pub fn startup_check(&self, site: &crate::site::Site) -> Vec<Finding> {
        let mut out = Vec::new();
        for cmd in site_commands(site) {
            let identity = match self.identity(&cmd) {
                Ok(i) => i,
                Err(e) => {
                    out.push(Finding {
                        kind: FindingKind::NotFound,
                        script: cmd.program().to_string(),
                        path: PathBuf::from(cmd.program()),
                        detail: e.to_string(),
                    });
                    continue;
                }
            };
            for f in security::check(cmd.program(), identity) {
                // A script named by several objects is reported once.
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        out
    }

    pub fn secure(&self) -> bool {
        self.secure
    }
}

/// Every command the site names, in table order.
pub fn site_commands(site: &crate::site::Site) -> Vec<Command> {
    let mut v = Vec::new();
    v.extend(site.scripts.iter().map(|s| s.command));
    let notifies = site
        .instances
        .iter()
        .map(|i| i.notify)
        .chain(site.sync_groups.iter().map(|g| g.notify));
    for n in notifies {
        v.extend(
            [
                n.master,
                n.backup,
                n.fault,
                n.stop,
                n.notify,
                n.master_rx_lower_pri,
            ]
            .into_iter()
            .flatten(),
        );
    }
    v.extend(site.global.startup_script);
    v.extend(site.global.shutdown_script);
    v
}

impl Prepared {
    /// Start it: own process group, stdio on /dev/null, dropped to its
    /// identity when that is not ours. `extra` is appended to argv.
    pub fn spawn(&self, extra: &[String]) -> io::Result<Child> {
        let mut c = std::process::Command::new(&self.argv[0]);
        c.args(&self.argv[1..])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        crate::sys::term_with_parent(&mut c);
        let me = Identity::current();
        if self.identity.gid != me.gid {
            c.gid(self.identity.gid);
        }
        if self.identity.uid != me.uid {
            // std clears supplementary groups when it changes the uid,
            // as keepalived's setgroups(1, &gid) does.
            c.uid(self.identity.uid);
        }
        c.spawn()
    }

    /// Run to completion, or until `timeout`: then SIGTERM to the group,
    /// SIGKILL after [`TERM_GRACE`]. Blocks the calling thread.
    pub fn run(
        &self,
        extra: &[String],
        timeout: Duration,
    ) -> io::Result<Outcome> {
        let mut child = self.spawn(extra)?;
        Ok(wait_with_timeout(&mut child, timeout))
    }
}

/// Wait for `child` (leader of its own group) up to `timeout`, killing
/// the group if it overruns. The group is always sent SIGKILL at the end
/// so no grandchild outlives a timed-out script.
pub fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Outcome {
    wait_or_cancel(child, timeout, &|| false)
}

/// As [`wait_with_timeout`], also killing the group as soon as `cancel`
/// says so (checked every few ms).
pub fn wait_or_cancel(
    child: &mut Child,
    timeout: Duration,
    cancel: &dyn Fn() -> bool,
) -> Outcome {
    let pgid = Pid::from_raw(child.id() as i32);
    let deadline = Instant::now() + timeout;
    if let Some(o) = poll_until(child, deadline, cancel) {
        return o;
    }
    let _ = killpg(pgid, Signal::SIGTERM);
    let grace = Instant::now() + TERM_GRACE;
    let ended = poll_until(child, grace, &|| false);
    let _ = killpg(pgid, Signal::SIGKILL);
    if ended.is_none() {
        let _ = child.wait();
    }
    Outcome::TimedOut
}

/// Poll `child` with a backoff of 1..20 ms until it exits or `deadline`.
fn poll_until(
    child: &mut Child,
    deadline: Instant,
    cancel: &dyn Fn() -> bool,
) -> Option<Outcome> {
    let mut nap = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(st)) => return Some(outcome(st)),
            Ok(None) => {}
            Err(_) => return Some(Outcome::Exited(-1)),
        }
        let now = Instant::now();
        if now >= deadline || cancel() {
            return None;
        }
        std::thread::sleep(nap.min(deadline - now));
        nap = (nap * 2).min(Duration::from_millis(20));
    }
}

pub(crate) fn outcome(st: std::process::ExitStatus) -> Outcome {
    match (st.code(), st.signal()) {
        (Some(c), _) => Outcome::Exited(c),
        (None, Some(s)) => Outcome::Signaled(s),
        (None, None) => Outcome::Exited(-1),
    }
}
