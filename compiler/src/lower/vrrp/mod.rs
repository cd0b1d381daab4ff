//! Lowering of `vrrp_instance` and `vrrp_sync_group`.
//!
//! The keyword tables follow keepalived 2.2.7's `vrrp_parser.c` (every
//! keyword it installs for these two blocks is here). Handlers read and
//! type the values; the checks that need the whole instance or the whole
//! file (VRID conflicts, families, references to trackers, ...) are in
//! [`checks`].

pub(crate) mod checks;
mod entries;

use super::value::{self, set_once};
use super::{closest, dispatch, Args, Ctx, Kw};
use crate::ast::Node;
use crate::ir::value::{Command, Micros, Sp};
use crate::ir::vrrp::{
    Auth, AuthType, GarpExtraIf, OldChecksum, State, SyncGroup, TrackKind,
    Tracking, VrrpInstance,
};
use crate::ir::Config;

pub use checks::check;

crate::codes! {
    UNKNOWN_STATE = 201, Error, "a `state` other than MASTER or BACKUP";
    AUTH_PASS_TOO_LONG = 202, Error, "an `auth_pass` longer than the 8 characters keepalived uses";
    UNKNOWN_AUTH_TYPE = 203, Error, "an `auth_type` other than PASS or AH";
    VRID_MISSING = 204, Error, "an instance without `virtual_router_id`";
    ADVERT_INT_VERSION = 205, Error, "an `advert_int` the instance's VRRP version cannot carry";
    IPV6_NEEDS_V3 = 206, Error, "an IPv6 instance with `version 2`";
    VRID_CONFLICT = 207, Error, "two instances using the same VRID on one interface";
    FAMILY_MISMATCH = 208, Error, "an address of the other family than the instance's";
    PEER_MULTICAST = 209, Error, "a unicast peer that is a multicast or unspecified address";
    PEER_IS_SELF = 210, Error, "a unicast peer equal to the instance's own source address";
    AUTH_UNSUPPORTED = 211, Error, "authentication that keepalived drops (VRRPv3, strict mode, AH with IPv6)";
    NOPREEMPT_MASTER = 212, Error, "`nopreempt` with `state MASTER`";
    NOPREEMPT_OWNER = 213, Error, "`nopreempt` with priority 255";
    PREEMPT_DELAY_IGNORED = 214, Warning, "a `preempt_delay` that never applies";
    UNDEFINED_TRACKED = 215, Error, "a tracker naming an object that is not defined";
    TRACK_OWN_INTERFACE = 216, Warning, "`track_interface` naming the instance's own interface";
    DUPLICATE_TRACKER = 217, Warning, "the same object tracked twice in one block";
    UNKNOWN_SYNC_MEMBER = 218, Error, "a sync group member that is not a vrrp_instance";
    MEMBER_IN_TWO_GROUPS = 219, Error, "an instance in two sync groups";
    SYNC_GROUP_SIZE = 220, Warning, "a sync group with fewer than 2 members";
    SYNC_WEIGHT_IGNORED = 221, Warning, "tracker weights on a sync group member, which keepalived ignores";
    NO_VIP = 223, Warning, "an instance without `virtual_ipaddress`";
    NOTIFY_ARGS_AS_USER = 224, Warning, "notify arguments that keepalived reads as the user to run as";
    SYNC_MEMBER_OUTSIDE_GROUP = 225, Error, "an instance name directly in `vrrp_sync_group` instead of in `group { }`";
    LVS_SYNCD_DEPRECATED = 226, Warning, "`lvs_sync_daemon_interface` in an instance (deprecated)";
    LINKBEAT_DEPRECATED = 227, Warning, "`linkbeat_use_polling` in an instance (deprecated)";
    DUPLICATE_NOTIFY = 228, Error, "a notify script given twice (keepalived ignores the second)";
    STRICT_STATE_PRIORITY = 229, Error, "strict mode with `state MASTER` but not priority 255, or the reverse";
    UNICAST_TTL_NO_PEERS = 230, Error, "`unicast_ttl` without unicast peers";
    MCAST_DST_INVALID = 231, Error, "an `mcast_dst_ip` that is not a usable multicast group";
    AUTH_NO_PASS = 232, Error, "`authentication` without `auth_pass`";
    UNICAST_NO_PEERS = 233, Warning, "unicast settings without any unicast peer";
    NO_INTERFACE = 234, Error, "an instance without `interface`";
    IFNAME_INVALID = 235, Error, "an interface name keepalived cannot use";
    VRF_WITH_INTERFACE = 236, Error, "`vrf` together with `interface`";
    BAD_VMAC = 237, Error, "a `use_vmac` / `use_ipvlan` argument keepalived ignores";
    DUPLICATE_GROUP_BLOCK = 238, Error, "a second `group` block in one sync group";
    STATE_BACKUP_IGNORED = 239, Error, "`state BACKUP` after `state MASTER` (keepalived keeps MASTER)";
    PRIORITY_OWNER_WEIGHT = 241, Warning, "tracker weights on a priority-255 instance, which keepalived ignores";
    VMAC_UNICAST = 242, Warning, "`use_vmac` with unicast peers but no `vmac_xmit_base`";
    DUPLICATE_SYNC_GROUP = 243, Error, "two vrrp_sync_group blocks with the same name";
    PEER_TTL_ORDER = 244, Error, "a unicast peer whose `min_ttl` is above its `max_ttl`";
    AH_INITIAL_MASTER = 245, Warning, "AH authentication with initial state MASTER below priority 255";
}

/// Top-level keywords this area handles.
pub static TOP: &[Kw<Config>] = &[
    Kw::block("vrrp_instance", vrrp_instance),
    Kw::block("vrrp_sync_group", vrrp_sync_group),
];

/// The longest interface name Linux accepts (IFNAMSIZ - 1).
const IFNAME_MAX: usize = 15;

/// Keywords of `vrrp_instance`.
static INSTANCE: &[Kw<VrrpInstance>] = &[
    Kw::line("state", state),
    Kw::line("interface", interface),
    Kw::line("vrf", vrf),
    Kw::line("virtual_router_id", |c, n, i| {
        if let Some(v) = value::one_uint(c, n, 1, 255) {
            set_once(c, &mut i.virtual_router_id, v.map(|v| v as u8), n);
        }
    }),
    Kw::line("priority", |c, n, i| {
        if let Some(v) = value::one_uint(c, n, 1, 255) {
            set_once(c, &mut i.priority, v.map(|v| v as u8), n);
        }
    }),
    Kw::line("advert_int", |c, n, i| {
        // keepalived's parse-time range; the version-specific limits are
        // checked once the version is known.
        if let Some(v) =
            value::one_seconds(c, n, Micros(10_000), Micros::from_secs(255))
        {
            set_once(c, &mut i.advert_int, v, n);
        }
    }),
    Kw::line("version", |c, n, i| {
        if let Some(v) = value::one_uint(c, n, 2, 3) {
            set_once(c, &mut i.version, v.map(|v| v as u8), n);
        }
    }),
    Kw::block("authentication", authentication),
    Kw::block("virtual_ipaddress", |c, n, i| {
        entries::addresses(c, n, &mut i.virtual_ipaddress)
    }),
    Kw::block("virtual_ipaddress_excluded", |c, n, i| {
        entries::addresses(c, n, &mut i.virtual_ipaddress_excluded)
    }),
    Kw::block("virtual_routes", entries::routes),
    Kw::block("virtual_rules", entries::rules),
    Kw::line("nopreempt", |c, n, i| {
        value::bare(c, n);
        i.preempt = Some(Sp::new(false, n.keyword().span));
    }),
    Kw::line("preempt", |c, n, i| {
        value::bare(c, n);
        i.preempt = Some(Sp::new(true, n.keyword().span));
    }),
    Kw::line("preempt_delay", |c, n, i| {
        if let Some(v) =
            value::one_seconds(c, n, Micros(0), Micros::from_secs(1000))
        {
            set_once(c, &mut i.preempt_delay, v, n);
        }
    }),
    Kw::block("track_interface", track_interface::<VrrpInstance>),
    Kw::block("track_script", track_script::<VrrpInstance>),
    Kw::block("track_file", track_file::<VrrpInstance>),
    Kw::block("track_process", track_process::<VrrpInstance>),
    Kw::block("track_bfd", track_bfd::<VrrpInstance>),
    Kw::line("dont_track_primary", |c, n, i| {
        bare_flag(c, n, &mut i.dont_track_primary)
    }),
    Kw::line("track_src_ip", |c, n, i| {
        bare_flag(c, n, &mut i.track_src_ip)
    }),
    Kw::line("mcast_src_ip", |c, n, i| {
        if let Some(v) = value::one_ip(c, n) {
            set_once(c, &mut i.mcast_src_ip, v, n);
        }
    }),
    Kw::line("unicast_src_ip", |c, n, i| {
        if let Some(v) = value::one_ip(c, n) {
            set_once(c, &mut i.unicast_src_ip, v, n);
        }
    }),
    Kw::line("mcast_dst_ip", |c, n, i| {
        if let Some(v) = value::one_ip(c, n) {
            set_once(c, &mut i.mcast_dst_ip, v, n);
        }
    }),
    Kw::block("unicast_peer", entries::unicast_peer),
    Kw::line("unicast_ttl", |c, n, i| {
        if let Some(v) = value::one_uint(c, n, 0, 255) {
            set_once(c, &mut i.unicast_ttl, v.map(|v| v as u8), n);
        }
    }),
    Kw::line("unicast_fault_no_peer", |c, n, i| {
        bare_flag(c, n, &mut i.unicast_fault_no_peer)
    }),
    Kw::line("check_unicast_src", |c, n, i| {
        bare_flag(c, n, &mut i.check_unicast_src)
    }),
    Kw::line("old_unicast_checksum", old_unicast_checksum),
    Kw::line("native_ipv6", |c, n, i| {
        value::bare(c, n);
        i.native_ipv6 = Some(Sp::new((), n.keyword().span));
    }),
    Kw::line("use_vmac", entries::use_vmac),
    Kw::line("use_vmac_addr", |c, n, i| {
        bare_flag(c, n, &mut i.use_vmac_addr)
    }),
    Kw::line("vmac_xmit_base", |c, n, i| {
        bare_flag(c, n, &mut i.vmac_xmit_base)
    }),
    Kw::line("use_ipvlan", entries::use_ipvlan),
    Kw::line("promote_secondaries", |c, n, i| {
        bare_flag(c, n, &mut i.promote_secondaries)
    }),
    Kw::line("accept", |c, n, i| {
        value::bare(c, n);
        i.accept = Some(Sp::new(true, n.keyword().span));
    }),
    Kw::line("no_accept", |c, n, i| {
        value::bare(c, n);
        i.accept = Some(Sp::new(false, n.keyword().span));
    }),
    Kw::line("skip_check_adv_addr", |c, n, i| {
        opt_bool(c, n, &mut i.skip_check_adv_addr)
    }),
    Kw::line("strict_mode", |c, n, i| opt_bool(c, n, &mut i.strict_mode)),
    Kw::line("garp_master_delay", |c, n, i| {
        uint32(c, n, 0, 4294, &mut i.garp_master_delay)
    }),
    Kw::line("garp_master_repeat", |c, n, i| {
        uint32(c, n, 1, u32::MAX.into(), &mut i.garp_master_repeat)
    }),
    Kw::line("garp_master_refresh", |c, n, i| {
        uint32(c, n, 0, u32::MAX.into(), &mut i.garp_master_refresh)
    }),
    Kw::line("garp_master_refresh_repeat", |c, n, i| {
        uint32(c, n, 1, u32::MAX.into(), &mut i.garp_master_refresh_repeat)
    }),
    Kw::line("garp_lower_prio_delay", |c, n, i| {
        uint32(c, n, 0, 4294, &mut i.garp_lower_prio_delay)
    }),
    Kw::line("garp_lower_prio_repeat", |c, n, i| {
        uint32(c, n, 0, i32::MAX as u64, &mut i.garp_lower_prio_repeat)
    }),
    Kw::line("garp_extra_if", garp_extra_if),
    Kw::line("vmac_garp_intvl", garp_extra_if).deprecated("garp_extra_if"),
    Kw::line("down_timer_adverts", |c, n, i| {
        uint32(c, n, 1, 100, &mut i.down_timer_adverts)
    }),
    Kw::line("lower_prio_no_advert", |c, n, i| {
        opt_bool(c, n, &mut i.lower_prio_no_advert)
    }),
    Kw::line("higher_prio_send_advert", |c, n, i| {
        opt_bool(c, n, &mut i.higher_prio_send_advert)
    }),
    Kw::line("notify_master", |c, n, i| {
        notify(c, n, &mut i.notify.master)
    }),
    Kw::line("notify_backup", |c, n, i| {
        notify(c, n, &mut i.notify.backup)
    }),
    Kw::line("notify_fault", |c, n, i| notify(c, n, &mut i.notify.fault)),
    Kw::line("notify_stop", |c, n, i| notify(c, n, &mut i.notify.stop)),
    Kw::line("notify", |c, n, i| notify(c, n, &mut i.notify.notify)),
    Kw::line("notify_master_rx_lower_pri", |c, n, i| {
        notify(c, n, &mut i.notify.master_rx_lower_pri)
    }),
    Kw::line("notify_deleted", notify_deleted),
    Kw::line("notify_priority_changes", |c, n, i| {
        opt_bool(c, n, &mut i.notify_priority_changes)
    }),
    Kw::line("smtp_alert", |c, n, i| opt_bool(c, n, &mut i.smtp_alert)),
    Kw::line("debug", |c, n, i| {
        if let Some(v) = value::one_uint(c, n, 0, 4) {
            set_once(c, &mut i.debug, v.map(|v| v as u8), n);
        }
    }),
    Kw::line("kernel_rx_buf_size", |c, n, i| {
        uint32(c, n, 0, u32::MAX.into(), &mut i.kernel_rx_buf_size)
    }),
    Kw::line("linkbeat_use_polling", linkbeat_use_polling),
    Kw::line("lvs_sync_daemon_interface", lvs_sync_daemon_interface),
];

/// Keywords of `authentication { }`.
static AUTH: &[Kw<Auth>] = &[
    Kw::line("auth_type", auth_type),
    Kw::line("auth_pass", auth_pass),
];

/// Keywords of `vrrp_sync_group`.
static SYNC_GROUP: &[Kw<SyncGroup>] = &[
    Kw::block("group", group),
    Kw::block("track_interface", track_interface::<SyncGroup>),
    Kw::block("track_script", track_script::<SyncGroup>),
    Kw::block("track_file", track_file::<SyncGroup>),
    Kw::block("track_process", track_process::<SyncGroup>),
    Kw::block("track_bfd", track_bfd::<SyncGroup>),
    Kw::line("notify_master", |c, n, g| {
        notify(c, n, &mut g.notify.master)
    }),
    Kw::line("notify_backup", |c, n, g| {
        notify(c, n, &mut g.notify.backup)
    }),
    Kw::line("notify_fault", |c, n, g| notify(c, n, &mut g.notify.fault)),
    Kw::line("notify_stop", |c, n, g| notify(c, n, &mut g.notify.stop)),
    Kw::line("notify", |c, n, g| notify(c, n, &mut g.notify.notify)),
    Kw::line("smtp_alert", |c, n, g| opt_bool(c, n, &mut g.smtp_alert)),
    Kw::line("sync_group_tracking_weight", tracking_weight),
    Kw::line("global_tracking", tracking_weight)
        .deprecated("sync_group_tracking_weight"),
    Kw::line("notify_priority_changes", |c, n, g| {
        opt_bool(c, n, &mut g.notify_priority_changes)
    }),
];

/// What instances and sync groups share: trackers.
trait Tracks {
    fn tracking(&mut self) -> &mut Tracking;
}

impl Tracks for VrrpInstance {
    fn tracking(&mut self) -> &mut Tracking {
        &mut self.tracking
    }
}

impl Tracks for SyncGroup {
    fn tracking(&mut self) -> &mut Tracking {
        &mut self.tracking
    }
}

fn track_interface<T: Tracks>(ctx: &mut Ctx, node: &Node, t: &mut T) {
    entries::trackers(ctx, node, t.tracking(), TrackKind::Interface);
}

fn track_script<T: Tracks>(ctx: &mut Ctx, node: &Node, t: &mut T) {
    entries::trackers(ctx, node, t.tracking(), TrackKind::Script);
}

fn track_file<T: Tracks>(ctx: &mut Ctx, node: &Node, t: &mut T) {
    entries::trackers(ctx, node, t.tracking(), TrackKind::File);
}

fn track_process<T: Tracks>(ctx: &mut Ctx, node: &Node, t: &mut T) {
    entries::trackers(ctx, node, t.tracking(), TrackKind::Process);
}

fn track_bfd<T: Tracks>(ctx: &mut Ctx, node: &Node, t: &mut T) {
    entries::trackers(ctx, node, t.tracking(), TrackKind::Bfd);
}

// ---------------------------------------------------------------------
// Top-level blocks

/// `vrrp_instance NAME { ... }`. A block without a name or with a name
/// already used is still read (so its mistakes are reported) but dropped,
/// as keepalived skips it.
fn vrrp_instance(ctx: &mut Ctx, node: &Node, config: &mut Config) {
    let name = value::block_name(ctx, node);
    let placeholder = Sp::new(String::new(), node.keyword().span);
    let mut inst = VrrpInstance::new(name.clone().unwrap_or(placeholder));
    dispatch(
        ctx,
        node.children(),
        &[INSTANCE],
        &mut inst,
        "vrrp_instance",
    );
    let Some(name) = name else { return };
    checks::minimum(ctx, node, &inst);
    if let Some(first) = config.vrrp.instance(&name) {
        let first_span = first.name.span;
        ctx.report(
            &super::DUPLICATE_NAME,
            name.span,
            format!("vrrp_instance `{}` is already defined", name.value),
        )
        .with_related(first_span, "first defined here")
        .with_note("keepalived skips this whole block")
        .with_help("give each vrrp_instance its own name");
        return;
    }
    config.vrrp.instances.push(inst);
}

/// `vrrp_sync_group NAME { ... }`. Instance names written directly in the
/// block (not inside `group { }`) get a targeted error rather than
/// "unknown keyword".
fn vrrp_sync_group(ctx: &mut Ctx, node: &Node, config: &mut Config) {
    let name = value::block_name(ctx, node);
    let placeholder = Sp::new(String::new(), node.keyword().span);
    let mut sg = SyncGroup::new(name.clone().unwrap_or(placeholder));
    let mut known: Vec<Node> = Vec::new();
    for child in node.children() {
        if is_loose_member(child) {
            loose_member(ctx, child, &sg.name.value);
        } else {
            known.push(child.clone());
        }
    }
    dispatch(ctx, &known, &[SYNC_GROUP], &mut sg, "vrrp_sync_group");
    let Some(name) = name else { return };
    if let Some(first) = config
        .vrrp
        .sync_groups
        .iter()
        .find(|g| g.name.value == name.value)
    {
        let first_span = first.name.span;
        ctx.report(
            &DUPLICATE_SYNC_GROUP,
            name.span,
            format!("vrrp_sync_group `{}` is already defined", name.value),
        )
        .with_related(first_span, "first defined here")
        .with_note("keepalived skips this whole block");
        return;
    }
    config.vrrp.sync_groups.push(sg);
}

/// A line in a sync group that is no keyword and not a likely typo of
/// one: an instance name written outside `group { }`.
fn is_loose_member(child: &Node) -> bool {
    let kw = child.kw();
    let names = || SYNC_GROUP.iter().map(|k| k.name);
    child.block.is_none()
        && !names().any(|n| n == kw)
        && closest(kw, names()).is_none()
}

fn loose_member(ctx: &mut Ctx, child: &Node, group: &str) {
    let words: Vec<&str> =
        child.line.tokens.iter().map(|t| t.text.as_str()).collect();
    let span = match (child.line.tokens.first(), child.line.tokens.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => child.span(),
    };
    ctx.report(
        &SYNC_MEMBER_OUTSIDE_GROUP,
        span,
        format!(
            "`{}` is not a vrrp_sync_group keyword; instances belong in `group {{ }}`",
            words.join(" ")
        ),
    )
    .with_note(format!(
        "keepalived reports an unknown keyword and sync group `{group}` stays without members"
    ))
    .with_help(format!("write `group {{ {} }}`", words.join(" ")));
}

// ---------------------------------------------------------------------
// Instance handlers

fn state(ctx: &mut Ctx, node: &Node, inst: &mut VrrpInstance) {
    let mut a = Args::new(node);
    let Some(t) = a.required(ctx, "state") else {
        return;
    };
    a.finish(ctx);
    let v = match t.text.as_str() {
        "MASTER" => State::Master,
        "BACKUP" => State::Backup,
        other => {
            let help = if other.eq_ignore_ascii_case("master") {
                "write `MASTER` in capitals: keepalived compares the state case-sensitively".to_owned()
            } else if other.eq_ignore_ascii_case("backup") {
                "write `BACKUP` in capitals: keepalived compares the state case-sensitively".to_owned()
            } else if other.eq_ignore_ascii_case("slave")
                || other.eq_ignore_ascii_case("standby")
            {
                "write `BACKUP`: VRRP calls the standby router BACKUP"
                    .to_owned()
            } else {
                "write `MASTER` or `BACKUP`".to_owned()
            };
            ctx.report(
                &UNKNOWN_STATE,
                t.span,
                format!("unknown state `{other}`"),
            )
            .with_label("expected MASTER or BACKUP")
            .with_note("keepalived starts this instance as BACKUP")
            .with_help(help);
            return;
        }
    };
    // keepalived keeps MASTER when BACKUP follows it.
    if let (Some(prev), State::Backup) = (&inst.state, v) {
        if prev.value == State::Master {
            ctx.report(
                &STATE_BACKUP_IGNORED,
                t.span,
                "`state BACKUP` after `state MASTER` is ignored",
            )
            .with_related(prev.span, "MASTER set here")
            .with_help("keep only one `state` line");
            return;
        }
    }
    set_once(ctx, &mut inst.state, Sp::new(v, t.span), node);
}

/// Reads an interface name and checks it fits IFNAMSIZ.
fn ifname(ctx: &mut Ctx, node: &Node) -> Option<Sp<String>> {
    let v = value::one_word(ctx, node, "interface name")?;
    if v.value.len() > IFNAME_MAX {
        ctx.report(
            &IFNAME_INVALID,
            v.span,
            format!(
                "interface name `{}` is longer than {IFNAME_MAX} characters",
                v.value
            ),
        )
        .with_note("keepalived ignores this line");
        return None;
    }
    Some(v)
}

fn interface(ctx: &mut Ctx, node: &Node, inst: &mut VrrpInstance) {
    if let Some(v) = ifname(ctx, node) {
        set_once(ctx, &mut inst.interface, v, node);
    }
}

fn vrf(ctx: &mut Ctx, node: &Node, inst: &mut VrrpInstance) {
    if let Some(v) = ifname(ctx, node) {
        set_once(ctx, &mut inst.vrf, v, node);
    }
}

fn authentication(ctx: &mut Ctx, node: &Node, inst: &mut VrrpInstance) {
    value::bare(ctx, node);
    let mut auth = match inst.authentication.take() {
        Some(a) => a.value,
        None => Auth::default(),
    };
    dispatch(ctx, node.children(), &[AUTH], &mut auth, "authentication");
    inst.authentication = Some(Sp::new(auth, node.keyword().span));
}

fn auth_type(ctx: &mut Ctx, node: &Node, auth: &mut Auth) {
    let mut a = Args::new(node);
    let Some(t) = a.required(ctx, "type") else {
        return;
    };
    a.finish(ctx);
    let v = match t.text.as_str() {
        "PASS" => AuthType::Pass,
        "AH" => AuthType::Ah,
        other => {
            let bare = other.trim_end_matches(';');
            let d = ctx.report(
                &UNKNOWN_AUTH_TYPE,
                t.span,
                format!("unknown auth_type `{other}`"),
            );
            d.with_label("expected PASS or AH")
                .with_note("keepalived sends adverts without authentication, which peers that use it reject");
            if bare != other && matches!(bare, "PASS" | "AH") {
                d.with_help(format!("remove the `;`: keepalived lines have no terminator, so it became part of the value; write `{bare}`"));
            } else if bare.eq_ignore_ascii_case("pass")
                || bare.eq_ignore_ascii_case("ah")
            {
                d.with_help(format!(
                    "write `{}`: keepalived compares it case-sensitively",
                    bare.to_ascii_uppercase()
                ));
            } else {
                d.with_help("write `PASS` (or `AH`)");
            }
            return;
        }
    };
    set_once(ctx, &mut auth.auth_type, Sp::new(v, t.span), node);
}

fn auth_pass(ctx: &mut Ctx, node: &Node, auth: &mut Auth) {
    let Some(v) = value::one_word(ctx, node, "password") else {
        return;
    };
    if v.value.len() > 8 {
        let kept: String = v.value.bytes().take(8).map(char::from).collect();
        ctx.report(
            &AUTH_PASS_TOO_LONG,
            v.span,
            format!("auth_pass is {} characters long; keepalived uses only 8", v.value.len()),
        )
        .with_label(format!("keepalived truncates this to `{kept}`"))
        .with_note("a peer configured with the full password does not agree with one that truncates it differently")
        .with_help(format!("write at most 8 characters, e.g. `auth_pass {kept}`, on every peer"));
    }
    set_once(ctx, &mut auth.auth_pass, v, node);
}

fn bare_flag(ctx: &mut Ctx, node: &Node, slot: &mut bool) {
    value::bare(ctx, node);
    *slot = true;
}

/// `KEYWORD [BOOL]`: bare means true.
fn opt_bool(ctx: &mut Ctx, node: &Node, slot: &mut Option<Sp<bool>>) {
    if let Some(v) = value::flag(ctx, node) {
        let span = node.args().first().map_or(node.keyword().span, |t| t.span);
        set_once(ctx, slot, Sp::new(v, span), node);
    }
}

fn uint32(
    ctx: &mut Ctx,
    node: &Node,
    min: u64,
    max: u64,
    slot: &mut Option<Sp<u32>>,
) {
    if let Some(v) = value::one_uint(ctx, node, min, max) {
        let v = v.map(|v| u32::try_from(v).unwrap_or(u32::MAX));
        set_once(ctx, slot, v, node);
    }
}

fn old_unicast_checksum(ctx: &mut Ctx, node: &Node, inst: &mut VrrpInstance) {
    let mut a = Args::new(node);
    let v = match a.next() {
        None => Some(OldChecksum::Use),
        Some(t) => value::choice(
            ctx,
            t,
            &[("never", OldChecksum::Never)],
            "old_unicast_checksum mode",
            false,
        ),
    };
    a.finish(ctx);
    if let Some(v) = v {
        let span = node.args().first().map_or(node.keyword().span, |t| t.span);
        set_once(ctx, &mut inst.old_unicast_checksum, Sp::new(v, span), node);
    }
}

/// `garp_extra_if [all] SECS` (also its old name `vmac_garp_intvl`).
fn garp_extra_if(ctx: &mut Ctx, node: &Node, inst: &mut VrrpInstance) {
    let mut all = false;
    let mut interval = None;
    for t in node.args() {
        if t.text == "all" {
            all = true;
        } else if let Some(v) =
            value::uint(ctx, t, 0, 86400, "garp_extra_if interval")
        {
            interval = Some(Sp::new(v as u32, t.span));
        }
    }
    let Some(interval) = interval else {
        if node.args().iter().all(|t| t.text == "all") {
            ctx.report(
                &super::MISSING_PARAMETER,
                node.keyword().span,
                format!("`{}` is missing its interval", node.kw()),
            )
            .with_note("keepalived ignores this line")
            .with_help(format!("write `{} [all] SECONDS`", node.kw()));
        }
        return;
    };
    let span = interval.span;
    set_once(
        ctx,
        &mut inst.garp_extra_if,
        Sp::new(GarpExtraIf { all, interval }, span),
        node,
    );
}

/// `notify_* SCRIPT [USER [GROUP]]`. keepalived keeps the first of two.
fn notify(ctx: &mut Ctx, node: &Node, slot: &mut Option<Sp<Command>>) {
    if let Some(prev) = slot {
        let prev_span = prev.span;
        ctx.report(
            &DUPLICATE_NOTIFY,
            node.keyword().span,
            format!("`{}` is given twice; keepalived ignores this one", node.kw()),
        )
        .with_related(prev_span, "the script keepalived runs")
        .with_help("keep one line; to run several scripts, call them from one wrapper script");
        return;
    }
    let Some(cmd) = value::command(ctx, node, 1, true) else {
        return;
    };
    check_run_as(ctx, node, &cmd);
    *slot = Some(cmd);
}

/// `notify_deleted [SCRIPT [USER [GROUP]]]`.
fn notify_deleted(ctx: &mut Ctx, node: &Node, inst: &mut VrrpInstance) {
    if let Some(prev) = &inst.notify.deleted {
        let prev_span = prev.span;
        ctx.report(
            &DUPLICATE_NOTIFY,
            node.keyword().span,
            "`notify_deleted` is given twice; keepalived ignores this one",
        )
        .with_related(prev_span, "first given here");
        return;
    }
    if node.args().is_empty() {
        inst.notify.deleted = Some(Sp::new(None, node.keyword().span));
        return;
    }
    let Some(cmd) = value::command(ctx, node, 1, true) else {
        return;
    };
    check_run_as(ctx, node, &cmd);
    inst.notify.deleted = Some(cmd.map(Some));
}

/// Warns when the words after an unquoted script look like arguments
/// that keepalived will take as `user [group]` instead
/// (`notify_master /x.sh MASTER`).
fn check_run_as(ctx: &mut Ctx, node: &Node, cmd: &Sp<Command>) {
    let Some(run_as) = &cmd.run_as else { return };
    const STATES: [&str; 6] =
        ["master", "backup", "fault", "stop", "deleted", "all"];
    let looks_like_arg = |w: &str| {
        STATES.iter().any(|s| s.eq_ignore_ascii_case(w))
            || w.chars().any(|c| c.is_ascii_uppercase())
            || w.starts_with('-')
            || w.contains(['/', '=', '$', '.'])
    };
    let suspicious = looks_like_arg(&run_as.user)
        || run_as.group.as_deref().is_some_and(looks_like_arg);
    if !suspicious {
        return;
    }
    let mut words: Vec<String> = cmd.script.argv.clone();
    words.push(run_as.user.clone());
    words.extend(run_as.group.clone());
    let span = node.args().get(1).map_or(cmd.span, |t| t.span.to(cmd.span));
    ctx.report(
        &NOTIFY_ARGS_AS_USER,
        span,
        format!(
            "keepalived runs `{}` as user `{}`, not with these arguments",
            cmd.script.program(),
            run_as.user
        ),
    )
    .with_note("after an unquoted script, keepalived reads the next words as `user [group]`")
    .with_help(format!(
        "to pass arguments, quote the whole command: `{} \"{}\"`",
        node.kw(),
        words.join(" ")
    ));
}

fn linkbeat_use_polling(ctx: &mut Ctx, node: &Node, inst: &mut VrrpInstance) {
    value::bare(ctx, node);
    ctx.report(
        &LINKBEAT_DEPRECATED,
        node.keyword().span,
        "`linkbeat_use_polling` in a vrrp_instance is deprecated",
    )
    .with_help("list the interface in a top-level `linkbeat_interfaces { }` block instead");
    inst.linkbeat_use_polling = true;
}

fn lvs_sync_daemon_interface(
    ctx: &mut Ctx,
    node: &Node,
    inst: &mut VrrpInstance,
) {
    let Some(v) = value::one_word(ctx, node, "interface name") else {
        return;
    };
    ctx.report(
        &LVS_SYNCD_DEPRECATED,
        node.keyword().span,
        "`lvs_sync_daemon_interface` in a vrrp_instance is deprecated",
    )
    .with_help(format!(
        "write `lvs_sync_daemon {} {}` in global_defs instead",
        v.value, inst.name.value
    ));
    set_once(ctx, &mut inst.lvs_sync_daemon_interface, v, node);
}

// ---------------------------------------------------------------------
// Sync group handlers

fn tracking_weight(ctx: &mut Ctx, node: &Node, sg: &mut SyncGroup) {
    bare_flag(ctx, node, &mut sg.sync_group_tracking_weight);
}

fn group(ctx: &mut Ctx, node: &Node, sg: &mut SyncGroup) {
    let lines = value::entries(ctx, node);
    let members: Vec<Sp<String>> = lines
        .iter()
        .flat_map(|n| n.line.tokens.iter())
        .map(|t| Sp::new(t.text.clone(), t.span))
        .collect();
    if let Some(prev) = &sg.group {
        let prev_span = prev.span;
        ctx.report(
            &DUPLICATE_GROUP_BLOCK,
            node.keyword().span,
            format!(
                "sync group `{}` has a second `group` block",
                sg.name.value
            ),
        )
        .with_related(prev_span, "first `group` block")
        .with_note("keepalived ignores the second block and its members")
        .with_help("list every member in one `group { }` block");
        return;
    }
    sg.group = Some(Sp::new(members, node.keyword().span));
}

#[cfg(test)]
mod tests;
