//! Where source files come from: the file system, or memory (tests and the
//! fuzzer, so no input can touch the disk).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// Reads files and expands `include` patterns.
pub trait Loader {
    fn read(&self, path: &Path) -> io::Result<String>;
    /// Paths matching a glob `pattern` (already brace-expanded), sorted.
    /// `Err` carries a message for a malformed pattern.
    fn glob(&self, pattern: &str) -> Result<Vec<PathBuf>, String>;
    /// Whether `path` is a regular, non-executable file keepalived would
    /// read (`Err` with the reason otherwise).
    fn check_readable(&self, path: &Path) -> Result<(), String>;
    /// A stable identity for cycle detection (canonical path).
    fn identity(&self, path: &Path) -> PathBuf;
}

/// The real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct FsLoader;

impl Loader for FsLoader {
    fn read(&self, path: &Path) -> io::Result<String> {
        let bytes = std::fs::read(path)?;
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    fn glob(&self, pattern: &str) -> Result<Vec<PathBuf>, String> {
        let opts = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        let paths =
            glob::glob_with(pattern, opts).map_err(|e| e.to_string())?;
        let mut out: Vec<PathBuf> = paths.filter_map(Result::ok).collect();
        out.sort();
        Ok(out)
    }

    fn check_readable(&self, path: &Path) -> Result<(), String> {
        let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
        if meta.is_dir() {
            return Err("is a directory".into());
        }
        if !meta.is_file() {
            return Err("is not a regular file".into());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if meta.permissions().mode() & 0o111 != 0 {
                return Err(
                    "is executable (keepalived refuses to include it)".into()
                );
            }
        }
        Ok(())
    }

    fn identity(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
    }
}

/// Files held in memory, keyed by path.
#[derive(Debug, Default, Clone)]
pub struct MemLoader {
    pub files: BTreeMap<PathBuf, String>,
}

impl MemLoader {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, path: impl Into<PathBuf>, text: &str) -> Self {
        self.files.insert(path.into(), text.to_owned());
        self
    }
}

impl Loader for MemLoader {
    fn read(&self, path: &Path) -> io::Result<String> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }

    fn glob(&self, pattern: &str) -> Result<Vec<PathBuf>, String> {
        let pat = glob::Pattern::new(
            &normalize(Path::new(pattern)).to_string_lossy(),
        )
        .map_err(|e| e.to_string())?;
        Ok(self
            .files
            .keys()
            .filter(|p| pat.matches_path(p))
            .cloned()
            .collect())
    }

    fn check_readable(&self, path: &Path) -> Result<(), String> {
        if self.files.contains_key(&normalize(path)) {
            Ok(())
        } else {
            Err("not found".into())
        }
    }

    fn identity(&self, path: &Path) -> PathBuf {
        normalize(path)
    }
}

/// Lexically removes `.` and `a/..` components.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
