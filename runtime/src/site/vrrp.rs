//! `vrrp_instance` and `vrrp_sync_group`, resolved: defaults applied
//! (global ones included), trackers as indices into [`super::Site`].

use core::net::IpAddr;
use core::time::Duration;

use super::addr::{Address, Route, Rule};
use super::types::{
    AdvertInterval, Command, IfName, Priority, Vrid, VrrpVersion, Weight,
};

/// `state` at start-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitialState {
    Master,
    Backup,
}

/// `authentication { }` (VRRPv2 only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    None,
    /// Simple text password, up to 8 bytes as sent on the wire.
    Pass(&'static str),
    /// IPsec AH (keepalived's own HMAC-MD5-96 variant).
    Ah(&'static str),
}

/// A tracked object of an instance or sync group, by index into the
/// site's tables, with the weight that applies (the line's, else the
/// object's own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrackRef {
    pub index: usize,
    pub weight: Weight,
    pub reverse: bool,
}

/// `track_interface` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrackInterface {
    pub interface: IfName,
    pub weight: Weight,
    pub reverse: bool,
}

/// The notify commands of an instance or sync group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Notify {
    pub master: Option<Command>,
    pub backup: Option<Command>,
    pub fault: Option<Command>,
    pub stop: Option<Command>,
    pub notify: Option<Command>,
    pub master_rx_lower_pri: Option<Command>,
}

/// `unicast_peer` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnicastPeer {
    pub address: IpAddr,
    pub min_ttl: Option<u8>,
    pub max_ttl: Option<u8>,
}

/// Gratuitous ARP / unsolicited NA timing, instance values over global
/// ones over keepalived's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Garp {
    /// `garp_master_delay` (default 5 s): the second burst after
    /// becoming master.
    pub master_delay: Duration,
    /// `garp_master_repeat` (default 5): messages per burst.
    pub master_repeat: u32,
    /// `garp_master_refresh` (default off): periodic burst while master.
    pub master_refresh: Option<Duration>,
    pub master_refresh_repeat: u32,
    /// `garp_lower_prio_delay` / `_repeat`.
    pub lower_prio_delay: Option<Duration>,
    pub lower_prio_repeat: Option<u32>,
    /// `vrrp_garp_interval` / `vrrp_gna_interval`: gap between messages.
    pub interval: Duration,
    pub gna_interval: Duration,
}

impl Garp {
    /// keepalived's defaults, when neither the instance nor
    /// `global_defs` sets anything.
    pub const KEEPALIVED: Garp = Garp {
        master_delay: Duration::from_secs(5),
        master_repeat: 5,
        master_refresh: None,
        master_refresh_repeat: 1,
        lower_prio_delay: None,
        lower_prio_repeat: None,
        interval: Duration::ZERO,
        gna_interval: Duration::ZERO,
    };
}

/// One `vrrp_instance`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instance {
    pub name: &'static str,
    pub interface: IfName,
    pub vrid: Vrid,
    pub ipv6: bool,
    pub version: VrrpVersion,
    pub priority: Priority,
    pub initial: InitialState,
    pub advert_interval: AdvertInterval,
    pub auth: Auth,
    pub preempt: bool,
    pub preempt_delay: Option<Duration>,
    /// `accept` mode (v3): answer packets for the virtual addresses.
    pub accept: bool,
    pub strict: bool,
    pub addresses: &'static [Address],
    pub excluded_addresses: &'static [Address],
    pub routes: &'static [Route],
    pub rules: &'static [Rule],
    pub src_ip: Option<IpAddr>,
    pub mcast_dst: Option<IpAddr>,
    pub unicast_peers: &'static [UnicastPeer],
    pub unicast_ttl: Option<u8>,
    pub track_interfaces: &'static [TrackInterface],
    /// Into [`super::Site::scripts`].
    pub track_scripts: &'static [TrackRef],
    /// Into [`super::Site::track_files`].
    pub track_files: &'static [TrackRef],
    /// Into [`super::Site::track_processes`].
    pub track_processes: &'static [TrackRef],
    pub dont_track_primary: bool,
    pub garp: Garp,
    pub notify: Notify,
    pub use_vmac: Option<Option<&'static str>>,
    pub vmac_xmit_base: bool,
    pub native_ipv6: bool,
    pub skip_check_adv_addr: bool,
    pub lower_prio_no_advert: bool,
    pub higher_prio_send_advert: bool,
    pub down_timer_adverts: u32,
    pub linkbeat_use_polling: bool,
    /// `old_unicast_checksum`: unicast VRRPv3 checksums computed as
    /// keepalived before 1.3.6 did (pseudo-header with the multicast
    /// group as destination); sent that way and accepted either way.
    pub old_unicast_checksum: bool,
}

/// One `vrrp_sync_group`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncGroup {
    pub name: &'static str,
    /// Into [`super::Site::instances`].
    pub members: &'static [usize],
    pub track_interfaces: &'static [TrackInterface],
    pub track_scripts: &'static [TrackRef],
    pub track_files: &'static [TrackRef],
    pub track_processes: &'static [TrackRef],
    pub notify: Notify,
    pub tracking_weight: bool,
}
