//! `vrrp_track_file` with a real file: init_file, writes, renames into
//! place, deletion, bad values.

// Tests may unwrap: a failure should stop the test loudly.
#![allow(clippy::unwrap_used)]

#[path = "track_fixture.rs"]
mod fx;

use std::sync::mpsc::{sync_channel, Receiver};
use std::time::{Duration, Instant};

use fx::*;
use kac_runtime::script::{Identity, Runner};
use kac_runtime::track::{TrackEvent, Trackers};

fn next(rx: &Receiver<TrackEvent>) -> TrackEvent {
    rx.recv_timeout(Duration::from_secs(5))
        .expect("a track file event")
}

#[test]
fn values_follow_the_file() {
    let d = TempDir::new("trackfile");
    let a = d.p("a");
    let b = d.p("b");
    let c = d.p("c");
    std::fs::write(c, "41\n").unwrap();
    let mut fa = track_file("fa", a);
    fa.init_value = Some(7);
    let fb = track_file("fb", b);
    let mut fc = track_file("fc", c);
    fc.init_value = Some(3);
    fc.init_overwrite = true;
    let site = SiteBuilder {
        track_files: vec![fa, fb, fc],
        ..SiteBuilder::default()
    }
    .build(global());
    // A channel of 1: start() must not need the consumer to run.
    let (tx, rx) = sync_channel(1);
    let (t, initial) = Trackers::start(
        site,
        &Runner::with_identity(Identity::current(), false),
        tx,
    )
    .unwrap();
    // Start-up values: a created with 7, b missing (0), c overwritten.
    assert_eq!(initial.files, vec![7, 0, 3]);
    assert!(rx.try_recv().is_err(), "no events for the start state");
    assert_eq!(std::fs::read_to_string(a).unwrap(), "7\n");

    let t0 = Instant::now();
    std::fs::write(b, "-12\n").unwrap();
    assert_eq!(
        next(&rx),
        TrackEvent::File {
            index: 1,
            value: -12
        }
    );
    let latency = t0.elapsed();

    // Written elsewhere and renamed into place (IN_MOVED_TO).
    let tmp = d.path("b.tmp");
    std::fs::write(&tmp, "0x10").unwrap();
    std::fs::rename(&tmp, b).unwrap();
    assert_eq!(
        next(&rx),
        TrackEvent::File {
            index: 1,
            value: 16
        }
    );

    // The same value again: no event; then a real change.
    std::fs::write(b, "16\n").unwrap();
    std::fs::write(a, "not a number").unwrap();
    assert_eq!(next(&rx), TrackEvent::File { index: 0, value: 0 });

    // Out of range: ignored, then deleting reads as 0.
    std::fs::write(b, "99999999999").unwrap();
    std::fs::remove_file(b).unwrap();
    assert_eq!(next(&rx), TrackEvent::File { index: 1, value: 0 });
    t.stop();
    assert!(rx.try_recv().is_err());
    assert!(
        latency < Duration::from_millis(500),
        "inotify latency {latency:?}"
    );
    eprintln!("track file write -> event: {latency:?}");
}

#[test]
fn init_file_keeps_an_existing_file_without_overwrite() {
    let d = TempDir::new("trackfile-init");
    let a = d.p("a");
    std::fs::write(a, "5").unwrap();
    let mut fa = track_file("fa", a);
    fa.init_value = Some(9);
    kac_runtime::track::file::init_file(&fa).unwrap();
    assert_eq!(std::fs::read_to_string(a).unwrap(), "5");
    fa.init_overwrite = true;
    kac_runtime::track::file::init_file(&fa).unwrap();
    assert_eq!(std::fs::read_to_string(a).unwrap(), "9\n");
}

#[test]
fn stop_returns_while_the_channel_is_full() {
    let d = TempDir::new("trackfile-full");
    let a = d.p("a");
    let site = SiteBuilder {
        track_files: vec![track_file("fa", a)],
        ..SiteBuilder::default()
    }
    .build(global());
    let (tx, rx) = sync_channel(1);
    let (t, _) = Trackers::start(
        site,
        &Runner::with_identity(Identity::current(), false),
        tx,
    )
    .unwrap();
    // Nobody reads: the first change fills the channel, the second waits.
    std::fs::write(a, "1").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    std::fs::write(a, "2").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let t0 = Instant::now();
    t.stop();
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    assert_eq!(rx.try_recv(), Ok(TrackEvent::File { index: 0, value: 1 }));
}
