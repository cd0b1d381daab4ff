//! `docs/vrrp-transitions.md` against the code: every row of its table
//! is set up and stepped, and the resulting state, actions and deadline
//! must be the row's.

#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use kac_runtime::site::VrrpVersion;
use kac_runtime::time::Instant;
use kac_runtime::vrrp::machine::{
    Action, Advert, Input, Machine, Params, State,
};

const ME: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10));
const LOWER_ADDR: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 5));
const HIGHER_ADDR: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 20));

fn params(config: &str) -> Params {
    let mut p = Params {
        version: VrrpVersion::V3,
        priority: 100,
        advert_int: 100,
        preempt: true,
        preempt_delay: Duration::ZERO,
        start_master: false,
        primary: ME,
        down_timer_adverts: 3,
        lower_prio_no_advert: false,
        higher_prio_send_advert: false,
    };
    match config {
        "-" => {}
        "owner" => p.priority = 255,
        "state-master" => p.start_master = true,
        "nopreempt" => p.preempt = false,
        "preempt_delay" => p.preempt_delay = Duration::from_secs(30),
        "higher_prio_send_advert" => p.higher_prio_send_advert = true,
        "lower_prio_no_advert" => p.lower_prio_no_advert = true,
        other => panic!("unknown config {other}"),
    }
    p
}

fn state(name: &str) -> State {
    match name {
        "Init" => State::Init,
        "Backup" => State::Backup,
        "Master" => State::Master,
        "Fault" => State::Fault,
        "Stopped" => State::Stopped,
        other => panic!("unknown state {other}"),
    }
}

/// A machine in `s`, reached through real inputs, at time `t0`.
fn machine_in(s: State, config: &str, t0: Instant) -> Machine {
    let mut p = params(config);
    // Reach Master with an owner, then restore the row's priority.
    let want_prio = p.priority;
    if s == State::Master {
        p.priority = 255;
    }
    let mut m = Machine::new(p);
    let start = t0 - Duration::from_secs(1);
    match s {
        State::Init => {}
        State::Backup => {
            m.step(Input::Start, start);
            if m.state() == State::Master {
                panic!("row config starts as master");
            }
        }
        State::Master => {
            m.step(Input::Start, start);
            m.step(Input::Priority(want_prio), start);
            // A fresh advert deadline from t0 - 1 s.
        }
        State::Fault => {
            m.step(Input::Fault, start);
        }
        State::Stopped => {
            m.step(Input::Stop, start);
        }
    }
    assert_eq!(m.state(), s);
    m
}

#[test]
fn the_code_follows_the_documented_table() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/vrrp-transitions.md"
    ))
    .unwrap();
    let rows: Vec<Vec<String>> = doc
        .lines()
        .filter(|l| {
            l.starts_with('|') && !l.contains("---") && !l.contains("| state")
        })
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect();
    assert!(rows.len() >= 30, "table rows: {}", rows.len());
    for row in &rows {
        let [st, config, event, next, actions, timer] = &row[..] else {
            panic!("bad row {row:?}")
        };
        let ctx = format!("{st} / {config} / {event}");
        let t0 = Instant::from_micros(100_000_000);
        let mut m = machine_in(state(st), config, t0);
        let before = m.deadline();
        let prio = m.priority();
        let at = t0 - Duration::from_millis(10);
        let advert = |priority: u8, from: IpAddr| {
            Input::Advert(Advert {
                from,
                priority,
                interval: 100,
                at,
            })
        };
        let (input, now) = match event.as_str() {
            "start" => (Input::Start, t0),
            "resume:master" => (Input::Resume(State::Master), t0),
            "resume:backup" => (Input::Resume(State::Backup), t0),
            "advert:higher" => {
                (advert(prio.saturating_add(10), LOWER_ADDR), t0)
            }
            "advert:equal" => (advert(prio, LOWER_ADDR), t0),
            "advert:equal-higher-addr" => (advert(prio, HIGHER_ADDR), t0),
            "advert:lower" => (advert(prio - 10, HIGHER_ADDR), t0),
            "advert:zero" => (advert(0, HIGHER_ADDR), t0),
            "timeout:due" => (
                Input::Timeout,
                before.unwrap_or(t0) + Duration::from_micros(1),
            ),
            "timeout:late" => {
                (Input::Timeout, before.unwrap() + Duration::from_millis(600))
            }
            "timeout:early" => {
                (Input::Timeout, before.unwrap() - Duration::from_micros(1))
            }
            "fault" => (Input::Fault, t0),
            "fault-cleared" => (Input::FaultCleared, t0),
            "stop" => (Input::Stop, t0),
            "sync:master" => (Input::Sync(State::Master), t0),
            "sync:backup" => (Input::Sync(State::Backup), t0),
            other => panic!("{ctx}: unknown event {other}"),
        };
        let from = m.state();
        let out = m.step(input, now);
        assert_eq!(m.state(), state(next), "{ctx}: next state");

        let mut want: Vec<Action> = Vec::new();
        for a in actions.split_whitespace() {
            want.push(match a {
                "-" => continue,
                "add" => Action::AddAddresses,
                "remove" => Action::RemoveAddresses,
                "advert" => Action::SendAdvert {
                    priority: m.priority(),
                },
                "advert0" => Action::SendAdvert { priority: 0 },
                "announce" => Action::Announce,
                "lower" => Action::LowerPriorityMaster {
                    from: match event.as_str() {
                        "advert:equal" => LOWER_ADDR,
                        _ => HIGHER_ADDR,
                    },
                },
                other => panic!("{ctx}: unknown action {other}"),
            });
        }
        let got: Vec<Action> = out
            .actions
            .iter()
            .copied()
            .filter(|a| !matches!(a, Action::Transition { .. }))
            .collect();
        assert_eq!(got, want, "{ctx}: actions");
        let transitions: Vec<&Action> = out
            .actions
            .iter()
            .filter(|a| matches!(a, Action::Transition { .. }))
            .collect();
        if from != m.state() {
            assert!(
                matches!(transitions[..], [Action::Transition { from: f, to, .. }] if *f == from && *to == m.state()),
                "{ctx}: transition {transitions:?}"
            );
        } else {
            assert!(transitions.is_empty(), "{ctx}: {transitions:?}");
        }

        let adver =
            Duration::from_millis(u64::from(m.params().advert_int) * 10);
        let down = m.master_down_interval();
        let skew = down - adver * m.params().down_timer_adverts;
        let want_deadline = match timer.as_str() {
            "none" => None,
            "kept" => before,
            "adver" => Some(now + adver),
            "next" => before.map(|d| d + adver),
            "down"
                if event == "start"
                    || event == "fault-cleared"
                    || event.starts_with("resume")
                    || event.starts_with("sync") =>
            {
                Some(now + down)
            }
            "down" => Some(at + down),
            "skew" => Some(at + skew),
            "late" => Some(
                now + Duration::from_millis(
                    u64::from(m.master_adver_int()) * 10,
                ),
            ),
            "adver+skew" => {
                Some(now + adver + Duration::from_micros(100 * 10_000 / 256))
            }
            other => panic!("{ctx}: unknown timer {other}"),
        };
        assert_eq!(out.deadline, want_deadline, "{ctx}: deadline");
        assert_eq!(m.deadline(), want_deadline, "{ctx}: machine deadline");
    }
}

#[test]
fn keepalived_timing_numbers() {
    // v3, priority 100, 1 s: skew = 156/256 s, master down = 3.609375 s.
    let m = Machine::new(params("-"));
    assert_eq!(m.master_down_interval(), Duration::from_micros(3_609_375));
    // v2 skew does not scale with the interval: (256 - 100) / 256 s.
    let mut p = params("-");
    p.version = VrrpVersion::V2;
    p.advert_int = 300;
    let m = Machine::new(p);
    assert_eq!(m.master_down_interval(), Duration::from_micros(9_609_375));
}

#[test]
fn a_v3_backup_learns_the_masters_interval() {
    let mut m = Machine::new(params("-"));
    let t = Instant::from_micros(1_000_000);
    m.step(Input::Start, t);
    m.step(
        Input::Advert(Advert {
            from: HIGHER_ADDR,
            priority: 200,
            interval: 50,
            at: t,
        }),
        t,
    );
    assert_eq!(m.master_adver_int(), 50);
    // 3 × 0.5 s + (156 × 0.5 / 256) s
    assert_eq!(
        m.deadline(),
        Some(t + Duration::from_micros(1_500_000 + 304_687))
    );
}

#[test]
fn preempt_delay_holds_off_then_allows_takeover() {
    let mut m = Machine::new(params("preempt_delay"));
    let t0 = Instant::from_micros(1_000_000);
    m.step(Input::Start, t0);
    let lower = |at| {
        Input::Advert(Advert {
            from: HIGHER_ADDR,
            priority: 50,
            interval: 100,
            at,
        })
    };
    // Within 30 s of start-up the lower master keeps us backup.
    let t = t0 + Duration::from_secs(10);
    let out = m.step(lower(t), t);
    assert_eq!(out.deadline, Some(t + m.master_down_interval()));
    // After the delay its adverts are discarded and our timer runs out.
    let t = t0 + Duration::from_secs(31);
    let before = m.deadline();
    m.step(lower(t), t);
    assert_eq!(m.deadline(), before);
    m.step(Input::Timeout, before.unwrap());
    assert_eq!(m.state(), State::Master);
}
