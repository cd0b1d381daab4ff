//! kacd: the per-site daemon. `build.rs` compiles the site's
//! keepalived.conf into `$OUT_DIR/site.rs`; the appliance runs it.

include!(concat!(env!("OUT_DIR"), "/site.rs"));

fn main() -> std::process::ExitCode {
    kac_appliance::run(&tables::SITE)
}
