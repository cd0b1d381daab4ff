//! SIGHUP: re-execute the kacd binary on disk, by the path recorded at
//! start-up, with the same arguments. `exec` keeps the pid, which systemd
//! wants; the pid file stays valid; what the engines added stays in place
//! for the new image to take over.
//!
//! State handoff: before exec, the engines' [`crate::engine::Engine::handoff`]
//! values go to a JSON file (`RUNTIME_DIR/keepalived.handoff`) named by
//! `KACD_HANDOFF` in the new image's environment:
//! `{"from_pid": PID, "version": "...", "config_sha256": "...",
//!   "engines": {"vrrp": ..., "check": ...}}`.
//! The new image reads it at start-up, hands each engine its part
//! ([`crate::engine::Context::handoff`]) and removes the file. A handoff
//! from another pid (a stale file) is ignored.

use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Names the handoff file for the re-executed image.
pub const HANDOFF_ENV: &str = "KACD_HANDOFF";

/// How long the new binary gets to answer `--version`.
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// The binary and arguments to re-execute, recorded at start-up (after an
/// upgrade `/proc/self/exe` names a deleted file).
#[derive(Clone, Debug)]
pub struct Image {
    pub exe: PathBuf,
    pub argv: Vec<OsString>,
}

impl Image {
    pub fn current() -> io::Result<Image> {
        Ok(Image {
            exe: std::env::current_exe()?,
            argv: std::env::args_os().collect(),
        })
    }

    /// Checks that the binary on disk runs: `EXE --version` exits 0
    /// within a few seconds. `waiting` is called while it runs (the
    /// caller feeds the systemd watchdog there).
    pub fn check(&self, waiting: &mut dyn FnMut()) -> Result<(), String> {
        let mut child = Command::new(&self.exe)
            .arg("--version")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot run {} --version: {e}", self.exe.display())
            })?;
        let deadline = Instant::now() + CHECK_TIMEOUT;
        loop {
            match child.try_wait() {
                Ok(Some(s)) if s.success() => return Ok(()),
                Ok(Some(s)) => {
                    return Err(format!(
                        "{} --version failed ({s})",
                        self.exe.display()
                    ))
                }
                Ok(None) if Instant::now() < deadline => {
                    waiting();
                    std::thread::sleep(Duration::from_millis(20))
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "{} --version did not finish in {} s",
                        self.exe.display(),
                        CHECK_TIMEOUT.as_secs()
                    ));
                }
                Err(e) => {
                    return Err(format!(
                        "waiting for {} --version: {e}",
                        self.exe.display()
                    ))
                }
            }
        }
    }

    /// Replaces this process with the image; returns only on failure.
    pub fn exec(&self, handoff: Option<&Path>) -> io::Error {
        let mut cmd = Command::new(&self.exe);
        if let Some((argv0, rest)) = self.argv.split_first() {
            cmd.arg0(argv0).args(rest);
        }
        if let Some(h) = handoff {
            cmd.env(HANDOFF_ENV, h);
        }
        cmd.exec()
    }
}

/// The handoff document.
pub fn handoff_document(engines: Value, config_sha256: &str) -> Value {
    json!({
        "from_pid": std::process::id(),
        "version": env!("CARGO_PKG_VERSION"),
        "config_sha256": config_sha256,
        "engines": engines,
    })
}

/// What the previous image handed over, if this process is a re-exec:
/// the file named by `KACD_HANDOFF`, when it was written by this pid.
/// The file is removed once read.
pub fn take_handoff() -> Option<Result<Value, String>> {
    let path = std::env::var_os(HANDOFF_ENV)?;
    let path = PathBuf::from(path);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        // Already taken (an earlier image of this process read it).
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => return Some(Err(format!("{}: {e}", path.display()))),
    };
    let _ = std::fs::remove_file(&path);
    Some(
        parse_handoff(&text, std::process::id())
            .map_err(|e| format!("{}: {e}", path.display())),
    )
}

/// Parses a handoff document meant for `pid`.
pub fn parse_handoff(text: &str, pid: u32) -> Result<Value, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match v.get("from_pid").and_then(Value::as_u64) {
        Some(p) if p == u64::from(pid) => Ok(v),
        Some(p) => Err(format!("written by pid {p}, not this process")),
        None => Err("no from_pid".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handoff_round_trip() {
        let doc = handoff_document(json!({"vrrp": {"VI_1": "MASTER"}}), "ab");
        let text = doc.to_string();
        let back = parse_handoff(&text, std::process::id()).unwrap();
        assert_eq!(back["engines"]["vrrp"]["VI_1"], "MASTER");
        assert_eq!(back["config_sha256"], "ab");
        let err = parse_handoff(&text, std::process::id() + 1).unwrap_err();
        assert!(err.contains("not this process"), "{err}");
        assert!(parse_handoff("{", 1).is_err());
    }

    #[test]
    fn check_runs_the_binary() {
        let ok = Image {
            exe: "/bin/true".into(),
            argv: vec![],
        };
        assert_eq!(ok.check(&mut || {}), Ok(()));
        let bad = Image {
            exe: "/bin/false".into(),
            argv: vec![],
        };
        assert!(bad
            .check(&mut || {})
            .unwrap_err()
            .contains("--version failed"));
        let gone = Image {
            exe: "/nonexistent/kacd".into(),
            argv: vec![],
        };
        assert!(gone
            .check(&mut || {})
            .unwrap_err()
            .starts_with("cannot run"));
    }
}
