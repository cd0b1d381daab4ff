//! Helpers for the kacd shell tests: a temporary directory, a kacd child
//! that is killed when the test ends, signals, waiting for conditions,
//! and network namespaces named `kacsh-*` that are deleted on drop.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub const KACD: &str = env!("CARGO_BIN_EXE_kacd");

/// A directory removed when the test ends.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(test: &str) -> TempDir {
        let d = std::env::temp_dir()
            .join(format!("kacsh-{test}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }

    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Polls `cond` every 20 ms until it holds or `secs` pass.
pub fn wait_until(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    cond()
}

/// Sends `signal` (SIGTERM's name is "TERM") to `pid`, a process this
/// test started.
pub fn signal(pid: u32, signal: &str) {
    let number = match signal {
        "HUP" => 1,
        "INT" => 2,
        "USR1" => 10,
        "USR2" => 12,
        "TERM" => 15,
        other => panic!("no number for {other}"),
    };
    kac_appliance::signals::send(pid, number)
        .unwrap_or_else(|e| panic!("signal {signal} to {pid}: {e}"));
}

/// Sends a real-time signal by number with `kill -s N PID` (rustix has
/// no safe way to); false when there is no `kill` command.
pub fn signal_number(pid: u32, number: i32) -> bool {
    match Command::new("kill")
        .args(["-s", &number.to_string(), &pid.to_string()])
        .status()
    {
        Ok(s) => {
            assert!(s.success(), "kill -s {number} {pid} failed");
            true
        }
        Err(e) => {
            println!("no kill command ({e})");
            false
        }
    }
}

/// A kacd in the foreground (`-n`), its stderr in a file; killed on drop
/// if still running.
pub struct Kacd {
    pub child: Child,
    pub stderr: PathBuf,
}

impl Kacd {
    /// Starts `kacd ARGS` with the environment changes `env`.
    pub fn start(
        exe: &Path,
        args: &[&str],
        env: &[(&str, &str)],
        stderr: PathBuf,
    ) -> Kacd {
        let err = fs::File::create(&stderr).unwrap();
        // With `-C` (checkers only) no VRRP runs: the host's namespace is
        // safe, and needed where the test talks to kacd over an abstract
        // socket (those belong to a network namespace).
        let mut cmd = if args.contains(&"-C") {
            Command::new(exe)
        } else {
            kacd_command(exe)
        };
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err)
            .env_remove("NOTIFY_SOCKET")
            .env_remove("WATCHDOG_USEC")
            .env_remove("WATCHDOG_PID")
            .env_remove("JOURNAL_STREAM");
        for (k, v) in env {
            cmd.env(k, v);
        }
        Kacd {
            child: cmd.spawn().unwrap(),
            stderr,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Waits for a log line containing `text`.
    pub fn wait_log(&self, text: &str) -> bool {
        wait_until(10, || self.log().contains(text))
    }

    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits up to 10 s for the process to exit.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let mut status = None;
        wait_until(10, || {
            status = self.child.try_wait().unwrap();
            status.is_some()
        });
        status.unwrap_or_else(|| {
            panic!("kacd did not exit; log:\n{}", self.log())
        })
    }

    /// SIGTERM, then the exit status.
    pub fn stop(&mut self) -> ExitStatus {
        signal(self.pid(), "TERM");
        self.wait_exit()
    }
}

impl Drop for Kacd {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs `kacd ARGS` to completion: (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = kacd_command(Path::new(KACD)).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

pub fn read(p: &Path) -> String {
    let mut s = String::new();
    fs::File::open(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// Why network-namespace tests cannot run here, if they cannot.
pub fn netns_unavailable() -> Option<String> {
    let uid = fs::read_to_string("/proc/self/status").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|v| v.split_whitespace().nth(1).map(str::to_string))
    });
    if uid.as_deref() != Some("0") {
        return Some("not running as root".into());
    }
    match Command::new("ip").args(["netns", "list"]).output() {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(format!(
            "`ip netns list` failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Some(format!("no `ip` command: {e}")),
    }
}

/// A network namespace, deleted on drop.
pub struct Netns(pub String);

impl Netns {
    pub fn new(name: &str) -> Netns {
        let name = format!("kacsh-{name}-{}", std::process::id());
        let _ = Command::new("ip")
            .args(["netns", "del", &name])
            .stderr(Stdio::null())
            .status();
        ip(&["netns", "add", &name]);
        Netns(name)
    }

    /// `ip -n NS ARGS`.
    pub fn ip(&self, args: &[&str]) {
        let mut all = vec!["-n", self.0.as_str()];
        all.extend_from_slice(args);
        ip(&all);
    }

    /// `kacd ARGS` inside the namespace: (exit code, stdout).
    pub fn kacd(&self, args: &[&str]) -> (i32, String) {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.0, KACD])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
        )
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

pub fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether the tests run as root (they do in CI).
pub fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// A command running kacd `exe` in a network namespace of its own. kacd
/// runs the site's VRRP instances (interface eth0, the fixture's
/// addresses): never on the host's network. A fresh namespace has only
/// a down `lo`, so the instances sit in FAULT and nothing is sent or
/// configured anywhere. (`unshare` execs kacd: the pid is kacd's.)
pub fn kacd_command(exe: &Path) -> Command {
    let mut cmd = Command::new("unshare");
    cmd.arg("--net");
    if !is_root() {
        cmd.arg("--map-root-user");
    }
    cmd.arg("--").arg(exe);
    cmd
}
