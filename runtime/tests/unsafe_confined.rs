//! `unsafe` lives in `runtime/src/sys/` and nowhere else in the
//! workspace. The lint is `deny` (not `forbid`) so that module can allow
//! it; this test keeps every other file from doing the same.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&p, out);
            }
        } else if name.ends_with(".rs") {
            out.push(p);
        }
    }
}

#[test]
fn unsafe_only_in_runtime_sys() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().unwrap();
    let allowed = root.join("runtime/src/sys");
    let me = Path::new(file!()).file_name().unwrap().to_owned();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 50, "found only {} files", files.len());
    let mut found = Vec::new();
    for f in files {
        if f.starts_with(&allowed) || f.file_name() == Some(me.as_os_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let hit = code.contains("allow(unsafe_code")
                || ["unsafe {", "unsafe fn", "unsafe impl", "unsafe extern"]
                    .iter()
                    .any(|k| code.contains(k));
            if hit {
                found.push(format!(
                    "{}:{}: {}",
                    f.display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "unsafe outside runtime/src/sys:\n{}",
        found.join("\n")
    );
}
