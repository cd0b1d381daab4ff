//! Source files and spans.
//!
//! Every token the lexer produces carries a [`Span`] that names the file,
//! line and column it came from, even when it was produced by `include`,
//! `$NAME` substitution or `~SEQ` expansion. A file also remembers the
//! `include` statement that brought it in, so a diagnostic can print the
//! whole include chain.

use std::path::PathBuf;
use std::sync::Arc;

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A place in a source file: 1-based line and column (in bytes), and a
/// length in bytes (0 for a point).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub line: u32,
    pub col: u32,
    pub len: u32,
}

impl Span {
    pub fn new(file: FileId, line: u32, col: u32, len: u32) -> Self {
        Span {
            file,
            line,
            col,
            len,
        }
    }

    /// A span covering `self` up to the end of `other` when both are on the
    /// same line; `self` otherwise.
    pub fn to(self, other: Span) -> Span {
        if self.file == other.file
            && self.line == other.line
            && other.col >= self.col
        {
            Span {
                len: other.col + other.len - self.col,
                ..self
            }
        } else {
            self
        }
    }
}

/// One loaded file.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as the user (or the including file) named it.
    pub path: PathBuf,
    /// Shared, so the lexer can read a file while the map holds it.
    pub text: Arc<str>,
    /// Start offset of each line in `text`.
    line_starts: Vec<usize>,
    /// The `include` that loaded this file; `None` for a root file.
    pub included_from: Option<Span>,
}

impl SourceFile {
    /// The text of 1-based `line`, without its line terminator.
    pub fn line(&self, line: u32) -> &str {
        let i = line as usize;
        if i == 0 || i > self.line_starts.len() {
            return "";
        }
        let start = self.line_starts[i - 1];
        let end = self.line_starts.get(i).copied().unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// Every file read during one compilation.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(
        &mut self,
        path: PathBuf,
        text: String,
        included_from: Option<Span>,
    ) -> FileId {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' && i + 1 < text.len() {
                line_starts.push(i + 1);
            }
        }
        if text.is_empty() {
            line_starts.clear();
        }
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile {
            path,
            text: Arc::from(text),
            line_starts,
            included_from,
        });
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// The chain of `include` statements that led to `file`, innermost
    /// first.
    pub fn include_chain(&self, file: FileId) -> Vec<Span> {
        let mut chain = Vec::new();
        let mut cur = self.get(file).included_from;
        while let Some(span) = cur {
            chain.push(span);
            cur = self.get(span.file).included_from;
            if chain.len() > self.files.len() {
                break; // defensive: a chain can't be longer than the files
            }
        }
        chain
    }
}
