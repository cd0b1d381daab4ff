//! The kacd binary's process shell, run for real: command line, pid file,
//! signals and dumps, SIGHUP re-exec, sd_notify, syslog and journal
//! logging, daemonizing, and `--preflight` in network namespaces made by
//! the test (skipped with a reason when not root or without `ip netns`).
//!
//! The binary is built from fixtures/default/keepalived.conf (interface
//! eth0, VIP 192.0.2.100/24, vrrp_script chk_service, virtual server
//! 192.0.2.100:80 with two real servers). Every run uses its own
//! `--runtime-dir` under a temporary directory.

// Test helpers outside #[test] functions unwrap too.
#![allow(clippy::unwrap_used)]

#[path = "kacd_shell/support.rs"]
mod support;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// These tests know the default fixture; a build for another config
/// skips them.
fn default_site() -> bool {
    match option_env!("KAC_CONFIG") {
        None => true,
        Some(p) if p.ends_with("fixtures/default/keepalived.conf") => true,
        Some(p) => {
            println!(
                "skipped: kacd was built for {p}, not the default fixture"
            );
            false
        }
    }
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Starts a foreground kacd on `dir`'s runtime directory and waits until
/// its pid file names it.
fn start(dir: &TempDir, extra: &[&str], env: &[(&str, &str)]) -> Kacd {
    start_exe(Path::new(KACD), dir, extra, env)
}

fn start_exe(
    exe: &Path,
    dir: &TempDir,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Kacd {
    let run = dir.join("run");
    let mut args = vec!["-n", "-l", "--runtime-dir", run.to_str().unwrap()];
    args.extend_from_slice(extra);
    let k = Kacd::start(exe, &args, env, dir.join("stderr"));
    let pid = format!("{}\n", k.pid());
    let pidfile = run.join("keepalived.pid");
    assert!(
        wait_until(10, || fs::read_to_string(&pidfile).ok().as_deref()
            == Some(&pid)),
        "no pid file; log:\n{}",
        k.log()
    );
    k
}

#[test]
fn version_names_site_config_and_hash() {
    if !default_site() {
        return;
    }
    let (code, out, _) = run(&["--version"]);
    assert_eq!(code, 0);
    let sha = Command::new("sha256sum")
        .arg(Path::new(ROOT).join("fixtures/default/keepalived.conf"))
        .output()
        .unwrap();
    let sha = String::from_utf8(sha.stdout).unwrap();
    let sha = sha.split_whitespace().next().unwrap();
    assert_eq!(
        out,
        format!(
            "kacd {}\nsite default\nconfig fixtures/default/keepalived.conf \
             (1 file)\nconfig sha256 {sha}\n",
            version()
        )
    );
    let (code, short, _) = run(&["-v"]);
    assert_eq!((code, short), (0, out));
}

#[test]
fn dump_config_is_the_canonical_config() {
    if !default_site() {
        return;
    }
    let (code, out, _) = run(&["--dump-config"]);
    assert_eq!(code, 0);
    for want in [
        "vrrp_instance VI_1 {",
        "virtual_router_id 51",
        "192.0.2.100/24 dev eth0",
        "vrrp_script chk_service {",
        "virtual_server 192.0.2.100 80 {",
        "real_server 198.51.100.12 80 {",
    ] {
        assert!(out.contains(want), "--dump-config lacks {want:?}:\n{out}");
    }
    // Beside kacd in the same target directory, when the workspace built
    // it: `kac dump` of the source must print the same bytes.
    let kac = Path::new(KACD).with_file_name("kac");
    if kac.exists() {
        let dump = Command::new(&kac)
            .arg("dump")
            .arg(Path::new(ROOT).join("fixtures/default/keepalived.conf"))
            .output()
            .unwrap();
        assert!(dump.status.success());
        assert_eq!(String::from_utf8(dump.stdout).unwrap(), out);
    } else {
        println!("kac not built beside kacd: compared content only");
    }
}

#[test]
fn plan_lists_what_would_be_added() {
    if !default_site() {
        return;
    }
    let (code, out, _) = run(&["--plan"]);
    assert_eq!(code, 0);
    // The comparison with this machine's IPVS table is one line whose
    // text depends on the machine (tested in the VM).
    assert_eq!(out.lines().filter(|l| l.starts_with("IPVS")).count(), 1);
    let body: Vec<&str> = out
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with("IPVS"))
        .collect();
    assert_eq!(
        body,
        [
            "VRRP instance VI_1 (interface eth0, VRID 51, priority 100), \
             while MASTER:",
            "  add address 192.0.2.100/24 dev eth0",
            "virtual server 192.0.2.100:80 TCP:",
            "  add IPVS service TCP 192.0.2.100:80 scheduler rr",
            "    add real server 198.51.100.11:80 method DR weight 1, at \
             start-up, removed while its checks fail",
            "    add real server 198.51.100.12:80 method DR weight 1, at \
             start-up, removed while its checks fail",
            "4 change(s) planned",
        ]
    );
    let (_, vrrp_only, _) = run(&["--plan", "-P"]);
    assert!(!vrrp_only.contains("IPVS"));
    assert!(vrrp_only.ends_with("1 change(s) planned\n"));
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, err) = run(&["-f", "/etc/keepalived/keepalived.conf"]);
    assert_eq!(code, 2);
    assert!(err.contains("compiled into this binary"), "{err}");
    assert!(err.contains("kac build"), "{err}");
    let (code, _, err) = run(&["--no-such-option"]);
    assert_eq!(code, 2);
    assert!(err.contains("--no-such-option"));
    assert_eq!(run(&["-S", "9"]).0, 2);
    assert_eq!(run(&["--plan", "--dump-config"]).0, 2);
    let (code, help, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(help.contains("--dont-fork") && help.contains("--runtime-dir"));
}

#[test]
fn signum_and_man_page() {
    assert_eq!(run(&["--signum=DATA"]).1, "10\n");
    assert_eq!(run(&["--signum", "RELOAD"]).1, "1\n");
    let json: i32 = run(&["--signum=JSON"]).1.trim().parse().unwrap();
    assert!(json == 36 || json == 37);
    let (code, man, _) = run(&["--generate-man"]);
    assert_eq!(code, 0);
    assert!(man.contains(".TH kacd 8"));
    assert!(man.contains("\\-\\-preflight") && man.contains(".SH SIGNALS"));
    assert!(!man.contains("daemon\\-child"));
}

#[test]
fn pid_file_lifecycle_and_second_instance() {
    let dir = TempDir::new("pid");
    let mut k = start(&dir, &[], &[]);
    assert!(k.wait_log(&format!("Starting kacd v{} (site ", version())));

    // A second kacd on the same runtime directory refuses to start.
    let run_dir = dir.join("run");
    let out = kacd_command(Path::new(KACD))
        .args(["-n", "-l", "--runtime-dir", run_dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("kacd is already running (pid {}", k.pid())),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(run_dir.join("keepalived.pid")).unwrap(),
        format!("{}\n", k.pid())
    );

    // -p overrides the pid file; a stale file (dead pid) is taken over.
    let other = dir.join("other.pid");
    fs::write(&other, "999999999\n").unwrap();
    let dir2 = TempDir::new("pid2");
    let run2 = dir2.join("run");
    let mut k2 = Kacd::start(
        Path::new(KACD),
        &[
            "-n",
            "--runtime-dir",
            run2.to_str().unwrap(),
            "-p",
            other.to_str().unwrap(),
        ],
        &[("KACD_SYSLOG_SOCKET", "/nonexistent")],
        dir2.join("stderr"),
    );
    let want = format!("{}\n", k2.pid());
    assert!(wait_until(10, || fs::read_to_string(&other)
        .ok()
        .as_deref()
        == Some(&want)));
    assert!(!run2.join("keepalived.pid").exists());
    assert!(k2.stop().success());
    assert!(!other.exists());

    let status = k.stop();
    assert_eq!(status.code(), Some(0));
    assert!(!run_dir.join("keepalived.pid").exists());
    let log = k.log();
    let stopping = log.find("kacd[").and(log.find(": Stopping\n"));
    assert!(stopping.is_some(), "{log}");
    assert!(log.contains(": Stopped\n"));
    assert!(log.contains(&format!(": Stopped kacd v{} (site ", version())));
}

#[test]
fn sigint_stops_too_and_runtime_dir_is_created() {
    let dir = TempDir::new("sigint");
    let nested = dir.join("a/b/run");
    let mut k = Kacd::start(
        Path::new(KACD),
        &["-n", "-l", "--runtime-dir", nested.to_str().unwrap()],
        &[],
        dir.join("stderr"),
    );
    assert!(wait_until(10, || nested.join("keepalived.pid").exists()));
    signal(k.pid(), "INT");
    assert_eq!(k.wait_exit().code(), Some(0));
    assert!(!nested.join("keepalived.pid").exists());
}

#[test]
fn signals_write_data_stats_and_json() {
    if !default_site() {
        return;
    }
    let dir = TempDir::new("dumps");
    let mut k = start(&dir, &[], &[]);
    let run = dir.join("run");
    signal(k.pid(), "USR1");
    signal(k.pid(), "USR2");
    let json_sig = kac_appliance::signals::SignalName::Json.number();
    assert_eq!(run_sig("JSON"), json_sig.to_string());
    let sent_json = signal_number(k.pid(), json_sig);
    let data = run.join("keepalived.data");
    let stats = run.join("keepalived.stats");
    let json = run.join("keepalived.json");
    assert!(
        wait_until(10, || data.exists()
            && stats.exists()
            && (json.exists() || !sent_json)),
        "dumps missing; log:\n{}",
        k.log()
    );
    let d = read(&data);
    assert!(d.starts_with("------< Global definitions >------\n"));
    assert!(d.contains(" Router ID = kac-default\n"));
    assert!(d.contains(" VRRP Instance = VI_1\n"));
    assert!(d.contains("   Virtual IP (1):\n     192.0.2.100/24 dev eth0\n"));
    assert!(d.contains("   RIP = 198.51.100.11, RPORT = 80, WEIGHT = 1\n"));
    assert!(!d.contains("k4c-pass"), "the VRRP password leaked");
    let s = read(&stats);
    assert!(s.starts_with(
        "VRRP Instance: VI_1\n  Advertisements:\n    Received: 0\n"
    ));
    if !sent_json {
        println!("JSON dump not tested: no kill command for SIGRTMIN+2");
        assert!(k.stop().success());
        return;
    }
    let j = read(&json);
    assert!(j.trim_start().starts_with('['));
    assert!(j.contains("\"iname\": \"VI_1\""), "{j}");
    assert!(j.contains("\"vrid\": 51"));
    assert!(
        j.contains("\"vips\": [\n        \"192.0.2.100/24 dev eth0\""),
        "{j}"
    );
    assert!(k.log().contains(&format!(
        "Printing data for process({}) on signal",
        k.pid()
    )));
    assert!(k.stop().success());
}

fn run_sig(name: &str) -> String {
    // `kill -s` takes a number as well as a name.
    run(&[&format!("--signum={name}")]).1.trim().to_string()
}

/// `/proc/PID/exe` as text (ends in " (deleted)" once the file is
/// replaced).
fn exe_link(pid: u32) -> String {
    fs::read_link(format!("/proc/{pid}/exe"))
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// Replaces `path` by a new file (new inode) with `bytes`, executable.
fn replace(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension("new");
    fs::write(&tmp, bytes).unwrap();
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755)).unwrap();
    fs::rename(&tmp, path).unwrap();
}

#[test]
fn sighup_reexecs_the_binary_on_disk() {
    let dir = TempDir::new("reexec");
    let exe = dir.join("kacd");
    let binary = fs::read(KACD).unwrap();
    replace(&exe, &binary);
    let notify_path = dir.join("notify");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    notify
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut k = start_exe(
        &exe,
        &dir,
        &[],
        &[("NOTIFY_SOCKET", notify_path.to_str().unwrap())],
    );
    let pid = k.pid();
    assert!(recv(&notify).starts_with("READY=1\n"));

    // An upgrade: a new file at the same path. The running image is now
    // the deleted one.
    replace(&exe, &binary);
    assert!(exe_link(pid).ends_with(" (deleted)"));
    signal(pid, "HUP");
    assert!(recv(&notify).starts_with("RELOADING=1\nMONOTONIC_USEC="));
    assert!(recv(&notify).starts_with("READY=1\n"));
    assert!(k.wait_log("Reloaded: kacd v"), "{}", k.log());
    assert!(k.running(), "same child process (pid {pid}) still runs");
    assert_eq!(exe_link(pid), exe.to_str().unwrap());
    assert_eq!(
        fs::read_to_string(dir.join("run/keepalived.pid")).unwrap(),
        format!("{pid}\n")
    );
    assert_eq!(k.log().matches("Starting kacd v").count(), 2);
    assert!(!dir.join("run/keepalived.handoff").exists());

    // A broken replacement is refused and the running image stays.
    replace(&exe, b"#!/bin/sh\nexit 3\n");
    signal(pid, "HUP");
    assert!(k.wait_log("Reload refused:"), "{}", k.log());
    assert!(k.log().contains("--version failed"));
    assert!(k.running());
    assert!(exe_link(pid).ends_with(" (deleted)"));
    assert_eq!(k.log().matches("Starting kacd v").count(), 2);
    // It still answers signals.
    signal(pid, "USR2");
    assert!(wait_until(10, || dir.join("run/keepalived.stats").exists()));
    assert_eq!(k.stop().code(), Some(0));
    assert_eq!(recv(&notify), "STOPPING=1");
}

fn recv(s: &UnixDatagram) -> String {
    let mut buf = [0u8; 4096];
    // A signal to this test process (another test's child exiting, say)
    // may interrupt the wait: retry then.
    let n = loop {
        match s.recv(&mut buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            r => break r.expect("a notification"),
        }
    };
    String::from_utf8(buf[..n].to_vec()).unwrap()
}

#[test]
fn sd_notify_ready_watchdog_stopping() {
    let dir = TempDir::new("notify");
    let path = dir.join("notify");
    let sock = UnixDatagram::bind(&path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut k = start(
        &dir,
        &[],
        &[
            ("NOTIFY_SOCKET", path.to_str().unwrap()),
            ("WATCHDOG_USEC", "200000"),
        ],
    );
    let ready = recv(&sock);
    assert!(ready.starts_with("READY=1\nSTATUS=site "), "{ready}");
    // Every 100 ms: five in well under 5 s.
    let t0 = std::time::Instant::now();
    for _ in 0..5 {
        assert_eq!(recv(&sock), "WATCHDOG=1");
    }
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert!(k.stop().success());
    // Watchdog lines may be queued before STOPPING=1.
    let mut last = recv(&sock);
    while last == "WATCHDOG=1" {
        last = recv(&sock);
    }
    assert_eq!(last, "STOPPING=1");
}

#[test]
fn watchdog_is_only_for_the_named_pid() {
    let dir = TempDir::new("wdpid");
    let path = dir.join("notify");
    let sock = UnixDatagram::bind(&path).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(600)))
        .unwrap();
    let mut k = start(
        &dir,
        &[],
        &[
            ("NOTIFY_SOCKET", path.to_str().unwrap()),
            ("WATCHDOG_USEC", "100000"),
            ("WATCHDOG_PID", "1"),
        ],
    );
    assert!(recv(&sock).starts_with("READY=1"));
    let mut buf = [0u8; 64];
    assert!(
        sock.recv(&mut buf).is_err(),
        "no WATCHDOG=1 for another pid"
    );
    assert!(k.stop().success());
}

#[test]
fn abstract_notify_socket() {
    use std::os::linux::net::SocketAddrExt;
    let dir = TempDir::new("abstract");
    let name = format!("kacsh-notify-{}", std::process::id());
    let addr =
        std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
            .unwrap();
    let sock = UnixDatagram::bind_addr(&addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // `-C`: abstract sockets live in a network namespace, so this kacd
    // runs in the test's, without VRRP.
    let mut k = start(&dir, &["-C"], &[("NOTIFY_SOCKET", &format!("@{name}"))]);
    assert!(recv(&sock).starts_with("READY=1"));
    assert!(k.stop().success());
}

#[test]
fn syslog_lines_reach_the_socket() {
    let dir = TempDir::new("syslog");
    let path = dir.join("log");
    let sock = UnixDatagram::bind(&path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // No -l: syslog only, facility local3 (19 * 8 + LOG_INFO 6 = 158).
    let run = dir.join("run");
    let mut k = Kacd::start(
        Path::new(KACD),
        &["-n", "-S", "3", "--runtime-dir", run.to_str().unwrap()],
        &[("KACD_SYSLOG_SOCKET", path.to_str().unwrap())],
        dir.join("stderr"),
    );
    let first = recv(&sock);
    assert_eq!(
        first,
        format!(
            "<158>kacd[{}]: Starting kacd v{} (site default)",
            k.pid(),
            version()
        )
    );
    assert!(wait_until(10, || run.join("keepalived.pid").exists()));
    assert!(k.stop().success());
    let mut lines = Vec::new();
    while let Ok(n) = {
        let mut buf = [0u8; 2048];
        sock.recv(&mut buf)
            .map(|n| String::from_utf8_lossy(&buf[..n]).into_owned())
    } {
        let done = n.contains("Stopped kacd");
        lines.push(n);
        if done {
            break;
        }
    }
    let stopping = format!("<158>kacd[{}]: Stopping", k.pid());
    assert!(lines.contains(&stopping), "{lines:?}");
    // Nothing on the console without -l and without a terminal.
    assert_eq!(k.log(), "");
}

#[test]
fn journal_native_protocol_when_stderr_is_the_journal() {
    let dir = TempDir::new("journal");
    let path = dir.join("journal");
    let sock = UnixDatagram::bind(&path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let stderr = dir.join("stderr");
    fs::write(&stderr, "").unwrap();
    let m = fs::metadata(&stderr).unwrap();
    let stream = format!("{}:{}", m.dev(), m.ino());
    // Kacd::start truncates the same file: same device and inode.
    let mut k = start(
        &dir,
        &[],
        &[
            ("JOURNAL_STREAM", &stream),
            ("KACD_JOURNAL_SOCKET", path.to_str().unwrap()),
        ],
    );
    let entry = recv(&sock);
    assert!(
        entry.starts_with(&format!(
            "MESSAGE=Starting kacd v{} (site default)\nPRIORITY=6\n",
            version()
        )),
        "{entry}"
    );
    assert!(entry.contains("\nSYSLOG_IDENTIFIER=kacd\n"));
    assert!(entry.contains(&format!("\nSYSLOG_PID={}\n", k.pid())));
    assert!(k.stop().success());
    // Not on the console too (-l notwithstanding): stderr is the journal.
    assert_eq!(k.log(), "");
}

/// `/proc/PID/stat` field 6 (session id).
fn session_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split(' ').nth(3)?.parse().ok()
}

#[test]
fn forks_into_the_background_without_n() {
    let dir = TempDir::new("fork");
    let run = dir.join("run");
    let pidfile = run.join("keepalived.pid");
    let log_path = dir.join("log");
    let log = UnixDatagram::bind(&log_path).unwrap();
    log.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let next_line = |want: &str| loop {
        let line = recv(&log);
        if line.contains(want) {
            return line;
        }
    };
    // A relative --runtime-dir: the daemon works in / but must keep
    // using this one, across a re-exec too.
    let t0 = std::time::Instant::now();
    let out = kacd_command(Path::new(KACD))
        .args(["--runtime-dir", "run"])
        .current_dir(&dir.0)
        .env("KACD_SYSLOG_SOCKET", &log_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(t0.elapsed() < Duration::from_secs(10));
    // The daemon wrote its pid file before the foreground process left.
    let pid: u32 = read(&pidfile).trim().parse().unwrap();
    assert_ne!(pid, std::process::id());
    assert!(next_line("Starting kacd").contains(&format!("kacd[{pid}]")));
    assert_eq!(session_of(pid), Some(pid), "the daemon leads its session");
    assert_eq!(
        fs::read_link(format!("/proc/{pid}/cwd")).unwrap(),
        Path::new("/")
    );

    // A second one fails, and says why on the terminal.
    let out = kacd_command(Path::new(KACD))
        .args(["--runtime-dir", run.to_str().unwrap()])
        .env("KACD_SYSLOG_SOCKET", dir.join("nolog"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains(&format!("already running (pid {pid}")));

    // The daemon is ours (this test started it). Reload it, then dump.
    signal(pid, "HUP");
    next_line("Reloaded: kacd v");
    signal(pid, "USR1");
    assert!(wait_until(10, || run.join("keepalived.data").exists()));
    assert_eq!(read(&pidfile), format!("{pid}\n"));
    signal(pid, "TERM");
    next_line("Stopped kacd v");
    assert!(wait_until(10, || !pidfile.exists()));
    assert!(wait_until(10, || {
        fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true)
    }));
}

#[test]
fn preflight_in_a_network_namespace() {
    if !default_site() {
        return;
    }
    if let Some(why) = netns_unavailable() {
        println!("skipped: {why}");
        return;
    }
    let dir = TempDir::new("preflight");
    let rd = dir.join("run");
    let rd = rd.to_str().unwrap();
    let ns = Netns::new("pf");

    // No eth0 at all.
    let (code, out) = ns.kacd(&["--preflight", "-P", "--runtime-dir", rd]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(
        "FAIL interface eth0 does not exist (used by vrrp_instance VI_1"
    ));
    assert!(
        out.contains("OK   CAP_NET_ADMIN is in the effective capability set")
    );
    assert!(out.ends_with(" FAIL\n") && out.contains("preflight: "));

    // eth0 exists (a veth, its peer inside too), with an address, down.
    ns.ip(&[
        "link", "add", "eth0", "type", "veth", "peer", "name", "kacsh-p0",
    ]);
    ns.ip(&["addr", "add", "192.0.2.10/24", "dev", "eth0"]);
    let (code, out) = ns.kacd(&["--preflight", "-P", "--runtime-dir", rd]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("WARN interface eth0 is down"), "{out}");
    assert!(out.contains(
        "OK   VI_1: adverts will be sent from 192.0.2.10 (eth0's address)"
    ));

    // Up, with the VIP already present.
    ns.ip(&["link", "set", "kacsh-p0", "up"]);
    ns.ip(&["link", "set", "eth0", "up"]);
    ns.ip(&["addr", "add", "192.0.2.100/24", "dev", "eth0"]);
    let (code, out) = ns.kacd(&["--preflight", "-P", "--runtime-dir", rd]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("OK   interface eth0 exists and is up"),
        "{out}"
    );
    assert!(out
        .contains("WARN VI_1: virtual address 192.0.2.100 is already on eth0"));

    // Both halves: IPVS is checked too, and decides the exit status
    // with whatever this kernel has.
    let (code, out) = ns.kacd(&["--preflight", "--runtime-dir", rd]);
    let ipvs = out
        .lines()
        .find(|l| l.contains("IPVS is"))
        .unwrap_or_else(|| panic!("no IPVS finding:\n{out}"));
    println!("this kernel: {ipvs}");
    assert_eq!(code, i32::from(out.contains("\nFAIL ")), "{out}");

    // No source address: FAIL.
    ns.ip(&["addr", "flush", "dev", "eth0"]);
    let (code, out) = ns.kacd(&["--preflight", "-P", "--runtime-dir", rd]);
    assert_eq!(code, 1);
    assert!(out.contains("FAIL VI_1: eth0 has no IPv4 address"), "{out}");
}
