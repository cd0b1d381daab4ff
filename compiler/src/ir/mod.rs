//! The typed IR: what a keepalived.conf says, with every value parsed and
//! checked. Each area of the language owns a module and a part of
//! [`Config`]; every named object has a `name: Sp<String>`.
//!
//! Equality ignores spans (see [`value::Sp`]): two files that configure
//! the same thing lower to equal `Config`s.

pub mod addr;
pub mod global;
pub mod lvs;
pub mod track;
pub mod value;
pub mod vrrp;

/// A whole configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// `global_defs`, plus top-level settings (`net_namespace`, `SSL`,
    /// `linkbeat_interfaces`, `interface_up_down_delays`, ...).
    pub global: global::Global,
    /// `vrrp_script`, `track_file`, `vrrp_track_process`, `bfd_instance`.
    pub track: track::Trackers,
    /// `static_ipaddress`, `static_routes`, `static_rules`,
    /// `track_group`, `garp_group`.
    pub statics: addr::Statics,
    /// `vrrp_instance`, `vrrp_sync_group`.
    pub vrrp: vrrp::Vrrp,
    /// `virtual_server_group`, `virtual_server`.
    pub lvs: lvs::Lvs,
}
