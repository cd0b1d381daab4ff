//! Whole-config checks of virtual servers (check_data.c
//! validate_check_config, and the end handlers of check_parser.c), plus
//! references to `virtual_server_group`, `track_file` and `bfd_instance`.

use super::{
    DEFAULT_METHOD, DEFAULT_SCHEDULER, DUPLICATE_RS, DUPLICATE_VS,
    FAMILY_MISMATCH, FWMARK_PROTOCOL, HYSTERESIS, INEFFECTIVE, NO_PROTOCOL,
    NO_REAL_SERVERS, PORT_MISMATCH, QUORUM_TOO_HIGH, SCHED_FLAG, UNDEFINED_BFD,
    UNDEFINED_GROUP, UNDEFINED_TRACK_FILE, ZERO_PORT,
};
use crate::ir::lvs::{
    CheckDetail, GroupEntry, Method, Protocol, Scheduler, ServiceFlag,
    VirtualServer, VirtualServerGroup, VsKey,
};
use crate::ir::value::{Family, Sp};
use crate::ir::Config;
use crate::lower::{closest, Ctx};

pub(super) fn run(ctx: &mut Ctx, config: &Config) {
    let lvs = &config.lvs;
    // The first virtual server of each service, to find duplicates
    // without comparing every pair.
    let mut first: std::collections::HashMap<
        (&VsKey, Option<Protocol>),
        usize,
    > = std::collections::HashMap::new();
    for (i, vs) in lvs.servers.iter().enumerate() {
        let group = group_of(ctx, vs, &lvs.groups);
        if vs.real_servers.is_empty() {
            no_real_servers(ctx, vs);
        }
        let key = (&vs.key.value, vs.protocol.as_ref().map(|p| p.value));
        match first.get(&key) {
            Some(&j) => duplicate_vs(ctx, vs, &lvs.servers[j]),
            None => {
                first.insert(key, i);
            }
        }
        service(ctx, vs, group);
        defaults(ctx, vs);
        families(ctx, vs);
        duplicate_rs(ctx, vs);
        quorum(ctx, vs);
        ports(ctx, vs, group);
        references(ctx, vs, config);
    }
}

/// The group of a `virtual_server group NAME`, reporting an unknown name.
fn group_of<'c>(
    ctx: &mut Ctx,
    vs: &VirtualServer,
    groups: &'c [VirtualServerGroup],
) -> Option<&'c VirtualServerGroup> {
    let VsKey::Group(name) = &vs.key.value else {
        return None;
    };
    let found = groups.iter().find(|g| g.name.value == *name);
    if found.is_none() {
        let d = ctx.report(
            &UNDEFINED_GROUP,
            vs.key.span,
            format!("virtual_server_group `{name}` is not defined"),
        );
        d.with_note("keepalived 2.2.7 accepts this, but the virtual server never gets an address");
        match closest(name, groups.iter().map(|g| g.name.value.as_str())) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help(format!(
                "define `virtual_server_group {name} {{ ... }}`"
            )),
        };
    }
    found
}

fn no_real_servers(ctx: &mut Ctx, vs: &VirtualServer) {
    let d = ctx.report(
        &NO_REAL_SERVERS,
        vs.key.span,
        format!("virtual_server `{}` has no real_server", vs.key.value),
    );
    d.with_note("keepalived ignores the whole virtual server");
    if vs.sorry_server.is_some() {
        d.with_note("a sorry_server alone is not enough: keepalived 2.2.7 still drops it");
    }
    d.with_help("add `real_server IP PORT { ... }` blocks");
}

fn duplicate_vs(ctx: &mut Ctx, vs: &VirtualServer, first: &VirtualServer) {
    ctx.report(
        &DUPLICATE_VS,
        vs.key.span,
        format!("virtual_server `{}` is defined twice", vs.key.value),
    )
    .with_related(first.key.span, "first defined here")
    .with_note("keepalived sets up the same IPVS service twice; the later settings win")
    .with_help("merge the two blocks");
}

/// Is the service an address (rather than only firewall marks)?
fn by_address(vs: &VirtualServer, group: Option<&VirtualServerGroup>) -> bool {
    match (&vs.key.value, group) {
        (VsKey::Addr { .. }, _) => true,
        (VsKey::Fwmark(_), _) => false,
        (VsKey::Group(_), Some(g)) => g
            .entries
            .iter()
            .any(|e| matches!(e.value, GroupEntry::Addresses { .. })),
        (VsKey::Group(_), None) => true,
    }
}

fn uses_fwmark(vs: &VirtualServer, group: Option<&VirtualServerGroup>) -> bool {
    match (&vs.key.value, group) {
        (VsKey::Fwmark(_), _) => true,
        (VsKey::Group(_), Some(g)) => g
            .entries
            .iter()
            .any(|e| matches!(e.value, GroupEntry::Fwmark { .. })),
        _ => false,
    }
}

/// Protocol, port, persistence and service flags.
fn service(
    ctx: &mut Ctx,
    vs: &VirtualServer,
    group: Option<&VirtualServerGroup>,
) {
    let address = by_address(vs, group);
    if address && vs.protocol.is_none() {
        ctx.report(
            &NO_PROTOCOL,
            vs.key.span,
            format!("virtual_server `{}` has no `protocol`", vs.key.value),
        )
        .with_note("keepalived 2.2.7 then uses UDP, not TCP")
        .with_help("add `protocol TCP` (or UDP, SCTP)");
    }
    if let (false, Some(p)) = (address, &vs.protocol) {
        ctx.report(
            &FWMARK_PROTOCOL,
            p.span,
            "`protocol` has no effect on a fwmark virtual_server",
        )
        .with_note("the firewall mark selects the packets; keepalived ignores the protocol")
        .with_help("remove the `protocol` line");
    }
    if uses_fwmark(vs, group) && vs.ha_suspend {
        ctx.report(
            &INEFFECTIVE,
            vs.key.span,
            "`ha_suspend` cannot be used with fwmarks",
        )
        .with_note("keepalived clears ha_suspend");
    }
    zero_port(ctx, vs, group);
    flags(ctx, vs, address);
}

fn zero_port(
    ctx: &mut Ctx,
    vs: &VirtualServer,
    group: Option<&VirtualServerGroup>,
) {
    if vs.is_persistent() {
        return;
    }
    let span = match (&vs.key.value, group) {
        (VsKey::Addr { port: None, .. }, _) => Some(vs.key.span),
        (VsKey::Group(_), Some(g)) => g
            .entries
            .iter()
            .find(|e| {
                matches!(e.value, GroupEntry::Addresses { port: None, .. })
            })
            .map(|e| e.span),
        _ => None,
    };
    if let Some(span) = span {
        ctx.report(
            &ZERO_PORT,
            span,
            "a virtual service without a port must be persistent",
        )
        .with_note("keepalived makes it persistent (persistence_timeout 360)")
        .with_help(
            "add the port, or `persistence_timeout N` if all ports are meant",
        );
    }
}

fn flags(ctx: &mut Ctx, vs: &VirtualServer, address: bool) {
    let sched = vs.sched.as_ref().map(|s| s.value);
    for f in &vs.flags {
        let needs = match f.value {
            ServiceFlag::ShPort | ServiceFlag::ShFallback => {
                Some(Scheduler::Sh)
            }
            ServiceFlag::MhPort | ServiceFlag::MhFallback => {
                Some(Scheduler::Mh)
            }
            _ => None,
        };
        if let Some(need) = needs.filter(|n| Some(*n) != sched) {
            ctx.report(
                &SCHED_FLAG,
                f.span,
                format!(
                    "`{}` applies only to the `{need}` scheduler",
                    f.value.keyword()
                ),
            )
            .with_note("keepalived ignores it")
            .with_help(format!(
                "set `lvs_sched {need}` before it, or remove it"
            ));
        }
        if f.value == ServiceFlag::Hashed {
            ctx.report(
                &INEFFECTIVE,
                f.span,
                "`hashed` has no effect in keepalived 2.2.7",
            )
            .with_help(
                "remove it; use `sh-port`/`mh-port` with the sh/mh scheduler",
            );
        }
        let udp = vs
            .protocol
            .as_ref()
            .is_some_and(|p| p.value == Protocol::Udp);
        if f.value == ServiceFlag::Ops && address && !udp {
            ctx.report(
                &INEFFECTIVE,
                f.span,
                "`ops` (one-packet scheduling) needs `protocol UDP`",
            )
            .with_note("keepalived clears it");
        }
    }
}

/// keepalived's defaults for the scheduler and the forwarding method,
/// which it reports.
fn defaults(ctx: &mut Ctx, vs: &VirtualServer) {
    if vs.sched.is_none() {
        ctx.report(
            &DEFAULT_SCHEDULER,
            vs.key.span,
            format!("virtual_server `{}` has no `lvs_sched`", vs.key.value),
        )
        .with_note("keepalived uses `wlc`")
        .with_help("add `lvs_sched wlc` (or rr, wrr, ...)");
    }
    let rs_without = vs.real_servers.iter().any(|r| r.method.is_none());
    let sorry_without =
        vs.sorry_server.as_ref().is_some_and(|s| s.method.is_none());
    if vs.method.is_none() && (rs_without || sorry_without) {
        ctx.report(
            &DEFAULT_METHOD,
            vs.key.span,
            format!("virtual_server `{}` has no `lvs_method`", vs.key.value),
        )
        .with_note("keepalived uses `NAT`")
        .with_help("add `lvs_method NAT` (or DR, TUN)");
    }
}

/// The method a real or sorry server uses.
fn method_of(vs: &VirtualServer, own: Option<Method>) -> Method {
    own.or(vs.method.as_ref().map(|m| m.method))
        .unwrap_or(Method::Nat)
}

/// Servers must share the virtual server's family unless tunnelled;
/// `ip_family` must agree with the header.
fn families(ctx: &mut Ctx, vs: &VirtualServer) {
    let mut af = vs.header_family();
    if let Some(f) = &vs.ip_family {
        match af {
            Some(h) if h != f.value => {
                ctx.report(
                    &FAMILY_MISMATCH,
                    f.span,
                    format!("`ip_family` {} conflicts with the {} virtual server address", fam_word(f.value), h.name()),
                )
                .with_note("keepalived ignores `ip_family`")
                .with_help("remove the `ip_family` line");
            }
            _ => af = Some(f.value),
        }
    }
    for rs in &vs.real_servers {
        if method_of(vs, rs.method.as_ref().map(|m| m.method)) == Method::Tun {
            continue;
        }
        let fam = Family::of(&rs.addr.value);
        match af {
            None => af = Some(fam),
            Some(f) if f != fam => {
                ctx.report(
                    &FAMILY_MISMATCH,
                    rs.addr.span,
                    format!("real_server `{}` is {} but the virtual server is {}", rs.addr.value, fam.name(), f.name()),
                )
                .with_note("keepalived skips this real server")
                .with_help("use the same family, or `lvs_method TUN`, which may mix families");
            }
            _ => {}
        }
    }
    sorry_family(ctx, vs, af);
}

fn sorry_family(ctx: &mut Ctx, vs: &VirtualServer, af: Option<Family>) {
    let Some(s) = &vs.sorry_server else { return };
    if method_of(vs, s.method.as_ref().map(|m| m.method)) == Method::Tun {
        return;
    }
    let fam = Family::of(&s.addr.value);
    if let Some(f) = af.filter(|f| *f != fam) {
        ctx.report(
            &FAMILY_MISMATCH,
            s.addr.span,
            format!("sorry_server `{}` is {} but the virtual server is {}", s.addr.value, fam.name(), f.name()),
        )
        .with_note("keepalived skips the sorry server")
        .with_help("use a sorry server of the same family, or `sorry_server_lvs_method TUN`");
    }
}

fn fam_word(f: Family) -> &'static str {
    crate::ir::lvs::family_keyword(f)
}

fn duplicate_rs(ctx: &mut Ctx, vs: &VirtualServer) {
    for (i, rs) in vs.real_servers.iter().enumerate() {
        let first = vs.real_servers[..i]
            .iter()
            .find(|o| o.addr == rs.addr && o.port == rs.port);
        if let Some(first) = first {
            ctx.report(
                &DUPLICATE_RS,
                rs.addr.span,
                format!("real_server `{}` appears twice in this virtual_server", rs.header()),
            )
            .with_related(first.addr.span, "first given here")
            .with_note("keepalived removes the second one")
            .with_help("merge the two blocks (several checkers may share one real_server)");
        }
    }
}

/// quorum must be reachable, and hysteresis below it.
fn quorum(ctx: &mut Ctx, vs: &VirtualServer) {
    if vs.real_servers.is_empty() {
        return;
    }
    let default_weight = vs.weight.as_ref().map_or(1, |w| u64::from(w.value));
    let total: u64 = vs
        .real_servers
        .iter()
        .map(|r| {
            r.weight
                .as_ref()
                .map_or(default_weight, |w| u64::from(w.value))
        })
        .sum();
    let q = vs.quorum.as_ref().map_or(1, |q| u64::from(q.value));
    let span = vs.quorum.as_ref().map_or(vs.key.span, |q| q.span);
    if q > total {
        ctx.report(
            &QUORUM_TOO_HIGH,
            span,
            format!(
                "quorum {q} is above the real servers' total weight {total}"
            ),
        )
        .with_note(format!("keepalived lowers the quorum to {total}"))
        .with_help("lower `quorum`, or raise the real servers' weights");
    }
    let q = q.min(total);
    if let Some(h) = &vs.hysteresis {
        if u64::from(h.value) >= q && q > 0 {
            ctx.report(
                &HYSTERESIS,
                h.span,
                format!("hysteresis {} is not below the quorum {q}", h.value),
            )
            .with_note(format!("keepalived sets it to {}", q - 1));
        }
    }
}

/// DR and TUN cannot change the port: keepalived resets a real server port
/// that differs from the virtual server's, and clears it for fwmarks.
fn ports(
    ctx: &mut Ctx,
    vs: &VirtualServer,
    group: Option<&VirtualServerGroup>,
) {
    let vs_port = match &vs.key.value {
        VsKey::Addr { port, .. } => *port,
        _ => None,
    };
    let fwmark = uses_fwmark(vs, group);
    for rs in &vs.real_servers {
        if method_of(vs, rs.method.as_ref().map(|m| m.method)) == Method::Nat {
            continue;
        }
        let Some(p) = &rs.port else { continue };
        let msg = if fwmark {
            format!("real_server port {} is ignored by a fwmark virtual_server with DR/TUN", p.value)
        } else if matches!(vs.key.value, VsKey::Addr { .. })
            && vs_port.is_some_and(|v| v != p.value)
        {
            format!(
                "real_server port {} differs from the virtual_server port {}",
                p.value,
                vs_port.unwrap_or(0)
            )
        } else {
            continue;
        };
        ctx.report(&PORT_MISMATCH, p.span, msg)
            .with_note("DR and TUN forward packets unchanged, so keepalived uses the virtual server's port")
            .with_help("remove the port, or use `lvs_method NAT` to change ports");
    }
}

/// FILE_CHECK `track_file` and BFD_CHECK `name` must name objects.
fn references(ctx: &mut Ctx, vs: &VirtualServer, config: &Config) {
    let files: Vec<&str> = config
        .track
        .track_files
        .iter()
        .map(|t| t.name.value.as_str())
        .collect();
    let bfds: Vec<&str> = config
        .track
        .bfd_instances
        .iter()
        .map(|b| b.name.value.as_str())
        .collect();
    for rs in &vs.real_servers {
        for c in &rs.checkers {
            match &c.detail {
                CheckDetail::File(f) => {
                    if let Some(name) = &f.track_file {
                        undefined(
                            ctx,
                            name,
                            &files,
                            &UNDEFINED_TRACK_FILE,
                            "track_file",
                        );
                    }
                }
                CheckDetail::Bfd(b) => {
                    if let Some(name) = &b.name {
                        undefined(
                            ctx,
                            name,
                            &bfds,
                            &UNDEFINED_BFD,
                            "bfd_instance",
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

fn undefined(
    ctx: &mut Ctx,
    name: &Sp<String>,
    known: &[&str],
    code: &'static crate::diag::Code,
    kind: &str,
) {
    if known.contains(&name.value.as_str()) {
        return;
    }
    let d = ctx.report(
        code,
        name.span,
        format!("{kind} `{}` is not defined", name.value),
    );
    d.with_note("keepalived drops this checker");
    match closest(&name.value, known.iter().copied()) {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => {
            d.with_help(format!("define `{kind} {} {{ ... }}`", name.value))
        }
    };
}
