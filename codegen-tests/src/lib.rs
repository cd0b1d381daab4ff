//! The site tables of every fixture and valid corpus config, compiled
//! into one crate (see build.rs); `tests/tables.rs` checks them against
//! the compiler's IR.

use kac_runtime::site::Site;

/// One compiled site.
pub struct Entry {
    /// The config it came from (absolute).
    pub path: &'static str,
    pub site: &'static Site,
    /// The generated capacity constants.
    pub instances: usize,
    pub real_servers: usize,
}

include!(concat!(env!("OUT_DIR"), "/sites.rs"));
