//! Compiles the site's keepalived.conf (env `KAC_CONFIG`, default
//! `fixtures/default/keepalived.conf`). An invalid config fails the build
//! with the same diagnostics `kac check` prints. Code generation of the
//! site tables comes with the runtime (a later issue).

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=KAC_CONFIG");
    println!("cargo:rerun-if-env-changed=KAC_CONFIG_ID");
    let path = std::env::var_os("KAC_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("fixtures/default/keepalived.conf"));
    let opts = kac_compiler::Options {
        config_id: std::env::var("KAC_CONFIG_ID").ok(),
    };
    let c = match kac_compiler::compile_file(&path, &opts) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kacd: cannot read site config {}: {e}", path.display());
            std::process::exit(1);
        }
    };
    for (_, f) in c.sources.files() {
        println!("cargo:rerun-if-changed={}", f.path.display());
    }
    if c.has_errors() {
        eprintln!("{}", c.render_human());
        eprintln!("kacd: site config {} has errors", path.display());
        std::process::exit(1);
    }
}
