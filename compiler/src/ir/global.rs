//! `global_defs` and the other top-level settings (`net_namespace`,
//! `SSL`, `linkbeat_interfaces`, `interface_up_down_delays`, ...).
//!
//! Every setting is stored as written (`None` when absent), so the dump
//! reproduces the config; keepalived's defaults are not filled in.
//! Several `global_defs` blocks merge into one [`Global`].

use std::fmt;
use std::net::IpAddr;

use super::value::{Command, Micros, RunAs, Sp};

/// A flag keyword that takes no value (`vrrp_strict`). `Sp<()>` keeps
/// where it was written; equality ignores that.
pub type Flag = Option<Sp<()>>;

/// Everything `global_defs` and the top-level single-line keywords set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Global {
    // ---- top level, outside global_defs ----
    pub net_namespace: Option<Sp<String>>,
    /// `net_namespace_ipvs [NAME]`; `Some(None)` = the default namespace.
    pub net_namespace_ipvs: Option<Sp<Option<String>>>,
    pub namespace_with_ipsets: Flag,
    pub instance: Option<Sp<String>>,
    pub use_pid_dir: Flag,
    pub child_wait_time: Option<Sp<u64>>,
    pub linkbeat_use_polling: Flag,
    pub ssl: Option<Ssl>,
    pub linkbeat_interfaces: Vec<Sp<Linkbeat>>,
    pub interface_up_down_delays: Vec<Sp<UpDownDelay>>,

    // ---- identity and e-mail ----
    pub router_id: Option<Sp<String>>,
    /// Addresses from every `notification_email` block, in order.
    pub notification_email: Vec<Sp<String>>,
    pub notification_email_from: Option<Sp<String>>,
    pub smtp_server: Option<Sp<SmtpServer>>,
    pub smtp_helo_name: Option<Sp<String>>,
    pub smtp_connect_timeout: Option<Sp<u64>>,
    pub smtp_alert: Option<Sp<bool>>,
    pub smtp_alert_vrrp: Option<Sp<bool>>,
    pub smtp_alert_checker: Option<Sp<bool>>,
    pub checker_log_all_failures: Option<Sp<bool>>,
    pub no_email_faults: Flag,
    pub no_checker_emails: Option<Sp<bool>>,
    pub rs_init_notifies: Option<Sp<bool>>,

    // ---- scripts ----
    pub enable_script_security: Flag,
    pub script_user: Option<Sp<RunAs>>,
    pub startup_script: Option<Sp<Command>>,
    pub startup_script_timeout: Option<Sp<u64>>,
    pub shutdown_script: Option<Sp<Command>>,
    pub shutdown_script_timeout: Option<Sp<u64>>,
    pub notify_fifo: NotifyFifo,
    pub vrrp_notify_fifo: NotifyFifo,
    pub lvs_notify_fifo: NotifyFifo,
    pub vrrp_notify_priority_changes: Option<Sp<bool>>,
    pub fifo_write_vrrp_states_on_reload: Flag,

    // ---- interfaces ----
    pub default_interface: Option<Sp<String>>,
    pub dynamic_interfaces: Option<Sp<DynamicInterfaces>>,
    pub disable_local_igmp: Flag,
    pub vmac_prefix: Option<Sp<String>>,
    pub vmac_addr_prefix: Option<Sp<String>>,

    // ---- LVS ----
    pub lvs_timeouts: Option<Sp<LvsTimeouts>>,
    pub lvs_flush: Flag,
    pub lvs_flush_on_stop: Option<Sp<LvsFlushOnStop>>,
    pub lvs_sync_daemon: Option<Sp<LvsSyncDaemon>>,

    // ---- VRRP ----
    pub vrrp_mcast_group4: Option<Sp<IpAddr>>,
    pub vrrp_mcast_group6: Option<Sp<IpAddr>>,
    pub vrrp_garp_master_delay: Option<Sp<u64>>,
    pub vrrp_garp_master_repeat: Option<Sp<u64>>,
    pub vrrp_garp_master_refresh: Option<Sp<u64>>,
    pub vrrp_garp_master_refresh_repeat: Option<Sp<u64>>,
    pub vrrp_garp_lower_prio_delay: Option<Sp<u64>>,
    pub vrrp_garp_lower_prio_repeat: Option<Sp<u64>>,
    pub vrrp_down_timer_adverts: Option<Sp<u64>>,
    pub vrrp_garp_interval: Option<Sp<Micros>>,
    pub vrrp_gna_interval: Option<Sp<Micros>>,
    pub vrrp_min_garp: Option<Sp<bool>>,
    pub vrrp_garp_extra_if: Option<Sp<GarpExtraIf>>,
    pub vrrp_lower_prio_no_advert: Option<Sp<bool>>,
    pub vrrp_higher_prio_send_advert: Option<Sp<bool>>,
    pub vrrp_version: Option<Sp<u64>>,
    pub vrrp_check_unicast_src: Flag,
    pub vrrp_skip_check_adv_addr: Flag,
    pub vrrp_strict: Flag,
    pub vrrp_startup_delay: Option<Sp<Micros>>,
    pub log_unknown_vrids: Flag,
    pub vrrp_rx_bufs_policy: Option<Sp<RxBufsPolicy>>,
    pub vrrp_rx_bufs_multiplier: Option<Sp<u64>>,

    // ---- firewall ----
    /// `vrrp_iptables [IN [OUT]]`: the chain names given.
    pub vrrp_iptables: Option<Sp<Vec<String>>>,
    /// `vrrp_ipsets [NAME...]` (up to 5 set names).
    pub vrrp_ipsets: Option<Sp<Vec<String>>>,
    /// `nftables [TABLE]`.
    pub nftables: Option<Sp<Option<String>>>,
    pub nftables_priority: Option<Sp<i64>>,
    pub nftables_ifindex: Flag,
    pub nftables_counters: Flag,
    pub nftables_ipvs: Option<Sp<Option<String>>>,
    pub nftables_ipvs_priority: Option<Sp<i64>>,
    pub nftables_ipvs_start_fwmark: Option<Sp<u64>>,

    // ---- processes ----
    pub vrrp_process: ProcessSettings,
    pub checker_process: ProcessSettings,
    pub bfd_process: ProcessSettings,
    pub max_auto_priority: Option<Sp<Option<i64>>>,
    pub min_auto_priority_delay: Option<Sp<i64>>,
    pub process_names: Flag,
    pub process_name: Option<Sp<String>>,
    pub vrrp_process_name: Option<Sp<String>>,
    pub checker_process_name: Option<Sp<String>>,
    pub bfd_process_name: Option<Sp<String>>,

    // ---- SNMP and D-Bus ----
    pub snmp_socket: Option<Sp<String>>,
    pub enable_traps: Flag,
    pub enable_snmp_vrrp: Flag,
    pub enable_snmp_checker: Flag,
    pub enable_snmp_rfc: Flag,
    pub enable_snmp_rfcv2: Flag,
    pub enable_snmp_rfcv3: Flag,
    pub enable_dbus: Flag,
    pub dbus_service_name: Option<Sp<String>>,

    // ---- netlink buffers ----
    pub vrrp_netlink_cmd_rcv_bufs: Option<Sp<u64>>,
    pub vrrp_netlink_cmd_rcv_bufs_force: Option<Sp<bool>>,
    pub vrrp_netlink_monitor_rcv_bufs: Option<Sp<u64>>,
    pub vrrp_netlink_monitor_rcv_bufs_force: Option<Sp<bool>>,
    pub process_monitor_rcv_bufs: Option<Sp<u64>>,
    pub process_monitor_rcv_bufs_force: Option<Sp<bool>>,
    pub lvs_netlink_cmd_rcv_bufs: Option<Sp<u64>>,
    pub lvs_netlink_cmd_rcv_bufs_force: Option<Sp<bool>>,
    pub lvs_netlink_monitor_rcv_bufs: Option<Sp<u64>>,
    pub lvs_netlink_monitor_rcv_bufs_force: Option<Sp<bool>>,

    // ---- files, reload, misc ----
    /// Permission bits (`umask 022` or `umask IWGRP|IWOTH`).
    pub umask: Option<Sp<u32>>,
    pub random_seed: Option<Sp<u64>>,
    /// `reload_check_config [LOGFILE]`.
    pub reload_check_config: Option<Sp<Option<String>>>,
    pub reload_time_file: Option<Sp<String>>,
    pub reload_repeat: Flag,
    /// `reload_file [PATH]`.
    pub reload_file: Option<Sp<Option<String>>>,
    /// `include_check [OPTIONS...]`, the words as written.
    pub include_check: Option<Sp<Vec<String>>>,
    pub config_save_dir: Option<Sp<String>>,
    pub tmp_config_directory: Option<Sp<String>>,
    pub data_use_instance: Option<Sp<bool>>,
}

/// `smtp_server HOST [PORT]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpServer {
    pub host: SmtpHost,
    pub port: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmtpHost {
    Ip(IpAddr),
    /// A host name, resolved by keepalived at start-up.
    Name(String),
}

impl fmt::Display for SmtpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            SmtpHost::Ip(a) => write!(f, "{a}")?,
            SmtpHost::Name(n) => write!(f, "{n}")?,
        }
        if let Some(p) = self.port {
            write!(f, " {p}")?;
        }
        Ok(())
    }
}

/// A notify FIFO (`notify_fifo PATH [user [group]]`) and the script that
/// reads it (`notify_fifo_script SCRIPT [user [group]]`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NotifyFifo {
    pub fifo: Option<Sp<Fifo>>,
    pub script: Option<Sp<Command>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fifo {
    pub path: String,
    pub run_as: Option<RunAs>,
}

/// `dynamic_interfaces [allow_if_changes]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DynamicInterfaces {
    On,
    AllowIfChanges,
}

/// `lvs_timeouts [tcp S] [tcpfin S] [udp S]`; several lines merge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LvsTimeouts {
    pub tcp: Option<u64>,
    pub tcpfin: Option<u64>,
    pub udp: Option<u64>,
}

/// `lvs_flush_on_stop [VS]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LvsFlushOnStop {
    /// Bare: flush the whole IPVS table.
    Full,
    /// `VS`: remove only the virtual servers keepalived configured.
    Vs,
}

/// `lvs_sync_daemon IF [inst] VRRP_INSTANCE [id N] [maxlen N] [port N]
/// [ttl N] [group IP]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LvsSyncDaemon {
    pub interface: String,
    pub instance: Option<Sp<String>>,
    pub id: Option<u8>,
    pub maxlen: Option<u16>,
    pub port: Option<u16>,
    pub ttl: Option<u8>,
    pub group: Option<IpAddr>,
}

/// `vrrp_garp_extra_if [all] SECS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GarpExtraIf {
    pub all: bool,
    pub secs: u64,
}

/// `vrrp_rx_bufs_policy MTU|ADVERT|SIZE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RxBufsPolicy {
    Mtu,
    Advert,
    Size(u64),
}

impl fmt::Display for RxBufsPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RxBufsPolicy::Mtu => f.write_str("MTU"),
            RxBufsPolicy::Advert => f.write_str("ADVERT"),
            RxBufsPolicy::Size(n) => write!(f, "{n}"),
        }
    }
}

/// Scheduling settings of one child process (`vrrp_priority`,
/// `vrrp_rt_priority`, `vrrp_no_swap`, `vrrp_cpu_affinity`,
/// `vrrp_rlimit_rttime`, and the same for `checker_` and `bfd_`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProcessSettings {
    /// Nice value, -20..=19.
    pub priority: Option<Sp<i64>>,
    /// SCHED_RR priority, 1..=99.
    pub rt_priority: Option<Sp<i64>>,
    pub no_swap: Flag,
    pub cpu_affinity: Option<Sp<Vec<u32>>>,
    /// Microseconds of real-time CPU before SIGXCPU.
    pub rlimit_rttime: Option<Sp<u64>>,
}

/// `SSL { password ca certificate key }` for SSL_GET checkers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ssl {
    pub password: Option<Sp<String>>,
    pub ca: Option<Sp<String>>,
    pub certificate: Option<Sp<String>>,
    pub key: Option<Sp<String>>,
}

/// One `linkbeat_interfaces` entry: `IF [MII|ETHTOOL|IOCTL]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linkbeat {
    pub interface: String,
    pub kind: Option<LinkbeatKind>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkbeatKind {
    Mii,
    Ethtool,
    Ioctl,
}

impl LinkbeatKind {
    pub fn name(self) -> &'static str {
        match self {
            LinkbeatKind::Mii => "MII",
            LinkbeatKind::Ethtool => "ETHTOOL",
            LinkbeatKind::Ioctl => "IOCTL",
        }
    }
}

/// One `interface_up_down_delays` entry: `IF DOWN [UP]` (seconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpDownDelay {
    pub interface: String,
    pub down: Micros,
    pub up: Option<Micros>,
}
