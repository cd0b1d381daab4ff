//! Lowering of address, route and rule entries, `static_*`,
//! `track_group` and `garp_group`.

use super::{Ctx, Kw};
use crate::ast::Node;
use crate::ir::addr::{AddressEntry, RouteEntry, RuleEntry};
use crate::ir::Config;

crate::codes! {}

/// Top-level keywords this area handles.
pub static TOP: &[Kw<Config>] = &[];

/// One address line (`virtual_ipaddress`, `virtual_ipaddress_excluded`,
/// `static_ipaddress`): `IP[/LEN] [brd ..] [dev IF] [scope ..] ...`.
pub fn address_entry(_ctx: &mut Ctx, _node: &Node) -> Option<AddressEntry> {
    None
}

/// One route line (`virtual_routes`, `static_routes`).
pub fn route_entry(_ctx: &mut Ctx, _node: &Node) -> Option<RouteEntry> {
    None
}

/// One rule line (`virtual_rules`, `static_rules`).
pub fn rule_entry(_ctx: &mut Ctx, _node: &Node) -> Option<RuleEntry> {
    None
}

/// Checks that need the whole configuration.
pub fn check(_ctx: &mut Ctx, _config: &Config) {}
