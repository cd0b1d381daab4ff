//! Diagnostics: what the compiler tells the user.
//!
//! Every diagnostic has a stable code (`K0123`), a severity fixed by its
//! code, a message, an optional primary span, notes and a `help:` line.
//! Codes are declared by the module that reports them (see
//! [`crate::diag::codes::all`] for the catalogue) so each area of the
//! language keeps its own list.

pub mod codes;
mod render;

pub use render::{render_human, render_json};

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A diagnostic kind: stable number, severity and a one-line summary used
/// in the catalogue (`kac explain`-style docs and the snapshot tests).
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    pub id: u16,
    pub severity: Severity,
    pub summary: &'static str,
}

impl Code {
    pub fn name(&self) -> String {
        format!("K{:04}", self.id)
    }
}

/// Declares diagnostic codes as `pub static` items plus a `CODES` slice
/// listing them, e.g.
/// `codes! { VRID_RANGE = 201, Error, "VRID outside 1..=255"; }`.
#[macro_export]
macro_rules! codes {
    ($($name:ident = $id:literal, $sev:ident, $summary:literal;)*) => {
        $(
            pub static $name: $crate::diag::Code = $crate::diag::Code {
                id: $id,
                severity: $crate::diag::Severity::$sev,
                summary: $summary,
            };
        )*
        /// Every code this module reports.
        pub static CODES: &[&$crate::diag::Code] = &[$(&$name),*];
    };
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub code: &'static Code,
    pub message: String,
    pub span: Option<Span>,
    /// Text printed under the caret.
    pub label: Option<String>,
    /// Secondary places (e.g. "first defined here").
    pub related: Vec<(Span, String)>,
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(
        code: &'static Code,
        span: Option<Span>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            span,
            label: None,
            related: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn severity(&self) -> Severity {
        self.code.severity
    }
}

/// The diagnostics of one compilation, in the order found.
#[derive(Debug, Default)]
pub struct Diagnostics {
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }

    /// Shorthand for `push(Diagnostic::new(..))` returning the pushed item
    /// for further decoration.
    pub fn report(
        &mut self,
        code: &'static Code,
        span: impl Into<Option<Span>>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.list.push(Diagnostic::new(code, span.into(), message));
        let last = self.list.len() - 1;
        &mut self.list[last]
    }

    /// Appends every diagnostic of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.list.extend(other.list);
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(|d| d.severity() == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.list
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.list.len() - self.error_count()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.list.iter()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Sort by file, line, column; diagnostics without a span last. Stable,
    /// so equal places keep the order found.
    pub fn sort(&mut self) {
        self.list.sort_by_key(|d| match d.span {
            Some(s) => (0, s.file.0, s.line, s.col),
            None => (1, 0, 0, 0),
        });
    }

    /// Folds diagnostics that say the same thing at the same place (a
    /// `~SEQ` or a multi-line definition replays one line many times) into
    /// the first, with a note of how many times it was found.
    pub fn dedup(&mut self) {
        let mut seen: std::collections::HashMap<(u16, Span, String), usize> =
            std::collections::HashMap::new();
        let mut counts: Vec<usize> = Vec::with_capacity(self.list.len());
        let mut keep: Vec<Diagnostic> = Vec::with_capacity(self.list.len());
        for d in self.list.drain(..) {
            let Some(span) = d.span else {
                keep.push(d);
                counts.push(1);
                continue;
            };
            let key = (d.code.id, span, d.message.clone());
            match seen.get(&key) {
                Some(&i) => counts[i] += 1,
                None => {
                    seen.insert(key, keep.len());
                    keep.push(d);
                    counts.push(1);
                }
            }
        }
        for (d, n) in keep.iter_mut().zip(counts) {
            if n > 1 {
                d.notes.push(format!(
                    "found {n} times here: this line is replayed by an expansion"
                ));
            }
        }
        self.list = keep;
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.list
    }
}

impl Diagnostic {
    /// Builders, for use on [`Diagnostics::report`] or a new diagnostic.
    pub fn with_help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(&mut self, note: impl Into<String>) -> &mut Self {
        self.notes.push(note.into());
        self
    }

    pub fn with_label(&mut self, label: impl Into<String>) -> &mut Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_related(
        &mut self,
        span: Span,
        text: impl Into<String>,
    ) -> &mut Self {
        self.related.push((span, text.into()));
        self
    }
}
