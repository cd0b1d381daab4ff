//! `vrrp_track_process` with real processes: quorum gained and lost as
//! the test starts and kills `sleep`s, with the proc connector and with
//! /proc polling, and fork/terminate delays.

// Tests may unwrap: a failure should stop the test loudly.
#![allow(clippy::unwrap_used)]

#[path = "track_fixture.rs"]
mod fx;

use std::process::{Child, Command};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fx::*;
use kac_runtime::site::track::ParamMatch;
use kac_runtime::track::process::{spawn, Options};
use kac_runtime::track::{Stop, TrackEvent};

/// A `sleep` with a distinctive argument so parallel tests do not see
/// each other's processes.
fn sleeper(tag: &str) -> Child {
    Command::new("sleep").arg(tag).spawn().unwrap()
}

fn kill(mut c: Child) {
    let _ = c.kill();
    let _ = c.wait();
}

fn next(rx: &Receiver<TrackEvent>, limit: Duration) -> (TrackEvent, Duration) {
    let t0 = Instant::now();
    let ev = rx.recv_timeout(limit).expect("a process event");
    (ev, t0.elapsed())
}

fn scenario(opts: Options, tag: &'static str) -> Vec<Duration> {
    let mut p = track_process("sleeps", &["sleep", tag]);
    p.quorum = 2;
    p.quorum_max = Some(3);
    let mut any =
        track_process("any-sleep-tag", &["sleep", &tag[..tag.len() - 1]]);
    any.param_match = ParamMatch::Initial;
    let site = SiteBuilder {
        track_processes: vec![p, any],
        ..SiteBuilder::default()
    }
    .build(global());
    let (tx, rx) = sync_channel(16);
    let stop = Arc::new(Stop::default());
    let (h, initial) =
        spawn(site.track_processes, opts, tx, stop.clone()).unwrap();
    let limit = Duration::from_secs(5);
    assert_eq!(initial, vec![false, false]);
    let mut lat = Vec::new();

    let a = sleeper(tag);
    // One process: `initial` matching sees it, quorum 2 does not.
    let (ev, l) = next(&rx, limit);
    assert_eq!(ev, TrackEvent::Process { index: 1, ok: true });
    lat.push(l);
    let b = sleeper(tag);
    let (ev, l) = next(&rx, limit);
    assert_eq!(ev, TrackEvent::Process { index: 0, ok: true });
    lat.push(l);
    let c = sleeper(tag);
    let d = sleeper(tag);
    // Four: above quorum_max.
    let (ev, l) = next(&rx, limit);
    assert_eq!(
        ev,
        TrackEvent::Process {
            index: 0,
            ok: false
        }
    );
    lat.push(l);
    kill(d);
    assert_eq!(
        next(&rx, limit).0,
        TrackEvent::Process { index: 0, ok: true }
    );
    kill(c);
    kill(b);
    let (ev, l) = next(&rx, limit);
    assert_eq!(
        ev,
        TrackEvent::Process {
            index: 0,
            ok: false
        }
    );
    lat.push(l);
    kill(a);
    assert_eq!(
        next(&rx, limit).0,
        TrackEvent::Process {
            index: 1,
            ok: false
        }
    );
    stop.set();
    h.join().unwrap();
    lat
}

#[test]
fn quorum_with_the_proc_connector() {
    if !is_root() {
        eprintln!("skipped: the proc connector needs root");
        return;
    }
    if !kac_runtime::track::process::connector_available() {
        eprintln!("skipped: no proc connector here (not the initial netns?)");
        return;
    }
    let lat = scenario(Options::default(), "7101");
    // Event-driven: well under the 1 s safety poll.
    let worst = lat.iter().max().unwrap();
    eprintln!("proc connector latencies: {lat:?}");
    assert!(*worst < Duration::from_millis(500), "{lat:?}");
}

#[test]
fn quorum_with_proc_polling() {
    let opts = Options {
        connector: false,
        poll: Duration::from_millis(100),
    };
    let lat = scenario(opts, "8202");
    eprintln!("polling latencies: {lat:?}");
}

#[test]
fn fork_and_terminate_delays() {
    let mut p = track_process("delayed", &["sleep", "9303"]);
    p.fork_delay = Some(Duration::from_millis(600));
    p.terminate_delay = Some(Duration::from_millis(600));
    let site = SiteBuilder {
        track_processes: vec![p],
        ..SiteBuilder::default()
    }
    .build(global());
    let (tx, rx) = sync_channel(16);
    let stop = Arc::new(Stop::default());
    let opts = Options {
        connector: false,
        poll: Duration::from_millis(50),
    };
    let (h, initial) =
        spawn(site.track_processes, opts, tx, stop.clone()).unwrap();
    let limit = Duration::from_secs(5);
    assert_eq!(initial, vec![false]);
    // A process that lives shorter than fork_delay is never reported.
    let short = sleeper("9303");
    std::thread::sleep(Duration::from_millis(250));
    kill(short);
    assert!(rx.recv_timeout(Duration::from_millis(900)).is_err());
    let a = sleeper("9303");
    let (ev, l) = next(&rx, limit);
    assert_eq!(ev, TrackEvent::Process { index: 0, ok: true });
    assert!(
        l >= Duration::from_millis(600),
        "fork_delay respected: {l:?}"
    );
    kill(a);
    let (ev, l) = next(&rx, limit);
    assert_eq!(
        ev,
        TrackEvent::Process {
            index: 0,
            ok: false
        }
    );
    assert!(
        l >= Duration::from_millis(600),
        "terminate_delay respected: {l:?}"
    );
    stop.set();
    h.join().unwrap();
}
