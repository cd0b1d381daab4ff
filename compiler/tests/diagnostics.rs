//! One fixture per diagnostic code: `tests/diag/K####.conf` must trigger
//! its code, and the rendered diagnostics of each fixture are snapshot
//! tested (`tests/snapshots/`). Update with `INSTA_UPDATE=always cargo
//! test -p kac-compiler --test diagnostics` and review with `git diff`.

use std::path::Path;

use kac_compiler::diag::codes;
use kac_compiler::{compile_file, Options};

fn opts() -> Options {
    Options {
        config_id: Some("kt-host".into()),
    }
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
        let c = match compile_file(Path::new(&path), &opts()) {
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
    for e in std::fs::read_dir("tests/diag").into_iter().flatten().flatten() {
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
        let Ok(c) = compile_file(Path::new(&path), &opts()) else {
            continue; // reported by every_code_has_a_fixture_that_triggers_it
        };
        let mut text = c.render_human();
        text.push_str("\n--- json ---\n");
        text.push_str(&c.render_json());
        insta::assert_snapshot!(name, text);
    }
}
