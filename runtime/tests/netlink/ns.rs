//! Throw-away network namespaces for the netlink tests: named
//! `kacnl-PID-TAG`, deleted on drop (also when the test panics), and
//! left-overs of dead test processes removed on the next run.

use std::fs::File;
use std::process::{Command, Stdio};
use std::thread;

use nix::sched::{setns, CloneFlags};
use serde_json::Value;

const PREFIX: &str = "kacnl-";

pub struct Netns {
    pub name: String,
}

impl Netns {
    /// A new namespace, or `None` (with the reason printed) where the
    /// test cannot make one: not root, or no iproute2.
    pub fn new(tag: &str) -> Option<Netns> {
        if Command::new("ip").arg("-V").output().is_err() {
            eprintln!("skipped: `ip` (iproute2) is not installed");
            return None;
        }
        reap_stale();
        let name = format!("{PREFIX}{}-{tag}", std::process::id());
        let out = Command::new("ip")
            .args(["netns", "add", &name])
            .output()
            .expect("run ip");
        if !out.status.success() {
            eprintln!(
                "skipped: cannot create a network namespace (root needed): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        let ns = Netns { name };
        ns.ip("link set lo up");
        Some(ns)
    }

    /// `ip -n NS ARGS`; panics with ip's words when it fails.
    pub fn ip(&self, args: &str) -> String {
        let out = Command::new("ip")
            .args(["-n", &self.name])
            .args(args.split_whitespace())
            .output()
            .expect("run ip");
        assert!(
            out.status.success(),
            "ip {args}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `ip -n NS -batch -` with `lines` on its input.
    pub fn batch(&self, lines: &str) {
        use std::io::Write;
        let mut child = Command::new("ip")
            .args(["-n", &self.name, "-batch", "-"])
            .stdin(Stdio::piped())
            .spawn()
            .expect("run ip");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(lines.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success(), "ip -batch failed");
    }

    /// Runs `f` on a thread that entered the namespace: sockets it
    /// opens live there (a socket keeps its namespace wherever it is
    /// used afterwards).
    pub fn run<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        let path = format!("/run/netns/{}", self.name);
        thread::scope(|s| {
            s.spawn(|| {
                let fd = File::open(&path).unwrap();
                setns(&fd, CloneFlags::CLONE_NEWNET).unwrap();
                f()
            })
            .join()
            .unwrap()
        })
    }

    pub fn ifindex(&self, dev: &str) -> u32 {
        let v: Value =
            serde_json::from_str(&self.ip(&format!("-j link show dev {dev}")))
                .unwrap();
        v[0]["ifindex"].as_u64().unwrap() as u32
    }

    /// `ip -j addr show dev DEV`'s `addr_info` entry for `local`.
    pub fn addr_info(&self, dev: &str, local: &str) -> Option<Value> {
        let v: Value =
            serde_json::from_str(&self.ip(&format!("-j addr show dev {dev}")))
                .unwrap();
        v[0]["addr_info"]
            .as_array()?
            .iter()
            .find(|a| a["local"] == local)
            .cloned()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

/// Deletes `kacnl-PID-*` namespaces whose test process is gone.
fn reap_stale() {
    let Ok(dir) = std::fs::read_dir("/run/netns") else {
        return;
    };
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(PREFIX) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or("");
        if !pid.is_empty()
            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = Command::new("ip").args(["netns", "del", &name]).status();
        }
    }
}
