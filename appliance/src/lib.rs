//! kacd's process shell (CLI, logging, signals, pid and state files).

use std::process::ExitCode;

use kac_runtime::site::Site;

/// Runs kacd for `site` with the process's command line.
pub fn run(site: &'static Site) -> ExitCode {
    println!(
        "kacd {} site {} config sha256 {}",
        env!("CARGO_PKG_VERSION"),
        site.name,
        site.config_sha256
    );
    ExitCode::SUCCESS
}
