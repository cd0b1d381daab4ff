//! Replays the inputs in `tests/fuzz_regressions/` (crashes and hangs the
//! fuzz targets once found): each must compile without panicking, within
//! a time limit, and an error-free one must dump to an error-free fixed
//! point (as the `front_end` fuzz target checks).

use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use kac_compiler::lex::MemLoader;
use kac_compiler::{compile_str, compile_with, Options};

const LIMIT: Duration = Duration::from_secs(10);
const FILES: [&str; 4] = [
    "/f/keepalived.conf",
    "/f/a.conf",
    "/f/sub/b.conf",
    "/f/sub/c.conf",
];

/// Everything the fuzz targets do with one input: compile, render, dump,
/// and for an error-free input check that the dump is error-free and a
/// fixed point. `Err` says what went wrong.
fn exercise(text: &str) -> Result<(), String> {
    let c = compile_str("fuzz.conf", text, &Options::default());
    let _ = (c.render_human(), c.render_json());
    let dump1 = c.dump();
    if !c.has_errors() {
        let again = compile_str("fuzz.conf", &dump1, &Options::default());
        if again.has_errors() {
            return Err(format!(
                "the dump has errors:\n{}",
                again.render_human()
            ));
        }
        if again.dump() != dump1 {
            return Err("the dump is not a fixed point".into());
        }
    }
    if text.contains('\0') {
        let mut loader = MemLoader::new();
        for (name, part) in FILES.iter().zip(text.splitn(FILES.len(), '\0')) {
            loader = loader.with(*name, part);
        }
        let path = Path::new(FILES[0]);
        if let Ok(c) = compile_with(&loader, path, &Options::default()) {
            let _ = (c.render_human(), c.render_json(), c.dump());
        }
    }
    Ok(())
}

#[test]
fn fuzz_regressions_do_not_crash_or_hang() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    let mut failures = Vec::new();
    for path in entries {
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (tx, rx) = mpsc::channel();
        let worker = thread::spawn(move || {
            let _ = tx.send(exercise(&text));
        });
        match rx.recv_timeout(LIMIT) {
            Ok(result) => {
                let _ = worker.join();
                if let Err(e) = result {
                    failures.push(format!("{}: {e}", path.display()));
                }
            }
            // A panic drops the sender: recv fails at once.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                failures.push(format!("{}: panicked", path.display()))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => failures.push(format!(
                "{}: still running after {LIMIT:?}",
                path.display()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "fuzz regressions:\n{}",
        failures.join("\n")
    );
}
