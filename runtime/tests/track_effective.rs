//! `track::effective`: keepalived 2.2.7's effective priority and fault
//! rules, one table row per rule, each with the source it comes from.

// Tests may unwrap: a failure should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::field_reassign_with_default)]

#[path = "track_fixture.rs"]
mod fx;

use fx::*;
use kac_runtime::site::IfName;
use kac_runtime::track::{effective, Effective, ScriptState, TrackerStates};

use ScriptState::{Failed, Init, Ok as Up};

struct Case {
    name: &'static str,
    /// keepalived source the row follows.
    source: &'static str,
    site: SiteBuilder,
    scripts: Vec<ScriptState>,
    files: Vec<i64>,
    procs: Vec<bool>,
    down: &'static [&'static str],
    /// (fault, init, priority) of instance 0.
    want: (bool, bool, u8),
}

fn one(inst: kac_runtime::site::vrrp::Instance) -> SiteBuilder {
    SiteBuilder {
        instances: vec![inst],
        scripts: (0..4)
            .map(|i| script(&format!("s{i}"), &["/bin/true"]))
            .collect(),
        track_files: (0..2)
            .map(|i| track_file(&format!("f{i}"), "/nonexistent"))
            .collect(),
        track_processes: (0..2)
            .map(|i| track_process(&format!("p{i}"), &["x"]))
            .collect(),
        ..SiteBuilder::default()
    }
}

fn with<F: FnOnce(&mut kac_runtime::site::vrrp::Instance)>(
    prio: u8,
    f: F,
) -> SiteBuilder {
    let mut i = instance("VI_1", "eth0", prio);
    f(&mut i);
    one(i)
}

#[allow(clippy::too_many_arguments)]
fn case(
    name: &'static str,
    source: &'static str,
    site: SiteBuilder,
    scripts: &[ScriptState],
    files: &[i64],
    procs: &[bool],
    down: &'static [&'static str],
    want: (bool, bool, u8),
) -> Case {
    let mut sc = vec![Init; 4];
    sc[..scripts.len()].copy_from_slice(scripts);
    let mut fl = vec![0; 2];
    fl[..files.len()].copy_from_slice(files);
    let mut pr = vec![false; 2];
    pr[..procs.len()].copy_from_slice(procs);
    Case {
        name,
        source,
        site,
        scripts: sc,
        files: fl,
        procs: pr,
        down,
        want,
    }
}

fn cases() -> Vec<Case> {
    vec![
        case(
            "no trackers: base priority",
            "vrrp_track.c:558 vrrp_set_effective_priority",
            with(100, |_| {}),
            &[],
            &[],
            &[],
            &[],
            (false, false, 100),
        ),
        case(
            "own interface down: fault",
            "vrrp.c:3541 add_vrrp_to_interface weight 0",
            with(100, |_| {}),
            &[],
            &[],
            &[],
            &["eth0"],
            (true, false, 100),
        ),
        case(
            "dont_track_primary: own interface ignored",
            "vrrp.c:3541 VRRP_NOT_TRACK_IF; vrrp_track.c:729",
            with(100, |i| i.dont_track_primary = true),
            &[],
            &[],
            &[],
            &["eth0"],
            (false, false, 100),
        ),
        case(
            "track_interface weight 0 down: fault",
            "vrrp_track.c:731-737",
            with(100, |i| {
                i.track_interfaces = leak(vec![tif("eth1", 0, false)])
            }),
            &[],
            &[],
            &[],
            &["eth1"],
            (true, false, 100),
        ),
        case(
            "track_interface weight 0 reverse, up: fault",
            "vrrp_track.c:733 IF_FLAGS_UP != (multiplier == 1)",
            with(100, |i| {
                i.track_interfaces = leak(vec![tif("eth1", 0, true)])
            }),
            &[],
            &[],
            &[],
            &[],
            (true, false, 100),
        ),
        case(
            "track_interface +10 up adds",
            "vrrp_track.c:739-741",
            with(100, |i| {
                i.track_interfaces = leak(vec![tif("eth1", 10, false)])
            }),
            &[],
            &[],
            &[],
            &[],
            (false, false, 110),
        ),
        case(
            "track_interface +10 down adds nothing",
            "vrrp_track.c:739-745",
            with(100, |i| {
                i.track_interfaces = leak(vec![tif("eth1", 10, false)])
            }),
            &[],
            &[],
            &[],
            &["eth1"],
            (false, false, 100),
        ),
        case(
            "track_interface -10 down subtracts",
            "vrrp_track.c:743-744",
            with(100, |i| {
                i.track_interfaces = leak(vec![tif("eth1", -10, false)])
            }),
            &[],
            &[],
            &[],
            &["eth1"],
            (false, false, 90),
        ),
        case(
            "track_interface +10 reverse up subtracts",
            "vrrp_track.c:741 weight * multiplier",
            with(100, |i| {
                i.track_interfaces = leak(vec![tif("eth1", 10, true)])
            }),
            &[],
            &[],
            &[],
            &[],
            (false, false, 90),
        ),
        case(
            "track_interface -10 reverse down adds",
            "vrrp_track.c:744 weight * multiplier",
            with(100, |i| {
                i.track_interfaces = leak(vec![tif("eth1", -10, true)])
            }),
            &[],
            &[],
            &[],
            &["eth1"],
            (false, false, 110),
        ),
        case(
            "track_interface line naming the own interface is ignored",
            "vrrp.c vrrp_complete_instance 'since own interface'",
            with(100, |i| {
                i.dont_track_primary = true;
                i.track_interfaces = leak(vec![tif("eth0", -50, false)])
            }),
            &[],
            &[],
            &[],
            &["eth0"],
            (false, false, 100),
        ),
        case(
            "script weight 0 failed: fault",
            "vrrp_track.c:612 script_ok != (multiplier == 1)",
            with(100, |i| i.track_scripts = leak(vec![tref(0, 0, false)])),
            &[Failed],
            &[],
            &[],
            &[],
            (true, false, 100),
        ),
        case(
            "script weight 0 reverse OK: fault",
            "vrrp_track.c:612",
            with(100, |i| i.track_scripts = leak(vec![tref(0, 0, true)])),
            &[Up],
            &[],
            &[],
            &[],
            (true, false, 100),
        ),
        case(
            "script weight 0 not run yet: init hold, no fault",
            "vrrp_track.c:662 num_script_init; vrrp_scheduler.c:272",
            with(100, |i| i.track_scripts = leak(vec![tref(0, 0, false)])),
            &[Init],
            &[],
            &[],
            &[],
            (false, true, 100),
        ),
        case(
            "weighted script not run yet: nothing",
            "vrrp_track.c:675 init state adds nothing",
            with(100, |i| i.track_scripts = leak(vec![tref(0, 20, false)])),
            &[Init],
            &[],
            &[],
            &[],
            (false, false, 100),
        ),
        case(
            "script +20 OK adds",
            "vrrp_track.c:626-628",
            with(100, |i| i.track_scripts = leak(vec![tref(0, 20, false)])),
            &[Up],
            &[],
            &[],
            &[],
            (false, false, 120),
        ),
        case(
            "script +20 failed adds nothing",
            "vrrp_track.c:636-639 (+|w| on OK, -|w| on KO)",
            with(100, |i| i.track_scripts = leak(vec![tref(0, 20, false)])),
            &[Failed],
            &[],
            &[],
            &[],
            (false, false, 100),
        ),
        case(
            "script -20 failed subtracts",
            "vrrp_track.c:630-631",
            with(100, |i| i.track_scripts = leak(vec![tref(0, -20, false)])),
            &[Failed],
            &[],
            &[],
            &[],
            (false, false, 80),
        ),
        case(
            "script +20 reverse OK subtracts",
            "vrrp_track.c:628 weight * multiplier",
            with(100, |i| i.track_scripts = leak(vec![tref(0, 20, true)])),
            &[Up],
            &[],
            &[],
            &[],
            (false, false, 80),
        ),
        case(
            "script -20 reverse failed adds",
            "vrrp_track.c:631 weight * multiplier",
            with(100, |i| i.track_scripts = leak(vec![tref(0, -20, true)])),
            &[Failed],
            &[],
            &[],
            &[],
            (false, false, 120),
        ),
        case(
            "sum clamps to 254",
            "vrrp_track.c:568-569 VRRP_PRIO_OWNER - 1",
            with(200, |i| i.track_scripts = leak(vec![tref(0, 100, false)])),
            &[Up],
            &[],
            &[],
            &[],
            (false, false, 254),
        ),
        case(
            "sum clamps to 1",
            "vrrp_track.c:566-567",
            with(50, |i| i.track_scripts = leak(vec![tref(0, -100, false)])),
            &[Failed],
            &[],
            &[],
            &[],
            (false, false, 1),
        ),
        case(
            "address owner: weighted trackers dropped, 255 kept",
            "vrrp.c:3830-3860; vrrp_track.c:563",
            with(255, |i| {
                i.track_scripts = leak(vec![tref(0, -100, false)]);
                i.track_interfaces = leak(vec![tif("eth1", -50, false)])
            }),
            &[Failed],
            &[],
            &[],
            &["eth1"],
            (false, false, 255),
        ),
        case(
            "address owner: weight 0 script still faults",
            "vrrp.c:3853 only weighted scripts dropped",
            with(255, |i| i.track_scripts = leak(vec![tref(0, 0, false)])),
            &[Failed],
            &[],
            &[],
            &[],
            (true, false, 255),
        ),
        case(
            "file weight 1: value added",
            "track_file.c:643 new_status * weight * multiplier",
            with(100, |i| i.track_files = leak(vec![tref(0, 1, false)])),
            &[],
            &[7],
            &[],
            &[],
            (false, false, 107),
        ),
        case(
            "file weight -2 reverse: value*weight*-1",
            "track_file.c:643",
            with(100, |i| i.track_files = leak(vec![tref(0, -2, true)])),
            &[],
            &[5],
            &[],
            &[],
            (false, false, 110),
        ),
        case(
            "file contribution capped at 253",
            "track_file.c:540-543",
            with(100, |i| i.track_files = leak(vec![tref(0, 10, false)])),
            &[],
            &[1000],
            &[],
            &[],
            (false, false, 254),
        ),
        case(
            "file status -254 or less: fault",
            "track_file.c:558 new_status == -254 -> down_instance",
            with(100, |i| i.track_files = leak(vec![tref(0, 1, false)])),
            &[],
            &[-300],
            &[],
            &[],
            (true, false, 100),
        ),
        case(
            "file -253: not a fault, clamped to 1",
            "track_file.c:537-541",
            with(100, |i| i.track_files = leak(vec![tref(0, 1, false)])),
            &[],
            &[-253],
            &[],
            &[],
            (false, false, 1),
        ),
        case(
            "file weight 0: non-zero is fault",
            "track_file.c:641 !new_status != (multiplier == 1)",
            with(100, |i| i.track_files = leak(vec![tref(0, 0, false)])),
            &[],
            &[3],
            &[],
            &[],
            (true, false, 100),
        ),
        case(
            "file weight 0 reverse: zero is fault",
            "track_file.c:641",
            with(100, |i| i.track_files = leak(vec![tref(0, 0, true)])),
            &[],
            &[0],
            &[],
            &[],
            (true, false, 100),
        ),
        case(
            "process weight 0 no quorum: fault",
            "vrrp_track.c:791",
            with(100, |i| i.track_processes = leak(vec![tref(0, 0, false)])),
            &[],
            &[],
            &[false],
            &[],
            (true, false, 100),
        ),
        case(
            "process -30 no quorum subtracts; +5 with quorum adds",
            "vrrp_track.c:799-807",
            with(100, |i| {
                i.track_processes =
                    leak(vec![tref(0, -30, false), tref(1, 5, false)])
            }),
            &[],
            &[],
            &[false, true],
            &[],
            (false, false, 75),
        ),
        case(
            "trackers add up",
            "vrrp_track.c:855 initialise_tracking_priorities",
            with(100, |i| {
                i.track_interfaces = leak(vec![tif("eth1", 5, false)]);
                i.track_scripts =
                    leak(vec![tref(0, 20, false), tref(1, -10, false)]);
                i.track_files = leak(vec![tref(0, 2, false)]);
            }),
            &[Up, Failed],
            &[3],
            &[],
            &[],
            (false, false, 121),
        ),
    ]
}

#[test]
fn keepalived_rules() {
    let mut failures = Vec::new();
    for c in cases() {
        let site = c.site.build(global());
        let st = TrackerStates {
            scripts: c.scripts,
            files: c.files,
            processes: c.procs,
        };
        let down = c.down;
        let got =
            effective(site, 0, &st, |n: IfName| !down.contains(&n.as_str()));
        let want = Effective {
            fault: c.want.0,
            init: c.want.1,
            priority: c.want.2,
            total: got.total,
        };
        if got != want {
            failures.push(format!(
                "{} ({}): got fault={} init={} prio={}, want {:?}",
                c.name, c.source, got.fault, got.init, got.priority, c.want
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn sync_site(tracking_weight: bool, second_prio: u8) -> SiteBuilder {
    let mut a = instance("VI_1", "eth0", 100);
    a.track_scripts = leak(vec![tref(0, -20, false), tref(1, 0, false)]);
    a.track_interfaces = leak(vec![tif("eth1", -10, false)]);
    a.track_files = leak(vec![tref(0, 1, false), tref(1, 5, false)]);
    a.track_processes = leak(vec![tref(0, -7, false)]);
    let b = instance("VI_2", "eth0", second_prio);
    let mut g = group("VG", &[0, 1]);
    g.tracking_weight = tracking_weight;
    g.track_scripts = leak(vec![tref(2, -30, false)]);
    SiteBuilder {
        instances: vec![a, b],
        sync_groups: vec![g],
        scripts: (0..4)
            .map(|i| script(&format!("s{i}"), &["/bin/true"]))
            .collect(),
        track_files: (0..2)
            .map(|i| track_file(&format!("f{i}"), "/nonexistent"))
            .collect(),
        track_processes: (0..2)
            .map(|i| track_process(&format!("p{i}"), &["x"]))
            .collect(),
    }
}

#[test]
fn sync_group_without_tracking_weight_ignores_member_weights() {
    // vrrp.c:3830-3900: member weights dropped (scripts), zeroed
    // (interfaces; files of weight 1), other weighted files dropped;
    // processes untouched in 2.2.7. Group trackers keep their weight
    // (vrrp.c sync_group_tracking_init).
    let site = sync_site(false, 90).build(global());
    let st = TrackerStates {
        scripts: vec![Failed, Up, Failed, Init],
        files: vec![0, 9],
        processes: vec![false, false],
    };
    let e = effective(site, 0, &st, |_| true);
    // -20 script dropped, eth1 up, file 0 weight->0 value 0 (no fault),
    // file 1 (weight 5) dropped, process -7 applies, group script -30.
    assert_eq!((e.fault, e.priority), (false, 100 - 7 - 30));
    // eth1 down: its weight became 0, so down is a fault.
    let e = effective(site, 0, &st, |n| n.as_str() != "eth1");
    assert!(e.fault);
    // File 0 non-zero with weight 0: fault.
    let st2 = TrackerStates {
        files: vec![1, 9],
        ..st.clone()
    };
    assert!(effective(site, 0, &st2, |_| true).fault);
    // The other member gets the group's script only.
    assert_eq!(effective(site, 1, &st, |_| true).priority, 60);
}

#[test]
fn sync_group_tracking_weight_keeps_member_weights() {
    let site = sync_site(true, 90).build(global());
    let st = TrackerStates {
        scripts: vec![Failed, Up, Failed, Init],
        files: vec![2, 9],
        processes: vec![false, false],
    };
    let e = effective(site, 0, &st, |n| n.as_str() != "eth1");
    // -20 -10 +2 +45 -7 -30
    assert_eq!((e.fault, e.priority), (false, 80));
}

#[test]
fn sync_group_with_an_owner_member_zeroes_group_weights() {
    // vrrp.c sync_group_tracking_init: "Cannot have weighted track script
    // ... with member having priority 255 - clearing weight".
    let site = sync_site(true, 255).build(global());
    let st = TrackerStates {
        scripts: vec![Up, Up, Failed, Init],
        files: vec![0, 0],
        processes: vec![true, false],
    };
    let e = effective(site, 1, &st, |_| true);
    assert!(e.fault, "group script now unweighted: failure is a fault");
    assert_eq!(e.priority, 255);
}

#[test]
fn group_tracker_overrides_weighted_member_entry_only() {
    // vrrp.c add_vrrp_to_track_script: a weighted member entry takes the
    // group's weight; an unweighted one stays unweighted.
    let mut a = instance("VI_1", "eth0", 100);
    a.track_scripts = leak(vec![tref(0, -5, false), tref(1, 0, false)]);
    let b = instance("VI_2", "eth0", 100);
    let mut g = group("VG", &[0, 1]);
    g.tracking_weight = true;
    g.track_scripts = leak(vec![tref(0, -40, false), tref(1, -40, false)]);
    let site = SiteBuilder {
        instances: vec![a, b],
        sync_groups: vec![g],
        scripts: vec![script("a", &["/bin/true"]), script("b", &["/bin/true"])],
        ..SiteBuilder::default()
    }
    .build(global());
    let st = TrackerStates {
        scripts: vec![Failed, Failed],
        files: vec![],
        processes: vec![],
    };
    let e = effective(site, 0, &st, |_| true);
    assert_eq!((e.fault, e.priority), (true, 60));
    let e = effective(site, 1, &st, |_| true);
    assert_eq!((e.fault, e.priority), (false, 20));
}

#[test]
fn states_follow_events() {
    use kac_runtime::track::TrackEvent;
    let mut b = SiteBuilder::default();
    let mut s1 = script("a", &["/bin/true"]);
    s1.init_fail = true;
    b.scripts = vec![script("z", &["/bin/true"]), s1];
    b.track_files = vec![track_file("f", "/nonexistent")];
    b.track_processes = vec![track_process("p", &["x"])];
    let site = b.build(global());
    let mut st = TrackerStates::initial(site);
    assert_eq!(st.scripts, vec![Init, Failed]);
    st.apply(&TrackEvent::Script { index: 0, ok: true });
    st.apply(&TrackEvent::ScriptDisabled { index: 1 });
    st.apply(&TrackEvent::File {
        index: 0,
        value: -4,
    });
    st.apply(&TrackEvent::Process { index: 0, ok: true });
    assert_eq!(st.scripts, vec![Up, ScriptState::Disabled]);
    assert_eq!(st.files, vec![-4]);
    assert_eq!(st.processes, vec![true]);
}
