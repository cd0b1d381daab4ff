//! Readers for typed values. Each reports its own problem (with the
//! token's span) and returns `None`, so callers just skip the setting.
//!
//! Numbers follow keepalived's readers (lib/parser.c): base 10, the whole
//! word must be the number, unsigned readers refuse a `-`. Decimal
//! seconds take at most 6 decimals (microseconds), no units.

use std::net::IpAddr;

use super::{
    closest, Args, Ctx, BAD_SCRIPT, DUPLICATE_KEYWORD, INVALID_ADDRESS,
    INVALID_BOOL, INVALID_CHOICE, INVALID_DURATION, INVALID_NUMBER,
    OUT_OF_RANGE,
};
use crate::ast::Node;
use crate::ir::value::{Command, IpPrefix, Micros, RunAs, Script, Sp};
use crate::lex::Token;

/// An integer in `min..=max`. `what` names the setting in messages.
pub fn int(
    ctx: &mut Ctx,
    tok: &Token,
    min: i64,
    max: i64,
    what: &str,
) -> Option<i64> {
    let Ok(v) = tok.text.parse::<i64>() else {
        not_a_number(ctx, tok, what);
        return None;
    };
    in_range(ctx, tok, v, min, max, what)
}

/// An unsigned integer in `min..=max`.
pub fn uint(
    ctx: &mut Ctx,
    tok: &Token,
    min: u64,
    max: u64,
    what: &str,
) -> Option<u64> {
    let t = tok.text.as_str();
    if t.starts_with('-') && t[1..].parse::<u64>().is_ok() {
        ctx.report(&OUT_OF_RANGE, tok.span, format!("{what} {t} is negative"))
            .with_label(format!("must be {min}..={max}"));
        return None;
    }
    let Ok(v) = t.parse::<u64>() else {
        not_a_number(ctx, tok, what);
        return None;
    };
    in_range(ctx, tok, v, min, max, what)
}

fn not_a_number(ctx: &mut Ctx, tok: &Token, what: &str) {
    let t = tok.text.as_str();
    let d = ctx.report(
        &INVALID_NUMBER,
        tok.span,
        format!("{what} `{t}` is not a number"),
    );
    let digits = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    if digits != t && digits.parse::<i64>().is_ok() {
        d.with_help("keepalived takes no units here; write the plain number");
    }
}

fn in_range<N: PartialOrd + std::fmt::Display>(
    ctx: &mut Ctx,
    tok: &Token,
    v: N,
    min: N,
    max: N,
    what: &str,
) -> Option<N> {
    if v < min || v > max {
        ctx.report(
            &OUT_OF_RANGE,
            tok.span,
            format!("{what} {v} is outside {min}..={max}"),
        )
        .with_label(format!("must be {min}..={max}"));
        return None;
    }
    Some(v)
}

/// Decimal seconds with at most 6 decimals, in `min..=max`.
pub fn seconds(
    ctx: &mut Ctx,
    tok: &Token,
    min: Micros,
    max: Micros,
    what: &str,
) -> Option<Micros> {
    let t = tok.text.as_str();
    let parsed = parse_micros(t);
    let v = match parsed {
        Ok(v) => v,
        Err(msg) => {
            let d = ctx.report(
                &INVALID_DURATION,
                tok.span,
                format!("{what} `{t}` {msg}"),
            );
            if t.ends_with(['s', 'm', 'h']) {
                d.with_help(
                    "keepalived takes seconds without a unit, e.g. `1.5`",
                );
            }
            return None;
        }
    };
    if v < min || v > max {
        ctx.report(
            &OUT_OF_RANGE,
            tok.span,
            format!("{what} {v} is outside {min}..={max} seconds"),
        )
        .with_label(format!("must be {min}..={max}"));
        return None;
    }
    Some(v)
}

/// `123`, `0.5`, `1.000001` to microseconds.
pub fn parse_micros(t: &str) -> Result<Micros, &'static str> {
    if t.starts_with('-') {
        return Err("is negative");
    }
    let (int_part, frac) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    if int_part.is_empty() && frac.is_empty() {
        return Err("is not a number");
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("is not a decimal number of seconds");
    }
    if frac.len() > 6 {
        return Err(
            "has more than 6 decimals (keepalived counts microseconds)",
        );
    }
    let secs: u64 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().map_err(|_| "is too large")?
    };
    let mut frac_us: u64 = 0;
    for (i, b) in frac.bytes().enumerate() {
        frac_us += u64::from(b - b'0') * 10u64.pow(5 - i as u32);
    }
    secs.checked_mul(1_000_000)
        .and_then(|s| s.checked_add(frac_us))
        .map(Micros)
        .ok_or("is too large")
}

/// `on|off|true|false|yes|no`.
pub fn boolean(ctx: &mut Ctx, tok: &Token) -> Option<bool> {
    match tok.text.as_str() {
        "on" | "true" | "yes" => Some(true),
        "off" | "false" | "no" => Some(false),
        other => {
            let d = ctx.report(
                &INVALID_BOOL,
                tok.span,
                format!("`{other}` is not a boolean"),
            );
            d.with_help("write on, off, true, false, yes or no (lower case)");
            None
        }
    }
}

/// A flag keyword with an optional boolean: bare means `true`.
pub fn flag(ctx: &mut Ctx, node: &Node) -> Option<bool> {
    let mut args = Args::new(node);
    let v = match args.next() {
        None => Some(true),
        Some(t) => boolean(ctx, t),
    };
    args.finish(ctx);
    v
}

/// An IP address (no prefix).
///
/// keepalived cuts a `/LEN` or `-RANGE` off a single address silently;
/// kac rejects it (deliberately stricter): the keyword takes one address,
/// and the suffix usually means a VIP entry was pasted in the wrong place.
pub fn ip(ctx: &mut Ctx, tok: &Token, what: &str) -> Option<IpAddr> {
    match tok.text.parse::<IpAddr>() {
        Ok(a) => Some(a),
        Err(_) => {
            let d = ctx.report(
                &INVALID_ADDRESS,
                tok.span,
                format!("{what} `{}` is not an IP address", tok.text),
            );
            let bare = tok.text.split(['/', '-']).next().unwrap_or_default();
            if bare != tok.text && bare.parse::<IpAddr>().is_ok() {
                d.with_note(
                    "keepalived drops the suffix silently: this keyword takes one address",
                )
                .with_help(format!("write `{bare}`"));
            }
            None
        }
    }
}

/// `ADDR[/LEN]`; without `/LEN` a host prefix.
pub fn prefix(ctx: &mut Ctx, tok: &Token, what: &str) -> Option<IpPrefix> {
    match parse_prefix(&tok.text) {
        Ok(p) => Some(p),
        Err(msg) => {
            ctx.report(
                &INVALID_ADDRESS,
                tok.span,
                format!("{what} `{}` {msg}", tok.text),
            );
            None
        }
    }
}

pub fn parse_prefix(t: &str) -> Result<IpPrefix, String> {
    let (a, l) = match t.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (t, None),
    };
    let addr: IpAddr =
        a.parse().map_err(|_| "is not an IP address".to_owned())?;
    let max = crate::ir::value::Family::of(&addr).max_prefix();
    let len = match l {
        None => max,
        Some(l) => match l.parse::<u8>() {
            Ok(n) if n <= max => n,
            _ => return Err(format!("has a prefix length outside 0..={max}")),
        },
    };
    Ok(IpPrefix { addr, len })
}

/// One of `options` (exact, case-sensitive unless `nocase`). On a miss,
/// suggests the closest option.
pub fn choice<V: Copy>(
    ctx: &mut Ctx,
    tok: &Token,
    options: &[(&str, V)],
    what: &str,
    nocase: bool,
) -> Option<V> {
    let t = tok.text.as_str();
    if let Some((_, v)) = options
        .iter()
        .find(|(n, _)| *n == t || (nocase && n.eq_ignore_ascii_case(t)))
    {
        return Some(*v);
    }
    let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
    let d =
        ctx.report(&INVALID_CHOICE, tok.span, format!("unknown {what} `{t}`"));
    d.with_label(format!("expected one of: {}", names.join(", ")));
    if let Some(s) = closest(t, names.iter().copied()) {
        if s.eq_ignore_ascii_case(t) {
            d.with_help(format!(
                "write `{s}`: keepalived compares these case-sensitively"
            ));
        } else {
            d.with_help(format!("did you mean `{s}`?"));
        }
    }
    None
}

/// The script value starting at word `index` of `node`, split the way
/// keepalived splits script values (see [`crate::lex::LogicalLine::script_words`]):
/// the first word is the command (a quoted string holds the command and
/// its arguments), and an unquoted command takes the words after it as
/// its arguments... unless `run_as` is wanted, in which case the words
/// after the command are `user [group]`.
pub fn command(
    ctx: &mut Ctx,
    node: &Node,
    index: usize,
    run_as: bool,
) -> Option<Sp<Command>> {
    let line = &node.line;
    let words = match line.script_words(index) {
        Ok(w) => w,
        Err(msg) => {
            // The lexer already reported an unterminated `"` (K0001).
            if line.unterminated_quote {
                return None;
            }
            let span = line
                .tokens
                .get(index)
                .map(|t| t.span)
                .unwrap_or(node.span());
            ctx.report(
                &BAD_SCRIPT,
                span,
                format!("cannot read `{}`'s command: {msg}", node.kw()),
            )
            .with_help("close the quote; inside double quotes use single quotes for arguments with spaces");
            return None;
        }
    };
    let Some(first) = words.first() else {
        node_missing(ctx, node, "command");
        return None;
    };
    // The first word holds the command and its arguments; split it again
    // as keepalived does.
    let inner = crate::lex::LogicalLine {
        tokens: vec![crate::lex::Token {
            text: first.text.clone(),
            span: first.span,
            quoted: false,
            offset: 0,
        }],
        text: first.text.clone(),
        cols: crate::lex::Cols::uniform(first.span.col, first.text.len()),
        file: first.span.file,
        line: first.span.line,
        unterminated_quote: false,
    };
    let argv: Vec<String> = if first.quoted {
        match inner.script_words(0) {
            Ok(w) => w.into_iter().map(|t| t.text).collect(),
            Err(msg) => {
                ctx.report(
                    &BAD_SCRIPT,
                    first.span,
                    format!("cannot split the command: {msg}"),
                );
                return None;
            }
        }
    } else {
        vec![first.text.clone()]
    };
    let rest = &words[1..];
    let (argv, run_as_v) = if run_as {
        let r = match rest {
            [] => None,
            [u] => Some(RunAs {
                user: u.text.clone(),
                group: None,
            }),
            [u, g] => Some(RunAs {
                user: u.text.clone(),
                group: Some(g.text.clone()),
            }),
            [u, g, extra @ ..] => {
                let (a, b) = (extra[0].span, extra[extra.len() - 1].span);
                ctx.report(
                    &super::EXTRA_PARAMETERS,
                    a.to(b),
                    format!("unexpected words after `{}`'s user and group", node.kw()),
                )
                .with_help("to pass arguments, put the command and its arguments in double quotes");
                Some(RunAs {
                    user: u.text.clone(),
                    group: Some(g.text.clone()),
                })
            }
        };
        (argv, r)
    } else {
        let mut a = argv;
        a.extend(rest.iter().map(|t| t.text.clone()));
        (a, None)
    };
    if argv.is_empty() || argv[0].is_empty() {
        ctx.report(
            &BAD_SCRIPT,
            first.span,
            format!("`{}` has an empty command", node.kw()),
        );
        return None;
    }
    let span = match words.last() {
        Some(l) => first.span.to(l.span),
        None => first.span,
    };
    Some(Sp::new(Command::new(Script { argv }, run_as_v), span))
}

fn node_missing(ctx: &mut Ctx, node: &Node, what: &str) {
    ctx.report(
        &super::MISSING_PARAMETER,
        node.keyword().span,
        format!("`{}` is missing its {what}", node.kw()),
    )
    .with_note(
        "keepalived stops at this line and does not start (exit code 2)",
    );
}

/// Stores `value` into a single-valued setting; a second occurrence is
/// reported (the later one wins, as in keepalived).
pub fn set_once<T>(
    ctx: &mut Ctx,
    slot: &mut Option<Sp<T>>,
    value: Sp<T>,
    node: &Node,
) {
    if let Some(prev) = slot {
        ctx.report(
            &DUPLICATE_KEYWORD,
            node.keyword().span,
            format!(
                "`{}` is given twice; this one replaces the first",
                node.kw()
            ),
        )
        .with_related(prev.span, "first given here");
    }
    *slot = Some(value);
}

/// Stores `value` into a setting keepalived sets only once: a second
/// occurrence is reported with `code` and ignored (keepalived keeps the
/// first).
pub fn set_first<T>(
    ctx: &mut Ctx,
    code: &'static crate::diag::Code,
    slot: &mut Option<Sp<T>>,
    value: Sp<T>,
    node: &Node,
) {
    if let Some(prev) = slot {
        ctx.report(
            code,
            node.keyword().span,
            format!(
                "`{}` is already set; keepalived ignores this one",
                node.kw()
            ),
        )
        .with_related(prev.span, "first set here")
        .with_help("remove one of the two lines");
        return;
    }
    *slot = Some(value);
}

/// `KEYWORD VALUE` with one unsigned integer: reads, checks and finishes.
pub fn one_uint(
    ctx: &mut Ctx,
    node: &Node,
    min: u64,
    max: u64,
) -> Option<Sp<u64>> {
    let mut a = Args::new(node);
    let t = a.required(ctx, "value")?;
    let v = uint(ctx, t, min, max, node.kw());
    a.finish(ctx);
    v.map(|v| Sp::new(v, t.span))
}

/// `KEYWORD VALUE` with one signed integer.
pub fn one_int(
    ctx: &mut Ctx,
    node: &Node,
    min: i64,
    max: i64,
) -> Option<Sp<i64>> {
    let mut a = Args::new(node);
    let t = a.required(ctx, "value")?;
    let v = int(ctx, t, min, max, node.kw());
    a.finish(ctx);
    v.map(|v| Sp::new(v, t.span))
}

/// `KEYWORD SECONDS` with decimal seconds.
pub fn one_seconds(
    ctx: &mut Ctx,
    node: &Node,
    min: Micros,
    max: Micros,
) -> Option<Sp<Micros>> {
    let mut a = Args::new(node);
    let t = a.required(ctx, "value")?;
    let v = seconds(ctx, t, min, max, node.kw());
    a.finish(ctx);
    v.map(|v| Sp::new(v, t.span))
}

/// `KEYWORD WORD` with one free-form word.
pub fn one_word(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Sp<String>> {
    let mut a = Args::new(node);
    let t = a.required(ctx, what)?;
    a.finish(ctx);
    Some(Sp::new(t.text.clone(), t.span))
}

/// `KEYWORD ADDRESS`.
pub fn one_ip(ctx: &mut Ctx, node: &Node) -> Option<Sp<IpAddr>> {
    let mut a = Args::new(node);
    let t = a.required(ctx, "address")?;
    let v = ip(ctx, t, node.kw());
    a.finish(ctx);
    v.map(|v| Sp::new(v, t.span))
}

/// A bare flag keyword (no value): reports extra words.
pub fn bare(ctx: &mut Ctx, node: &Node) {
    Args::new(node).finish(ctx);
}

/// The name after a named block keyword (`vrrp_instance NAME {`).
pub fn block_name(ctx: &mut Ctx, node: &Node) -> Option<Sp<String>> {
    let mut a = Args::new(node);
    let t = a.next();
    a.finish(ctx);
    match t {
        Some(t) => Some(Sp::new(t.text.clone(), t.span)),
        None => {
            ctx.report(
                &super::MISSING_NAME,
                node.keyword().span,
                format!("`{}` needs a name", node.kw()),
            )
            .with_help(format!("write `{} NAME {{`", node.kw()));
            None
        }
    }
}

/// The entries of a value block (`virtual_ipaddress { ... }`): each
/// child line is one entry. Reports words after the block keyword and
/// nested blocks.
pub fn entries<'n>(ctx: &mut Ctx, node: &'n Node) -> Vec<&'n Node> {
    let args = node.args();
    if let (Some(first), Some(last)) = (args.first(), args.last()) {
        ctx.report(
            &super::EXTRA_PARAMETERS,
            first.span.to(last.span),
            format!("`{}` takes its entries inside the block", node.kw()),
        )
        .with_label("keepalived discards these words")
        .with_help(format!(
            "write `{} {{`, then one entry per line, then `}}`",
            node.kw()
        ));
    }
    let mut out = Vec::new();
    for child in node.children() {
        if let Some(b) = &child.block {
            ctx.report(
                &super::NESTED_BLOCK,
                b.open,
                format!("`{}` entries cannot have a block", node.kw()),
            );
            continue;
        }
        out.push(child);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros() {
        assert_eq!(parse_micros("1"), Ok(Micros(1_000_000)));
        assert_eq!(parse_micros("0.5"), Ok(Micros(500_000)));
        assert_eq!(parse_micros(".25"), Ok(Micros(250_000)));
        assert_eq!(parse_micros("1.000001"), Ok(Micros(1_000_001)));
        assert!(parse_micros("1.0000001").is_err());
        assert!(parse_micros("5m").is_err());
        assert!(parse_micros("-1").is_err());
        assert_eq!(Micros(1_500_000).to_string(), "1.5");
        assert_eq!(Micros(3_000_000).to_string(), "3");
    }

    /// A prefix on a single address is an error with the fix as help
    /// (keepalived cuts it off silently; found by the differential test).
    #[test]
    fn ip_with_a_prefix_suggests_the_bare_address() {
        let c = crate::compile_str(
            "t.conf",
            "bfd_instance b {\n neighbor_ip 192.0.2.2/24\n}\n",
            &crate::Options::default(),
        );
        let d = c
            .diagnostics
            .iter()
            .find(|d| d.code.id == 39)
            .expect("K0039");
        assert_eq!(d.help.as_deref(), Some("write `192.0.2.2`"));
        let c = crate::compile_str(
            "t.conf",
            "bfd_instance b {\n neighbor_ip abc\n}\n",
            &crate::Options::default(),
        );
        assert!(c
            .diagnostics
            .iter()
            .filter(|d| d.code.id == 39)
            .all(|d| d.help.is_none()));
    }
}
