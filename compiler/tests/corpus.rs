//! The corpus in `../shared/corpus` (real and broken configs with what
//! keepalived 2.2.7 said of each):
//!
//! - every file under `valid/` checks without errors;
//! - every file under `invalid/` gets a diagnostic on the first line
//!   keepalived names, and errors wherever keepalived reported a problem,
//!   except the deliberate differences listed in [`DIFFERENCES`];
//! - where keepalived accepted a mistake silently, kac warns at least;
//! - every file under `flagged/` gets at least one diagnostic.
//!
//! The corpus is third-party material and is not in the repository; when
//! it is absent these tests say so and pass.

mod common;

use std::collections::BTreeMap;

use common::{compile, confs, corpus_dir, name};

/// Files of `invalid/` where kac deliberately differs from keepalived's
/// exit code, and why.
const DIFFERENCES: &[(&str, &str)] = &[
    (
        "interface-missing.conf",
        "whether an interface exists is the host's business: `kacd --preflight` checks it on the router",
    ),
    (
        "linkbeat-interface-unknown.conf",
        "whether an interface exists is the host's business: `kacd --preflight` checks it on the router",
    ),
    (
        "vrrp-script-missing-program.conf",
        "whether a script is installed is the host's business: `kacd --preflight` checks it on the router",
    ),
    (
        "script-without-script-security.conf",
        "kac warns: running scripts as root without enable_script_security is keepalived's most common complaint, and the config still works",
    ),
];

struct Expected {
    exit: String,
    lines: Vec<u32>,
}

/// Parses `invalid/EXPECTED.md`: per file, keepalived's exit code and the
/// `(Line N)` numbers of its messages.
fn expected(text: &str) -> BTreeMap<String, Expected> {
    let mut map = BTreeMap::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        if let Some(f) = line.strip_prefix("## ") {
            cur = Some(f.trim().to_owned());
            map.insert(
                f.trim().to_owned(),
                Expected {
                    exit: String::new(),
                    lines: Vec::new(),
                },
            );
            continue;
        }
        let Some(e) = cur.as_ref().and_then(|c| map.get_mut(c)) else {
            continue;
        };
        if let Some(rest) = line.strip_prefix("- exit code: **") {
            e.exit = rest.split("**").next().unwrap_or("").to_owned();
        }
        if line.trim_start().starts_with("- `") {
            if let Some(i) = line.find("(Line ") {
                let n: String = line[i + 6..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if let Ok(n) = n.parse() {
                    e.lines.push(n);
                }
            }
        }
    }
    map
}

#[test]
fn valid_files_check_clean() {
    let Some(dir) = corpus_dir() else { return };
    let mut failures = Vec::new();
    let files = confs(&dir.join("valid"));
    assert!(!files.is_empty());
    for f in &files {
        let c = compile(f);
        if c.has_errors() {
            failures.push(format!("{}:\n{}", name(f), c.render_human()));
        }
    }
    println!("valid: {} files, {} rejected", files.len(), failures.len());
    assert!(
        failures.is_empty(),
        "valid files with errors:\n{}",
        failures.join("\n")
    );
}

#[test]
fn flagged_files_get_a_diagnostic() {
    let Some(dir) = corpus_dir() else { return };
    let files = confs(&dir.join("flagged"));
    assert!(!files.is_empty());
    let mut silent = Vec::new();
    for f in &files {
        if compile(f).diagnostics.is_empty() {
            silent.push(name(f));
        }
    }
    assert!(
        silent.is_empty(),
        "flagged files without a diagnostic: {silent:?}"
    );
}

#[test]
fn invalid_files_are_reported_where_keepalived_reports_them() {
    let Some(dir) = corpus_dir() else { return };
    let inv = dir.join("invalid");
    let text =
        std::fs::read_to_string(inv.join("EXPECTED.md")).unwrap_or_default();
    let exp = expected(&text);
    let files = confs(&inv);
    assert!(!files.is_empty());
    let mut problems = Vec::new();
    let (mut rejected, mut warned) = (0, 0);
    for f in &files {
        let n = name(f);
        let c = compile(f);
        let Some(e) = exp.get(&n) else {
            problems.push(format!("{n}: not in EXPECTED.md"));
            continue;
        };
        if c.has_errors() {
            rejected += 1;
        } else if !c.diagnostics.is_empty() {
            warned += 1;
        }
        let deliberate = DIFFERENCES.iter().any(|(d, _)| *d == n);
        if e.exit == "0" {
            if c.diagnostics.is_empty() {
                problems.push(format!(
                    "{n}: keepalived accepts this mistake silently; kac must at least warn"
                ));
            }
        } else if !deliberate && !c.has_errors() {
            problems.push(format!(
                "{n}: keepalived exits {}, kac reports no error:\n{}",
                e.exit,
                c.render_human()
            ));
        }
        if let Some(first) = e.lines.iter().min() {
            let on_line = c.diagnostics.iter().any(|d| {
                d.span.is_some_and(|s| s.line == *first && s.file.0 == 0)
            });
            if !deliberate && !on_line {
                problems.push(format!(
                    "{n}: keepalived reports line {first}; kac has nothing there:\n{}",
                    c.render_human()
                ));
            }
        }
    }
    println!(
        "invalid: {} files, {rejected} rejected, {warned} warned only",
        files.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
