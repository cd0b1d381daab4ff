//! The VRRP engine: every instance of the site on one thread, with a
//! small event loop around the pure state machines. Per wake-up it
//! reads every queued packet first, then host changes, then timers
//! (machine.rs explains why packets come first). Nothing here blocks
//! except `poll`: address changes are one netlink round trip each,
//! done as the machine asks.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::OwnedFd;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use log::{error, info, warn};
use rustix::event::epoll::{self, Event, EventData, EventFlags};
use rustix::event::Timespec;

use crate::notify::{self, Notifier};
use crate::site::vrrp::{InitialState, Instance};
use crate::site::{Site, VrrpVersion};
use crate::sys::PacketSocket;
use crate::time::Instant;
use crate::track::{TrackEvent, TrackerStates};
use crate::vrrp::announce::{garp_frame, na_frame, Schedule};
use crate::vrrp::host::{Host, HostEvent};
use crate::vrrp::machine::{Action, Input, Machine, Params, Reason, State};
use crate::vrrp::rx::{self, Counters, Drop, Expect};
use crate::vrrp::socket::{VrrpSocket, GROUP_V4, GROUP_V6};
use crate::wire::vrrp::{self as wv, Addrs, ChecksumMode, Family, Version};
use crate::wire::{arp, Mac};

/// What the shell can read about an instance while the engine runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    pub state: State,
    pub priority: u8,
    /// The last master heard (priority), 0 when none.
    pub master_priority: u8,
    pub last_transition: Option<SystemTime>,
    pub vips_set: bool,
    pub counters: Counters,
    pub adverts_sent: u64,
    pub become_master: u64,
    pub release_master: u64,
    pub pri_zero_sent: u64,
}

impl Default for Status {
    fn default() -> Status {
        Status {
            state: State::Init,
            priority: 0,
            master_priority: 0,
            last_transition: None,
            vips_set: false,
            counters: Counters::default(),
            adverts_sent: 0,
            become_master: 0,
            release_master: 0,
            pri_zero_sent: 0,
        }
    }
}

pub type SharedStatus = Arc<Mutex<Vec<Status>>>;

/// An instance's state as a previous process of this router left it
/// (handed over across a SIGHUP re-exec), matched by name and VRID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resumed {
    pub name: String,
    pub vrid: u8,
    pub state: State,
    /// The virtual addresses it held (`PREFIX`, interface name), so the
    /// next process removes those its own config no longer has.
    pub addresses: Vec<(String, String)>,
}

/// What the engine works with besides the network: the trackers'
/// results, and where it tells state changes.
#[derive(Default)]
pub struct Extras {
    /// Tracker events (`track::Trackers` sends them; the engine wakes
    /// up for each) and the trackers' state at start.
    pub track: Option<(Receiver<TrackEvent>, TrackerStates)>,
    /// Notify scripts and FIFOs.
    pub notifier: Option<Notifier>,
}

/// Tracker events waiting for the engine thread, and the pipe that wakes
/// it (a relay thread moves them from the trackers' channel).
struct TrackFeed {
    queue: Arc<Mutex<Vec<TrackEvent>>>,
    wake: OwnedFd,
}

fn relay(rx: Receiver<TrackEvent>) -> io::Result<TrackFeed> {
    let (rd, wr) = rustix::pipe::pipe_with(
        rustix::pipe::PipeFlags::CLOEXEC | rustix::pipe::PipeFlags::NONBLOCK,
    )?;
    let queue: Arc<Mutex<Vec<TrackEvent>>> = Arc::default();
    let q = Arc::clone(&queue);
    // Ends when every tracker thread has dropped its sender.
    std::thread::Builder::new()
        .name("vrrp-track".into())
        .spawn(move || {
            for ev in rx {
                if let Ok(mut q) = q.lock() {
                    q.push(ev);
                }
                // A full pipe already holds a wake-up.
                let _ = rustix::io::write(&wr, &[1]);
            }
        })?;
    Ok(TrackFeed { queue, wake: rd })
}

/// A running engine.
pub struct Handle {
    stop: OwnedFd,
    thread: Option<JoinHandle<()>>,
    status: SharedStatus,
}

impl Handle {
    pub fn status(&self) -> SharedStatus {
        Arc::clone(&self.status)
    }

    /// Stops the engine: masters resign (priority 0) and remove their
    /// addresses; returns when that is done.
    pub fn stop(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        // A write error means the engine thread is gone already.
        let _ = rustix::io::write(&self.stop, &[1]);
        if let Some(t) = self.thread.take() {
            if t.join().is_err() {
                error!("VRRP engine thread panicked");
            }
        }
    }

    /// Every instance's state now, for the next process to resume.
    pub fn snapshot(&self, site: &Site) -> Vec<Resumed> {
        let Ok(st) = self.status.lock() else {
            return Vec::new();
        };
        site.instances
            .iter()
            .zip(st.iter())
            .map(|(i, s)| Resumed {
                name: i.name.to_owned(),
                vrid: i.vrid.get(),
                state: s.state,
                addresses: if s.vips_set { held(i) } else { Vec::new() },
            })
            .collect()
    }

    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }
}

impl std::ops::Drop for Handle {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

/// Starts the engine for `site` on its own thread; instances found in
/// `resume` take over the state a previous process left them in.
pub fn spawn<H: Host + Send + 'static>(
    site: &'static Site,
    host: H,
    resume: Vec<Resumed>,
    extras: Extras,
) -> io::Result<Handle> {
    let (rd, wr) = rustix::pipe::pipe_with(
        rustix::pipe::PipeFlags::CLOEXEC | rustix::pipe::PipeFlags::NONBLOCK,
    )?;
    let status: SharedStatus =
        Arc::new(Mutex::new(vec![Status::default(); site.instances.len()]));
    let mut engine = Engine::new(site, host, Arc::clone(&status), extras)?;
    let thread = std::thread::Builder::new()
        .name("vrrp".into())
        .spawn(move || engine.run(rd, &resume))?;
    Ok(Handle {
        stop: wr,
        thread: Some(thread),
        status,
    })
}

/// The addresses an instance adds as master: (`PREFIX`, interface).
fn held(i: &Instance) -> Vec<(String, String)> {
    i.addresses
        .iter()
        .chain(i.excluded_addresses)
        .map(|a| {
            let dev = a.dev.unwrap_or(i.interface);
            (a.prefix.to_string(), dev.as_str().to_owned())
        })
        .collect()
}

/// A prefix as `held` writes it.
fn parse_prefix(s: &str) -> Option<crate::site::Prefix> {
    let (addr, len) = s.split_once('/')?;
    let len: u8 = len.parse().ok()?;
    match addr.parse::<IpAddr>().ok()? {
        IpAddr::V4(v) if len <= 32 => {
            Some(crate::site::Prefix::v4(v.octets(), len))
        }
        IpAddr::V6(v) if len <= 128 => {
            Some(crate::site::Prefix::v6(v.segments(), len))
        }
        _ => None,
    }
}

/// One instance at run time.
struct Inst {
    cfg: &'static Instance,
    machine: Machine,
    ifindex: u32,
    mac: Mac,
    /// Index into `Engine::sockets`, once the interface has a source.
    socket: Option<usize>,
    src: Option<IpAddr>,
    family: Family,
    version: Version,
    vips: Vec<u8>,
    announce: Schedule,
    counters: Counters,
    /// Last time each drop reason was logged (rate limit).
    /// When each drop reason was last logged, then one slot for the
    /// rest (address-list mismatches, send errors).
    logged: [Option<Instant>; Drop::ALL.len() + 1],
    /// Its interface is present, up, with carrier and a source address.
    link_ok: bool,
    /// Into `Site::sync_groups`.
    group: Option<usize>,
    /// `use_vmac`: the VMAC's name, once made.
    vmac: Option<String>,
    /// The link-local address given to an IPv6 VMAC (the parent's).
    vmac_ll: Option<Ipv6Addr>,
    /// `linkbeat_use_polling`: the link state last polled (netlink's
    /// link events are then ignored for it, as keepalived does).
    polled: Option<bool>,
    /// The priority of the last advert heard (published as status).
    master_priority: u8,
    /// Stopping as master: the addresses stay until a new master is
    /// heard (make before break), or until the wait in `shutdown` ends.
    handing_over: bool,
    /// When a handing-over master lets go: shortly after it heard the
    /// new master, so the new master's gratuitous ARP/NA (sent right
    /// after its first advert) has reached the clients.
    release_at: Option<Instant>,
}

/// How long a resigning master keeps its addresses after hearing the
/// new master.
const HANDOVER_LINGER: Duration = Duration::from_millis(200);

/// epoll keys: the stop pipe, the host's events, then the sockets.
const KEY_STOP: u64 = 0;
const KEY_HOST: u64 = 1;
const KEY_TIMER: u64 = 2;
const KEY_TRACK: u64 = 3;
const KEY_SOCKETS: u64 = 4;

struct Engine<H: Host> {
    site: &'static Site,
    host: H,
    /// What the trackers last said.
    states: TrackerStates,
    track: Option<TrackFeed>,
    notifier: Option<Notifier>,
    /// Each sync group's state as last notified.
    group_state: Vec<Option<State>>,
    insts: Vec<Inst>,
    sockets: Vec<VrrpSocket>,
    /// Every descriptor the loop waits on, registered once.
    epoll: OwnedFd,
    /// Armed to the next deadline. epoll's own timeout counts whole
    /// milliseconds (rounded up) on kernels before 5.11; a timerfd
    /// wakes us to the microsecond.
    timer: OwnedFd,
    packet: Option<PacketSocket>,
    origin: std::time::Instant,
    status: SharedStatus,
    /// For `linkbeat_use_polling`: the socket the ioctls go through,
    /// and when to poll next (every second, as keepalived).
    linkbeat: Option<OwnedFd>,
    next_poll: Option<Instant>,
}

/// keepalived polls linkbeat interfaces once a second.
const LINKBEAT_PERIOD: Duration = Duration::from_secs(1);

/// The protocol's multicast group for `family`.
fn group_of(family: Family) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(GROUP_V4),
        Family::V6 => IpAddr::V6(GROUP_V6),
    }
}

fn vip_bytes(i: &Instance, family: Family) -> Vec<u8> {
    let mut out = Vec::new();
    for a in i.addresses {
        match (a.prefix.addr(), family) {
            (IpAddr::V4(v), Family::V4) => out.extend_from_slice(&v.octets()),
            (IpAddr::V6(v), Family::V6) => out.extend_from_slice(&v.octets()),
            _ => {}
        }
    }
    out
}

fn params(i: &Instance, primary: IpAddr) -> Params {
    Params {
        version: i.version,
        priority: i.priority.get(),
        advert_int: i.advert_interval.centis(),
        preempt: i.preempt,
        preempt_delay: i.preempt_delay.unwrap_or(Duration::ZERO),
        start_master: i.initial == InitialState::Master,
        primary,
        down_timer_adverts: i.down_timer_adverts.max(1),
        lower_prio_no_advert: i.lower_prio_no_advert,
        higher_prio_send_advert: i.higher_prio_send_advert,
    }
}

impl<H: Host> Engine<H> {
    fn new(
        site: &'static Site,
        host: H,
        status: SharedStatus,
        extras: Extras,
    ) -> io::Result<Engine<H>> {
        let packet = match PacketSocket::open() {
            Ok(p) => Some(p),
            Err(e) => {
                warn!("cannot open a packet socket, no gratuitous ARP/NA: {e}");
                None
            }
        };
        let insts = site
            .instances
            .iter()
            .enumerate()
            .map(|(idx, cfg)| {
                let family = if cfg.ipv6 { Family::V6 } else { Family::V4 };
                let unspecified = if cfg.ipv6 {
                    IpAddr::V6(Ipv6Addr::UNSPECIFIED)
                } else {
                    IpAddr::V4(Ipv4Addr::UNSPECIFIED)
                };
                Inst {
                    cfg,
                    machine: Machine::new(params(cfg, unspecified)),
                    ifindex: 0,
                    mac: Mac::default(),
                    socket: None,
                    src: None,
                    family,
                    version: match cfg.version {
                        VrrpVersion::V2 => Version::V2,
                        VrrpVersion::V3 => Version::V3,
                    },
                    vips: vip_bytes(cfg, family),
                    announce: Schedule::default(),
                    counters: Counters::default(),
                    logged: [None; Drop::ALL.len() + 1],
                    link_ok: false,
                    vmac: None,
                    vmac_ll: None,
                    polled: None,
                    group: site
                        .sync_groups
                        .iter()
                        .position(|g| g.members.contains(&idx)),
                    handing_over: false,
                    master_priority: 0,
                    release_at: None,
                }
            })
            .collect();
        let epoll = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        epoll::add(
            &epoll,
            host.event_fd(),
            EventData::new_u64(KEY_HOST),
            EventFlags::IN,
        )?;
        let timer = rustix::time::timerfd_create(
            rustix::time::TimerfdClockId::Monotonic,
            rustix::time::TimerfdFlags::CLOEXEC
                | rustix::time::TimerfdFlags::NONBLOCK,
        )?;
        epoll::add(
            &epoll,
            &timer,
            EventData::new_u64(KEY_TIMER),
            EventFlags::IN,
        )?;
        let mut states = TrackerStates::initial(site);
        let track = match extras.track {
            Some((rx, initial)) => {
                states = initial;
                let feed = relay(rx)?;
                epoll::add(
                    &epoll,
                    &feed.wake,
                    EventData::new_u64(KEY_TRACK),
                    EventFlags::IN,
                )?;
                Some(feed)
            }
            None => None,
        };
        Ok(Engine {
            site,
            states,
            track,
            notifier: extras.notifier,
            group_state: vec![None; site.sync_groups.len()],
            timer,
            host,
            insts,
            sockets: Vec::new(),
            epoll,
            packet,
            origin: std::time::Instant::now(),
            status,
            linkbeat: None,
            next_poll: None,
        })
    }

    fn now(&self) -> Instant {
        Instant::from_micros(
            u64::try_from(self.origin.elapsed().as_micros())
                .unwrap_or(u64::MAX),
        )
    }

    /// Finds (or opens) the socket for the instance's interface, family
    /// and source; `None` while the interface or its address is missing.
    fn bind(&mut self, k: usize) -> Option<usize> {
        let cfg = self.insts[k].cfg;
        let parent = self.host.link_by_name(cfg.interface.as_str())?;
        // With `use_vmac` the addresses and announcements go on the VMAC,
        // and so do the adverts unless `vmac_xmit_base`; the source
        // address is the parent's either way.
        let own = match &self.insts[k].vmac {
            Some(name) => self.host.link_by_name(name)?,
            None => parent,
        };
        let link = if cfg.vmac_xmit_base { parent } else { own };
        let inst = &mut self.insts[k];
        inst.ifindex = own.index;
        inst.mac = own.mac;
        let src = match cfg.src_ip {
            Some(a) => Some(a),
            None if cfg.ipv6 => {
                self.host.link_local_v6(parent.index).map(IpAddr::V6)
            }
            None => self.host.primary_v4(parent.index).map(IpAddr::V4),
        }?;
        let family = inst.family;
        // An IPv6 VMAC sends from the parent's link-local address, so it
        // must hold it too; the parent may have had none at start-up.
        if let (Some(_), IpAddr::V6(ll)) = (&inst.vmac, src) {
            if inst.vmac_ll != Some(ll) {
                match self.host.add_vmac_link_local(own.index, ll) {
                    Ok(()) => self.insts[k].vmac_ll = Some(ll),
                    Err(e) => {
                        error!(
                            "({}) link-local address on VMAC: {e}",
                            cfg.name
                        );
                        return None;
                    }
                }
            }
        }
        let inst = &mut self.insts[k];
        if inst.socket.is_some() && inst.src == Some(src) {
            return inst.socket;
        }
        inst.src = Some(src);
        let p = params(cfg, src);
        if *inst.machine.params() != p {
            // Only the primary address changes here; the state stays.
            let state = inst.machine.clone();
            inst.machine = Machine::new(p);
            if state.state() != State::Init {
                inst.machine = state;
            }
        }
        let found = self.sockets.iter().position(|s| {
            s.ifindex() == link.index && s.family() == family && s.src() == src
        });
        let idx = match found {
            Some(i) => i,
            None => {
                let dev = match &self.insts[k].vmac {
                    Some(name) if !cfg.vmac_xmit_base => name.as_str(),
                    _ => cfg.interface.as_str(),
                };
                let mut s = match VrrpSocket::open(dev, link.index, family, src)
                {
                    Ok(s) => s,
                    Err(e) => {
                        error!("({}) {e}", cfg.name);
                        return None;
                    }
                };
                if cfg.unicast_peers.is_empty() {
                    if let Err(e) = s.join() {
                        error!("({}) joining the VRRP group: {e}", cfg.name);
                    }
                }
                let key = KEY_SOCKETS + self.sockets.len() as u64;
                if let Err(e) = epoll::add(
                    &self.epoll,
                    &s,
                    EventData::new_u64(key),
                    EventFlags::IN,
                ) {
                    error!("({}) cannot wait on its socket: {e}", cfg.name);
                    return None;
                }
                self.sockets.push(s);
                self.sockets.len() - 1
            }
        };
        self.insts[k].socket = Some(idx);
        if let Some(ttl) = cfg.unicast_ttl {
            if let Err(e) = self.sockets[idx].set_unicast_ttl(ttl) {
                warn!("({}) unicast_ttl {ttl}: {e}", cfg.name);
            }
        }
        // The kernel hands this socket only its instances' VRIDs.
        let vrids: Vec<u8> = self
            .insts
            .iter()
            .filter(|i| i.socket == Some(idx))
            .map(|i| i.cfg.vrid.get())
            .collect();
        if let Err(e) = self.sockets[idx].filter_vrids(&vrids) {
            warn!("({}) no VRID filter on its socket: {e}", cfg.name);
        }
        Some(idx)
    }

    fn run(&mut self, stop: OwnedFd, resume: &[Resumed]) {
        if let Err(e) = epoll::add(
            &self.epoll,
            &stop,
            EventData::new_u64(KEY_STOP),
            EventFlags::IN,
        ) {
            error!("VRRP engine cannot wait for its stop signal: {e}");
            return;
        }
        self.release_dropped(resume);
        self.statics(true);
        self.create_vmacs();
        let now = self.now();
        self.poll_links(now);
        for k in 0..self.insts.len() {
            self.insts[k].link_ok = self.bind(k).is_some() && self.usable(k);
            let (_, prio) = self.evaluate(k);
            if prio != self.insts[k].machine.priority() {
                self.step(k, Input::Priority(prio), now);
            }
        }
        for k in 0..self.insts.len() {
            let cfg = self.insts[k].cfg;
            let name = cfg.name;
            let prev = resume
                .iter()
                .find(|r| r.name == name && r.vrid == cfg.vrid.get())
                .map(|r| r.state);
            if !self.wants_fault(k) {
                match prev {
                    Some(s @ (State::Master | State::Backup)) => {
                        info!(
                            "({name}) taking over {} from the previous process",
                            s.name()
                        );
                        if s == State::Master {
                            if let Ok(mut st) = self.status.lock() {
                                st[k].vips_set = true;
                            }
                        }
                        self.step(k, Input::Resume(s), now);
                    }
                    _ => self.step(k, Input::Start, now),
                }
            } else {
                if !self.insts[k].link_ok {
                    warn!(
                        "({name}) interface {} is missing, down or has no address",
                        self.insts[k].cfg.interface
                    );
                }
                self.step(k, Input::Fault, now);
            }
        }
        let mut buf = vec![0u8; 65_536];
        // The wait's result buffer, reused (no allocation per wake-up).
        let blank = Event {
            flags: EventFlags::empty(),
            data: EventData::new_u64(0),
        };
        let mut events = vec![blank; 64];
        loop {
            let deadline = self
                .insts
                .iter()
                .flat_map(|i| [i.machine.deadline(), i.announce.deadline()])
                .flatten()
                .chain(self.next_poll)
                .min();
            let now = self.now();
            // Zero disarms the timer: wait for a packet or a change.
            let wait = deadline.map_or(Duration::ZERO, |d| {
                d.since(now).max(Duration::from_nanos(1))
            });
            let spec = rustix::time::Itimerspec {
                it_interval: Timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                },
                it_value: Timespec {
                    tv_sec: i64::try_from(wait.as_secs()).unwrap_or(i64::MAX),
                    tv_nsec: i64::from(wait.subsec_nanos()),
                },
            };
            if let Err(e) = rustix::time::timerfd_settime(
                &self.timer,
                rustix::time::TimerfdTimerFlags::empty(),
                &spec,
            ) {
                error!("VRRP engine timer: {e}");
            }
            let n = match epoll::wait(&self.epoll, &mut events[..], None) {
                Ok(n) => n,
                Err(rustix::io::Errno::INTR) => 0,
                Err(e) => {
                    error!("VRRP engine wait: {e}");
                    std::thread::sleep(Duration::from_millis(10));
                    0
                }
            };
            let mut stopping = false;
            let mut host = false;
            let mut tracked = false;
            for ev in &events[..n] {
                match ev.data.u64() {
                    KEY_STOP => stopping = true,
                    KEY_HOST => host = true,
                    KEY_TRACK => tracked = true,
                    KEY_TIMER => {
                        // Clear the expiry count; the timers run below.
                        let mut n = [0u8; 8];
                        let _ = rustix::io::read(&self.timer, &mut n);
                    }
                    _ => {}
                }
            }
            if stopping {
                self.shutdown();
                return;
            }
            // Every socket with a packet queued, before the timers.
            for ev in &events[..n] {
                if let Some(si) = ev.data.u64().checked_sub(KEY_SOCKETS) {
                    self.read_socket(si as usize, &mut buf);
                }
            }
            if host {
                self.host_changes();
            }
            if tracked {
                self.tracker_changes();
            }
            self.timers();
            self.publish();
        }
    }

    /// Removes the addresses the previous process held as master that no
    /// instance of this config adds any more (an instance or an address
    /// deleted by the upgrade's config change).
    fn release_dropped(&mut self, resume: &[Resumed]) {
        let mut keep: Vec<(String, String)> = Vec::new();
        for r in resume {
            if let Some(i) = self
                .insts
                .iter()
                .find(|i| i.cfg.name == r.name && i.cfg.vrid.get() == r.vrid)
            {
                keep.extend(held(i.cfg));
            }
        }
        for r in resume {
            for (prefix, dev) in &r.addresses {
                if keep.iter().any(|(p, d)| p == prefix && d == dev) {
                    continue;
                }
                let (Some(p), Some(link)) =
                    (parse_prefix(prefix), self.host.link_by_name(dev))
                else {
                    continue;
                };
                let a = crate::site::addr::Address::plain(p, "");
                match self.host.del_address(link.index, &a) {
                    Ok(()) => info!(
                        "({}) Removing address {prefix} dev {dev}: no longer configured",
                        r.name
                    ),
                    Err(e) => warn!(
                        "({}) removing address {prefix} dev {dev}, no longer configured: {e}",
                        r.name
                    ),
                }
            }
        }
    }

    /// Reads every packet queued on socket `si`.
    fn read_socket(&mut self, si: usize, buf: &mut [u8]) {
        if si >= self.sockets.len() {
            return;
        }
        {
            loop {
                let got = match self.sockets[si].recv(buf) {
                    Ok(Some(rx)) => {
                        let now = self.now();
                        let vrid = rx::vrid(rx.payload);
                        let target = self.insts.iter().position(|i| {
                            i.socket == Some(si)
                                && Some(i.cfg.vrid.get()) == vrid
                        });
                        match target {
                            // The kernel's VRID filter lets almost none
                            // through (only packets queued before it was
                            // attached).
                            None => None,
                            Some(k) => {
                                let i = &self.insts[k];
                                let own = i.src.unwrap_or(rx.src);
                                let exp = Expect {
                                    version: i.version,
                                    family: i.family,
                                    auth: i.cfg.auth,
                                    advert_int: i.cfg.advert_interval.centis(),
                                    vips: Addrs::new(i.family, &i.vips),
                                    checksum: ChecksumMode::Rfc,
                                    unicast: !i.cfg.unicast_peers.is_empty(),
                                    peers: i.cfg.unicast_peers,
                                    own,
                                    old_unicast_group: i
                                        .cfg
                                        .old_unicast_checksum
                                        .then(|| group_of(i.family)),
                                };
                                let r = rx::check(&rx, now, &exp);
                                Some((k, r, rx.src, now))
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        warn!("VRRP socket receive: {e}");
                        break;
                    }
                };
                let Some((k, result, from, now)) = got else {
                    continue;
                };
                self.insts[k].counters.count(&result);
                match result {
                    Ok(a) => {
                        if a.addr_list_mismatch {
                            self.log_rate_limited(
                                k,
                                None,
                                now,
                                &format!("received an advert from {from} with another address list"),
                            );
                        }
                        let i = &mut self.insts[k];
                        i.master_priority = a.advert.priority;
                        if i.handing_over
                            && a.advert.priority > 0
                            && i.release_at.is_none()
                        {
                            // The new master speaks: let go shortly.
                            i.release_at = Some(now + HANDOVER_LINGER);
                        }
                        self.step(k, Input::Advert(a.advert), now);
                    }
                    Err(d) => {
                        let msg = format!(
                            "dropped a packet from {from}: {}",
                            d.describe()
                        );
                        self.log_rate_limited(k, Some(d), now, &msg);
                    }
                }
            }
        }
    }

    /// Logs at most once per reason every 10 s per instance.
    fn log_rate_limited(
        &mut self,
        k: usize,
        d: Option<Drop>,
        now: Instant,
        msg: &str,
    ) {
        let slot = d.map_or(Drop::ALL.len(), |d| d.index());
        let i = &mut self.insts[k];
        if i.logged[slot]
            .is_some_and(|t| now.since(t) < Duration::from_secs(10))
        {
            return;
        }
        i.logged[slot] = Some(now);
        warn!("({}) {msg}", i.cfg.name);
    }

    /// Whether the instance's (bound) interface is up with carrier: from
    /// netlink, or polled with `linkbeat_use_polling`.
    fn usable(&self, k: usize) -> bool {
        let i = &self.insts[k];
        match i.polled {
            Some(up) if i.cfg.linkbeat_use_polling => up,
            _ => self.host.link(i.ifindex).is_some_and(|l| l.usable),
        }
    }

    /// Polls the links of the `linkbeat_use_polling` instances; true
    /// when one changed.
    fn poll_links(&mut self, now: Instant) -> bool {
        if !self.insts.iter().any(|i| i.cfg.linkbeat_use_polling) {
            return false;
        }
        if self.linkbeat.is_none() {
            match rustix::net::socket(
                rustix::net::AddressFamily::INET,
                rustix::net::SocketType::DGRAM,
                None,
            ) {
                Ok(fd) => {
                    info!("Using ETHTOOL/ioctl NIC polling for linkbeat");
                    self.linkbeat = Some(fd);
                }
                Err(e) => {
                    error!("linkbeat: cannot open a socket to poll with: {e}");
                    return false;
                }
            }
        }
        self.next_poll = Some(now + LINKBEAT_PERIOD);
        let Some(fd) = &self.linkbeat else {
            return false;
        };
        let mut changed = false;
        for i in self.insts.iter_mut().filter(|i| i.cfg.linkbeat_use_polling) {
            let name = i.cfg.interface.as_str();
            // A missing interface is down.
            let up = crate::sys::poll_link(std::os::fd::AsFd::as_fd(fd), name)
                .unwrap_or(false);
            if i.polled != Some(up) {
                if i.polled.is_some() {
                    info!(
                        "Linkbeat reports {name} {}",
                        if up { "up" } else { "down" }
                    );
                }
                i.polled = Some(up);
                changed = true;
            }
        }
        changed
    }

    fn host_changes(&mut self) {
        let mut changed = false;
        self.host.process(&mut |_e: HostEvent| changed = true);
        if changed {
            self.links_changed();
        }
    }

    /// Re-reads every instance's link after a change (netlink or
    /// polled) and moves instances into or out of Fault.
    fn links_changed(&mut self) {
        let now = self.now();
        for k in 0..self.insts.len() {
            let usable = self.bind(k).is_some() && self.usable(k);
            let i = &mut self.insts[k];
            if usable && !i.link_ok {
                i.link_ok = true;
                if let Some(s) = i.socket.and_then(|s| self.sockets.get_mut(s))
                {
                    if i.cfg.unicast_peers.is_empty() {
                        let _ = s.join();
                    }
                }
                info!("({}) interface {} is up", i.cfg.name, i.cfg.interface);
            } else if !usable && i.link_ok {
                i.link_ok = false;
                info!("({}) interface {} is down", i.cfg.name, i.cfg.interface);
                if let Some(s) = i.socket.and_then(|s| self.sockets.get_mut(s))
                {
                    s.leave();
                }
            }
        }
        self.reevaluate(now);
    }

    /// Applies what the trackers reported since the last wake-up.
    fn tracker_changes(&mut self) {
        let Some(feed) = &self.track else { return };
        let mut drain = [0u8; 64];
        while matches!(rustix::io::read(&feed.wake, &mut drain), Ok(n) if n > 0)
        {
        }
        let events = match feed.queue.lock() {
            Ok(mut q) => std::mem::take(&mut *q),
            Err(_) => return,
        };
        if events.is_empty() {
            return;
        }
        for ev in &events {
            self.states.apply(ev);
        }
        let now = self.now();
        self.reevaluate(now);
    }

    /// Whether interface `name` is up, for tracking: the instance's own
    /// interface as bound (present, up, with a source address), any
    /// other from the host's view.
    fn iface_up(&self, k: usize, name: crate::site::IfName) -> bool {
        let i = &self.insts[k];
        if name == i.cfg.interface {
            return i.link_ok;
        }
        self.host
            .link_by_name(name.as_str())
            .is_some_and(|l| l.usable)
    }

    /// This instance's own fault and effective priority, from its
    /// interface and what it tracks (keepalived's rules, in
    /// `track::effective`).
    fn evaluate(&self, k: usize) -> (bool, u8) {
        let e = crate::track::effective(self.site, k, &self.states, |n| {
            self.iface_up(k, n)
        });
        // Without a socket (interface or source address missing) it
        // cannot take part, whatever `dont_track_primary` says.
        let unbound = self.insts[k].socket.is_none();
        (e.fault || e.init || unbound, e.priority)
    }

    /// Whether the instance must be in Fault: its own fault, or (in a
    /// sync group) any member's.
    fn wants_fault(&self, k: usize) -> bool {
        match self.insts[k].group {
            None => self.evaluate(k).0,
            Some(g) => (0..self.insts.len())
                .filter(|&m| self.insts[m].group == Some(g))
                .any(|m| self.evaluate(m).0),
        }
    }

    /// Feeds every instance the fault state and priority its interface,
    /// its trackers and its sync group now call for.
    fn reevaluate(&mut self, now: Instant) {
        for k in 0..self.insts.len() {
            let (_, prio) = self.evaluate(k);
            if prio != self.insts[k].machine.priority() {
                info!(
                    "({}) Changing effective priority from {} to {prio}",
                    self.insts[k].cfg.name,
                    self.insts[k].machine.priority()
                );
                self.step(k, Input::Priority(prio), now);
            }
        }
        for k in 0..self.insts.len() {
            let fault = self.wants_fault(k);
            let state = self.insts[k].machine.state();
            match (state, fault) {
                (State::Fault, false) => self.step(k, Input::FaultCleared, now),
                (State::Init, false) => self.step(k, Input::Start, now),
                (State::Backup | State::Master | State::Init, true) => {
                    self.step(k, Input::Fault, now)
                }
                _ => {}
            }
        }
    }

    fn timers(&mut self) {
        let now = self.now();
        if self.next_poll.is_some_and(|t| t <= now) && self.poll_links(now) {
            self.links_changed();
        }
        for k in 0..self.insts.len() {
            if self.insts[k].machine.deadline().is_some_and(|d| d <= now) {
                self.step(k, Input::Timeout, now);
            }
            let cfg = self.insts[k].cfg;
            let rounds = self.insts[k].announce.poll(now, &cfg.garp);
            for _ in 0..rounds {
                self.send_announce(k);
            }
        }
    }

    fn step(&mut self, k: usize, input: Input, now: Instant) {
        let out = self.insts[k].machine.step(input, now);
        let mut follow = None;
        for a in out.actions {
            if let Action::Transition { from, to, reason } = a {
                // The other members of a sync group follow a member's
                // own move into or out of Master.
                follow = match (from, to, reason) {
                    (_, _, Reason::Sync) => None,
                    (_, State::Master, _) => Some(State::Master),
                    (State::Master, State::Backup, _) => Some(State::Backup),
                    _ => None,
                };
            }
            self.act(k, a, now);
        }
        if let (Some(to), Some(g)) = (follow, self.insts[k].group) {
            for m in 0..self.insts.len() {
                if m != k && self.insts[m].group == Some(g) {
                    self.step(m, Input::Sync(to), now);
                }
            }
        }
    }

    fn act(&mut self, k: usize, a: Action, now: Instant) {
        let cfg = self.insts[k].cfg;
        match a {
            Action::Transition { from, to, reason } => {
                let note = match (from, reason) {
                    (_, Reason::Resumed) => " (resumed)",
                    (State::Init, _) => " (init)",
                    _ => "",
                };
                info!("({}) Entering {} STATE{note}", cfg.name, to.name());
                self.notify_transition(k, to, reason);
                if let Ok(mut st) = self.status.lock() {
                    let s = &mut st[k];
                    s.state = to;
                    s.last_transition = Some(SystemTime::now());
                    if to == State::Master {
                        s.become_master += 1;
                    }
                    if from == State::Master {
                        s.release_master += 1;
                    }
                }
                if from == State::Master {
                    self.insts[k].announce.stop();
                }
            }
            Action::SendAdvert { priority } => self.send_advert(k, priority),
            Action::AddAddresses => self.addresses(k, true),
            Action::RemoveAddresses
                if self.insts[k].machine.state() == State::Stopped =>
            {
                // Shutting down as master: keep the addresses until the
                // backup has taken over (see `shutdown`).
                self.insts[k].handing_over = true;
            }
            Action::RemoveAddresses => self.addresses(k, false),
            Action::Announce => {
                self.insts[k].announce.master(now, &cfg.garp);
                let rounds = self.insts[k].announce.poll(now, &cfg.garp);
                for _ in 0..rounds {
                    self.send_announce(k);
                }
            }
            Action::LowerPriorityMaster { from } => {
                if let Some(n) = &self.notifier {
                    n.notify(notify::Event::InstanceEvent {
                        index: k,
                        event: notify::InstanceEvent::MasterRxLowerPri,
                        priority: self.insts[k].machine.priority(),
                    });
                }
                info!(
                    "({}) Received advert from {from} with lower priority, sending own advert",
                    cfg.name
                );
                self.insts[k].announce.lower_priority(now, &cfg.garp);
            }
        }
    }

    /// Tells the notify scripts and FIFOs about a change of state of
    /// instance `k`, and of its sync group when the group moves with it.
    fn notify_transition(&mut self, k: usize, to: State, reason: Reason) {
        let word = match to {
            State::Master => notify::State::Master,
            State::Backup => notify::State::Backup,
            State::Fault => notify::State::Fault,
            State::Stopped => notify::State::Stop,
            State::Init => return,
        };
        // keepalived holds an instance whose scripts have not reported
        // yet in FAULT without telling anyone ("(init)").
        if to == State::Fault {
            let e = crate::track::effective(self.site, k, &self.states, |n| {
                self.iface_up(k, n)
            });
            if e.init && !e.fault && self.insts[k].link_ok {
                return;
            }
        }
        let Some(n) = &self.notifier else { return };
        n.notify(notify::Event::Instance {
            index: k,
            state: word,
            priority: self.insts[k].machine.priority(),
        });
        if let Some(g) = self.insts[k].group {
            if reason != Reason::Sync && self.group_state[g] != Some(to) {
                self.group_state[g] = Some(to);
                n.notify(notify::Event::Group {
                    index: g,
                    state: word,
                });
            }
        }
    }

    fn send_advert(&mut self, k: usize, priority: u8) {
        let i = &self.insts[k];
        let (Some(si), Some(src)) = (i.socket, i.src) else {
            return;
        };
        let auth = match (i.version, i.cfg.auth) {
            (Version::V2, crate::site::vrrp::Auth::Pass(p)) => {
                wv::Auth::Pass(p.as_bytes())
            }
            (Version::V2, crate::site::vrrp::Auth::Ah(_)) => wv::Auth::Ah,
            _ => wv::Auth::None,
        };
        let repr = wv::Repr {
            version: i.version,
            vrid: i.cfg.vrid.get(),
            priority,
            interval_centis: i.cfg.advert_interval.centis(),
            auth,
            addrs: Addrs::new(i.family, &i.vips),
        };
        let mut msg = [0u8; 8 + 255 * 16 + 8];
        let len = repr.buffer_len().min(msg.len());
        let group = match i.family {
            Family::V4 => i.cfg.mcast_dst.unwrap_or(IpAddr::V4(GROUP_V4)),
            Family::V6 => i.cfg.mcast_dst.unwrap_or(IpAddr::V6(GROUP_V6)),
        };
        let peers = i.cfg.unicast_peers;
        let mut sent = 0;
        let mut failed = None;
        for n in 0..peers.len().max(1) {
            let dst = peers.get(n).map_or(group, |p| p.address);
            let mut pkt = wv::Packet::new_unchecked(&mut msg[..len]);
            // `old_unicast_checksum`: the group stands in the checksum's
            // pseudo-header, as keepalived before 1.3.6 computed it.
            let csum_dst = if i.cfg.old_unicast_checksum {
                group_of(i.family)
            } else {
                dst
            };
            repr.emit(&mut pkt, src, csum_dst, ChecksumMode::Rfc);
            match self.sockets[si].send(dst, &msg[..len]) {
                Ok(()) => sent += 1,
                Err(e) => failed = Some((dst, e)),
            }
        }
        if let Some((dst, e)) = failed {
            let now = self.now();
            self.log_rate_limited(
                k,
                None,
                now,
                &format!("sending an advert to {dst}: {e}"),
            );
        }
        if let Ok(mut st) = self.status.lock() {
            st[k].adverts_sent += sent;
            if priority == 0 {
                st[k].pri_zero_sent += sent;
            }
        }
    }

    /// Makes the VMACs of the `use_vmac` instances (or takes over those
    /// a previous process left), and waits until the host's view has
    /// them (a second at most).
    fn create_vmacs(&mut self) {
        let mut made = 0;
        for k in 0..self.insts.len() {
            let cfg = self.insts[k].cfg;
            let Some(name) = cfg.use_vmac else { continue };
            let name = name.map_or_else(
                || format!("vrrp.{}", cfg.vrid.get()),
                str::to_owned,
            );
            let Some(parent) = self.host.link_by_name(cfg.interface.as_str())
            else {
                error!(
                    "({}) cannot make VMAC {name}: no interface {}",
                    cfg.name, cfg.interface
                );
                continue;
            };
            match self
                .host
                .create_vmac(&name, parent.index, cfg.vrid, cfg.ipv6)
            {
                Ok(_) => {
                    info!("({}) VMAC {name} on {}", cfg.name, cfg.interface);
                    self.insts[k].vmac = Some(name);
                    made += 1;
                }
                Err(e) => error!("({}) making VMAC {name}: {e}", cfg.name),
            }
        }
        if made == 0 {
            return;
        }
        let until = self.now() + Duration::from_secs(1);
        while self.now() < until {
            let all = self
                .insts
                .iter()
                .filter_map(|i| i.vmac.as_deref())
                .all(|n| self.host.link_by_name(n).is_some_and(|l| l.usable));
            if all {
                break;
            }
            self.host.process(&mut |_| {});
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Deletes the VMACs (their sysctls are put back).
    fn delete_vmacs(&mut self) {
        for k in 0..self.insts.len() {
            let Some(name) = self.insts[k].vmac.take() else {
                continue;
            };
            let Some(link) = self.host.link_by_name(&name) else {
                continue;
            };
            match self.host.delete_vmac(link.index) {
                Ok(()) => {
                    info!("({}) VMAC {name} removed", self.insts[k].cfg.name)
                }
                Err(e) => error!(
                    "({}) removing VMAC {name}: {e}",
                    self.insts[k].cfg.name
                ),
            }
        }
    }

    /// `static_ipaddress`, `static_routes` and `static_rules`: added at
    /// start-up, removed at stop, whatever the instances do.
    fn statics(&mut self, add: bool) {
        let site = self.site;
        let verb = if add { "Adding" } else { "Removing" };
        if !add {
            self.routes_rules(
                "static",
                site.static_routes,
                site.static_rules,
                false,
            );
        }
        for a in site.static_addresses {
            let Some(dev) = a.dev else {
                error!("static address {} has no interface", a.line);
                continue;
            };
            let Some(link) = self.host.link_by_name(dev.as_str()) else {
                error!("{verb} static address {}: no interface {dev}", a.line);
                continue;
            };
            let r = if add {
                self.host.add_address(link.index, a)
            } else {
                self.host.del_address(link.index, a)
            };
            match r {
                Ok(()) => info!("{verb} static address {}", a.line),
                Err(e) => error!("{verb} static address {}: {e}", a.line),
            }
        }
        if add {
            self.routes_rules(
                "static",
                site.static_routes,
                site.static_rules,
                true,
            );
        }
    }

    /// Adds (routes, then rules) or removes (rules, then routes) one
    /// object's routes and rules, logging each.
    fn routes_rules(
        &mut self,
        who: &str,
        routes: &[crate::site::addr::Route],
        rules: &[crate::site::addr::Rule],
        add: bool,
    ) {
        let verb = if add { "Adding" } else { "Removing" };
        if add {
            for r in routes {
                match self.host.add_route(r) {
                    Ok(()) => info!("({who}) {verb} route {}", r.line),
                    Err(e) => error!("({who}) {verb} route {}: {e}", r.line),
                }
            }
        }
        for r in rules {
            let res = if add {
                self.host.add_rule(r)
            } else {
                self.host.del_rule(r)
            };
            match res {
                Ok(()) => info!("({who}) {verb} rule {}", r.line),
                Err(e) => error!("({who}) {verb} rule {}: {e}", r.line),
            }
        }
        if !add {
            for r in routes {
                match self.host.del_route(r) {
                    Ok(()) => info!("({who}) {verb} route {}", r.line),
                    Err(e) => error!("({who}) {verb} route {}: {e}", r.line),
                }
            }
        }
    }

    fn addresses(&mut self, k: usize, add: bool) {
        let cfg = self.insts[k].cfg;
        let default_if = self.insts[k].ifindex;
        if !add {
            // Routes may go through the addresses: they leave first.
            self.routes_rules(cfg.name, cfg.routes, cfg.rules, false);
        }
        for a in cfg.addresses.iter().chain(cfg.excluded_addresses) {
            let ifindex = match a.dev {
                Some(d) => self.host.link_by_name(d.as_str()).map(|l| l.index),
                None => Some(default_if),
            };
            let Some(ifindex) = ifindex else {
                error!("({}) interface of {} is missing", cfg.name, a.line);
                continue;
            };
            let r = if add {
                self.host.add_address(ifindex, a)
            } else {
                self.host.del_address(ifindex, a)
            };
            let verb = if add { "Adding" } else { "Removing" };
            match r {
                Ok(()) => info!("({}) {verb} address {}", cfg.name, a.line),
                Err(e) => {
                    error!("({}) {verb} address {}: {e}", cfg.name, a.line)
                }
            }
        }
        if add {
            self.routes_rules(cfg.name, cfg.routes, cfg.rules, true);
        }
        if let Ok(mut st) = self.status.lock() {
            st[k].vips_set = add;
        }
    }

    /// One round: a gratuitous ARP or NA per virtual address.
    fn send_announce(&mut self, k: usize) {
        let Some(pkt) = &self.packet else { return };
        let i = &self.insts[k];
        for a in i.cfg.addresses.iter().chain(i.cfg.excluded_addresses) {
            let (ifindex, mac) = match a.dev {
                Some(d) => match self.host.link_by_name(d.as_str()) {
                    Some(l) => (l.index, l.mac),
                    None => continue,
                },
                None => (i.ifindex, i.mac),
            };
            let r = match a.prefix.addr() {
                IpAddr::V4(v) => pkt.send(
                    ifindex,
                    Mac::BROADCAST,
                    arp::ETHERTYPE,
                    &garp_frame(mac, v),
                ),
                IpAddr::V6(v) => pkt.send(
                    ifindex,
                    Mac([0x33, 0x33, 0, 0, 0, 1]),
                    0x86dd,
                    &na_frame(mac, v),
                ),
            };
            if let Err(e) = r {
                warn!("({}) gratuitous ARP/NA for {}: {e}", i.cfg.name, a.line);
            }
        }
    }

    /// Stops every instance. A master resigns (priority 0) but keeps its
    /// addresses until it hears the new master, so clients never find
    /// nobody answering (make before break); it waits at most the
    /// longest master-down interval of its instances, then lets go
    /// anyway (no backup at all).
    fn shutdown(&mut self) {
        let now = self.now();
        let mut wait = Duration::ZERO;
        for k in 0..self.insts.len() {
            if self.insts[k].machine.state() == State::Master {
                wait = wait.max(self.insts[k].machine.master_down_interval());
            }
            self.step(k, Input::Stop, now);
        }
        self.publish();
        let until = now + wait;
        let mut buf = vec![0u8; 65_536];
        let blank = Event {
            flags: EventFlags::empty(),
            data: EventData::new_u64(0),
        };
        let mut events = [blank; 16];
        while self.insts.iter().any(|i| i.handing_over) {
            let now = self.now();
            for k in 0..self.insts.len() {
                let i = &mut self.insts[k];
                if i.handing_over && i.release_at.is_some_and(|t| t <= now) {
                    i.handing_over = false;
                    self.addresses(k, false);
                }
            }
            if now >= until {
                break;
            }
            let next = self
                .insts
                .iter()
                .filter(|i| i.handing_over)
                .filter_map(|i| i.release_at)
                .fold(until, |a, b| a.min(b));
            let left = next.since(now);
            let timeout = Timespec {
                tv_sec: i64::try_from(left.as_secs()).unwrap_or(i64::MAX),
                tv_nsec: i64::from(left.subsec_nanos()),
            };
            let n = epoll::wait(&self.epoll, &mut events[..], Some(&timeout))
                .unwrap_or(0);
            for ev in &events[..n] {
                if let Some(si) = ev.data.u64().checked_sub(KEY_SOCKETS) {
                    self.read_socket(si as usize, &mut buf);
                }
            }
        }
        for k in 0..self.insts.len() {
            if self.insts[k].handing_over {
                self.insts[k].handing_over = false;
                warn!(
                    "({}) no new master heard; removing the addresses",
                    self.insts[k].cfg.name
                );
                self.addresses(k, false);
            }
        }
        self.delete_vmacs();
        self.statics(false);
        self.publish();
        if let Some(n) = self.notifier.take() {
            // STOP scripts run (each for at most a second).
            n.stop(Duration::from_secs(2));
        }
    }

    fn publish(&mut self) {
        if let Ok(mut st) = self.status.lock() {
            for (s, i) in st.iter_mut().zip(&self.insts) {
                s.counters = i.counters;
                s.master_priority = i.master_priority;
                s.state = i.machine.state();
                s.priority = i.machine.priority();
            }
        }
    }
}
