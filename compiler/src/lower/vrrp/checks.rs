//! Checks of `vrrp_instance` and `vrrp_sync_group` that need a whole
//! instance or the whole file: what keepalived 2.2.7 checks in
//! `vrrp_complete_instance`, `chk_min_cfg` and `check_vrid_conflicts`,
//! plus what it accepts silently but cannot work (a multicast unicast
//! peer, tracker weights it ignores).

use std::net::IpAddr;

use super::*;
use crate::ir::value::Family;
use crate::ir::vrrp::{TrackKind, Tracker};
use crate::source::Span;

/// Runs every VRRP check.
pub fn check(ctx: &mut Ctx, config: &Config) {
    for inst in &config.vrrp.instances {
        instance(ctx, config, inst);
    }
    vrid_conflicts(ctx, &config.vrrp.instances);
    for sg in &config.vrrp.sync_groups {
        sync_group(ctx, config, sg);
    }
    members_in_two_groups(ctx, config);
}

/// Strict mode for this instance: `strict_mode`, else global `vrrp_strict`.
fn strict(inst: &VrrpInstance, config: &Config) -> bool {
    match &inst.strict_mode {
        Some(s) => s.value,
        None => global_strict(config),
    }
}

/// The global `vrrp_strict`.
fn global_strict(config: &Config) -> bool {
    config.global.vrrp_strict.is_some()
}

/// The VRRP version the instance runs: IPv6 forces 3, else its
/// `version`, else the global `vrrp_version`, else 2.
fn version(config: &Config, inst: &VrrpInstance) -> u8 {
    if inst.family() == Family::Inet6 {
        return 3;
    }
    match (&inst.version, &config.global.vrrp_version) {
        (Some(v), _) => v.value,
        (None, Some(g)) if g.value == 3 => 3,
        _ => 2,
    }
}

fn instance(ctx: &mut Ctx, config: &Config, inst: &VrrpInstance) {
    version_and_advert(ctx, config, inst);
    auth(ctx, config, inst);
    preemption(ctx, config, inst);
    families(ctx, inst);
    unicast(ctx, inst);
    tracking(ctx, config, inst);
    if inst.virtual_ipaddress.is_empty() {
        ctx.report(
            &NO_VIP,
            inst.name.span,
            format!(
                "vrrp_instance `{}` has no virtual_ipaddress",
                inst.name.value
            ),
        )
        .with_note("the instance elects a master but moves no address")
        .with_help("add `virtual_ipaddress { ADDRESS/LEN }`");
    }
}

/// What `chk_min_cfg` requires: a VRID and an interface (or peers).
/// Runs at the end of the block, so that a keyword that is there but has
/// a bad value (already reported) is not reported again as missing.
pub(super) fn minimum(ctx: &mut Ctx, node: &Node, inst: &VrrpInstance) {
    if inst.virtual_router_id.is_none()
        && !node.has_child(&["virtual_router_id"])
    {
        ctx.report(
            &VRID_MISSING,
            inst.name.span,
            format!("vrrp_instance `{}` has no valid virtual_router_id", inst.name.value),
        )
        .with_note("keepalived drops this instance")
        .with_help("add `virtual_router_id N` (1..=255), the same on every router of this group");
    }
    // keepalived 2.2.7 needs an interface for unicast instances too
    // (checked with `keepalived -t`: "Unknown interface!").
    if inst.interface.is_none()
        && inst.vrf.is_none()
        && !node.has_child(&["interface"])
    {
        ctx.report(
            &NO_INTERFACE,
            inst.name.span,
            format!("vrrp_instance `{}` has no interface", inst.name.value),
        )
        .with_note(
            "keepalived drops an instance without interface, unicast or not",
        )
        .with_help("add `interface IFNAME`");
    }
    if let (Some(i), Some(v)) = (&inst.interface, &inst.vrf) {
        ctx.report(
            &VRF_WITH_INTERFACE,
            v.span,
            "`vrf` cannot be used together with `interface`",
        )
        .with_related(i.span, "interface given here")
        .with_note("keepalived ignores `vrf` when `interface` came first");
    }
}

fn version_and_advert(ctx: &mut Ctx, config: &Config, inst: &VrrpInstance) {
    if let (Some(v), Some((Family::Inet6, at))) =
        (&inst.version, inst.family_source())
    {
        if v.value == 2 {
            ctx.report(
                &IPV6_NEEDS_V3,
                v.span,
                "VRRP version 2 cannot carry IPv6",
            )
            .with_related(at, "this makes the instance IPv6")
            .with_note("keepalived runs the instance as version 3")
            .with_help("write `version 3` (and the same on every peer)");
        }
    }
    let Some(adv) = &inst.advert_int else { return };
    let us = adv.value.0;
    if version(config, inst) == 2 {
        if !adv.value.is_whole_seconds() {
            let rounded =
                Micros::from_secs(((us + 500_000) / 1_000_000).max(1));
            ctx.report(
                &ADVERT_INT_VERSION,
                adv.span,
                format!("VRRPv2 advert_int must be whole seconds, not {}", adv.value),
            )
            .with_label(format!("keepalived rounds this to {rounded}"))
            .with_help(format!(
                "write `advert_int {rounded}`, or `version 3` on every peer for sub-second adverts"
            ));
        }
    } else if us >= 40_960_000 {
        ctx.report(
            &ADVERT_INT_VERSION,
            adv.span,
            format!("VRRPv3 advert_int {} is too long", adv.value),
        )
        .with_label("must be below 40.96 seconds")
        .with_note("keepalived uses 40.95");
    } else if us % 10_000 != 0 {
        let rounded = Micros((us + 5_000) / 10_000 * 10_000);
        ctx.report(
            &ADVERT_INT_VERSION,
            adv.span,
            format!(
                "VRRPv3 advert_int {} is not a multiple of 10 ms",
                adv.value
            ),
        )
        .with_label(format!("keepalived rounds this to {rounded}"))
        .with_help(format!("write `advert_int {rounded}`"));
    }
}

fn auth(ctx: &mut Ctx, config: &Config, inst: &VrrpInstance) {
    let Some(auth) = &inst.authentication else {
        return;
    };
    let Some(kind) = &auth.auth_type else { return };
    let why = if strict(inst, config) {
        Some("strict mode does not allow authentication")
    } else if version(config, inst) == 3 {
        Some("VRRP version 3 has no authentication")
    } else if kind.value == AuthType::Ah && inst.family() == Family::Inet6 {
        Some("AH authentication cannot be used with IPv6")
    } else {
        None
    };
    if let Some(why) = why {
        ctx.report(&AUTH_UNSUPPORTED, auth.span, why)
            .with_note("keepalived ignores the authentication block")
            .with_help("remove the `authentication` block");
        return;
    }
    // keepalived 2.2.7 clears an initial MASTER state under AH (only the
    // address owner may start as master), with "Initial state master is
    // incompatible with AH authentication - clearing".
    if kind.value == AuthType::Ah && inst.effective_priority() < 255 {
        if let Some(state) =
            inst.state.as_ref().filter(|s| s.value == State::Master)
        {
            ctx.report(
                &AH_INITIAL_MASTER,
                state.span,
                "`state MASTER` does not hold with AH authentication",
            )
            .with_related(kind.span, "AH authentication here")
            .with_note("keepalived starts this instance as BACKUP instead")
            .with_help("write `state BACKUP`, or use `auth_type PASS`");
        }
    }
    if auth.auth_pass.is_none() {
        ctx.report(
            &AUTH_NO_PASS,
            auth.span,
            "`authentication` has no `auth_pass`",
        )
        .with_note("keepalived ignores the authentication block")
        .with_help("add `auth_pass PASSWORD` (at most 8 characters)");
    }
}

fn preemption(ctx: &mut Ctx, config: &Config, inst: &VrrpInstance) {
    let master = inst.state.as_ref().filter(|s| s.value == State::Master);
    let owner = inst.effective_priority() == 255;
    if let Some(p) = inst.preempt.as_ref().filter(|p| !p.value) {
        if owner {
            let d = ctx.report(
                &NOPREEMPT_OWNER,
                p.span,
                "`nopreempt` has no effect with priority 255",
            );
            if let Some(pr) = &inst.priority {
                d.with_related(
                    pr.span,
                    "priority 255: this router owns the addresses",
                );
            }
            d.with_note("keepalived clears nopreempt: the address owner always takes over")
                .with_help("lower the priority below 255 on every router, or remove `nopreempt`");
        } else if let Some(s) = master {
            ctx.report(
                &NOPREEMPT_MASTER,
                p.span,
                "`nopreempt` does not work with `state MASTER`",
            )
            .with_related(s.span, "initial state MASTER")
            .with_note("keepalived clears nopreempt, so this router takes over whenever it can")
            .with_help("write `state BACKUP` on every router that should not preempt");
        }
    }
    if let Some(d) = &inst.preempt_delay {
        let why = if master.is_some() {
            Some("an initial `state MASTER`")
        } else if inst.nopreempt() {
            Some("`nopreempt`")
        } else if strict(inst, config) {
            Some("strict mode")
        } else {
            None
        };
        if let Some(why) = why {
            ctx.report(
                &PREEMPT_DELAY_IGNORED,
                d.span,
                format!("`preempt_delay` is ignored with {why}"),
            )
            .with_help("remove `preempt_delay`, or use it with `state BACKUP` and preemption");
        }
    }
    if strict(inst, config) && master.is_some() != owner {
        let span = master.map_or(inst.name.span, |s| s.span);
        ctx.report(
            &STRICT_STATE_PRIORITY,
            span,
            "in strict mode `state MASTER` must go with priority 255",
        )
        .with_note("keepalived derives the initial state from the priority")
        .with_help("use `state MASTER` only with `priority 255`, and `state BACKUP` otherwise");
    }
}

/// Every address that must have the instance's family, with what it is.
fn addresses(inst: &VrrpInstance) -> Vec<(IpAddr, Span, &'static str)> {
    let mut out = Vec::new();
    for (a, what) in [
        (&inst.unicast_src_ip, "unicast_src_ip"),
        (&inst.mcast_src_ip, "mcast_src_ip"),
        (&inst.mcast_dst_ip, "mcast_dst_ip"),
    ] {
        if let Some(a) = a {
            out.push((a.value, a.span, what));
        }
    }
    for v in &inst.virtual_ipaddress {
        out.push((v.address.addr, v.address.span, "virtual_ipaddress"));
    }
    for p in inst.peers() {
        out.push((p.address.value, p.address.span, "unicast_peer"));
    }
    out
}

fn families(ctx: &mut Ctx, inst: &VrrpInstance) {
    let Some((fam, at)) = inst.family_source() else {
        return;
    };
    for (addr, span, what) in addresses(inst) {
        if Family::of(&addr) == fam || span == at {
            continue;
        }
        ctx.report(
            &FAMILY_MISMATCH,
            span,
            format!(
                "{what} `{addr}` is {} but vrrp_instance `{}` is {}",
                Family::of(&addr).name(),
                inst.name.value,
                fam.name()
            ),
        )
        .with_related(at, format!("this makes the instance {}", fam.name()))
        .with_note("keepalived ignores this address")
        .with_help("use one vrrp_instance per address family (IPv6 needs `version 3`); other-family addresses may go in `virtual_ipaddress_excluded`");
    }
}

/// A unicast keyword in an instance without any unicast peer: keepalived
/// 2.2.7 warns (deprecated) and falls back to multicast. One warning per
/// instance, on the first such keyword, as keepalived does.
fn unicast_without_peers(ctx: &mut Ctx, inst: &VrrpInstance) {
    let (span, kw) = if let Some(s) = &inst.unicast_src_ip {
        (s.span, "unicast_src_ip")
    } else if let Some(p) = &inst.unicast_peer {
        (p.span, "an empty unicast_peer block")
    } else if let Some(c) = &inst.old_unicast_checksum {
        (c.span, "old_unicast_checksum")
    } else if inst.check_unicast_src {
        (inst.name.span, "check_unicast_src")
    } else {
        return;
    };
    let kw = if kw.starts_with("an ") {
        kw.to_owned()
    } else {
        format!("`{kw}`")
    };
    let help = if inst.unicast_src_ip.is_some() {
        "add a `unicast_peer { }` block, or write `mcast_src_ip`"
    } else {
        "list the peers in `unicast_peer { }`, or remove the unicast settings"
    };
    ctx.report(
        &UNICAST_NO_PEERS,
        span,
        format!("{kw} without unicast peers"),
    )
    .with_note("keepalived falls back to multicast (deprecated behaviour)")
    .with_help(help);
}

fn unicast(ctx: &mut Ctx, inst: &VrrpInstance) {
    let src = inst.src_ip();
    for p in inst.peers() {
        let a = p.address.value;
        if a.is_multicast()
            || a.is_unspecified()
            || a == IpAddr::from([255, 255, 255, 255])
        {
            ctx.report(
                &PEER_MULTICAST,
                p.address.span,
                format!("unicast_peer `{a}` is not a unicast address"),
            )
            .with_note("keepalived accepts it silently, but adverts sent there never reach a peer router")
            .with_help("list the real addresses of the other routers; to use multicast, remove `unicast_peer`");
        }
        if let Some(s) = src.filter(|s| s.value == a) {
            ctx.report(
                &PEER_IS_SELF,
                p.address.span,
                format!(
                    "unicast_peer `{a}` is this instance's own source address"
                ),
            )
            .with_related(s.span, "source address")
            .with_help("list only the other routers in `unicast_peer`");
        }
    }
    if !inst.is_unicast() {
        if let Some(t) = &inst.unicast_ttl {
            ctx.report(
                &UNICAST_TTL_NO_PEERS,
                t.span,
                "`unicast_ttl` without unicast peers",
            )
            .with_note("keepalived ignores it")
            .with_help(
                "add a `unicast_peer { }` block, or remove `unicast_ttl`",
            );
        }
        if !inst.unicast_fault_no_peer {
            unicast_without_peers(ctx, inst);
        }
    }
    if let Some(d) = &inst.mcast_dst_ip {
        let ok = match d.value {
            IpAddr::V4(a) => a.is_multicast(),
            // keepalived wants a link-local group (ff02::/16).
            IpAddr::V6(a) => a.segments()[0] == 0xff02,
        };
        if !ok {
            ctx.report(
                &MCAST_DST_INVALID,
                d.span,
                format!("mcast_dst_ip `{}` is not a{} multicast group", d.value, if d.value.is_ipv6() { " link-local" } else { "" }),
            )
            .with_note("keepalived ignores it and uses the default group")
            .with_help("use a multicast group such as 224.0.0.18 (IPv4) or ff02::12 (IPv6)");
        } else if inst.is_unicast() {
            ctx.report(&MCAST_DST_INVALID, d.span, "`mcast_dst_ip` with unicast peers")
                .with_note("keepalived ignores it: adverts go to the peers")
                .with_help("remove `mcast_dst_ip`, or remove `unicast_peer` to use multicast");
        }
    }
    if inst.use_vmac.is_some() && inst.is_unicast() && !inst.vmac_xmit_base {
        let span = inst.use_vmac.as_ref().map_or(inst.name.span, |v| v.span);
        ctx.report(
            &VMAC_UNICAST,
            span,
            "unicast with `use_vmac` needs `vmac_xmit_base`",
        )
        .with_note("keepalived sets vmac_xmit_base itself")
        .with_help("add `vmac_xmit_base`");
    }
}

/// The names of the defined objects of a tracker kind.
fn defined(config: &Config, kind: TrackKind) -> Vec<&str> {
    let t = &config.track;
    match kind {
        TrackKind::Interface => Vec::new(),
        TrackKind::Script => t
            .vrrp_scripts
            .iter()
            .map(|s| s.name.value.as_str())
            .collect(),
        TrackKind::File => t
            .track_files
            .iter()
            .map(|s| s.name.value.as_str())
            .collect(),
        TrackKind::Process => t
            .track_processes
            .iter()
            .map(|s| s.name.value.as_str())
            .collect(),
        TrackKind::Bfd => t
            .bfd_instances
            .iter()
            .map(|s| s.name.value.as_str())
            .collect(),
    }
}

fn object_name(kind: TrackKind) -> &'static str {
    match kind {
        TrackKind::Interface => "interface",
        TrackKind::Script => "vrrp_script",
        TrackKind::File => "track_file",
        TrackKind::Process => "vrrp_track_process",
        TrackKind::Bfd => "bfd_instance",
    }
}

/// Reports trackers naming undefined objects (instances and groups).
fn undefined_trackers(ctx: &mut Ctx, config: &Config, tracking: &Tracking) {
    for (kind, t) in tracking.all() {
        if kind == TrackKind::Interface {
            continue;
        }
        let names = defined(config, kind);
        if names.contains(&t.name.value.as_str()) {
            continue;
        }
        let what = object_name(kind);
        let d = ctx.report(
            &UNDEFINED_TRACKED,
            t.name.span,
            format!("{} `{}` is not defined", what, t.name.value),
        );
        d.with_note("keepalived ignores this tracker");
        match closest(&t.name.value, names.iter().copied()) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None => d.with_help(format!(
                "define it with `{what} {} {{ ... }}`",
                t.name.value
            )),
        };
    }
}

/// The weight a tracker applies: its own `weight`, else the tracked
/// object's (a track_file defaults to 1), else 0 (failure = fault).
pub(crate) fn weight(config: &Config, kind: TrackKind, t: &Tracker) -> i64 {
    if let Some(w) = &t.weight {
        return w.weight.value.into();
    }
    let tr = &config.track;
    let name = t.name.value.as_str();
    let w = match kind {
        TrackKind::Interface => None,
        TrackKind::Script => tr
            .vrrp_scripts
            .iter()
            .find(|o| o.name.value == name)
            .map(|o| &o.weight),
        TrackKind::File => {
            return tr
                .track_files
                .iter()
                .find(|o| o.name.value == name)
                .map_or(0, |o| o.weight.as_ref().map_or(1, |w| w.value.value));
        }
        TrackKind::Process => tr
            .track_processes
            .iter()
            .find(|o| o.name.value == name)
            .map(|o| &o.weight),
        TrackKind::Bfd => tr
            .bfd_instances
            .iter()
            .find(|o| o.name.value == name)
            .map(|o| &o.weight),
    };
    w.and_then(|w| w.as_ref()).map_or(0, |w| w.value.value)
}

/// The first tracker with a non-zero weight.
fn weighted<'a>(
    config: &Config,
    tracking: &'a Tracking,
) -> Option<&'a Tracker> {
    tracking
        .all()
        .find(|(k, t)| weight(config, *k, t) != 0)
        .map(|(_, t)| t)
}

fn tracking(ctx: &mut Ctx, config: &Config, inst: &VrrpInstance) {
    undefined_trackers(ctx, config, &inst.tracking);
    if let Some(own) = &inst.interface {
        for t in &inst.tracking.interfaces {
            if t.name.value == own.value {
                ctx.report(
                    &TRACK_OWN_INTERFACE,
                    t.name.span,
                    format!("`{}` is this instance's own interface", own.value),
                )
                .with_related(own.span, "the instance's interface")
                .with_note("keepalived ignores this line: the own interface is always tracked")
                .with_help("remove it from `track_interface`");
            }
        }
    }
    if inst.effective_priority() == 255 {
        if let Some(t) = weighted(config, &inst.tracking) {
            ctx.report(
                &PRIORITY_OWNER_WEIGHT,
                t.weight.as_ref().map_or(t.name.span, |w| w.weight.span),
                "weighted trackers do not apply to an instance with priority 255",
            )
            .with_note("keepalived ignores this tracker: the address owner's priority never changes")
            .with_help("lower the priority below 255, or track without a weight (failure = fault)");
        }
    }
}

/// Two instances that would answer to the same VRRP router: same VRID,
/// family and interface, and either both multicast to the same group or
/// both unicast from the same source with a common peer.
fn vrid_conflicts(ctx: &mut Ctx, instances: &[VrrpInstance]) {
    // Only instances with the same VRID can conflict: compare within
    // each VRID's list, not every pair.
    let mut by_vrid: Vec<Vec<&VrrpInstance>> = vec![Vec::new(); 256];
    for b in instances {
        let Some(vrid) = &b.virtual_router_id else {
            continue;
        };
        let seen = &mut by_vrid[usize::from(vrid.value)];
        let found = seen.iter().find(|a| conflict(a, b)).copied();
        seen.push(b);
        let Some(first) = found else {
            continue;
        };
        let (Some(va), Some(vb)) =
            (&first.virtual_router_id, &b.virtual_router_id)
        else {
            continue;
        };
        let where_ = b
            .interface
            .as_ref()
            .map_or(String::new(), |i| format!(" on interface `{}`", i.value));
        ctx.report(
            &VRID_CONFLICT,
            vb.span,
            format!(
                "`{}` and `{}` both use VRID {} with {}{where_}",
                first.name.value,
                b.name.value,
                vb.value,
                b.family().name()
            ),
        )
        .with_related(va.span, format!("`{}` uses it here", first.name.value))
        .with_note("keepalived refuses to start the VRRP process")
        .with_help(
            "give each instance on one interface its own virtual_router_id",
        );
    }
}

fn conflict(a: &VrrpInstance, b: &VrrpInstance) -> bool {
    let same_vrid = matches!((&a.virtual_router_id, &b.virtual_router_id), (Some(x), Some(y)) if x.value == y.value);
    if !same_vrid || a.family() != b.family() || a.interface != b.interface {
        return false;
    }
    match (a.is_unicast(), b.is_unicast()) {
        (false, false) => a.mcast_dst_ip == b.mcast_dst_ip,
        (true, true) => {
            let src = |i: &VrrpInstance| i.src_ip().map(|s| s.value);
            src(a) == src(b)
                && a.peers()
                    .iter()
                    .any(|p| b.peers().iter().any(|q| q.address == p.address))
        }
        _ => false,
    }
}

fn sync_group(ctx: &mut Ctx, config: &Config, sg: &SyncGroup) {
    undefined_trackers(ctx, config, &sg.tracking);
    let mut found = 0;
    for m in sg.members() {
        if config.vrrp.instance(m).is_some() {
            found += 1;
            continue;
        }
        let names = config.vrrp.instances.iter().map(|i| i.name.value.as_str());
        let d = ctx.report(
            &UNKNOWN_SYNC_MEMBER,
            m.span,
            format!("vrrp_instance `{}` is not defined", m.value),
        );
        d.with_note(format!(
            "keepalived leaves it out of sync group `{}`",
            sg.name.value
        ));
        if let Some(s) = closest(m, names) {
            d.with_help(format!("did you mean `{s}`?"));
        }
    }
    if found < 2 {
        let span = sg.group.as_ref().map_or(sg.name.span, |g| g.span);
        let msg = if found == 0 {
            format!("sync group `{}` has no instances", sg.name.value)
        } else {
            format!("sync group `{}` has only one instance", sg.name.value)
        };
        ctx.report(&SYNC_GROUP_SIZE, span, msg)
            .with_note("a sync group keeps several instances in the same state; with fewer than 2 it does nothing")
            .with_help("list at least two instances in `group { }`, or remove the sync group");
    }
    if !sg.sync_group_tracking_weight {
        for m in sg.members() {
            let Some(inst) = config.vrrp.instance(m) else {
                continue;
            };
            if let Some(t) = weighted(config, &inst.tracking) {
                ctx.report(
                    &SYNC_WEIGHT_IGNORED,
                    t.weight.as_ref().map_or(t.name.span, |w| w.weight.span),
                    format!(
                        "keepalived ignores tracker weights of `{}` because it is in sync group `{}`",
                        inst.name.value, sg.name.value
                    ),
                )
                .with_related(m.span, "member of the sync group")
                .with_note("without `sync_group_tracking_weight` a failing tracker puts the whole group in fault")
                .with_help(format!(
                    "add `sync_group_tracking_weight` to sync group `{}`, or drop the weight",
                    sg.name.value
                ));
            }
        }
    }
}

fn members_in_two_groups(ctx: &mut Ctx, config: &Config) {
    let mut seen: Vec<(&str, &SyncGroup, Span)> = Vec::new();
    for sg in &config.vrrp.sync_groups {
        for m in sg.members() {
            if let Some((_, first, at)) =
                seen.iter().find(|(n, _, _)| *n == m.value)
            {
                ctx.report(
                    &MEMBER_IN_TWO_GROUPS,
                    m.span,
                    format!(
                        "`{}` is already in sync group `{}`",
                        m.value, first.name.value
                    ),
                )
                .with_related(*at, "first listed here")
                .with_note(format!(
                    "keepalived leaves it out of `{}`",
                    sg.name.value
                ))
                .with_help("an instance can be in only one sync group");
                continue;
            }
            seen.push((&m.value, sg, m.span));
        }
    }
}
