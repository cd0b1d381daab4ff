//! `enable_script_security`: keepalived's `check_script_secure`
//! (lib/notify.c). A script run as root (or setuid/setgid root) is unsafe
//! when the file, or any directory on its path, is owned by a non-root
//! user, or is writable by a non-root group or by everyone (a directory
//! with the sticky bit is exempt from the write rule). Both the path as
//! written and the path with links resolved are checked.

use std::fmt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::Identity;

/// What is wrong with a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    NotFound,
    NotExecutable,
    Insecure,
}

/// One problem, naming the script and the file or directory at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub script: String,
    pub path: PathBuf,
    pub detail: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            FindingKind::NotFound => {
                write!(f, "script `{}` not found: {}", self.script, self.detail)
            }
            FindingKind::NotExecutable => write!(
                f,
                "script `{}` is not executable: {}",
                self.script, self.detail
            ),
            FindingKind::Insecure => write!(
                f,
                "unsafe permissions for script `{}`: `{}` {}",
                self.script,
                self.path.display(),
                self.detail
            ),
        }
    }
}

const S_ISUID: u32 = 0o4000;
const S_ISGID: u32 = 0o2000;
const S_ISVTX: u32 = 0o1000;

/// Check `program` as `who` would run it. Empty: fine.
pub fn check(program: &str, who: Identity) -> Vec<Finding> {
    let finding = |kind, path: &Path, detail: String| Finding {
        kind,
        script: program.to_string(),
        path: path.to_path_buf(),
        detail,
    };
    let Some(path) = locate(program) else {
        return vec![finding(
            FindingKind::NotFound,
            Path::new(program),
            "not in PATH".into(),
        )];
    };
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) => {
            return vec![finding(FindingKind::NotFound, &path, e.to_string())]
        }
    };
    if !executable(&meta, who) {
        return vec![finding(
            FindingKind::NotExecutable,
            &path,
            format!("not executable for uid:gid {}:{}", who.uid, who.gid),
        )];
    }
    let mode = meta.permissions().mode();
    let protect = who.uid == 0
        || who.gid == 0
        || (meta.uid() == 0 && mode & 0o100 != 0 && mode & S_ISUID != 0)
        || (meta.gid() == 0 && mode & 0o010 != 0 && mode & S_ISGID != 0);
    if !protect {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(f) = unsafe_component(&path) {
        out.push(finding(FindingKind::Insecure, &f.0, f.1));
    } else if let Ok(real) = std::fs::canonicalize(&path) {
        if real != path {
            if let Some(f) = unsafe_component(&real) {
                out.push(finding(FindingKind::Insecure, &f.0, f.1));
            }
        }
    }
    out
}

/// The program's path: as written when it has a `/`, else found on
/// `PATH` (keepalived's `find_path`).
pub fn locate(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Some(PathBuf::from(program));
    }
    let path = std::env::var_os("PATH")
        .unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

fn executable(meta: &std::fs::Metadata, who: Identity) -> bool {
    let mode = meta.permissions().mode();
    if who.uid == 0 {
        return mode & 0o111 != 0;
    }
    if who.uid == meta.uid() {
        mode & 0o100 != 0
    } else if who.gid == meta.gid() {
        mode & 0o010 != 0
    } else {
        mode & 0o001 != 0
    }
}

/// The first component of `path` (from `/` down, links not followed)
/// that a non-root user could change, with why.
fn unsafe_component(path: &Path) -> Option<(PathBuf, String)> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut cur = PathBuf::new();
    let n = abs.components().count();
    for (i, c) in abs.components().enumerate() {
        cur.push(c);
        let last = i + 1 == n;
        let Ok(m) = std::fs::symlink_metadata(&cur) else {
            return Some((cur, "cannot be examined".into()));
        };
        let ft = m.file_type();
        if (!last && !ft.is_dir())
            || (last && !ft.is_file() && !ft.is_symlink())
        {
            return Some((cur, "has the wrong file type".into()));
        }
        let mode = m.permissions().mode();
        if m.uid() != 0 {
            return Some((cur, format!("is owned by uid {}", m.uid())));
        }
        let write_checked =
            (ft.is_dir() && mode & S_ISVTX == 0) || ft.is_file();
        if write_checked && m.gid() != 0 && mode & 0o020 != 0 {
            return Some((cur, format!("is writable by group {}", m.gid())));
        }
        if write_checked && mode & 0o002 != 0 {
            return Some((cur, "is writable by everyone".into()));
        }
    }
    None
}
