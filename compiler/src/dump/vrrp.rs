//! Dump of `vrrp_sync_group` and `vrrp_instance` blocks, keywords in a
//! fixed order, one per line.

use super::Writer;
use crate::ir::value::{quote_word, Command, Sp};
use crate::ir::vrrp::{
    Notify, OldChecksum, SyncGroup, TrackKind, Tracking, VrrpInstance,
};
use crate::ir::Config;

pub fn dump(w: &mut Writer, config: &Config) {
    for sg in &config.vrrp.sync_groups {
        w.blank();
        sync_group(w, sg);
    }
    for inst in &config.vrrp.instances {
        w.blank();
        instance(w, inst);
    }
}

fn sync_group(w: &mut Writer, sg: &SyncGroup) {
    w.open(format_args!("vrrp_sync_group {}", quote_word(&sg.name)));
    if let Some(g) = &sg.group {
        w.open("group");
        for m in g.value.iter() {
            w.line(quote_word(m));
        }
        w.close();
    }
    tracking(w, &sg.tracking);
    notify(w, &sg.notify);
    boolean(w, "smtp_alert", &sg.smtp_alert);
    w.flag("sync_group_tracking_weight", sg.sync_group_tracking_weight);
    boolean(w, "notify_priority_changes", &sg.notify_priority_changes);
    w.close();
}

fn instance(w: &mut Writer, i: &VrrpInstance) {
    w.open(format_args!("vrrp_instance {}", quote_word(&i.name)));
    w.opt("state", &i.state);
    word(w, "interface", &i.interface);
    word(w, "vrf", &i.vrf);
    w.opt("virtual_router_id", &i.virtual_router_id);
    w.opt("priority", &i.priority);
    w.opt("advert_int", &i.advert_int);
    w.opt("version", &i.version);
    w.flag("native_ipv6", i.native_ipv6.is_some());
    addressing(w, i);
    if let Some(a) = &i.authentication {
        w.open("authentication");
        w.opt("auth_type", &a.auth_type);
        word(w, "auth_pass", &a.auth_pass);
        w.close();
    }
    block(w, "virtual_ipaddress", &i.virtual_ipaddress);
    block(
        w,
        "virtual_ipaddress_excluded",
        &i.virtual_ipaddress_excluded,
    );
    block(w, "virtual_routes", &i.virtual_routes);
    block(w, "virtual_rules", &i.virtual_rules);
    match i.preempt.as_ref().map(|p| p.value) {
        Some(true) => w.line("preempt"),
        Some(false) => w.line("nopreempt"),
        None => {}
    }
    w.opt("preempt_delay", &i.preempt_delay);
    tracking(w, &i.tracking);
    w.flag("dont_track_primary", i.dont_track_primary);
    w.flag("track_src_ip", i.track_src_ip);
    vmac(w, i);
    w.flag("promote_secondaries", i.promote_secondaries);
    match i.accept.as_ref().map(|p| p.value) {
        Some(true) => w.line("accept"),
        Some(false) => w.line("no_accept"),
        None => {}
    }
    boolean(w, "skip_check_adv_addr", &i.skip_check_adv_addr);
    boolean(w, "strict_mode", &i.strict_mode);
    garp(w, i);
    notify(w, &i.notify);
    boolean(w, "notify_priority_changes", &i.notify_priority_changes);
    boolean(w, "smtp_alert", &i.smtp_alert);
    w.opt("debug", &i.debug);
    w.opt("kernel_rx_buf_size", &i.kernel_rx_buf_size);
    w.flag("linkbeat_use_polling", i.linkbeat_use_polling);
    word(w, "lvs_sync_daemon_interface", &i.lvs_sync_daemon_interface);
    w.close();
}

/// Source and destination addresses, unicast settings.
fn addressing(w: &mut Writer, i: &VrrpInstance) {
    w.opt("mcast_src_ip", &i.mcast_src_ip);
    w.opt("mcast_dst_ip", &i.mcast_dst_ip);
    w.opt("unicast_src_ip", &i.unicast_src_ip);
    if let Some(peers) = &i.unicast_peer {
        w.open("unicast_peer");
        for p in peers.value.iter() {
            w.line(p);
        }
        w.close();
    }
    w.opt("unicast_ttl", &i.unicast_ttl);
    w.flag("unicast_fault_no_peer", i.unicast_fault_no_peer);
    w.flag("check_unicast_src", i.check_unicast_src);
    match i.old_unicast_checksum.as_ref().map(|c| c.value) {
        Some(OldChecksum::Use) => w.line("old_unicast_checksum"),
        Some(OldChecksum::Never) => w.line("old_unicast_checksum never"),
        None => {}
    }
}

fn vmac(w: &mut Writer, i: &VrrpInstance) {
    if let Some(v) = &i.use_vmac {
        let mut words = vec!["use_vmac".to_owned()];
        words.extend(v.ifname.iter().map(|n| n.value.clone()));
        words.extend(v.mac.iter().map(|m| m.value.clone()));
        w.line(words.join(" "));
    }
    w.flag("use_vmac_addr", i.use_vmac_addr);
    w.flag("vmac_xmit_base", i.vmac_xmit_base);
    if let Some(v) = &i.use_ipvlan {
        let mut words = vec!["use_ipvlan".to_owned()];
        words.extend(v.ifname.iter().map(|n| n.value.clone()));
        words.extend(v.address.iter().map(|a| a.value.to_string()));
        words.extend(v.mode.iter().map(|m| m.value.to_string()));
        w.line(words.join(" "));
    }
}

fn garp(w: &mut Writer, i: &VrrpInstance) {
    w.opt("garp_master_delay", &i.garp_master_delay);
    w.opt("garp_master_repeat", &i.garp_master_repeat);
    w.opt("garp_master_refresh", &i.garp_master_refresh);
    w.opt("garp_master_refresh_repeat", &i.garp_master_refresh_repeat);
    w.opt("garp_lower_prio_delay", &i.garp_lower_prio_delay);
    w.opt("garp_lower_prio_repeat", &i.garp_lower_prio_repeat);
    if let Some(g) = &i.garp_extra_if {
        if g.all {
            w.kv("garp_extra_if all", g.interval);
        } else {
            w.kv("garp_extra_if", g.interval);
        }
    }
    w.opt("down_timer_adverts", &i.down_timer_adverts);
    boolean(w, "lower_prio_no_advert", &i.lower_prio_no_advert);
    boolean(w, "higher_prio_send_advert", &i.higher_prio_send_advert);
}

fn tracking(w: &mut Writer, t: &Tracking) {
    for kind in TrackKind::ALL {
        block(w, kind.keyword(), t.of(kind));
    }
}

fn notify(w: &mut Writer, n: &Notify) {
    command(w, "notify_master", &n.master);
    command(w, "notify_backup", &n.backup);
    command(w, "notify_fault", &n.fault);
    command(w, "notify_stop", &n.stop);
    command(w, "notify", &n.notify);
    command(w, "notify_master_rx_lower_pri", &n.master_rx_lower_pri);
    if let Some(d) = &n.deleted {
        match &d.value {
            Some(c) => w.kv("notify_deleted", c),
            None => w.line("notify_deleted"),
        }
    }
}

fn command(w: &mut Writer, key: &str, c: &Option<Sp<Command>>) {
    w.opt(key, c);
}

/// A value block: `key {`, one entry per line, `}`; nothing when empty.
fn block<T: std::fmt::Display>(w: &mut Writer, key: &str, entries: &[T]) {
    if entries.is_empty() {
        return;
    }
    w.open(key);
    for e in entries {
        w.line(e);
    }
    w.close();
}

/// A free-text word, quoted when it needs it.
fn word(w: &mut Writer, key: &str, v: &Option<Sp<String>>) {
    if let Some(v) = v {
        w.kv(key, quote_word(v));
    }
}

/// `KEYWORD [BOOL]`: written bare when true.
fn boolean(w: &mut Writer, key: &str, v: &Option<Sp<bool>>) {
    match v.as_ref().map(|b| b.value) {
        Some(true) => w.line(key),
        Some(false) => w.kv(key, "false"),
        None => {}
    }
}
