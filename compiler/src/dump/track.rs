//! Dump of the tracked objects: `vrrp_script`, `track_file`,
//! `vrrp_track_process` and `bfd_instance`, each in source order.

use super::Writer;
use crate::ir::track::*;
use crate::ir::value::{quote_word, Sp};
use crate::ir::Config;

pub fn dump(w: &mut Writer, config: &Config) {
    let t = &config.track;
    for s in &t.vrrp_scripts {
        vrrp_script(w, s);
    }
    for f in &t.track_files {
        track_file(w, f);
    }
    for p in &t.track_processes {
        track_process(w, p);
    }
    for b in &t.bfd_instances {
        bfd_instance(w, b);
    }
}

fn open(w: &mut Writer, kind: &str, name: &Sp<String>) {
    w.blank();
    w.open(format_args!("{kind} {}", quote_word(&name.value)));
}

fn present(w: &mut Writer, key: &str, v: &Option<Sp<()>>) {
    w.flag(key, v.is_some());
}

fn vrrp_script(w: &mut Writer, s: &VrrpScript) {
    open(w, "vrrp_script", &s.name);
    w.opt("script", &s.script);
    w.opt("interval", &s.interval);
    w.opt("timeout", &s.timeout);
    w.opt("weight", &s.weight);
    w.opt("rise", &s.rise);
    w.opt("fall", &s.fall);
    w.opt("user", &s.user);
    present(w, "init_fail", &s.init_fail);
    w.close();
}

fn track_file(w: &mut Writer, f: &TrackFile) {
    open(w, "track_file", &f.name);
    if let Some(file) = &f.file {
        w.kv("file", quote_word(&file.value));
    }
    w.opt("weight", &f.weight);
    if let Some(i) = &f.init_file {
        let mut line = String::from("init_file");
        if let Some(v) = i.value.value {
            line.push_str(&format!(" {v}"));
        }
        if i.value.overwrite {
            line.push_str(" overwrite");
        }
        w.line(line);
    }
    w.close();
}

fn track_process(w: &mut Writer, p: &TrackProcess) {
    open(w, "vrrp_track_process", &p.name);
    if let Some(words) = &p.process {
        let words: Vec<String> =
            words.value.iter().map(|s| quote_word(s)).collect();
        w.kv("process", words.join(" "));
    }
    match p.param_match.as_ref().map(|m| m.value) {
        Some(ParamMatch::Exact) => w.line("param_match"),
        Some(ParamMatch::Initial) => w.line("param_match initial"),
        Some(ParamMatch::Partial) => w.line("param_match partial"),
        None => {}
    }
    w.opt("weight", &p.weight);
    w.opt("quorum", &p.quorum);
    w.opt("quorum_max", &p.quorum_max);
    w.opt("delay", &p.delay);
    w.opt("terminate_delay", &p.terminate_delay);
    w.opt("fork_delay", &p.fork_delay);
    present(w, "full_command", &p.full_command);
    w.close();
}

/// Microseconds as milliseconds with up to 3 decimals.
fn millis(us: u64) -> String {
    let (ms, frac) = (us / 1000, us % 1000);
    if frac == 0 {
        ms.to_string()
    } else {
        let f = format!("{frac:03}");
        format!("{ms}.{}", f.trim_end_matches('0'))
    }
}

fn bfd_instance(w: &mut Writer, b: &BfdInstance) {
    open(w, "bfd_instance", &b.name);
    w.opt("neighbor_ip", &b.neighbor_ip);
    w.opt("source_ip", &b.source_ip);
    for (k, v) in [
        ("min_rx", &b.min_rx),
        ("min_tx", &b.min_tx),
        ("idle_tx", &b.idle_tx),
    ] {
        if let Some(v) = v {
            w.kv(k, millis(v.value));
        }
    }
    w.opt("multiplier", &b.multiplier);
    present(w, "passive", &b.passive);
    w.opt("ttl", &b.ttl);
    w.opt("max_hops", &b.max_hops);
    w.opt("weight", &b.weight);
    present(w, "vrrp", &b.vrrp);
    present(w, "checker", &b.checker);
    w.close();
}
