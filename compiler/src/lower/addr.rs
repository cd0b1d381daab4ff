//! Lowering of address, route and rule entries, `static_*`,
//! `track_group` and `garp_group`.
//!
//! An entry is one line of a value block (`virtual_ipaddress { ... }`,
//! `static_routes { ... }`): its first word is data, so the parsers here
//! walk every word of the line with an [`Entry`] cursor. Options follow
//! keepalived 2.2.7 (vrrp_ipaddress.c, vrrp_iproute.c, vrrp_iprule.c):
//! exact spellings, no abbreviations, any order. Where keepalived drops
//! the whole entry the parser returns `None` after reporting; where it
//! only ignores one option the entry is kept without it.

use std::net::{IpAddr, Ipv4Addr};

use super::value::{self, parse_prefix};
use super::{
    closest, Args, Ctx, Kw, DUPLICATE_NAME, INVALID_ADDRESS, OUT_OF_RANGE,
};
use crate::ast::Node;
use crate::ir::addr::{
    AddMode, AddressEntry, Broadcast, Encap, EncapIp, Fwmark, GarpGroup,
    Lifetime, Locked, Nexthop, Range, Realms, RouteDest, RouteEntry, RoutePref,
    RouteType, RtName, RttTime, RuleAction, RuleEntry, TrackGroup,
};
use crate::ir::value::{Family, Micros, Sp};
use crate::ir::Config;
use crate::lex::Token;
use crate::source::Span;

crate::codes! {
    UNKNOWN_OPTION = 500, Error, "a word an address, route or rule entry does not know";
    MISSING_VALUE = 501, Error, "an entry option without its value";
    FAMILY_MISMATCH = 502, Error, "IPv4 and IPv6 mixed in one entry";
    INVALID_VALUE = 503, Error, "an entry option with a value keepalived rejects";
    RUNTIME_NAME = 504, Warning, "a name keepalived looks up in /etc/iproute2 when it starts";
    DUPLICATE_OPTION = 505, Warning, "an option given twice in one entry (the last one wins)";
    REPEATED_OPTION = 506, Error, "an option keepalived refuses to see twice in one entry";
    MISSING_DEST = 507, Error, "a route without a destination";
    UNTRACKED_ROUTE = 508, Warning, "a route without `dev` that keepalived cannot track";
    NO_PREFERENCE = 509, Warning, "a rule without a preference";
    NO_ACTION = 510, Error, "a rule without an action";
    CONFLICT = 511, Error, "options of one entry that cannot go together";
    DEPRECATED_OPTION = 512, Warning, "a deprecated entry option keepalived still accepts";
    UNDEFINED_TRACK_GROUP = 513, Error, "an entry's track_group that is not defined above it";
    STATIC_NO_DEV = 514, Warning, "a static address without `dev`";
    BAD_LABEL = 515, Error, "an address label longer than 15 characters";
    PROTOCOL_RESET = 516, Error, "a tracked route or rule whose protocol keepalived replaces";
    TRACK_GROUP_MEMBER = 517, Error, "a track_group member that is not a vrrp_instance";
    TRACK_GROUP_BLOCK = 518, Error, "a track_group whose `group` block is missing, empty or repeated";
    GARP_GROUP = 519, Error, "a garp_group setting keepalived ignores or removes";
    RTT_CLAMPED = 520, Warning, "an rtt value keepalived moves into 200ms..120s";
    EMPTY_INTERFACES = 521, Warning, "an empty garp_group `interfaces` block";
    LABEL_PREFIX = 522, Warning, "an address label that does not start with its interface name";
}

/// Top-level keywords this area handles.
pub static TOP: &[Kw<Config>] = &[
    Kw::block("static_ipaddress", static_ipaddress),
    Kw::block("static_routes", static_routes),
    Kw::block("static_rules", static_rules),
    Kw::block("track_group", track_group),
    Kw::block("garp_group", garp_group),
];

/// `RTPROT_KEEPALIVED`: the protocol keepalived gives routes and rules it
/// tracks.
const RTPROT_KEEPALIVED: u32 = 18;

// ---------------------------------------------------------------------
// The entry cursor

/// A cursor over all words of an entry line. `ok` turns false when
/// keepalived would drop the whole entry.
struct Entry<'n> {
    args: Args<'n>,
    ok: bool,
    /// Family fixed so far by an address or `inet`/`inet6`, and the word
    /// that fixed it.
    family: Option<(Family, Span)>,
}

impl<'n> Entry<'n> {
    fn new(node: &'n Node) -> Self {
        Entry {
            args: Args::entry(node),
            ok: true,
            family: None,
        }
    }

    fn next(&mut self) -> Option<&'n Token> {
        self.args.next()
    }

    fn peek(&self) -> Option<&'n Token> {
        self.args.peek()
    }

    /// The value of option `opt`, or a "missing value" error (keepalived
    /// drops the entry).
    fn value(
        &mut self,
        ctx: &mut Ctx,
        opt: &Token,
        what: &str,
    ) -> Option<&'n Token> {
        let v = self.args.next();
        if v.is_none() {
            ctx.report(
                &MISSING_VALUE,
                opt.span,
                format!("`{}` is missing its {what}", opt.text),
            )
            .with_help(format!(
                "write `{} {}`",
                opt.text,
                what.to_uppercase().replace(' ', "_")
            ))
            .with_note("keepalived drops the whole entry");
            self.ok = false;
        }
        v
    }

    /// Marks the entry dropped and returns `None` (for `?` chains).
    /// The option's value as a routing name or number (`table main`,
    /// `scope link`, ...); a bad one drops the entry.
    fn named(
        &mut self,
        ctx: &mut Ctx,
        opt: &Token,
        what: &str,
        table: &RtTable,
    ) -> Option<Sp<RtName>> {
        let v = self.value(ctx, opt, what)?;
        match rt_name(ctx, v, table) {
            Some(n) => Some(n),
            None => self.drop_entry(),
        }
    }

    fn drop_entry<T>(&mut self) -> Option<T> {
        self.ok = false;
        None
    }

    /// Records that `tok` makes the entry `f`; reports a mix of families.
    fn set_family(&mut self, ctx: &mut Ctx, f: Family, tok: &Token) {
        match self.family {
            None => self.family = Some((f, tok.span)),
            Some((g, span)) if g != f => {
                ctx.report(
                    &FAMILY_MISMATCH,
                    tok.span,
                    format!(
                        "`{}` is {} but this entry is {}",
                        tok.text,
                        f.name(),
                        g.name()
                    ),
                )
                .with_related(span, format!("{} from here", g.name()))
                .with_note("keepalived drops the whole entry");
                self.ok = false;
            }
            Some(_) => {}
        }
    }
}

/// Stores a value in an option slot; a second value replaces the first
/// with a warning (keepalived keeps the last silently).
fn replace<T>(ctx: &mut Ctx, slot: &mut Option<Sp<T>>, v: Sp<T>, opt: &Token) {
    if let Some(prev) = slot {
        ctx.report(
            &DUPLICATE_OPTION,
            opt.span,
            format!(
                "`{}` is given twice in this entry; the last one is used",
                opt.text
            ),
        )
        .with_related(prev.span, "first given here");
    }
    *slot = Some(v);
}

/// Reports an option keepalived refuses to see twice.
fn repeated(ctx: &mut Ctx, opt: &Token, prev: Span, note: &str) {
    ctx.report(
        &REPEATED_OPTION,
        opt.span,
        format!("`{}` is given twice in this entry", opt.text),
    )
    .with_related(prev, "first given here")
    .with_note(note.to_owned());
}

/// Reports a word an entry does not know, with a close option name.
fn unknown_option(ctx: &mut Ctx, tok: &Token, kind: &str, options: &[&str]) {
    let d = ctx.report(
        &UNKNOWN_OPTION,
        tok.span,
        format!("unknown {kind} option `{}`", tok.text),
    );
    if let Some(s) = closest(&tok.text, options.iter().copied()) {
        d.with_help(format!("did you mean `{s}`?"));
    }
}

// ---------------------------------------------------------------------
// Shared value readers

/// C's `strtoul(s, .., 0)` on a whole word: `0x1f`, `017`, `42`.
pub fn c_ulong(s: &str) -> Option<u64> {
    let (digits, radix) = if let Some(h) =
        s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))
    {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// An iproute2 table (`rt_tables`, `rt_scopes`, ...) keepalived reads.
struct RtTable {
    what: &'static str,
    file: &'static str,
    max: u32,
    builtin: &'static [&'static str],
}

const TABLES: RtTable = RtTable {
    what: "routing table",
    file: "rt_tables",
    max: u32::MAX,
    builtin: &["default", "main", "local"],
};
const SCOPES: RtTable = RtTable {
    what: "scope",
    file: "rt_scopes",
    max: 255,
    builtin: &["global", "nowhere", "host", "link", "site"],
};
const PROTOS: RtTable = RtTable {
    what: "protocol",
    file: "rt_protos",
    max: 255,
    builtin: &[
        "none", "redirect", "kernel", "boot", "static", "gated", "ra", "mrt",
        "zebra", "bird", "babel", "dnrouted", "xorp", "ntk", "dhcp",
    ],
};
const DSFIELDS: RtTable = RtTable {
    what: "TOS (dsfield)",
    file: "rt_dsfield",
    max: 255,
    builtin: &[],
};
const REALMS: RtTable = RtTable {
    what: "realm",
    file: "rt_realms",
    max: 255,
    builtin: &[],
};
const GROUPS: RtTable = RtTable {
    what: "interface group",
    file: "group",
    max: i32::MAX as u32,
    builtin: &["default"],
};

/// A number or a name of `table`.
fn rt_name_of(
    ctx: &mut Ctx,
    tok: &Token,
    text: &str,
    table: &RtTable,
) -> Option<RtName> {
    if let Some(n) = c_ulong(text) {
        if n > u64::from(table.max) {
            ctx.report(
                &OUT_OF_RANGE,
                tok.span,
                format!("{} {n} is outside 0..={}", table.what, table.max),
            );
            return None;
        }
        return Some(RtName::Id(n as u32));
    }
    let negative = text.starts_with('-');
    if text.is_empty() || negative || text.contains('/') {
        ctx.report(
            &INVALID_VALUE,
            tok.span,
            format!("`{text}` is not a valid {}", table.what),
        )
        .with_help(format!("write a number 0..={} or a name", table.max));
        return None;
    }
    if !table.builtin.contains(&text) {
        ctx.report(
            &RUNTIME_NAME,
            tok.span,
            format!("{} `{text}` is not a built-in name", table.what),
        )
        .with_note(format!(
            "keepalived looks it up in /etc/iproute2/{} when it starts, and drops the entry if it is not there",
            table.file
        ))
        .with_help(format!("make sure /etc/iproute2/{} defines it on the target, or write the number", table.file));
    }
    Some(RtName::Name(text.to_owned()))
}

fn rt_name(ctx: &mut Ctx, tok: &Token, table: &RtTable) -> Option<Sp<RtName>> {
    rt_name_of(ctx, tok, &tok.text, table).map(|v| Sp::new(v, tok.span))
}

/// An unsigned decimal option value in `0..=max`.
fn num(ctx: &mut Ctx, tok: &Token, max: u64, what: &str) -> Option<u64> {
    value::uint(ctx, tok, 0, max, what)
}

/// An address without a prefix length (`via`, `src`, `peer`).
fn plain_ip(ctx: &mut Ctx, tok: &Token, what: &str) -> Option<IpAddr> {
    if tok.text.contains('/') && parse_prefix(&tok.text).is_ok() {
        ctx.report(
            &INVALID_ADDRESS,
            tok.span,
            format!("{what} `{}` cannot have a prefix length", tok.text),
        )
        .with_help("write the address without `/LEN`");
        return None;
    }
    value::ip(ctx, tok, what)
}

/// `default`, `any`, `all`, `default6` or a prefix.
fn route_dest(
    ctx: &mut Ctx,
    e: &mut Entry,
    tok: &Token,
    what: &str,
) -> Option<RouteDest> {
    match tok.text.as_str() {
        "default" | "any" | "all" => Some(RouteDest::Default),
        "default6" => {
            ctx.report(
                &DEPRECATED_OPTION,
                tok.span,
                "`default6` is deprecated",
            )
            .with_help("write `inet6 default`");
            e.set_family(ctx, Family::Inet6, tok);
            Some(RouteDest::Default)
        }
        _ => {
            let p = value::prefix(ctx, tok, what)?;
            e.set_family(ctx, p.family(), tok);
            Some(RouteDest::Prefix(p))
        }
    }
}

/// `realms [FROM/]TO`.
fn realms(ctx: &mut Ctx, tok: &Token) -> Option<Sp<Realms>> {
    let v = match tok.text.split_once('/') {
        Some((a, b)) => Realms {
            from: Some(rt_name_of(ctx, tok, a, &REALMS)?),
            to: rt_name_of(ctx, tok, b, &REALMS)?,
        },
        None => Realms {
            from: None,
            to: rt_name_of(ctx, tok, &tok.text, &REALMS)?,
        },
    };
    Some(Sp::new(v, tok.span))
}

/// Parses `track_group G` in a static entry and checks it is defined
/// above (keepalived looks it up when it reads the entry).
fn entry_track_group(
    ctx: &mut Ctx,
    e: &mut Entry,
    opt: &Token,
    slot: &mut Option<Sp<String>>,
    groups: &[TrackGroup],
) {
    let Some(v) = e.value(ctx, opt, "group name") else {
        return;
    };
    if let Some(prev) = slot {
        repeated(
            ctx,
            opt,
            prev.span,
            "keepalived stops reading the entry here",
        );
        e.ok = false;
        return;
    }
    if !groups.iter().any(|g| g.name.value == v.text) {
        ctx.report(
            &UNDEFINED_TRACK_GROUP,
            v.span,
            format!("track_group `{}` is not defined above this entry", v.text),
        )
        .with_help(format!(
            "define `track_group {} {{ group {{ VI_1 }} }}` before the static block that uses it",
            v.text
        ))
        .with_note("keepalived looks the group up when it reads the entry, so the entry is not tracked");
    }
    *slot = Some(Sp::new(v.text.clone(), v.span));
}

/// A flag option; a repeat is harmless.
fn set_flag(flag: &mut bool) {
    *flag = true;
}

// ---------------------------------------------------------------------
// Addresses

const ADDRESS_OPTIONS: &[&str] = &[
    "dev",
    "scope",
    "broadcast",
    "brd",
    "label",
    "peer",
    "home",
    "-nodad",
    "mngtmpaddr",
    "noprefixroute",
    "autojoin",
    "no_track",
    "preferred_lft",
    "track_group",
    "use_vmac",
];

/// One address line (`virtual_ipaddress`, `virtual_ipaddress_excluded`,
/// `static_ipaddress`): `IP[/LEN] [brd ..] [dev IF] [scope ..] ...`.
pub fn address_entry(ctx: &mut Ctx, node: &Node) -> Option<AddressEntry> {
    parse_address(ctx, node, None)
}

/// An address line; `statics` holds the track groups defined so far
/// when the line is in `static_ipaddress` (which allows `track_group`
/// and not `use_vmac`).
fn parse_address(
    ctx: &mut Ctx,
    node: &Node,
    statics: Option<&[TrackGroup]>,
) -> Option<AddressEntry> {
    let mut e = Entry::new(node);
    let first = e.next()?;
    let address = value::prefix(ctx, first, "address")?;
    let mut a = AddressEntry::new(Sp::new(address, first.span));
    while let Some(t) = e.next() {
        address_option(ctx, &mut e, &mut a, t, statics);
        if !e.ok {
            return None;
        }
    }
    address_checks(ctx, &mut a, first);
    Some(a)
}

fn address_option(
    ctx: &mut Ctx,
    e: &mut Entry,
    a: &mut AddressEntry,
    t: &Token,
    statics: Option<&[TrackGroup]>,
) -> Option<()> {
    match t.text.as_str() {
        "dev" => {
            let v = e.value(ctx, t, "interface")?;
            if let Some(prev) = &a.dev {
                repeated(ctx, t, prev.span, "keepalived drops the whole entry");
                return e.drop_entry();
            }
            a.dev = Some(Sp::new(v.text.clone(), v.span));
        }
        "scope" => {
            let v = e.value(ctx, t, "scope")?;
            if let Some(s) = rt_name(ctx, v, &SCOPES) {
                replace(ctx, &mut a.scope, s, t);
            }
        }
        "broadcast" | "brd" => {
            let v = e.value(ctx, t, "broadcast address")?;
            if a.family() == Family::Inet6 {
                ctx.report(
                    &CONFLICT,
                    t.span,
                    format!("an IPv6 address has no `{}`", t.text),
                )
                .with_note("keepalived drops the whole entry");
                return e.drop_entry();
            }
            let b = match v.text.as_str() {
                "+" => Broadcast::Plus,
                "-" => Broadcast::Minus,
                s => match s.parse::<Ipv4Addr>() {
                    Ok(ip) => Broadcast::Addr(ip),
                    Err(_) => {
                        ctx.report(
                            &INVALID_ADDRESS,
                            v.span,
                            format!("broadcast `{s}` is not an IPv4 address, `+` or `-`"),
                        )
                        .with_note("keepalived drops the whole entry");
                        return e.drop_entry();
                    }
                },
            };
            replace(ctx, &mut a.broadcast, Sp::new(b, v.span), t);
        }
        "label" => {
            let v = e.value(ctx, t, "label")?;
            if v.text.len() >= 16 {
                ctx.report(
                    &BAD_LABEL,
                    v.span,
                    format!(
                        "label `{}` is {} characters long; the limit is 15",
                        v.text,
                        v.text.len()
                    ),
                )
                .with_note("keepalived drops the whole entry");
                return e.drop_entry();
            }
            replace(ctx, &mut a.label, Sp::new(v.text.clone(), v.span), t);
        }
        "peer" => address_peer(ctx, e, a, t)?,
        "home" => set_flag(&mut a.home),
        "-nodad" => set_flag(&mut a.nodad),
        "mngtmpaddr" => set_flag(&mut a.mngtmpaddr),
        "noprefixroute" => set_flag(&mut a.noprefixroute),
        "autojoin" => set_flag(&mut a.autojoin),
        "no_track" => set_flag(&mut a.no_track),
        "preferred_lft" => {
            let v = e.value(ctx, t, "lifetime")?;
            let l = if v.text == "forever" {
                Lifetime::Forever
            } else {
                Lifetime::Secs(num(
                    ctx,
                    v,
                    u64::from(u32::MAX),
                    "preferred_lft",
                )? as u32)
            };
            replace(ctx, &mut a.preferred_lft, Sp::new(l, v.span), t);
        }
        "track_group" if statics.is_some() => {
            entry_track_group(
                ctx,
                e,
                t,
                &mut a.track_group,
                statics.unwrap_or(&[]),
            );
        }
        "use_vmac" if statics.is_none() => set_flag(&mut a.use_vmac),
        "track_group" => {
            unknown_address_option(ctx, t, false);
            e.next(); // its group name, so it is not reported too
        }
        _ => unknown_address_option(ctx, t, statics.is_some()),
    }
    Some(())
}

fn address_peer(
    ctx: &mut Ctx,
    e: &mut Entry,
    a: &mut AddressEntry,
    t: &Token,
) -> Option<()> {
    let v = e.value(ctx, t, "peer address")?;
    if let Some(prev) = &a.peer {
        repeated(ctx, t, prev.span, "keepalived ignores the second peer");
        return Some(());
    }
    let p = plain_ip(ctx, v, "peer")?;
    if Family::of(&p) != a.family() {
        ctx.report(
            &FAMILY_MISMATCH,
            v.span,
            format!(
                "peer `{p}` is {} but the address is {}",
                Family::of(&p).name(),
                a.family().name()
            ),
        )
        .with_note("keepalived ignores the peer");
        return Some(());
    }
    if a.address.len != a.family().max_prefix() {
        ctx.report(
            &CONFLICT,
            a.address.span,
            format!("`{}` has a prefix length and a peer", a.address.value),
        )
        .with_help("drop the `/LEN` of the address; the peer gives the prefix")
        .with_note("keepalived ignores the prefix length");
    }
    a.peer = Some(Sp::new(p, v.span));
    Some(())
}

fn unknown_address_option(ctx: &mut Ctx, t: &Token, is_static: bool) {
    if parse_prefix(&t.text).is_ok() {
        ctx.report(
            &UNKNOWN_OPTION,
            t.span,
            format!("a second address `{}` on one line", t.text),
        )
        .with_help("put each address on its own line")
        .with_note("keepalived ignores it (\"Unknown configuration entry\")");
        return;
    }
    let wrong_place = match t.text.as_str() {
        "track_group" if !is_static => {
            Some("`track_group` only works in `static_ipaddress`")
        }
        "use_vmac" if is_static => {
            Some("`use_vmac` only works in `virtual_ipaddress`")
        }
        _ => None,
    };
    if let Some(msg) = wrong_place {
        ctx.report(&UNKNOWN_OPTION, t.span, msg).with_note(
            "keepalived ignores it (\"Unknown configuration entry\")",
        );
        return;
    }
    unknown_option(ctx, t, "address", ADDRESS_OPTIONS);
}

/// Checks across the options of an address entry.
fn address_checks(ctx: &mut Ctx, a: &mut AddressEntry, first: &Token) {
    if let (Some(b), Some(_)) = (&a.broadcast, &a.peer) {
        ctx.report(
            &CONFLICT,
            b.span,
            "an address cannot have both a broadcast and a peer",
        )
        .with_note("keepalived ignores the broadcast address");
    }
    let len = if a.peer.is_some() { 32 } else { a.address.len };
    if let Some(b) = &a.broadcast {
        if matches!(b.value, Broadcast::Plus | Broadcast::Minus)
            && len > 30
            && a.peer.is_none()
        {
            ctx.report(
                &CONFLICT,
                b.span,
                format!(
                    "`brd {}` needs a prefix length of 30 or less, not /{len}",
                    b.value
                ),
            )
            .with_note("keepalived sets no broadcast address");
        }
    }
    if a.family() == Family::Inet6 {
        if let Some(s) = &a.scope {
            ctx.report(
                &CONFLICT,
                s.span,
                format!("IPv6 address `{}` cannot have a scope", first.text),
            )
            .with_note("keepalived ignores the scope");
        }
        if let Some(l) = &a.label {
            ctx.report(
                &CONFLICT,
                l.span,
                format!("IPv6 address `{}` cannot have a label", first.text),
            )
            .with_note("keepalived ignores the label");
        }
    }
    if let (Some(l), Some(d)) = (&a.label, &a.dev) {
        if !l.starts_with(d.value.as_str()) {
            ctx.report(
                &LABEL_PREFIX,
                l.span,
                format!("label `{}` does not start with the interface name `{}`", l.value, d.value),
            )
            .with_help(format!("write `label {}:1`", d.value))
            .with_note("`ip address` refuses such labels and tools that read `dev:alias` names get confused");
        }
    }
}

// ---------------------------------------------------------------------
// Routes

const ROUTE_OPTIONS: &[&str] = &[
    "inet",
    "inet6",
    "src",
    "as",
    "via",
    "gw",
    "from",
    "tos",
    "dsfield",
    "table",
    "protocol",
    "scope",
    "metric",
    "priority",
    "preference",
    "dev",
    "oif",
    "onlink",
    "encap",
    "expires",
    "mtu",
    "hoplimit",
    "advmss",
    "rtt",
    "rttvar",
    "reordering",
    "window",
    "cwnd",
    "ssthresh",
    "realms",
    "rto_min",
    "initcwnd",
    "initrwnd",
    "features",
    "quickack",
    "congctl",
    "pref",
    "ttl-propagate",
    "fastopen_no_cookie",
    "add",
    "prepend",
    "append",
    "or",
    "nexthop",
    "no_track",
    "track_group",
    "vrf",
    "to",
    "default",
];

/// One route line (`virtual_routes`, `static_routes`).
pub fn route_entry(ctx: &mut Ctx, node: &Node) -> Option<RouteEntry> {
    parse_route(ctx, node, None)
}

/// A route being read: the destination comes anywhere in the line.
struct RouteParts {
    r: RouteEntry,
    have_dest: bool,
}

fn parse_route(
    ctx: &mut Ctx,
    node: &Node,
    statics: Option<&[TrackGroup]>,
) -> Option<RouteEntry> {
    let mut e = Entry::new(node);
    let mut p = RouteParts {
        r: RouteEntry::new(Sp::new(RouteDest::Default, node.span())),
        have_dest: false,
    };
    while let Some(t) = e.next() {
        if t.text == "nexthop" {
            if !p.r.nexthops.is_empty() {
                ctx.report(
                    &CONFLICT,
                    t.span,
                    "a route cannot have both `or` and `nexthop`",
                )
                .with_note("keepalived drops the whole entry");
                return None;
            }
            parse_nexthops(ctx, &mut e, &mut p.r, t);
            break;
        }
        route_option(ctx, &mut e, &mut p, t, statics);
        if !e.ok {
            return None;
        }
    }
    if !e.ok {
        return None;
    }
    if !p.have_dest {
        ctx.report(&MISSING_DEST, node.span(), "this route has no destination")
            .with_help("write the destination prefix, e.g. `10.0.0.0/8 via 192.0.2.1`, or `default via ...`")
            .with_note("keepalived drops the route (\"Route must have a destination\")");
        return None;
    }
    route_checks(ctx, &p.r);
    Some(p.r)
}

fn route_option(
    ctx: &mut Ctx,
    e: &mut Entry,
    p: &mut RouteParts,
    t: &Token,
    statics: Option<&[TrackGroup]>,
) -> Option<()> {
    let r = &mut p.r;
    match t.text.as_str() {
        "inet" | "inet6" => {
            let f = if t.text == "inet" {
                Family::Inet
            } else {
                Family::Inet6
            };
            if !p.have_dest && e.peek().is_none_or(|n| n.text != "to") {
                ctx.report(
                    &INVALID_VALUE,
                    t.span,
                    format!("`{}` before the route's destination", t.text),
                )
                .with_note("keepalived 2.2.7 then reports \"Route must have a destination\" and drops the route")
                .with_help(format!("write `{}` after the destination (`default {} via ...`), or introduce the destination with `to`", t.text, t.text));
                return e.drop_entry();
            }
            e.set_family(ctx, f, t);
            r.family = Some(Sp::new(f, t.span));
        }
        "src" => {
            let v = e.value(ctx, t, "address")?;
            let Some(ip) = plain_ip(ctx, v, "route src") else {
                return e.drop_entry();
            };
            e.set_family(ctx, Family::of(&ip), v);
            replace(ctx, &mut r.src, Sp::new(ip, v.span), t);
        }
        "as" => {
            let v = e.value(ctx, t, "address")?;
            let last = if v.text == "to" {
                e.next().unwrap_or(v)
            } else {
                v
            };
            ctx.report(
                &UNKNOWN_OPTION,
                t.span.to(last.span),
                "`as [to]` (MPLS) is not supported for routes",
            )
            .with_note("keepalived ignores it");
        }
        "via" | "gw" => route_via(ctx, e, r, t)?,
        "from" => {
            let v = e.value(ctx, t, "source prefix")?;
            let Some(d) = route_dest(ctx, e, v, "route from") else {
                return e.drop_entry();
            };
            if d.family() != Some(Family::Inet6) {
                ctx.report(
                    &CONFLICT,
                    v.span,
                    "`from` (source prefix) only works for IPv6 routes",
                )
                .with_help(
                    "for the preferred source address write `src ADDRESS`",
                )
                .with_note("keepalived drops the whole entry");
                return e.drop_entry();
            }
            replace(ctx, &mut r.from, Sp::new(d, v.span), t);
        }
        "tos" | "dsfield" => {
            let n = e.named(ctx, t, "value", &DSFIELDS)?;
            replace(ctx, &mut r.tos, n, t);
        }
        "table" => {
            let n = e.named(ctx, t, "table", &TABLES)?;
            replace(ctx, &mut r.table, n, t);
        }
        "protocol" => {
            let n = e.named(ctx, t, "protocol", &PROTOS)?;
            replace(ctx, &mut r.protocol, n, t);
        }
        "scope" => {
            let n = e.named(ctx, t, "scope", &SCOPES)?;
            replace(ctx, &mut r.scope, n, t);
        }
        "metric" | "priority" | "preference" => {
            let v = e.value(ctx, t, "metric")?;
            let Some(n) = num(ctx, v, u64::from(u32::MAX), "route metric")
            else {
                return e.drop_entry();
            };
            replace(ctx, &mut r.metric, Sp::new(n as u32, v.span), t);
        }
        "dev" | "oif" => {
            let v = e.value(ctx, t, "interface")?;
            replace(ctx, &mut r.dev, Sp::new(v.text.clone(), v.span), t);
        }
        "vrf" => {
            let v = e.value(ctx, t, "VRF interface")?;
            replace(ctx, &mut r.vrf, Sp::new(v.text.clone(), v.span), t);
        }
        "onlink" => set_flag(&mut r.onlink),
        "encap" => {
            let enc = parse_encap(ctx, e, t)?;
            replace(ctx, &mut r.encap, enc, t);
        }
        "expires" => {
            let v = e.value(ctx, t, "seconds")?;
            ipv6_only(ctx, e, t)?;
            let Some(n) = num(ctx, v, u64::from(u32::MAX), "expires") else {
                return e.drop_entry();
            };
            replace(ctx, &mut r.expires, Sp::new(n as u32, v.span), t);
        }
        "hoplimit" => {
            let v = e.value(ctx, t, "hop limit")?;
            let Some(n) = num(ctx, v, 255, "hoplimit") else {
                return e.drop_entry();
            };
            replace(ctx, &mut r.hoplimit, Sp::new(n as u8, v.span), t);
        }
        "mtu" | "advmss" | "reordering" | "cwnd" | "ssthresh" => {
            let v = locked_u32(ctx, e, t)?;
            let slot = match t.text.as_str() {
                "mtu" => &mut r.mtu,
                "advmss" => &mut r.advmss,
                "reordering" => &mut r.reordering,
                "cwnd" => &mut r.cwnd,
                _ => &mut r.ssthresh,
            };
            replace(ctx, slot, v, t);
        }
        "window" | "initcwnd" | "initrwnd" => {
            let v = e.value(ctx, t, "value")?;
            let Some(n) = num(ctx, v, u64::from(u32::MAX), &t.text) else {
                return e.drop_entry();
            };
            let slot = match t.text.as_str() {
                "window" => &mut r.window,
                "initcwnd" => &mut r.initcwnd,
                _ => &mut r.initrwnd,
            };
            replace(ctx, slot, Sp::new(n as u32, v.span), t);
        }
        "rtt" | "rttvar" | "rto_min" => {
            let v = locked_rtt(ctx, e, t)?;
            let slot = match t.text.as_str() {
                "rtt" => &mut r.rtt,
                "rttvar" => &mut r.rttvar,
                _ => &mut r.rto_min,
            };
            replace(ctx, slot, v, t);
        }
        "realms" => {
            let v = e.value(ctx, t, "realms")?;
            let Some(rl) = realms(ctx, v) else {
                return e.drop_entry();
            };
            e.set_family(ctx, Family::Inet, t);
            replace(ctx, &mut r.realms, rl, t);
        }
        "features" => {
            let v = e.value(ctx, t, "feature")?;
            if v.text == "ecn" {
                r.ecn = true;
            } else {
                ctx.report(
                    &INVALID_VALUE,
                    v.span,
                    format!("unknown route feature `{}`", v.text),
                )
                .with_help("the only feature is `ecn`")
                .with_note("keepalived ignores it");
            }
        }
        "quickack" | "fastopen_no_cookie" => {
            let v = e.value(ctx, t, "0 or 1")?;
            let Some(n) = num(ctx, v, 1, &t.text) else {
                return e.drop_entry();
            };
            let slot = if t.text == "quickack" {
                &mut r.quickack
            } else {
                &mut r.fastopen_no_cookie
            };
            replace(ctx, slot, Sp::new(n == 1, v.span), t);
        }
        "congctl" => {
            let mut v = e.value(ctx, t, "algorithm")?;
            let lock = v.text == "lock";
            if lock {
                v = e.value(ctx, t, "algorithm")?;
            }
            let c = Locked {
                lock,
                value: v.text.clone(),
            };
            replace(ctx, &mut r.congctl, Sp::new(c, v.span), t);
        }
        "pref" => {
            let v = e.value(ctx, t, "preference")?;
            ipv6_only(ctx, e, t)?;
            let pr = match v.text.as_str() {
                "low" => RoutePref::Low,
                "medium" => RoutePref::Medium,
                "high" => RoutePref::High,
                _ => match num(ctx, v, 255, "pref") {
                    Some(n) => RoutePref::Other(n as u8),
                    None => return e.drop_entry(),
                },
            };
            replace(ctx, &mut r.pref, Sp::new(pr, v.span), t);
        }
        "ttl-propagate" => {
            let v = e.value(ctx, t, "value")?;
            let b = match v.text.as_str() {
                "enabled" => true,
                "disabled" => false,
                other => {
                    ctx.report(
                        &INVALID_VALUE,
                        v.span,
                        format!("`ttl-propagate {other}` is not valid"),
                    )
                    .with_help("write `enabled` or `disabled`");
                    return Some(());
                }
            };
            replace(ctx, &mut r.ttl_propagate, Sp::new(b, v.span), t);
        }
        "add" | "prepend" | "append" => {
            let m = match t.text.as_str() {
                "add" => AddMode::Add,
                "append" => AddMode::Append,
                _ => AddMode::Prepend,
            };
            replace(ctx, &mut r.add_mode, Sp::new(m, t.span), t);
        }
        "or" => route_or(ctx, e, r, t)?,
        "no_track" => set_flag(&mut r.no_track),
        "track_group" if statics.is_some() => {
            entry_track_group(
                ctx,
                e,
                t,
                &mut r.track_group,
                statics.unwrap_or(&[]),
            );
        }
        _ => route_destination(ctx, e, p, t)?,
    }
    Some(())
}

/// Reports an IPv6-only option in an IPv4 route (keepalived drops it).
fn ipv6_only(ctx: &mut Ctx, e: &mut Entry, t: &Token) -> Option<()> {
    if let Some((Family::Inet, span)) = e.family {
        ctx.report(
            &FAMILY_MISMATCH,
            t.span,
            format!("`{}` is only valid for IPv6 routes", t.text),
        )
        .with_related(span, "IPv4 from here")
        .with_note("keepalived drops the whole entry");
        return e.drop_entry();
    }
    e.set_family(ctx, Family::Inet6, t);
    Some(())
}

fn route_via(
    ctx: &mut Ctx,
    e: &mut Entry,
    r: &mut RouteEntry,
    t: &Token,
) -> Option<()> {
    if t.text == "gw" {
        ctx.report(&DEPRECATED_OPTION, t.span, "`gw` for routes is deprecated")
            .with_help("write `via`");
    }
    let mut v = e.value(ctx, t, "gateway address")?;
    if v.text == "inet" || v.text == "inet6" {
        let f = if v.text == "inet" {
            Family::Inet
        } else {
            Family::Inet6
        };
        e.set_family(ctx, f, v);
        // Canonical form: the family word follows the destination.
        if r.family.is_none() {
            r.family = Some(Sp::new(f, v.span));
        }
        v = e.value(ctx, t, "gateway address")?;
    }
    let Some(ip) = plain_ip(ctx, v, "route via") else {
        return e.drop_entry();
    };
    e.set_family(ctx, Family::of(&ip), v);
    replace(ctx, &mut r.via, Sp::new(ip, v.span), t);
    Some(())
}

/// `or ADDR`: the old way to give a second gateway; keepalived turns
/// `via A or B` into two nexthops.
fn route_or(
    ctx: &mut Ctx,
    e: &mut Entry,
    r: &mut RouteEntry,
    t: &Token,
) -> Option<()> {
    let v = e.value(ctx, t, "gateway address")?;
    ctx.report(&DEPRECATED_OPTION, t.span, "`or` for routes is deprecated")
        .with_help(
            "write `nexthop via A nexthop via B` at the end of the line",
        );
    if !r.nexthops.is_empty() {
        ctx.report(&REPEATED_OPTION, t.span, "a route can have only one `or`")
            .with_note("keepalived ignores the later ones");
        return Some(());
    }
    let Some(ip) = plain_ip(ctx, v, "route or") else {
        return e.drop_entry();
    };
    e.set_family(ctx, Family::of(&ip), v);
    let first = Nexthop {
        via: r.via.take(),
        ..Nexthop::default()
    };
    let second = Nexthop {
        via: Some(Sp::new(ip, v.span)),
        ..Nexthop::default()
    };
    r.nexthops = vec![first, second];
    Some(())
}

/// Anything else is the destination: `[to] [TYPE] DEST`.
fn route_destination(
    ctx: &mut Ctx,
    e: &mut Entry,
    p: &mut RouteParts,
    t: &Token,
) -> Option<()> {
    let mut d = t;
    if d.text == "to" {
        d = e.value(ctx, t, "destination")?;
    } else if let Some(ty) = route_type(&d.text) {
        p.r.rtype = Some(Sp::new(ty, d.span));
        d = e.value(ctx, t, "destination")?;
    }
    let looks_like_word = d.text.starts_with(|c: char| c.is_ascii_alphabetic())
        && !d.text.contains(':')
        && !matches!(d.text.as_str(), "default" | "default6" | "any" | "all");
    if looks_like_word {
        unknown_option(ctx, d, "route", ROUTE_OPTIONS);
        return e.drop_entry();
    }
    let Some(dest) = route_dest(ctx, e, d, "route destination") else {
        return e.drop_entry();
    };
    if p.have_dest {
        ctx.report(
            &REPEATED_OPTION,
            d.span,
            format!("a second destination `{}` in one route", d.text),
        )
        .with_related(p.r.dest.span, "first destination")
        .with_help("put each route on its own line")
        .with_note("keepalived silently uses the last one");
    }
    if d.text == "default6" && p.r.family.is_none() {
        p.r.family = Some(Sp::new(Family::Inet6, d.span));
    }
    p.r.dest = Sp::new(dest, d.span);
    p.have_dest = true;
    Some(())
}

/// A route type written before the destination (keepalived also takes a
/// number 0..=255 there).
fn route_type(s: &str) -> Option<RouteType> {
    if let Some((_, t)) = RouteType::NAMES.iter().find(|(n, _)| *n == s) {
        return Some(*t);
    }
    c_ulong(s)
        .filter(|n| *n <= 255)
        .map(|n| RouteType::Other(n as u8))
}

/// `[lock] N` for mtu, advmss, reordering, cwnd, ssthresh.
fn locked_u32(
    ctx: &mut Ctx,
    e: &mut Entry,
    t: &Token,
) -> Option<Sp<Locked<u32>>> {
    let mut v = e.value(ctx, t, "value")?;
    let lock = v.text == "lock";
    if lock {
        v = e.value(ctx, t, "value")?;
    }
    let Some(n) = num(ctx, v, u64::from(u32::MAX), &t.text) else {
        return e.drop_entry();
    };
    Some(Sp::new(
        Locked {
            lock,
            value: n as u32,
        },
        v.span,
    ))
}

/// `[lock] TIME` for rtt (unit 1/8 ms), rttvar (1/4 ms), rto_min (ms).
fn locked_rtt(
    ctx: &mut Ctx,
    e: &mut Entry,
    t: &Token,
) -> Option<Sp<Locked<RttTime>>> {
    let mut v = e.value(ctx, t, "time")?;
    let lock = v.text == "lock";
    if lock {
        v = e.value(ctx, t, "time")?;
    }
    let mult: u64 = match t.text.as_str() {
        "rtt" => 8,
        "rttvar" => 4,
        _ => 1,
    };
    let Some(time) = parse_rtt(&v.text) else {
        ctx.report(&INVALID_VALUE, v.span, format!("`{} {}` is not a valid time", t.text, v.text))
            .with_help("write milliseconds with a unit (`300ms`), seconds (`0.3s`) or the raw kernel value")
            .with_note("keepalived drops the whole entry");
        return e.drop_entry();
    };
    let units = match time {
        RttTime::Raw(n) => u64::from(n),
        RttTime::Millis(n) => u64::from(n) * mult,
    };
    if units < 200 * mult || units > 120_000 * mult {
        ctx.report(
            &RTT_CLAMPED,
            v.span,
            format!("`{} {}` is outside 200ms..120s", t.text, v.text),
        )
        .with_note("keepalived moves it to the nearest limit");
    }
    Some(Sp::new(Locked { lock, value: time }, v.span))
}

/// `N` (raw), `Nms`, `N[.D]s`, `N[.D]sec(s)`.
fn parse_rtt(s: &str) -> Option<RttTime> {
    let lower = s.to_ascii_lowercase();
    let unit_at = lower.find('s');
    let Some(at) = unit_at else {
        return s.parse::<u32>().ok().map(RttTime::Raw);
    };
    if !matches!(&lower[at..], "s" | "sec" | "secs") {
        return None;
    }
    let (num, millis) = match lower[..at].strip_suffix('m') {
        Some(n) => (n, true),
        None => (&lower[..at], false),
    };
    if millis {
        return num.parse::<u32>().ok().map(RttTime::Millis);
    }
    // Seconds with up to 3 decimals, as milliseconds.
    let (i, f) = num.split_once('.').unwrap_or((num, ""));
    if (i.is_empty() && f.is_empty())
        || f.len() > 3
        || !f.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: u64 = if i.is_empty() { 0 } else { i.parse().ok()? };
    let frac: u64 = format!("{f:0<3}").parse().ok()?;
    u32::try_from(whole.checked_mul(1000)?.checked_add(frac)?)
        .ok()
        .map(RttTime::Millis)
}

/// `encap ip|ip6|mpls|ila ...`.
fn parse_encap(ctx: &mut Ctx, e: &mut Entry, t: &Token) -> Option<Sp<Encap>> {
    let kind = e.value(ctx, t, "type")?;
    let enc = match kind.text.as_str() {
        "ip" | "ip6" => encap_ip(ctx, e, kind)?,
        "mpls" => {
            let v = e.value(ctx, kind, "labels")?;
            let labels: Option<Vec<u32>> = v
                .text
                .split('/')
                .map(|l| {
                    c_ulong(l).filter(|n| *n < (1 << 20)).map(|n| n as u32)
                })
                .collect();
            match labels {
                Some(l) if !l.is_empty() && l.len() <= 2 => Encap::Mpls(l),
                _ => {
                    ctx.report(
                        &INVALID_VALUE,
                        v.span,
                        format!("invalid MPLS labels `{}`", v.text),
                    )
                    .with_help(
                        "write one or two labels 0..=1048575 separated by `/`",
                    );
                    return None;
                }
            }
        }
        "ila" => {
            let v = e.value(ctx, kind, "locator")?;
            let Some(g) = parse_locator(&v.text) else {
                ctx.report(
                    &INVALID_VALUE,
                    v.span,
                    format!("invalid ILA locator `{}`", v.text),
                )
                .with_help("write four hex groups, e.g. `2001:0:0:1`");
                return None;
            };
            Encap::Ila(g)
        }
        other => {
            ctx.report(
                &INVALID_VALUE,
                kind.span,
                format!("unknown encap type `{other}`"),
            )
            .with_help("write `ip`, `ip6`, `mpls` or `ila`")
            .with_note("keepalived ignores the encapsulation");
            return None;
        }
    };
    Some(Sp::new(enc, kind.span))
}

fn parse_locator(s: &str) -> Option<[u16; 4]> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut g = [0u16; 4];
    for (slot, p) in g.iter_mut().zip(parts) {
        if p.is_empty() || p.len() > 4 {
            return None;
        }
        *slot = u16::from_str_radix(p, 16).ok()?;
    }
    Some(g)
}

/// `encap ip|ip6 [id N] [dst A] [src A] [tos|tc T] [ttl|hoplimit N]
/// [flags N]`: options until a word that is not one of them.
fn encap_ip(ctx: &mut Ctx, e: &mut Entry, kind: &Token) -> Option<Encap> {
    let six = kind.text == "ip6";
    let fam = if six { Family::Inet6 } else { Family::Inet };
    let (tos_kw, ttl_kw) = if six {
        ("tc", "hoplimit")
    } else {
        ("tos", "ttl")
    };
    let mut o = EncapIp::default();
    while let Some(k) = e.peek() {
        let key = k.text.as_str();
        if !["id", "dst", "src", "flags"].contains(&key)
            && key != tos_kw
            && key != ttl_kw
        {
            break;
        }
        e.next();
        let v = e.value(ctx, k, "value")?;
        match key {
            "id" => o.id = Some(num(ctx, v, u64::MAX, "encap id")?),
            "dst" | "src" => {
                let ip = plain_ip(ctx, v, &format!("encap {key}"))?;
                if Family::of(&ip) != fam {
                    ctx.report(
                        &FAMILY_MISMATCH,
                        v.span,
                        format!(
                            "`encap {}` needs an {} address",
                            kind.text,
                            fam.name()
                        ),
                    );
                    return None;
                }
                if key == "dst" {
                    o.dst = Some(ip)
                } else {
                    o.src = Some(ip)
                }
            }
            "flags" => {
                o.flags = Some(
                    num(ctx, v, u64::from(u16::MAX), "encap flags")? as u16
                )
            }
            k2 if k2 == tos_kw => {
                o.tos = Some(rt_name_of(ctx, v, &v.text, &DSFIELDS)?)
            }
            _ => o.ttl = Some(num(ctx, v, 255, ttl_kw)? as u8),
        }
    }
    if o.dst.is_none() && o.id.is_none() {
        ctx.report(
            &MISSING_VALUE,
            kind.span,
            format!("`encap {}` needs `dst ADDRESS` or `id N`", kind.text),
        )
        .with_note("keepalived ignores the encapsulation");
        return None;
    }
    Some(if six { Encap::Ip6(o) } else { Encap::Ip(o) })
}

/// `nexthop [via A] [dev IF] [weight N] [onlink] [encap ..] [realms R]`
/// repeated to the end of the line.
fn parse_nexthops(
    ctx: &mut Ctx,
    e: &mut Entry,
    r: &mut RouteEntry,
    first: &Token,
) {
    let mut kw = first;
    loop {
        let mut nh = Nexthop::default();
        let mut next_kw = None;
        while let Some(t) = e.next() {
            if nexthop_option(ctx, e, &mut nh, t).is_none() && !e.ok {
                return;
            }
            if t.text == "nexthop" {
                next_kw = Some(t);
                break;
            }
        }
        if nh == Nexthop::default() {
            ctx.report(
                &MISSING_VALUE,
                kw.span,
                "this `nexthop` has no options",
            )
            .with_help("write `nexthop via ADDRESS [dev IF] [weight N]`");
        }
        r.nexthops.push(nh);
        match next_kw {
            Some(k) => kw = k,
            None => return,
        }
    }
}

/// One option of a nexthop; `nexthop` itself returns without doing
/// anything (the caller starts the next one).
fn nexthop_option(
    ctx: &mut Ctx,
    e: &mut Entry,
    nh: &mut Nexthop,
    t: &Token,
) -> Option<()> {
    match t.text.as_str() {
        "nexthop" => {}
        "via" => {
            let mut v = e.value(ctx, t, "gateway address")?;
            if v.text == "inet" || v.text == "inet6" {
                let f = if v.text == "inet" {
                    Family::Inet
                } else {
                    Family::Inet6
                };
                e.set_family(ctx, f, v);
                v = e.value(ctx, t, "gateway address")?;
            }
            let Some(ip) = plain_ip(ctx, v, "nexthop via") else {
                return e.drop_entry();
            };
            e.set_family(ctx, Family::of(&ip), v);
            nh.via = Some(Sp::new(ip, v.span));
        }
        "dev" => {
            let v = e.value(ctx, t, "interface")?;
            nh.dev = Some(Sp::new(v.text.clone(), v.span));
        }
        "weight" => {
            let v = e.value(ctx, t, "weight")?;
            let Some(n) = value::uint(ctx, v, 1, 256, "nexthop weight") else {
                return e.drop_entry();
            };
            nh.weight = Some(Sp::new(n as u16, v.span));
        }
        "onlink" => nh.onlink = true,
        "encap" => nh.encap = parse_encap(ctx, e, t),
        "realms" => {
            let v = e.value(ctx, t, "realms")?;
            let Some(rl) = realms(ctx, v) else {
                return e.drop_entry();
            };
            e.set_family(ctx, Family::Inet, t);
            nh.realms = Some(rl);
        }
        _ => {
            ctx.report(&UNKNOWN_OPTION, t.span, format!("unknown nexthop option `{}`", t.text))
                .with_help("nexthops end the line: put the other route options before the first `nexthop`")
                .with_note("keepalived drops the whole entry (\"trailing nonsense after nexthops\")");
            return e.drop_entry();
        }
    }
    Some(())
}

/// Checks across the options of a route.
fn route_checks(ctx: &mut Ctx, r: &RouteEntry) {
    if !r.no_track {
        if let Some(p) = &r.protocol {
            if !is_keepalived_proto(&p.value) {
                ctx.report(
                    &PROTOCOL_RESET,
                    p.span,
                    format!(
                        "a tracked route cannot have `protocol {}`",
                        p.value
                    ),
                )
                .with_help("add `no_track` to keep this protocol")
                .with_note("keepalived replaces it with its own protocol (18)");
            }
        }
        if r.dev.is_none() {
            ctx.report(
                &UNTRACKED_ROUTE,
                r.dest.span,
                format!(
                    "route `{}` has no `dev`, so keepalived cannot track it",
                    r.dest.value
                ),
            )
            .with_help(
                "add `dev IF`, or `no_track` to say it is not to be tracked",
            );
        }
    }
    if let (Some(g), None) = (&r.track_group, &r.dev) {
        ctx.report(&CONFLICT, g.span, "`track_group` needs the route's `dev`")
            .with_note("keepalived ignores the track_group");
    }
}

fn is_keepalived_proto(p: &RtName) -> bool {
    match p {
        RtName::Id(n) => *n == RTPROT_KEEPALIVED,
        RtName::Name(s) => s == "keepalived",
    }
}

// ---------------------------------------------------------------------
// Rules

const RULE_OPTIONS: &[&str] = &[
    "inet",
    "inet6",
    "from",
    "to",
    "table",
    "lookup",
    "not",
    "preference",
    "order",
    "priority",
    "tos",
    "dsfield",
    "fwmark",
    "realms",
    "suppress_prefixlength",
    "sup_pl",
    "suppress_ifgroup",
    "sup_group",
    "dev",
    "iif",
    "oif",
    "tunnel-id",
    "uidrange",
    "l3mdev",
    "protocol",
    "ipproto",
    "sport",
    "dport",
    "no_track",
    "track_group",
    "type",
    "goto",
    "nop",
    "blackhole",
    "unreachable",
    "prohibit",
];

/// One rule line (`virtual_rules`, `static_rules`).
pub fn rule_entry(ctx: &mut Ctx, node: &Node) -> Option<RuleEntry> {
    parse_rule(ctx, node, None)
}

/// A rule being read: options that need a table action are remembered
/// for the final check.
struct RuleParts {
    r: RuleEntry,
    table_option: Option<Span>,
}

fn parse_rule(
    ctx: &mut Ctx,
    node: &Node,
    statics: Option<&[TrackGroup]>,
) -> Option<RuleEntry> {
    let mut e = Entry::new(node);
    let mut p = RuleParts {
        r: RuleEntry::default(),
        table_option: None,
    };
    while let Some(t) = e.next() {
        rule_option(ctx, &mut e, &mut p, t, statics);
        if !e.ok {
            return None;
        }
    }
    rule_checks(ctx, node, p)
}

fn rule_option(
    ctx: &mut Ctx,
    e: &mut Entry,
    p: &mut RuleParts,
    t: &Token,
    statics: Option<&[TrackGroup]>,
) -> Option<()> {
    let r = &mut p.r;
    match t.text.as_str() {
        "inet" | "inet6" => {
            let f = if t.text == "inet" {
                Family::Inet
            } else {
                Family::Inet6
            };
            e.set_family(ctx, f, t);
            r.family = Some(Sp::new(f, t.span));
        }
        "from" | "to" => {
            let v = e.value(ctx, t, "prefix")?;
            let what = format!("rule {}", t.text);
            let Some(d) = route_dest(ctx, e, v, &what) else {
                return e.drop_entry();
            };
            if v.text == "default6" && r.family.is_none() {
                r.family = Some(Sp::new(Family::Inet6, v.span));
            }
            let slot = if t.text == "from" {
                &mut r.from
            } else {
                &mut r.to
            };
            replace(ctx, slot, Sp::new(d, v.span), t);
        }
        "table" | "lookup" => {
            let n = e.named(ctx, t, "table", &TABLES)?;
            if n.value == RtName::Id(0) {
                ctx.report(
                    &INVALID_VALUE,
                    n.span,
                    "table 0 is not valid for a rule",
                )
                .with_note("keepalived drops the whole entry");
                return e.drop_entry();
            }
            set_action(
                ctx,
                e,
                r,
                Sp::new(RuleAction::Table(n.value), t.span.to(n.span)),
            )?;
        }
        "not" => r.not = true,
        "preference" | "order" | "priority" => {
            let v = e.value(ctx, t, "preference")?;
            let Some(n) =
                c_ulong(&v.text).filter(|n| *n <= u64::from(u32::MAX))
            else {
                ctx.report(
                    &INVALID_VALUE,
                    v.span,
                    format!(
                        "rule preference `{}` is not a number 0..=4294967295",
                        v.text
                    ),
                )
                .with_note("keepalived drops the whole entry");
                return e.drop_entry();
            };
            replace(ctx, &mut r.preference, Sp::new(n as u32, v.span), t);
        }
        "tos" | "dsfield" => {
            let n = e.named(ctx, t, "value", &DSFIELDS)?;
            replace(ctx, &mut r.tos, n, t);
        }
        "fwmark" => {
            let v = e.value(ctx, t, "mark")?;
            let Some(m) = parse_fwmark(&v.text) else {
                ctx.report(
                    &INVALID_VALUE,
                    v.span,
                    format!("invalid fwmark `{}`", v.text),
                )
                .with_help("write `MARK` or `MARK/MASK` (decimal or 0x hex)")
                .with_note("keepalived drops the whole entry");
                return e.drop_entry();
            };
            replace(ctx, &mut r.fwmark, Sp::new(m, v.span), t);
        }
        "realms" => {
            let v = e.value(ctx, t, "realms")?;
            let Some(rl) = realms(ctx, v) else {
                return e.drop_entry();
            };
            e.set_family(ctx, Family::Inet, t);
            p.table_option = Some(t.span);
            replace(ctx, &mut r.realms, rl, t);
        }
        "suppress_prefixlength" | "sup_pl" => {
            let v = e.value(ctx, t, "length")?;
            let Some(n) = num(ctx, v, i32::MAX as u64, "suppress_prefixlength")
            else {
                return e.drop_entry();
            };
            p.table_option = Some(t.span);
            replace(
                ctx,
                &mut r.suppress_prefixlength,
                Sp::new(n as u32, v.span),
                t,
            );
        }
        "suppress_ifgroup" | "sup_group" => {
            let n = e.named(ctx, t, "group", &GROUPS)?;
            p.table_option = Some(t.span);
            replace(ctx, &mut r.suppress_ifgroup, n, t);
        }
        "dev" | "iif" => {
            let v = e.value(ctx, t, "interface")?;
            replace(ctx, &mut r.iif, Sp::new(v.text.clone(), v.span), t);
        }
        "oif" => {
            let v = e.value(ctx, t, "interface")?;
            replace(ctx, &mut r.oif, Sp::new(v.text.clone(), v.span), t);
        }
        "tunnel-id" => {
            let v = e.value(ctx, t, "id")?;
            let Some(n) = num(ctx, v, u64::MAX, "tunnel-id") else {
                return e.drop_entry();
            };
            replace(ctx, &mut r.tunnel_id, Sp::new(n, v.span), t);
        }
        "uidrange" => {
            let v = e.value(ctx, t, "range")?;
            let Some(rg) =
                parse_range::<u32>(&v.text).filter(|_| v.text.contains('-'))
            else {
                ctx.report(
                    &INVALID_VALUE,
                    v.span,
                    format!("invalid uidrange `{}`", v.text),
                )
                .with_help("write `FIRST-LAST`, e.g. `1000-1999`")
                .with_note("keepalived drops the whole entry");
                return e.drop_entry();
            };
            replace(ctx, &mut r.uidrange, Sp::new(rg, v.span), t);
        }
        "l3mdev" => {
            if let Some(a) = &r.action {
                ctx.report(
                    &CONFLICT,
                    t.span,
                    "`l3mdev` cannot go with another action",
                )
                .with_related(a.span, "action given here")
                .with_note("keepalived drops the whole entry");
                return e.drop_entry();
            }
            r.l3mdev = true;
        }
        "protocol" => {
            let v = e.value(ctx, t, "protocol")?;
            if let Some(n) = num(ctx, v, 255, "rule protocol") {
                replace(ctx, &mut r.protocol, Sp::new(n as u8, v.span), t);
            }
        }
        "ipproto" => {
            let v = e.value(ctx, t, "protocol")?;
            if let Some(n) = ip_proto(ctx, v) {
                replace(ctx, &mut r.ipproto, n, t);
            }
        }
        "sport" | "dport" => {
            let v = e.value(ctx, t, "port range")?;
            port_range(ctx, r, t, v);
        }
        "no_track" => r.no_track = true,
        "track_group" if statics.is_some() => {
            entry_track_group(
                ctx,
                e,
                t,
                &mut r.track_group,
                statics.unwrap_or(&[]),
            );
        }
        _ => rule_action(ctx, e, r, t)?,
    }
    Some(())
}

/// `sport`/`dport A-B`. keepalived 2.2.7 refuses a single port.
fn port_range(ctx: &mut Ctx, r: &mut RuleEntry, t: &Token, v: &Token) {
    match parse_range::<u16>(&v.text) {
        Some(rg) if v.text.contains('-') => {
            let slot = if t.text == "sport" {
                &mut r.sport
            } else {
                &mut r.dport
            };
            replace(ctx, slot, Sp::new(rg, v.span), t);
        }
        Some(rg) => {
            ctx.report(&INVALID_VALUE, v.span, format!("`{} {}` needs a range", t.text, v.text))
                .with_help(format!("write `{} {}-{}`", t.text, rg.start, rg.end))
                .with_note("keepalived 2.2.7 reads a single port as an invalid range and ignores it");
        }
        None => {
            ctx.report(
                &INVALID_VALUE,
                v.span,
                format!("invalid {} range `{}`", t.text, v.text),
            )
            .with_help("write `FIRST-LAST` with ports 0..=65535")
            .with_note("keepalived ignores it");
        }
    }
}

/// `A-B`, or a single `A` (as `A-A`).
fn parse_range<T: std::str::FromStr + Copy>(s: &str) -> Option<Range<T>> {
    let digits =
        |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    match s.split_once('-') {
        Some((a, b)) if digits(a) && digits(b) => Some(Range {
            start: a.parse().ok()?,
            end: b.parse().ok()?,
        }),
        None if digits(s) => {
            let v = s.parse().ok()?;
            Some(Range { start: v, end: v })
        }
        _ => None,
    }
}

/// `MARK[/MASK]`, numbers as C's strtoul base 0.
fn parse_fwmark(s: &str) -> Option<Fwmark> {
    let (m, k) = match s.split_once('/') {
        Some((m, k)) => (m, Some(k)),
        None => (s, None),
    };
    let mark = c_ulong(m).filter(|n| *n <= u64::from(u32::MAX))? as u32;
    let mask = match k {
        Some(k) => {
            Some(c_ulong(k).filter(|n| *n <= u64::from(u32::MAX))? as u32)
        }
        None => None,
    };
    Some(Fwmark { mark, mask })
}

/// An IP protocol number or a name from /etc/protocols.
fn ip_proto(ctx: &mut Ctx, v: &Token) -> Option<Sp<RtName>> {
    const KNOWN: &[&str] = &[
        "ip",
        "icmp",
        "igmp",
        "ipip",
        "tcp",
        "egp",
        "pup",
        "udp",
        "idp",
        "tp",
        "dccp",
        "ipv6",
        "rsvp",
        "gre",
        "esp",
        "ah",
        "ipv6-icmp",
        "mtp",
        "beetph",
        "encap",
        "pim",
        "comp",
        "l2tp",
        "sctp",
        "udplite",
        "mpls-in-ip",
        "ethernet",
        "raw",
        "mptcp",
        "ospf",
        "vrrp",
    ];
    if let Some(n) = c_ulong(&v.text) {
        if n > 255 {
            ctx.report(
                &OUT_OF_RANGE,
                v.span,
                format!("ipproto {n} is outside 0..=255"),
            )
            .with_note("keepalived ignores it");
            return None;
        }
        return Some(Sp::new(RtName::Id(n as u32), v.span));
    }
    if !KNOWN.contains(&v.text.as_str()) {
        ctx.report(&RUNTIME_NAME, v.span, format!("ipproto `{}` is not a common protocol name", v.text))
            .with_note("keepalived looks it up in /etc/protocols when it starts, and ignores it if it is not there")
            .with_help("write the protocol number");
    }
    Some(Sp::new(RtName::Name(v.text.clone()), v.span))
}

/// The action words: `[type] goto N|nop|blackhole|unreachable|prohibit`.
fn rule_action(
    ctx: &mut Ctx,
    e: &mut Entry,
    r: &mut RuleEntry,
    t: &Token,
) -> Option<()> {
    let w = if t.text == "type" {
        e.value(ctx, t, "action")?
    } else {
        t
    };
    let action = match w.text.as_str() {
        "goto" => {
            let v = e.value(ctx, w, "target preference")?;
            let Some(n) = num(ctx, v, u64::from(u32::MAX), "goto target")
            else {
                return e.drop_entry();
            };
            Sp::new(RuleAction::Goto(n as u32), w.span.to(v.span))
        }
        "nop" => Sp::new(RuleAction::Nop, w.span),
        "blackhole" => Sp::new(RuleAction::Blackhole, w.span),
        "unreachable" => Sp::new(RuleAction::Unreachable, w.span),
        "prohibit" => Sp::new(RuleAction::Prohibit, w.span),
        other if route_type(other).is_some() => {
            ctx.report(&INVALID_VALUE, w.span, format!("`{other}` is not a rule action"))
                .with_help("rule actions are `table T`, `goto N`, `nop`, `blackhole`, `unreachable`, `prohibit`")
                .with_note("keepalived drops the whole entry");
            return e.drop_entry();
        }
        _ => {
            unknown_option(ctx, w, "rule", RULE_OPTIONS);
            return e.drop_entry();
        }
    };
    set_action(ctx, e, r, action)
}

fn set_action(
    ctx: &mut Ctx,
    e: &mut Entry,
    r: &mut RuleEntry,
    a: Sp<RuleAction>,
) -> Option<()> {
    let prev = r.action.as_ref().map(|p| p.span).or(if r.l3mdev {
        Some(a.span)
    } else {
        None
    });
    if r.action.is_some() || r.l3mdev {
        let d = ctx.report(&CONFLICT, a.span, "a rule can have only one action")
            .with_help("keep one of table/goto/nop/blackhole/unreachable/prohibit/l3mdev")
            .with_note("keepalived drops the whole entry");
        if let Some(p) = prev.filter(|_| r.action.is_some()) {
            d.with_related(p, "first action");
        }
        return e.drop_entry();
    }
    r.action = Some(a);
    Some(())
}

/// Checks across the options of a rule; `None` when keepalived drops it.
fn rule_checks(ctx: &mut Ctx, node: &Node, p: RuleParts) -> Option<RuleEntry> {
    let r = p.r;
    if let Some(Sp {
        value: RuleAction::Goto(target),
        span,
    }) = &r.action
    {
        match &r.preference {
            None => {
                ctx.report(
                    &CONFLICT,
                    *span,
                    "a `goto` rule needs a `preference`",
                )
                .with_help(format!("add `preference N` with N below {target}"))
                .with_note("keepalived drops the whole entry");
                return None;
            }
            Some(pr) if pr.value >= *target => {
                ctx.report(
                    &CONFLICT,
                    *span,
                    format!(
                        "`goto {target}` must jump forward, past preference {}",
                        pr.value
                    ),
                )
                .with_related(pr.span, "preference given here")
                .with_note("keepalived drops the whole entry");
                return None;
            }
            _ => {}
        }
    }
    if r.action.is_none() && !r.l3mdev {
        ctx.report(&NO_ACTION, node.span(), "this rule has no action")
            .with_help("add `table T` (or `goto N`, `blackhole`, `unreachable`, `prohibit`, `nop`)")
            .with_note("keepalived drops the rule (\"No action specified for rule\")");
        return None;
    }
    let is_table = r.l3mdev
        || matches!(
            r.action.as_ref().map(|a| &a.value),
            Some(RuleAction::Table(_))
        );
    if let (Some(span), false) = (p.table_option, is_table) {
        ctx.report(
            &CONFLICT,
            span,
            "`realms` and `suppress_*` need a `table` action",
        )
        .with_note("keepalived drops the whole entry");
        return None;
    }
    if !r.no_track {
        if let Some(pr) = &r.protocol {
            if u32::from(pr.value) != RTPROT_KEEPALIVED {
                ctx.report(
                    &PROTOCOL_RESET,
                    pr.span,
                    format!(
                        "a tracked rule cannot have `protocol {}`",
                        pr.value
                    ),
                )
                .with_help("add `no_track` to keep this protocol")
                .with_note("keepalived replaces it with its own protocol (18)");
            }
        }
    }
    if let (Some(g), None) = (&r.track_group, &r.iif) {
        ctx.report(&CONFLICT, g.span, "`track_group` needs the rule's `iif`")
            .with_note("keepalived ignores the track_group");
    }
    if r.preference.is_none() {
        ctx.report(&NO_PREFERENCE, node.keyword().span, "this rule has no `preference`")
            .with_help("add `preference N`; rules are tried in preference order")
            .with_note("keepalived gives it one counting down from 16384, which depends on the order of rules");
    }
    Some(r)
}

// ---------------------------------------------------------------------
// Top-level blocks

fn static_ipaddress(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    for line in value::entries(ctx, node) {
        if let Some(a) = parse_address(ctx, line, Some(&c.statics.track_groups))
        {
            c.statics.addresses.push(a);
        }
    }
}

fn static_routes(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    for line in value::entries(ctx, node) {
        if let Some(r) = parse_route(ctx, line, Some(&c.statics.track_groups)) {
            c.statics.routes.push(r);
        }
    }
}

fn static_rules(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    for line in value::entries(ctx, node) {
        if let Some(r) = parse_rule(ctx, line, Some(&c.statics.track_groups)) {
            c.statics.rules.push(r);
        }
    }
}

/// `track_group NAME { group { VI ... } }`.
fn track_group(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let Some(name) = value::block_name(ctx, node) else {
        return;
    };
    if let Some(prev) = c
        .statics
        .track_groups
        .iter()
        .find(|g| g.name.value == name.value)
    {
        ctx.report(
            &DUPLICATE_NAME,
            name.span,
            format!("track_group `{}` is defined twice", name.value),
        )
        .with_related(prev.name.span, "first defined here")
        .with_note("keepalived skips the second block");
        return;
    }
    let mut g = TrackGroup { name, group: None };
    super::dispatch(
        ctx,
        node.children(),
        &[TRACK_GROUP_KWS],
        &mut g,
        "track_group",
    );
    match &g.group {
        None => {
            ctx.report(
                &TRACK_GROUP_BLOCK,
                g.name.span,
                format!("track_group `{}` has no `group` block", g.name.value),
            )
            .with_help(
                "add `group { VI_1 }` listing the vrrp_instances it follows",
            )
            .with_note("keepalived removes the group");
        }
        Some(m) if m.is_empty() => {
            ctx.report(
                &TRACK_GROUP_BLOCK,
                g.name.span,
                format!(
                    "track_group `{}` has an empty `group` block",
                    g.name.value
                ),
            )
            .with_help("list the vrrp_instances it follows")
            .with_note("keepalived removes the group");
        }
        _ => {}
    }
    c.statics.track_groups.push(g);
}

static TRACK_GROUP_KWS: &[Kw<TrackGroup>] =
    &[Kw::block("group", track_group_members)];

fn track_group_members(ctx: &mut Ctx, node: &Node, g: &mut TrackGroup) {
    if g.group.is_some() {
        ctx.report(
            &TRACK_GROUP_BLOCK,
            node.keyword().span,
            "`group` is given twice in this track_group",
        )
        .with_note("keepalived skips the second block");
        return;
    }
    let members = value::entries(ctx, node)
        .into_iter()
        .flat_map(|l| l.line.tokens.iter())
        .map(|t| Sp::new(t.text.clone(), t.span))
        .collect();
    g.group = Some(members);
}

/// `garp_group { garp_interval S; gna_interval S; interface IF |
/// interfaces { IF ... } }`.
fn garp_group(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    Args::new(node).finish(ctx);
    let mut g = GarpGroup {
        span: Sp::new((), node.keyword().span),
        garp_interval: None,
        gna_interval: None,
        interface: None,
        interfaces: None,
    };
    super::dispatch(
        ctx,
        node.children(),
        &[GARP_GROUP_KWS],
        &mut g,
        "garp_group",
    );
    if g.garp_interval.is_none() && g.gna_interval.is_none() {
        ctx.report(
            &GARP_GROUP,
            node.keyword().span,
            "this garp_group sets no delay",
        )
        .with_help("add `garp_interval SECONDS` and/or `gna_interval SECONDS`")
        .with_note("keepalived removes the group");
    }
    c.statics.garp_groups.push(g);
}

static GARP_GROUP_KWS: &[Kw<GarpGroup>] = &[
    Kw::line("garp_interval", |ctx, n, g| {
        garp_delay(ctx, n, &mut g.garp_interval)
    }),
    Kw::line("gna_interval", |ctx, n, g| {
        garp_delay(ctx, n, &mut g.gna_interval)
    }),
    Kw::line("interface", garp_interface),
    Kw::block("interfaces", garp_interfaces),
];

fn garp_delay(ctx: &mut Ctx, node: &Node, slot: &mut Option<Sp<Micros>>) {
    if let Some(v) =
        value::one_seconds(ctx, node, Micros(0), Micros(i32::MAX as u64))
    {
        value::set_once(ctx, slot, v, node);
    }
}

fn garp_interface(ctx: &mut Ctx, node: &Node, g: &mut GarpGroup) {
    if let Some(v) = value::one_word(ctx, node, "interface") {
        value::set_once(ctx, &mut g.interface, v, node);
    }
}

fn garp_interfaces(ctx: &mut Ctx, node: &Node, g: &mut GarpGroup) {
    let list: Vec<Sp<String>> = value::entries(ctx, node)
        .into_iter()
        .flat_map(|l| l.line.tokens.iter())
        .map(|t| Sp::new(t.text.clone(), t.span))
        .collect();
    if list.is_empty() {
        ctx.report(
            &EMPTY_INTERFACES,
            node.keyword().span,
            "this `interfaces` block is empty",
        )
        .with_help("list the interfaces, or remove the block");
    }
    g.interfaces.get_or_insert_with(Vec::new).extend(list);
}

// ---------------------------------------------------------------------
// Whole-config checks

/// Checks that need the whole configuration.
pub fn check(ctx: &mut Ctx, config: &Config) {
    check_track_group_members(ctx, config);
    check_garp_interfaces(ctx, config);
    check_static_devs(ctx, config);
}

fn check_track_group_members(ctx: &mut Ctx, config: &Config) {
    let instances = &config.vrrp.instances;
    for g in &config.statics.track_groups {
        for m in g.group.iter().flatten() {
            if !instances.iter().any(|i| i.name.value == m.value) {
                let d = ctx.report(
                    &TRACK_GROUP_MEMBER,
                    m.span,
                    format!("track_group `{}` names `{}`, which is not a vrrp_instance", g.name.value, m.value),
                );
                d.with_note("keepalived ignores this member");
                if let Some(s) = closest(
                    &m.value,
                    instances.iter().map(|i| i.name.value.as_str()),
                ) {
                    d.with_help(format!("did you mean `{s}`?"));
                }
            }
        }
    }
}

/// An interface may be in one garp_group only.
fn check_garp_interfaces(ctx: &mut Ctx, config: &Config) {
    let mut seen: Vec<&Sp<String>> = Vec::new();
    for g in &config.statics.garp_groups {
        for i in g.interface.iter().chain(g.interfaces.iter().flatten()) {
            if let Some(prev) = seen.iter().find(|p| p.value == i.value) {
                ctx.report(
                    &GARP_GROUP,
                    i.span,
                    format!(
                        "interface `{}` is already in a garp_group",
                        i.value
                    ),
                )
                .with_related(prev.span, "first given here")
                .with_note("keepalived ignores this one");
            } else {
                seen.push(i);
            }
        }
    }
}

/// A static address without `dev` goes on the default interface.
fn check_static_devs(ctx: &mut Ctx, config: &Config) {
    if config.global.default_interface.is_some() {
        return;
    }
    for a in &config.statics.addresses {
        if a.dev.is_none() {
            ctx.report(
                &STATIC_NO_DEV,
                a.address.span,
                format!("static address `{}` has no `dev`", a.address.value),
            )
            .with_help(
                "add `dev IF`, or set `default_interface` in global_defs",
            )
            .with_note(
                "without `default_interface` keepalived puts it on eth0",
            );
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::testing::{codes, compile};
    use crate::Compilation;

    /// Compiles one static block with one entry.
    fn one(block: &str, line: &str) -> Compilation {
        compile(&format!("{block} {{\n    {line}\n}}\n"))
    }

    fn address(line: &str) -> (Option<AddressEntry>, Vec<String>) {
        let c = one("static_ipaddress", line);
        (c.config.statics.addresses.first().cloned(), codes(&c))
    }

    fn route(line: &str) -> (Option<RouteEntry>, Vec<String>) {
        let c = one("static_routes", line);
        (c.config.statics.routes.first().cloned(), codes(&c))
    }

    fn rule(line: &str) -> (Option<RuleEntry>, Vec<String>) {
        let c = one("static_rules", line);
        (c.config.statics.rules.first().cloned(), codes(&c))
    }

    fn has(codes: &[String], code: &Code) -> bool {
        codes.contains(&code.name())
    }

    use crate::diag::Code;

    #[test]
    fn address_all_options() {
        let (a, c) = address(
            "192.0.2.1/24 brd + dev eth0 scope link label eth0:1 home -nodad mngtmpaddr \
             noprefixroute autojoin preferred_lft forever no_track",
        );
        assert!(c.is_empty(), "{c:?}");
        let a = a.unwrap();
        assert_eq!(a.address.len, 24);
        assert_eq!(a.broadcast.as_ref().unwrap().value, Broadcast::Plus);
        assert_eq!(a.dev.as_ref().unwrap().value, "eth0");
        assert_eq!(
            a.scope.as_ref().unwrap().value,
            RtName::Name("link".into())
        );
        assert_eq!(a.label.as_ref().unwrap().value, "eth0:1");
        assert!(
            a.home
                && a.nodad
                && a.mngtmpaddr
                && a.noprefixroute
                && a.autojoin
                && a.no_track
        );
        assert_eq!(a.preferred_lft.as_ref().unwrap().value, Lifetime::Forever);
        let (a, c) = address(
            "10.0.0.1 peer 10.0.0.2 dev eth0 scope 253 preferred_lft 30",
        );
        assert!(c.is_empty(), "{c:?}");
        let a = a.unwrap();
        assert_eq!(
            a.peer.unwrap().value,
            "10.0.0.2".parse::<IpAddr>().unwrap()
        );
        assert_eq!(a.scope.unwrap().value, RtName::Id(253));
        assert_eq!(a.preferred_lft.unwrap().value, Lifetime::Secs(30));
        let (a, _) = address("10.0.0.1 broadcast 10.0.0.255 dev eth0");
        assert_eq!(
            a.unwrap().broadcast.unwrap().value,
            Broadcast::Addr(Ipv4Addr::new(10, 0, 0, 255))
        );
    }

    #[test]
    fn address_errors() {
        let (a, c) = address("192.168.10.300/24 dev eth0");
        assert!(a.is_none() && has(&c, &INVALID_ADDRESS));
        let (a, c) = address("10.0.0.1 10.0.0.2 dev eth0");
        assert!(a.is_some() && has(&c, &UNKNOWN_OPTION));
        let (_, c) = address("10.0.0.1 dve eth0");
        assert!(has(&c, &UNKNOWN_OPTION));
        let (a, c) = address("10.0.0.1 dev");
        assert!(a.is_none() && has(&c, &MISSING_VALUE));
        let (a, c) = address("10.0.0.1 dev eth0 dev eth1");
        assert!(a.is_none() && has(&c, &REPEATED_OPTION));
        let (a, c) = address("2001:db8::1 brd + dev eth0");
        assert!(a.is_none() && has(&c, &CONFLICT));
        let (_, c) = address("2001:db8::1 dev eth0 label eth0:1");
        assert!(has(&c, &CONFLICT));
        let (_, c) = address("10.0.0.1 dev eth0 brd +");
        assert!(has(&c, &CONFLICT), "prefix /32 is too long for brd +");
        let (a, c) = address("10.0.0.1 dev eth0 label eth0:abcdefghijklmnop");
        assert!(a.is_none() && has(&c, &BAD_LABEL));
        let (_, c) = address("10.0.0.1 dev eth0 label lan");
        assert!(has(&c, &LABEL_PREFIX));
        let (_, c) = address("10.0.0.1 dev eth0 peer 2001:db8::1");
        assert!(has(&c, &FAMILY_MISMATCH));
        let (_, c) = address("10.0.0.1/24 dev eth0 peer 10.0.0.2");
        assert!(has(&c, &CONFLICT));
        let (_, c) = address("10.0.0.1 dev eth0 scope nowhereland");
        assert!(has(&c, &RUNTIME_NAME));
        let (_, c) = address("10.0.0.1 dev eth0 preferred_lft soon");
        assert!(has(&c, &super::super::INVALID_NUMBER));
        let (_, c) = address("10.0.0.1 dev eth0 use_vmac");
        assert!(
            has(&c, &UNKNOWN_OPTION),
            "use_vmac is for virtual_ipaddress only"
        );
        let (_, c) = address("10.0.0.1");
        assert!(has(&c, &STATIC_NO_DEV));
    }

    #[test]
    fn address_entry_in_vrrp_context() {
        // `address_entry` is the virtual_ipaddress reader: use_vmac yes,
        // track_group no.
        let c = compile("");
        drop(c);
        let src = "10.0.0.1 use_vmac track_group G\n";
        let mut diags = crate::diag::Diagnostics::default();
        let mut sources = crate::source::SourceMap::default();
        let loader = crate::lex::MemLoader::new()
            .with(crate::lex::normalize(std::path::Path::new("v.conf")), src);
        let items = crate::lex::lex_file(
            &loader,
            std::path::Path::new("v.conf"),
            &mut sources,
            &mut diags,
            &crate::lex::LexOptions::default(),
        )
        .unwrap_or_default();
        let nodes = crate::ast::build(items, &mut diags);
        let mut ctx = Ctx { diags: &mut diags };
        let a = nodes
            .first()
            .and_then(|n| address_entry(&mut ctx, n))
            .unwrap();
        assert!(a.use_vmac && a.track_group.is_none());
        let v = diags.into_vec();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].code.name(), UNKNOWN_OPTION.name());
    }

    #[test]
    fn route_options() {
        let (r, c) = route(
            "src 192.0.2.1 10.0.0.0/8 via 192.0.2.254 dev eth0 onlink scope link table 100 \
             metric 5 protocol 18 tos 0x10 mtu lock 1400 hoplimit 64 advmss 1360 rtt 300ms \
             rttvar 0.5s reordering 3 window 1000 cwnd lock 10 ssthresh 20 realms 1/2 rto_min 200ms \
             initcwnd 10 initrwnd 10 features ecn quickack 1 congctl lock cubic fastopen_no_cookie 0 \
             ttl-propagate enabled append",
        );
        assert!(c.is_empty(), "{c:?}");
        let r = r.unwrap();
        assert_eq!(r.dest.value.to_string(), "10.0.0.0/8");
        assert_eq!(r.table.unwrap().value, RtName::Id(100));
        assert_eq!(r.tos.unwrap().value, RtName::Id(16));
        assert_eq!(
            r.mtu.unwrap().value,
            Locked {
                lock: true,
                value: 1400
            }
        );
        assert_eq!(r.rtt.unwrap().value.value, RttTime::Millis(300));
        assert_eq!(r.rttvar.unwrap().value.value, RttTime::Millis(500));
        assert_eq!(r.realms.unwrap().value.to_string(), "1/2");
        assert!(r.ecn);
        assert_eq!(r.add_mode.unwrap().value, AddMode::Append);
        assert_eq!(
            r.congctl.unwrap().value,
            Locked {
                lock: true,
                value: "cubic".into()
            }
        );
        let (r, c) = route("inet6 to 2001:db8::/32 from 2001:db8:1::/48 via inet6 fe80::1 dev eth0 expires 10 pref high");
        assert!(c.is_empty(), "{c:?}");
        let r = r.unwrap();
        assert_eq!(r.pref.unwrap().value, RoutePref::High);
        assert_eq!(r.family.unwrap().value, Family::Inet6);
        let (r, c) = route("unreachable 10.9.0.0/16 dev lo no_track");
        assert!(c.is_empty(), "{c:?}");
        assert_eq!(r.unwrap().rtype.unwrap().value, RouteType::Unreachable);
        let (r, c) = route(
            "default dev eth0 nexthop via 192.0.2.1 dev eth0 weight 2 nexthop via 192.0.2.2 dev eth1 onlink",
        );
        assert!(c.is_empty(), "{c:?}");
        let r = r.unwrap();
        assert_eq!(r.dest.value, RouteDest::Default);
        assert_eq!(r.nexthops.len(), 2);
        assert_eq!(r.nexthops[0].weight.as_ref().unwrap().value, 2);
        assert!(r.nexthops[1].onlink);
        let (r, c) =
            route("10.0.0.0/8 dev eth0 encap ip id 5 dst 192.0.2.9 ttl 10");
        assert!(c.is_empty(), "{c:?}");
        assert!(matches!(
            r.unwrap().encap.unwrap().value,
            Encap::Ip(EncapIp { id: Some(5), .. })
        ));
        let (r, c) = route("10.0.0.0/8 dev eth0 encap mpls 100/200");
        assert!(c.is_empty(), "{c:?}");
        assert_eq!(
            r.unwrap().encap.unwrap().value,
            Encap::Mpls(vec![100, 200])
        );
    }

    #[test]
    fn route_errors() {
        let (r, c) = route("192.168.210.0/24 via 192.168.10.256 dev eth0");
        assert!(r.is_none() && has(&c, &INVALID_ADDRESS));
        let (r, c) = route("via 10.0.0.1 dev eth0");
        assert!(r.is_none() && has(&c, &MISSING_DEST));
        let (r, c) = route("10.0.0.0/8 via 2001:db8::1 dev eth0");
        assert!(r.is_none() && has(&c, &FAMILY_MISMATCH));
        let (r, c) = route("src 2001:db8::1 10.0.0.0/8 dev eth0");
        assert!(r.is_none() && has(&c, &FAMILY_MISMATCH));
        let (r, c) = route("10.0.0.0/8 via 10.0.0.1");
        assert!(r.is_some() && has(&c, &UNTRACKED_ROUTE));
        let (_, c) = route("10.0.0.0/8 gw 10.0.0.1 dev eth0");
        assert!(has(&c, &DEPRECATED_OPTION));
        let (r, c) = route("10.0.0.0/8 via 10.0.0.1 or 10.0.0.2 dev eth0");
        assert!(has(&c, &DEPRECATED_OPTION));
        assert_eq!(r.unwrap().nexthops.len(), 2);
        let (r, c) = route("10.0.0.0/8 dev eth0 metrik 5");
        assert!(r.is_none() && has(&c, &UNKNOWN_OPTION));
        let (r, c) = route("10.0.0.0/8 dev eth0 table");
        assert!(r.is_none() && has(&c, &MISSING_VALUE));
        let (_, c) = route("10.0.0.0/8 dev eth0 protocol static");
        assert!(has(&c, &PROTOCOL_RESET));
        let (_, c) = route("10.0.0.0/8 dev eth0 protocol static no_track");
        assert!(!has(&c, &PROTOCOL_RESET));
        let (_, c) = route("10.0.0.0/8 dev eth0 table custom");
        assert!(has(&c, &RUNTIME_NAME));
        let (r, c) = route("10.0.0.0/8 from 10.1.0.0/16 dev eth0");
        assert!(r.is_none() && has(&c, &CONFLICT));
        let (r, c) = route("10.0.0.0/8 dev eth0 pref high");
        assert!(r.is_none() && has(&c, &FAMILY_MISMATCH));
        let (_, c) = route("10.0.0.0/8 dev eth0 rtt 100000s");
        assert!(has(&c, &RTT_CLAMPED));
        let (r, c) = route("10.0.0.0/8 dev eth0 rtt 5x");
        assert!(r.is_none() && has(&c, &INVALID_VALUE));
        let (_, c) = route("10.0.0.0/8 10.1.0.0/16 dev eth0");
        assert!(has(&c, &REPEATED_OPTION));
        let (_, c) = route("10.0.0.0/8 via 10.0.0.1 via 10.0.0.2 dev eth0");
        assert!(has(&c, &DUPLICATE_OPTION));
        let (r, c) = route("10.0.0.0/8 nexthop via 10.0.0.1 dev eth0 metric 5");
        assert!(r.is_none() && has(&c, &UNKNOWN_OPTION));
        let (r, c) = route("10.0.0.0/8 dev eth0 nexthop via 10.0.0.1 weight 0");
        assert!(r.is_none() && has(&c, &OUT_OF_RANGE));
        let (_, c) = route("10.0.0.0/8 dev eth0 features fast");
        assert!(has(&c, &INVALID_VALUE));
        let (_, c) = route("10.0.0.0/8 dev eth0 encap foo");
        assert!(has(&c, &INVALID_VALUE));
        let (_, c) = route("10.0.0.0/8 dev eth0 encap ip ttl 5");
        assert!(has(&c, &MISSING_VALUE));
        let (_, c) = route("10.0.0.0/8 track_group G");
        assert!(has(&c, &UNDEFINED_TRACK_GROUP) && has(&c, &CONFLICT));
        let (_, c) = route("default6 dev eth0");
        assert!(has(&c, &DEPRECATED_OPTION));
    }

    #[test]
    fn rule_options() {
        let (r, c) = rule(
            "inet not from 10.0.0.0/8 to 192.0.2.0/24 preference 100 tos 0x10 fwmark 0x10/0xff \
             iif eth0 oif eth1 realms 5 suppress_prefixlength 0 suppress_ifgroup 3 uidrange 1000-2000 \
             protocol 18 ipproto tcp sport 1-1024 dport 80-80 tunnel-id 7 lookup 100",
        );
        assert!(c.is_empty(), "{c:?}");
        let r = r.unwrap();
        assert!(r.not);
        assert_eq!(
            r.fwmark.unwrap().value,
            Fwmark {
                mark: 16,
                mask: Some(255)
            }
        );
        assert_eq!(r.action.unwrap().value, RuleAction::Table(RtName::Id(100)));
        assert_eq!(
            r.uidrange.unwrap().value,
            Range {
                start: 1000,
                end: 2000
            }
        );
        assert_eq!(r.dport.unwrap().value, Range { start: 80, end: 80 });
        for (line, action) in [
            ("preference 5 goto 10", RuleAction::Goto(10)),
            ("preference 5 type blackhole", RuleAction::Blackhole),
            ("preference 5 unreachable", RuleAction::Unreachable),
            ("preference 5 prohibit", RuleAction::Prohibit),
            ("preference 5 nop", RuleAction::Nop),
        ] {
            let (r, c) = rule(line);
            assert!(c.is_empty(), "{line}: {c:?}");
            assert_eq!(r.unwrap().action.unwrap().value, action);
        }
        let (r, c) = rule("preference 0x10 l3mdev");
        assert!(c.is_empty(), "{c:?}");
        let r = r.unwrap();
        assert!(r.l3mdev && r.action.is_none());
        assert_eq!(r.preference.unwrap().value, 16);
    }

    #[test]
    fn rule_errors() {
        let (r, c) = rule("from 192.168.100.0/24 table 1");
        assert!(r.is_some() && has(&c, &NO_PREFERENCE));
        let (r, c) = rule("to 192.168.100./24 table 1 preference 1");
        assert!(r.is_none() && has(&c, &INVALID_ADDRESS));
        let (r, c) = rule("from 10.0.0.0/8 preference 1");
        assert!(r.is_none() && has(&c, &NO_ACTION));
        let (r, c) = rule("preference 10 goto 5");
        assert!(r.is_none() && has(&c, &CONFLICT));
        let (r, c) = rule("goto 5");
        assert!(r.is_none() && has(&c, &CONFLICT));
        let (r, c) = rule("preference 1 table 1 blackhole");
        assert!(r.is_none() && has(&c, &CONFLICT));
        let (r, c) = rule("preference 1 table 0");
        assert!(r.is_none() && has(&c, &INVALID_VALUE));
        let (r, c) = rule("preference 1 realms 3 blackhole");
        assert!(r.is_none() && has(&c, &CONFLICT));
        let (r, c) =
            rule("preference 1 from 10.0.0.0/8 to 2001:db8::/32 table 1");
        assert!(r.is_none() && has(&c, &FAMILY_MISMATCH));
        let (r, c) = rule("preference 1 table 1 frm 10.0.0.0/8");
        assert!(r.is_none() && has(&c, &UNKNOWN_OPTION));
        let (r, c) = rule("preference 1 table 1 sport 80");
        assert!(r.is_some() && has(&c, &INVALID_VALUE));
        let (r, c) = rule("preference 1 table 1 fwmark 0x10/");
        assert!(r.is_none() && has(&c, &INVALID_VALUE));
        let (r, c) = rule("preference 1 table 1 type local");
        assert!(r.is_none() && has(&c, &INVALID_VALUE));
        let (_, c) = rule("preference 1 table 1 protocol 4");
        assert!(has(&c, &PROTOCOL_RESET));
        let (_, c) = rule("preference 1 table 1 ipproto foo");
        assert!(has(&c, &RUNTIME_NAME));
        let (r, c) = rule("preference 1 table 1 uidrange 5");
        assert!(r.is_none() && has(&c, &INVALID_VALUE));
    }

    #[test]
    fn track_groups() {
        let ok = "track_group TG { group { VI_1 } }\n\
                  static_ipaddress { 10.0.0.1 dev eth0 track_group TG }\n\
                  static_rules { preference 1 iif eth0 table 1 track_group TG }\n";
        let c = compile(ok);
        assert_eq!(c.config.statics.track_groups.len(), 1);
        assert_eq!(
            c.config.statics.track_groups[0]
                .group
                .as_ref()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            c.config.statics.addresses[0]
                .track_group
                .as_ref()
                .unwrap()
                .value,
            "TG"
        );
        assert!(!has(&codes(&c), &UNDEFINED_TRACK_GROUP));
        // Defined after use: keepalived has not seen it yet.
        let c = compile("static_ipaddress { 10.0.0.1 dev eth0 track_group TG }\ntrack_group TG { group { VI_1 } }\n");
        assert!(has(&codes(&c), &UNDEFINED_TRACK_GROUP));
        let c = compile("track_group TG { }\n");
        assert!(has(&codes(&c), &TRACK_GROUP_BLOCK));
        let c = compile("track_group TG { group { } }\n");
        assert!(has(&codes(&c), &TRACK_GROUP_BLOCK));
        let c = compile("track_group TG { group { A } group { B } }\n");
        assert!(has(&codes(&c), &TRACK_GROUP_BLOCK));
        let c = compile(
            "track_group TG { group { A } }\ntrack_group TG { group { B } }\n",
        );
        assert!(has(&codes(&c), &DUPLICATE_NAME));
        let c = compile("track_group TG { group { NOPE } }\n");
        assert!(has(&codes(&c), &TRACK_GROUP_MEMBER));
        let c = compile("static_ipaddress { 10.0.0.1 dev eth0 track_group A track_group B }\n");
        assert!(has(&codes(&c), &REPEATED_OPTION));
    }

    #[test]
    fn garp_groups() {
        let c = compile("garp_group {\n garp_interval 0.002\n gna_interval 0.5\n interfaces {\n eth0 eth1\n eth2\n }\n}\n");
        assert!(c.diagnostics.is_empty(), "{}", c.render_human());
        let g = &c.config.statics.garp_groups[0];
        assert_eq!(g.garp_interval.as_ref().unwrap().value, Micros(2000));
        assert_eq!(g.interfaces.as_ref().unwrap().len(), 3);
        let c = compile("garp_group {\n interface eth0\n}\n");
        assert!(has(&codes(&c), &GARP_GROUP));
        let c =
            compile("garp_group {\n gna_interval 1\n interfaces {\n }\n}\n");
        assert!(has(&codes(&c), &EMPTY_INTERFACES));
        let c = compile("garp_group {\n gna_interval 1\n interface eth0\n}\ngarp_group {\n gna_interval 1\n interface eth0\n}\n");
        assert!(has(&codes(&c), &GARP_GROUP));
        let c = compile("garp_group {\n gna_interval x\n}\n");
        assert!(c.has_errors());
    }

    /// Each entry's Display lowers back to an equal entry.
    #[test]
    fn entries_round_trip() {
        let addresses = [
            "192.0.2.1/24 brd + dev eth0 scope link label eth0:1 home -nodad mngtmpaddr noprefixroute autojoin preferred_lft forever no_track",
            "10.0.0.1 peer 10.0.0.2 dev eth0 scope 253 preferred_lft 30",
            "10.0.0.1/30 broadcast 10.0.0.3 dev eth0",
            "2001:db8::1/64 dev eth0 -nodad",
        ];
        for line in addresses {
            let (a, _) = address(line);
            let a = a.unwrap();
            let (b, _) = address(&a.to_string());
            assert_eq!(Some(&a), b.as_ref(), "{line} -> {a}");
        }
        let routes = [
            "src 192.0.2.1 10.0.0.0/8 via 192.0.2.254 dev eth0 onlink scope link table 100 metric 5 protocol 18 tos 0x10 mtu lock 1400 hoplimit 64 advmss 1360 rtt 300ms rttvar 0.5s reordering 3 window 1000 cwnd lock 10 ssthresh 20 realms 1/2 rto_min 200ms initcwnd 10 initrwnd 10 features ecn quickack 1 congctl lock cubic fastopen_no_cookie 0 ttl-propagate disabled add",
            "inet6 to 2001:db8::/32 from 2001:db8:1::/48 via inet6 fe80::1 dev eth0 expires 10 pref 3",
            "default via inet6 2001:db8::1 dev eth0",
            "default6 dev eth0",
            "unreachable 10.9.0.0/16 dev lo no_track",
            "10.0.0.0/8 via 10.0.0.1 or 10.0.0.2 dev eth0",
            "default dev eth0 nexthop via 192.0.2.1 dev eth0 weight 2 realms 4 nexthop via 192.0.2.2 dev eth1 onlink encap mpls 5",
            "10.0.0.0/8 dev eth0 encap ip6 id 5 dst 2001:db8::9 tc 4 hoplimit 10 flags 1",
            "10.0.0.0/8 dev eth0 encap ila 1:2:3:ab prepend vrf blue",
        ];
        for line in routes {
            let (r, _) = route(line);
            let r = r.unwrap_or_else(|| panic!("{line}"));
            let (b, c) = route(&r.to_string());
            assert_eq!(Some(&r), b.as_ref(), "{line} -> {r} {c:?}");
        }
        let rules = [
            "inet not from 10.0.0.0/8 to 192.0.2.0/24 preference 100 tos 0x10 fwmark 0x10/0xff iif eth0 oif eth1 realms 5 suppress_prefixlength 0 suppress_ifgroup 3 uidrange 1000-2000 protocol 18 ipproto tcp sport 1-1024 dport 80-80 tunnel-id 7 lookup 100 no_track",
            "preference 5 goto 10",
            "from default6 preference 5 type blackhole",
            "preference 0x10 l3mdev",
        ];
        for line in rules {
            let (r, _) = rule(line);
            let r = r.unwrap_or_else(|| panic!("{line}"));
            let (b, c) = rule(&r.to_string());
            assert_eq!(Some(&r), b.as_ref(), "{line} -> {r} {c:?}");
        }
    }

    /// The dump of the area lowers back to an equal config, and is stable.
    #[test]
    fn dump_round_trip() {
        let text = "track_group TG {\n group {\n VI_1 VI_2\n }\n}\n\
            static_ipaddress {\n 10.0.0.1/24 dev eth0 track_group TG\n 10.0.0.2 dev eth1 scope host\n}\n\
            static_routes {\n 10.1.0.0/16 via 10.0.0.254 dev eth0 table 5\n}\n\
            static_rules {\n from 10.0.0.0/8 preference 10 table 5\n}\n\
            garp_group {\n garp_interval 0.01\n interface eth0\n}\n";
        let c = compile(text);
        let d = c.dump();
        let c2 = compile(&d);
        assert_eq!(c.config.statics, c2.config.statics, "{d}");
        assert_eq!(d, c2.dump());
    }
}
