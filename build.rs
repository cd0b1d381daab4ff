//! Compiles the site's keepalived.conf into `$OUT_DIR/site.rs`, the
//! tables `src/main.rs` includes. Knobs (each re-runs the build when it
//! changes):
//!   KAC_CONFIG     the config (default fixtures/default/keepalived.conf)
//!   KAC_CONFIG_ID  keepalived's `-i` config id, for `@id` lines
//!   KAC_SITE       the site name (default: the config's directory name)
//! An invalid config fails the build with the diagnostics `kac check`
//! prints.

use std::path::{Path, PathBuf};
use std::process::exit;

use kac_compiler::codegen::{generate, SiteMeta};

fn fail(msg: &str) -> ! {
    eprintln!("kacd: {msg}");
    exit(1)
}

/// The site name when KAC_SITE is not set: the config's directory.
fn default_site(config: &Path) -> String {
    std::fs::canonicalize(config)
        .ok()
        .and_then(|p| {
            p.parent()
                .and_then(|d| d.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "default".to_owned())
}

fn main() {
    for knob in ["KAC_CONFIG", "KAC_CONFIG_ID", "KAC_SITE"] {
        println!("cargo:rerun-if-env-changed={knob}");
    }
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|| fail("CARGO_MANIFEST_DIR is not set")),
    );
    let path = std::env::var_os("KAC_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("fixtures/default/keepalived.conf"));
    let path = if path.is_absolute() {
        path
    } else {
        manifest.join(path)
    };
    let opts = kac_compiler::Options {
        config_id: std::env::var("KAC_CONFIG_ID").ok(),
    };
    let c = match kac_compiler::compile_file(&path, &opts) {
        Ok(c) => c,
        Err(e) => {
            fail(&format!("cannot read site config {}: {e}", path.display()))
        }
    };
    // Every file the config read, so editing an included file rebuilds;
    // and the directories of included files, so a new file that an
    // `include conf.d/*.conf` glob would match rebuilds too.
    let mut dirs: Vec<PathBuf> = Vec::new();
    for (n, (_, f)) in c.sources.files().enumerate() {
        println!("cargo:rerun-if-changed={}", f.path.display());
        if n > 0 {
            if let Some(d) = f.path.parent() {
                if !dirs.iter().any(|x| x == d) {
                    dirs.push(d.to_path_buf());
                }
            }
        }
    }
    for d in dirs {
        println!("cargo:rerun-if-changed={}", d.display());
    }
    if c.has_errors() {
        eprintln!("{}", c.render_human());
        fail(&format!("site config {} has errors", path.display()));
    }
    let site =
        std::env::var("KAC_SITE").unwrap_or_else(|_| default_site(&path));
    // Inside the source tree, name the config relative to it: the binary
    // must not depend on where the tree was checked out.
    let shown = std::fs::canonicalize(&path)
        .ok()
        .and_then(|p| {
            let root = std::fs::canonicalize(&manifest).ok()?;
            p.strip_prefix(root).ok().map(Path::to_path_buf)
        })
        .unwrap_or_else(|| path.clone());
    let meta = SiteMeta::of(&c, &site, &shown.to_string_lossy());
    let code = match generate(&c.config, &meta) {
        Ok(code) => code,
        Err(e) => fail(&format!("site config {}: {e}", path.display())),
    };
    let out = PathBuf::from(
        std::env::var_os("OUT_DIR")
            .unwrap_or_else(|| fail("OUT_DIR is not set")),
    );
    if let Err(e) = std::fs::write(out.join("site.rs"), code) {
        fail(&format!("cannot write site.rs: {e}"));
    }
}
