//! Generates the site tables of every fixture site (`fixtures/*/`) and
//! every valid corpus config (`../shared/corpus/valid/`, when present)
//! into `$OUT_DIR`, and a `sites.rs` listing them, so that one build of
//! this crate proves each one compiles (every `const` invariant holds).

// A test fixture generator: failing loudly is what it should do.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use kac_compiler::codegen::{generate, SiteMeta};

fn configs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root.join("fixtures"))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    fixtures.sort();
    for dir in fixtures {
        let conf = dir.join("keepalived.conf");
        if conf.is_file() {
            out.push(conf);
        }
    }
    let corpus = root.join("../shared/corpus/valid");
    match std::fs::read_dir(&corpus) {
        Ok(rd) => {
            let mut files: Vec<PathBuf> = rd
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "conf"))
                .collect();
            files.sort();
            out.extend(files);
        }
        Err(_) => println!(
            "cargo:warning=no corpus at {}: only fixtures are tested",
            corpus.display()
        ),
    }
    out
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.parent().unwrap().to_path_buf();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let mut list = String::new();
    let mut index = String::from("pub static SITES: &[Entry] = &[\n");
    for (n, path) in configs(&root).iter().enumerate() {
        let c = kac_compiler::compile_file(path, &Default::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (_, f) in c.sources.files() {
            println!("cargo:rerun-if-changed={}", f.path.display());
        }
        assert!(!c.has_errors(), "{}: {}", path.display(), c.render_human());
        let shown = path.strip_prefix(&root).unwrap_or(path);
        let meta =
            SiteMeta::of(&c, &format!("site{n}"), &shown.to_string_lossy());
        let code = generate(&c.config, &meta)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        std::fs::write(out.join(format!("site_{n}.rs")), code).unwrap();
        writeln!(
            list,
            "pub mod site_{n} {{ include!(concat!(env!(\"OUT_DIR\"), \"/site_{n}.rs\")); }}"
        )
        .unwrap();
        writeln!(
            index,
            "    Entry {{ path: {:?}, site: &site_{n}::tables::SITE, instances: site_{n}::tables::INSTANCES, real_servers: site_{n}::tables::REAL_SERVERS }},",
            path.display().to_string()
        )
        .unwrap();
    }
    index.push_str("];\n");
    std::fs::write(out.join("sites.rs"), list + &index).unwrap();
    println!("cargo:rerun-if-changed=../fixtures");
    println!("cargo:rerun-if-changed=../../shared/corpus/valid");
}
