//! kacd: the per-site daemon. The site's tables are compiled in by
//! `build.rs`; the engines come in later issues.

fn main() {
    println!(
        "kacd {} (site config checked at build time)",
        env!("CARGO_PKG_VERSION")
    );
}
