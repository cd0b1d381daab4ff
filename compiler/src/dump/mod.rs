//! `kac dump`: the IR back as canonical keepalived.conf.
//!
//! Canonical means: includes, definitions, conditionals and sequences
//! resolved; one keyword per line; blocks in a fixed order (global
//! settings, static addresses/routes/rules, trackers, sync groups,
//! instances, virtual server groups, virtual servers); current keyword
//! spellings; values in one normal form. `dump(lower(dump(x))) ==
//! dump(x)`, and lowering the dump gives a `Config` equal to the original.

mod addr;
mod global;
mod lvs;
mod track;
mod vrrp;

use std::fmt::Display;

use crate::ir::value::Sp;
use crate::ir::Config;

/// Indented output.
#[derive(Default)]
pub struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    /// One line at the current depth.
    pub fn line(&mut self, text: impl Display) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
        self.out.push_str(&text.to_string());
        self.out.push('\n');
    }

    /// `header {` and one level deeper.
    pub fn open(&mut self, header: impl Display) {
        self.line(format_args!("{header} {{"));
        self.depth += 1;
    }

    /// `}` one level up.
    pub fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.line("}");
    }

    /// `key value`.
    pub fn kv(&mut self, key: &str, value: impl Display) {
        self.line(format_args!("{key} {value}"));
    }

    /// `key value` when set.
    pub fn opt<T: Display>(&mut self, key: &str, value: &Option<Sp<T>>) {
        if let Some(v) = value {
            self.kv(key, &v.value);
        }
    }

    /// `key` when true.
    pub fn flag(&mut self, key: &str, on: bool) {
        if on {
            self.line(key);
        }
    }

    /// A blank line between top-level blocks.
    pub fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// The whole config as canonical keepalived.conf.
pub fn dump(config: &Config) -> String {
    let mut w = Writer::default();
    global::dump(&mut w, config);
    addr::dump(&mut w, config);
    track::dump(&mut w, config);
    vrrp::dump(&mut w, config);
    lvs::dump(&mut w, config);
    w.finish()
}
