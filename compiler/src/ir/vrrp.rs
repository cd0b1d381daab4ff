//! `vrrp_instance` and `vrrp_sync_group`.
//!
//! Every setting is stored as written (`None` when absent), so the dump
//! reproduces the file; keepalived's defaults are in methods
//! ([`VrrpInstance::effective_priority`], ...).

use std::fmt;
use std::net::IpAddr;

use super::addr::{AddressEntry, RouteEntry, RuleEntry};
use super::value::{Command, Family, IpPrefix, Micros, Sp};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vrrp {
    pub instances: Vec<VrrpInstance>,
    pub sync_groups: Vec<SyncGroup>,
}

impl Vrrp {
    pub fn instance(&self, name: &str) -> Option<&VrrpInstance> {
        self.instances.iter().find(|i| i.name.value == name)
    }

    /// The sync groups listing `instance` in their `group { }`.
    pub fn groups_of<'a>(
        &'a self,
        instance: &'a str,
    ) -> impl Iterator<Item = &'a SyncGroup> {
        self.sync_groups
            .iter()
            .filter(move |g| g.members().any(|m| m.value == instance))
    }
}

/// `state MASTER|BACKUP`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Master,
    Backup,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Master => "MASTER",
            State::Backup => "BACKUP",
        })
    }
}

/// `auth_type PASS|AH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthType {
    Pass,
    Ah,
}

impl fmt::Display for AuthType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthType::Pass => "PASS",
            AuthType::Ah => "AH",
        })
    }
}

/// The `authentication { }` block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Auth {
    pub auth_type: Option<Sp<AuthType>>,
    pub auth_pass: Option<Sp<String>>,
}

/// What a tracker's failure does to the priority: `weight N [reverse]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackWeight {
    pub weight: Sp<i32>,
    /// `Some(true)` for `reverse`, `Some(false)` for `noreverse`.
    pub reverse: Option<bool>,
}

/// One line of a `track_interface` / `track_script` / `track_file` /
/// `track_process` / `track_bfd` block: `NAME [weight N [reverse]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Tracker {
    pub name: Sp<String>,
    pub weight: Option<TrackWeight>,
}

impl Tracker {
    /// The weight written on this line (0 when none: the object's own
    /// weight, or fault on failure, applies).
    pub fn line_weight(&self) -> i32 {
        self.weight.as_ref().map_or(0, |w| w.weight.value)
    }
}

impl fmt::Display for Tracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(w) = &self.weight {
            write!(f, " weight {}", w.weight)?;
            match w.reverse {
                Some(true) => write!(f, " reverse")?,
                Some(false) => write!(f, " noreverse")?,
                None => {}
            }
        }
        Ok(())
    }
}

/// The five kinds of tracked objects (instances and sync groups).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackKind {
    Interface,
    Script,
    File,
    Process,
    Bfd,
}

impl TrackKind {
    pub const ALL: [TrackKind; 5] = [
        TrackKind::Interface,
        TrackKind::Script,
        TrackKind::File,
        TrackKind::Process,
        TrackKind::Bfd,
    ];

    /// The block keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            TrackKind::Interface => "track_interface",
            TrackKind::Script => "track_script",
            TrackKind::File => "track_file",
            TrackKind::Process => "track_process",
            TrackKind::Bfd => "track_bfd",
        }
    }
}

/// The tracker blocks of an instance or a sync group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tracking {
    pub interfaces: Vec<Tracker>,
    pub scripts: Vec<Tracker>,
    pub files: Vec<Tracker>,
    pub processes: Vec<Tracker>,
    pub bfds: Vec<Tracker>,
}

impl Tracking {
    pub fn of(&self, kind: TrackKind) -> &Vec<Tracker> {
        match kind {
            TrackKind::Interface => &self.interfaces,
            TrackKind::Script => &self.scripts,
            TrackKind::File => &self.files,
            TrackKind::Process => &self.processes,
            TrackKind::Bfd => &self.bfds,
        }
    }

    pub fn of_mut(&mut self, kind: TrackKind) -> &mut Vec<Tracker> {
        match kind {
            TrackKind::Interface => &mut self.interfaces,
            TrackKind::Script => &mut self.scripts,
            TrackKind::File => &mut self.files,
            TrackKind::Process => &mut self.processes,
            TrackKind::Bfd => &mut self.bfds,
        }
    }

    /// Every tracker line with its kind.
    pub fn all(&self) -> impl Iterator<Item = (TrackKind, &Tracker)> {
        TrackKind::ALL
            .into_iter()
            .flat_map(move |k| self.of(k).iter().map(move |t| (k, t)))
    }
}

/// The notify scripts of an instance or a sync group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Notify {
    pub master: Option<Sp<Command>>,
    pub backup: Option<Sp<Command>>,
    pub fault: Option<Sp<Command>>,
    pub stop: Option<Sp<Command>>,
    /// `notify`: called on every transition with 4 arguments.
    pub notify: Option<Sp<Command>>,
    /// Instances only.
    pub master_rx_lower_pri: Option<Sp<Command>>,
    /// Instances only: `notify_deleted [SCRIPT]`; the inner `None` is the
    /// bare keyword (send the "deleted" event to `notify` / FIFOs).
    pub deleted: Option<Sp<Option<Command>>>,
}

/// One `unicast_peer` line: `IP [min_ttl N] [max_ttl N]`.
#[derive(Clone, Debug, PartialEq)]
pub struct UnicastPeer {
    pub address: Sp<IpAddr>,
    pub min_ttl: Option<Sp<u8>>,
    pub max_ttl: Option<Sp<u8>>,
}

impl fmt::Display for UnicastPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.address)?;
        if let Some(t) = &self.min_ttl {
            write!(f, " min_ttl {t}")?;
        }
        if let Some(t) = &self.max_ttl {
            write!(f, " max_ttl {t}")?;
        }
        Ok(())
    }
}

/// `use_vmac [NAME] [MAC]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vmac {
    pub ifname: Option<Sp<String>>,
    /// A MAC address; 5 octets means "append the VRID".
    pub mac: Option<Sp<String>>,
}

/// `use_ipvlan` mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpvlanMode {
    Bridge,
    Private,
    Vepa,
}

impl fmt::Display for IpvlanMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IpvlanMode::Bridge => "bridge",
            IpvlanMode::Private => "private",
            IpvlanMode::Vepa => "vepa",
        })
    }
}

/// `use_ipvlan [NAME] [IP[/LEN]] [bridge|private|vepa]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ipvlan {
    pub ifname: Option<Sp<String>>,
    pub address: Option<Sp<IpPrefix>>,
    pub mode: Option<Sp<IpvlanMode>>,
}

/// `garp_extra_if [all] SECS`.
#[derive(Clone, Debug, PartialEq)]
pub struct GarpExtraIf {
    pub all: bool,
    pub interval: Sp<u32>,
}

/// `old_unicast_checksum [never]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OldChecksum {
    /// Bare: use the old checksum.
    Use,
    /// `never`.
    Never,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VrrpInstance {
    pub name: Sp<String>,
    pub state: Option<Sp<State>>,
    pub interface: Option<Sp<String>>,
    pub vrf: Option<Sp<String>>,
    pub virtual_router_id: Option<Sp<u8>>,
    pub priority: Option<Sp<u8>>,
    pub advert_int: Option<Sp<Micros>>,
    pub version: Option<Sp<u8>>,
    pub authentication: Option<Sp<Auth>>,
    pub virtual_ipaddress: Vec<AddressEntry>,
    pub virtual_ipaddress_excluded: Vec<AddressEntry>,
    pub virtual_routes: Vec<RouteEntry>,
    pub virtual_rules: Vec<RuleEntry>,
    /// `preempt` (true) / `nopreempt` (false); the last one wins.
    pub preempt: Option<Sp<bool>>,
    pub preempt_delay: Option<Sp<Micros>>,
    pub tracking: Tracking,
    pub dont_track_primary: bool,
    pub track_src_ip: bool,
    pub mcast_src_ip: Option<Sp<IpAddr>>,
    pub unicast_src_ip: Option<Sp<IpAddr>>,
    pub mcast_dst_ip: Option<Sp<IpAddr>>,
    /// `Some` when a `unicast_peer` block was written (even empty).
    pub unicast_peer: Option<Sp<Vec<UnicastPeer>>>,
    pub unicast_ttl: Option<Sp<u8>>,
    pub unicast_fault_no_peer: bool,
    pub check_unicast_src: bool,
    pub old_unicast_checksum: Option<Sp<OldChecksum>>,
    pub native_ipv6: Option<Sp<()>>,
    pub use_vmac: Option<Sp<Vmac>>,
    pub use_vmac_addr: bool,
    pub vmac_xmit_base: bool,
    pub use_ipvlan: Option<Sp<Ipvlan>>,
    pub promote_secondaries: bool,
    /// `accept` (true) / `no_accept` (false).
    pub accept: Option<Sp<bool>>,
    pub skip_check_adv_addr: Option<Sp<bool>>,
    pub strict_mode: Option<Sp<bool>>,
    pub garp_master_delay: Option<Sp<u32>>,
    pub garp_master_repeat: Option<Sp<u32>>,
    pub garp_master_refresh: Option<Sp<u32>>,
    pub garp_master_refresh_repeat: Option<Sp<u32>>,
    pub garp_lower_prio_delay: Option<Sp<u32>>,
    pub garp_lower_prio_repeat: Option<Sp<u32>>,
    pub garp_extra_if: Option<Sp<GarpExtraIf>>,
    pub down_timer_adverts: Option<Sp<u32>>,
    pub lower_prio_no_advert: Option<Sp<bool>>,
    pub higher_prio_send_advert: Option<Sp<bool>>,
    pub notify: Notify,
    pub notify_priority_changes: Option<Sp<bool>>,
    pub smtp_alert: Option<Sp<bool>>,
    pub debug: Option<Sp<u8>>,
    pub kernel_rx_buf_size: Option<Sp<u32>>,
    pub linkbeat_use_polling: bool,
    /// Deprecated; keepalived moves it to the global `lvs_sync_daemon`.
    pub lvs_sync_daemon_interface: Option<Sp<String>>,
}

impl VrrpInstance {
    pub fn new(name: Sp<String>) -> Self {
        VrrpInstance {
            name,
            state: None,
            interface: None,
            vrf: None,
            virtual_router_id: None,
            priority: None,
            advert_int: None,
            version: None,
            authentication: None,
            virtual_ipaddress: Vec::new(),
            virtual_ipaddress_excluded: Vec::new(),
            virtual_routes: Vec::new(),
            virtual_rules: Vec::new(),
            preempt: None,
            preempt_delay: None,
            tracking: Tracking::default(),
            dont_track_primary: false,
            track_src_ip: false,
            mcast_src_ip: None,
            unicast_src_ip: None,
            mcast_dst_ip: None,
            unicast_peer: None,
            unicast_ttl: None,
            unicast_fault_no_peer: false,
            check_unicast_src: false,
            old_unicast_checksum: None,
            native_ipv6: None,
            use_vmac: None,
            use_vmac_addr: false,
            vmac_xmit_base: false,
            use_ipvlan: None,
            promote_secondaries: false,
            accept: None,
            skip_check_adv_addr: None,
            strict_mode: None,
            garp_master_delay: None,
            garp_master_repeat: None,
            garp_master_refresh: None,
            garp_master_refresh_repeat: None,
            garp_lower_prio_delay: None,
            garp_lower_prio_repeat: None,
            garp_extra_if: None,
            down_timer_adverts: None,
            lower_prio_no_advert: None,
            higher_prio_send_advert: None,
            notify: Notify::default(),
            notify_priority_changes: None,
            smtp_alert: None,
            debug: None,
            kernel_rx_buf_size: None,
            linkbeat_use_polling: false,
            lvs_sync_daemon_interface: None,
        }
    }

    /// keepalived's priority: as written, else 255 for `state MASTER`
    /// without a priority, else 100.
    pub fn effective_priority(&self) -> u8 {
        match (&self.priority, &self.state) {
            (Some(p), _) => p.value,
            (None, Some(s)) if s.value == State::Master => 255,
            _ => 100,
        }
    }

    /// The unicast peers (empty when multicast).
    pub fn peers(&self) -> &[UnicastPeer] {
        self.unicast_peer.as_ref().map_or(&[], |p| &p.value)
    }

    /// Whether adverts go to unicast peers rather than a multicast group.
    pub fn is_unicast(&self) -> bool {
        !self.peers().is_empty()
    }

    /// `nopreempt` is in effect.
    pub fn nopreempt(&self) -> bool {
        self.preempt.as_ref().is_some_and(|p| !p.value)
    }

    /// The source address given by `unicast_src_ip` or `mcast_src_ip`
    /// (the later one wins in keepalived; both set the same thing).
    pub fn src_ip(&self) -> Option<&Sp<IpAddr>> {
        match (&self.unicast_src_ip, &self.mcast_src_ip) {
            (Some(u), Some(m)) => {
                Some(if later(m.span, u.span) { m } else { u })
            }
            (Some(u), None) => Some(u),
            (None, m) => m.as_ref(),
        }
    }

    /// The address family keepalived settles on: the first address that
    /// fixes it (source address, multicast group, `native_ipv6`, then the
    /// VIPs), IPv4 when nothing does.
    pub fn family(&self) -> Family {
        self.family_source().map_or(Family::Inet, |(f, _)| f)
    }

    /// The family and where it was decided.
    pub fn family_source(&self) -> Option<(Family, crate::source::Span)> {
        let mut cands: Vec<(Family, crate::source::Span)> = Vec::new();
        for a in [&self.unicast_src_ip, &self.mcast_src_ip, &self.mcast_dst_ip]
            .into_iter()
            .flatten()
        {
            cands.push((Family::of(&a.value), a.span));
        }
        if let Some(n) = &self.native_ipv6 {
            cands.push((Family::Inet6, n.span));
        }
        if let Some(v) = self.virtual_ipaddress.first() {
            cands.push((v.address.family(), v.address.span));
        }
        cands
            .into_iter()
            .reduce(|a, b| if later(a.1, b.1) { b } else { a })
    }
}

/// Whether `a` comes after `b` in the same file (by line, then column).
fn later(a: crate::source::Span, b: crate::source::Span) -> bool {
    (a.file, a.line, a.col) > (b.file, b.line, b.col)
}

#[derive(Clone, Debug, PartialEq)]
pub struct SyncGroup {
    pub name: Sp<String>,
    /// The `group { }` block (span of its keyword) with its members.
    pub group: Option<Sp<Vec<Sp<String>>>>,
    pub tracking: Tracking,
    pub notify: Notify,
    pub smtp_alert: Option<Sp<bool>>,
    /// `sync_group_tracking_weight` (or the deprecated `global_tracking`).
    pub sync_group_tracking_weight: bool,
    pub notify_priority_changes: Option<Sp<bool>>,
}

impl SyncGroup {
    pub fn new(name: Sp<String>) -> Self {
        SyncGroup {
            name,
            group: None,
            tracking: Tracking::default(),
            notify: Notify::default(),
            smtp_alert: None,
            sync_group_tracking_weight: false,
            notify_priority_changes: None,
        }
    }

    pub fn members(&self) -> impl Iterator<Item = &Sp<String>> {
        self.group.iter().flat_map(|g| g.value.iter())
    }
}
