//! Address, route and rule entries (shared by `virtual_*` in instances
//! and `static_*` at the top level), `track_group` and `garp_group`.

use std::fmt;

use super::value::{IpPrefix, Sp};

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
pub struct AddressEntry {
    pub address: Sp<IpPrefix>,
    pub dev: Option<Sp<String>>,
}

impl fmt::Display for AddressEntry {
    /// The entry as one keepalived.conf line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.address)?;
        if let Some(d) = &self.dev {
            write!(f, " dev {d}")?;
        }
        Ok(())
    }
}

/// One `virtual_routes` / `static_routes` line.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteEntry {}

impl fmt::Display for RouteEntry {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

/// One `virtual_rules` / `static_rules` line.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleEntry {}

impl fmt::Display for RuleEntry {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrackGroup {
    pub name: Sp<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GarpGroup {}
