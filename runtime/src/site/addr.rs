//! Addresses, routes and rules: `virtual_ipaddress[_excluded]`,
//! `virtual_routes`, `virtual_rules` and their `static_*` twins.

use super::types::{IfName, Prefix};

/// `brd` of an IPv4 address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Broadcast {
    Addr(core::net::Ipv4Addr),
    /// `+`: host bits set.
    Plus,
    /// `-`: host bits clear.
    Minus,
}

/// Address scope (`scope`), by number (names resolved at build time when
/// they are iproute2's built-in ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Id(u8),
    /// A name from /etc/iproute2/rt_scopes, looked up on the router.
    Name(&'static str),
}

/// One address line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Address {
    pub prefix: Prefix,
    /// `dev`; the instance's interface when `None`.
    pub dev: Option<IfName>,
    pub broadcast: Option<Broadcast>,
    pub scope: Option<Scope>,
    pub label: Option<&'static str>,
    pub peer: Option<core::net::IpAddr>,
    pub home: bool,
    pub nodad: bool,
    pub noprefixroute: bool,
    pub no_track: bool,
    /// The line as keepalived.conf writes it, for logs.
    pub line: &'static str,
}

impl Address {
    /// An address with no options, as `virtual_ipaddress` writes
    /// `PREFIX` alone (`line` is that text, for logs).
    pub const fn plain(prefix: Prefix, line: &'static str) -> Address {
        Address {
            prefix,
            dev: None,
            broadcast: None,
            scope: None,
            label: None,
            peer: None,
            home: false,
            nodad: false,
            noprefixroute: false,
            no_track: false,
            line,
        }
    }
}

/// One route line. The typed fields are those every route has; the rest
/// of keepalived's route options travel in `line` until the route engine
/// (issue 5) types them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// `None` for `default`/`default6`-style destinations given by family.
    pub dest: Option<Prefix>,
    pub ipv6: bool,
    pub via: Option<core::net::IpAddr>,
    pub dev: Option<IfName>,
    pub table: Option<u32>,
    pub metric: Option<u32>,
    pub no_track: bool,
    pub line: &'static str,
}

/// One rule line (typed fields as for [`Route`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub ipv6: bool,
    pub from: Option<Prefix>,
    pub to: Option<Prefix>,
    pub preference: Option<u32>,
    pub table: Option<u32>,
    pub no_track: bool,
    pub line: &'static str,
}
