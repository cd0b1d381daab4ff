//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

use kac_compiler::{compile_file, Compilation, Options};

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// `../shared/corpus` seen from the repository root, if it is there.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "NOTE: corpus not found at {}: corpus tests skipped",
            dir.display()
        );
        None
    }
}

/// `*.conf` files of a directory, sorted.
pub fn confs(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "conf"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Compiles a file with the options the corpus was checked with
/// (keepalived ran with hostname `kt-host`).
pub fn compile(path: &std::path::Path) -> Compilation {
    let opts = Options {
        config_id: Some("kt-host".into()),
    };
    match compile_file(path, &opts) {
        Ok(c) => c,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}

pub fn name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
