//! Value blocks and multi-word lines of `vrrp_instance`: trackers,
//! addresses, routes, rules, unicast peers, `use_vmac`, `use_ipvlan`.

use super::{BAD_VMAC, DUPLICATE_TRACKER, IFNAME_MAX, PEER_TTL_ORDER};
use crate::ast::Node;
use crate::ir::value::Sp;
use crate::ir::vrrp::{
    Ipvlan, IpvlanMode, TrackKind, TrackWeight, Tracker, Tracking, UnicastPeer,
    Vmac, VrrpInstance,
};
use crate::lower::value::{self, set_once};
use crate::lower::{addr, Args, Ctx, EXTRA_PARAMETERS, MISSING_PARAMETER};

/// A tracker block: one `NAME [weight N [reverse|noreverse]]` per line.
pub(super) fn trackers(
    ctx: &mut Ctx,
    node: &Node,
    tracking: &mut Tracking,
    kind: TrackKind,
) {
    for line in value::entries(ctx, node) {
        let Some(t) = tracker(ctx, line, kind) else {
            continue;
        };
        let list = tracking.of_mut(kind);
        if let Some(prev) = list.iter().find(|p| p.name.value == t.name.value) {
            ctx.report(
                &DUPLICATE_TRACKER,
                t.name.span,
                format!(
                    "`{}` is already tracked in this `{}` block",
                    t.name.value,
                    kind.keyword()
                ),
            )
            .with_related(prev.name.span, "first tracked here")
            .with_note("keepalived ignores the second line");
            continue;
        }
        list.push(t);
    }
}

fn tracker(ctx: &mut Ctx, line: &Node, kind: TrackKind) -> Option<Tracker> {
    let mut a = Args::entry(line);
    let name = a.next()?;
    let name = Sp::new(name.text.clone(), name.span);
    let mut weight = None;
    if let Some(w) = a.eat("weight") {
        match a.next() {
            None => {
                ctx.report(
                    &MISSING_PARAMETER,
                    w.span,
                    format!(
                        "`weight` after `{}` is missing its value",
                        name.value
                    ),
                )
                .with_help("write `weight N` with N in -253..=253");
            }
            Some(v) => {
                if let Some(n) = value::int(ctx, v, -253, 253, "tracker weight")
                {
                    let reverse = reverse_word(&mut a, kind);
                    weight = Some(TrackWeight {
                        weight: Sp::new(n as i32, v.span),
                        reverse,
                    });
                }
            }
        }
    }
    a.finish(ctx);
    Some(Tracker { name, weight })
}

/// `reverse` (all trackers) or `noreverse` (all but interfaces).
fn reverse_word(a: &mut Args, kind: TrackKind) -> Option<bool> {
    if a.eat("reverse").is_some() {
        return Some(true);
    }
    if kind != TrackKind::Interface && a.eat("noreverse").is_some() {
        return Some(false);
    }
    None
}

/// A `virtual_ipaddress` / `virtual_ipaddress_excluded` block.
pub(super) fn addresses(
    ctx: &mut Ctx,
    node: &Node,
    list: &mut Vec<crate::ir::addr::AddressEntry>,
) {
    for line in value::entries(ctx, node) {
        if let Some(e) = addr::address_entry(ctx, line) {
            list.push(e);
        }
    }
}

pub(super) fn routes(ctx: &mut Ctx, node: &Node, inst: &mut VrrpInstance) {
    for line in value::entries(ctx, node) {
        if let Some(e) = addr::route_entry(ctx, line) {
            inst.virtual_routes.push(e);
        }
    }
}

pub(super) fn rules(ctx: &mut Ctx, node: &Node, inst: &mut VrrpInstance) {
    for line in value::entries(ctx, node) {
        if let Some(e) = addr::rule_entry(ctx, line) {
            inst.virtual_rules.push(e);
        }
    }
}

/// `unicast_peer { IP [min_ttl N] [max_ttl N] ... }`; blocks add up.
pub(super) fn unicast_peer(
    ctx: &mut Ctx,
    node: &Node,
    inst: &mut VrrpInstance,
) {
    let mut peers = match inst.unicast_peer.take() {
        Some(p) => p.value,
        None => Vec::new(),
    };
    for line in value::entries(ctx, node) {
        if let Some(p) = peer(ctx, line) {
            peers.push(p);
        }
    }
    inst.unicast_peer = Some(Sp::new(peers, node.keyword().span));
}

fn peer(ctx: &mut Ctx, line: &Node) -> Option<UnicastPeer> {
    let mut a = Args::entry(line);
    let t = a.next()?;
    let addr = value::ip(ctx, t, "unicast_peer");
    let mut peer = UnicastPeer {
        address: Sp::new(addr?, t.span),
        min_ttl: None,
        max_ttl: None,
    };
    while let Some(w) = a.next() {
        let slot = match w.text.as_str() {
            "min_ttl" => &mut peer.min_ttl,
            "max_ttl" => &mut peer.max_ttl,
            other => {
                ctx.report(
                    &EXTRA_PARAMETERS,
                    w.span,
                    format!("unknown unicast_peer option `{other}`"),
                )
                .with_label("keepalived ignores this")
                .with_help("the options are `min_ttl N` and `max_ttl N`");
                continue;
            }
        };
        let Some(v) = a.next() else {
            ctx.report(
                &MISSING_PARAMETER,
                w.span,
                format!("`{}` is missing its value", w.text),
            );
            break;
        };
        if let Some(n) = value::uint(ctx, v, 0, 255, &w.text) {
            *slot = Some(Sp::new(n as u8, v.span));
        }
    }
    if let (Some(lo), Some(hi)) = (&peer.min_ttl, &peer.max_ttl) {
        if lo.value > hi.value {
            ctx.report(
                &PEER_TTL_ORDER,
                lo.span,
                format!("min_ttl {} is above max_ttl {}", lo.value, hi.value),
            )
            .with_related(hi.span, "max_ttl")
            .with_note("keepalived discards every advert from this peer");
        }
    }
    Some(peer)
}

/// Linux's rules for an interface name (net/core/dev.c dev_valid_name).
fn valid_ifname(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= IFNAME_MAX
        && name != "."
        && name != ".."
        && !name.contains(['/', ':'])
        && !name.chars().any(char::is_whitespace)
}

/// `aa:bb:cc:dd:ee:ff`, or 5 octets (keepalived appends the VRID).
fn valid_mac(mac: &str) -> Result<(), &'static str> {
    let octets: Vec<&str> = mac.trim_end_matches(':').split(':').collect();
    if !(5..=6).contains(&octets.len())
        || octets.iter().any(|o| {
            o.is_empty()
                || o.len() > 2
                || !o.bytes().all(|b| b.is_ascii_hexdigit())
        })
    {
        return Err("is not a MAC address");
    }
    let first = octets
        .first()
        .and_then(|o| u8::from_str_radix(o, 16).ok())
        .unwrap_or(0);
    if first & 1 == 1 {
        return Err("is a multicast MAC address");
    }
    let lower: Vec<String> = octets
        .iter()
        .map(|o| format!("{:0>2}", o.to_ascii_lowercase()))
        .collect();
    if lower.len() >= 5
        && lower[..4] == ["00", "00", "5e", "00"]
        && matches!(lower[4].as_str(), "01" | "02")
    {
        return Err("is in the range VRRP reserves for its own virtual MACs");
    }
    Ok(())
}

fn bad_vmac(ctx: &mut Ctx, tok: &crate::lex::Token, kw: &str, why: &str) {
    ctx.report(
        &BAD_VMAC,
        tok.span,
        format!("{kw} argument `{}` {why}", tok.text),
    )
    .with_note("keepalived ignores it");
}

/// `use_vmac [NAME] [MAC]` (either order; a word with `:` is the MAC).
pub(super) fn use_vmac(ctx: &mut Ctx, node: &Node, inst: &mut VrrpInstance) {
    let mut vmac = Vmac::default();
    for (i, t) in node.args().iter().enumerate() {
        if i >= 2 {
            bad_vmac(ctx, t, "use_vmac", "is beyond the name and MAC address");
            continue;
        }
        if t.text.contains(':') {
            match valid_mac(&t.text) {
                _ if vmac.mac.is_some() => {
                    bad_vmac(ctx, t, "use_vmac", "is a second MAC address")
                }
                Err(why) => bad_vmac(ctx, t, "use_vmac", why),
                Ok(()) => vmac.mac = Some(Sp::new(t.text.clone(), t.span)),
            }
        } else if vmac.ifname.is_some() {
            bad_vmac(ctx, t, "use_vmac", "is a second interface name");
        } else if !valid_ifname(&t.text) {
            bad_vmac(ctx, t, "use_vmac", "is not a valid interface name");
        } else {
            vmac.ifname = Some(Sp::new(t.text.clone(), t.span));
        }
    }
    set_once(
        ctx,
        &mut inst.use_vmac,
        Sp::new(vmac, node.keyword().span),
        node,
    );
}

/// `use_ipvlan [NAME] [IP[/LEN]] [bridge|private|vepa]`.
pub(super) fn use_ipvlan(ctx: &mut Ctx, node: &Node, inst: &mut VrrpInstance) {
    let mut ipv = Ipvlan::default();
    for t in node.args() {
        let mode = match t.text.as_str() {
            "bridge" => Some(IpvlanMode::Bridge),
            "private" => Some(IpvlanMode::Private),
            "vepa" => Some(IpvlanMode::Vepa),
            _ => None,
        };
        if let Some(m) = mode {
            if ipv.mode.is_some() {
                bad_vmac(ctx, t, "use_ipvlan", "is a second ipvlan mode");
            } else {
                ipv.mode = Some(Sp::new(m, t.span));
            }
        } else if let Ok(p) = value::parse_prefix(&t.text) {
            if ipv.address.is_some() {
                bad_vmac(ctx, t, "use_ipvlan", "is a second address");
            } else {
                ipv.address = Some(Sp::new(p, t.span));
            }
        } else if ipv.ifname.is_some() {
            bad_vmac(ctx, t, "use_ipvlan", "is a second interface name");
        } else if !valid_ifname(&t.text) {
            bad_vmac(ctx, t, "use_ipvlan", "is not a valid interface name");
        } else {
            ipv.ifname = Some(Sp::new(t.text.clone(), t.span));
        }
    }
    set_once(
        ctx,
        &mut inst.use_ipvlan,
        Sp::new(ipv, node.keyword().span),
        node,
    );
}
