//! Lowering: the syntax tree to the typed IR.
//!
//! Each area of the language (global_defs, VRRP, trackers, LVS, ...) has
//! a module here with keyword tables ([`Kw`]) that [`dispatch`] walks.
//! A handler reads its words through [`Args`] and the value readers in
//! [`value`], and reports through [`Ctx`]. Nothing here stops at the first
//! problem: a bad value is reported and skipped, and lowering goes on.
//!
//! After the whole file is lowered, each area's `check` runs the
//! cross-reference and consistency checks that need the whole config.

pub mod addr;
pub mod global;
pub mod lvs;
pub mod track;
pub mod value;
pub mod vrrp;

use crate::ast::Node;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::Config;
use crate::lex::Token;
use crate::source::Span;

crate::codes! {
    UNKNOWN_KEYWORD = 30, Error, "a keyword keepalived does not know in this block";
    NEEDS_BLOCK = 31, Error, "a block keyword without its `{ ... }`";
    UNEXPECTED_BLOCK = 32, Error, "a `{ ... }` after a keyword that takes none";
    DEPRECATED = 33, Warning, "a deprecated spelling keepalived still accepts";
    MISSING_PARAMETER = 34, Error, "a keyword without its value";
    EXTRA_PARAMETERS = 35, Error, "words after a keyword's value that keepalived ignores";
    INVALID_NUMBER = 36, Error, "a value that is not a number";
    OUT_OF_RANGE = 37, Error, "a number outside the keyword's range";
    INVALID_BOOL = 38, Error, "a value that is not on/off/true/false/yes/no";
    INVALID_ADDRESS = 39, Error, "a value that is not an IP address or prefix";
    INVALID_CHOICE = 40, Error, "a value that is not one of the keyword's choices";
    DUPLICATE_KEYWORD = 41, Warning, "a keyword given twice in one block";
    INVALID_DURATION = 42, Error, "a value that is not a decimal number of seconds";
    BAD_SCRIPT = 43, Error, "a script value keepalived cannot split into words";
    DUPLICATE_NAME = 44, Error, "two blocks of the same kind with the same name";
    NESTED_BLOCK = 45, Error, "a block inside a value block";
    MISSING_NAME = 46, Error, "a block that needs a name has none";
}

/// Lowering context: where diagnostics go.
pub struct Ctx<'a> {
    pub diags: &'a mut Diagnostics,
}

impl Ctx<'_> {
    pub fn report(
        &mut self,
        code: &'static crate::diag::Code,
        span: impl Into<Option<Span>>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags.report(code, span, message)
    }
}

/// What follows a keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Words only.
    Line,
    /// A `{ ... }` block (maybe after some words).
    Block,
    /// Either (e.g. `virtual_server_group` entries).
    Any,
}

pub type Handler<T> = fn(&mut Ctx, &Node, &mut T);

/// One keyword of a block: its name, what follows it and its handler.
pub struct Kw<T: 'static> {
    pub name: &'static str,
    pub shape: Shape,
    pub handler: Handler<T>,
    /// For a deprecated spelling: the current one (a warning names it).
    pub replaced_by: Option<&'static str>,
}

impl<T> Kw<T> {
    pub const fn line(name: &'static str, handler: Handler<T>) -> Self {
        Kw {
            name,
            shape: Shape::Line,
            handler,
            replaced_by: None,
        }
    }

    pub const fn block(name: &'static str, handler: Handler<T>) -> Self {
        Kw {
            name,
            shape: Shape::Block,
            handler,
            replaced_by: None,
        }
    }

    pub const fn any(name: &'static str, handler: Handler<T>) -> Self {
        Kw {
            name,
            shape: Shape::Any,
            handler,
            replaced_by: None,
        }
    }

    /// Marks this entry as a deprecated spelling of `current`.
    pub const fn deprecated(mut self, current: &'static str) -> Self {
        self.replaced_by = Some(current);
        self
    }
}

/// Runs the handler of every node in `nodes` found in `tables`; reports
/// unknown keywords (with a "did you mean"), shape mistakes and
/// deprecated spellings. `context` names the block in messages
/// (`"vrrp_instance"`).
pub fn dispatch<T>(
    ctx: &mut Ctx,
    nodes: &[Node],
    tables: &[&[Kw<T>]],
    target: &mut T,
    context: &str,
) {
    for node in nodes {
        let name = node.kw();
        // Comparing the first byte first keeps this linear scan cheap.
        let first = name.as_bytes().first();
        let found = tables
            .iter()
            .flat_map(|t| t.iter())
            .find(|k| k.name.as_bytes().first() == first && k.name == name);
        let Some(kw) = found else {
            let known = tables.iter().flat_map(|t| t.iter()).map(|k| k.name);
            unknown_keyword(ctx, node.keyword(), context, known);
            continue;
        };
        if let Some(current) = kw.replaced_by {
            ctx.report(
                &DEPRECATED,
                node.keyword().span,
                format!(
                    "`{name}` is deprecated; its current name is `{current}`"
                ),
            )
            .with_help(format!("write `{current}`"));
        }
        match (kw.shape, &node.block) {
            (Shape::Block, None) => {
                ctx.report(
                    &NEEDS_BLOCK,
                    node.keyword().span,
                    format!("`{name}` needs a `{{ ... }}` block"),
                )
                .with_help(format!(
                    "write `{name} {{` and put each entry on its own line, then `}}`"
                ));
                continue;
            }
            (Shape::Line, Some(b)) => {
                ctx.report(
                    &UNEXPECTED_BLOCK,
                    b.open,
                    format!("`{name}` takes no `{{ ... }}` block"),
                )
                .with_note("keepalived reads each line of such a block as an unknown keyword");
                continue;
            }
            _ => {}
        }
        (kw.handler)(ctx, node, target);
    }
}

/// Reports an unknown keyword with the closest known one.
pub fn unknown_keyword<'k>(
    ctx: &mut Ctx,
    tok: &Token,
    context: &str,
    known: impl Iterator<Item = &'k str>,
) {
    let suggestion = closest(&tok.text, known);
    let d = ctx.report(
        &UNKNOWN_KEYWORD,
        tok.span,
        format!("unknown keyword `{}` in {context}", tok.text),
    );
    if let Some(s) = suggestion {
        d.with_help(format!("did you mean `{s}`?"));
    }
}

/// The candidate nearest to `word` by edit distance, if near enough to be
/// a likely typo (or equal ignoring case).
pub fn closest<'k>(
    word: &str,
    candidates: impl Iterator<Item = &'k str>,
) -> Option<&'k str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = if c.to_ascii_lowercase() == lower {
            0
        } else {
            edit_distance(&lower, &c.to_ascii_lowercase())
        };
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let limit = (word.len() / 3).clamp(1, 3);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A cursor over a node's words after the keyword.
pub struct Args<'n> {
    node: &'n Node,
    pos: usize,
}

impl<'n> Iterator for Args<'n> {
    type Item = &'n Token;

    fn next(&mut self) -> Option<&'n Token> {
        let t = self.node.line.tokens.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }
}

impl<'n> Args<'n> {
    pub fn new(node: &'n Node) -> Self {
        Args { node, pos: 1 }
    }

    /// A cursor over all words of the node, keyword included (for value
    /// block entries, whose first word is data).
    pub fn entry(node: &'n Node) -> Self {
        Args { node, pos: 0 }
    }

    pub fn node(&self) -> &'n Node {
        self.node
    }

    /// Index of the next word in the node's tokens.
    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn peek(&self) -> Option<&'n Token> {
        self.node.line.tokens.get(self.pos)
    }

    /// The next word if it equals `word`.
    pub fn eat(&mut self, word: &str) -> Option<&'n Token> {
        match self.peek() {
            Some(t) if t.text == word => self.next(),
            _ => None,
        }
    }

    /// The next word, or a "missing parameter" error naming `what`.
    pub fn required(&mut self, ctx: &mut Ctx, what: &str) -> Option<&'n Token> {
        let t = self.next();
        if t.is_none() {
            let kw = self.node.keyword();
            ctx.report(
                &MISSING_PARAMETER,
                kw.span,
                format!("`{}` is missing its {what}", kw.text),
            )
            .with_note("keepalived stops at this line and does not start (exit code 2)");
        }
        t
    }

    pub fn rest(&mut self) -> &'n [Token] {
        let all = &self.node.line.tokens;
        let r = &all[self.pos.min(all.len())..];
        self.pos = all.len();
        r
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.node.line.tokens.len()
    }

    /// Reports words left over: keepalived ignores them silently, which
    /// is almost always a mistake (`auth_type PASS auth_pass x` on one
    /// line, `priority 100 200`).
    pub fn finish(mut self, ctx: &mut Ctx) {
        let rest = self.rest();
        if let (Some(first), Some(last)) = (rest.first(), rest.last()) {
            let words: Vec<&str> =
                rest.iter().map(|t| t.text.as_str()).collect();
            let kw = &self.node.keyword().text;
            ctx.report(
                &EXTRA_PARAMETERS,
                first.span.to(last.span),
                format!("unexpected `{}` after `{kw}`", words.join(" ")),
            )
            .with_label("keepalived ignores these words")
            .with_help(
                "put each keyword on its own line, or remove the extra words",
            );
        }
    }
}

/// The top-level keyword tables of every area.
static TOP_TABLES: &[&[Kw<Config>]] =
    &[global::TOP, track::TOP, addr::TOP, vrrp::TOP, lvs::TOP];

/// Lowers top-level nodes one at a time (so the tree of a large file
/// never has to exist as a whole), then runs the checks that need the
/// whole configuration.
#[derive(Default)]
pub struct Lowerer {
    config: Config,
}

impl Lowerer {
    pub fn node(&mut self, node: &Node, diags: &mut Diagnostics) {
        let mut ctx = Ctx { diags };
        dispatch(
            &mut ctx,
            std::slice::from_ref(node),
            TOP_TABLES,
            &mut self.config,
            "the top level",
        );
    }

    pub fn finish(self, diags: &mut Diagnostics) -> Config {
        let mut ctx = Ctx { diags };
        let config = self.config;
        global::check(&mut ctx, &config);
        track::check(&mut ctx, &config);
        addr::check(&mut ctx, &config);
        vrrp::check(&mut ctx, &config);
        lvs::check(&mut ctx, &config);
        config
    }
}

/// Every code the lowering reports, for the catalogue.
pub fn codes() -> impl Iterator<Item = &'static crate::diag::Code> {
    CODES
        .iter()
        .chain(global::CODES)
        .chain(track::CODES)
        .chain(addr::CODES)
        .chain(vrrp::CODES)
        .chain(lvs::CODES)
        .copied()
}
