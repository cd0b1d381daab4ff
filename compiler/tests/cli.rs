//! The `kac` command line: exit codes (0 valid, 1 errors, 2 usage or
//! I/O), JSON lines, several files at once, dump.

use std::process::Command;

fn kac(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kac"))
        .args(args)
        .output()
        .expect("run kac");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn exit_codes() {
    assert_eq!(kac(&["check", "../fixtures/default/keepalived.conf"]).0, 0);
    assert_eq!(kac(&["check", "tests/diag/K0037.conf"]).0, 1);
    // Warnings alone do not fail.
    assert_eq!(kac(&["check", "tests/diag/K0245.conf"]).0, 0);
    assert_eq!(kac(&["check", "/nonexistent/keepalived.conf"]).0, 2);
    assert_eq!(kac(&["check"]).0, 2);
    assert_eq!(kac(&["frobnicate"]).0, 2);
    assert_eq!(kac(&["check", "--format", "xml", "x.conf"]).0, 2);
}

#[test]
fn json_lines() {
    let (code, out, _) =
        kac(&["check", "--format", "json", "tests/diag/K0037.conf"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("json");
    assert_eq!(v["file"], "tests/diag/K0037.conf");
    assert_eq!(v["line"], 5);
    assert_eq!(v["column"], 14);
    assert_eq!(v["severity"], "error");
    assert_eq!(v["code"], "K0037");
    assert!(v["message"].as_str().is_some_and(|m| m.contains("256")));
}

#[test]
fn every_file_is_checked() {
    let (code, _, err) = kac(&[
        "check",
        "tests/diag/K0037.conf",
        "tests/diag/K0030.conf",
        "../fixtures/default/keepalived.conf",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("K0037") && err.contains("K0030"), "{err}");
    assert!(err.contains("3 files checked: 2 errors"), "{err}");
}

#[test]
fn dump_prints_canonical_config() {
    let (code, out, _) = kac(&["dump", "../fixtures/default/keepalived.conf"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("global_defs {\n    router_id kac-default\n"));
    let (code, _, _) = kac(&["dump", "a.conf", "b.conf"]);
    assert_eq!(code, 2);
}

#[test]
fn config_id_selects_conditional_lines() {
    let (_, with, _) =
        kac(&["dump", "-i", "kt-host", "../fixtures/lexer/keepalived.conf"]);
    let (_, without, _) = kac(&["dump", "../fixtures/lexer/keepalived.conf"]);
    assert!(with.contains("priority 150"), "{with}");
    assert!(without.contains("priority 100"), "{without}");
}

/// `kac genhash URL` prints the MD5 of the body as keepalived's genhash
/// does, from a real HTTP server on loopback; a refused connection is an
/// error naming the URL.
#[cfg(feature = "genhash")]
#[test]
fn genhash_prints_the_digest_of_the_body() {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut req = [0u8; 1024];
            let _ = s.read(&mut req);
            let _ = s.write_all(
                b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n",
            );
        }
    });
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kac"))
        .args(["genhash", &format!("http://127.0.0.1:{port}/x")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // md5("hello\n")
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "b1946ac92492d2347c6235b4d2611184"
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = closed.local_addr().unwrap().port();
    drop(closed);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kac"))
        .args(["genhash", &format!("http://127.0.0.1:{dead}/")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("127.0.0.1:{dead}")), "{err}");
}
