//! Running real scripts: arguments, exit codes, process groups, the
//! timeout (SIGTERM, then SIGKILL to the whole group), the script user
//! and `enable_script_security` refusals.

// Tests may unwrap: a failure should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::field_reassign_with_default)]

#[path = "track_fixture.rs"]
mod fx;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use fx::*;
use kac_runtime::script::{
    FindingKind, Identity, Outcome, Runner, ScriptError,
};

fn runner() -> Runner {
    Runner::with_identity(Identity::current(), false)
}

fn read_pid(path: &std::path::Path) -> i32 {
    wait_for(Duration::from_secs(5), "pid file", || {
        std::fs::read_to_string(path).ok()?.trim().parse().ok()
    })
}

#[test]
fn arguments_exit_code_stdio_and_own_process_group() {
    let d = TempDir::new("script-args");
    let out = d.p("out");
    let sh = d.script(
        "rec.sh",
        &format!(
            "printf '%s|' \"$@\" > {out}; echo >> {out}; \
             ps -o pgid= -p $$ | tr -d ' ' >> {out}; echo $$ >> {out}; \
             echo \"PATH=$PATH\" >> {out}; \
             echo noise; echo noise >&2; exit 3"
        ),
    );
    let p = runner().prepare(&cmd(&[sh, "a b", "c"])).unwrap();
    let o = p.run(&["x".into()], Duration::from_secs(5)).unwrap();
    assert_eq!(o, Outcome::Exited(3));
    assert!(!o.ok());
    let text = std::fs::read_to_string(d.path("out")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "a b|c|x|");
    // Its own process group: pgid == its pid, not ours.
    assert_eq!(lines[1], lines[2], "script is a process group leader");
    assert_ne!(lines[1].parse::<i32>().unwrap(), nix_pgrp());
    // keepalived's environment is passed through.
    assert!(lines[3].starts_with("PATH=/"), "{}", lines[3]);
}

fn nix_pgrp() -> i32 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = s.rsplit(')').next().unwrap();
    after.split_whitespace().nth(2).unwrap().parse().unwrap()
}

#[test]
fn bare_program_names_are_found_on_path() {
    let p = runner().prepare(&cmd(&["true"])).unwrap();
    assert_eq!(
        p.run(&[], Duration::from_secs(5)).unwrap(),
        Outcome::Exited(0)
    );
    let e = runner()
        .prepare(&cmd(&["no-such-program-kac"]))
        .unwrap_err();
    assert!(matches!(e, ScriptError::NotFound(_)), "{e}");
}

#[test]
fn timeout_kills_the_whole_group_with_term() {
    let d = TempDir::new("script-hang");
    let pidf = d.path("child.pid");
    let sh = d.script(
        "hang.sh",
        &format!("sleep 30 & echo $! > {}; wait", pidf.display()),
    );
    let p = runner().prepare(&cmd(&[sh])).unwrap();
    let t0 = Instant::now();
    let o = p.run(&[], Duration::from_millis(300)).unwrap();
    let took = t0.elapsed();
    assert_eq!(o, Outcome::TimedOut);
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(
        took < Duration::from_millis(1500),
        "TERM should do: {took:?}"
    );
    let child = read_pid(&pidf);
    wait_for(Duration::from_secs(3), "grandchild gone", || {
        (!alive(child)).then_some(())
    });
}

#[test]
fn a_script_ignoring_term_gets_kill_after_two_seconds() {
    let d = TempDir::new("script-stubborn");
    let pidf = d.path("child.pid");
    // SIG_IGN is inherited by the sleep: only SIGKILL ends them.
    let sh = d.script(
        "stubborn.sh",
        &format!(
            "trap '' TERM; sleep 30 & echo $! > {}; wait; wait",
            pidf.display()
        ),
    );
    let p = runner().prepare(&cmd(&[sh])).unwrap();
    let t0 = Instant::now();
    let o = p.run(&[], Duration::from_millis(200)).unwrap();
    let took = t0.elapsed();
    assert_eq!(o, Outcome::TimedOut);
    assert!(
        took >= Duration::from_millis(2150)
            && took < Duration::from_millis(4000),
        "SIGKILL 2 s after SIGTERM: {took:?}"
    );
    let child = read_pid(&pidf);
    wait_for(Duration::from_secs(3), "grandchild gone", || {
        (!alive(child)).then_some(())
    });
}

/// With script security a root script anywhere a non-root user could
/// write is refused, naming the culprit; without it, it runs.
#[test]
fn script_security_refusals() {
    let d = TempDir::new("script-sec");
    let root = Identity::ROOT;
    let secure = Runner::with_identity(root, true);
    let lax = Runner::with_identity(root, false);

    // A world-writable directory on the path (no sticky bit).
    let open_dir = d.path("open");
    std::fs::create_dir(&open_dir).unwrap();
    std::fs::set_permissions(&open_dir, PermissionsExt::from_mode(0o777))
        .unwrap();
    let in_open = open_dir.join("s.sh");
    std::fs::write(&in_open, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&in_open, PermissionsExt::from_mode(0o755))
        .unwrap();
    let c = cmd(&[in_open.to_str().unwrap()]);
    match secure.prepare(&c) {
        Err(ScriptError::Insecure(f)) => {
            assert_eq!(f.path, open_dir, "{f}");
            assert!(f.to_string().contains("writable by everyone"), "{f}");
            assert!(f.to_string().contains(open_dir.to_str().unwrap()), "{f}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(lax.prepare(&c).is_ok());

    // A sticky world-writable directory is fine.
    let sticky = d.path("sticky");
    std::fs::create_dir(&sticky).unwrap();
    std::fs::set_permissions(&sticky, PermissionsExt::from_mode(0o1777))
        .unwrap();
    let in_sticky = sticky.join("s.sh");
    std::fs::write(&in_sticky, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&in_sticky, PermissionsExt::from_mode(0o755))
        .unwrap();
    if is_root() {
        secure
            .prepare(&cmd(&[in_sticky.to_str().unwrap()]))
            .unwrap();
    }

    // A world-writable script file.
    let ww = d.script("ww.sh", "exit 0");
    std::fs::set_permissions(ww, PermissionsExt::from_mode(0o757)).unwrap();
    let e = secure.prepare(&cmd(&[ww])).unwrap_err();
    assert!(
        matches!(&e, ScriptError::Insecure(f) if f.path.to_str() == Some(ww)),
        "{e}"
    );

    // Group-writable by a non-root group.
    let gw = d.script("gw.sh", "exit 0");
    if is_root() {
        std::os::unix::fs::chown(gw, None, Some(100)).unwrap();
        std::fs::set_permissions(gw, PermissionsExt::from_mode(0o775)).unwrap();
        let e = secure.prepare(&cmd(&[gw])).unwrap_err();
        assert!(e.to_string().contains("writable by group 100"), "{e}");

        // Owned by a non-root user.
        let owned = d.script("owned.sh", "exit 0");
        std::os::unix::fs::chown(owned, Some(65534), None).unwrap();
        let e = secure.prepare(&cmd(&[owned])).unwrap_err();
        assert!(e.to_string().contains("owned by uid 65534"), "{e}");
    }

    // Not executable.
    let nx = d.script("nx.sh", "exit 0");
    std::fs::set_permissions(nx, PermissionsExt::from_mode(0o644)).unwrap();
    let e = secure.prepare(&cmd(&[nx])).unwrap_err();
    assert!(
        matches!(e, ScriptError::NotFound(ref f) if f.kind == FindingKind::NotExecutable),
        "{e}"
    );
}

#[test]
fn startup_check_reports_every_bad_script_of_the_site() {
    let d = TempDir::new("script-startup");
    let good = d.script("good.sh", "exit 0");
    let bad = d.script("bad.sh", "exit 0");
    std::fs::set_permissions(bad, PermissionsExt::from_mode(0o777)).unwrap();
    let mut b = SiteBuilder::default();
    b.scripts = vec![script("chk", &[good])];
    let mut i = instance("VI_1", "eth0", 100);
    i.notify.master = Some(cmd(&[bad, "master"]));
    i.notify.backup = Some(cmd(&["/nonexistent/kac/notify.sh"]));
    b.instances = vec![i];
    let site = b.build(global());
    let findings =
        Runner::with_identity(Identity::ROOT, true).startup_check(site);
    let kinds: Vec<(FindingKind, String)> = findings
        .iter()
        .map(|f| (f.kind, f.script.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (FindingKind::Insecure, bad.to_string()),
            (
                FindingKind::NotFound,
                "/nonexistent/kac/notify.sh".to_string()
            ),
        ]
    );
}

#[test]
fn runs_as_the_script_user() {
    if !is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    let d = TempDir::new("script-user");
    std::fs::set_permissions(&d.0, PermissionsExt::from_mode(0o777)).unwrap();
    let out = d.path("id");
    let sh = d.script(
        "id.sh",
        &format!("id -u > {0}; id -g >> {0}; id -G >> {0}", out.display()),
    );
    let nobody = Identity::lookup("nobody", None).unwrap();
    let r = Runner::with_identity(nobody, false);
    let p = r.prepare(&cmd(&[sh])).unwrap();
    assert_eq!(
        p.run(&[], Duration::from_secs(5)).unwrap(),
        Outcome::Exited(0)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], nobody.uid.to_string());
    assert_eq!(lines[1], nobody.gid.to_string());
    // Supplementary groups cleared: only the primary group.
    assert_eq!(lines[2], nobody.gid.to_string());
    // A per-script user overrides the default.
    let c = cmd(&[sh]).run_as("nobody", None);
    assert_eq!(
        Runner::with_identity(Identity::ROOT, false)
            .identity(&c)
            .unwrap(),
        nobody
    );
    assert!(Runner::with_identity(Identity::ROOT, false)
        .identity(&cmd(&[sh]).run_as("no-such-user-kac", None))
        .is_err());
}

#[test]
fn a_script_does_not_outlive_the_thread_that_started_it() {
    // kacd killed (or a tracker thread gone) while a script runs: the
    // script gets SIGTERM, as keepalived's do.
    let d = TempDir::new("script-orphan");
    let pidf = d.path("script.pid");
    let sh = d.script(
        "long.sh",
        &format!("echo $$ > {}; exec sleep 30", pidf.display()),
    );
    let p = runner().prepare(&cmd(&[sh])).unwrap();
    let pf = pidf.clone();
    let (child, pid) = std::thread::spawn(move || {
        // Not waited for: the point is that this thread ends first.
        #[allow(clippy::zombie_processes)]
        let c = p.spawn(&[]).unwrap();
        (c.id(), read_pid(&pf))
    })
    .join()
    .unwrap();
    assert_eq!(pid as u32, child);
    wait_for(
        Duration::from_secs(3),
        "script gone with its thread",
        || {
            // A zombie until reaped: gone or a zombie both mean it ended.
            let st = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .unwrap_or_default();
            (st.is_empty() || st.contains(") Z ")).then_some(())
        },
    );
}
