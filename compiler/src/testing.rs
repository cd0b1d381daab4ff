//! Helpers shared by the unit tests of the lowering modules.

use crate::{compile_str, Compilation, Options};

/// Compiles `text` as a file named `test.conf`, with default options.
pub fn compile(text: &str) -> Compilation {
    compile_str("test.conf", text, &Options::default())
}

/// The names of the codes reported, in order (`["K0201", ...]`).
pub fn codes(c: &Compilation) -> Vec<String> {
    c.diagnostics.iter().map(|d| d.code.name()).collect()
}
