//! Golden files: the generated site tables of every fixture site, as
//! snapshots. (The tables are compiled and checked against the IR by the
//! `kac-codegen-tests` crate.)

use std::path::{Path, PathBuf};

use kac_compiler::codegen::{generate, SiteMeta};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn fixture_sites() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("keepalived.conf").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let conf = dir.join("keepalived.conf");
        let c = kac_compiler::compile_file(&conf, &Default::default()).unwrap();
        assert!(!c.has_errors(), "{}", c.render_human());
        let shown = format!("fixtures/{name}/keepalived.conf");
        let meta = SiteMeta::of(&c, &name, &shown);
        let code = generate(&c.config, &meta).unwrap();
        // The same input gives the same bytes.
        assert_eq!(code, generate(&c.config, &meta).unwrap());
        // `${_PWD}` is the checkout's path: keep it out of the golden file.
        let root = std::fs::canonicalize(root()).unwrap();
        let code = code.replace(&root.to_string_lossy().into_owned(), "<ROOT>");
        // Line breaks depend on the literal's length, and so on where the
        // checkout is: format again after the redaction.
        // (The leading `//` comments are not in syn's tree: keep them.)
        let body = code.find("\n\n").map_or(0, |i| i + 2);
        let file = syn::parse_file(&code[body..]).unwrap();
        let code = format!("{}{}", &code[..body], prettyplease::unparse(&file));
        insta::assert_snapshot!(format!("site_{name}"), code);
    }
}
