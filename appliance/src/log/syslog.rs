//! Syslog over a Unix datagram socket (`/dev/log`), RFC 3164 framing:
//! `<PRI>kacd[PID]: MESSAGE`. The timestamp is left out: the local
//! daemon (rsyslog's imuxsock, journald) stamps what it receives, and
//! writing local time correctly would need the time zone database.

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;

use ::log::Level;

use super::{severity, Facility, IDENT};

/// A syslog connection that reconnects when the daemon comes back.
pub struct Syslog {
    path: PathBuf,
    facility: Facility,
    pid: u32,
    socket: Option<UnixDatagram>,
    /// Messages lost because the log daemon's queue was full.
    pub dropped: u64,
}

impl Syslog {
    pub fn new(path: PathBuf, facility: Facility, pid: u32) -> Syslog {
        Syslog {
            path,
            facility,
            pid,
            socket: None,
            dropped: 0,
        }
    }

    fn connect(&mut self) -> Option<&UnixDatagram> {
        if self.socket.is_none() {
            let s = UnixDatagram::unbound().ok()?;
            s.connect(&self.path).ok()?;
            // As for the journal: drop rather than stall the logger.
            s.set_nonblocking(true).ok()?;
            self.socket = Some(s);
        }
        self.socket.as_ref()
    }

    /// Sends one message; when the send fails (syslog restarted) it
    /// reconnects and tries once more, then gives up on this message.
    pub fn send(&mut self, level: Level, message: &str) {
        let datagram = frame(self.facility, level, self.pid, message);
        for _ in 0..2 {
            let Some(s) = self.connect() else { return };
            match s.send(datagram.as_bytes()) {
                Ok(_) => return,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    self.dropped += 1;
                    return;
                }
                Err(_) => self.socket = None,
            }
        }
    }
}

/// One RFC 3164 datagram.
pub fn frame(
    facility: Facility,
    level: Level,
    pid: u32,
    message: &str,
) -> String {
    let pri = u16::from(facility.code()) * 8 + u16::from(severity(level));
    format!("<{pri}>{IDENT}[{pid}]: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing() {
        assert_eq!(
            frame(Facility::Daemon, Level::Info, 42, "Stopping"),
            "<30>kacd[42]: Stopping"
        );
        assert_eq!(
            frame(Facility::Local(7), Level::Error, 1, "x"),
            "<187>kacd[1]: x"
        );
    }

    #[test]
    fn sends_and_reconnects() {
        let dir = std::env::temp_dir()
            .join(format!("kacd-syslog-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("log");
        let mut s = Syslog::new(path.clone(), Facility::Local(0), 9);
        // No listener yet: the message is dropped quietly.
        s.send(Level::Info, "lost");
        let rx = UnixDatagram::bind(&path).unwrap();
        s.send(Level::Warn, "first");
        let mut buf = [0u8; 256];
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"<132>kacd[9]: first");
        // The daemon restarts: a new socket at the same path.
        drop(rx);
        std::fs::remove_file(&path).unwrap();
        let rx = UnixDatagram::bind(&path).unwrap();
        s.send(Level::Info, "second");
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"<134>kacd[9]: second");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
