//! Dump of the LVS part of the IR: `virtual_server_group` blocks, then
//! `virtual_server` blocks, in current spellings (`lvs_sched`,
//! `lvs_method`, `retry`).

use super::Writer;
use crate::ir::lvs::{
    CheckDetail, Checker, ConnectOpts, RealServer, Timing, Url, VirtualServer,
    VirtualServerGroup,
};
use crate::ir::value::{quote_word, Sp};
use crate::ir::Config;

pub fn dump(w: &mut Writer, config: &Config) {
    for g in &config.lvs.groups {
        w.blank();
        group(w, g);
    }
    for vs in &config.lvs.servers {
        w.blank();
        virtual_server(w, vs);
    }
}

fn group(w: &mut Writer, g: &VirtualServerGroup) {
    w.open(format_args!("virtual_server_group {}", g.name.value));
    for e in &g.entries {
        w.line(e.value);
    }
    w.close();
}

/// A free-text value, quoted when it needs it.
fn word(w: &mut Writer, key: &str, v: &Option<Sp<String>>) {
    if let Some(v) = v {
        w.kv(key, quote_word(&v.value));
    }
}

/// `key on|off` for an optional boolean.
fn onoff(w: &mut Writer, key: &str, v: &Option<Sp<bool>>) {
    if let Some(v) = v {
        w.kv(key, if v.value { "on" } else { "off" });
    }
}

fn timing(w: &mut Writer, t: &Timing) {
    w.opt("delay_loop", &t.delay_loop);
    w.opt("connect_timeout", &t.connect_timeout);
    w.opt("retry", &t.retry);
    w.opt("delay_before_retry", &t.delay_before_retry);
    w.opt("warmup", &t.warmup);
}

fn virtual_server(w: &mut Writer, vs: &VirtualServer) {
    w.open(format_args!("virtual_server {}", vs.key.value));
    if let Some(f) = &vs.ip_family {
        w.kv("ip_family", crate::ir::lvs::family_keyword(f.value));
    }
    w.opt("lvs_sched", &vs.sched);
    for f in &vs.flags {
        w.line(f.value.keyword());
    }
    w.opt("lvs_method", &vs.method);
    w.opt("protocol", &vs.protocol);
    match &vs.persistence_timeout {
        Some(Sp { value: Some(t), .. }) => w.kv("persistence_timeout", t),
        Some(Sp { value: None, .. }) => w.line("persistence_timeout"),
        None => {}
    }
    w.opt("persistence_granularity", &vs.persistence_granularity);
    word(w, "persistence_engine", &vs.persistence_engine);
    w.flag("ha_suspend", vs.ha_suspend);
    w.flag("alpha", vs.alpha);
    w.flag("omega", vs.omega);
    w.flag("inhibit_on_failure", vs.inhibit_on_failure);
    w.opt("quorum", &vs.quorum);
    w.opt("hysteresis", &vs.hysteresis);
    w.opt("quorum_up", &vs.quorum_up);
    w.opt("quorum_down", &vs.quorum_down);
    timing(w, &vs.timing);
    word(w, "virtualhost", &vs.virtualhost);
    onoff(w, "smtp_alert", &vs.smtp_alert);
    word(w, "snmp_name", &vs.snmp_name);
    w.opt("weight", &vs.weight);
    if let Some(s) = &vs.sorry_server {
        w.kv("sorry_server", s);
        w.flag("sorry_server_inhibit", s.inhibit);
        w.opt("sorry_server_lvs_method", &s.method);
    }
    for rs in &vs.real_servers {
        real_server(w, rs);
    }
    w.close();
}

fn real_server(w: &mut Writer, rs: &RealServer) {
    w.open(format_args!("real_server {}", rs.header()));
    w.opt("weight", &rs.weight);
    w.opt("lvs_method", &rs.method);
    w.opt("uthreshold", &rs.uthreshold);
    w.opt("lthreshold", &rs.lthreshold);
    onoff(w, "inhibit_on_failure", &rs.inhibit_on_failure);
    w.opt("notify_up", &rs.notify_up);
    w.opt("notify_down", &rs.notify_down);
    onoff(w, "alpha", &rs.alpha);
    timing(w, &rs.timing);
    onoff(w, "smtp_alert", &rs.smtp_alert);
    word(w, "virtualhost", &rs.virtualhost);
    word(w, "snmp_name", &rs.snmp_name);
    for c in &rs.checkers {
        checker(w, c);
    }
    w.close();
}

fn connect_opts(w: &mut Writer, co: &ConnectOpts) {
    w.opt("connect_ip", &co.connect_ip);
    w.opt("connect_port", &co.connect_port);
    w.opt("bindto", &co.bindto);
    w.opt("bind_port", &co.bind_port);
    word(w, "bind_if", &co.bind_if);
    w.opt("connect_timeout", &co.connect_timeout);
    w.opt("fwmark", &co.fwmark);
}

fn checker(w: &mut Writer, c: &Checker) {
    w.open(c.kind.value.keyword());
    connect_opts(w, &c.conn);
    w.opt("delay_loop", &c.timing.delay_loop);
    w.opt("retry", &c.timing.retry);
    w.opt("delay_before_retry", &c.timing.delay_before_retry);
    w.opt("warmup", &c.timing.warmup);
    onoff(w, "alpha", &c.alpha);
    onoff(w, "log_all_failures", &c.log_all_failures);
    detail(w, &c.detail);
    w.close();
}

fn detail(w: &mut Writer, d: &CheckDetail) {
    match d {
        CheckDetail::None => {}
        CheckDetail::Http(h) => {
            word(w, "virtualhost", &h.virtualhost);
            w.opt("http_protocol", &h.http_protocol);
            onoff(w, "enable_sni", &h.enable_sni);
            onoff(w, "fast_recovery", &h.fast_recovery);
            for u in &h.urls {
                url(w, u);
            }
        }
        CheckDetail::Smtp(s) => {
            word(w, "helo_name", &s.helo_name);
            for h in &s.hosts {
                w.open("host");
                connect_opts(w, h);
                w.close();
            }
        }
        CheckDetail::Dns(d) => {
            w.opt("type", &d.query_type);
            word(w, "name", &d.name);
        }
        CheckDetail::Misc(m) => {
            w.opt("misc_path", &m.path);
            w.opt("misc_timeout", &m.timeout);
            w.flag("misc_dynamic", m.dynamic);
            w.opt("user", &m.user);
        }
        CheckDetail::Udp(u) => {
            w.opt("payload", &u.payload);
            match &u.require_reply {
                Some(Sp { value: Some(h), .. }) => w.kv("require_reply", h),
                Some(Sp { value: None, .. }) => w.line("require_reply"),
                None => {}
            }
            w.opt("min_reply_length", &u.min_reply_length);
            w.opt("max_reply_length", &u.max_reply_length);
        }
        CheckDetail::File(f) => {
            word(w, "track_file", &f.track_file);
            if let Some(wt) = &f.weight {
                match f.reverse {
                    Some(true) => {
                        w.kv("weight", format_args!("{} reverse", wt.value))
                    }
                    Some(false) => {
                        w.kv("weight", format_args!("{} noreverse", wt.value))
                    }
                    None => w.kv("weight", wt.value),
                }
            }
        }
        CheckDetail::Bfd(b) => word(w, "name", &b.name),
    }
}

fn url(w: &mut Writer, u: &Url) {
    w.open("url");
    word(w, "path", &u.path);
    w.opt("digest", &u.digest);
    if !u.status_codes.is_empty() {
        let codes: Vec<String> =
            u.status_codes.iter().map(|c| c.value.to_string()).collect();
        w.kv("status_code", codes.join(" "));
    }
    word(w, "virtualhost", &u.virtualhost);
    word(w, "regex", &u.regex);
    w.flag("regex_no_match", u.regex_no_match);
    if !u.regex_options.is_empty() {
        let opts: Vec<&str> =
            u.regex_options.iter().map(|o| o.value.as_str()).collect();
        w.kv("regex_options", opts.join(" "));
    }
    w.opt("regex_min_offset", &u.regex_min_offset);
    w.opt("regex_max_offset", &u.regex_max_offset);
    if let Some(s) = &u.regex_stack {
        w.kv("regex_stack", format_args!("{} {}", s.value.0, s.value.1));
    }
    w.close();
}
