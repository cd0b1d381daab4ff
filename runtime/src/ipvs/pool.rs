//! keepalived's real-server pool semantics (check/ipwrapper.c), pure:
//! from the site's virtual servers and the health state (each checker's
//! up/down, `misc_dynamic` weights, whether a `ha_suspend` virtual
//! server's address is local) to the IPVS table kacd wants, plus the
//! notify events (`notify_up`/`notify_down`, `quorum_up`/`quorum_down`)
//! as data for the caller to run.
//!
//! The rules, as keepalived applies them:
//! - a real server is alive when every checker is up (none: always);
//!   a checker starts down with `alpha`, up otherwise;
//! - an alive server is in the pool with its (dynamic) weight; a dead
//!   one is removed, or kept at weight 0 with `inhibit_on_failure`;
//! - quorum: the sum of alive weights. Quorum is gained when the sum
//!   reaches `quorum + hysteresis` and lost when it drops below
//!   `quorum - hysteresis` (or to 0); at start it is up when the sum
//!   reaches `quorum + hysteresis`;
//! - while quorum is down a `sorry_server`, if any, replaces the real
//!   servers (inhibited ones stay at weight 0); with
//!   `sorry_server_inhibit` the sorry server stays at weight 0 while
//!   quorum is up instead of leaving;
//! - `ha_suspend`: while the virtual address is not local the checkers
//!   are paused (results are ignored); the table is left as it is;
//! - `omega`: at shutdown the down notifiers run.

use std::net::IpAddr;

use super::table::{
    DestKey, DestSpec, Forward, Proto, ServiceKey, ServiceSpec, Table,
    F_HASHED, F_ONEPACKET, F_PERSISTENT, F_SCHED1, F_SCHED2, F_SCHED3,
};
use crate::site::lvs::{
    GroupEntry, Method, Protocol, RealServer, Service, VirtualServer,
};
use crate::site::{Command, Site};

/// The longest address range expanded for one group entry (keepalived's
/// ranges vary only the last byte of IPv4 or the last 16 bits of IPv6).
const RANGE_MAX: u128 = 65_536;

/// What happened, for notify scripts and FIFOs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    RsUp,
    RsDown,
    QuorumUp,
    QuorumDown,
}

/// One notification: which virtual server (index in
/// `site.virtual_servers`), which real server for `Rs*` events, and the
/// script to run, if configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub vs: usize,
    pub rs: Option<usize>,
    pub kind: EventKind,
    pub script: Option<&'static Command>,
}

#[derive(Clone, Debug)]
struct RsState {
    checkers: Vec<bool>,
    /// `misc_dynamic` (or agent) weight replacing the configured one.
    weight: Option<u32>,
    alive: bool,
}

#[derive(Clone, Debug)]
struct VsState {
    /// False while a `ha_suspend` virtual server's address is not local.
    active: bool,
    quorum_up: bool,
    rs: Vec<RsState>,
}

/// The pool of every virtual server of a site.
pub struct Pool {
    site: &'static Site,
    vs: Vec<VsState>,
    events: Vec<Event>,
}

impl Pool {
    /// The pool at start: checkers up unless `alpha`, quorum computed;
    /// a virtual server starting without quorum and with a sorry server
    /// reports `QuorumDown` (keepalived's "Starting with quorum down").
    pub fn new(site: &'static Site) -> Pool {
        let mut pool = Pool {
            site,
            vs: Vec::new(),
            events: Vec::new(),
        };
        for (i, v) in site.virtual_servers.iter().enumerate() {
            let rs = v
                .real_servers
                .iter()
                .map(|r| {
                    let checkers: Vec<bool> =
                        r.checkers.iter().map(|c| !c.alpha).collect();
                    RsState {
                        alive: checkers.iter().all(|&u| u),
                        checkers,
                        weight: None,
                    }
                })
                .collect();
            let mut st = VsState {
                active: !v.ha_suspend,
                quorum_up: false,
                rs,
            };
            st.quorum_up = live_weight(v, &st)
                >= i64::from(v.quorum) + i64::from(v.hysteresis);
            if !st.quorum_up && v.sorry_server.is_some() {
                pool.events.push(Event {
                    vs: i,
                    rs: None,
                    kind: EventKind::QuorumDown,
                    script: v.quorum_down.as_ref(),
                });
            }
            pool.vs.push(st);
        }
        pool
    }

    pub fn site(&self) -> &'static Site {
        self.site
    }

    /// Records a checker's result. Out-of-range indices and results of
    /// a suspended virtual server are ignored. Returns whether the
    /// wanted table may have changed.
    pub fn set_checker(
        &mut self,
        vs: usize,
        rs: usize,
        checker: usize,
        up: bool,
    ) -> bool {
        let Some(st) = self.vs.get_mut(vs) else {
            return false;
        };
        if !st.active {
            return false;
        }
        let Some(r) = st.rs.get_mut(rs) else {
            return false;
        };
        let Some(c) = r.checkers.get_mut(checker) else {
            return false;
        };
        if *c == up {
            return false;
        }
        *c = up;
        let alive = r.checkers.iter().all(|&u| u);
        self.set_alive(vs, rs, alive)
    }

    /// Sets a real server's dynamic weight (`misc_dynamic`: the exit
    /// code minus 2). Returns whether the wanted table may have changed.
    pub fn set_weight(&mut self, vs: usize, rs: usize, weight: u32) -> bool {
        let Some(r) = self.vs.get_mut(vs).and_then(|s| s.rs.get_mut(rs)) else {
            return false;
        };
        if r.weight == Some(weight) {
            return false;
        }
        r.weight = Some(weight);
        let alive = r.alive;
        if alive {
            self.update_quorum(vs);
        }
        true
    }

    /// For `ha_suspend` virtual servers: whether the virtual address is
    /// local (its VRRP instance is master). Others ignore this.
    pub fn set_master(&mut self, vs: usize, master: bool) {
        let Some(v) = self.site.virtual_servers.get(vs) else {
            return;
        };
        if let Some(st) = self.vs.get_mut(vs) {
            st.active = master || !v.ha_suspend;
        }
    }

    /// Whether the checkers of `vs` are paused (`ha_suspend`).
    pub fn suspended(&self, vs: usize) -> bool {
        self.vs.get(vs).is_some_and(|s| !s.active)
    }

    pub fn alive(&self, vs: usize, rs: usize) -> bool {
        self.vs
            .get(vs)
            .and_then(|s| s.rs.get(rs))
            .is_some_and(|r| r.alive)
    }

    pub fn quorum_up(&self, vs: usize) -> bool {
        self.vs.get(vs).is_some_and(|s| s.quorum_up)
    }

    /// The events since the last call, oldest first.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Shutdown: with `omega`, the down notifiers of every alive real
    /// server and the virtual server's `quorum_down`.
    pub fn shutdown_events(&self) -> Vec<Event> {
        let mut out = Vec::new();
        for (i, (v, st)) in
            self.site.virtual_servers.iter().zip(&self.vs).enumerate()
        {
            if !v.omega {
                continue;
            }
            for (j, (r, rst)) in v.real_servers.iter().zip(&st.rs).enumerate() {
                if rst.alive {
                    out.push(Event {
                        vs: i,
                        rs: Some(j),
                        kind: EventKind::RsDown,
                        script: r.notify_down.as_ref(),
                    });
                }
            }
            out.push(Event {
                vs: i,
                rs: None,
                kind: EventKind::QuorumDown,
                script: v.quorum_down.as_ref(),
            });
        }
        out
    }

    fn set_alive(&mut self, vs: usize, rs: usize, alive: bool) -> bool {
        let v = &self.site.virtual_servers[vs];
        let r = &mut self.vs[vs].rs[rs];
        if r.alive == alive {
            return false;
        }
        r.alive = alive;
        let conf = &v.real_servers[rs];
        self.events.push(Event {
            vs,
            rs: Some(rs),
            kind: if alive {
                EventKind::RsUp
            } else {
                EventKind::RsDown
            },
            script: if alive {
                conf.notify_up.as_ref()
            } else {
                conf.notify_down.as_ref()
            },
        });
        self.update_quorum(vs);
        true
    }

    /// keepalived's `update_quorum_state`.
    fn update_quorum(&mut self, vs: usize) {
        let v = &self.site.virtual_servers[vs];
        let st = &mut self.vs[vs];
        let sum = live_weight(v, st);
        let (q, h) = (i64::from(v.quorum), i64::from(v.hysteresis));
        if !st.quorum_up && sum >= q + h {
            st.quorum_up = true;
            self.events.push(Event {
                vs,
                rs: None,
                kind: EventKind::QuorumUp,
                script: v.quorum_up.as_ref(),
            });
        } else if st.quorum_up && (sum == 0 || sum < q - h) {
            st.quorum_up = false;
            self.events.push(Event {
                vs,
                rs: None,
                kind: EventKind::QuorumDown,
                script: v.quorum_down.as_ref(),
            });
        }
    }

    /// The IPVS table the pool wants now.
    pub fn desired(&self) -> Table {
        let mut t = Table::new();
        for (v, st) in self.site.virtual_servers.iter().zip(&self.vs) {
            let dests = dests(v, st);
            for key in service_keys(v) {
                t.add_service(key, service_spec(v, key.ipv6()));
                for (dk, ds) in &dests {
                    t.add_dest(&key, *dk, *ds);
                }
            }
        }
        t
    }
}

fn effective_weight(r: &RealServer, st: &RsState) -> u32 {
    st.weight.unwrap_or(r.weight)
}

/// The sum of the weights of alive real servers.
fn live_weight(v: &VirtualServer, st: &VsState) -> i64 {
    v.real_servers
        .iter()
        .zip(&st.rs)
        .filter(|(_, s)| s.alive)
        .map(|(r, s)| i64::from(effective_weight(r, s)))
        .sum()
}

fn forward(m: Method) -> Forward {
    match m {
        Method::Nat => Forward::Masq,
        Method::Dr => Forward::Route,
        Method::Tun => Forward::ipip(),
    }
}

fn dest(r: &RealServer, weight: u32) -> (DestKey, DestSpec) {
    (
        DestKey {
            addr: r.addr,
            port: r.port,
        },
        DestSpec {
            forward: forward(r.method),
            weight,
            u_threshold: r.uthreshold.unwrap_or(0),
            l_threshold: r.lthreshold.unwrap_or(0),
        },
    )
}

/// The destinations of one virtual server in its current state.
fn dests(v: &VirtualServer, st: &VsState) -> Vec<(DestKey, DestSpec)> {
    let sorry_active = v.sorry_server.is_some() && !st.quorum_up;
    let mut out = Vec::new();
    for (r, s) in v.real_servers.iter().zip(&st.rs) {
        // The compiler resolved the real server's own setting against
        // the virtual server's.
        let inhibit = r.inhibit_on_failure;
        if s.alive && !sorry_active {
            out.push(dest(r, effective_weight(r, s)));
        } else if inhibit {
            out.push(dest(r, 0));
        }
    }
    if let Some(sorry) = v.sorry_server {
        let key = DestKey {
            addr: sorry.addr,
            port: sorry.port,
        };
        // A sorry server that is also a real server stays that real
        // server (keepalived's s_svr_duplicates_rs).
        let duplicate = out.iter().any(|(k, _)| *k == key);
        let weight = if sorry_active {
            Some(1)
        } else if sorry.inhibit {
            Some(0)
        } else {
            None
        };
        if let (Some(weight), false) = (weight, duplicate) {
            out.push((
                key,
                DestSpec {
                    forward: forward(sorry.method),
                    weight,
                    u_threshold: 0,
                    l_threshold: 0,
                },
            ));
        }
    }
    out
}

fn proto(p: Protocol) -> Proto {
    match p {
        Protocol::Tcp => Proto::Tcp,
        Protocol::Udp => Proto::Udp,
        Protocol::Sctp => Proto::Sctp,
    }
}

fn service_flags(v: &VirtualServer) -> u32 {
    let mut flags = 0;
    for f in v.flags {
        flags |= match *f {
            "ops" => F_ONEPACKET,
            "hashed" => F_HASHED,
            "flag-1" | "sh-fallback" | "mh-fallback" => F_SCHED1,
            "flag-2" | "sh-port" | "mh-port" => F_SCHED2,
            "flag-3" => F_SCHED3,
            _ => 0,
        };
    }
    if v.persistence_timeout.is_some() {
        flags |= F_PERSISTENT;
    }
    // The kernel sets HASHED itself; it is never part of a spec.
    flags & !F_HASHED
}

fn service_spec(v: &VirtualServer, ipv6: bool) -> ServiceSpec {
    ServiceSpec {
        scheduler: v.scheduler.to_string(),
        flags: service_flags(v),
        timeout: v.persistence_timeout.unwrap_or(0),
        netmask: v.persistence_granularity.unwrap_or(if ipv6 {
            128
        } else {
            32
        }),
        pe_name: v.persistence_engine.map(str::to_string),
    }
}

/// Every kernel service a virtual server stands for (a group: each
/// address of each range on its port, and each fwmark).
pub fn service_keys(v: &VirtualServer) -> Vec<ServiceKey> {
    let proto = proto(v.protocol);
    match v.service {
        Service::Addr { addr, port } => {
            vec![ServiceKey::Addr { proto, addr, port }]
        }
        Service::Fwmark { mark, ipv6 } => {
            vec![ServiceKey::Fwmark { mark, ipv6 }]
        }
        Service::Group { entries, .. } => {
            let mut out = Vec::new();
            for e in entries {
                match *e {
                    GroupEntry::Range { first, last, port } => {
                        for addr in range(first, last) {
                            out.push(ServiceKey::Addr { proto, addr, port });
                        }
                    }
                    GroupEntry::Fwmark { mark, ipv6 } => {
                        out.push(ServiceKey::Fwmark { mark, ipv6 })
                    }
                }
            }
            out
        }
    }
}

/// The addresses `first..=last` (empty when of different families or
/// reversed), at most [`RANGE_MAX`].
fn range(first: IpAddr, last: IpAddr) -> Vec<IpAddr> {
    match (first, last) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let (a, b) = (u32::from(a), u32::from(b));
            if a > b || u128::from(b - a) >= RANGE_MAX {
                return Vec::new();
            }
            (a..=b).map(|x| IpAddr::V4(x.into())).collect()
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let (a, b) = (u128::from(a), u128::from(b));
            if a > b || b - a >= RANGE_MAX {
                return Vec::new();
            }
            (a..=b).map(|x| IpAddr::V6(x.into())).collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::lvs::{Check, Checker, Connect, SorryServer, Timing};
    use core::net::Ipv4Addr;
    use core::time::Duration;

    const fn checker(alpha: bool) -> Checker {
        Checker {
            check: Check::Tcp,
            connect: Connect {
                ip: None,
                port: None,
                bindto: None,
                bind_port: None,
                bind_if: None,
                fwmark: None,
            },
            timing: Timing {
                delay_loop: Duration::from_secs(6),
                connect_timeout: Duration::from_secs(3),
                retry: 1,
                delay_before_retry: Duration::from_secs(1),
                warmup: None,
            },
            alpha,
        }
    }

    const UP: &[Checker] = &[checker(false), checker(false)];
    const ALPHA: &[Checker] = &[checker(true)];
    const UP_CMD: Command = Command::new(&["/bin/up"]);
    const DOWN_CMD: Command = Command::new(&["/bin/down"]);
    const QUP: Command = Command::new(&["/bin/qup"]);
    const QDOWN: Command = Command::new(&["/bin/qdown"]);

    const fn v4(d: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(198, 51, 100, d))
    }

    const fn rs(
        d: u8,
        weight: u32,
        checkers: &'static [Checker],
    ) -> RealServer {
        RealServer {
            addr: v4(d),
            port: 8080,
            weight,
            method: Method::Nat,
            uthreshold: None,
            lthreshold: None,
            inhibit_on_failure: false,
            notify_up: Some(UP_CMD),
            notify_down: Some(DOWN_CMD),
            checkers,
        }
    }

    const fn vs(real_servers: &'static [RealServer]) -> VirtualServer {
        VirtualServer {
            service: Service::Addr {
                addr: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
                port: 80,
            },
            protocol: Protocol::Tcp,
            scheduler: "wlc",
            flags: &[],
            method: Method::Nat,
            persistence_timeout: None,
            persistence_granularity: None,
            persistence_engine: None,
            quorum: 1,
            hysteresis: 0,
            quorum_up: Some(QUP),
            quorum_down: Some(QDOWN),
            alpha: false,
            omega: false,
            ha_suspend: false,
            inhibit_on_failure: false,
            sorry_server: None,
            real_servers,
            line: "virtual_server 192.0.2.1 80",
        }
    }

    const fn site(virtual_servers: &'static [VirtualServer]) -> Site {
        Site {
            virtual_servers,
            ..Site::EMPTY
        }
    }

    /// The destinations of the only service, as (last byte, weight).
    fn pool_of(t: &Table) -> Vec<(u8, u32)> {
        assert_eq!(t.services.len(), 1, "{t}");
        let s = t.services.values().next().unwrap();
        s.dests
            .iter()
            .map(|(k, d)| match k.addr {
                IpAddr::V4(a) => (a.octets()[3], d.weight),
                IpAddr::V6(_) => (0, d.weight),
            })
            .collect()
    }

    fn kinds(p: &mut Pool) -> Vec<(EventKind, Option<usize>, &'static str)> {
        p.take_events()
            .into_iter()
            .map(|e| (e.kind, e.rs, e.script.map_or("", |c| c.argv[0])))
            .collect()
    }

    static BASIC: Site = site(&[vs(&[rs(1, 1, UP), rs(2, 3, UP)])]);

    #[test]
    fn dead_servers_leave_and_come_back_with_notifies() {
        let mut p = Pool::new(&BASIC);
        assert!(p.take_events().is_empty());
        let t = p.desired();
        assert_eq!(pool_of(&t), [(1, 1), (2, 3)]);
        let s = t.services.values().next().unwrap();
        assert_eq!(s.spec, ServiceSpec::new("wlc", false));
        // One of two checkers down: the server is down.
        assert!(p.set_checker(0, 0, 1, false));
        assert_eq!(pool_of(&p.desired()), [(2, 3)]);
        assert_eq!(kinds(&mut p), [(EventKind::RsDown, Some(0), "/bin/down")]);
        // The same result again changes nothing.
        assert!(!p.set_checker(0, 0, 1, false));
        assert!(p.set_checker(0, 0, 1, true));
        assert_eq!(pool_of(&p.desired()), [(1, 1), (2, 3)]);
        assert_eq!(kinds(&mut p), [(EventKind::RsUp, Some(0), "/bin/up")]);
        // Both down: quorum (1) lost, regained with one back.
        p.set_checker(0, 0, 0, false);
        p.set_checker(0, 1, 0, false);
        assert_eq!(pool_of(&p.desired()), []);
        assert_eq!(
            kinds(&mut p),
            [
                (EventKind::RsDown, Some(0), "/bin/down"),
                (EventKind::RsDown, Some(1), "/bin/down"),
                (EventKind::QuorumDown, None, "/bin/qdown"),
            ]
        );
        p.set_checker(0, 1, 0, true);
        assert_eq!(
            kinds(&mut p),
            [
                (EventKind::RsUp, Some(1), "/bin/up"),
                (EventKind::QuorumUp, None, "/bin/qup"),
            ]
        );
        // Out-of-range indices are ignored.
        assert!(!p.set_checker(5, 0, 0, true));
        assert!(!p.set_checker(0, 5, 0, true));
        assert!(!p.set_checker(0, 0, 5, true));
        assert!(!p.set_weight(0, 9, 1));
    }

    static INHIBIT: Site = site(&[VirtualServer {
        inhibit_on_failure: true,
        ..vs(&[
            RealServer {
                inhibit_on_failure: true,
                ..rs(1, 2, UP)
            },
            RealServer {
                inhibit_on_failure: true,
                ..rs(2, 2, ALPHA)
            },
        ])
    }]);

    #[test]
    fn inhibit_keeps_dead_servers_at_weight_zero_and_alpha_starts_down() {
        let mut p = Pool::new(&INHIBIT);
        assert!(!p.alive(0, 1));
        assert_eq!(pool_of(&p.desired()), [(1, 2), (2, 0)]);
        p.set_checker(0, 1, 0, true);
        assert_eq!(pool_of(&p.desired()), [(1, 2), (2, 2)]);
        p.set_checker(0, 0, 0, false);
        assert_eq!(pool_of(&p.desired()), [(1, 0), (2, 2)]);
    }

    static ALPHA_SITE: Site = site(&[vs(&[rs(1, 1, ALPHA), rs(2, 1, &[])])]);

    #[test]
    fn alpha_servers_join_after_their_first_success() {
        let mut p = Pool::new(&ALPHA_SITE);
        // A server without checkers is always alive.
        assert_eq!(pool_of(&p.desired()), [(2, 1)]);
        p.set_checker(0, 0, 0, true);
        assert_eq!(pool_of(&p.desired()), [(1, 1), (2, 1)]);
    }

    const SORRY: SorryServer = SorryServer {
        addr: v4(99),
        port: 80,
        inhibit: false,
        method: Method::Dr,
    };

    static QUORUM: Site = site(&[VirtualServer {
        quorum: 4,
        hysteresis: 1,
        sorry_server: Some(SORRY),
        ..vs(&[rs(1, 2, UP), rs(2, 2, UP), rs(3, 2, UP)])
    }]);

    #[test]
    fn quorum_with_hysteresis_swaps_in_the_sorry_server() {
        let mut p = Pool::new(&QUORUM);
        assert!(p.quorum_up(0));
        assert_eq!(pool_of(&p.desired()), [(1, 2), (2, 2), (3, 2)]);
        // 4 left: not below 4 - 1.
        p.set_checker(0, 0, 0, false);
        assert!(p.quorum_up(0));
        p.take_events();
        // 2 left: below 3, quorum lost, the sorry server alone.
        p.set_checker(0, 1, 0, false);
        assert!(!p.quorum_up(0));
        assert_eq!(pool_of(&p.desired()), [(99, 1)]);
        let t = p.desired();
        let d = t.services.values().next().unwrap().dests.values().next();
        assert_eq!(d.unwrap().forward, Forward::Route);
        assert_eq!(
            kinds(&mut p),
            [
                (EventKind::RsDown, Some(1), "/bin/down"),
                (EventKind::QuorumDown, None, "/bin/qdown"),
            ]
        );
        // 4 again: not yet 4 + 1, still the sorry server.
        p.set_checker(0, 1, 0, true);
        assert!(!p.quorum_up(0));
        assert_eq!(pool_of(&p.desired()), [(99, 1)]);
        // 6: quorum back, the sorry server leaves.
        p.set_checker(0, 0, 0, true);
        assert!(p.quorum_up(0));
        assert_eq!(pool_of(&p.desired()), [(1, 2), (2, 2), (3, 2)]);
        assert_eq!(
            kinds(&mut p),
            [
                (EventKind::RsUp, Some(1), "/bin/up"),
                (EventKind::RsUp, Some(0), "/bin/up"),
                (EventKind::QuorumUp, None, "/bin/qup"),
            ]
        );
    }

    static SORRY_START: Site = site(&[VirtualServer {
        sorry_server: Some(SorryServer {
            inhibit: true,
            ..SORRY
        }),
        ..vs(&[
            RealServer {
                inhibit_on_failure: true,
                ..rs(1, 1, ALPHA)
            },
            rs(2, 1, ALPHA),
        ])
    }]);

    #[test]
    fn starting_without_quorum_uses_the_inhibited_sorry_server() {
        let mut p = Pool::new(&SORRY_START);
        assert_eq!(
            kinds(&mut p),
            [(EventKind::QuorumDown, None, "/bin/qdown")]
        );
        // The inhibited real server at 0, the sorry server in use.
        assert_eq!(pool_of(&p.desired()), [(1, 0), (99, 1)]);
        p.set_checker(0, 1, 0, true);
        // Quorum back: the inhibited sorry server stays at weight 0.
        assert_eq!(pool_of(&p.desired()), [(1, 0), (2, 1), (99, 0)]);
    }

    #[test]
    fn dynamic_weights_change_the_pool_and_the_quorum() {
        let mut p = Pool::new(&BASIC);
        assert!(p.set_weight(0, 1, 7));
        assert!(!p.set_weight(0, 1, 7));
        assert_eq!(pool_of(&p.desired()), [(1, 1), (2, 7)]);
        p.set_weight(0, 0, 0);
        p.set_weight(0, 1, 0);
        // Alive at weight 0: in the pool, but no quorum.
        assert_eq!(pool_of(&p.desired()), [(1, 0), (2, 0)]);
        assert!(!p.quorum_up(0));
        p.set_weight(0, 0, 1);
        assert!(p.quorum_up(0));
    }

    static SUSPEND: Site = site(&[VirtualServer {
        ha_suspend: true,
        ..vs(&[rs(1, 1, UP)])
    }]);

    #[test]
    fn ha_suspend_pauses_checkers_until_master() {
        let mut p = Pool::new(&SUSPEND);
        assert!(p.suspended(0));
        assert!(!p.set_checker(0, 0, 0, false));
        assert_eq!(pool_of(&p.desired()), [(1, 1)]);
        p.set_master(0, true);
        assert!(!p.suspended(0));
        assert!(p.set_checker(0, 0, 0, false));
        assert_eq!(pool_of(&p.desired()), []);
        // Not ha_suspend: never suspended.
        let mut q = Pool::new(&BASIC);
        q.set_master(0, false);
        assert!(!q.suspended(0));
    }

    static OMEGA: Site = site(&[VirtualServer {
        omega: true,
        ..vs(&[rs(1, 1, UP), rs(2, 1, ALPHA)])
    }]);

    #[test]
    fn omega_runs_down_notifiers_at_shutdown() {
        let p = Pool::new(&OMEGA);
        let ev: Vec<_> = p
            .shutdown_events()
            .into_iter()
            .map(|e| (e.kind, e.rs))
            .collect();
        assert_eq!(
            ev,
            [(EventKind::RsDown, Some(0)), (EventKind::QuorumDown, None)]
        );
        assert!(Pool::new(&BASIC).shutdown_events().is_empty());
    }

    static GROUP: Site = site(&[VirtualServer {
        service: Service::Group {
            name: "G",
            entries: &[
                GroupEntry::Range {
                    first: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
                    last: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 12)),
                    port: 443,
                },
                GroupEntry::Fwmark {
                    mark: 5,
                    ipv6: true,
                },
            ],
        },
        protocol: Protocol::Udp,
        scheduler: "sh",
        flags: &["sh-port", "ops", "hashed"],
        persistence_timeout: Some(360),
        persistence_granularity: Some(24),
        persistence_engine: Some("sip"),
        ..vs(&[rs(1, 1, UP)])
    }]);

    #[test]
    fn groups_expand_to_every_address_and_fwmark() {
        let t = Pool::new(&GROUP).desired();
        let keys: Vec<String> =
            t.services.keys().map(|k| k.to_string()).collect();
        assert_eq!(
            keys,
            [
                "UDP 192.0.2.10:443",
                "UDP 192.0.2.11:443",
                "UDP 192.0.2.12:443",
                "FWM 5 IPv6",
            ]
        );
        let s = &t.services.values().next().unwrap().spec;
        assert_eq!(s.flags, F_SCHED2 | F_ONEPACKET | F_PERSISTENT);
        assert_eq!((s.timeout, s.netmask), (360, 24));
        assert_eq!(s.pe_name.as_deref(), Some("sip"));
        assert!(t.services.values().all(|s| s.dests.len() == 1));
        assert_eq!(t.dest_count(), 4);
    }

    #[test]
    fn ranges_are_bounded() {
        let a = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(range(a("192.0.2.3"), a("192.0.2.1")).is_empty());
        assert!(range(a("192.0.2.1"), a("2001:db8::1")).is_empty());
        assert_eq!(range(a("2001:db8::"), a("2001:db8::ffff")).len(), 65_536);
        assert!(range(a("2001:db8::"), a("2001:db8::1:0")).is_empty());
    }
}
