//! Address scope names, as iproute2 reads them: its built-in names and
//! the `rt_scopes` files of the router (names the compiler could not
//! resolve arrive as [`Scope::Name`]).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::site::addr::Scope;

/// Where iproute2 keeps the table: the administrator's copy first, then
/// the distribution's default (iproute2 6.x moved it to /usr/share).
pub const RT_SCOPES_FILES: [&str; 2] =
    ["/etc/iproute2/rt_scopes", "/usr/share/iproute2/rt_scopes"];

/// iproute2's built-in scopes.
const BUILTIN: [(u8, &str); 5] = [
    (0, "global"),
    (200, "site"),
    (253, "link"),
    (254, "host"),
    (255, "nowhere"),
];

/// Scope names to numbers: entries of the files read, then the built-ins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScopeTable {
    entries: Vec<(u8, String)>,
    /// The files that were read, for error messages.
    read: Vec<PathBuf>,
}

/// A scope name nothing defines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeError {
    pub name: String,
    pub searched: Vec<PathBuf>,
}

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown address scope `{}`", self.name)?;
        if self.searched.is_empty() {
            f.write_str(" (not built in; no rt_scopes file found)")
        } else {
            let files: Vec<String> = self
                .searched
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            write!(f, " (not built in, nor in {})", files.join(" or "))
        }
    }
}

impl std::error::Error for ScopeError {}

impl ScopeTable {
    /// Reads the first of [`RT_SCOPES_FILES`] that exists, as iproute2
    /// does.
    pub fn load() -> ScopeTable {
        ScopeTable::load_from(RT_SCOPES_FILES.iter().map(Path::new))
    }

    /// Reads the first readable file of `files`.
    pub fn load_from<'a>(
        files: impl IntoIterator<Item = &'a Path>,
    ) -> ScopeTable {
        for path in files {
            if let Ok(text) = std::fs::read_to_string(path) {
                let mut t = ScopeTable::parse(&text);
                t.read.push(path.to_path_buf());
                return t;
            }
        }
        ScopeTable::default()
    }

    /// Parses an rt_scopes text: `NUMBER NAME` per line, `#` comments,
    /// numbers in decimal or `0x` hex. Lines that do not parse are
    /// skipped, as iproute2 skips them.
    pub fn parse(text: &str) -> ScopeTable {
        let entries = text
            .lines()
            .filter_map(|line| {
                let line = line.split('#').next().unwrap_or("");
                let mut words = line.split_whitespace();
                let id = parse_id(words.next()?)?;
                let name = words.next()?;
                Some((id, name.to_string()))
            })
            .collect();
        ScopeTable {
            entries,
            read: Vec::new(),
        }
    }

    /// The number of a name: a number itself, a file entry, a built-in.
    pub fn lookup(&self, name: &str) -> Result<u8, ScopeError> {
        parse_id(name)
            .or_else(|| {
                self.entries
                    .iter()
                    .find(|(_, n)| n == name)
                    .map(|(id, _)| *id)
            })
            .or_else(|| {
                BUILTIN.iter().find(|(_, n)| *n == name).map(|(id, _)| *id)
            })
            .ok_or_else(|| ScopeError {
                name: name.to_string(),
                searched: self.read.clone(),
            })
    }

    pub fn resolve(&self, scope: Scope) -> Result<u8, ScopeError> {
        match scope {
            Scope::Id(id) => Ok(id),
            Scope::Name(name) => self.lookup(name),
        }
    }
}

fn parse_id(word: &str) -> Option<u8> {
    match word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        Some(hex) => u8::from_str_radix(hex, 16).ok(),
        None => word.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_files_and_numbers() {
        let t = ScopeTable::parse(
            "# comment\n0\tglobal\n0x10 campus # ours\n\
             bad line\n300 toolarge\n254 host\n",
        );
        assert_eq!(t.lookup("campus"), Ok(16));
        assert_eq!(t.lookup("link"), Ok(253), "built in");
        assert_eq!(t.lookup("host"), Ok(254));
        assert_eq!(t.lookup("42"), Ok(42));
        assert_eq!(t.lookup("0xfe"), Ok(254));
        assert!(t.lookup("toolarge").is_err());
        assert_eq!(t.resolve(Scope::Id(7)), Ok(7));
        assert_eq!(t.resolve(Scope::Name("site")), Ok(200));
    }

    #[test]
    fn unknown_name_says_where_it_looked() {
        let dir = std::env::temp_dir()
            .join(format!("kac-scopes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rt_scopes");
        std::fs::write(&file, "100 lab\n").unwrap();
        let missing = dir.join("missing");
        let t = ScopeTable::load_from([missing.as_path(), file.as_path()]);
        assert_eq!(t.lookup("lab"), Ok(100));
        let e = t.lookup("moon").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "unknown address scope `moon` (not built in, nor in {})",
                file.display()
            )
        );
        std::fs::remove_dir_all(&dir).unwrap();
        let e = ScopeTable::load_from([missing.as_path()])
            .lookup("moon")
            .unwrap_err();
        assert!(e.to_string().contains("no rt_scopes file"), "{e}");
    }
}
