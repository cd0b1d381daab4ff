//! Lowering of `global_defs` and the other top-level settings
//! (`net_namespace`, `instance`, `SSL`, `linkbeat_interfaces`,
//! `interface_up_down_delays`, ...).
//!
//! keepalived 2.2.7's `global_defs` has about 150 keywords, most of them a
//! single number, word or flag. Those are declared with the small macros
//! below, which expand to a handler that reads the value and stores it in
//! its `Global` field; the keywords with a grammar of their own have
//! hand-written handlers. `global_defs` may appear several times: the
//! blocks merge, as in keepalived.

use std::net::IpAddr;

use super::value::{self, set_once};
use super::{dispatch, Args, Ctx, Kw};
use crate::ast::Node;
use crate::ir::global::*;
use crate::ir::value::{Micros, RunAs, Sp};
use crate::ir::Config;
use crate::lex::Token;

crate::codes! {
    MISPLACED_KEYWORD = 100, Error, "a keyword of another block, or a removed one, written in global_defs";
    ALREADY_SET = 101, Error, "a setting keepalived takes only once, given again (keepalived ignores the later one)";
    NOT_MULTICAST = 102, Error, "a multicast group setting whose address is not multicast (or of the wrong family)";
    MCAST6_NOT_LINK_LOCAL = 103, Warning, "an IPv6 VRRP multicast group that is not link-local";
    ZERO_GARP_INTERVAL = 104, Error, "`vrrp_garp_interval 0` / `vrrp_gna_interval 0`, which keepalived 2.2.7 rejects";
    ZERO_REPLACED = 105, Error, "a 0 that keepalived replaces by 1";
    EMPTY_EMAIL = 106, Error, "an empty `notification_email` block";
    BAD_SMTP_SERVER = 107, Error, "an `smtp_server` that is neither an IP address nor a host name";
    LEGACY_SYNCID = 108, Warning, "an `lvs_sync_daemon` sync id without the `id` keyword";
    NAME_TOO_LONG = 109, Error, "a name longer than the kernel or keepalived allows (keepalived truncates or drops it)";
    BAD_UMASK = 110, Error, "a `umask` that is neither a mode number nor `I{R,W,X}{USR,GRP,OTH}` bits joined by `|`";
    RX_BUFS_CONFLICT = 111, Error, "`vrrp_rx_bufs_policy` with a size and a policy, or with both MTU and ADVERT";
    NEWER_KEYWORD = 112, Error, "a global keyword added after keepalived 2.2.7";
    SCRIPT_SECURITY = 113, Warning, "scripts configured without `enable_script_security`";
    SYNC_INSTANCE_UNKNOWN = 114, Error, "`lvs_sync_daemon` names a vrrp_instance that does not exist";
    FLAG_VALUE_IGNORED = 115, Error, "a flag keyword followed by `off`/`false`/`no`, which keepalived ignores (the flag is set)";
    EMPTY_VALUE = 116, Error, "a keyword given without the value it needs";
    DEFAULT_SCRIPT_USER = 117, Warning, "`enable_script_security` without `script_user` relies on a `keepalived_script` user on the router";
}

const UINT_SECS: u64 = u32::MAX as u64 / 1_000_000;
const U32: u64 = u32::MAX as u64;

/// A bare flag: `Flag` field; words after it are reported.
macro_rules! flag {
    ($name:expr => $($f:ident).+) => {
        Kw::line($name, {
            fn h(ctx: &mut Ctx, node: &Node, c: &mut Config) {
                bare_flag(ctx, node);
                c.global.$($f).+ = Some(Sp::new((), node.keyword().span));
            }
            h
        })
    };
}

/// A flag with an optional boolean (`smtp_alert [on|off]`).
macro_rules! boolean {
    ($name:expr => $($f:ident).+) => {
        Kw::line($name, {
            fn h(ctx: &mut Ctx, node: &Node, c: &mut Config) {
                if let Some(v) = value::flag(ctx, node) {
                    let span = node.args().first().map_or(node.keyword().span, |t| t.span);
                    set_once(ctx, &mut c.global.$($f).+, Sp::new(v, span), node);
                }
            }
            h
        })
    };
}

/// One unsigned integer in a range.
macro_rules! uint {
    ($name:expr, $min:expr, $max:expr => $($f:ident).+) => {
        Kw::line($name, {
            fn h(ctx: &mut Ctx, node: &Node, c: &mut Config) {
                if let Some(v) = value::one_uint(ctx, node, $min, $max) {
                    set_once(ctx, &mut c.global.$($f).+, v, node);
                }
            }
            h
        })
    };
}

/// One unsigned integer where keepalived turns 0 into 1 (with an error).
macro_rules! uint_nonzero {
    ($name:expr, $max:expr => $($f:ident).+) => {
        Kw::line($name, {
            fn h(ctx: &mut Ctx, node: &Node, c: &mut Config) {
                if let Some(v) = nonzero_uint(ctx, node, $max) {
                    set_once(ctx, &mut c.global.$($f).+, v, node);
                }
            }
            h
        })
    };
}

/// One signed integer in a range.
macro_rules! int {
    ($name:expr, $min:expr, $max:expr => $($f:ident).+) => {
        Kw::line($name, {
            fn h(ctx: &mut Ctx, node: &Node, c: &mut Config) {
                if let Some(v) = value::one_int(ctx, node, $min, $max) {
                    set_once(ctx, &mut c.global.$($f).+, v, node);
                }
            }
            h
        })
    };
}

/// One free-form word (a name, a path).
macro_rules! word {
    ($name:expr => $($f:ident).+) => {
        Kw::line($name, {
            fn h(ctx: &mut Ctx, node: &Node, c: &mut Config) {
                if let Some(v) = value::one_word(ctx, node, "value") {
                    set_once(ctx, &mut c.global.$($f).+, v, node);
                }
            }
            h
        })
    };
}

/// One word that keepalived takes only the first time.
macro_rules! word_once {
    ($name:expr => $($f:ident).+) => {
        Kw::line($name, {
            fn h(ctx: &mut Ctx, node: &Node, c: &mut Config) {
                if let Some(v) = value::one_word(ctx, node, "value") {
                    value::set_first(ctx, &ALREADY_SET, &mut c.global.$($f).+, v, node);
                }
            }
            h
        })
    };
}

/// A process name (at most 15 characters, the kernel's comm length).
macro_rules! process_name {
    ($name:expr => $($f:ident).+) => {
        Kw::line($name, {
            fn h(ctx: &mut Ctx, node: &Node, c: &mut Config) {
                if let Some(v) = value::one_word(ctx, node, "process name") {
                    if check_len(ctx, &v, 15, "process name") {
                        set_once(ctx, &mut c.global.$($f).+, v, node);
                    }
                }
            }
            h
        })
    };
}

/// An optional word (`reload_file [PATH]`).
macro_rules! opt_word {
    ($name:expr => $($f:ident).+) => {
        Kw::line($name, {
            fn h(ctx: &mut Ctx, node: &Node, c: &mut Config) {
                let v = optional_word(ctx, node);
                set_once(ctx, &mut c.global.$($f).+, v, node);
            }
            h
        })
    };
}

/// A netlink receive buffer size (0 is ignored by keepalived).
macro_rules! bufs {
    ($name:expr => $($f:ident).+) => {
        uint!($name, 1, U32 => $($f).+)
    };
}

/// The five scheduling keywords of one child process.
macro_rules! process_settings {
    ($p:literal, $f:ident) => {
        [
            int!(concat!($p, "_priority"), -20, 19 => $f.priority),
            int!(concat!($p, "_rt_priority"), 1, 99 => $f.rt_priority),
            flag!(concat!($p, "_no_swap") => $f.no_swap),
            Kw::line(concat!($p, "_cpu_affinity"), {
                fn h(ctx: &mut Ctx, node: &Node, c: &mut Config) {
                    cpu_affinity(ctx, node, &mut c.global.$f);
                }
                h
            }),
            uint!(concat!($p, "_rlimit_rttime"), 1, U32 => $f.rlimit_rttime),
            uint!(concat!($p, "_rlimit_rtime"), 1, U32 => $f.rlimit_rttime)
                .deprecated(concat!($p, "_rlimit_rttime")),
        ]
    };
}

/// A notify FIFO and its script.
macro_rules! fifo {
    ($p:literal, $f:ident) => {
        [
            Kw::line(concat!($p, "notify_fifo"), {
                fn h(ctx: &mut Ctx, node: &Node, c: &mut Config) {
                    notify_fifo(ctx, node, &mut c.global.$f);
                }
                h
            }),
            Kw::line(concat!($p, "notify_fifo_script"), {
                fn h(ctx: &mut Ctx, node: &Node, c: &mut Config) {
                    if let Some(cmd) = value::command(ctx, node, 1, true) {
                        value::set_first(
                            ctx,
                            &ALREADY_SET,
                            &mut c.global.$f.script,
                            cmd,
                            node,
                        );
                    }
                }
                h
            }),
        ]
    };
}

/// Top-level keywords this area handles.
pub static TOP: &[Kw<Config>] = &[
    Kw::block("global_defs", global_defs),
    Kw::line("net_namespace", net_namespace),
    Kw::line("net_namespace_ipvs", net_namespace_ipvs),
    flag!("namespace_with_ipsets" => namespace_with_ipsets),
    Kw::line("instance", instance),
    flag!("use_pid_dir" => use_pid_dir),
    uint!("child_wait_time", 0, U32 => child_wait_time),
    flag!("linkbeat_use_polling" => linkbeat_use_polling),
    Kw::block("SSL", ssl),
    Kw::block("linkbeat_interfaces", linkbeat_interfaces),
    Kw::block("interface_up_down_delays", up_down_delays),
];

/// Identity, e-mail and scripts.
static DEFS_MAIN: &[Kw<Config>] = &[
    word!("router_id" => router_id),
    Kw::block("notification_email", notification_email),
    word!("notification_email_from" => notification_email_from),
    Kw::line("smtp_server", smtp_server),
    word!("smtp_helo_name" => smtp_helo_name),
    uint_nonzero!("smtp_connect_timeout", UINT_SECS => smtp_connect_timeout),
    boolean!("smtp_alert" => smtp_alert),
    boolean!("smtp_alert_vrrp" => smtp_alert_vrrp),
    boolean!("smtp_alert_checker" => smtp_alert_checker),
    boolean!("checker_log_all_failures" => checker_log_all_failures),
    flag!("no_email_faults" => no_email_faults),
    boolean!("no_checker_emails" => no_checker_emails),
    boolean!("rs_init_notifies" => rs_init_notifies),
    flag!("enable_script_security" => enable_script_security),
    Kw::line("script_user", script_user),
    Kw::line("startup_script", startup_script),
    uint!("startup_script_timeout", 1, 1000 => startup_script_timeout),
    Kw::line("shutdown_script", shutdown_script),
    uint!("shutdown_script_timeout", 1, 1000 => shutdown_script_timeout),
    boolean!("vrrp_notify_priority_changes" => vrrp_notify_priority_changes),
    flag!("fifo_write_vrrp_states_on_reload" => fifo_write_vrrp_states_on_reload),
    word!("default_interface" => default_interface),
    Kw::line("dynamic_interfaces", dynamic_interfaces),
    flag!("disable_local_igmp" => disable_local_igmp),
    word_once!("vmac_prefix" => vmac_prefix),
    word_once!("vmac_addr_prefix" => vmac_addr_prefix),
];

/// LVS and VRRP.
static DEFS_PROTO: &[Kw<Config>] = &[
    Kw::line("lvs_timeouts", lvs_timeouts),
    flag!("lvs_flush" => lvs_flush),
    Kw::line("lvs_flush_on_stop", lvs_flush_on_stop),
    Kw::line("lvs_flush_onstop", lvs_flush_on_stop)
        .deprecated("lvs_flush_on_stop"),
    Kw::line("lvs_sync_daemon", lvs_sync_daemon),
    Kw::line("vrrp_mcast_group4", mcast_group4),
    Kw::line("vrrp_mcast_group6", mcast_group6),
    uint!("vrrp_garp_master_delay", 0, UINT_SECS => vrrp_garp_master_delay),
    uint_nonzero!("vrrp_garp_master_repeat", U32 => vrrp_garp_master_repeat),
    uint!("vrrp_garp_master_refresh", 0, U32 => vrrp_garp_master_refresh),
    uint_nonzero!("vrrp_garp_master_refresh_repeat", U32 => vrrp_garp_master_refresh_repeat),
    uint!("vrrp_garp_lower_prio_delay", 0, UINT_SECS => vrrp_garp_lower_prio_delay),
    uint!("vrrp_garp_lower_prio_repeat", 0, i32::MAX as u64 => vrrp_garp_lower_prio_repeat),
    uint!("vrrp_down_timer_adverts", 1, 100 => vrrp_down_timer_adverts),
    Kw::line("vrrp_garp_interval", garp_interval),
    Kw::line("vrrp_gna_interval", gna_interval),
    boolean!("vrrp_min_garp" => vrrp_min_garp),
    Kw::line("vrrp_garp_extra_if", garp_extra_if),
    Kw::line("vrrp_vmac_garp_intvl", garp_extra_if)
        .deprecated("vrrp_garp_extra_if"),
    boolean!("vrrp_lower_prio_no_advert" => vrrp_lower_prio_no_advert),
    boolean!("vrrp_higher_prio_send_advert" => vrrp_higher_prio_send_advert),
    uint!("vrrp_version", 2, 3 => vrrp_version),
    flag!("vrrp_check_unicast_src" => vrrp_check_unicast_src),
    flag!("vrrp_skip_check_adv_addr" => vrrp_skip_check_adv_addr),
    flag!("vrrp_strict" => vrrp_strict),
    Kw::line("vrrp_startup_delay", startup_delay),
    flag!("log_unknown_vrids" => log_unknown_vrids),
    Kw::line("vrrp_rx_bufs_policy", rx_bufs_policy),
    uint!("vrrp_rx_bufs_multiplier", 1, U32 => vrrp_rx_bufs_multiplier),
    Kw::line("vrrp_iptables", vrrp_iptables),
    Kw::line("vrrp_ipsets", vrrp_ipsets),
    Kw::line("nftables", nftables),
    int!("nftables_priority", i32::MIN as i64, i32::MAX as i64 => nftables_priority),
    flag!("nftables_ifindex" => nftables_ifindex),
    flag!("nftables_counters" => nftables_counters),
    Kw::line("nftables_ipvs", nftables_ipvs),
    int!("nftables_ipvs_priority", i32::MIN as i64, i32::MAX as i64 => nftables_ipvs_priority),
    uint!("nftables_ipvs_start_fwmark", 1, U32 => nftables_ipvs_start_fwmark),
];

/// Processes, SNMP, buffers, files.
static DEFS_SYSTEM: &[Kw<Config>] = &[
    Kw::line("max_auto_priority", max_auto_priority),
    int!("min_auto_priority_delay", 1, 10_000_000 => min_auto_priority_delay),
    flag!("process_names" => process_names),
    process_name!("process_name" => process_name),
    process_name!("vrrp_process_name" => vrrp_process_name),
    process_name!("checker_process_name" => checker_process_name),
    process_name!("lvs_process_name" => checker_process_name)
        .deprecated("checker_process_name"),
    process_name!("bfd_process_name" => bfd_process_name),
    word_once!("snmp_socket" => snmp_socket),
    flag!("enable_traps" => enable_traps),
    flag!("enable_snmp_vrrp" => enable_snmp_vrrp),
    flag!("enable_snmp_keepalived" => enable_snmp_vrrp)
        .deprecated("enable_snmp_vrrp"),
    flag!("enable_snmp_checker" => enable_snmp_checker),
    flag!("enable_snmp_rfc" => enable_snmp_rfc),
    flag!("enable_snmp_rfcv2" => enable_snmp_rfcv2),
    flag!("enable_snmp_rfcv3" => enable_snmp_rfcv3),
    flag!("enable_dbus" => enable_dbus),
    word!("dbus_service_name" => dbus_service_name),
    bufs!("vrrp_netlink_cmd_rcv_bufs" => vrrp_netlink_cmd_rcv_bufs),
    boolean!("vrrp_netlink_cmd_rcv_bufs_force" => vrrp_netlink_cmd_rcv_bufs_force),
    bufs!("vrrp_netlink_monitor_rcv_bufs" => vrrp_netlink_monitor_rcv_bufs),
    boolean!("vrrp_netlink_monitor_rcv_bufs_force" => vrrp_netlink_monitor_rcv_bufs_force),
    bufs!("process_monitor_rcv_bufs" => process_monitor_rcv_bufs),
    boolean!("process_monitor_rcv_bufs_force" => process_monitor_rcv_bufs_force),
    bufs!("lvs_netlink_cmd_rcv_bufs" => lvs_netlink_cmd_rcv_bufs),
    boolean!("lvs_netlink_cmd_rcv_bufs_force" => lvs_netlink_cmd_rcv_bufs_force),
    bufs!("lvs_netlink_monitor_rcv_bufs" => lvs_netlink_monitor_rcv_bufs),
    boolean!("lvs_netlink_monitor_rcv_bufs_force" => lvs_netlink_monitor_rcv_bufs_force),
    Kw::line("umask", umask),
    uint!("random_seed", 0, U32 => random_seed),
    opt_word!("reload_check_config" => reload_check_config),
    word!("reload_time_file" => reload_time_file),
    flag!("reload_repeat" => reload_repeat),
    opt_word!("reload_file" => reload_file),
    Kw::line("include_check", include_check),
    word!("config_save_dir" => config_save_dir),
    word_once!("tmp_config_directory" => tmp_config_directory),
    boolean!("data_use_instance" => data_use_instance),
];

static DEFS_VRRP_PROCESS: [Kw<Config>; 6] =
    process_settings!("vrrp", vrrp_process);
static DEFS_CHECKER_PROCESS: [Kw<Config>; 6] =
    process_settings!("checker", checker_process);
static DEFS_BFD_PROCESS: [Kw<Config>; 6] =
    process_settings!("bfd", bfd_process);
static DEFS_FIFO: [Kw<Config>; 2] = fifo!("", notify_fifo);
static DEFS_VRRP_FIFO: [Kw<Config>; 2] = fifo!("vrrp_", vrrp_notify_fifo);
static DEFS_LVS_FIFO: [Kw<Config>; 2] = fifo!("lvs_", lvs_notify_fifo);

/// Keywords keepalived 2.2.7 does not know in global_defs but that people
/// write there: instance keywords, removed ones and newer ones. Each gets
/// a targeted error instead of a bare "unknown keyword".
static DEFS_MISPLACED: &[Kw<Config>] = &[
    Kw::any("garp_master_delay", misplaced),
    Kw::any("garp_master_repeat", misplaced),
    Kw::any("garp_master_refresh", misplaced),
    Kw::any("garp_master_refresh_repeat", misplaced),
    Kw::any("garp_lower_prio_delay", misplaced),
    Kw::any("garp_lower_prio_repeat", misplaced),
    Kw::any("garp_interval", misplaced),
    Kw::any("gna_interval", misplaced),
    Kw::any("lower_prio_no_advert", misplaced),
    Kw::any("higher_prio_send_advert", misplaced),
    Kw::any("down_timer_adverts", misplaced),
    Kw::any("lvs_id", misplaced),
    Kw::any("lvs_sync_daemon_interface", misplaced),
    // Top-level keywords: keepalived 2.2.7 installs them at the file level
    // only, and reports them as unknown inside global_defs.
    Kw::any("net_namespace", misplaced),
    Kw::any("net_namespace_ipvs", misplaced),
    Kw::any("namespace_with_ipsets", misplaced),
    Kw::any("instance", misplaced),
    Kw::any("use_pid_dir", misplaced),
    Kw::any("child_wait_time", misplaced),
    Kw::any("linkbeat_use_polling", misplaced),
    Kw::any("use_symlink_paths", newer),
    Kw::any("set_supplementary_groups", newer),
    Kw::any("v3_checksum_as_v2", newer),
    Kw::any("snmp_vs_stats_update_interval", newer),
    Kw::any("snmp_rs_stats_update_interval", newer),
    Kw::any("dbus_no_interface_name", newer),
    Kw::any("vrrp_delay_after_boot", newer),
    Kw::any("state_file_location", newer),
    Kw::any("stats_file_location", newer),
    Kw::any("json_file_location", newer),
    Kw::any("json_version", newer),
    Kw::any("iproute_usr_dir", newer),
    Kw::any("iproute_etc_dir", newer),
];

/// The keyword tables of `global_defs`.
fn defs_tables() -> [&'static [Kw<Config>]; 10] {
    [
        DEFS_MAIN,
        DEFS_PROTO,
        DEFS_SYSTEM,
        &DEFS_VRRP_PROCESS,
        &DEFS_CHECKER_PROCESS,
        &DEFS_BFD_PROCESS,
        &DEFS_FIFO,
        &DEFS_VRRP_FIFO,
        &DEFS_LVS_FIFO,
        DEFS_MISPLACED,
    ]
}

fn global_defs(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    value::bare(ctx, node);
    dispatch(ctx, node.children(), &defs_tables(), c, "global_defs");
}

// ---- shared readers ----

/// A bare flag: a following `off`/`false`/`no` is a trap (keepalived
/// ignores the word and sets the flag), other words are leftovers.
fn bare_flag(ctx: &mut Ctx, node: &Node) {
    if let Some(t) = node.args().first() {
        if matches!(t.text.as_str(), "off" | "false" | "no")
            && node.args().len() == 1
        {
            ctx.report(
                &FLAG_VALUE_IGNORED,
                t.span,
                format!(
                    "`{}` takes no value; keepalived ignores `{}` and sets it",
                    node.kw(),
                    t.text
                ),
            )
            .with_help(format!(
                "to leave `{}` off, remove the line",
                node.kw()
            ));
            return;
        }
    }
    value::bare(ctx, node);
}

/// An unsigned integer in `0..=max` where 0 is replaced by 1.
fn nonzero_uint(ctx: &mut Ctx, node: &Node, max: u64) -> Option<Sp<u64>> {
    let v = value::one_uint(ctx, node, 0, max)?;
    if v.value == 0 {
        ctx.report(
            &ZERO_REPLACED,
            v.span,
            format!("`{}` must be at least 1", node.kw()),
        )
        .with_note("keepalived reports this and uses 1")
        .with_help(format!("write `{} 1`", node.kw()));
        return None;
    }
    Some(v)
}

/// `KEYWORD [WORD]`: `Some(None)` when bare.
fn optional_word(ctx: &mut Ctx, node: &Node) -> Sp<Option<String>> {
    let mut a = Args::new(node);
    let v = match a.next() {
        Some(t) => Sp::new(Some(t.text.clone()), t.span),
        None => Sp::new(None, node.keyword().span),
    };
    a.finish(ctx);
    v
}

/// Reports a name longer than `max` bytes; `true` when it fits.
fn check_len(ctx: &mut Ctx, v: &Sp<String>, max: usize, what: &str) -> bool {
    if v.value.len() <= max {
        return true;
    }
    ctx.report(
        &NAME_TOO_LONG,
        v.span,
        format!(
            "{what} `{}` is {} characters long; at most {max} fit",
            v.value,
            v.value.len()
        ),
    )
    .with_help(format!("use a name of at most {max} characters"));
    false
}

/// A required word with a "missing" error that does not claim exit 2
/// (these handlers check their own arity in keepalived).
fn need_word<'n>(
    ctx: &mut Ctx,
    args: &mut Args<'n>,
    what: &str,
) -> Option<&'n Token> {
    let t = args.next();
    if t.is_none() {
        let kw = args.node().keyword();
        ctx.report(
            &EMPTY_VALUE,
            kw.span,
            format!("`{}` is missing its {what}", kw.text),
        )
        .with_note("keepalived reports this and ignores the line");
    }
    t
}

// ---- top level ----

fn net_namespace(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let mut a = Args::new(node);
    let Some(t) = need_word(ctx, &mut a, "namespace name") else {
        return;
    };
    a.finish(ctx);
    value::set_first(
        ctx,
        &ALREADY_SET,
        &mut c.global.net_namespace,
        Sp::new(t.text.clone(), t.span),
        node,
    );
}

fn net_namespace_ipvs(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let v = optional_word(ctx, node);
    value::set_first(
        ctx,
        &ALREADY_SET,
        &mut c.global.net_namespace_ipvs,
        v,
        node,
    );
}

fn instance(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let mut a = Args::new(node);
    let Some(t) = need_word(ctx, &mut a, "instance name") else {
        return;
    };
    a.finish(ctx);
    value::set_first(
        ctx,
        &ALREADY_SET,
        &mut c.global.instance,
        Sp::new(t.text.clone(), t.span),
        node,
    );
}

fn ssl(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    value::bare(ctx, node);
    let mut ssl = c.global.ssl.take().unwrap_or_default();
    dispatch(ctx, node.children(), &[SSL_KWS], &mut ssl, "SSL");
    c.global.ssl = Some(ssl);
}

static SSL_KWS: &[Kw<Ssl>] = &[
    Kw::line("password", |ctx, n, s| ssl_word(ctx, n, &mut s.password)),
    Kw::line("ca", |ctx, n, s| ssl_word(ctx, n, &mut s.ca)),
    Kw::line("certificate", |ctx, n, s| {
        ssl_word(ctx, n, &mut s.certificate)
    }),
    Kw::line("key", |ctx, n, s| ssl_word(ctx, n, &mut s.key)),
];

fn ssl_word(ctx: &mut Ctx, node: &Node, slot: &mut Option<Sp<String>>) {
    if let Some(v) = value::one_word(ctx, node, "value") {
        set_once(ctx, slot, v, node);
    }
}

static LINKBEAT_KINDS: &[(&str, LinkbeatKind)] = &[
    ("MII", LinkbeatKind::Mii),
    ("ETHTOOL", LinkbeatKind::Ethtool),
    ("IOCTL", LinkbeatKind::Ioctl),
];

fn linkbeat_interfaces(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    for e in value::entries(ctx, node) {
        let mut a = Args::entry(e);
        let Some(ifname) = a.next() else { continue };
        let kind = match a.next() {
            Some(t) => match value::choice(
                ctx,
                t,
                LINKBEAT_KINDS,
                "linkbeat type",
                false,
            ) {
                Some(k) => Some(k),
                None => continue,
            },
            None => None,
        };
        a.finish(ctx);
        let lb = Linkbeat {
            interface: ifname.text.clone(),
            kind,
        };
        c.global.linkbeat_interfaces.push(Sp::new(lb, ifname.span));
    }
}

fn up_down_delays(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let max = Micros::from_secs(255);
    for e in value::entries(ctx, node) {
        let mut a = Args::entry(e);
        let Some(ifname) = a.next() else { continue };
        let Some(down_t) = need_word(ctx, &mut a, "down delay") else {
            continue;
        };
        let Some(down) =
            value::seconds(ctx, down_t, Micros(0), max, "down delay")
        else {
            continue;
        };
        let up = match a.next() {
            Some(t) => match value::seconds(ctx, t, Micros(0), max, "up delay")
            {
                Some(u) => Some(u),
                None => continue,
            },
            None => None,
        };
        a.finish(ctx);
        let d = UpDownDelay {
            interface: ifname.text.clone(),
            down,
            up,
        };
        c.global
            .interface_up_down_delays
            .push(Sp::new(d, ifname.span));
    }
}

// ---- identity and e-mail ----

fn notification_email(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let entries = value::entries(ctx, node);
    if entries.is_empty() {
        // keepalived reports the line of the closing brace.
        let span = node
            .block
            .as_ref()
            .map_or(node.keyword().span, |b| b.close.unwrap_or(b.open));
        ctx.report(&EMPTY_EMAIL, span, "`notification_email` block is empty")
            .with_note("keepalived reports `empty notification_email block`")
            .with_help("add one address per line, or remove the block");
        return;
    }
    for e in entries {
        let mut a = Args::entry(e);
        if let Some(t) = a.next() {
            c.global
                .notification_email
                .push(Sp::new(t.text.clone(), t.span));
        }
        a.finish(ctx);
    }
}

fn smtp_server(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let mut a = Args::new(node);
    let Some(host_t) = a.required(ctx, "server") else {
        return;
    };
    let port = match a.next() {
        Some(t) => match value::uint(ctx, t, 1, 65535, "smtp_server port") {
            Some(p) => Some(p as u16),
            None => return,
        },
        None => None,
    };
    a.finish(ctx);
    let host = match host_t.text.parse::<IpAddr>() {
        Ok(ip) => SmtpHost::Ip(ip),
        Err(_) if is_host_name(&host_t.text) => {
            SmtpHost::Name(host_t.text.clone())
        }
        Err(_) => {
            ctx.report(
                &BAD_SMTP_SERVER,
                host_t.span,
                format!("`smtp_server` `{}` is neither an IP address nor a host name", host_t.text),
            )
            .with_note("keepalived reports `Invalid smtp server` and sends no mail")
            .with_help("write `smtp_server ADDRESS [PORT]`, e.g. `smtp_server 192.0.2.25 25`");
            return;
        }
    };
    set_once(
        ctx,
        &mut c.global.smtp_server,
        Sp::new(SmtpServer { host, port }, host_t.span),
        node,
    );
}

/// A DNS host name (RFC 1123 labels).
fn is_host_name(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        // All-numeric dotted words are mistyped addresses, not names.
        && !s.split('.').all(|l| l.bytes().all(|b| b.is_ascii_digit()))
}

// ---- scripts ----

fn script_user(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    if let Some(r) = run_as(ctx, node, 1) {
        set_once(ctx, &mut c.global.script_user, r, node);
    }
}

/// `user [group]` (also `user:group`) from word `index` on.
pub(crate) fn run_as(
    ctx: &mut Ctx,
    node: &Node,
    index: usize,
) -> Option<Sp<RunAs>> {
    let mut a = Args::new(node);
    for _ in 1..index {
        a.next();
    }
    let user = a.required(ctx, "user name")?;
    let group = a.next();
    a.finish(ctx);
    let (u, g) = match (user.text.split_once(':'), group) {
        (Some((u, g)), None) if !u.is_empty() && !g.is_empty() => {
            (u.to_owned(), Some(g.to_owned()))
        }
        _ => (user.text.clone(), group.map(|g| g.text.clone())),
    };
    let span = group.map_or(user.span, |g| user.span.to(g.span));
    Some(Sp::new(RunAs { user: u, group: g }, span))
}

fn startup_script(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    if let Some(cmd) = value::command(ctx, node, 1, true) {
        value::set_first(
            ctx,
            &ALREADY_SET,
            &mut c.global.startup_script,
            cmd,
            node,
        );
    }
}

fn shutdown_script(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    if let Some(cmd) = value::command(ctx, node, 1, true) {
        value::set_first(
            ctx,
            &ALREADY_SET,
            &mut c.global.shutdown_script,
            cmd,
            node,
        );
    }
}

fn notify_fifo(ctx: &mut Ctx, node: &Node, f: &mut NotifyFifo) {
    let mut a = Args::new(node);
    let Some(path) = need_word(ctx, &mut a, "FIFO path") else {
        return;
    };
    let user = a.next();
    let group = a.next();
    a.finish(ctx);
    let run_as = user.map(|u| RunAs {
        user: u.text.clone(),
        group: group.map(|g| g.text.clone()),
    });
    let fifo = Fifo {
        path: path.text.clone(),
        run_as,
    };
    value::set_first(
        ctx,
        &ALREADY_SET,
        &mut f.fifo,
        Sp::new(fifo, path.span),
        node,
    );
}

fn dynamic_interfaces(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let opts = [("allow_if_changes", DynamicInterfaces::AllowIfChanges)];
    let bare = DynamicInterfaces::On;
    if let Some(v) = word_or_bare(ctx, node, bare, &opts, "option") {
        set_once(ctx, &mut c.global.dynamic_interfaces, v, node);
    }
}

/// `KEYWORD [WORD]`: `bare` without a word, else one of `options`.
fn word_or_bare<V: Copy>(
    ctx: &mut Ctx,
    node: &Node,
    bare: V,
    options: &[(&str, V)],
    what: &str,
) -> Option<Sp<V>> {
    let mut a = Args::new(node);
    let v = match a.next() {
        None => bare,
        Some(t) => {
            let what = format!("{} {what}", node.kw());
            value::choice(ctx, t, options, &what, false)?
        }
    };
    a.finish(ctx);
    Some(Sp::new(v, node.keyword().span))
}

// ---- LVS ----

fn lvs_timeouts(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    if node.args().is_empty() {
        ctx.report(
            &EMPTY_VALUE,
            node.keyword().span,
            "`lvs_timeouts` needs at least one option",
        )
        .with_help("write e.g. `lvs_timeouts tcp 900 tcpfin 120 udp 300`");
        return;
    }
    let mut t = c
        .global
        .lvs_timeouts
        .take()
        .map_or_else(LvsTimeouts::default, |s| s.value);
    let mut a = Args::new(node);
    let opts = [("tcp", 0u8), ("tcpfin", 1), ("udp", 2)];
    while let Some(opt) = a.next() {
        let Some(which) =
            value::choice(ctx, opt, &opts, "lvs_timeouts option", false)
        else {
            // Skip the unknown option's value too.
            if a.peek().is_some_and(|t| t.text.parse::<u64>().is_ok()) {
                a.next();
            }
            continue;
        };
        let Some(vt) = need_value(ctx, &mut a, opt) else {
            break;
        };
        // LVS_MAX_TIMEOUT is 86400 * 31 seconds.
        let Some(v) = value::uint(
            ctx,
            vt,
            0,
            86_400 * 31,
            &format!("lvs_timeouts {}", opt.text),
        ) else {
            continue;
        };
        match which {
            0 => t.tcp = Some(v),
            1 => t.tcpfin = Some(v),
            _ => t.udp = Some(v),
        }
    }
    c.global.lvs_timeouts = Some(Sp::new(t, node.keyword().span));
}

/// The value after an option word (`tcp 900`), or an error at the option.
fn need_value<'n>(
    ctx: &mut Ctx,
    a: &mut Args<'n>,
    opt: &Token,
) -> Option<&'n Token> {
    let v = a.next();
    if v.is_none() {
        ctx.report(
            &EMPTY_VALUE,
            opt.span,
            format!("`{}` needs a value", opt.text),
        )
        .with_note("keepalived reports this and ignores the option");
    }
    v
}

fn lvs_flush_on_stop(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let opts = [("VS", LvsFlushOnStop::Vs)];
    let bare = LvsFlushOnStop::Full;
    if let Some(v) = word_or_bare(ctx, node, bare, &opts, "type") {
        set_once(ctx, &mut c.global.lvs_flush_on_stop, v, node);
    }
}

fn lvs_sync_daemon(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let mut a = Args::new(node);
    let Some(ifname) = need_word(ctx, &mut a, "interface") else {
        return;
    };
    // IP_VS_IFNAME_MAXLEN is 16 with the terminating NUL.
    if !check_len(
        ctx,
        &Sp::new(ifname.text.clone(), ifname.span),
        15,
        "lvs_sync_daemon interface",
    ) {
        return;
    }
    let mut d = LvsSyncDaemon {
        interface: ifname.text.clone(),
        instance: None,
        id: None,
        maxlen: None,
        port: None,
        ttl: None,
        group: None,
    };
    let mut pos = 2;
    while let Some(opt) = a.next() {
        pos += 1;
        sync_daemon_option(ctx, &mut a, opt, pos - 1, &mut d);
    }
    value::set_first(
        ctx,
        &ALREADY_SET,
        &mut c.global.lvs_sync_daemon,
        Sp::new(d, ifname.span),
        node,
    );
}

/// One option of `lvs_sync_daemon`; `pos` is the word's index (for the
/// legacy positional `IF INSTANCE SYNCID` form).
fn sync_daemon_option(
    ctx: &mut Ctx,
    a: &mut Args,
    opt: &Token,
    pos: usize,
    d: &mut LvsSyncDaemon,
) {
    let what = |w: &str| format!("lvs_sync_daemon {w}");
    match opt.text.as_str() {
        "inst" => {
            if let Some(v) = need_value(ctx, a, opt) {
                d.instance = Some(Sp::new(v.text.clone(), v.span));
            }
        }
        "id" => {
            if let Some(v) = need_value(ctx, a, opt) {
                d.id =
                    value::uint(ctx, v, 0, 255, &what("id")).map(|v| v as u8);
            }
        }
        "maxlen" => {
            if let Some(v) = need_value(ctx, a, opt) {
                d.maxlen =
                    value::uint(ctx, v, 1, 65535 - 20 - 8, &what("maxlen"))
                        .map(|v| v as u16);
            }
        }
        "port" => {
            if let Some(v) = need_value(ctx, a, opt) {
                d.port = value::uint(ctx, v, 1, 65535, &what("port"))
                    .map(|v| v as u16);
            }
        }
        "ttl" => {
            if let Some(v) = need_value(ctx, a, opt) {
                d.ttl =
                    value::uint(ctx, v, 1, 255, &what("ttl")).map(|v| v as u8);
            }
        }
        "group" => {
            if let Some(v) = need_value(ctx, a, opt) {
                d.group = value::ip(ctx, v, &what("group")).filter(|ip| {
                    ip.is_multicast() || {
                        not_multicast(ctx, v, "lvs_sync_daemon group");
                        false
                    }
                });
            }
        }
        _ if pos == 2 && d.instance.is_none() => {
            d.instance = Some(Sp::new(opt.text.clone(), opt.span));
        }
        _ if pos == 3 && opt.text.bytes().all(|b| b.is_ascii_digit()) => {
            if let Some(v) = value::uint(ctx, opt, 0, 255, &what("sync id")) {
                ctx.report(
                    &LEGACY_SYNCID,
                    opt.span,
                    "the sync id needs the `id` keyword before it",
                )
                .with_note("keepalived accepts the old form but asks for `id`")
                .with_help(format!("write `id {v}`"));
                d.id = Some(v as u8);
            }
        }
        _ => {
            let opts = ["inst", "id", "maxlen", "port", "ttl", "group"];
            let d = ctx.report(
                &super::INVALID_CHOICE,
                opt.span,
                format!("unknown lvs_sync_daemon option `{}`", opt.text),
            );
            d.with_label(format!("expected one of: {}", opts.join(", ")));
        }
    }
}

fn not_multicast(ctx: &mut Ctx, t: &Token, what: &str) {
    ctx.report(
        &NOT_MULTICAST,
        t.span,
        format!("{what} `{}` is not a multicast address", t.text),
    )
    .with_note("keepalived reports this and ignores the setting");
}

// ---- VRRP ----

fn mcast_group4(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    mcast_group(ctx, node, c, false);
}

fn mcast_group6(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    mcast_group(ctx, node, c, true);
}

fn mcast_group(ctx: &mut Ctx, node: &Node, c: &mut Config, v6: bool) {
    let Some(ip) = value::one_ip(ctx, node) else {
        return;
    };
    let Some(t) = node.args().first() else { return };
    if ip.value.is_ipv6() != v6 {
        let fam = if v6 { "IPv6" } else { "IPv4" };
        ctx.report(
            &NOT_MULTICAST,
            ip.span,
            format!("`{}` `{}` is not an {fam} address", node.kw(), ip.value),
        )
        .with_help(format!(
            "use `vrrp_mcast_group{}` for this address",
            if v6 { 4 } else { 6 }
        ));
        return;
    }
    if !ip.value.is_multicast() {
        not_multicast(ctx, t, node.kw());
        return;
    }
    if let IpAddr::V6(a) = ip.value {
        // ff02::/16 is link-local scope.
        if a.segments()[0] & 0xff0f != 0xff02 {
            ctx.report(
                &MCAST6_NOT_LINK_LOCAL,
                ip.span,
                format!(
                    "`vrrp_mcast_group6` `{a}` is not link-local multicast"
                ),
            )
            .with_note(
                "VRRP adverts do not leave the link; keepalived warns too",
            )
            .with_help("use an ff02:: address, e.g. the default ff02::12");
        }
    }
    let slot = if v6 {
        &mut c.global.vrrp_mcast_group6
    } else {
        &mut c.global.vrrp_mcast_group4
    };
    set_once(ctx, slot, ip, node);
}

fn garp_interval(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    if let Some(v) = garp_gna_interval(ctx, node) {
        set_once(ctx, &mut c.global.vrrp_garp_interval, v, node);
    }
}

fn gna_interval(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    if let Some(v) = garp_gna_interval(ctx, node) {
        set_once(ctx, &mut c.global.vrrp_gna_interval, v, node);
    }
}

fn garp_gna_interval(ctx: &mut Ctx, node: &Node) -> Option<Sp<Micros>> {
    let v = value::one_seconds(ctx, node, Micros(0), Micros(u32::MAX as u64))?;
    if v.value == Micros(0) {
        ctx.report(&ZERO_GARP_INTERVAL, v.span, format!("`{} 0` is rejected by keepalived 2.2.7", node.kw()))
            .with_note("keepalived 2.2.7 reports the value as invalid and keeps its default (no delay); later versions accept 0")
            .with_help("remove the line: no delay between gratuitous messages is the default");
        return None;
    }
    Some(v)
}

fn garp_extra_if(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let mut all = false;
    let mut secs = None;
    for t in node.args() {
        if t.text == "all" {
            all = true;
        } else {
            match value::uint(ctx, t, 1, 86_400, node.kw()) {
                Some(v) => secs = Some(v),
                None => return,
            }
        }
    }
    let Some(secs) = secs else {
        ctx.report(
            &EMPTY_VALUE,
            node.keyword().span,
            format!("`{}` needs an interval in seconds", node.kw()),
        )
        .with_note(
            "keepalived reports `specified without time` and ignores the line",
        )
        .with_help("write e.g. `vrrp_garp_extra_if all 60`");
        return;
    };
    set_once(
        ctx,
        &mut c.global.vrrp_garp_extra_if,
        Sp::new(GarpExtraIf { all, secs }, node.keyword().span),
        node,
    );
}

fn startup_delay(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    if let Some(v) =
        value::one_seconds(ctx, node, Micros(1000), Micros(u32::MAX as u64))
    {
        set_once(ctx, &mut c.global.vrrp_startup_delay, v, node);
    }
}

fn rx_bufs_policy(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let mut a = Args::new(node);
    let Some(_) = a.peek() else {
        a.required(ctx, "policy");
        return;
    };
    let mut found: Vec<(RxBufsPolicy, &Token)> = Vec::new();
    for t in a.rest() {
        let p = if t.text.eq_ignore_ascii_case("MTU") {
            RxBufsPolicy::Mtu
        } else if t.text.eq_ignore_ascii_case("ADVERT") {
            RxBufsPolicy::Advert
        } else {
            match value::uint(ctx, t, 0, U32, "vrrp_rx_bufs_policy size") {
                Some(n) => RxBufsPolicy::Size(n),
                None => return,
            }
        };
        found.push((p, t));
    }
    if let [(p, t)] = found.as_slice() {
        set_once(
            ctx,
            &mut c.global.vrrp_rx_bufs_policy,
            Sp::new(*p, t.span),
            node,
        );
        return;
    }
    if let (Some(first), Some(last)) = (found.first(), found.last()) {
        ctx.report(&RX_BUFS_CONFLICT, first.1.span.to(last.1.span), "`vrrp_rx_bufs_policy` takes one of MTU, ADVERT or a size")
            .with_note("keepalived ignores the policy when a size is given, and ADVERT when MTU is")
            .with_help("keep only one value");
    }
}

fn vrrp_iptables(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    // XT_EXTENSION_MAXNAMELEN - 2 usable characters.
    if let Some(v) = name_list(ctx, node, 2, 27, "iptables chain") {
        value::set_first(
            ctx,
            &ALREADY_SET,
            &mut c.global.vrrp_iptables,
            v,
            node,
        );
    }
}

fn vrrp_ipsets(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    // IPSET_MAXNAMELEN - 2 usable characters.
    if let Some(v) = name_list(ctx, node, 5, 30, "ipset name") {
        set_once(ctx, &mut c.global.vrrp_ipsets, v, node);
    }
}

/// Up to `max_n` names of at most `max_len` characters.
fn name_list(
    ctx: &mut Ctx,
    node: &Node,
    max_n: usize,
    max_len: usize,
    what: &str,
) -> Option<Sp<Vec<String>>> {
    let args = node.args();
    if args.len() > max_n {
        let (Some(first), Some(last)) = (args.get(max_n), args.last()) else {
            return None;
        };
        ctx.report(
            &super::EXTRA_PARAMETERS,
            first.span.to(last.span),
            format!("`{}` takes at most {max_n} names", node.kw()),
        )
        .with_label("keepalived ignores these words");
        return None;
    }
    let mut names = Vec::new();
    for t in args {
        if !check_len(ctx, &Sp::new(t.text.clone(), t.span), max_len, what) {
            return None;
        }
        names.push(t.text.clone());
    }
    Some(Sp::new(names, node.keyword().span))
}

fn nftables(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    if let Some(v) = nft_table(ctx, node) {
        value::set_first(ctx, &ALREADY_SET, &mut c.global.nftables, v, node);
    }
}

fn nftables_ipvs(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    if let Some(v) = nft_table(ctx, node) {
        value::set_first(
            ctx,
            &ALREADY_SET,
            &mut c.global.nftables_ipvs,
            v,
            node,
        );
    }
}

fn nft_table(ctx: &mut Ctx, node: &Node) -> Option<Sp<Option<String>>> {
    let v = optional_word(ctx, node);
    if let Some(name) = &v.value {
        // NFT_TABLE_MAXNAMELEN is 256 with the NUL.
        if !check_len(
            ctx,
            &Sp::new(name.clone(), v.span),
            255,
            "nftables table name",
        ) {
            return None;
        }
    }
    Some(v)
}

// ---- processes ----

fn max_auto_priority(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let v = if node.args().is_empty() {
        Sp::new(None, node.keyword().span)
    } else {
        match value::one_int(ctx, node, -1, 99) {
            Some(v) => v.map(Some),
            None => return,
        }
    };
    set_once(ctx, &mut c.global.max_auto_priority, v, node);
}

fn cpu_affinity(ctx: &mut Ctx, node: &Node, p: &mut ProcessSettings) {
    if node.args().is_empty() {
        Args::new(node).required(ctx, "CPU list");
        return;
    }
    let mut cpus = Vec::new();
    for t in node.args() {
        // The CPU count is the build host's business; 1023 is CPU_SETSIZE - 1.
        match value::uint(ctx, t, 0, 1023, "CPU number") {
            Some(n) => cpus.push(n as u32),
            None => return,
        }
    }
    let span = node.args().first().map_or(node.keyword().span, |t| t.span);
    set_once(ctx, &mut p.cpu_affinity, Sp::new(cpus, span), node);
}

// ---- files, misc ----

fn umask(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    let Some(first) = node.args().first() else {
        Args::new(node).required(ctx, "mask");
        return;
    };
    let bits = if first.text.starts_with(|ch: char| ch.is_ascii_digit()) {
        let mut a = Args::new(node);
        a.next();
        a.finish(ctx);
        parse_c_number(&first.text).filter(|v| *v & !0o777 == 0)
    } else {
        let joined: Vec<&str> =
            node.args().iter().map(|t| t.text.as_str()).collect();
        umask_symbols(&joined.concat())
    };
    let Some(bits) = bits else {
        let span = node.args().first().map_or(node.keyword().span, |t| t.span);
        ctx.report(
            &BAD_UMASK,
            span,
            format!("`umask` `{}` is not a valid mask", first.text),
        )
        .with_note(
            "keepalived reports the umask as invalid and keeps the default",
        )
        .with_help(
            "write an octal mode such as `022`, or bits such as `IWGRP|IWOTH`",
        );
        return;
    };
    set_once(ctx, &mut c.global.umask, Sp::new(bits, first.span), node);
}

/// A number as C's `strtol(s, _, 0)` reads it: `0x..` hex, `0..` octal.
fn parse_c_number(s: &str) -> Option<u32> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u32::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u32::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

/// `IRUSR|IWGRP|...` to permission bits.
fn umask_symbols(s: &str) -> Option<u32> {
    const BITS: [(&str, u32); 9] = [
        ("IRUSR", 0o400),
        ("IWUSR", 0o200),
        ("IXUSR", 0o100),
        ("IRGRP", 0o040),
        ("IWGRP", 0o020),
        ("IXGRP", 0o010),
        ("IROTH", 0o004),
        ("IWOTH", 0o002),
        ("IXOTH", 0o001),
    ];
    let mut bits = 0;
    for part in s.split('|') {
        let (_, b) = BITS.iter().find(|(n, _)| *n == part)?;
        bits |= b;
    }
    Some(bits)
}

/// `include_check [TYPE] [+TYPE|-TYPE]...`: the first word may set the
/// type, later ones must add (`+`) or remove (`-`) one. keepalived 2.2.7
/// reports and ignores an unknown type or a second type to set.
fn include_check(ctx: &mut Ctx, node: &Node, c: &mut Config) {
    const TYPES: &[(&str, ())] = &[
        ("read", ()),
        ("match", ()),
        ("wildcard_match", ()),
        ("brace_match", ()),
    ];
    for (i, tok) in node.args().iter().enumerate() {
        let name = tok.text.strip_prefix(['+', '-']);
        if name.is_none() && i > 0 {
            ctx.report(
                &super::EXTRA_PARAMETERS,
                tok.span,
                format!("`include_check` type `{}` after the first", tok.text),
            )
            .with_note("keepalived ignores it: only the first type may be written without `+`/`-`")
            .with_help(format!("write `+{}` to add it", tok.text));
            continue;
        }
        let mut bare = tok.clone();
        bare.text = name.unwrap_or(&tok.text).to_owned();
        value::choice(ctx, &bare, TYPES, "include_check type", false);
    }
    let words: Vec<String> =
        node.args().iter().map(|t| t.text.clone()).collect();
    c.global.include_check = Some(Sp::new(words, node.keyword().span));
}

// ---- keywords that do not belong here ----

fn misplaced(ctx: &mut Ctx, node: &Node, _c: &mut Config) {
    let kw = node.kw();
    let d = ctx.report(
        &MISPLACED_KEYWORD,
        node.keyword().span,
        format!("unknown keyword `{kw}` in global_defs"),
    );
    match kw {
        "lvs_id" => {
            d.with_note("`lvs_id` is a keepalived 1.x keyword; keepalived 2.2.7 reports it as unknown")
                .with_help("use `router_id` to name this host");
        }
        "net_namespace"
        | "net_namespace_ipvs"
        | "namespace_with_ipsets"
        | "instance"
        | "use_pid_dir"
        | "child_wait_time"
        | "linkbeat_use_polling" => {
            d.with_note(format!(
                "`{kw}` is a top-level keyword; keepalived 2.2.7 reports it as unknown inside global_defs and ignores it"
            ))
            .with_help(format!("move the `{kw}` line out of `global_defs`, before the block"));
        }
        "lvs_sync_daemon_interface" => {
            d.with_note("keepalived 2.x reports it as unknown in global_defs")
                .with_help("write `lvs_sync_daemon INTERFACE VRRP_INSTANCE`");
        }
        _ => {
            d.with_note(format!("`{kw}` is a vrrp_instance keyword; keepalived reports it as unknown here"))
                .with_help(format!("in global_defs write `vrrp_{kw}`, or move the line into the vrrp_instance"));
        }
    }
}

fn newer(ctx: &mut Ctx, node: &Node, _c: &mut Config) {
    ctx.report(
        &NEWER_KEYWORD,
        node.keyword().span,
        format!("`{}` is not known to keepalived 2.2.7", node.kw()),
    )
    .with_note("it was added in a later keepalived; 2.2.7 reports it as an unknown keyword")
    .with_help("remove the line, or build for a newer keepalived");
}

/// Checks that need the whole configuration.
pub fn check(ctx: &mut Ctx, config: &Config) {
    check_sync_instance(ctx, config);
    check_script_security(ctx, config);
    check_default_script_user(ctx, config);
}

/// With `enable_script_security` and no `script_user`, keepalived runs
/// scripts as `keepalived_script`, and disables every script that has no
/// user of its own when that user does not exist on the router.
fn check_default_script_user(ctx: &mut Ctx, config: &Config) {
    let g = &config.global;
    let Some(enabled) = &g.enable_script_security else {
        return;
    };
    if g.script_user.is_some() {
        return;
    }
    let Some((cmd, _)) = config
        .commands()
        .into_iter()
        .find(|(_, own_user)| !own_user)
    else {
        return;
    };
    ctx.report(
        &DEFAULT_SCRIPT_USER,
        enabled.span,
        "`enable_script_security` is set but `script_user` is not",
    )
    .with_related(cmd.span, "this script runs as `keepalived_script`")
    .with_note("keepalived disables these scripts (and their trackers) when the router has no `keepalived_script` user")
    .with_help("add `script_user USER` (a user that exists on the router) to global_defs");
}

/// `lvs_sync_daemon ... VRRP_INSTANCE` must name an instance.
fn check_sync_instance(ctx: &mut Ctx, config: &Config) {
    let Some(d) = &config.global.lvs_sync_daemon else {
        return;
    };
    let Some(inst) = &d.value.instance else {
        return;
    };
    if config.vrrp.instance(&inst.value).is_some() {
        return;
    }
    let names = config.vrrp.instances.iter().map(|i| i.name.value.as_str());
    let d = ctx.report(
        &SYNC_INSTANCE_UNKNOWN,
        inst.span,
        format!(
            "`lvs_sync_daemon` names vrrp_instance `{}`, which is not defined",
            inst.value
        ),
    );
    d.with_note("keepalived does not start the sync daemon");
    if let Some(s) = super::closest(&inst.value, names) {
        d.with_help(format!("did you mean `{s}`?"));
    }
}

/// keepalived runs scripts as root unless told otherwise, and `-t` then
/// reports a SECURITY VIOLATION (exit 6) when `enable_script_security` is
/// not set. Every script of every area counts (see `Config::commands`).
fn check_script_security(ctx: &mut Ctx, config: &Config) {
    let g = &config.global;
    if g.enable_script_security.is_some() {
        return;
    }
    let default_is_root = match &g.script_user {
        Some(u) => u.user == "root",
        None => true,
    };
    let first = config.commands().into_iter().find(|(c, own_user)| {
        let root_user = c.run_as.as_ref().is_some_and(|r| r.user == "root");
        (!own_user && default_is_root) || root_user
    });
    let Some((cmd, _)) = first else { return };
    ctx.report(
        &SCRIPT_SECURITY,
        cmd.span,
        "scripts run as root but `enable_script_security` is not set",
    )
    .with_note("unless a `keepalived_script` user exists, keepalived runs them as root and reports a SECURITY VIOLATION (exit 6)")
    .with_help("add `enable_script_security` and `script_user USER` to global_defs");
}

#[cfg(test)]
mod tests {
    use crate::testing::{codes, compile};

    /// Lowers `body` inside global_defs and returns the diagnostics' codes.
    fn defs_codes(body: &str) -> Vec<String> {
        codes(&compile(&format!("global_defs {{\n{body}\n}}\n")))
    }

    /// Found by the differential test: keepalived reports unknown types.
    #[test]
    fn include_check_types() {
        assert!(defs_codes("include_check").is_empty());
        assert!(defs_codes("include_check read +match -brace_match").is_empty());
        assert!(defs_codes("include_check +wildcard_match").is_empty());
        assert_eq!(defs_codes("include_check reed"), ["K0040"]);
        assert_eq!(defs_codes("include_check read +Match"), ["K0040"]);
        assert_eq!(defs_codes("include_check read match"), ["K0035"]);
    }

    #[test]
    fn typed_values() {
        let c = compile(
            "global_defs {\n router_id R1\n notification_email {\n a@b.c\n }\n\
             smtp_server 192.0.2.25 2525\n smtp_connect_timeout 30\n vrrp_version 3\n\
             vrrp_garp_interval 0.001\n umask 027\n vrrp_mcast_group4 224.0.0.19\n}\n\
             global_defs {\n notification_email {\n c@d.e\n }\n vrrp_strict\n}\n",
        );
        assert!(!c.has_errors(), "{}", c.render_human());
        let g = &c.config.global;
        assert_eq!(g.router_id.as_ref().map(|v| v.value.as_str()), Some("R1"));
        assert_eq!(g.notification_email.len(), 2);
        let smtp = g.smtp_server.as_ref().map(|s| s.value.to_string());
        assert_eq!(smtp.as_deref(), Some("192.0.2.25 2525"));
        assert_eq!(g.vrrp_version.as_ref().map(|v| v.value), Some(3));
        assert_eq!(
            g.vrrp_garp_interval.as_ref().map(|v| v.value.0),
            Some(1000)
        );
        assert_eq!(g.umask.as_ref().map(|v| v.value), Some(0o27));
        assert!(g.vrrp_strict.is_some());
    }

    #[test]
    fn top_level_keywords() {
        let c = compile(
            "net_namespace blue\ninstance one\nchild_wait_time 3\n\
             linkbeat_interfaces {\n eth0 MII\n}\ninterface_up_down_delays {\n eth0 1 2.5\n}\n\
             SSL {\n password x\n}\n",
        );
        assert!(!c.has_errors(), "{}", c.render_human());
        let g = &c.config.global;
        assert_eq!(
            g.net_namespace.as_ref().map(|v| v.value.as_str()),
            Some("blue")
        );
        assert_eq!(g.linkbeat_interfaces.len(), 1);
        assert_eq!(
            g.interface_up_down_delays[0].value.up.map(|m| m.0),
            Some(2_500_000)
        );
        assert!(g.ssl.as_ref().is_some_and(|s| s.password.is_some()));
    }

    #[test]
    fn errors() {
        assert_eq!(defs_codes("garp_master_delay 5"), ["K0100"]);
        assert_eq!(defs_codes("lvs_id LVS1"), ["K0100"]);
        // Top-level keywords are unknown inside global_defs in 2.2.7.
        for kw in [
            "net_namespace blue",
            "net_namespace_ipvs",
            "namespace_with_ipsets",
            "instance one",
            "use_pid_dir",
            "child_wait_time 3",
            "linkbeat_use_polling",
        ] {
            assert_eq!(defs_codes(kw), ["K0100"], "{kw}");
        }
        let c = compile("global_defs {\n net_namespace blue\n}\n");
        assert!(c.config.global.net_namespace.is_none());
        assert_eq!(defs_codes("vmac_prefix a\nvmac_prefix b"), ["K0101"]);
        assert_eq!(defs_codes("vrrp_mcast_group4 192.0.2.1"), ["K0102"]);
        assert_eq!(defs_codes("vrrp_mcast_group6 ff05::12"), ["K0103"]);
        assert_eq!(defs_codes("vrrp_garp_interval 0"), ["K0104"]);
        assert_eq!(defs_codes("vrrp_gna_interval 0"), ["K0104"]);
        assert_eq!(defs_codes("smtp_connect_timeout 0"), ["K0105"]);
        assert_eq!(defs_codes("notification_email {\n}"), ["K0106"]);
        assert_eq!(defs_codes("smtp_server 192.0.2.300"), ["K0107"]);
        assert_eq!(defs_codes("smtp_server foo/bar"), ["K0107"]);
        assert_eq!(
            defs_codes(
                "lvs_sync_daemon eth0 inst VI_1 id 4\nlvs_sync_daemon eth1"
            ),
            ["K0114", "K0101"]
        );
        assert_eq!(
            defs_codes("process_name a_very_long_process_name"),
            ["K0109"]
        );
        assert_eq!(defs_codes("umask IWGRP|IXXX"), ["K0110"]);
        assert_eq!(defs_codes("umask 0999"), ["K0110"]);
        assert_eq!(defs_codes("vrrp_rx_bufs_policy MTU ADVERT"), ["K0111"]);
        assert_eq!(defs_codes("json_version 2"), ["K0112"]);
        assert_eq!(defs_codes("vrrp_strict off"), ["K0115"]);
        assert_eq!(defs_codes("lvs_timeouts tcp"), ["K0116"]);
        assert_eq!(defs_codes("vrrp_version 4"), ["K0037"]);
        assert_eq!(defs_codes("vrrp_rt_priority 100"), ["K0037"]);
        assert_eq!(defs_codes("lvs_timeouts tcp 5 sctp 4"), ["K0040"]);
        assert_eq!(defs_codes("router_id a b"), ["K0035"]);
        assert_eq!(defs_codes("smtp_alert maybe"), ["K0038"]);
        assert_eq!(defs_codes("lvs_flush_onstop"), ["K0033"]);
        assert_eq!(defs_codes("router_idd x"), ["K0030"]);
    }

    #[test]
    fn legacy_sync_id_and_security() {
        let c = compile("global_defs {\n lvs_sync_daemon eth0 VI_1 7\n}\nvrrp_instance VI_1 {\n}\n");
        assert!(
            codes(&c).contains(&"K0108".to_owned()),
            "{}",
            c.render_human()
        );
        let id = c
            .config
            .global
            .lvs_sync_daemon
            .as_ref()
            .and_then(|d| d.value.id);
        assert_eq!(id, Some(7));
        let c = compile("vrrp_script s {\n script /bin/true\n}\n");
        assert!(codes(&c).contains(&"K0113".to_owned()));
        let c = compile("global_defs {\n enable_script_security\n}\nvrrp_script s {\n script /bin/true\n}\n");
        assert!(!codes(&c).contains(&"K0113".to_owned()));
    }

    #[test]
    fn dump_round_trip() {
        let text = "net_namespace_ipvs\nglobal_defs {\n router_id R\n smtp_server mail.example.com\n\
                    script_user u:g\n startup_script \"/bin/s a\" nobody\n lvs_timeouts udp 3\n\
                    lvs_timeouts tcp 4\n vrrp_garp_extra_if all 30\n umask IWGRP|IWOTH\n\
                    max_auto_priority\n vrrp_cpu_affinity 0 2\n nftables\n reload_file\n\
                    smtp_alert off\n enable_snmp_keepalived\n vrrp_rx_bufs_policy 4096\n}\n\
                    interface_up_down_delays {\n eth0 1.5\n}\n";
        let a = compile(text);
        assert!(!a.has_errors(), "{}", a.render_human());
        let d1 = a.dump();
        let b = compile(&d1);
        assert!(b.diagnostics.is_empty(), "{}\n{d1}", b.render_human());
        assert_eq!(a.config.global, b.config.global);
        assert_eq!(b.dump(), d1);
    }
}
