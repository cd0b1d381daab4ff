//! A notify FIFO as keepalived opens it (lib/notify.c `fifo_open`):
//! created with mode 0644 when missing (and removed again at close),
//! the `*_fifo_script` started with the FIFO's path as its last word,
//! then opened read-write and non-blocking, so writing never waits for a
//! reader and a full FIFO drops the line rather than stalling.

use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::sys::stat::Mode;

use crate::script::Runner;
use crate::site::Command;

#[derive(Debug)]
pub struct Fifo {
    path: PathBuf,
    file: File,
    created: bool,
}

impl Fifo {
    /// Create (if needed) and open `path`; start `script` (with the
    /// path appended) first, as keepalived does, so it can open the read
    /// side.
    pub fn open(
        path: &str,
        script: Option<&Command>,
        runner: &Runner,
    ) -> io::Result<Fifo> {
        let p = Path::new(path);
        let created =
            match nix::unistd::mkfifo(p, Mode::from_bits_truncate(0o644)) {
                Ok(()) => true,
                Err(nix::errno::Errno::EEXIST) => false,
                Err(e) => {
                    return Err(io::Error::other(format!(
                        "cannot create notify fifo {path}: {e}"
                    )))
                }
            };
        if let Some(cmd) = script {
            match runner.prepare(cmd) {
                // Reaped by nobody: keepalived lets the FIFO script run
                // for the daemon's life; it exits when the FIFO closes.
                Ok(prep) => match prep.spawn(&[path.to_string()]) {
                    Ok(child) => reap_in_background(child),
                    Err(e) => log::error!("notify fifo script for {path}: {e}"),
                },
                Err(e) => log::error!("notify fifo script for {path}: {e}"),
            }
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
            .open(p)
            .map_err(|e| {
                if created {
                    let _ = std::fs::remove_file(p);
                }
                io::Error::new(
                    e.kind(),
                    format!("cannot open notify fifo {path}: {e}"),
                )
            })?;
        Ok(Fifo {
            path: p.to_path_buf(),
            file,
            created,
        })
    }

    /// Write one whole line; dropped (and logged) when the FIFO is full.
    pub fn write_line(&mut self, line: &str) {
        if let Err(e) = self.file.write_all(line.as_bytes()) {
            log::warn!("notify fifo {}: {e}", self.path.display());
        }
    }

    /// Close it, removing it if we created it (first, so a reader that
    /// reopens in a loop cannot reopen this one).
    pub fn close(self) {
        if self.created {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn reap_in_background(mut child: std::process::Child) {
    let _ = std::thread::Builder::new()
        .name("kac-fifo-script".into())
        .spawn(move || {
            let _ = child.wait();
        });
}
