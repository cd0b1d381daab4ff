//! One fixture per diagnostic code: `tests/diag/K####.conf` must trigger
//! its code, and the rendered diagnostics of each fixture are snapshot
//! tested (`tests/snapshots/`). Update with `INSTA_UPDATE=always cargo
//! test -p kac-compiler --test diagnostics` and review with `git diff`.

use std::path::Path;

use kac_compiler::diag::codes;
use kac_compiler::{compile_file, Compilation, Options};

fn opts() -> Options {
    Options {
        config_id: Some("kt-host".into()),
    }
}

/// Compiles `tests/diag/NAME.conf`; when a directory `tests/diag/NAME/`
/// exists, its files are the other routers of the site and the checks
/// across files run too (their diagnostics for the first file are kept).
fn compile_fixture(path: &str) -> Result<Compilation, std::io::Error> {
    let mut first = compile_file(Path::new(path), &opts())?;
    let dir = path.trim_end_matches(".conf");
    if Path::new(dir).is_dir() {
        let mut others = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            others.push(compile_file(&p, &opts())?);
        }
        let mut all: Vec<&Compilation> = vec![&first];
        all.extend(others.iter());
        let found = kac_compiler::peers::check_peers(&all);
        for (i, d) in found {
            if i == 0 {
                first.add_diagnostic(d);
            }
        }
    }
    Ok(first)
}

#[test]
fn every_code_has_a_fixture_that_triggers_it() {
    let mut missing = Vec::new();
    for code in codes::all() {
        let name = code.name();
        let path = format!("tests/diag/{name}.conf");
        if !Path::new(&path).exists() {
            missing.push(format!("{name}: no fixture {path}"));
            continue;
        }
        let c = match compile_fixture(&path) {
            Ok(c) => c,
            Err(e) => panic!("{path}: {e}"),
        };
        if !c.diagnostics.iter().any(|d| d.code.id == code.id) {
            missing.push(format!(
                "{name}: {path} does not trigger it; got:\n{}",
                c.render_human()
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn no_fixture_without_a_code() {
    let ids: Vec<String> = codes::all().iter().map(|c| c.name()).collect();
    let mut stale = Vec::new();
    for e in std::fs::read_dir("tests/diag")
        .into_iter()
        .flatten()
        .flatten()
    {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "conf") {
            let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned());
            if let Some(s) = stem {
                if !ids.contains(&s) {
                    stale.push(s);
                }
            }
        }
    }
    assert!(stale.is_empty(), "fixtures for unknown codes: {stale:?}");
}

#[test]
fn rendered_diagnostics() {
    for code in codes::all() {
        let name = code.name();
        let path = format!("tests/diag/{name}.conf");
        let Ok(c) = compile_fixture(&path) else {
            continue; // reported by every_code_has_a_fixture_that_triggers_it
        };
        let mut text = c.render_human();
        text.push_str("\n--- json ---\n");
        text.push_str(&c.render_json());
        insta::assert_snapshot!(name, text);
    }
}
