//! The files kacd keeps under its runtime directory, named as keepalived
//! names them (`keepalived.pid`, `.data`, `.stats`, `.json`), with
//! `_NAME` added when the config sets the global `instance NAME`.

use std::path::{Path, PathBuf};

/// Every file kacd writes at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimePaths {
    pub dir: PathBuf,
    pub pid: PathBuf,
    pub data: PathBuf,
    pub stats: PathBuf,
    pub json: PathBuf,
    /// State handed to the next image on a SIGHUP re-exec.
    pub handoff: PathBuf,
}

impl RuntimePaths {
    /// Paths under `dir`; `pid` overrides the pid file (`-p`).
    pub fn new(
        dir: &Path,
        instance: Option<&str>,
        pid: Option<&Path>,
    ) -> RuntimePaths {
        let base = match instance {
            Some(name) => format!("keepalived_{name}"),
            None => "keepalived".to_string(),
        };
        let file = |ext: &str| dir.join(format!("{base}.{ext}"));
        RuntimePaths {
            dir: dir.to_path_buf(),
            pid: pid.map(Path::to_path_buf).unwrap_or_else(|| file("pid")),
            data: file("data"),
            stats: file("stats"),
            json: file("json"),
            handoff: file("handoff"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let p = RuntimePaths::new(Path::new("/run/kacd"), None, None);
        assert_eq!(p.pid, Path::new("/run/kacd/keepalived.pid"));
        assert_eq!(p.json, Path::new("/run/kacd/keepalived.json"));
        let p = RuntimePaths::new(
            Path::new("/r"),
            Some("lb1"),
            Some(Path::new("/var/run/k.pid")),
        );
        assert_eq!(p.pid, Path::new("/var/run/k.pid"));
        assert_eq!(p.data, Path::new("/r/keepalived_lb1.data"));
        assert_eq!(p.stats, Path::new("/r/keepalived_lb1.stats"));
    }
}
