//! Tokens and the per-line pest grammar.

use pest::Parser;
use pest_derive::Parser;

use crate::source::{FileId, Span};

#[derive(Parser)]
#[grammar = "lex/line.pest"]
struct LineGrammar;

/// The origin column of every byte of a line's text. A line read as it
/// is maps byte `i` to column `first + i`; text that substitution brought
/// in needs a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cols {
    /// Column of byte 0; the rest follow one per byte.
    Shift(u32),
    Table(Vec<u32>),
}

impl Cols {
    /// Every byte of a `len`-byte text at column `col`.
    pub fn uniform(col: u32, len: usize) -> Cols {
        Cols::Table(vec![col; len])
    }

    /// The column of byte `i` (1 past the table's end repeats its last).
    pub fn at(&self, i: usize) -> u32 {
        match self {
            Cols::Shift(first) => first.saturating_add(i as u32),
            Cols::Table(v) => v.get(i).or(v.last()).copied().unwrap_or(1),
        }
    }

    /// The columns of bytes `start..end`.
    pub fn slice(&self, start: usize, end: usize) -> Cols {
        match self {
            Cols::Shift(first) => {
                Cols::Shift(first.saturating_add(start as u32))
            }
            Cols::Table(v) => {
                let end = end.min(v.len());
                Cols::Table(v.get(start..end).unwrap_or(&[]).to_vec())
            }
        }
    }
}

/// One word of a line, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub span: Span,
    /// Written in double quotes (so `{`, `#` and spaces were literal).
    pub quoted: bool,
    /// Byte offset of the token in its [`LogicalLine::text`].
    pub offset: u32,
}

/// A line after preprocessing and brace splitting: the words between two
/// braces or line ends.
#[derive(Clone, Debug)]
pub struct LogicalLine {
    pub tokens: Vec<Token>,
    /// The text the tokens were cut from (for shell-like re-tokenising of
    /// script values).
    pub text: String,
    /// Origin column of every byte of `text`.
    pub cols: Cols,
    pub file: FileId,
    pub line: u32,
    /// Its last word is a `"` string that the line never closes (the
    /// lexer reported it, K0001).
    pub unterminated_quote: bool,
}

impl LogicalLine {
    /// Span of the whole logical line.
    pub fn span(&self) -> Span {
        match (self.tokens.first(), self.tokens.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => Span::new(self.file, self.line, 1, 0),
        }
    }

    /// The raw text from token `index` to the end of the line.
    pub fn rest_from(&self, index: usize) -> &str {
        match self.tokens.get(index) {
            Some(t) => &self.text[t.offset as usize..],
            None => "",
        }
    }

    /// Shell-like words from token `index` on, as keepalived reads script
    /// values: `'...'` and `"..."` quote and may be glued to other text,
    /// backslash escapes. `Err` names the problem (an unterminated quote).
    pub fn script_words(&self, index: usize) -> Result<Vec<Token>, String> {
        let Some(first) = self.tokens.get(index) else {
            return Ok(Vec::new());
        };
        let base = first.offset as usize;
        let text = &self.text[base..];
        check_script_quotes(text)?;
        let pairs = LineGrammar::parse(Rule::script_line, text)
            .map_err(|e| format!("cannot split into words: {e}"))?;
        let mut out = Vec::new();
        for pair in pairs.flatten().filter(|p| p.as_rule() == Rule::sword) {
            let start = base + pair.as_span().start();
            let end = base + pair.as_span().end();
            let mut value = String::new();
            let mut quoted = false;
            for part in pair.into_inner() {
                match part.as_rule() {
                    Rule::squote => {
                        quoted = true;
                        value.push_str(part.into_inner().as_str());
                    }
                    Rule::dquote => {
                        quoted = true;
                        for p in part.into_inner() {
                            match p.as_rule() {
                                Rule::dq_escape => {
                                    value.push_str(&unescape(&p.as_str()[1..]))
                                }
                                _ => value.push_str(p.as_str()),
                            }
                        }
                    }
                    Rule::sescape => {
                        value.push_str(&unescape(&part.as_str()[1..]))
                    }
                    _ => value.push_str(part.as_str()),
                }
            }
            out.push(Token {
                text: value,
                span: self.span_of(start, end),
                quoted,
                offset: start as u32,
            });
        }
        Ok(out)
    }

    fn span_of(&self, start: usize, end: usize) -> Span {
        span_of(&self.cols, self.file, self.line, start, end)
    }
}

pub(crate) fn span_of(
    cols: &Cols,
    file: FileId,
    line: u32,
    start: usize,
    end: usize,
) -> Span {
    let c0 = cols.at(start);
    let c1 = if end > start { cols.at(end - 1) } else { c0 };
    let len = if c1 >= c0 { c1 - c0 + 1 } else { 1 };
    Span::new(file, line, c0, if end > start { len } else { 0 })
}

/// Escapes keepalived's script tokeniser knows, after the backslash.
fn unescape(s: &str) -> String {
    let mut chars = s.chars();
    let Some(c) = chars.next() else {
        return String::new();
    };
    let rest: String = chars.collect();
    let mapped = match c {
        'a' => '\x07',
        'b' => '\x08',
        'E' => '\x1b',
        'f' => '\x0c',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\x0b',
        other => other,
    };
    format!("{mapped}{rest}")
}

fn check_script_quotes(text: &str) -> Result<(), String> {
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\\') | (Some('"'), '\\') => {
                chars.next();
            }
            (None, '"') | (None, '\'') => quote = Some(c),
            (Some(q), c) if q == c => quote = None,
            _ => {}
        }
    }
    match quote {
        Some(q) => Err(format!("missing terminating {q}")),
        None => Ok(()),
    }
}

/// A piece of a line as the grammar cut it.
#[derive(Debug)]
pub(crate) enum Piece {
    /// A word and the byte offset just past its raw text.
    Word(Token, u32),
    Open(Span),
    Close(Span),
}

/// Cuts one preprocessed line into words and braces. Never fails: the
/// grammar accepts every input (an unterminated quote runs to the end).
pub(crate) fn tokenize(
    text: &str,
    cols: &Cols,
    file: FileId,
    line: u32,
) -> Vec<Piece> {
    if !text.contains(['"', '\\']) {
        return tokenize_plain(text, cols, file, line);
    }
    let mut out = Vec::new();
    let Ok(pairs) = LineGrammar::parse(Rule::line, text) else {
        // Not reachable for the grammar above; degrade to one word.
        if !text.trim().is_empty() {
            out.push(Piece::Word(
                Token {
                    text: text.trim().to_owned(),
                    span: span_of(cols, file, line, 0, text.len()),
                    quoted: false,
                    offset: 0,
                },
                text.len() as u32,
            ));
        }
        return out;
    };
    for pair in pairs.flatten() {
        let (start, end) = (pair.as_span().start(), pair.as_span().end());
        let span = span_of(cols, file, line, start, end);
        match pair.as_rule() {
            Rule::open => out.push(Piece::Open(span)),
            Rule::close => out.push(Piece::Close(span)),
            Rule::quoted | Rule::unterminated => {
                let inner = pair
                    .into_inner()
                    .next()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default();
                out.push(Piece::Word(
                    Token {
                        text: inner,
                        span,
                        quoted: true,
                        offset: start as u32,
                    },
                    end as u32,
                ))
            }
            Rule::word => out.push(Piece::Word(
                Token {
                    text: pair.as_str().replace("\\#", "#").replace("\\!", "!"),
                    span,
                    quoted: false,
                    offset: start as u32,
                },
                end as u32,
            )),
            _ => {}
        }
    }
    out
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0b | 0x0c | b'\r' | b'\n')
}

/// The grammar's result for a line without quotes or backslashes (most
/// lines), without the parser: words split at blanks, braces on their
/// own. `tests::plain_lines_match_the_grammar` holds the two together.
fn tokenize_plain(
    text: &str,
    cols: &Cols,
    file: FileId,
    line: u32,
) -> Vec<Piece> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if is_blank(b) {
            i += 1;
            continue;
        }
        let span = span_of(cols, file, line, i, i + 1);
        if b == b'{' {
            out.push(Piece::Open(span));
            i += 1;
            continue;
        }
        if b == b'}' {
            out.push(Piece::Close(span));
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len()
            && !is_blank(bytes[i])
            && bytes[i] != b'{'
            && bytes[i] != b'}'
        {
            i += 1;
        }
        out.push(Piece::Word(
            Token {
                text: text[start..i].to_owned(),
                span: span_of(cols, file, line, start, i),
                quoted: false,
                offset: start as u32,
            },
            i as u32,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn via_grammar(text: &str) -> Vec<String> {
        let cols = Cols::Shift(1);
        let mut out = Vec::new();
        let pairs =
            LineGrammar::parse(Rule::line, text).expect("grammar accepts all");
        for p in pairs.flatten() {
            let (a, b) = (p.as_span().start(), p.as_span().end());
            let name = match p.as_rule() {
                Rule::open => "open",
                Rule::close => "close",
                Rule::word => "word",
                _ => continue,
            };
            out.push(format!("{name}@{a}-{b}:{}", p.as_str()));
        }
        let _ = cols;
        out
    }

    fn via_plain(text: &str) -> Vec<String> {
        tokenize_plain(text, &Cols::Shift(1), FileId(0), 1)
            .into_iter()
            .map(|p| match p {
                Piece::Word(t, e) => {
                    format!("word@{}-{e}:{}", t.offset, t.text)
                }
                Piece::Open(s) => format!("open@{}-{}:{{", s.col - 1, s.col),
                Piece::Close(s) => format!("close@{}-{}:}}", s.col - 1, s.col),
            })
            .collect()
    }

    /// Every line without `"` or `\` (random ones from a small alphabet,
    /// and real ones) cuts the same with the fast path and the grammar.
    #[test]
    fn plain_lines_match_the_grammar() {
        let alphabet = [
            " ",
            "\t",
            "{",
            "}",
            "a",
            "b1",
            "_",
            "192.0.2.1/24",
            "#",
            "!",
            "$X",
            "é",
            "-",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut lines: Vec<String> = vec![
            "vrrp_instance VI_1{".into(),
            "  virtual_router_id 51 }".into(),
            "}}{{".into(),
            "".into(),
        ];
        for _ in 0..5000 {
            let mut l = String::new();
            for _ in 0..(seed % 12) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                l.push_str(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            lines.push(l);
        }
        for l in &lines {
            assert_eq!(via_plain(l), via_grammar(l), "line {l:?}");
        }
    }
}
