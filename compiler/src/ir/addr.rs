//! Address, route and rule entries (shared by `virtual_*` in instances
//! and `static_*` at the top level), `track_group` and `garp_group`.

use super::value::Sp;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Statics {
    pub addresses: Vec<AddressEntry>,
    pub routes: Vec<RouteEntry>,
    pub rules: Vec<RuleEntry>,
    pub track_groups: Vec<TrackGroup>,
    pub garp_groups: Vec<GarpGroup>,
}

/// One `virtual_ipaddress` / `static_ipaddress` line.
#[derive(Clone, Debug, PartialEq)]
pub struct AddressEntry {}

/// One `virtual_routes` / `static_routes` line.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteEntry {}

/// One `virtual_rules` / `static_rules` line.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleEntry {}

#[derive(Clone, Debug, PartialEq)]
pub struct TrackGroup {
    pub name: Sp<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GarpGroup {}
