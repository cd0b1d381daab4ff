//! The whole front end on arbitrary text: lex, build, lower, render the
//! diagnostics (human and JSON) and the dump. Nothing may panic.
//!
//! When the input compiles without errors, the dump must compile without
//! errors too and be a fixed point: `dump(dump(x)) == dump(x)`. Set
//! `KAC_FUZZ_NO_FIXPOINT=1` to skip that check (crashes only).

#![no_main]

use kac_compiler::{compile_str, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let opts = Options::default();
    let first = compile_str("fuzz.conf", &text, &opts);
    let _ = first.render_human();
    let _ = first.render_json();
    let dump1 = first.dump();
    if first.has_errors() || std::env::var_os("KAC_FUZZ_NO_FIXPOINT").is_some()
    {
        return;
    }
    let second = compile_str("fuzz.conf", &dump1, &opts);
    assert!(
        !second.has_errors(),
        "the dump of an error-free input has errors:\n{}\n--- dump ---\n{dump1}",
        second.render_human()
    );
    let dump2 = second.dump();
    assert!(
        dump1 == dump2,
        "dump is not a fixed point\n--- dump(x) ---\n{dump1}\n--- dump(dump(x)) ---\n{dump2}"
    );
});
