//! The pid file: created exclusively, refused while it names a live kacd,
//! removed on exit. A SIGHUP re-exec keeps the pid, so a pid file naming
//! this very process is ours already.

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why the pid file could not be taken.
#[derive(Debug)]
pub enum PidFileError {
    /// Another kacd runs with this pid file.
    Running {
        path: PathBuf,
        pid: u32,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl fmt::Display for PidFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PidFileError::Running { path, pid } => write!(
                f,
                "kacd is already running (pid {pid}, pid file {}); stop it \
                 first or use another --runtime-dir",
                path.display()
            ),
            PidFileError::Io { path, error } => {
                write!(f, "cannot write pid file {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for PidFileError {}

/// What a pid file on disk says.
#[derive(Debug, PartialEq, Eq)]
pub enum Holder {
    /// No file, an unreadable one, or a process that is gone.
    Stale,
    /// This process (after a re-exec).
    Us,
    /// Another live kacd.
    Other(u32),
}

/// Reads a pid file and judges whether its process is a live kacd. A live
/// process with another name is a recycled pid, so the file is stale.
pub fn holder(path: &Path) -> Holder {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Holder::Stale;
    };
    let Ok(pid) = text.trim().parse::<u32>() else {
        return Holder::Stale;
    };
    if pid == std::process::id() {
        return Holder::Us;
    }
    let comm = |p: &str| {
        std::fs::read_to_string(format!("/proc/{p}/comm"))
            .map(|s| s.trim_end().to_string())
    };
    match (comm(&pid.to_string()), comm("self")) {
        (Ok(theirs), Ok(ours)) if theirs == ours => Holder::Other(pid),
        _ => Holder::Stale,
    }
}

/// A pid file this process holds.
#[derive(Debug)]
pub struct PidFile {
    path: PathBuf,
}

impl PidFile {
    /// Takes `path` for this process.
    pub fn acquire(path: &Path) -> Result<PidFile, PidFileError> {
        let io_err = |error| PidFileError::Io {
            path: path.to_path_buf(),
            error,
        };
        let pid = std::process::id();
        // Two tries: the second after removing a stale file.
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(mut f) => {
                    writeln!(f, "{pid}").map_err(io_err)?;
                    return Ok(PidFile {
                        path: path.to_path_buf(),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    match holder(path) {
                        Holder::Us => {
                            return Ok(PidFile {
                                path: path.to_path_buf(),
                            })
                        }
                        Holder::Other(pid) => {
                            return Err(PidFileError::Running {
                                path: path.to_path_buf(),
                                pid,
                            })
                        }
                        Holder::Stale => match std::fs::remove_file(path) {
                            Ok(()) => {}
                            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                            Err(e) => return Err(io_err(e)),
                        },
                    }
                }
                Err(e) => return Err(io_err(e)),
            }
        }
        Err(io_err(io::Error::other(
            "another process keeps recreating it",
        )))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the file if it still names this process.
    pub fn release(self) -> io::Result<()> {
        if holder(&self.path) == Holder::Us {
            std::fs::remove_file(&self.path)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir()
            .join(format!("kacd-pidfile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn acquire_release() {
        let d = tmp("a");
        let p = d.join("k.pid");
        let f = PidFile::acquire(&p).unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            format!("{}\n", std::process::id())
        );
        // Ours already (what a re-exec sees).
        let again = PidFile::acquire(&p).unwrap();
        assert_eq!(again.path(), p);
        f.release().unwrap();
        assert!(!p.exists());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn stale_files_are_replaced() {
        let d = tmp("b");
        let p = d.join("k.pid");
        std::fs::write(&p, "garbage").unwrap();
        PidFile::acquire(&p).unwrap();
        // A pid that cannot be running (beyond pid_max).
        std::fs::write(&p, "999999999\n").unwrap();
        PidFile::acquire(&p).unwrap();
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn live_process_of_another_name_is_a_recycled_pid() {
        let d = tmp("c");
        let p = d.join("k.pid");
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        std::fs::write(&p, format!("{}\n", child.id())).unwrap();
        assert_eq!(holder(&p), Holder::Stale);
        child.kill().unwrap();
        child.wait().unwrap();
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn live_kacd_is_refused() {
        let d = tmp("d");
        let p = d.join("k.pid");
        // Another process with our comm: a copy of this test binary,
        // listing its tests (long enough to be seen alive).
        let exe = std::env::current_exe().unwrap();
        let mut child = std::process::Command::new(&exe)
            .args(["--exact", "pidfile::tests::sleeper", "--ignored"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::fs::write(&p, format!("{}\n", child.id())).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        let err = PidFile::acquire(&p).unwrap_err();
        assert!(
            matches!(err, PidFileError::Running { pid, .. } if pid == child.id()),
            "{err}"
        );
        assert!(err.to_string().contains("already running"));
        child.kill().unwrap();
        child.wait().unwrap();
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    #[ignore = "helper process for live_kacd_is_refused"]
    fn sleeper() {
        std::thread::sleep(std::time::Duration::from_secs(5));
    }
}
