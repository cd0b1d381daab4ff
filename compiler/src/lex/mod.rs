//! The lexical layer: keepalived.conf's line preprocessor.
//!
//! keepalived reads its configuration line by line and rewrites each line
//! before it sees keywords (lib/parser.c `read_line`). We do the same, in
//! the same order, so a file means here what it means there:
//!
//! 1. physical line: cut the comment (`#` or `!` outside double quotes;
//!    `\#`, `\!` are literal), note a trailing `\` (continuation of a
//!    multi-line `$NAME=` definition), report an unterminated quote;
//! 2. `@id` / `@^id` conditional lines, selected by the config id;
//! 3. `$NAME=value` definitions (and multi-line ones);
//! 4. `~SEQ(...)`, `~SEQx(...)`, `~LST(...)` replays;
//! 5. `$NAME` / `${NAME}` substitution, then 2-4 again;
//! 6. `include PATTERN` (glob with braces, relative to the including
//!    file);
//! 7. braces split off as tokens of their own, words cut by the pest
//!    grammar in `line.pest`.
//!
//! The result is a flat list of [`Item`]s. Every token keeps the span of
//! the text it came from; substituted text points at the `$` that brought
//! it in.

mod loader;
mod seq;
mod tokens;

pub use loader::{normalize, FsLoader, Loader, MemLoader};
pub use tokens::{Cols, LogicalLine, Token};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostics;
use crate::source::{FileId, SourceMap, Span};
use tokens::Piece;

/// keepalived reads lines into a 1024-byte buffer (`MAXBUF`).
pub const MAX_LINE: usize = 1023;

/// How deep `include`, definitions and `~SEQ` may nest before we call it
/// a loop.
const MAX_DEPTH: usize = 64;

/// How many lines expansions may produce in all: nested `~SEQ`s multiply,
/// and a typo must not make the compiler run out of memory.
const MAX_LINES: usize = 1_000_000;

crate::codes! {
    UNTERMINATED_QUOTE = 1, Error, "a double quote is not closed on its line";
    LINE_TOO_LONG = 2, Error, "a line is longer than keepalived's 1023-byte limit";
    INCLUDE_NOT_FOUND = 3, Error, "an include matches no file";
    INCLUDE_CYCLE = 4, Error, "an include includes itself";
    INCLUDE_UNREADABLE = 5, Error, "an included file cannot be read";
    BAD_SEQ = 6, Error, "a ~SEQ/~LST line is malformed";
    DEFINITION_CYCLE = 7, Error, "a $NAME definition refers to itself";
    SUBST_TOO_LONG = 8, Error, "a line grows past 1023 bytes by substitution";
    NOT_SUBSTITUTED = 9, Warning, "$NAME is defined but not substituted where it is glued to text";
    NESTING_TOO_DEEP = 10, Error, "includes or expansions nest too deeply";
    RANDOM_AT_BUILD = 11, Warning, "${_RANDOM} is evaluated once, at build time";
    BAD_CONDITIONAL = 12, Warning, "an @id line has no text after the id";
    BAD_DEFINITION = 13, Error, "a $ line looks like a definition but is not one";
    COMMENT_IN_WORD = 14, Warning, "a `#` or `!` inside a word starts a comment";
}

/// What the lexer produces: lines of words and the braces between them.
#[derive(Clone, Debug)]
pub enum Item {
    Line(LogicalLine),
    Open(Span),
    Close(Span),
}

/// Options that change what the lexer keeps.
#[derive(Clone, Debug, Default)]
pub struct LexOptions {
    /// keepalived's `-i/--config-id`: selects `@id` lines.
    pub config_id: Option<String>,
}

#[derive(Clone, Debug)]
struct Def {
    /// One element for a plain definition, several for a multi-line one.
    lines: Vec<String>,
    multiline: bool,
}

/// A piece of text with the origin column of each byte.
#[derive(Clone, Debug)]
struct Seg {
    text: String,
    cols: Cols,
    file: FileId,
    line: u32,
}

impl Seg {
    fn slice(&self, start: usize) -> Seg {
        Seg {
            text: self.text[start..].to_owned(),
            cols: self.cols.slice(start, self.text.len()),
            file: self.file,
            line: self.line,
        }
    }

    fn trim_start(self) -> Seg {
        let n = self.text.len() - self.text.trim_start().len();
        if n == 0 {
            self
        } else {
            self.slice(n)
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        tokens::span_of(&self.cols, self.file, self.line, start, end)
    }

    fn whole_span(&self) -> Span {
        self.span(0, self.text.trim_end().len())
    }
}

pub struct Lexer<'a> {
    loader: &'a dyn Loader,
    map: &'a mut SourceMap,
    diags: &'a mut Diagnostics,
    opts: LexOptions,
    defs: HashMap<String, Def>,
    /// Files being read, outermost first, with the include that opened
    /// each (for cycle messages).
    stack: Vec<(PathBuf, PathBuf, Option<Span>)>,
    /// Where finished items go, in order.
    sink: &'a mut dyn FnMut(Item),
    rng: u64,
    /// Multi-line definitions being expanded, outermost first (a name
    /// that reappears is a cycle, even through `~SEQ`).
    expanding: Vec<String>,
    /// Lines processed so far, against [`MAX_LINES`].
    lines_seen: usize,
    budget_reported: bool,
}

/// Lexes `path` and everything it includes.
pub fn lex_file(
    loader: &dyn Loader,
    path: &Path,
    map: &mut SourceMap,
    diags: &mut Diagnostics,
    opts: &LexOptions,
) -> Result<Vec<Item>, std::io::Error> {
    let mut items = Vec::new();
    lex_file_into(loader, path, map, diags, opts, &mut |i| items.push(i))?;
    Ok(items)
}

/// Lexes `path` and everything it includes, handing each item to `sink`
/// as soon as it is made.
pub fn lex_file_into(
    loader: &dyn Loader,
    path: &Path,
    map: &mut SourceMap,
    diags: &mut Diagnostics,
    opts: &LexOptions,
    sink: &mut dyn FnMut(Item),
) -> Result<(), std::io::Error> {
    let text = loader.read(path)?;
    let mut lx = Lexer {
        loader,
        map,
        diags,
        opts: opts.clone(),
        defs: HashMap::new(),
        stack: Vec::new(),
        sink,
        rng: 0x2545_f491_4f6c_dd1d,
        expanding: Vec::new(),
        lines_seen: 0,
        budget_reported: false,
    };
    lx.read_text(path.to_path_buf(), text, None);
    Ok(())
}

impl Lexer<'_> {
    fn read_text(&mut self, path: PathBuf, text: String, from: Option<Span>) {
        let identity = self.loader.identity(&path);
        let id = self.map.add(path.clone(), text, from);
        self.stack.push((identity, path, from));
        let text = self.map.get(id).text.clone();
        let mut pending: Option<(String, Vec<String>)> = None;
        for (i, raw) in text.lines().enumerate() {
            let lineno = i as u32 + 1;
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.len() > MAX_LINE {
                self.diags
                    .report(
                        &LINE_TOO_LONG,
                        Span::new(id, lineno, MAX_LINE as u32 + 1, 1),
                        format!(
                            "line is {} bytes long; keepalived reads at most {MAX_LINE}",
                            raw.len()
                        ),
                    )
                    .with_note(
                        "keepalived would read the rest as a separate line",
                    );
            }
            let (seg, continued) = self.decomment(raw, id, lineno);
            if let Some((name, mut lines)) = pending.take() {
                let t = seg.text.trim();
                if !t.is_empty() {
                    lines.push(t.to_owned());
                }
                if continued {
                    pending = Some((name, lines));
                } else {
                    self.define(name, lines, true);
                }
                continue;
            }
            if seg.text.trim().is_empty() {
                continue;
            }
            if continued {
                if let Some((name, value)) = parse_definition(&seg.text) {
                    let first = value.trim();
                    let lines = if first.is_empty() {
                        vec![]
                    } else {
                        vec![first.to_owned()]
                    };
                    pending = Some((name, lines));
                    continue;
                }
            }
            self.process(seg, 0);
        }
        if let Some((name, lines)) = pending.take() {
            self.define(name, lines, true);
        }
        self.stack.pop();
    }

    /// Step 1: the comment and the continuation mark of one physical line.
    fn decomment(&mut self, raw: &str, file: FileId, line: u32) -> (Seg, bool) {
        let bytes = raw.as_bytes();
        let mut in_quote = false;
        let mut end = bytes.len();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => in_quote = !in_quote,
                b'\\'
                    if !in_quote
                        && matches!(
                            bytes.get(i + 1),
                            Some(b'#') | Some(b'!')
                        ) =>
                {
                    i += 1;
                }
                b'#' | b'!' if !in_quote => {
                    end = i;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        if end > 0 && end < bytes.len() && !bytes[end - 1].is_ascii_whitespace()
        {
            let c = char::from(bytes[end]);
            let word_start = raw[..end]
                .rfind(|ch: char| ch.is_ascii_whitespace())
                .map(|i| i + 1)
                .unwrap_or(0);
            let word = &raw[word_start..end];
            self.diags
                .report(
                    &COMMENT_IN_WORD,
                    Span::new(file, line, end as u32 + 1, 1),
                    format!("`{c}` starts a comment here, so the value is cut to `{word}`"),
                )
                .with_label("everything from here to the end of the line is ignored")
                .with_help(format!(
                    "write `\\{c}` or put the value in double quotes if `{c}` is part of it"
                ));
        }
        if in_quote {
            let start = raw.find('"').unwrap_or(0);
            self.diags
                .report(
                    &UNTERMINATED_QUOTE,
                    Span::new(file, line, start as u32 + 1, 1),
                    "unterminated double quote",
                )
                .with_label("this quote is not closed")
                .with_help("close the string with `\"` on the same line");
        }
        // Leading blanks go now, so later steps need not copy the line.
        let kept = raw[..end].trim_end();
        let lead = kept.len() - kept.trim_start().len();
        let mut text = kept[lead..].to_owned();
        let mut continued = false;
        if text.ends_with('\\') && !text.ends_with("\\\\") {
            text.pop();
            text.truncate(text.trim_end().len());
            continued = true;
        }
        let cols = Cols::Shift(lead as u32 + 1);
        (
            Seg {
                text,
                cols,
                file,
                line,
            },
            continued,
        )
    }

    fn define(&mut self, name: String, lines: Vec<String>, multiline: bool) {
        self.defs.insert(name, Def { lines, multiline });
    }

    /// Steps 2-7 for one line.
    fn process(&mut self, seg: Seg, depth: usize) {
        if depth > MAX_DEPTH {
            self.diags.report(
                &NESTING_TOO_DEEP,
                seg.whole_span(),
                format!("expansions nest more than {MAX_DEPTH} deep"),
            );
            return;
        }
        self.lines_seen += 1;
        if self.lines_seen > MAX_LINES {
            if !self.budget_reported {
                self.budget_reported = true;
                self.diags
                    .report(
                        &NESTING_TOO_DEEP,
                        seg.whole_span(),
                        format!(
                            "expansions produce more than {MAX_LINES} lines"
                        ),
                    )
                    .with_note("the rest of the file is not read");
            }
            return;
        }
        let mut seg = seg.trim_start();
        let mut substituted = false;
        loop {
            if seg.text.is_empty() {
                return;
            }
            if seg.text.starts_with('@') {
                match self.conditional(&seg) {
                    Some(rest) => {
                        seg = rest;
                        continue;
                    }
                    None => return,
                }
            }
            if seg.text.starts_with('$') {
                if let Some((name, value)) = parse_definition(&seg.text) {
                    self.define(name, vec![value.trim().to_owned()], false);
                    return;
                }
                let first = seg.text.split_whitespace().next().unwrap_or("");
                if first.contains('=') && !first.contains("${") {
                    let name: String =
                        first[1..].chars().take_while(|c| *c != '=').collect();
                    self.diags
                        .report(
                            &BAD_DEFINITION,
                            seg.span(0, first.len()),
                            format!("`${name}` is not a valid definition name"),
                        )
                        .with_help("a name is letters, digits and `_`, not starting with a digit")
                        .with_note("keepalived would read this line as an unknown keyword");
                    return;
                }
                if let Some((name, lines)) = self.whole_line_multidef(&seg) {
                    if self.expanding.contains(&name) {
                        let chain = self
                            .expanding
                            .iter()
                            .chain(std::iter::once(&name))
                            .map(|n| format!("${n}"))
                            .collect::<Vec<_>>()
                            .join(" -> ");
                        self.diags
                            .report(
                                &DEFINITION_CYCLE,
                                seg.whole_span(),
                                format!("`${name}` expands to itself"),
                            )
                            .with_note(format!("expansion chain: {chain}"))
                            .with_note(
                                "keepalived 2.2.7 loops forever on this",
                            );
                        return;
                    }
                    self.expanding.push(name);
                    for l in lines {
                        let cols = Cols::uniform(seg.cols.at(0), l.len());
                        self.process(
                            Seg {
                                text: l,
                                cols,
                                file: seg.file,
                                line: seg.line,
                            },
                            depth + 1,
                        );
                    }
                    self.expanding.pop();
                    return;
                }
            }
            if seg.text.starts_with("~SEQ") || seg.text.starts_with("~LST") {
                self.sequence(&seg, depth);
                return;
            }
            if seg.text.starts_with('~') {
                break;
            }
            if !substituted && seg.text.contains('$') {
                substituted = true;
                if let Some(new) = self.substitute(&seg) {
                    seg = new.trim_start();
                    continue;
                }
            }
            break;
        }
        if self.include(&seg, depth) {
            return;
        }
        self.emit(&seg);
    }

    /// `@id rest` / `@^id rest`: the rest when the line is selected.
    fn conditional(&mut self, seg: &Seg) -> Option<Seg> {
        let text = &seg.text[1..];
        let (negate, text, skip) = match text.strip_prefix('^') {
            Some(t) => (true, t, 2),
            None => (false, text, 1),
        };
        let id_len = text.find([' ', '\t']).unwrap_or(text.len());
        let id = &text[..id_len];
        let rest_start = skip + id_len;
        if seg.text[rest_start..].trim().is_empty() {
            if id_len == text.len() && !id.is_empty() {
                self.diags
                    .report(
                        &BAD_CONDITIONAL,
                        seg.whole_span(),
                        format!("`@{id}` has no text after the id; the line does nothing"),
                    )
                    .with_help("write `@id keyword value`, with a space after the id");
            }
            return None;
        }
        let matches = self.opts.config_id.as_deref() == Some(id);
        if matches != negate {
            Some(seg.slice(rest_start).trim_start())
        } else {
            None
        }
    }

    fn whole_line_multidef(&self, seg: &Seg) -> Option<(String, Vec<String>)> {
        let t = seg.text.trim();
        let name = t
            .strip_prefix("${")
            .and_then(|r| r.strip_suffix('}'))
            .or_else(|| t.strip_prefix('$'))?;
        let def = self.defs.get(name)?;
        if def.multiline {
            Some((name.to_owned(), def.lines.clone()))
        } else {
            None
        }
    }

    /// `$NAME` / `${NAME}` substitution. `None` when nothing changed.
    fn substitute(&mut self, seg: &Seg) -> Option<Seg> {
        let bytes = seg.text.as_bytes();
        let mut out = String::new();
        let mut cols = Vec::new();
        let mut changed = false;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'$' {
                if let Some((value, used)) = self.param_at(seg, i) {
                    let col = seg.cols.at(i);
                    // Substituted text never starts a comment.
                    let value = value.replace('#', "\\#").replace('!', "\\!");
                    cols.extend(std::iter::repeat_n(col, value.len()));
                    out.push_str(&value);
                    i += used;
                    changed = true;
                    continue;
                }
            }
            let ch_len = utf8_len(bytes[i]);
            let end = (i + ch_len).min(bytes.len());
            out.push_str(&seg.text[i..end]);
            cols.extend((i..end).map(|j| seg.cols.at(j)));
            i = end;
        }
        if !changed {
            return None;
        }
        if out.len() > MAX_LINE {
            self.diags.report(
                &SUBST_TOO_LONG,
                seg.whole_span(),
                format!(
                    "substitution makes this line {} bytes long; keepalived allows {MAX_LINE}",
                    out.len()
                ),
            );
        }
        Some(Seg {
            text: out,
            cols: Cols::Table(cols),
            file: seg.file,
            line: seg.line,
        })
    }

    /// The value of the parameter starting at byte `i` (a `$`) and how
    /// many bytes it spans, if it is one keepalived would substitute.
    fn param_at(&mut self, seg: &Seg, i: usize) -> Option<(String, usize)> {
        let rest = &seg.text[i + 1..];
        if let Some(inner) = rest.strip_prefix('{') {
            let close = inner.find('}')?;
            let body = &inner[..close];
            let used = close + 3;
            let mut words = body.split_whitespace();
            let name = words.next()?;
            let args: Vec<&str> = words.collect();
            let value =
                self.lookup(name, &args, seg.span(i, i + used), &mut vec![])?;
            return Some((value, used));
        }
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len == 0 || rest.as_bytes()[0].is_ascii_digit() {
            return None;
        }
        let name = &rest[..name_len];
        let next = rest.as_bytes().get(name_len);
        let ok = matches!(
            next,
            None | Some(b' ') | Some(b'\t') | Some(b',') | Some(b')')
        );
        if !ok {
            if self.defs.contains_key(name) {
                let span = seg.span(i, i + 1 + name_len);
                self.diags
                    .report(
                        &NOT_SUBSTITUTED,
                        span,
                        format!(
                            "`${name}` is not substituted here: it is followed by `{}`",
                            char::from(*next.unwrap_or(&b' '))
                        ),
                    )
                    .with_help(format!("write `${{{name}}}` to substitute it"))
                    .with_note("keepalived only substitutes an unbraced $NAME before a space, tab, `,`, `)` or the end of the line");
            }
            return None;
        }
        let value =
            self.lookup(name, &[], seg.span(i, i + 1 + name_len), &mut vec![])?;
        Some((value, 1 + name_len))
    }

    fn lookup(
        &mut self,
        name: &str,
        args: &[&str],
        span: Span,
        stack: &mut Vec<String>,
    ) -> Option<String> {
        if let Some(def) = self.defs.get(name) {
            if stack.iter().any(|n| n == name) {
                let chain = stack
                    .iter()
                    .chain(std::iter::once(&name.to_owned()))
                    .map(|n| format!("${n}"))
                    .collect::<Vec<_>>()
                    .join(" -> ");
                self.diags
                    .report(
                        &DEFINITION_CYCLE,
                        span,
                        format!("`${name}` is defined in terms of itself"),
                    )
                    .with_note(format!("expansion chain: {chain}"))
                    .with_note("keepalived 2.2.7 loops forever on this");
                return None;
            }
            let value = def.lines.join("\n");
            stack.push(name.to_owned());
            let expanded = self.expand_value(&value, span, stack);
            stack.pop();
            return expanded;
        }
        match name {
            "_PWD" => {
                let dir = self
                    .stack
                    .last()
                    .and_then(|(_, p, _)| p.parent().map(Path::to_path_buf))
                    .unwrap_or_default();
                let s = dir.display().to_string();
                Some(if s.is_empty() { ".".into() } else { s })
            }
            "_INSTANCE" => {
                Some(self.opts.config_id.clone().unwrap_or_default())
            }
            "_HASH" => Some("#".into()),
            "_BANG" => Some("!".into()),
            "_RANDOM" => {
                self.diags.report(
                    &RANDOM_AT_BUILD,
                    span,
                    "`${_RANDOM}` is evaluated once, when the site is compiled",
                ).with_note("keepalived draws a new value at every start; kac fixes it in the binary");
                let (lo, hi) = match args {
                    [a, b] => {
                        (a.parse().unwrap_or(0), b.parse().unwrap_or(32767))
                    }
                    _ => (0i64, 32767i64),
                };
                self.rng ^= self.rng << 13;
                self.rng ^= self.rng >> 7;
                self.rng ^= self.rng << 17;
                let span_len = (hi - lo).max(0) as u64 + 1;
                Some((lo + (self.rng % span_len) as i64).to_string())
            }
            _ => None,
        }
    }

    fn expand_value(
        &mut self,
        value: &str,
        span: Span,
        stack: &mut Vec<String>,
    ) -> Option<String> {
        if !value.contains('$') {
            return Some(value.to_owned());
        }
        let mut out = String::new();
        let bytes = value.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'$' {
                let rest = &value[i + 1..];
                if let Some(inner) = rest.strip_prefix('{') {
                    if let Some(close) = inner.find('}') {
                        let body = &inner[..close];
                        let mut words = body.split_whitespace();
                        if let Some(name) = words.next() {
                            let args: Vec<&str> = words.collect();
                            if self.defs.contains_key(name)
                                || name.starts_with('_')
                            {
                                match self.lookup(name, &args, span, stack) {
                                    Some(v) => out.push_str(&v),
                                    None if self.defs.contains_key(name) => {
                                        return None
                                    }
                                    None => {
                                        out.push_str(&value[i..i + close + 3])
                                    }
                                }
                                i += close + 3;
                                continue;
                            }
                        }
                    }
                } else {
                    let n = rest
                        .bytes()
                        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                        .count();
                    let next = rest.as_bytes().get(n);
                    let ok = matches!(
                        next,
                        None | Some(b' ')
                            | Some(b'\t')
                            | Some(b',')
                            | Some(b')')
                            | Some(b'\n')
                    );
                    if n > 0 && ok && self.defs.contains_key(&rest[..n]) {
                        let v = self.lookup(&rest[..n], &[], span, stack)?;
                        out.push_str(&v);
                        i += 1 + n;
                        continue;
                    }
                }
            }
            let l = utf8_len(bytes[i]);
            let end = (i + l).min(bytes.len());
            out.push_str(&value[i..end]);
            i = end;
        }
        Some(out)
    }

    /// `~SEQ(...) rest`, `~SEQx(...) rest`, `~LST(...) rest`.
    fn sequence(&mut self, seg: &Seg, depth: usize) {
        let span = seg.whole_span();
        // Parameters may use definitions.
        let open = seg.text.find('(');
        let close = seg.text.find(')');
        let (Some(open), Some(close)) = (open, close) else {
            self.diags
                .report(&BAD_SEQ, span, "`~SEQ`/`~LST` needs `(...)`")
                .with_help("write `~SEQ(var, start, end) text`");
            return;
        };
        if close < open {
            self.diags.report(&BAD_SEQ, span, "`)` before `(`");
            return;
        }
        let kind = &seg.text[..open];
        let params_seg = Seg {
            text: seg.text[open + 1..close].to_owned(),
            cols: seg.cols.slice(open + 1, close),
            file: seg.file,
            line: seg.line,
        };
        let params = match self.substitute(&params_seg) {
            Some(s) => s.text,
            None => params_seg.text,
        };
        if params.len() > 63 && kind != "~LST" {
            self.diags.report(
                &BAD_SEQ,
                span,
                "~SEQ parameters are longer than keepalived's 63 characters",
            );
            return;
        }
        let rest = seg.slice(close + 1).trim_start();
        let expansion = match kind {
            "~SEQ" => seq::seq(&params, false),
            "~SEQx" => seq::seq(&params, true),
            "~LST" => seq::lst(&params),
            other => Err(format!("unknown directive `{other}`")),
        };
        let rows = match expansion {
            Ok(rows) => rows,
            Err(msg) => {
                self.diags
                    .report(&BAD_SEQ, span, format!("invalid {kind}: {msg}"))
                    .with_help("write `~SEQ(var, start, step, end) text`, `~SEQ(var, start, end)`, `~SEQ(var, end)` or `~LST(var, v1, v2, ...)`");
                return;
            }
        };
        for row in rows {
            for (name, value) in row {
                self.define(name, vec![value], false);
            }
            self.process(rest.clone(), depth + 1);
        }
    }

    /// `include PATTERN` and its variants. `true` when the line was one.
    fn include(&mut self, seg: &Seg, depth: usize) -> bool {
        let word_len = seg.text.find([' ', '\t']).unwrap_or(seg.text.len());
        let word = &seg.text[..word_len];
        if !matches!(
            word,
            "include"
                | "includer"
                | "includem"
                | "includew"
                | "includeb"
                | "includea"
        ) || word_len == seg.text.len()
        {
            return false;
        }
        let pattern_seg = seg.slice(word_len).trim_start();
        let pattern = pattern_seg.text.trim_end().to_owned();
        let span = seg.whole_span();
        if self.stack.len() > MAX_DEPTH || depth > MAX_DEPTH {
            self.diags.report(
                &NESTING_TOO_DEEP,
                span,
                format!("includes nest more than {MAX_DEPTH} deep"),
            );
            return true;
        }
        let base = self
            .stack
            .last()
            .and_then(|(_, p, _)| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let mut matches = Vec::new();
        for alt in expand_braces(&pattern) {
            let full = if Path::new(&alt).is_absolute() {
                alt.clone()
            } else {
                normalize(&base.join(&alt)).display().to_string()
            };
            match self.loader.glob(&full) {
                Ok(found) => matches.extend(found),
                Err(e) => {
                    self.diags.report(
                        &INCLUDE_NOT_FOUND,
                        pattern_seg.whole_span(),
                        format!("invalid include pattern `{pattern}`: {e}"),
                    );
                    return true;
                }
            }
        }
        if matches.is_empty() {
            self.diags
                .report(
                    &INCLUDE_NOT_FOUND,
                    pattern_seg.whole_span(),
                    format!("`{pattern}` matches no file"),
                )
                .with_note(format!(
                    "relative patterns are relative to the including file's directory `{}`",
                    if base.as_os_str().is_empty() { Path::new(".") } else { &base }.display()
                ))
                .with_note("keepalived only logs this for a plain `include`, and then runs without the missing part");
            return true;
        }
        for path in matches {
            if let Err(why) = self.loader.check_readable(&path) {
                self.diags.report(
                    &INCLUDE_UNREADABLE,
                    pattern_seg.whole_span(),
                    format!("cannot include `{}`: {why}", path.display()),
                );
                continue;
            }
            let identity = self.loader.identity(&path);
            if let Some(pos) =
                self.stack.iter().position(|(id, _, _)| *id == identity)
            {
                let mut chain: Vec<String> = self.stack[pos..]
                    .iter()
                    .map(|(_, p, _)| p.display().to_string())
                    .collect();
                chain.push(path.display().to_string());
                self.diags
                    .report(
                        &INCLUDE_CYCLE,
                        span,
                        format!("`{}` includes itself", path.display()),
                    )
                    .with_note(format!("include chain: {}", chain.join(" -> ")))
                    .with_help("remove one of the includes in the chain");
                continue;
            }
            match self.loader.read(&path) {
                Ok(text) => self.read_text(path, text, Some(span)),
                Err(e) => {
                    self.diags.report(
                        &INCLUDE_UNREADABLE,
                        pattern_seg.whole_span(),
                        format!("cannot read `{}`: {e}", path.display()),
                    );
                }
            }
        }
        true
    }

    /// Step 7: words and braces. Words between two braces (or the line's
    /// ends) make one logical line.
    fn emit(&mut self, seg: &Seg) {
        let pieces = tokens::tokenize(&seg.text, &seg.cols, seg.file, seg.line);
        let mut words: Vec<Token> = Vec::new();
        let mut end = 0usize;
        for p in pieces {
            match p {
                Piece::Word(t, e) => {
                    words.push(t);
                    end = e as usize;
                }
                Piece::Open(s) => {
                    self.flush(seg, &mut words, end);
                    (self.sink)(Item::Open(s));
                }
                Piece::Close(s) => {
                    self.flush(seg, &mut words, end);
                    (self.sink)(Item::Close(s));
                }
            }
        }
        self.flush(seg, &mut words, end);
    }

    /// Makes a logical line of `words`, whose raw text ends at `end`.
    fn flush(&mut self, seg: &Seg, words: &mut Vec<Token>, end: usize) {
        let Some(first) = words.first() else {
            return;
        };
        let start = first.offset as usize;
        let end = end.clamp(start, seg.text.len());
        // An unterminated `"` string runs to the end of the line, so it can
        // only be the last word.
        let unterminated_quote = words.last().is_some_and(|t| {
            let raw = &seg.text[(t.offset as usize).min(end)..end];
            t.quoted && (raw.len() < 2 || !raw.ends_with('"'))
        });
        let text = seg.text[start..end].to_owned();
        let cols = seg.cols.slice(start, end);
        let tokens = std::mem::take(words)
            .into_iter()
            .map(|mut t| {
                t.offset -= start as u32;
                t
            })
            .collect();
        (self.sink)(Item::Line(LogicalLine {
            tokens,
            text,
            cols,
            file: seg.file,
            line: seg.line,
            unterminated_quote,
        }));
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xff => 4,
        _ => 1,
    }
}

/// `$NAME=value` (blanks allowed before `=`): the name and the value.
fn parse_definition(text: &str) -> Option<(String, String)> {
    let rest = text.strip_prefix('$')?;
    let n = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    if n == 0 || rest.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let after = rest[n..].trim_start_matches([' ', '\t']);
    let value = after.strip_prefix('=')?;
    Some((rest[..n].to_owned(), value.trim_start().to_owned()))
}

/// csh-style `{a,b}` alternatives, as glob(GLOB_BRACE) expands them.
pub fn expand_braces(pattern: &str) -> Vec<String> {
    let bytes = pattern.as_bytes();
    let Some(open) = pattern.find('{') else {
        return vec![pattern.to_owned()];
    };
    let mut depth = 0;
    let mut close = None;
    let mut commas = Vec::new();
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            b',' if depth == 1 => commas.push(i),
            _ => {}
        }
    }
    let Some(close) = close else {
        return vec![pattern.to_owned()];
    };
    let prefix = &pattern[..open];
    let suffix = &pattern[close + 1..];
    let mut bounds = vec![open];
    bounds.extend(&commas);
    bounds.push(close);
    let mut out = Vec::new();
    for w in bounds.windows(2) {
        let alt = &pattern[w[0] + 1..w[1]];
        for tail in expand_braces(&format!("{alt}{suffix}")) {
            out.push(format!("{prefix}{tail}"));
        }
    }
    out
}
