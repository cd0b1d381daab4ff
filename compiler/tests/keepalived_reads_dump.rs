//! The real keepalived (2.2.7, Debian) reads what `kac dump` writes the
//! same way it reads the original: for every valid corpus file and every
//! fixture site, `keepalived -t` gives the dump the same verdict (exit
//! code) as the original. Runs keepalived through
//! `../shared/corpus/kt_sandbox.py` (a throw-away namespace with the
//! interfaces the config names); skipped, saying why, without root,
//! keepalived or the corpus.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{compile, confs, corpus_dir, repo_root};

fn verdicts(sandbox: &Path, files: &[PathBuf]) -> Vec<(String, String)> {
    let out = Command::new("python3").arg(sandbox).args(files).output();
    let Ok(out) = out else {
        panic!("cannot run {}", sandbox.display());
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?.to_owned(), f.next()?.to_owned()))
        })
        .collect()
}

#[test]
fn keepalived_gives_the_dump_the_same_verdict() {
    let Some(corpus) = corpus_dir() else { return };
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !Path::new("/usr/sbin/keepalived").exists() || !is_root {
        eprintln!(
            "NOTE: keepalived or root missing: keepalived cross-check skipped"
        );
        return;
    }
    let sandbox = corpus.join("kt_sandbox.py");
    // kt_sandbox mounts a fresh /tmp, so the dumps (and, when the checkout
    // is under /tmp, the originals) must live where it still sees them.
    let mut out_dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kt-dumps");
    let under_tmp = |p: &Path| {
        std::fs::canonicalize(p).is_ok_and(|p| p.starts_with("/tmp"))
    };
    if under_tmp(&out_dir)
        || under_tmp(&repo_root())
        || under_tmp(&corpus)
        || out_dir.starts_with("/tmp")
    {
        out_dir = PathBuf::from(format!(
            "/var/tmp/kac-kt-dumps-{}",
            std::process::id()
        ));
    }
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).expect("create dump dir");
    let mut originals = confs(&corpus.join("valid"));
    originals.push(repo_root().join("fixtures/default/keepalived.conf"));
    if !out_dir.starts_with("/var/tmp") {
        // Every lexer feature, includes too (which a copy would break).
        originals.push(repo_root().join("fixtures/lexer/keepalived.conf"));
    }
    if out_dir.starts_with("/var/tmp") {
        // The originals are under /tmp too: show keepalived copies.
        for (i, f) in originals.iter_mut().enumerate() {
            let copy = out_dir.join(format!("orig-{i:03}.conf"));
            std::fs::copy(&*f, &copy).expect("copy an original");
            *f = copy;
        }
    }
    let mut dumps = Vec::new();
    for (i, f) in originals.iter().enumerate() {
        let c = compile(f);
        assert!(!c.has_errors(), "{}: {}", f.display(), c.render_human());
        let d = out_dir.join(format!("{i:03}.conf"));
        std::fs::write(&d, c.dump()).expect("write dump");
        dumps.push(d);
    }
    let before = verdicts(&sandbox, &originals);
    let after = verdicts(&sandbox, &dumps);
    assert_eq!(before.len(), originals.len(), "sandbox output: {before:?}");
    assert_eq!(after.len(), dumps.len(), "sandbox output: {after:?}");
    let mut diffs = Vec::new();
    for ((orig, code_a), (dump, code_b)) in before.iter().zip(&after) {
        if code_a != code_b {
            diffs.push(format!("{orig}: keepalived exits {code_a}, on its dump {dump} {code_b}"));
        }
    }
    println!(
        "keepalived -t: {} originals and their dumps compared",
        originals.len()
    );
    if out_dir.starts_with("/var/tmp") {
        let _ = std::fs::remove_dir_all(&out_dir);
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
