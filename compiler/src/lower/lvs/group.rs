//! `virtual_server_group NAME { ... }`: a value block of address ranges
//! and firewall marks (check_data.c alloc_vsg_entry).

use std::net::IpAddr;

use super::{port, BAD_GROUP_ENTRY, EMPTY_GROUP};
use crate::ast::Node;
use crate::ir::lvs::{AddrRange, GroupEntry, VirtualServerGroup};
use crate::ir::value::{Family, IpPrefix, Sp};
use crate::ir::Config;
use crate::lex::Token;
use crate::lower::{value, Args, Ctx, DUPLICATE_NAME, NESTED_BLOCK};

pub(super) fn virtual_server_group(
    ctx: &mut Ctx,
    node: &Node,
    config: &mut Config,
) {
    let Some(name) = value::block_name(ctx, node) else {
        return;
    };
    let mut entries = Vec::new();
    // Not value::entries: the words after the keyword are the name.
    for line in node.children() {
        if let Some(b) = &line.block {
            ctx.report(
                &NESTED_BLOCK,
                b.open,
                "virtual_server_group entries cannot have a block",
            );
            continue;
        }
        if let Some(e) = entry(ctx, line) {
            entries.push(e);
        }
    }
    if let Some(prev) = config.lvs.groups.iter().find(|g| g.name == name) {
        ctx.report(
            &DUPLICATE_NAME,
            name.span,
            format!("virtual_server_group `{}` is defined twice", name.value),
        )
        .with_related(prev.name.span, "first defined here")
        .with_note("virtual servers use the first definition");
        return;
    }
    if !usable(ctx, &name, &entries) {
        return;
    }
    config.lvs.groups.push(VirtualServerGroup { name, entries });
}

/// keepalived removes a group with no entries, and one with IPv4 and
/// IPv6 addresses plus a fwmark of no family.
fn usable(
    ctx: &mut Ctx,
    name: &Sp<String>,
    entries: &[Sp<GroupEntry>],
) -> bool {
    if entries.is_empty() {
        ctx.report(
            &EMPTY_GROUP,
            name.span,
            format!("virtual_server_group `{}` has no entries", name.value),
        )
        .with_note("keepalived removes the group, so virtual servers using it do nothing")
        .with_help("list `IP PORT`, `IP-RANGE PORT` or `fwmark N` lines in the block");
        return false;
    }
    let fam = |f: Family| {
        entries.iter().any(|e| match e.value {
            GroupEntry::Addresses { range, .. } => range.family() == f,
            GroupEntry::Fwmark { family, .. } => family == Some(f),
        })
    };
    let bare_fwmark = entries
        .iter()
        .find(|e| matches!(e.value, GroupEntry::Fwmark { family: None, .. }));
    if let (true, true, Some(fw)) =
        (fam(Family::Inet), fam(Family::Inet6), bare_fwmark)
    {
        ctx.report(
            &EMPTY_GROUP,
            fw.span,
            format!(
                "virtual_server_group `{}` mixes IPv4, IPv6 and a fwmark without family",
                name.value
            ),
        )
        .with_note("keepalived removes the group")
        .with_help("give the fwmark its family: `fwmark N inet` or `fwmark N inet6`");
        return false;
    }
    true
}

fn entry(ctx: &mut Ctx, line: &Node) -> Option<Sp<GroupEntry>> {
    let mut a = Args::entry(line);
    let first = a.next()?;
    let e = if first.text == "fwmark" {
        fwmark_entry(ctx, &mut a, first)
    } else {
        address_entry(ctx, &mut a, first)
    };
    if e.is_none() {
        // Already reported; the rest of a bad entry is not news.
        a.rest();
    }
    a.finish(ctx);
    e
}

fn fwmark_entry(
    ctx: &mut Ctx,
    a: &mut Args,
    first: &Token,
) -> Option<Sp<GroupEntry>> {
    let Some(mark_tok) = a.next() else {
        ctx.report(
            &BAD_GROUP_ENTRY,
            first.span,
            "`fwmark` is missing its mark",
        )
        .with_help("write `fwmark N [inet|inet6]`");
        return None;
    };
    let mark =
        value::uint(ctx, mark_tok, 0, u64::from(u32::MAX), "group fwmark")?;
    let mut span = first.span.to(mark_tok.span);
    let family = match a.next() {
        Some(t) => {
            span = span.to(t.span);
            let fams = [("inet", Family::Inet), ("inet6", Family::Inet6)];
            Some(value::choice(ctx, t, &fams, "fwmark family", false)?)
        }
        None => None,
    };
    Some(Sp::new(
        GroupEntry::Fwmark {
            mark: mark as u32,
            family,
        },
        span,
    ))
}

fn address_entry(
    ctx: &mut Ctx,
    a: &mut Args,
    first: &Token,
) -> Option<Sp<GroupEntry>> {
    let range = match parse_range(&first.text) {
        Ok(r) => r,
        Err(msg) => {
            ctx.report(
                &BAD_GROUP_ENTRY,
                first.span,
                format!("virtual_server_group entry `{}` {msg}", first.text),
            )
            .with_note("keepalived skips this entry")
            .with_help(
                "write `IP`, `IP-LAST`, `IP-IP` or `IP/LEN`, then the port",
            );
            return None;
        }
    };
    let mut span = first.span;
    let port = match a.next() {
        Some(t) => {
            span = span.to(t.span);
            port(ctx, t, "virtual_server_group port").ok()?
        }
        None => None,
    };
    Some(Sp::new(
        GroupEntry::Addresses {
            range,
            port: port.map(|p| p.value),
        },
        span,
    ))
}

/// `IP`, `IP-LAST`, `IP-IP`, `IP/LEN`.
pub(crate) fn parse_range(t: &str) -> Result<AddrRange, String> {
    if let Some((a, len)) = t.split_once('/') {
        return parse_prefix_range(a, len);
    }
    let Some((a, end)) = t.split_once('-') else {
        return parse_addr(t).map(AddrRange::Single);
    };
    let start = parse_addr(a)?;
    let full_end = match start {
        IpAddr::V4(_) => end.contains('.'),
        IpAddr::V6(_) => end.contains(':'),
    };
    if full_end {
        let end = parse_addr(end)?;
        if Family::of(&start) != Family::of(&end) {
            return Err("mixes address families".into());
        }
        if end < start {
            return Err("ends before it starts".into());
        }
        return Ok(AddrRange::Span { start, end });
    }
    let (last, first) = match start {
        IpAddr::V4(v4) => {
            let n: u16 = end
                .parse()
                .map_err(|_| format!("has a bad range end `{end}`"))?;
            if n > 255 {
                return Err(format!("has a range end `{end}` above 255"));
            }
            (n, u16::from(v4.octets()[3]))
        }
        IpAddr::V6(v6) => {
            let n = u16::from_str_radix(end, 16).map_err(|_| {
                format!("has a bad range end `{end}` (hexadecimal)")
            })?;
            (n, v6.segments()[7])
        }
    };
    if first >= last {
        return Err("has a range end not above its start".into());
    }
    Ok(AddrRange::LastPart { start, last })
}

fn parse_addr(t: &str) -> Result<IpAddr, String> {
    t.parse::<IpAddr>()
        .map_err(|_| format!("has `{t}`, which is not an IP address"))
}

fn parse_prefix_range(a: &str, len: &str) -> Result<AddrRange, String> {
    let addr = parse_addr(a)?;
    let max = Family::of(&addr).max_prefix();
    let len: u8 = match len.parse() {
        Ok(n) if n >= 1 && n <= max => n,
        _ => return Err(format!("has a prefix length outside 1..={max}")),
    };
    let host_bits = match addr {
        IpAddr::V4(v4) => {
            u128::from(u32::from(v4))
                & u128::MAX.checked_shr(96 + u32::from(len)).unwrap_or(0)
        }
        IpAddr::V6(v6) => {
            u128::from(v6) & u128::MAX.checked_shr(u32::from(len)).unwrap_or(0)
        }
    };
    if host_bits != 0 {
        return Err("has host bits set after the prefix".into());
    }
    Ok(AddrRange::Prefix(IpPrefix { addr, len }))
}
