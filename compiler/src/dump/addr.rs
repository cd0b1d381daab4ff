//! Dump of the `addr` part of the IR: `track_group`, `static_ipaddress`,
//! `static_routes`, `static_rules` and `garp_group`.
//!
//! Track groups come first: keepalived looks a group up when it reads a
//! static entry naming it, so the group must be defined above.

use super::Writer;
use crate::ir::addr::{GarpGroup, TrackGroup};
use crate::ir::Config;

pub fn dump(w: &mut Writer, config: &Config) {
    let s = &config.statics;
    for g in &s.track_groups {
        track_group(w, g);
    }
    entries(w, "static_ipaddress", &s.addresses);
    entries(w, "static_routes", &s.routes);
    entries(w, "static_rules", &s.rules);
    for g in &s.garp_groups {
        garp_group(w, g);
    }
}

/// A value block with one entry per line (nothing when empty).
fn entries<T: std::fmt::Display>(w: &mut Writer, keyword: &str, list: &[T]) {
    if list.is_empty() {
        return;
    }
    w.blank();
    w.open(keyword);
    for e in list {
        w.line(e);
    }
    w.close();
}

fn track_group(w: &mut Writer, g: &TrackGroup) {
    w.blank();
    w.open(format_args!("track_group {}", g.name));
    if let Some(members) = &g.group {
        w.open("group");
        for m in members {
            w.line(m);
        }
        w.close();
    }
    w.close();
}

fn garp_group(w: &mut Writer, g: &GarpGroup) {
    w.blank();
    w.open("garp_group");
    w.opt("garp_interval", &g.garp_interval);
    w.opt("gna_interval", &g.gna_interval);
    w.opt("interface", &g.interface);
    if let Some(list) = &g.interfaces {
        w.open("interfaces");
        for i in list {
            w.line(i);
        }
        w.close();
    }
    w.close();
}
