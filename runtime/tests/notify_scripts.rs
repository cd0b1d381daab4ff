//! Notify scripts and FIFOs with real scripts that record their
//! arguments: keepalived's argument lists, FIFO lines, per-object order,
//! the FIFO script, and STOP scripts cut off after 1 s.

// Tests may unwrap: a failure should stop the test loudly.
#![allow(clippy::unwrap_used)]

#[path = "track_fixture.rs"]
mod fx;

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use fx::*;
use kac_runtime::notify::{Event, Fifo, InstanceEvent, Notifier, State};
use kac_runtime::script::{Identity, Runner};

fn lax() -> Runner {
    Runner::with_identity(Identity::current(), false)
}

/// A script appending `TAG arg1|arg2|...` to `log` (after `delay`).
fn recorder(d: &TempDir, name: &str, delay: &str) -> &'static str {
    d.script(
        name,
        &format!(
            "sleep {delay}; printf '%s' \"$(basename $0)\" >> {log}; \
             for a in \"$@\"; do printf ' %s|' \"$a\" >> {log}; done; echo >> {log}",
            log = d.path("log").display()
        ),
    )
}

fn log_lines(d: &TempDir) -> Vec<String> {
    std::fs::read_to_string(d.path("log"))
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn scripts_get_keepalived_arguments_in_order_and_fifo_lines() {
    let d = TempDir::new("notify");
    let slow = recorder(&d, "master.sh", "0.3");
    let fast = recorder(&d, "generic.sh", "0");
    let backup = recorder(&d, "backup.sh", "0");
    let lower = recorder(&d, "lower.sh", "0");
    let gmaster = recorder(&d, "gmaster.sh", "0");
    let mut i = instance("VI_1", "eth0", 100);
    i.notify.master = Some(cmd(&[slow, "to master", "x"]));
    i.notify.backup = Some(cmd(&[backup]));
    i.notify.notify = Some(cmd(&[fast, "inst"]));
    i.notify.master_rx_lower_pri = Some(cmd(&[lower]));
    let mut g = group("VG_1", &[0]);
    g.notify.master = Some(cmd(&[gmaster]));
    g.notify.notify = Some(cmd(&[fast, "grp"]));
    let site = SiteBuilder {
        instances: vec![i],
        sync_groups: vec![g],
        ..SiteBuilder::default()
    }
    .build(global());

    let fifo_path = d.p("notify.fifo");
    let fifo = Fifo::open(fifo_path, None, &lax()).unwrap();
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(fifo_path)
        .unwrap();
    let n = Notifier::start(site, lax(), vec![fifo]).unwrap();

    let t0 = Instant::now();
    n.notify(Event::Instance {
        index: 0,
        state: State::Master,
        priority: 100,
    });
    n.notify(Event::Group {
        index: 0,
        state: State::Master,
    });
    n.notify(Event::Instance {
        index: 0,
        state: State::Backup,
        priority: 90,
    });
    n.notify(Event::InstanceEvent {
        index: 0,
        event: InstanceEvent::MasterRxLowerPri,
        priority: 90,
    });
    let queued_in = t0.elapsed();
    assert!(
        queued_in < Duration::from_millis(20),
        "notify() blocked {queued_in:?}"
    );

    let lines = wait_for(Duration::from_secs(10), "7 script runs", || {
        let l = log_lines(&d);
        (l.len() >= 7).then_some(l)
    });
    let inst: Vec<&String> = lines
        .iter()
        .filter(|l| !l.starts_with("gmaster") && !l.contains(" grp|"))
        .collect();
    // Per instance, in event order, the state's script before `notify`,
    // even though notify_master takes 300 ms.
    assert_eq!(
        inst,
        vec![
            "master.sh to master| x|",
            "generic.sh inst| INSTANCE| VI_1| MASTER| 100|",
            "backup.sh",
            "generic.sh inst| INSTANCE| VI_1| BACKUP| 90|",
            "lower.sh",
        ]
    );
    // The group's scripts did not wait for the instance's slow one.
    let gpos = lines.iter().position(|l| l.starts_with("gmaster")).unwrap();
    let mpos = lines
        .iter()
        .position(|l| l.starts_with("master.sh"))
        .unwrap();
    assert!(gpos < mpos, "{lines:?}");
    assert!(
        lines.contains(&"generic.sh grp| GROUP| VG_1| MASTER| 0|".to_string())
    );

    let mut buf = String::new();
    let _ = reader.read_to_string(&mut buf);
    assert_eq!(
        buf,
        "INSTANCE \"VI_1\" MASTER 100\n\
         GROUP \"VG_1\" MASTER 0\n\
         INSTANCE \"VI_1\" BACKUP 90\n\
         INSTANCE \"VI_1\" MASTER_RX_LOWER_PRI 90\n"
    );
    n.stop(Duration::from_secs(5));
    assert!(
        !std::path::Path::new(fifo_path).exists(),
        "created FIFO removed at stop"
    );
}

#[test]
fn stop_scripts_are_cut_off_after_one_second() {
    let d = TempDir::new("notify-stop");
    let pidf = d.path("stop.pid");
    let stop = d.script(
        "stop.sh",
        &format!("echo $$ > {}; sleep 30", pidf.display()),
    );
    let mut i = instance("VI_1", "eth0", 100);
    i.notify.stop = Some(cmd(&[stop]));
    let site = SiteBuilder {
        instances: vec![i],
        ..SiteBuilder::default()
    }
    .build(global());
    let n = Notifier::start(site, lax(), Vec::new()).unwrap();
    let t0 = Instant::now();
    n.notify(Event::Instance {
        index: 0,
        state: State::Stop,
        priority: 100,
    });
    n.stop(Duration::from_secs(5));
    let took = t0.elapsed();
    let pid: i32 = std::fs::read_to_string(&pidf)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!alive(pid), "stop script killed");
    assert!(
        took >= Duration::from_millis(950)
            && took < Duration::from_millis(2500),
        "{took:?}"
    );
}

#[test]
fn fifo_script_reads_the_fifo() {
    let d = TempDir::new("notify-fifoscript");
    let out = d.path("fifo.out");
    let reader = d.script(
        "reader.sh",
        &format!(
            "while read l; do echo \"$l\" >> {}; done < \"$1\"",
            out.display()
        ),
    );
    let fifo_path = d.p("vrrp.fifo");
    let fifo = Fifo::open(fifo_path, Some(&cmd(&[reader])), &lax()).unwrap();
    let site = SiteBuilder {
        instances: vec![instance("VI_9", "eth0", 100)],
        ..SiteBuilder::default()
    }
    .build(global());
    let n = Notifier::start(site, lax(), vec![fifo]).unwrap();
    n.notify(Event::Instance {
        index: 0,
        state: State::Fault,
        priority: 100,
    });
    let got =
        wait_for(Duration::from_secs(5), "the FIFO script's line", || {
            std::fs::read_to_string(&out)
                .ok()
                .filter(|s| s.ends_with('\n'))
        });
    assert_eq!(got, "INSTANCE \"VI_9\" FAULT 100\n");
    n.stop(Duration::from_secs(5));
}

#[test]
fn deleted_is_notified_as_fault() {
    // vrrp_notify.c send_instance_notifies: without notify_deleted, an
    // instance deleted on reload is reported as FAULT.
    let d = TempDir::new("notify-deleted");
    let fault = recorder(&d, "fault.sh", "0");
    let mut i = instance("VI_1", "eth0", 100);
    i.notify.fault = Some(cmd(&[fault]));
    i.notify.notify = Some(cmd(&[fault, "g"]));
    let site = SiteBuilder {
        instances: vec![i],
        ..SiteBuilder::default()
    }
    .build(global());
    let ev = Event::Instance {
        index: 0,
        state: State::Deleted,
        priority: 100,
    };
    assert_eq!(
        kac_runtime::notify::fifo_line(site, &ev).as_deref(),
        Some("INSTANCE \"VI_1\" FAULT 100\n")
    );
    let n = Notifier::start(site, lax(), Vec::new()).unwrap();
    n.notify(ev);
    n.stop(Duration::from_secs(5));
    assert_eq!(
        log_lines(&d),
        vec!["fault.sh", "fault.sh g| INSTANCE| VI_1| FAULT| 100|"]
    );
}

#[test]
fn refused_notify_scripts_are_not_run() {
    let d = TempDir::new("notify-sec");
    let bad = recorder(&d, "bad.sh", "0");
    std::fs::set_permissions(
        bad,
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let good = recorder(&d, "good.sh", "0");
    let mut i = instance("VI_1", "eth0", 100);
    i.notify.master = Some(cmd(&[bad]));
    i.notify.notify = Some(cmd(&[good]));
    let site = SiteBuilder {
        instances: vec![i],
        ..SiteBuilder::default()
    }
    .build(global());
    let n = Notifier::start(
        site,
        Runner::with_identity(Identity::ROOT, true),
        Vec::new(),
    )
    .unwrap();
    n.notify(Event::Instance {
        index: 0,
        state: State::Master,
        priority: 100,
    });
    n.stop(Duration::from_secs(5));
    assert_eq!(log_lines(&d), vec!["good.sh INSTANCE| VI_1| MASTER| 100|"]);
}
