//! Dump of `global_defs` and the top-level settings: the top-level
//! single-line keywords first, then one `global_defs` block (several in
//! the source merge into one), then `SSL`, `linkbeat_interfaces` and
//! `interface_up_down_delays`.

use super::Writer;
use crate::ir::global::*;
use crate::ir::value::{quote_word, Sp};
use crate::ir::Config;

pub fn dump(w: &mut Writer, config: &Config) {
    let g = &config.global;
    top_level(w, g);
    let mut body = Writer::default();
    defs(&mut body, g);
    let body = body.finish();
    if !body.is_empty() {
        w.blank();
        w.open("global_defs");
        for line in body.lines() {
            w.line(line);
        }
        w.close();
    }
    blocks(w, g);
}

fn top_level(w: &mut Writer, g: &Global) {
    word(w, "net_namespace", &g.net_namespace);
    opt_word(w, "net_namespace_ipvs", &g.net_namespace_ipvs);
    flag(w, "namespace_with_ipsets", &g.namespace_with_ipsets);
    word(w, "instance", &g.instance);
    flag(w, "use_pid_dir", &g.use_pid_dir);
    w.opt("child_wait_time", &g.child_wait_time);
    flag(w, "linkbeat_use_polling", &g.linkbeat_use_polling);
}

fn blocks(w: &mut Writer, g: &Global) {
    if let Some(s) = &g.ssl {
        w.blank();
        w.open("SSL");
        word(w, "password", &s.password);
        word(w, "ca", &s.ca);
        word(w, "certificate", &s.certificate);
        word(w, "key", &s.key);
        w.close();
    }
    if !g.linkbeat_interfaces.is_empty() {
        w.blank();
        w.open("linkbeat_interfaces");
        for l in &g.linkbeat_interfaces {
            match l.value.kind {
                Some(k) => w.line(format_args!(
                    "{} {}",
                    quote_word(&l.value.interface),
                    k.name()
                )),
                None => w.line(quote_word(&l.value.interface)),
            }
        }
        w.close();
    }
    if !g.interface_up_down_delays.is_empty() {
        w.blank();
        w.open("interface_up_down_delays");
        for d in &g.interface_up_down_delays {
            let d = &d.value;
            match d.up {
                Some(up) => w.line(format_args!(
                    "{} {} {up}",
                    quote_word(&d.interface),
                    d.down
                )),
                None => w.line(format_args!(
                    "{} {}",
                    quote_word(&d.interface),
                    d.down
                )),
            }
        }
        w.close();
    }
}

/// The body of `global_defs`, in keepalived's documentation order.
fn defs(w: &mut Writer, g: &Global) {
    email(w, g);
    scripts(w, g);
    interfaces(w, g);
    lvs(w, g);
    vrrp(w, g);
    firewall(w, g);
    processes(w, g);
    snmp_and_buffers(w, g);
    files(w, g);
}

fn email(w: &mut Writer, g: &Global) {
    word(w, "router_id", &g.router_id);
    if !g.notification_email.is_empty() {
        w.open("notification_email");
        for e in &g.notification_email {
            w.line(quote_word(&e.value));
        }
        w.close();
    }
    word(w, "notification_email_from", &g.notification_email_from);
    w.opt("smtp_server", &g.smtp_server);
    word(w, "smtp_helo_name", &g.smtp_helo_name);
    w.opt("smtp_connect_timeout", &g.smtp_connect_timeout);
    boolean(w, "smtp_alert", &g.smtp_alert);
    boolean(w, "smtp_alert_vrrp", &g.smtp_alert_vrrp);
    boolean(w, "smtp_alert_checker", &g.smtp_alert_checker);
    boolean(w, "checker_log_all_failures", &g.checker_log_all_failures);
    flag(w, "no_email_faults", &g.no_email_faults);
    boolean(w, "no_checker_emails", &g.no_checker_emails);
    boolean(w, "rs_init_notifies", &g.rs_init_notifies);
}

fn scripts(w: &mut Writer, g: &Global) {
    flag(w, "enable_script_security", &g.enable_script_security);
    w.opt("script_user", &g.script_user);
    w.opt("startup_script", &g.startup_script);
    w.opt("startup_script_timeout", &g.startup_script_timeout);
    w.opt("shutdown_script", &g.shutdown_script);
    w.opt("shutdown_script_timeout", &g.shutdown_script_timeout);
    fifo(w, "", &g.notify_fifo);
    fifo(w, "vrrp_", &g.vrrp_notify_fifo);
    fifo(w, "lvs_", &g.lvs_notify_fifo);
    boolean(
        w,
        "vrrp_notify_priority_changes",
        &g.vrrp_notify_priority_changes,
    );
    flag(
        w,
        "fifo_write_vrrp_states_on_reload",
        &g.fifo_write_vrrp_states_on_reload,
    );
}

fn fifo(w: &mut Writer, prefix: &str, f: &NotifyFifo) {
    if let Some(fifo) = &f.fifo {
        let key = format!("{prefix}notify_fifo");
        match &fifo.value.run_as {
            Some(r) => w.line(format_args!(
                "{key} {} {r}",
                quote_word(&fifo.value.path)
            )),
            None => w.kv(&key, quote_word(&fifo.value.path)),
        }
    }
    w.opt(&format!("{prefix}notify_fifo_script"), &f.script);
}

fn interfaces(w: &mut Writer, g: &Global) {
    word(w, "default_interface", &g.default_interface);
    match g.dynamic_interfaces.as_ref().map(|d| d.value) {
        Some(DynamicInterfaces::On) => w.line("dynamic_interfaces"),
        Some(DynamicInterfaces::AllowIfChanges) => {
            w.line("dynamic_interfaces allow_if_changes")
        }
        None => {}
    }
    flag(w, "disable_local_igmp", &g.disable_local_igmp);
    word(w, "vmac_prefix", &g.vmac_prefix);
    word(w, "vmac_addr_prefix", &g.vmac_addr_prefix);
}

fn lvs(w: &mut Writer, g: &Global) {
    if let Some(t) = &g.lvs_timeouts {
        let mut line = String::from("lvs_timeouts");
        for (k, v) in [
            ("tcp", t.value.tcp),
            ("tcpfin", t.value.tcpfin),
            ("udp", t.value.udp),
        ] {
            if let Some(v) = v {
                line.push_str(&format!(" {k} {v}"));
            }
        }
        // An `lvs_timeouts` whose every value was rejected dumps nothing.
        if line.len() > "lvs_timeouts".len() {
            w.line(line);
        }
    }
    flag(w, "lvs_flush", &g.lvs_flush);
    match g.lvs_flush_on_stop.as_ref().map(|f| f.value) {
        Some(LvsFlushOnStop::Full) => w.line("lvs_flush_on_stop"),
        Some(LvsFlushOnStop::Vs) => w.line("lvs_flush_on_stop VS"),
        None => {}
    }
    if let Some(d) = &g.lvs_sync_daemon {
        w.kv("lvs_sync_daemon", sync_daemon(&d.value));
    }
}

fn sync_daemon(d: &LvsSyncDaemon) -> String {
    let mut s = quote_word(&d.interface);
    if let Some(i) = &d.instance {
        s.push_str(&format!(" inst {}", quote_word(&i.value)));
    }
    let nums = [
        ("id", d.id.map(u64::from)),
        ("maxlen", d.maxlen.map(u64::from)),
        ("port", d.port.map(u64::from)),
        ("ttl", d.ttl.map(u64::from)),
    ];
    for (k, v) in nums {
        if let Some(v) = v {
            s.push_str(&format!(" {k} {v}"));
        }
    }
    if let Some(g) = d.group {
        s.push_str(&format!(" group {g}"));
    }
    s
}

fn vrrp(w: &mut Writer, g: &Global) {
    w.opt("vrrp_mcast_group4", &g.vrrp_mcast_group4);
    w.opt("vrrp_mcast_group6", &g.vrrp_mcast_group6);
    w.opt("vrrp_garp_master_delay", &g.vrrp_garp_master_delay);
    w.opt("vrrp_garp_master_repeat", &g.vrrp_garp_master_repeat);
    w.opt("vrrp_garp_master_refresh", &g.vrrp_garp_master_refresh);
    w.opt(
        "vrrp_garp_master_refresh_repeat",
        &g.vrrp_garp_master_refresh_repeat,
    );
    w.opt("vrrp_garp_lower_prio_delay", &g.vrrp_garp_lower_prio_delay);
    w.opt(
        "vrrp_garp_lower_prio_repeat",
        &g.vrrp_garp_lower_prio_repeat,
    );
    w.opt("vrrp_down_timer_adverts", &g.vrrp_down_timer_adverts);
    w.opt("vrrp_garp_interval", &g.vrrp_garp_interval);
    w.opt("vrrp_gna_interval", &g.vrrp_gna_interval);
    boolean(w, "vrrp_min_garp", &g.vrrp_min_garp);
    if let Some(e) = &g.vrrp_garp_extra_if {
        let all = if e.value.all { "all " } else { "" };
        w.line(format_args!("vrrp_garp_extra_if {all}{}", e.value.secs));
    }
    boolean(w, "vrrp_lower_prio_no_advert", &g.vrrp_lower_prio_no_advert);
    boolean(
        w,
        "vrrp_higher_prio_send_advert",
        &g.vrrp_higher_prio_send_advert,
    );
    w.opt("vrrp_version", &g.vrrp_version);
    flag(w, "vrrp_check_unicast_src", &g.vrrp_check_unicast_src);
    flag(w, "vrrp_skip_check_adv_addr", &g.vrrp_skip_check_adv_addr);
    flag(w, "vrrp_strict", &g.vrrp_strict);
    w.opt("vrrp_startup_delay", &g.vrrp_startup_delay);
    flag(w, "log_unknown_vrids", &g.log_unknown_vrids);
    w.opt("vrrp_rx_bufs_policy", &g.vrrp_rx_bufs_policy);
    w.opt("vrrp_rx_bufs_multiplier", &g.vrrp_rx_bufs_multiplier);
}

fn firewall(w: &mut Writer, g: &Global) {
    words(w, "vrrp_iptables", &g.vrrp_iptables);
    words(w, "vrrp_ipsets", &g.vrrp_ipsets);
    opt_word(w, "nftables", &g.nftables);
    w.opt("nftables_priority", &g.nftables_priority);
    flag(w, "nftables_ifindex", &g.nftables_ifindex);
    flag(w, "nftables_counters", &g.nftables_counters);
    opt_word(w, "nftables_ipvs", &g.nftables_ipvs);
    w.opt("nftables_ipvs_priority", &g.nftables_ipvs_priority);
    w.opt("nftables_ipvs_start_fwmark", &g.nftables_ipvs_start_fwmark);
}

fn processes(w: &mut Writer, g: &Global) {
    for (p, s) in [
        ("vrrp", &g.vrrp_process),
        ("checker", &g.checker_process),
        ("bfd", &g.bfd_process),
    ] {
        w.opt(&format!("{p}_priority"), &s.priority);
        w.opt(&format!("{p}_rt_priority"), &s.rt_priority);
        flag(w, &format!("{p}_no_swap"), &s.no_swap);
        if let Some(cpus) = &s.cpu_affinity {
            let list: Vec<String> =
                cpus.value.iter().map(u32::to_string).collect();
            w.kv(&format!("{p}_cpu_affinity"), list.join(" "));
        }
        w.opt(&format!("{p}_rlimit_rttime"), &s.rlimit_rttime);
    }
    match &g.max_auto_priority {
        Some(Sp { value: Some(v), .. }) => w.kv("max_auto_priority", v),
        Some(Sp { value: None, .. }) => w.line("max_auto_priority"),
        None => {}
    }
    w.opt("min_auto_priority_delay", &g.min_auto_priority_delay);
    flag(w, "process_names", &g.process_names);
    word(w, "process_name", &g.process_name);
    word(w, "vrrp_process_name", &g.vrrp_process_name);
    word(w, "checker_process_name", &g.checker_process_name);
    word(w, "bfd_process_name", &g.bfd_process_name);
}

fn snmp_and_buffers(w: &mut Writer, g: &Global) {
    word(w, "snmp_socket", &g.snmp_socket);
    flag(w, "enable_traps", &g.enable_traps);
    flag(w, "enable_snmp_vrrp", &g.enable_snmp_vrrp);
    flag(w, "enable_snmp_checker", &g.enable_snmp_checker);
    flag(w, "enable_snmp_rfc", &g.enable_snmp_rfc);
    flag(w, "enable_snmp_rfcv2", &g.enable_snmp_rfcv2);
    flag(w, "enable_snmp_rfcv3", &g.enable_snmp_rfcv3);
    flag(w, "enable_dbus", &g.enable_dbus);
    word(w, "dbus_service_name", &g.dbus_service_name);
    let bufs = [
        (
            "vrrp_netlink_cmd_rcv_bufs",
            &g.vrrp_netlink_cmd_rcv_bufs,
            &g.vrrp_netlink_cmd_rcv_bufs_force,
        ),
        (
            "vrrp_netlink_monitor_rcv_bufs",
            &g.vrrp_netlink_monitor_rcv_bufs,
            &g.vrrp_netlink_monitor_rcv_bufs_force,
        ),
        (
            "process_monitor_rcv_bufs",
            &g.process_monitor_rcv_bufs,
            &g.process_monitor_rcv_bufs_force,
        ),
        (
            "lvs_netlink_cmd_rcv_bufs",
            &g.lvs_netlink_cmd_rcv_bufs,
            &g.lvs_netlink_cmd_rcv_bufs_force,
        ),
        (
            "lvs_netlink_monitor_rcv_bufs",
            &g.lvs_netlink_monitor_rcv_bufs,
            &g.lvs_netlink_monitor_rcv_bufs_force,
        ),
    ];
    for (k, size, force) in bufs {
        w.opt(k, size);
        boolean(w, &format!("{k}_force"), force);
    }
}

fn files(w: &mut Writer, g: &Global) {
    if let Some(m) = &g.umask {
        w.kv("umask", format_args!("0{:03o}", m.value));
    }
    w.opt("random_seed", &g.random_seed);
    opt_word(w, "reload_check_config", &g.reload_check_config);
    word(w, "reload_time_file", &g.reload_time_file);
    flag(w, "reload_repeat", &g.reload_repeat);
    opt_word(w, "reload_file", &g.reload_file);
    words(w, "include_check", &g.include_check);
    word(w, "config_save_dir", &g.config_save_dir);
    word(w, "tmp_config_directory", &g.tmp_config_directory);
    boolean(w, "data_use_instance", &g.data_use_instance);
}

// ---- helpers ----

fn flag(w: &mut Writer, key: &str, f: &Flag) {
    w.flag(key, f.is_some());
}

/// `key` for true, `key false` for false.
fn boolean(w: &mut Writer, key: &str, v: &Option<Sp<bool>>) {
    match v.as_ref().map(|b| b.value) {
        Some(true) => w.line(key),
        Some(false) => w.kv(key, "false"),
        None => {}
    }
}

fn word(w: &mut Writer, key: &str, v: &Option<Sp<String>>) {
    if let Some(v) = v {
        w.kv(key, quote_word(&v.value));
    }
}

fn opt_word(w: &mut Writer, key: &str, v: &Option<Sp<Option<String>>>) {
    match v.as_ref().map(|v| &v.value) {
        Some(Some(s)) => w.kv(key, quote_word(s)),
        Some(None) => w.line(key),
        None => {}
    }
}

fn words(w: &mut Writer, key: &str, v: &Option<Sp<Vec<String>>>) {
    if let Some(v) = v {
        let mut line = key.to_owned();
        for s in &v.value {
            line.push(' ');
            line.push_str(&quote_word(s));
        }
        w.line(line);
    }
}
