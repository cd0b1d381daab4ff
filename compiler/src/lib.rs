//! kac's compiler front end: keepalived.conf in, typed IR and diagnostics
//! out.
//!
//! ```text
//! file ──lex──▶ items ──ast──▶ nodes ──lower──▶ Config ──dump──▶ text
//!        (includes, $VAR,      (blocks)        (typed values,
//!         @id, ~SEQ, braces)                    checks)
//! ```
//!
//! Nothing here panics on any input or stops at the first problem: every
//! stage reports what it finds and carries on, so one run lists every
//! mistake in a file.

pub mod ast;
pub mod codegen;
pub mod diag;
pub mod dump;
pub mod ir;
pub mod lex;
pub mod lower;
pub mod peers;
pub mod source;
#[cfg(test)]
mod testing;

use std::path::Path;

pub use diag::{Diagnostic, Severity};
pub use ir::Config;
use lex::{FsLoader, LexOptions, Loader, MemLoader};
use source::SourceMap;

/// Options of one compilation.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// keepalived's `--config-id`: selects `@id` lines and sets
    /// `${_INSTANCE}`. Without it, `@id` lines are dropped and `@^id`
    /// lines kept.
    pub config_id: Option<String>,
}

/// The result of compiling one file.
#[derive(Debug)]
pub struct Compilation {
    pub config: Config,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// All diagnostics, rustc-style.
    pub fn render_human(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| diag::render_human(&self.sources, d))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// All diagnostics as JSON lines.
    pub fn render_json(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| diag::render_json(&self.sources, d) + "\n")
            .collect()
    }

    /// Adds diagnostics found by checks across files (see [`peers`]).
    pub fn add_diagnostic(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    /// The config as canonical keepalived.conf.
    pub fn dump(&self) -> String {
        dump::dump(&self.config)
    }
}

/// Compiles `path` from the file system. `Err` only when `path` itself
/// cannot be read; everything else is a diagnostic.
pub fn compile_file(
    path: &Path,
    opts: &Options,
) -> Result<Compilation, std::io::Error> {
    compile_with(&FsLoader, path, opts)
}

/// Compiles text held in memory under the name `name` (includes are
/// looked up in memory too, and find nothing).
pub fn compile_str(name: &str, text: &str, opts: &Options) -> Compilation {
    let loader = MemLoader::new().with(lex::normalize(Path::new(name)), text);
    match compile_with(&loader, Path::new(name), opts) {
        Ok(c) => c,
        // Unreachable: the file is in memory.
        Err(_) => Compilation {
            config: Config::default(),
            diagnostics: Vec::new(),
            sources: SourceMap::default(),
        },
    }
}

/// Compiles `path` through `loader`.
pub fn compile_with(
    loader: &dyn Loader,
    path: &Path,
    opts: &Options,
) -> Result<Compilation, std::io::Error> {
    let mut sources = SourceMap::default();
    let mut diags = diag::Diagnostics::default();
    let lex_opts = LexOptions {
        config_id: opts.config_id.clone(),
    };
    // Lex, build and lower as one stream: each top-level block is lowered
    // and dropped as soon as its `}` is read.
    let mut tree_diags = diag::Diagnostics::default();
    let mut late = diag::Diagnostics::default();
    let mut tree = ast::TreeBuilder::default();
    let mut lowerer = lower::Lowerer::default();
    lex::lex_file_into(
        loader,
        path,
        &mut sources,
        &mut diags,
        &lex_opts,
        &mut |item| {
            tree.push(item, &mut tree_diags, &mut |n| {
                lowerer.node(&n, &mut late)
            })
        },
    )?;
    tree.finish(&mut tree_diags, &mut |n| lowerer.node(&n, &mut late));
    let config = lowerer.finish(&mut late);
    diags.extend(tree_diags);
    diags.extend(late);
    diags.sort();
    diags.dedup();
    Ok(Compilation {
        config,
        diagnostics: diags.into_vec(),
        sources,
    })
}
