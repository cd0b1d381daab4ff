//! Lowering of the LVS part of the language: `virtual_server_group`,
//! `virtual_server`, `real_server` and the checker blocks.
//!
//! keepalived's check_parser.c drops whatever it cannot read (an invalid
//! real server header skips the whole block, an unknown scheduler is
//! ignored and the default used); here each such problem is an error on
//! the offending word, and lowering carries on. Checks that need the whole
//! virtual server or other parts of the config are in [`check`].

mod check;
mod checkers;
mod group;
#[cfg(test)]
mod tests;

use std::net::{IpAddr, Ipv4Addr};

use super::value::{self, set_once};
use super::{
    dispatch, Args, Ctx, Kw, EXTRA_PARAMETERS, INVALID_CHOICE,
    MISSING_PARAMETER,
};
use crate::ast::Node;
use crate::ir::lvs::{
    Forwarding, Granularity, Method, Protocol, RealServer, Scheduler,
    ServiceFlag, SorryServer, Timing, TunnelCsum, TunnelType, VirtualServer,
    VsKey,
};
use crate::ir::value::{Family, Micros, Sp};
use crate::ir::Config;
use crate::lex::Token;

crate::codes! {
    NO_REAL_SERVERS = 300, Error, "a virtual_server without any real_server";
    UNDEFINED_GROUP = 301, Error, "`virtual_server group NAME` names no virtual_server_group";
    DEFAULT_SCHEDULER = 302, Warning, "a virtual_server without lvs_sched (keepalived uses wlc)";
    DEFAULT_METHOD = 303, Warning, "a server without lvs_method (keepalived uses NAT)";
    FWMARK_PROTOCOL = 304, Warning, "a protocol on a fwmark virtual_server, which ignores it";
    FAMILY_MISMATCH = 305, Error, "servers of a virtual_server with different address families";
    DUPLICATE_VS = 306, Warning, "two virtual_servers for the same service";
    DUPLICATE_RS = 307, Error, "the same real_server twice in one virtual_server";
    QUORUM_TOO_HIGH = 308, Warning, "a quorum above the real servers' total weight";
    UNDEFINED_TRACK_FILE = 309, Error, "a FILE_CHECK naming no track_file";
    UNDEFINED_BFD = 310, Error, "a BFD_CHECK naming no bfd_instance";
    CHECKER_INCOMPLETE = 311, Error, "a checker without a setting it needs (dropped by keepalived)";
    LEGACY_KEYWORD = 312, Error, "a keyword or value of an old or forked keepalived";
    NO_PROTOCOL = 313, Warning, "a virtual_server without protocol (keepalived uses UDP)";
    BAD_TUNNEL = 314, Error, "tunnel options keepalived rejects";
    SORRY_WITHOUT_SERVER = 315, Error, "a sorry_server_* setting before or without sorry_server";
    SCHED_FLAG = 316, Error, "an sh-/mh- flag without its scheduler";
    BAD_DIGEST = 317, Error, "a url digest that is not 32 hex digits";
    BAD_STATUS_CODE = 318, Error, "a status_code outside 100..599";
    ZERO_PORT = 319, Warning, "a virtual service without port that is not persistent";
    HYSTERESIS = 320, Warning, "a hysteresis not below the quorum";
    PORT_MISMATCH = 321, Warning, "a DR/TUN real server port that keepalived resets";
    INEFFECTIVE = 322, Warning, "a setting that has no effect where it is";
    LINK_LOCAL = 323, Error, "a link-local connect_ip without bind_if";
    BAD_HEX = 324, Error, "a UDP_CHECK payload that is not hex";
    BAD_DNS_NAME = 325, Error, "a DNS_CHECK name with an empty label";
    BAD_GROUP_ENTRY = 326, Error, "a virtual_server_group entry keepalived skips";
    EMPTY_GROUP = 327, Error, "a virtual_server_group keepalived removes";
    BAD_HEADER = 328, Error, "a virtual_server or real_server header keepalived skips";
    UDP_LENGTHS = 329, Error, "a UDP_CHECK min_reply_length above max_reply_length";
}

/// Top-level keywords this area handles.
pub static TOP: &[Kw<Config>] = &[
    Kw::block("virtual_server_group", group::virtual_server_group),
    Kw::block("virtual_server", virtual_server),
];

/// Checks that need the whole configuration.
pub fn check(ctx: &mut Ctx, config: &Config) {
    check::run(ctx, config);
}

// ===== shared readers =====

/// No upper limit for timers (keepalived passes 0 = unlimited).
const NO_MAX: Micros = Micros(u64::MAX);
/// `connect_timeout` is kept in a 32-bit count of microseconds.
const CONNECT_MAX: Micros = Micros(u32::MAX as u64);
/// IPVS_WEIGHT_LIMIT.
pub(crate) const WEIGHT_LIMIT: u64 = i32::MAX as u64;

/// Settings with a [`Timing`] part.
pub(crate) trait HasTiming {
    fn timing(&mut self) -> &mut Timing;
    /// Lowest `retry` keepalived takes at this level.
    const MIN_RETRY: u64 = 1;
}

impl HasTiming for VirtualServer {
    fn timing(&mut self) -> &mut Timing {
        &mut self.timing
    }
}

impl HasTiming for RealServer {
    fn timing(&mut self) -> &mut Timing {
        &mut self.timing
    }
}

pub(crate) fn delay_loop<T: HasTiming>(ctx: &mut Ctx, node: &Node, t: &mut T) {
    if let Some(v) = value::one_seconds(ctx, node, Micros(1), NO_MAX) {
        set_once(ctx, &mut t.timing().delay_loop, v, node);
    }
}

pub(crate) fn connect_timeout<T: HasTiming>(
    ctx: &mut Ctx,
    node: &Node,
    t: &mut T,
) {
    if let Some(v) = value::one_seconds(ctx, node, Micros(1), CONNECT_MAX) {
        set_once(ctx, &mut t.timing().connect_timeout, v, node);
    }
}

pub(crate) fn delay_before_retry<T: HasTiming>(
    ctx: &mut Ctx,
    node: &Node,
    t: &mut T,
) {
    if let Some(v) = value::one_seconds(ctx, node, Micros(0), NO_MAX) {
        set_once(ctx, &mut t.timing().delay_before_retry, v, node);
    }
}

pub(crate) fn warmup<T: HasTiming>(ctx: &mut Ctx, node: &Node, t: &mut T) {
    if let Some(v) = value::one_seconds(ctx, node, Micros(0), NO_MAX) {
        set_once(ctx, &mut t.timing().warmup, v, node);
    }
}

pub(crate) fn retry<T: HasTiming>(ctx: &mut Ctx, node: &Node, t: &mut T) {
    if let Some(v) =
        value::one_uint(ctx, node, T::MIN_RETRY, u64::from(u32::MAX))
    {
        set_once(ctx, &mut t.timing().retry, v.map(|n| n as u32), node);
    }
}

/// A `KEYWORD [BOOL]` flag into an optional setting.
pub(crate) fn opt_flag(
    ctx: &mut Ctx,
    node: &Node,
    slot: &mut Option<Sp<bool>>,
) {
    if let Some(v) = value::flag(ctx, node) {
        let span = node.args().first().map_or(node.keyword().span, |t| t.span);
        set_once(ctx, slot, Sp::new(v, span), node);
    }
}

/// `KEYWORD WORD` into an optional string setting.
pub(crate) fn opt_word(
    ctx: &mut Ctx,
    node: &Node,
    slot: &mut Option<Sp<String>>,
    what: &str,
) {
    if let Some(v) = value::one_word(ctx, node, what) {
        set_once(ctx, slot, v, node);
    }
}

/// A port number 1..=65535; `0` (any number of zeros) means "no port",
/// as keepalived has accepted since 2.0.7.
pub(crate) fn port(
    ctx: &mut Ctx,
    tok: &Token,
    what: &str,
) -> Result<Option<Sp<u16>>, ()> {
    if !tok.text.is_empty() && tok.text.bytes().all(|b| b == b'0') {
        return Ok(None);
    }
    value::uint(ctx, tok, 1, 65535, what)
        .map(|p| Some(Sp::new(p as u16, tok.span)))
        .ok_or(())
}

/// An error for a keyword that keepalived 2.2.7 does not know but old or
/// forked versions did.
pub(crate) fn legacy(ctx: &mut Ctx, node: &Node, context: &str, help: &str) {
    ctx.report(
        &LEGACY_KEYWORD,
        node.keyword().span,
        format!(
            "`{}` is not a keepalived 2.2.7 keyword in {context}",
            node.kw()
        ),
    )
    .with_note(
        "keepalived 2.2.7 reports `Unknown keyword` and ignores the line",
    )
    .with_help(help.to_owned());
}

// ===== lvs_method =====

/// `NAT|DR|TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]`,
/// checked as keepalived's svr_forwarding_handler checks it.
pub(crate) fn forwarding(ctx: &mut Ctx, node: &Node) -> Option<Sp<Forwarding>> {
    let mut a = Args::new(node);
    let first = a.required(ctx, "forwarding method (NAT, DR or TUN)")?;
    let method = method_word(ctx, first)?;
    let mut fwd = Forwarding::plain(method);
    let mut last = first;
    let mut ok = true;
    while let Some(t) = a.next() {
        last = t;
        ok &= tunnel_option(ctx, &mut a, t, &mut fwd, &mut last);
    }
    if !ok {
        return None;
    }
    let span = first.span.to(last.span);
    if !tunnel_consistent(ctx, node, &fwd, span) {
        return None;
    }
    Some(Sp::new(fwd, span))
}

fn method_word(ctx: &mut Ctx, tok: &Token) -> Option<Method> {
    if tok.text.eq_ignore_ascii_case("FNAT") {
        ctx.report(
            &LEGACY_KEYWORD,
            tok.span,
            format!("forwarding method `{}` exists only in Alibaba's keepalived fork", tok.text),
        )
        .with_label("keepalived 2.2.7 knows NAT, DR and TUN")
        .with_note("FULLNAT needs the fork's patched kernel; keepalived 2.2.7 ignores the line")
        .with_help("use `NAT`, or `DR`/`TUN` if the real servers can answer clients directly");
        return None;
    }
    value::choice(ctx, tok, Method::ALL, "forwarding method", false)
}

/// One word after the method; reads the value of `type` and `port`.
fn tunnel_option<'n>(
    ctx: &mut Ctx,
    a: &mut Args<'n>,
    t: &'n Token,
    fwd: &mut Forwarding,
    last: &mut &'n Token,
) -> bool {
    match t.text.as_str() {
        "type" => {
            let Some(v) = a.next() else {
                ctx.report(
                    &MISSING_PARAMETER,
                    t.span,
                    "`type` is missing its tunnel type",
                )
                .with_help("write `type ipip`, `type gue` or `type gre`");
                return false;
            };
            *last = v;
            let types = [
                ("ipip", TunnelType::Ipip),
                ("gue", TunnelType::Gue),
                ("gre", TunnelType::Gre),
            ];
            match value::choice(ctx, v, &types, "tunnel type", false) {
                Some(ty) => {
                    fwd.tunnel_type = Some(ty);
                    true
                }
                None => false,
            }
        }
        "port" => {
            let Some(v) = a.next() else {
                ctx.report(
                    &MISSING_PARAMETER,
                    t.span,
                    "`port` is missing the gue tunnel port",
                );
                return false;
            };
            *last = v;
            match value::uint(ctx, v, 1, 65535, "gue tunnel port") {
                Some(p) => {
                    fwd.tunnel_port = Some(p as u16);
                    true
                }
                None => false,
            }
        }
        "nocsum" => set_csum(fwd, TunnelCsum::NoCsum),
        "csum" => set_csum(fwd, TunnelCsum::Csum),
        "remcsum" => set_csum(fwd, TunnelCsum::RemCsum),
        other => {
            let d = ctx.report(
                &INVALID_CHOICE,
                t.span,
                format!("unknown tunnel option `{other}`"),
            );
            d.with_label("expected type, port, nocsum, csum or remcsum");
            false
        }
    }
}

fn set_csum(fwd: &mut Forwarding, c: TunnelCsum) -> bool {
    fwd.csum = Some(c);
    true
}

/// gue needs a port and only gue takes one; ipip takes no checksum; gre
/// no remote checksum. Tunnel options on NAT/DR do nothing.
fn tunnel_consistent(
    ctx: &mut Ctx,
    node: &Node,
    fwd: &Forwarding,
    span: crate::source::Span,
) -> bool {
    let has_options = fwd.tunnel_type.is_some()
        || fwd.tunnel_port.is_some()
        || fwd.csum.is_some();
    if fwd.method != Method::Tun {
        if has_options {
            ctx.report(
                &INEFFECTIVE,
                span,
                format!("tunnel options on `{}` have no effect", fwd.method),
            )
            .with_help("tunnel options apply to `TUN` only; remove them");
        }
        return true;
    }
    let ty = fwd.tunnel_type.unwrap_or(TunnelType::Ipip);
    let problem = match (ty, fwd.tunnel_port, fwd.csum) {
        (TunnelType::Gue, None, _) => Some("a gue tunnel needs `port N`"),
        (TunnelType::Ipip | TunnelType::Gre, Some(_), _) => {
            Some("only gue tunnels take a port")
        }
        (TunnelType::Ipip, _, Some(TunnelCsum::Csum | TunnelCsum::RemCsum)) => {
            Some("ipip tunnels take no checksum option")
        }
        (TunnelType::Gre, _, Some(TunnelCsum::RemCsum)) => {
            Some("gre tunnels take no remote checksum option")
        }
        _ => None,
    };
    if let Some(msg) = problem {
        ctx.report(&BAD_TUNNEL, span, format!("`{}`: {msg}", node.kw()))
            .with_note("keepalived ignores the whole line");
        return false;
    }
    true
}

// ===== virtual_server =====

/// Keywords of a `virtual_server` block.
static VS_KEYWORDS: &[Kw<VirtualServer>] = &[
    Kw::line("ip_family", ip_family),
    Kw::line("retry", retry::<VirtualServer>),
    Kw::line("delay_before_retry", delay_before_retry::<VirtualServer>),
    Kw::line("warmup", warmup::<VirtualServer>),
    Kw::line("connect_timeout", connect_timeout::<VirtualServer>),
    Kw::line("delay_loop", delay_loop::<VirtualServer>),
    Kw::line("inhibit_on_failure", |c, n, vs| {
        vs.inhibit_on_failure = bare_on(c, n)
    }),
    Kw::line("lvs_sched", lvs_sched),
    Kw::line("lb_algo", lvs_sched).deprecated("lvs_sched"),
    Kw::line("hashed", service_flag),
    Kw::line("ops", service_flag),
    Kw::line("flag-1", service_flag),
    Kw::line("flag-2", service_flag),
    Kw::line("flag-3", service_flag),
    Kw::line("sh-port", service_flag),
    Kw::line("sh-fallback", service_flag),
    Kw::line("mh-port", service_flag),
    Kw::line("mh-fallback", service_flag),
    Kw::line("lvs_method", vs_method),
    Kw::line("lb_kind", vs_method).deprecated("lvs_method"),
    Kw::line("persistence_engine", |c, n, vs| {
        opt_word(c, n, &mut vs.persistence_engine, "engine name")
    }),
    Kw::line("persistence_timeout", persistence_timeout),
    Kw::line("persistence_granularity", persistence_granularity),
    Kw::line("protocol", protocol),
    Kw::line("ha_suspend", |c, n, vs| vs.ha_suspend = bare_on(c, n)),
    Kw::line("smtp_alert", |c, n, vs| opt_flag(c, n, &mut vs.smtp_alert)),
    Kw::line("virtualhost", |c, n, vs| {
        opt_word(c, n, &mut vs.virtualhost, "host name")
    }),
    Kw::line("snmp_name", |c, n, vs| {
        opt_word(c, n, &mut vs.snmp_name, "name")
    }),
    Kw::line("alpha", |c, n, vs| vs.alpha = bare_on(c, n)),
    Kw::line("omega", |c, n, vs| vs.omega = bare_on(c, n)),
    Kw::line("quorum_up", |c, n, vs| {
        if let Some(cmd) = value::command(c, n, 1, true) {
            set_once(c, &mut vs.quorum_up, cmd, n);
        }
    }),
    Kw::line("quorum_down", |c, n, vs| {
        if let Some(cmd) = value::command(c, n, 1, true) {
            set_once(c, &mut vs.quorum_down, cmd, n);
        }
    }),
    Kw::line("quorum", |c, n, vs| {
        if let Some(v) = value::one_uint(c, n, 1, u64::from(u32::MAX)) {
            set_once(c, &mut vs.quorum, v.map(|q| q as u32), n);
        }
    }),
    Kw::line("hysteresis", |c, n, vs| {
        if let Some(v) = value::one_uint(c, n, 0, u64::from(u32::MAX)) {
            set_once(c, &mut vs.hysteresis, v.map(|q| q as u32), n);
        }
    }),
    Kw::line("weight", |c, n, vs| {
        if let Some(v) = value::one_uint(c, n, 1, WEIGHT_LIMIT) {
            set_once(c, &mut vs.weight, v.map(|w| w as u32), n);
        }
    }),
    Kw::line("sorry_server", sorry_server),
    Kw::line("sorry_server_inhibit", sorry_server_inhibit),
    Kw::line("sorry_server_lvs_method", sorry_server_method),
    Kw::block("real_server", real_server),
];

/// Keywords of old or forked keepalived seen in real virtual_server blocks.
static VS_LEGACY: &[Kw<VirtualServer>] = &[
    Kw::any("nat_mask", |c, n, _| {
        legacy(
            c,
            n,
            "virtual_server",
            "remove it: keepalived 1.x used it for NAT, 2.x needs no netmask",
        )
    }),
    Kw::any("net_mask", |c, n, _| {
        legacy(
            c,
            n,
            "virtual_server",
            "remove it: keepalived 2.x needs no netmask",
        )
    }),
    Kw::any("laddr_group_name", |c, n, _| {
        legacy(
            c,
            n,
            "virtual_server",
            "remove it: local address groups belong to Alibaba's FULLNAT fork",
        )
    }),
    Kw::any("syn_proxy", |c, n, _| {
        legacy(
            c,
            n,
            "virtual_server",
            "remove it: SYN proxy belongs to Alibaba's keepalived fork",
        )
    }),
    Kw::any("est_timeout", |c, n, _| {
        legacy(
            c,
            n,
            "virtual_server",
            "remove it: it belongs to Alibaba's keepalived fork",
        )
    }),
    Kw::any("lvs_id", |c, n, _| {
        legacy(c, n, "virtual_server", "remove it: keepalived 2.x no longer has `lvs_id`; `router_id` in global_defs names the host")
    }),
    Kw::any("nb_get_retry", |c, n, _| {
        legacy(c, n, "virtual_server", "write `retry`")
    }),
];

/// `virtual_server IP [PORT] | fwmark N | group NAME { ... }`.
fn virtual_server(ctx: &mut Ctx, node: &Node, config: &mut Config) {
    let key = vs_key(ctx, node);
    let placeholder = Sp::new(VsKey::Fwmark(0), node.keyword().span);
    let mut vs = VirtualServer::new(key.clone().unwrap_or(placeholder));
    dispatch(
        ctx,
        node.children(),
        &[VS_KEYWORDS, VS_LEGACY],
        &mut vs,
        "virtual_server",
    );
    // keepalived skips the block of a header it cannot read; the body was
    // still checked above so every mistake shows in one run.
    if key.is_some() {
        // Large sites are mostly virtual servers: keep each compact.
        vs.shrink_to_fit();
        config.lvs.servers.push(vs);
    }
}

fn vs_key(ctx: &mut Ctx, node: &Node) -> Option<Sp<VsKey>> {
    let mut a = Args::new(node);
    let first = a.required(ctx, "address, `fwmark N` or `group NAME`")?;
    let key = match first.text.as_str() {
        "group" => {
            let name = a.required(ctx, "group name")?;
            Some(Sp::new(VsKey::Group(name.text.clone()), name.span))
        }
        "fwmark" => {
            let mark = a.required(ctx, "firewall mark")?;
            value::uint(
                ctx,
                mark,
                0,
                u64::from(u32::MAX),
                "virtual_server fwmark",
            )
            .map(|m| Sp::new(VsKey::Fwmark(m as u32), first.span.to(mark.span)))
        }
        _ => vs_addr_key(ctx, &mut a, first),
    };
    if key.is_none() {
        a.rest();
    }
    a.finish(ctx);
    key
}

fn vs_addr_key(
    ctx: &mut Ctx,
    a: &mut Args,
    first: &Token,
) -> Option<Sp<VsKey>> {
    let addr = header_addr(ctx, first, "virtual_server")?;
    let mut span = first.span;
    let port = match a.next() {
        Some(t) => {
            span = span.to(t.span);
            port(ctx, t, "virtual_server port").ok()?
        }
        None => None,
    };
    Some(Sp::new(
        VsKey::Addr {
            addr,
            port: port.map(|p| p.value),
        },
        span,
    ))
}

/// The address of a server header; keepalived skips the block when it is
/// not an address.
fn header_addr(ctx: &mut Ctx, tok: &Token, what: &str) -> Option<IpAddr> {
    match tok.text.parse::<IpAddr>() {
        Ok(a) => Some(a),
        Err(_) => {
            let d = ctx.report(
                &BAD_HEADER,
                tok.span,
                format!("{what} address `{}` is not an IP address", tok.text),
            );
            d.with_note("keepalived skips the whole block");
            if tok.text.contains(':')
                && tok.text.contains('.')
                && !tok.text.contains("::")
            {
                d.with_help(
                    "write the address and the port as two words: `IP PORT`",
                );
            } else if tok.text.contains('/') {
                d.with_help("a server is one address; use a virtual_server_group for ranges");
            }
            None
        }
    }
}

/// Bare flag keyword: reports words after it (keepalived ignores them,
/// so `inhibit_on_failure off` still turns it on).
fn bare_on(ctx: &mut Ctx, node: &Node) -> bool {
    if let Some(t) = node.args().first() {
        if matches!(t.text.as_str(), "off" | "false" | "no") {
            ctx.report(
                &EXTRA_PARAMETERS,
                t.span,
                format!("`{}` takes no value here; keepalived turns it on regardless", node.kw()),
            )
            .with_help(format!("remove the `{}` line to leave it off", node.kw()));
            return false;
        }
    }
    value::bare(ctx, node);
    true
}

fn ip_family(ctx: &mut Ctx, node: &Node, vs: &mut VirtualServer) {
    let mut a = Args::new(node);
    let Some(t) = a.required(ctx, "family (inet or inet6)") else {
        return;
    };
    let fams = [("inet", Family::Inet), ("inet6", Family::Inet6)];
    if let Some(f) = value::choice(ctx, t, &fams, "address family", false) {
        set_once(ctx, &mut vs.ip_family, Sp::new(f, t.span), node);
    }
    a.finish(ctx);
}

fn lvs_sched(ctx: &mut Ctx, node: &Node, vs: &mut VirtualServer) {
    let mut a = Args::new(node);
    let Some(t) = a.required(ctx, "scheduler") else {
        return;
    };
    if let Some(s) =
        value::choice(ctx, t, Scheduler::ALL, "lvs_sched scheduler", false)
    {
        set_once(ctx, &mut vs.sched, Sp::new(s, t.span), node);
    }
    a.finish(ctx);
}

fn service_flag(ctx: &mut Ctx, node: &Node, vs: &mut VirtualServer) {
    value::bare(ctx, node);
    let found = ServiceFlag::ALL.iter().find(|(n, _)| *n == node.kw());
    if let Some((_, f)) = found {
        if !vs.flags.iter().any(|x| x.value == *f) {
            vs.flags.push(Sp::new(*f, node.keyword().span));
        }
    }
}

fn vs_method(ctx: &mut Ctx, node: &Node, vs: &mut VirtualServer) {
    if let Some(f) = forwarding(ctx, node) {
        set_once(ctx, &mut vs.method, f, node);
    }
}

fn persistence_timeout(ctx: &mut Ctx, node: &Node, vs: &mut VirtualServer) {
    let mut a = Args::new(node);
    let v = match a.next() {
        None => Some(Sp::new(None, node.keyword().span)),
        // LVS_MAX_TIMEOUT: 86400 * 31 seconds.
        Some(t) => value::uint(ctx, t, 1, 86400 * 31, "persistence_timeout")
            .map(|n| Sp::new(Some(n as u32), t.span)),
    };
    a.finish(ctx);
    if let Some(v) = v {
        set_once(ctx, &mut vs.persistence_timeout, v, node);
    }
}

/// An IPv4 netmask, or an IPv6 prefix length 1..=128 (keepalived decides
/// by a `.` in the word when the family is not yet known).
fn persistence_granularity(ctx: &mut Ctx, node: &Node, vs: &mut VirtualServer) {
    let mut a = Args::new(node);
    let Some(t) = a.required(ctx, "netmask or prefix length") else {
        return;
    };
    a.finish(ctx);
    let g = if t.text.contains('.') {
        match t.text.parse::<Ipv4Addr>() {
            Ok(m) => Some(Granularity::Mask(m)),
            Err(_) => {
                ctx.report(
                    &super::INVALID_ADDRESS,
                    t.span,
                    format!(
                        "persistence_granularity `{}` is not an IPv4 netmask",
                        t.text
                    ),
                );
                None
            }
        }
    } else {
        value::uint(ctx, t, 1, 128, "IPv6 persistence_granularity")
            .map(|n| Granularity::PrefixLen(n as u8))
    };
    if let Some(g) = g {
        set_once(
            ctx,
            &mut vs.persistence_granularity,
            Sp::new(g, t.span),
            node,
        );
    }
}

fn protocol(ctx: &mut Ctx, node: &Node, vs: &mut VirtualServer) {
    let mut a = Args::new(node);
    let Some(t) = a.required(ctx, "protocol (TCP, UDP or SCTP)") else {
        return;
    };
    let protos = [
        ("TCP", Protocol::Tcp),
        ("UDP", Protocol::Udp),
        ("SCTP", Protocol::Sctp),
    ];
    if let Some(p) = value::choice(ctx, t, &protos, "protocol", true) {
        set_once(ctx, &mut vs.protocol, Sp::new(p, t.span), node);
    }
    a.finish(ctx);
}

fn sorry_server(ctx: &mut Ctx, node: &Node, vs: &mut VirtualServer) {
    let mut a = Args::new(node);
    let Some(t) = a.required(ctx, "address") else {
        return;
    };
    let addr = value::ip(ctx, t, "sorry_server");
    let port = match a.next() {
        Some(p) => port(ctx, p, "sorry_server port"),
        None => Ok(None),
    };
    a.finish(ctx);
    let (Some(addr), Ok(port)) = (addr, port) else {
        return;
    };
    if let Some(prev) = &vs.sorry_server {
        ctx.report(
            &super::DUPLICATE_KEYWORD,
            node.keyword().span,
            "`sorry_server` is given twice; this one replaces the first",
        )
        .with_related(prev.addr.span, "first given here");
    }
    vs.sorry_server = Some(SorryServer {
        addr: Sp::new(addr, t.span),
        port,
        inhibit: false,
        method: None,
    });
}

fn sorry_missing(ctx: &mut Ctx, node: &Node) {
    ctx.report(
        &SORRY_WITHOUT_SERVER,
        node.keyword().span,
        format!("`{}` comes before or without `sorry_server`", node.kw()),
    )
    .with_note("keepalived ignores it")
    .with_help("put it after the `sorry_server` line");
}

fn sorry_server_inhibit(ctx: &mut Ctx, node: &Node, vs: &mut VirtualServer) {
    let on = bare_on(ctx, node);
    match &mut vs.sorry_server {
        Some(s) => s.inhibit = on,
        None => sorry_missing(ctx, node),
    }
}

fn sorry_server_method(ctx: &mut Ctx, node: &Node, vs: &mut VirtualServer) {
    let f = forwarding(ctx, node);
    match (&mut vs.sorry_server, f) {
        (Some(s), Some(f)) => s.method = Some(f),
        (None, _) => sorry_missing(ctx, node),
        _ => {}
    }
}

// ===== real_server =====

/// Keywords of a `real_server` block (checkers come from
/// [`checkers::RS_CHECKERS`]).
static RS_KEYWORDS: &[Kw<RealServer>] = &[
    Kw::line("weight", |c, n, rs| {
        if let Some(v) = value::one_uint(c, n, 0, WEIGHT_LIMIT) {
            set_once(c, &mut rs.weight, v.map(|w| w as u32), n);
        }
    }),
    Kw::line("lvs_method", |c, n, rs| {
        if let Some(f) = forwarding(c, n) {
            set_once(c, &mut rs.method, f, n);
        }
    }),
    Kw::line("lb_kind", |c, n, _| {
        legacy(c, n, "real_server", "write `lvs_method`")
    }),
    Kw::line("uthreshold", |c, n, rs| {
        if let Some(v) = value::one_uint(c, n, 0, u64::from(u32::MAX)) {
            set_once(c, &mut rs.uthreshold, v.map(|w| w as u32), n);
        }
    }),
    Kw::line("lthreshold", |c, n, rs| {
        if let Some(v) = value::one_uint(c, n, 0, u64::from(u32::MAX)) {
            set_once(c, &mut rs.lthreshold, v.map(|w| w as u32), n);
        }
    }),
    Kw::line("inhibit_on_failure", |c, n, rs| {
        opt_flag(c, n, &mut rs.inhibit_on_failure)
    }),
    Kw::line("notify_up", |c, n, rs| {
        if let Some(cmd) = value::command(c, n, 1, true) {
            set_once(c, &mut rs.notify_up, cmd, n);
        }
    }),
    Kw::line("notify_down", |c, n, rs| {
        if let Some(cmd) = value::command(c, n, 1, true) {
            set_once(c, &mut rs.notify_down, cmd, n);
        }
    }),
    Kw::line("alpha", |c, n, rs| opt_flag(c, n, &mut rs.alpha)),
    Kw::line("retry", retry::<RealServer>),
    Kw::line("delay_before_retry", delay_before_retry::<RealServer>),
    Kw::line("warmup", warmup::<RealServer>),
    Kw::line("connect_timeout", connect_timeout::<RealServer>),
    Kw::line("delay_loop", delay_loop::<RealServer>),
    Kw::line("smtp_alert", |c, n, rs| opt_flag(c, n, &mut rs.smtp_alert)),
    Kw::line("virtualhost", |c, n, rs| {
        opt_word(c, n, &mut rs.virtualhost, "host name")
    }),
    Kw::line("snmp_name", |c, n, rs| {
        opt_word(c, n, &mut rs.snmp_name, "name")
    }),
    Kw::any("nb_get_retry", |c, n, _| {
        legacy(c, n, "real_server", "write `retry` (keepalived 2.2.7 takes `nb_get_retry` only inside HTTP_GET/SSL_GET)")
    }),
];

/// `real_server IP [PORT] { ... }`.
fn real_server(ctx: &mut Ctx, node: &Node, vs: &mut VirtualServer) {
    let header = rs_header(ctx, node);
    let placeholder =
        Sp::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), node.keyword().span);
    let mut rs = match &header {
        Some((addr, port)) => RealServer::new(*addr, *port),
        None => RealServer::new(placeholder, None),
    };
    dispatch(
        ctx,
        node.children(),
        &[RS_KEYWORDS, checkers::RS_CHECKERS],
        &mut rs,
        "real_server",
    );
    if header.is_some() {
        vs.real_servers.push(rs);
    }
}

type RsHeader = (Sp<IpAddr>, Option<Sp<u16>>);

fn rs_header(ctx: &mut Ctx, node: &Node) -> Option<RsHeader> {
    let mut a = Args::new(node);
    let first = a.required(ctx, "address")?;
    let addr = header_addr(ctx, first, "real_server");
    let port = match a.next() {
        Some(t) => port(ctx, t, "real_server port"),
        None => Ok(None),
    };
    a.finish(ctx);
    match (addr, port) {
        (Some(addr), Ok(port)) => Some((Sp::new(addr, first.span), port)),
        _ => None,
    }
}
