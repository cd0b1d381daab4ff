//! Deterministic simulation of several VRRP routers on one segment: the
//! pure state machines, a simulated clock, and a segment that loses,
//! delays, duplicates and partitions adverts, with routers that stall
//! (the process does not run while the kernel keeps queueing and
//! timestamping packets) or pause whole (a VM pause: its clock jumps
//! ahead and packets sent to it meanwhile arrive when it resumes).
//! Seeded, so every run is the same; outcomes are snapshot-tested.
//!
//! Properties checked:
//! - once the segment is healed and quiet, exactly one master: the
//!   highest-priority router still running;
//! - failover within the protocol bound (priority 0: skew; silent loss
//!   of the master: master-down interval);
//! - no flap from stalls within the bound: a backup stalled for any time
//!   (its queued adverts count from when they arrived), a master stalled
//!   for less than master_down − advert_int.

#![allow(clippy::unwrap_used)]

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use kac_runtime::site::VrrpVersion;
use kac_runtime::time::Instant;
use kac_runtime::vrrp::machine::{
    Action, Advert, Input, Machine, Params, State,
};

/// SplitMix64: small, seeded, good enough for a network simulation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Link {
    /// Probability an advert is lost (per receiver).
    loss: f64,
    /// Probability it arrives twice.
    dup: f64,
    /// Base one-way delay and random extra.
    delay: Duration,
    jitter: Duration,
}

impl Default for Link {
    fn default() -> Link {
        Link {
            loss: 0.0,
            dup: 0.0,
            delay: Duration::from_micros(200),
            jitter: Duration::from_micros(300),
        }
    }
}

/// Something that happens at a time.
#[derive(Clone, Debug)]
enum Ev {
    /// A packet reaches a router's socket (the kernel timestamps it).
    Arrive {
        to: usize,
        advert: Advert,
    },
    /// A router's event loop wakes (timer or end of a stall).
    Wake {
        r: usize,
    },
    /// A router stops running until `until` (the kernel still queues).
    Stall {
        r: usize,
        until: Instant,
    },
    /// The whole router (kernel too) is paused until `until`: when it
    /// resumes its clock has jumped ahead, and what was sent to it
    /// arrives all at once.
    Pause {
        r: usize,
        until: Instant,
    },
    /// Block delivery from `a` to `b` (one way) or lift it.
    Partition {
        a: usize,
        b: usize,
        on: bool,
    },
    /// The router dies silently (no priority 0).
    Crash {
        r: usize,
    },
    /// The router shuts down cleanly (priority 0).
    Stop {
        r: usize,
    },
    /// A router comes back (fresh start).
    Restart {
        r: usize,
    },
    SetLink(Link),
}

struct Router {
    m: Machine,
    /// Packets queued in the socket while the process does not run.
    queue: VecDeque<Advert>,
    stalled_until: Option<Instant>,
    paused_until: Option<Instant>,
    alive: bool,
    /// The wake-up currently scheduled (to ignore stale ones).
    wake: Option<Instant>,
}

struct Sim {
    rng: Rng,
    link: Link,
    now: Instant,
    seq: u64,
    events: BinaryHeap<Reverse<(Instant, u64, usize)>>,
    payloads: Vec<Option<Ev>>,
    routers: Vec<Router>,
    blocked: Vec<(usize, usize)>,
    /// The event loop's order after a wake-up: true = every queued
    /// packet before the timer (kacd's rule), false = the timer first
    /// (the naive loop that flaps after a pause; shows the test can
    /// fail).
    drain_first: bool,
    log: Vec<String>,
    /// (time, router, from, to).
    transitions: Vec<(Instant, usize, State, State)>,
    adverts_sent: u64,
}

fn addr(i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10 + i as u8))
}

fn params(priority: u8, version: VrrpVersion, i: usize) -> Params {
    Params {
        version,
        priority,
        advert_int: 100,
        preempt: true,
        preempt_delay: Duration::ZERO,
        start_master: false,
        primary: addr(i),
        down_timer_adverts: 3,
        lower_prio_no_advert: false,
        higher_prio_send_advert: false,
    }
}

impl Sim {
    fn new(seed: u64, priorities: &[u8], version: VrrpVersion) -> Sim {
        let routers = priorities
            .iter()
            .enumerate()
            .map(|(i, &p)| Router {
                m: Machine::new(params(p, version, i)),
                queue: VecDeque::new(),
                stalled_until: None,
                paused_until: None,
                alive: true,
                wake: None,
            })
            .collect();
        let mut sim = Sim {
            rng: Rng(seed),
            link: Link::default(),
            now: Instant::ZERO,
            seq: 0,
            events: BinaryHeap::new(),
            payloads: Vec::new(),
            routers,
            blocked: Vec::new(),
            drain_first: true,
            log: Vec::new(),
            transitions: Vec::new(),
            adverts_sent: 0,
        };
        for r in 0..priorities.len() {
            // Routers start a little apart, as real ones do.
            let t = Instant::from_micros(sim.rng.below(50_000));
            sim.at(t, Ev::Restart { r });
        }
        sim
    }

    fn at(&mut self, t: Instant, ev: Ev) {
        self.seq += 1;
        self.payloads.push(Some(ev));
        self.events
            .push(Reverse((t, self.seq, self.payloads.len() - 1)));
    }

    /// A router's clock (the simulation's: a pause freezes the router,
    /// not time).
    fn local(&self, _r: usize) -> Instant {
        self.now
    }

    fn run_until(&mut self, end: Instant) {
        while let Some(Reverse((t, _, idx))) = self.events.peek().copied() {
            if t > end {
                break;
            }
            self.events.pop();
            self.now = t;
            let ev = self.payloads[idx].take().unwrap();
            self.handle(ev);
        }
        self.now = end;
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Arrive { to, mut advert } => {
                if !self.routers[to].alive {
                    return;
                }
                if let Some(until) = self.routers[to].paused_until {
                    if until > self.now {
                        // Held by the hypervisor until the guest resumes.
                        self.at(until, Ev::Arrive { to, advert });
                        return;
                    }
                }
                advert.at = self.local(to);
                self.routers[to].queue.push_back(advert);
                let rt = &self.routers[to];
                if rt.stalled_until.is_none() && rt.paused_until.is_none() {
                    self.run_router(to);
                }
            }
            Ev::Wake { r } => {
                let rt = &self.routers[r];
                if !rt.alive {
                    return;
                }
                for until in
                    [rt.stalled_until, rt.paused_until].into_iter().flatten()
                {
                    if until > self.now {
                        return;
                    }
                }
                self.routers[r].stalled_until = None;
                self.routers[r].paused_until = None;
                self.run_router(r);
            }
            Ev::Stall { r, until } => {
                self.routers[r].stalled_until = Some(until);
                self.at(until, Ev::Wake { r });
                self.log
                    .push(format!("{} r{r} stalls until {}", self.now, until));
            }
            Ev::Pause { r, until } => {
                self.routers[r].paused_until = Some(until);
                self.at(until, Ev::Wake { r });
                self.log
                    .push(format!("{} r{r} paused until {until}", self.now));
            }
            Ev::Partition { a, b, on } => {
                if on {
                    self.blocked.push((a, b));
                } else {
                    self.blocked.retain(|&x| x != (a, b));
                }
            }
            Ev::Crash { r } => {
                self.routers[r].alive = false;
                self.log.push(format!("{} r{r} crashes", self.now));
            }
            Ev::Stop { r } => {
                let now = self.local(r);
                let out = self.routers[r].m.step(Input::Stop, now);
                self.apply(r, &out.actions);
                self.routers[r].alive = false;
            }
            Ev::Restart { r } => {
                let p = *self.routers[r].m.params();
                self.routers[r].m = Machine::new(p);
                self.routers[r].alive = true;
                self.routers[r].queue.clear();
                let now = self.local(r);
                let out = self.routers[r].m.step(Input::Start, now);
                self.apply(r, &out.actions);
                self.schedule(r, out.deadline);
            }
            Ev::SetLink(l) => self.link = l,
        }
    }

    /// The event loop of a router: every queued packet first, then the
    /// timer (kacd's rule; see machine.rs).
    fn run_router(&mut self, r: usize) {
        if !self.drain_first {
            self.run_timer(r);
        }
        while let Some(a) = self.routers[r].queue.pop_front() {
            let now = self.local(r);
            let out = self.routers[r].m.step(Input::Advert(a), now);
            self.apply(r, &out.actions);
            self.schedule(r, out.deadline);
        }
        self.run_timer(r);
    }

    fn run_timer(&mut self, r: usize) {
        let now = self.local(r);
        if self.routers[r].m.deadline().is_some_and(|d| d <= now) {
            let out = self.routers[r].m.step(Input::Timeout, now);
            self.apply(r, &out.actions);
            self.schedule(r, out.deadline);
        }
    }

    fn schedule(&mut self, r: usize, deadline: Option<Instant>) {
        let Some(d) = deadline else { return };
        if self.routers[r].wake == Some(d) {
            return;
        }
        self.routers[r].wake = Some(d);
        let t = if d < self.now { self.now } else { d };
        self.at(t, Ev::Wake { r });
    }

    fn apply(&mut self, r: usize, actions: &[Action]) {
        for a in actions {
            match *a {
                Action::Transition { from, to, .. } => {
                    self.transitions.push((self.now, r, from, to));
                }
                Action::SendAdvert { priority } => {
                    self.adverts_sent += 1;
                    self.send(r, priority);
                }
                _ => {}
            }
        }
    }

    fn send(&mut self, from: usize, priority: u8) {
        let interval = self.routers[from].m.params().advert_int;
        for to in 0..self.routers.len() {
            if to == from || self.blocked.contains(&(from, to)) {
                continue;
            }
            if self.rng.chance(self.link.loss) {
                continue;
            }
            let copies = if self.rng.chance(self.link.dup) { 2 } else { 1 };
            for _ in 0..copies {
                let extra = self.rng.below(
                    u64::try_from(self.link.jitter.as_micros()).unwrap(),
                );
                let t =
                    self.now + self.link.delay + Duration::from_micros(extra);
                let advert = Advert {
                    from: addr(from),
                    priority,
                    interval,
                    at: Instant::ZERO,
                };
                self.at(t, Ev::Arrive { to, advert });
            }
        }
    }

    fn masters(&self) -> Vec<usize> {
        (0..self.routers.len())
            .filter(|&r| {
                self.routers[r].alive
                    && self.routers[r].m.state() == State::Master
            })
            .collect()
    }

    /// Transitions into or out of Master in [from, to).
    fn master_changes(&self, from: Instant, to: Instant) -> usize {
        self.transitions
            .iter()
            .filter(|(t, _, a, b)| {
                *t >= from
                    && *t < to
                    && (*a == State::Master || *b == State::Master)
            })
            .count()
    }

    fn report(&self) -> String {
        let mut s = String::new();
        for (t, r, from, to) in &self.transitions {
            writeln!(s, "{t} r{r} {} -> {}", from.name(), to.name()).unwrap();
        }
        for l in &self.log {
            writeln!(s, "{l}").unwrap();
        }
        writeln!(s, "masters at end: {:?}", self.masters()).unwrap();
        s
    }
}

fn secs(s: u64) -> Instant {
    Instant::from_micros(s * 1_000_000)
}

fn ms(m: u64) -> Duration {
    Duration::from_millis(m)
}

#[test]
fn three_routers_elect_the_highest_and_fail_over_on_priority_zero() {
    let mut sim = Sim::new(1, &[100, 200, 150], VrrpVersion::V3);
    sim.run_until(secs(10));
    assert_eq!(sim.masters(), vec![1]);
    // Clean stop of the master: the next one takes over within its skew
    // (plus delivery), far below the master-down interval.
    sim.at(secs(10), Ev::Stop { r: 1 });
    sim.run_until(secs(12));
    assert_eq!(sim.masters(), vec![2]);
    let (t, r, _, to) = *sim
        .transitions
        .iter()
        .rev()
        .find(|x| x.3 == State::Master)
        .unwrap();
    assert_eq!((r, to), (2, State::Master));
    let skew_150 = Duration::from_micros((256 - 150) * 1_000_000 / 256);
    assert!(
        t.since(secs(10)) <= skew_150 + ms(2),
        "took {:?}",
        t.since(secs(10))
    );
    insta::assert_snapshot!("priority_zero_failover", sim.report());
}

#[test]
fn silent_master_loss_fails_over_within_master_down() {
    let mut sim = Sim::new(2, &[100, 200], VrrpVersion::V3);
    sim.run_until(secs(10));
    assert_eq!(sim.masters(), vec![1]);
    sim.at(secs(10), Ev::Crash { r: 1 });
    sim.run_until(secs(20));
    assert_eq!(sim.masters(), vec![0]);
    let t = sim.transitions.last().unwrap().0;
    // Its last advert was at most one interval before the crash.
    let bound = Duration::from_micros(3_609_375) + ms(2);
    assert!(t.since(secs(10)) <= bound, "took {:?}", t.since(secs(10)));
    assert!(t.since(secs(10)) >= Duration::from_micros(3_609_375) - ms(1000));
}

#[test]
fn loss_delay_duplication_and_partitions_heal_to_one_master() {
    let mut outcomes = String::new();
    for seed in 0..20 {
        let mut sim = Sim::new(seed, &[150, 100, 200, 120], VrrpVersion::V3);
        sim.at(
            Instant::ZERO,
            Ev::SetLink(Link {
                loss: 0.2,
                dup: 0.1,
                delay: ms(1),
                jitter: ms(40),
            }),
        );
        // The top router is cut off from the others for 10 s, one way
        // and then both ways: split brain is allowed while it lasts.
        for b in [0, 1, 3] {
            sim.at(secs(5), Ev::Partition { a: 2, b, on: true });
            sim.at(
                secs(10),
                Ev::Partition {
                    a: b,
                    b: 2,
                    on: true,
                },
            );
            sim.at(secs(15), Ev::Partition { a: 2, b, on: false });
            sim.at(
                secs(15),
                Ev::Partition {
                    a: b,
                    b: 2,
                    on: false,
                },
            );
        }
        sim.at(secs(15), Ev::SetLink(Link::default()));
        sim.run_until(secs(30));
        assert_eq!(sim.masters(), vec![2], "seed {seed}:\n{}", sim.report());
        // Quiet and healed: no more changes of master.
        let late = sim.master_changes(secs(20), secs(30));
        assert_eq!(late, 0, "seed {seed}:\n{}", sim.report());
        writeln!(
            outcomes,
            "seed {seed}: {} master changes, {} adverts",
            sim.master_changes(Instant::ZERO, secs(30)),
            sim.adverts_sent
        )
        .unwrap();
    }
    insta::assert_snapshot!("lossy_partitions", outcomes);
}

#[test]
fn a_stalled_backup_does_not_take_over() {
    for stall in [ms(500), ms(5_000), ms(60_000)] {
        let mut sim = Sim::new(3, &[200, 100], VrrpVersion::V3);
        sim.run_until(secs(5));
        assert_eq!(sim.masters(), vec![0]);
        sim.at(
            secs(5),
            Ev::Stall {
                r: 1,
                until: secs(5) + stall,
            },
        );
        sim.run_until(secs(5) + stall + ms(5_000));
        assert_eq!(
            sim.master_changes(secs(5), secs(5) + stall + ms(5_000)),
            0,
            "stall {stall:?}:\n{}",
            sim.report()
        );
    }
}

#[test]
fn a_stalled_backup_still_takes_over_from_a_dead_master() {
    // The guards against late timers must not stop a real failover: the
    // master dies while the backup is stalled; once it runs again it
    // takes over within one interval of grace.
    for drain_first in [true, false] {
        let mut sim = Sim::new(6, &[200, 100], VrrpVersion::V3);
        sim.drain_first = drain_first;
        sim.run_until(secs(5));
        sim.at(
            secs(5),
            Ev::Stall {
                r: 1,
                until: secs(10),
            },
        );
        sim.at(secs(6), Ev::Crash { r: 0 });
        sim.run_until(secs(20));
        assert_eq!(sim.masters(), vec![1], "{}", sim.report());
        let t = sim.transitions.last().unwrap().0;
        assert!(t <= secs(10) + ms(1_000) + ms(5), "{}", sim.report());
    }
}

#[test]
fn a_paused_backup_holds_whichever_comes_first_timer_or_packets() {
    // After a pause the timer may be looked at before the queued packets
    // (a loop that checks timers first, or packets the hypervisor hands
    // over after the guest runs): the late-timer grace keeps it backup.
    let mut sim = Sim::new(3, &[200, 100], VrrpVersion::V3);
    sim.drain_first = false;
    sim.run_until(secs(5));
    sim.at(
        secs(5),
        Ev::Pause {
            r: 1,
            until: secs(10),
        },
    );
    sim.run_until(secs(15));
    assert_eq!(sim.master_changes(secs(5), secs(15)), 0, "{}", sim.report());
}

#[test]
fn a_master_stall_within_the_bound_does_not_flap() {
    // master_down − advert_int = 2 s + skew of the backup (0.61 s).
    for stall in [ms(300), ms(1_000), ms(2_000)] {
        let mut sim = Sim::new(4, &[200, 100], VrrpVersion::V3);
        sim.run_until(secs(5));
        assert_eq!(sim.masters(), vec![0]);
        sim.at(
            secs(5),
            Ev::Stall {
                r: 0,
                until: secs(5) + stall,
            },
        );
        sim.run_until(secs(15));
        assert_eq!(
            sim.master_changes(secs(5), secs(15)),
            0,
            "stall {stall:?}:\n{}",
            sim.report()
        );
    }
    // Beyond the bound the backup rightly takes over, and hands back.
    let mut sim = Sim::new(4, &[200, 100], VrrpVersion::V3);
    sim.run_until(secs(5));
    sim.at(
        secs(5),
        Ev::Stall {
            r: 0,
            until: secs(10),
        },
    );
    sim.run_until(secs(15));
    assert_eq!(sim.masters(), vec![0]);
    assert!(sim.master_changes(secs(5), secs(15)) >= 2);
}

#[test]
fn a_paused_backup_does_not_take_over_when_its_clock_jumps() {
    for version in [VrrpVersion::V2, VrrpVersion::V3] {
        let mut sim = Sim::new(5, &[200, 100], version);
        sim.run_until(secs(5));
        // A 4 s VM pause: on resume its clock is 4 s on, its master-down
        // deadline long past, and the master's adverts sent meanwhile
        // arrive together; they come first and keep it backup.
        sim.at(
            secs(5),
            Ev::Pause {
                r: 1,
                until: secs(9),
            },
        );
        sim.run_until(secs(20));
        assert_eq!(sim.masters(), vec![0]);
        assert_eq!(
            sim.master_changes(secs(5), secs(20)),
            0,
            "{}",
            sim.report()
        );
    }
}
