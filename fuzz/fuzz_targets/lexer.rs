//! The lexer alone (includes, $VAR, @id, ~SEQ, braces) on a small in-memory
//! file tree. The input is split at NUL bytes into up to four files,
//! `/f/keepalived.conf`, `/f/a.conf`, `/f/sub/b.conf` and `/f/sub/c.conf`,
//! so `include` lines can reach each other (and loop). An input starting
//! with `@` selects the config id `kt-host`, so `@kt-host` lines are kept.

#![no_main]

use std::path::Path;

use kac_compiler::diag::{render_human, render_json, Diagnostics};
use kac_compiler::lex::{lex_file, Item, LexOptions, MemLoader};
use kac_compiler::source::SourceMap;
use libfuzzer_sys::fuzz_target;

const FILES: [&str; 4] = [
    "/f/keepalived.conf",
    "/f/a.conf",
    "/f/sub/b.conf",
    "/f/sub/c.conf",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut loader = MemLoader::new();
    for (name, part) in FILES.iter().zip(text.splitn(FILES.len(), '\0')) {
        loader = loader.with(*name, part);
    }
    let opts = LexOptions {
        config_id: text.starts_with('@').then(|| "kt-host".to_owned()),
    };
    let mut map = SourceMap::default();
    let mut diags = Diagnostics::default();
    let Ok(items) =
        lex_file(&loader, Path::new(FILES[0]), &mut map, &mut diags, &opts)
    else {
        return;
    };
    for item in &items {
        if let Item::Line(line) = item {
            let _ = line.span();
            for i in 0..=line.tokens.len() {
                let _ = line.rest_from(i);
                let _ = line.script_words(i);
            }
        }
    }
    diags.sort();
    for d in diags.iter() {
        let _ = render_human(&map, d);
        let _ = render_json(&map, d);
    }
});
