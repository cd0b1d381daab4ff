//! `vrrp_script` trackers with real scripts: rise/fall sequences, a hung
//! script killed at its timeout without delaying the other trackers,
//! disabled scripts, and stopping.

// Tests may unwrap: a failure should stop the test loudly.
#![allow(clippy::unwrap_used)]

#[path = "track_fixture.rs"]
mod fx;

use std::sync::mpsc::{sync_channel, Receiver};
use std::time::{Duration, Instant};

use fx::*;
use kac_runtime::script::{Identity, Runner};
use kac_runtime::site::{Interval, Weight};
use kac_runtime::track::{ScriptState, TrackEvent, Trackers};

fn lax() -> Runner {
    Runner::with_identity(Identity::current(), false)
}

fn next(rx: &Receiver<TrackEvent>, limit: Duration) -> TrackEvent {
    rx.recv_timeout(limit).expect("a tracker event in time")
}

/// Timestamps (ms since the epoch) a script logged, one per run.
fn runs(path: &std::path::Path) -> Vec<u64> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// A script that logs each run and exits with the next code of `codes`
/// (then 0 forever).
fn sequenced(
    d: &TempDir,
    name: &str,
    codes: &[u8],
) -> (&'static str, std::path::PathBuf) {
    let log = d.path(&format!("{name}.log"));
    let plan = d.path(&format!("{name}.plan"));
    let text: String = codes.iter().map(|c| format!("{c}\n")).collect();
    std::fs::write(&plan, text).unwrap();
    let sh = d.script(
        name,
        &format!(
            "date +%s%3N >> {log}\n\
             n=$(wc -l < {log})\n\
             c=$(sed -n \"${{n}}p\" {plan})\n\
             exit ${{c:-0}}",
            log = log.display(),
            plan = plan.display()
        ),
    );
    (sh, log)
}

#[test]
fn rise_and_fall_debounce_exactly_as_keepalived() {
    let d = TempDir::new("track-risefall");
    // rise 2, fall 2: first result reported at once, then 2 failures to
    // go down, 2 successes to come back.
    let (sh, log) = sequenced(&d, "seq.sh", &[0, 1, 1, 1, 0, 0, 1, 0]);
    let mut s = script("chk", &[sh]);
    s.interval = Interval::from_micros(100_000);
    s.rise = 2;
    s.fall = 2;
    let site = SiteBuilder {
        scripts: vec![s],
        ..SiteBuilder::default()
    }
    .build(global());
    let (tx, rx) = sync_channel(16);
    let (t, _) = Trackers::start(site, &lax(), tx).unwrap();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let ev = next(&rx, Duration::from_secs(5));
        seen.push((ev, runs(&log).len()));
    }
    // Let two more runs happen: a single failure (run 7) must not be
    // reported with fall 2.
    wait_for(Duration::from_secs(5), "9 runs", || {
        (runs(&log).len() >= 9).then_some(())
    });
    t.stop();
    assert!(rx.try_recv().is_err(), "no event for a single failure");
    assert_eq!(
        seen,
        vec![
            (TrackEvent::Script { index: 0, ok: true }, 1),
            (
                TrackEvent::Script {
                    index: 0,
                    ok: false
                },
                3
            ),
            (TrackEvent::Script { index: 0, ok: true }, 6),
        ]
    );
    // Runs are an interval apart.
    let r = runs(&log);
    for w in r.windows(2) {
        let gap = w[1] - w[0];
        assert!((80..1000).contains(&gap), "gap {gap} ms in {r:?}");
    }
}

#[test]
fn init_fail_reports_nothing_until_rise_successes() {
    let d = TempDir::new("track-initfail");
    let (sh, log) = sequenced(&d, "ok.sh", &[0, 0, 0]);
    let mut s = script("chk", &[sh]);
    s.interval = Interval::from_micros(100_000);
    s.init_fail = true;
    s.rise = 3;
    let site = SiteBuilder {
        scripts: vec![s],
        ..SiteBuilder::default()
    }
    .build(global());
    let (tx, rx) = sync_channel(16);
    let (t, _) = Trackers::start(site, &lax(), tx).unwrap();
    let ev = next(&rx, Duration::from_secs(5));
    let n = runs(&log).len();
    t.stop();
    assert_eq!(ev, TrackEvent::Script { index: 0, ok: true });
    assert_eq!(n, 3, "reported on the third success");
}

#[test]
fn a_hung_script_is_killed_and_delays_nothing_else() {
    let d = TempDir::new("track-hang");
    let pidf = d.path("hang.pid");
    let hang = d.script(
        "hang.sh",
        &format!("sleep 30 & echo $! > {}; wait", pidf.display()),
    );
    let (fast, fast_log) = sequenced(&d, "fast.sh", &[]);
    let mut h = script("hang", &[hang]);
    h.interval = Interval::from_micros(100_000);
    h.timeout = Duration::from_millis(1500);
    h.weight = Weight::new(-10);
    let mut f = script("fast", &[fast]);
    f.interval = Interval::from_micros(100_000);
    let site = SiteBuilder {
        scripts: vec![h, f],
        ..SiteBuilder::default()
    }
    .build(global());
    let (tx, rx) = sync_channel(16);
    let t0 = Instant::now();
    let (t, _) = Trackers::start(site, &lax(), tx).unwrap();
    let mut hang_failed = None;
    let deadline = Instant::now() + Duration::from_secs(5);
    while hang_failed.is_none() && Instant::now() < deadline {
        if let Ok(TrackEvent::Script { index: 0, ok }) =
            rx.recv_timeout(Duration::from_millis(50))
        {
            assert!(!ok);
            hang_failed = Some(t0.elapsed());
        }
    }
    let took = hang_failed.expect("the hung script reported failed");
    assert!(
        took >= Duration::from_millis(1500)
            && took < Duration::from_millis(3000),
        "timed out after its timeout: {took:?}"
    );
    let child: i32 = std::fs::read_to_string(&pidf)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    wait_for(
        Duration::from_secs(3),
        "the hung script's child killed",
        || (!alive(child)).then_some(()),
    );
    t.stop();
    // The fast script (every 100 ms) kept its schedule during the 1.5 s
    // hang: run back to back it would have waited the full 1.5 s once.
    let r = runs(&fast_log);
    assert!(r.len() >= 10, "fast script ran on schedule: {r:?}");
    let worst = r.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    assert!(worst < 700, "fast script delayed by {worst} ms: {r:?}");
    eprintln!("fast script: {} runs, worst gap {worst} ms", r.len());
}

#[test]
fn an_insecure_script_is_disabled_and_stop_kills_a_running_one() {
    let d = TempDir::new("track-disable");
    let bad = d.script("bad.sh", "exit 0");
    std::fs::set_permissions(
        bad,
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let pidf = d.path("long.pid");
    let long = d.script(
        "long.sh",
        &format!("echo $$ > {}; sleep 30", pidf.display()),
    );
    let mut l = script("long", &[long]);
    l.timeout = Duration::from_secs(60);
    let site = SiteBuilder {
        scripts: vec![script("bad", &[bad]), l],
        ..SiteBuilder::default()
    }
    .build(global());
    let (tx, rx) = sync_channel(16);
    let runner = Runner::with_identity(Identity::ROOT, true);
    let (t, initial) = Trackers::start(site, &runner, tx).unwrap();
    assert_eq!(initial.scripts, vec![ScriptState::Init, ScriptState::Init]);
    assert_eq!(
        next(&rx, Duration::from_secs(5)),
        TrackEvent::ScriptDisabled { index: 0 }
    );
    let pid: i32 =
        wait_for(Duration::from_secs(5), "long script started", || {
            std::fs::read_to_string(&pidf).ok()?.trim().parse().ok()
        });
    let t0 = Instant::now();
    t.stop();
    let took = t0.elapsed();
    assert!(took < Duration::from_secs(1), "stop waited {took:?}");
    wait_for(Duration::from_secs(3), "script killed on stop", || {
        (!alive(pid)).then_some(())
    });
}
