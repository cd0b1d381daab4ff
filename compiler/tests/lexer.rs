//! The lexical layer on its own: what each line of keepalived.conf turns
//! into (words and braces, with the place each came from).

use std::path::Path;

use kac_compiler::diag::Diagnostics;
use kac_compiler::lex::{lex_file, FsLoader, Item, LexOptions, MemLoader};
use kac_compiler::source::SourceMap;

/// Lexes and renders one item per line: `file:line:col word word` or a
/// brace, plus the diagnostics' codes.
fn render(
    loader: &dyn kac_compiler::lex::Loader,
    path: &str,
    id: Option<&str>,
) -> String {
    let mut map = SourceMap::default();
    let mut diags = Diagnostics::default();
    let opts = LexOptions {
        config_id: id.map(str::to_owned),
    };
    let items =
        match lex_file(loader, Path::new(path), &mut map, &mut diags, &opts) {
            Ok(i) => i,
            Err(e) => return format!("io error: {e}"),
        };
    let mut out = String::new();
    for it in items {
        match it {
            Item::Open(s) => out.push_str(&format!(
                "{}:{}:{} {{\n",
                file(&map, s.file),
                s.line,
                s.col
            )),
            Item::Close(s) => out.push_str(&format!(
                "{}:{}:{} }}\n",
                file(&map, s.file),
                s.line,
                s.col
            )),
            Item::Line(l) => {
                let t0 = &l.tokens[0].span;
                let words: Vec<String> = l
                    .tokens
                    .iter()
                    .map(|t| {
                        if t.quoted {
                            format!("«{}»", t.text)
                        } else {
                            t.text.clone()
                        }
                    })
                    .collect();
                out.push_str(&format!(
                    "{}:{}:{} {}\n",
                    file(&map, t0.file),
                    t0.line,
                    t0.col,
                    words.join(" ")
                ));
            }
        }
    }
    for d in diags.iter() {
        out.push_str(&format!("diag {} {}\n", d.code.name(), d.message));
    }
    out
}

fn file(map: &SourceMap, id: kac_compiler::source::FileId) -> String {
    map.get(id)
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn every_feature_on_disk() {
    let path = "../fixtures/lexer/keepalived.conf";
    insta::assert_snapshot!(
        "lexer_fixture_kt_host",
        render(&FsLoader, path, Some("kt-host"))
    );
    insta::assert_snapshot!(
        "lexer_fixture_no_id",
        render(&FsLoader, path, None)
    );
}

fn mem(text: &str) -> String {
    let loader = MemLoader::new().with("k.conf", text);
    render(&loader, "k.conf", Some("r1"))
}

#[test]
fn braces_split_words_but_not_quoted_text() {
    assert_eq!(
        mem("a{b}c \"{x}\"\n"),
        "k.conf:1:1 a\nk.conf:1:2 {\nk.conf:1:3 b\nk.conf:1:4 }\nk.conf:1:5 c «{x}»\n"
    );
}

#[test]
fn comments_anywhere_outside_double_quotes() {
    assert_eq!(mem("a \"b # c\" # d\n"), "k.conf:1:1 a «b # c»\n");
    assert_eq!(mem("a 'b # c'\n").lines().next(), Some("k.conf:1:1 a 'b"));
    assert_eq!(mem("a b\\#c\n"), "k.conf:1:1 a b#c\n");
}

#[test]
fn conditionals_follow_the_config_id() {
    assert_eq!(
        mem("@r1 a\n@r2 b\n@^r2 c\n@^r1 d\n"),
        "k.conf:1:5 a\nk.conf:3:6 c\n"
    );
}

#[test]
fn definitions_braced_and_unbraced() {
    let out = mem("$X=1\n$Y = ${X}2\na $X ${Y} $X, $X) $Xz $X.z\n");
    assert!(
        out.starts_with("k.conf:3:1 a 1 12 1, 1) $Xz $X.z\n"),
        "{out}"
    );
    assert!(out.contains("diag K0009"), "{out}");
}

#[test]
fn multi_line_definition_expands_to_lines() {
    let out = mem("$M= \\\n  a 1 \\\n  b 2\n$M\n");
    assert_eq!(out, "k.conf:4:1 a 1\nk.conf:4:1 b 2\n");
}

#[test]
fn seq_and_lst_replay_the_line() {
    let out = mem("~SEQ(i, 3) x$i $i\n");
    // `$i` is substituted wherever it is followed by a blank or the end.
    assert_eq!(
        out,
        "k.conf:1:12 x1 1\nk.conf:1:12 x2 2\nk.conf:1:12 x3 3\n"
    );
    let out = mem("~SEQx(i, 9, 11) ${i}\n");
    assert_eq!(out, "k.conf:1:17 9\nk.conf:1:17 a\nk.conf:1:17 b\n");
    let out = mem("~LST(v, p, q) ${v}\n");
    assert_eq!(out, "k.conf:1:15 p\nk.conf:1:15 q\n");
}

#[test]
fn include_cycle_is_reported_with_the_chain() {
    let loader = MemLoader::new()
        .with("a.conf", "include b.conf\n")
        .with("b.conf", "include a.conf\nx\n");
    let out = render(&loader, "a.conf", None);
    assert!(out.contains("diag K0004 `a.conf` includes itself"), "{out}");
    assert!(out.contains("b.conf:2:1 x"), "{out}");
}

#[test]
fn spans_survive_substitution() {
    let loader = MemLoader::new().with("k.conf", "$V=abc\n  key ${V} z\n");
    let out = render(&loader, "k.conf", None);
    assert_eq!(out, "k.conf:2:3 key abc z\n");
}

#[test]
fn a_replayed_mistake_is_reported_once() {
    let c = kac_compiler::compile_str(
        "k.conf",
        "~SEQ(i, 3) big\n",
        &kac_compiler::Options::default(),
    );
    assert_eq!(c.diagnostics.len(), 1, "{}", c.render_human());
    assert!(c.diagnostics[0]
        .notes
        .iter()
        .any(|n| n.starts_with("found 3 times")));
}
