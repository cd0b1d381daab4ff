//! Typed values shared by every part of the IR.

use std::fmt;
use std::net::IpAddr;
use std::ops::Deref;

use crate::source::Span;

/// A value and where it was written. Equality ignores the span, so two
/// configs that say the same thing compare equal wherever they said it
/// (this is what makes `dump` round-trip testable).
#[derive(Clone, Copy, Debug)]
pub struct Sp<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Span) -> Self {
        Sp { value, span }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Sp<U> {
        Sp {
            value: f(self.value),
            span: self.span,
        }
    }
}

impl<T: PartialEq> PartialEq for Sp<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Sp<T> {}

impl<T> Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Display> fmt::Display for Sp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

/// A duration or decimal number of seconds with keepalived's microsecond
/// resolution. Displays as keepalived reads it: `1`, `0.5`, `1.000001`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Micros(pub u64);

impl Micros {
    pub const fn from_secs(s: u64) -> Self {
        Micros(s * 1_000_000)
    }

    pub fn is_whole_seconds(self) -> bool {
        self.0.is_multiple_of(1_000_000)
    }
}

impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0 / 1_000_000;
        let frac = self.0 % 1_000_000;
        if frac == 0 {
            write!(f, "{secs}")
        } else {
            let s = format!("{frac:06}");
            write!(f, "{secs}.{}", s.trim_end_matches('0'))
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Inet,
    Inet6,
}

impl Family {
    pub fn of(addr: &IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::Inet,
            IpAddr::V6(_) => Family::Inet6,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::Inet => "IPv4",
            Family::Inet6 => "IPv6",
        }
    }

    pub fn max_prefix(self) -> u8 {
        match self {
            Family::Inet => 32,
            Family::Inet6 => 128,
        }
    }
}

/// An address with a prefix length: `192.0.2.1/24`, `2001:db8::1/64`.
/// `explicit_len` remembers whether `/len` was written, so the dump
/// reproduces `192.0.2.1` rather than `192.0.2.1/32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpPrefix {
    pub addr: IpAddr,
    pub len: u8,
}

impl IpPrefix {
    pub fn family(&self) -> Family {
        Family::of(&self.addr)
    }

    pub fn host(addr: IpAddr) -> Self {
        IpPrefix {
            addr,
            len: Family::of(&addr).max_prefix(),
        }
    }
}

impl fmt::Display for IpPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.len == self.family().max_prefix() {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.len)
        }
    }
}

/// A command keepalived runs (vrrp_script `script`, `notify*`,
/// `misc_path`, ...), already split into words as keepalived splits it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Script {
    pub argv: Vec<String>,
}

impl Script {
    pub fn program(&self) -> &str {
        self.argv.first().map(String::as_str).unwrap_or("")
    }
}

impl fmt::Display for Script {
    /// The canonical form: one double-quoted string whose words are
    /// single-quoted where they need it, which keepalived splits back into
    /// the same words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<String> =
            self.argv.iter().map(|w| shell_word(w)).collect();
        write!(f, "\"{}\"", words.join(" "))
    }
}

fn shell_word(w: &str) -> String {
    let plain = !w.is_empty()
        && w.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'/' | b'.'
                        | b'_'
                        | b'-'
                        | b'='
                        | b':'
                        | b','
                        | b'+'
                        | b'@'
                        | b'%'
                )
        });
    if plain {
        return w.to_owned();
    }
    if !w.contains('\'') {
        // Inside the outer double quotes, `"` and `\` need a backslash.
        let inner = w.replace('\\', "\\\\").replace('"', "\\\"");
        return format!("'{inner}'");
    }
    let mut out = String::new();
    for c in w.chars() {
        if c.is_ascii_alphanumeric() || "/._-=:,+@%".contains(c) {
            out.push(c);
        } else {
            // Backslash escapes survive the outer quotes as `\\X`.
            out.push_str("\\\\");
            out.push(c);
        }
    }
    out
}

/// `user [group]` after a script (`script_user`, `notify_master X user`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RunAs {
    pub user: String,
    pub group: Option<String>,
}

impl fmt::Display for RunAs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.group {
            Some(g) => write!(f, "{} {}", self.user, g),
            None => write!(f, "{}", self.user),
        }
    }
}

/// A script with the user it runs as, when one is given. Boxed: configs
/// have many command slots (seven per vrrp_instance) and most are empty,
/// so a slot costs a pointer and a span (24 bytes), not the whole
/// command (88).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Command(Box<CommandParts>);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CommandParts {
    pub script: Script,
    pub run_as: Option<RunAs>,
}

impl Command {
    pub fn new(script: Script, run_as: Option<RunAs>) -> Self {
        Command(Box::new(CommandParts { script, run_as }))
    }
}

impl Deref for Command {
    type Target = CommandParts;
    fn deref(&self) -> &CommandParts {
        &self.0
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.run_as {
            Some(r) => write!(f, "{} {}", self.script, r),
            None => write!(f, "{}", self.script),
        }
    }
}

/// Quotes a plain (non-script) string value for the dump when it needs
/// it: empty, or holding blanks, braces, `#`, `!` or `"`.
pub fn quote_word(s: &str) -> String {
    let needs = s.is_empty()
        || s.chars().any(|c| {
            c.is_whitespace() || matches!(c, '{' | '}' | '#' | '!' | '"')
        });
    if needs && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        s.to_owned()
    }
}
