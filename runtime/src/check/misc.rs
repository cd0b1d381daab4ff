//! MISC_CHECK: run a command; exit 0 is up, 1 (or any other failure) is
//! down, and with `misc_dynamic` an exit of 2..=255 is up with weight
//! code - 2. On timeout the command's whole process group is sent SIGTERM
//! and, 2 s later, SIGKILL, as keepalived does; the attempt has failed.

use std::process::Stdio;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::time::Duration;

use super::plan::Probe;
use super::schedule::{Attempt, Weighting};
use crate::site::Command;

/// keepalived's default script user when `script_user` is not set.
const DEFAULT_USER: &str = "keepalived_script";

/// `(uid, gid)` of a user from /etc/passwd.
pub fn user_ids(passwd: &str, user: &str) -> Option<(u32, u32)> {
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 4 && f[0] == user)
            .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
            .flatten()
    })
}

/// The gid of a group from /etc/group.
pub fn group_id(group_file: &str, group: &str) -> Option<u32> {
    group_file.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 3 && f[0] == group)
            .then(|| f[2].parse().ok())
            .flatten()
    })
}

/// Who the command runs as: its own user, else `script_user`, else
/// keepalived_script when that user exists; `None`: as we are.
fn credentials(
    cmd: &Command,
    script_user: Option<(&str, Option<&str>)>,
) -> Result<Option<(u32, u32)>, String> {
    let (user, group, required) = match (cmd.user, script_user) {
        (Some(u), _) => (u, cmd.group, true),
        (None, Some((u, g))) => (u, g, true),
        (None, None) => (DEFAULT_USER, None, false),
    };
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let Some((uid, mut gid)) = user_ids(&passwd, user) else {
        return if required {
            Err(format!("unknown script user {user}"))
        } else {
            Ok(None)
        };
    };
    if let Some(g) = group {
        let groups = std::fs::read_to_string("/etc/group").unwrap_or_default();
        gid = group_id(&groups, g)
            .ok_or_else(|| format!("unknown script group {g}"))?;
    }
    Ok(Some((uid, gid)))
}

/// Signals a process group (pgid = the command's pid, as it leads its
/// own group).
fn signal_group(pgid: u32, signal: Signal) {
    let Ok(raw) = i32::try_from(pgid) else { return };
    match killpg(Pid::from_raw(raw), signal) {
        Ok(()) | Err(nix::errno::Errno::ESRCH) => {}
        Err(e) => log::warn!("kill -{signal} -{pgid}: {e}"),
    }
}

pub async fn check(
    p: &Probe,
    command: Command,
    limit: Option<Duration>,
    dynamic: bool,
) -> Attempt {
    let limit = limit.unwrap_or(p.checker.timing.delay_loop);
    let mut c = tokio::process::Command::new(command.program());
    c.args(&command.argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .kill_on_drop(true);
    if let Some((uid, gid)) = credentials(&command, p.script_user)? {
        c.uid(uid).gid(gid);
    }
    let mut child = c
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", command.program()))?;
    let pgid = child.id();
    match tokio::time::timeout(limit, child.wait()).await {
        Ok(Ok(status)) => match status.code() {
            Some(0) => Ok(Weighting::Configured),
            Some(code @ 2..=255) if dynamic => {
                Ok(Weighting::Absolute(code as u32 - 2))
            }
            Some(code) => Err(format!("exited with status {code}")),
            None => Err(format!("killed ({status})")),
        },
        Ok(Err(e)) => Err(format!("wait: {e}")),
        Err(_) => {
            if let Some(pgid) = pgid {
                signal_group(pgid, Signal::SIGTERM);
                // Reap in the background, escalating to SIGKILL.
                tokio::spawn(async move {
                    let done = tokio::time::timeout(
                        Duration::from_secs(2),
                        child.wait(),
                    )
                    .await;
                    if done.is_err() {
                        signal_group(pgid, Signal::SIGKILL);
                        let _ = child.wait().await;
                    } else {
                        // The leader is gone; its children may not be.
                        signal_group(pgid, Signal::SIGKILL);
                    }
                });
            }
            Err(format!("timed out after {limit:?}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_and_group_lookups() {
        let pw = "root:x:0:0:root:/root:/bin/bash\n\
                  nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
        assert_eq!(user_ids(pw, "nobody"), Some((65534, 65534)));
        assert_eq!(user_ids(pw, "nobod"), None);
        assert_eq!(
            group_id("daemon:x:1:\nnogroup:x:65534:\n", "nogroup"),
            Some(65534)
        );
    }
}
