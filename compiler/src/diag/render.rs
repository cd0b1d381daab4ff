//! Rendering diagnostics, rustc-style for people and JSON lines for tools.

use std::fmt::Write;

use super::Diagnostic;
use crate::source::{SourceMap, Span};

fn location(map: &SourceMap, span: Span) -> String {
    format!(
        "{}:{}:{}",
        map.get(span.file).path.display(),
        span.line,
        span.col
    )
}

/// Renders one diagnostic the way rustc does:
///
/// ```text
/// error[K0201]: priority 256 is outside 1..=255
///   --> keepalived.conf:9:14
///    |
///  9 |     priority 256
///    |              ^^^ here
///    |
///    = note: included from site.conf:3:1
///    = help: ...
/// ```
pub fn render_human(map: &SourceMap, d: &Diagnostic) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}[{}]: {}",
        d.severity().as_str(),
        d.code.name(),
        d.message
    );
    let width = d
        .span
        .iter()
        .chain(d.related.iter().map(|(s, _)| s))
        .map(|s| s.line.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(width);
    if let Some(span) = d.span {
        let _ = writeln!(out, "{pad}--> {}", location(map, span));
        snippet(&mut out, map, span, d.label.as_deref(), &pad, '^');
        for (rs, text) in &d.related {
            if rs.file != span.file {
                let _ = writeln!(out, "{pad}::: {}", location(map, *rs));
            }
            snippet(&mut out, map, *rs, Some(text), &pad, '-');
        }
        let chain = map.include_chain(span.file);
        if !chain.is_empty() || !d.notes.is_empty() || d.help.is_some() {
            let _ = writeln!(out, "{pad} |");
        }
        for inc in chain {
            let _ = writeln!(
                out,
                "{pad} = note: included from {}",
                location(map, inc)
            );
        }
    }
    for n in &d.notes {
        let _ = writeln!(out, "{pad} = note: {n}");
    }
    if let Some(h) = &d.help {
        let _ = writeln!(out, "{pad} = help: {h}");
    }
    out
}

fn snippet(
    out: &mut String,
    map: &SourceMap,
    span: Span,
    label: Option<&str>,
    pad: &str,
    mark: char,
) {
    let file = map.get(span.file);
    let text = file.line(span.line).replace('\t', " ");
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{:>w$} | {}", span.line, text, w = pad.len());
    let col = (span.col.max(1) - 1) as usize;
    let len = (span.len.max(1)) as usize;
    let _ = write!(
        out,
        "{pad} | {}{}",
        " ".repeat(col),
        mark.to_string().repeat(len)
    );
    match label {
        Some(l) if !l.is_empty() => {
            let _ = writeln!(out, " {l}");
        }
        _ => out.push('\n'),
    }
}

/// One JSON object on one line: `file`, `line`, `column`, `severity`,
/// `code`, `message`, plus `help` and `notes` when present.
pub fn render_json(map: &SourceMap, d: &Diagnostic) -> String {
    let mut obj = serde_json::Map::new();
    let (file, line, col) = match d.span {
        Some(s) => (
            serde_json::Value::from(map.get(s.file).path.display().to_string()),
            serde_json::Value::from(s.line),
            serde_json::Value::from(s.col),
        ),
        None => (
            serde_json::Value::Null,
            serde_json::Value::Null,
            serde_json::Value::Null,
        ),
    };
    obj.insert("file".into(), file);
    obj.insert("line".into(), line);
    obj.insert("column".into(), col);
    obj.insert("severity".into(), d.severity().as_str().into());
    obj.insert("code".into(), d.code.name().into());
    obj.insert("message".into(), d.message.clone().into());
    if let Some(h) = &d.help {
        obj.insert("help".into(), h.clone().into());
    }
    let mut notes: Vec<String> = Vec::new();
    if let Some(s) = d.span {
        for inc in map.include_chain(s.file) {
            notes.push(format!("included from {}", location(map, inc)));
        }
    }
    notes.extend(d.notes.iter().cloned());
    if !notes.is_empty() {
        obj.insert("notes".into(), notes.into());
    }
    serde_json::Value::Object(obj).to_string()
}
