//! `kac dump` round trips, on the project's fixtures and on the corpus:
//! for a file without errors, its dump checks clean and lowers to an equal
//! `Config`; for every file, the dump is a fixed point
//! (`dump(dump(x)) == dump(x)`).

mod common;

use std::path::{Path, PathBuf};

use common::{compile, confs, corpus_dir, repo_root};
use kac_compiler::{compile_str, Options};

fn fixture_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let root = repo_root().join("fixtures");
    for e in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        let p = e.path().join("keepalived.conf");
        if p.is_file() {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn corpus_files() -> Vec<PathBuf> {
    let Some(dir) = corpus_dir() else {
        return Vec::new();
    };
    ["valid", "flagged", "invalid"]
        .iter()
        .flat_map(|d| confs(&dir.join(d)))
        .collect()
}

/// Problems with one file's round trip, if any.
fn round_trip(path: &Path) -> Option<String> {
    let c = compile(path);
    let first = c.dump();
    let again = compile_str("dump.conf", &first, &Options::default());
    let second = again.dump();
    let label = path.display();
    if !c.has_errors() {
        if again.has_errors() {
            return Some(format!(
                "{label}: its dump does not check clean:\n{}\n--- dump ---\n{first}",
                again.render_human()
            ));
        }
        if again.config != c.config {
            return Some(format!(
                "{label}: the dump lowers to a different config\n--- dump ---\n{first}\n--- original IR ---\n{:#?}\n--- dump IR ---\n{:#?}",
                c.config, again.config
            ));
        }
    }
    if first != second {
        return Some(format!(
            "{label}: dump is not a fixed point\n--- first ---\n{first}\n--- second ---\n{second}"
        ));
    }
    None
}

#[test]
fn fixtures_round_trip() {
    let files = fixture_files();
    assert!(!files.is_empty());
    let problems: Vec<String> =
        files.iter().filter_map(|f| round_trip(f)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn corpus_round_trips() {
    let files = corpus_files();
    let problems: Vec<String> =
        files.iter().filter_map(|f| round_trip(f)).collect();
    println!(
        "dump round trip: {} corpus files, {} problems",
        files.len(),
        problems.len()
    );
    let names: Vec<String> = problems
        .iter()
        .map(|p| p.lines().next().unwrap_or("").to_owned())
        .collect();
    assert!(
        problems.is_empty(),
        "{names:#?}\n\n{}",
        problems.join("\n\n")
    );
}

#[test]
fn default_site_dump_snapshot() {
    let path = repo_root().join("fixtures/default/keepalived.conf");
    let c = compile(&path);
    assert!(!c.has_errors(), "{}", c.render_human());
    insta::assert_snapshot!("default_site_dump", c.dump());
}
