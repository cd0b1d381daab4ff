//! The systemd journal's native protocol: one datagram per entry to
//! `/run/systemd/journal/socket`, each field `NAME=value\n`, or for a
//! value with a newline `NAME\n`, its length as 64-bit little endian,
//! the bytes and `\n`. Entries too large for one datagram would need a
//! memfd passed over the socket; kacd's lines are short, so an oversized
//! message is cut instead.

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;

use ::log::Record;

use super::{severity, Facility, IDENT};

/// Messages are cut to this many bytes (well under the socket's
/// datagram limit).
const MAX_MESSAGE: usize = 48 * 1024;

pub struct Journal {
    path: PathBuf,
    facility: Facility,
    pid: u32,
    socket: Option<UnixDatagram>,
    /// Messages lost because the journal's queue was full.
    pub dropped: u64,
}

impl Journal {
    pub fn new(path: PathBuf, facility: Facility, pid: u32) -> Journal {
        Journal {
            path,
            facility,
            pid,
            socket: None,
            dropped: 0,
        }
    }

    pub fn send(&mut self, record: &Record<'_>, message: &str) {
        let entry = Entry {
            priority: severity(record.level()),
            facility: self.facility,
            pid: self.pid,
            target: record.target(),
            file: record.file(),
            line: record.line(),
            message,
        }
        .encode();
        if self.socket.is_none() {
            // Non-blocking: a journal that does not keep up loses
            // messages rather than stalling the thread that logs (the
            // VRRP thread logs its transitions).
            self.socket = UnixDatagram::unbound()
                .and_then(|s| s.set_nonblocking(true).map(|()| s))
                .ok();
        }
        let Some(s) = &self.socket else { return };
        match s.send_to(&entry, &self.path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                self.dropped += 1;
            }
            Err(_) => self.socket = None,
        }
    }
}

/// One journal entry's fields.
pub struct Entry<'a> {
    pub priority: u8,
    pub facility: Facility,
    pub pid: u32,
    pub target: &'a str,
    pub file: Option<&'a str>,
    pub line: Option<u32>,
    pub message: &'a str,
}

impl Entry<'_> {
    /// The datagram.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.message.len() + 160);
        let mut message = self.message;
        if message.len() > MAX_MESSAGE {
            let mut cut = MAX_MESSAGE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message = &message[..cut];
        }
        field(&mut out, "MESSAGE", message);
        field(&mut out, "PRIORITY", &self.priority.to_string());
        field(
            &mut out,
            "SYSLOG_FACILITY",
            &self.facility.code().to_string(),
        );
        field(&mut out, "SYSLOG_IDENTIFIER", IDENT);
        field(&mut out, "SYSLOG_PID", &self.pid.to_string());
        field(&mut out, "KACD_TARGET", self.target);
        if let Some(f) = self.file {
            field(&mut out, "CODE_FILE", f);
        }
        if let Some(l) = self.line {
            field(&mut out, "CODE_LINE", &l.to_string());
        }
        out
    }
}

fn field(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    if value.contains('\n') {
        out.push(b'\n');
        out.extend_from_slice(&(value.len() as u64).to_le_bytes());
        out.extend_from_slice(value.as_bytes());
    } else {
        out.push(b'=');
        out.extend_from_slice(value.as_bytes());
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(message: &str) -> Vec<u8> {
        Entry {
            priority: 6,
            facility: Facility::Daemon,
            pid: 5,
            target: "kacd",
            file: None,
            line: None,
            message,
        }
        .encode()
    }

    #[test]
    fn plain_fields() {
        let e = String::from_utf8(entry("Stopping")).unwrap();
        assert_eq!(
            e,
            "MESSAGE=Stopping\nPRIORITY=6\nSYSLOG_FACILITY=3\n\
             SYSLOG_IDENTIFIER=kacd\nSYSLOG_PID=5\nKACD_TARGET=kacd\n"
        );
    }

    #[test]
    fn multi_line_value_is_length_prefixed() {
        let e = entry("a\nb");
        let mut want = b"MESSAGE\n".to_vec();
        want.extend_from_slice(&3u64.to_le_bytes());
        want.extend_from_slice(b"a\nb\n");
        assert!(e.starts_with(&want), "{e:?}");
    }

    #[test]
    fn long_message_is_cut_on_a_char_boundary() {
        let long = "é".repeat(MAX_MESSAGE);
        let e = entry(&long);
        assert!(e.len() < MAX_MESSAGE + 200);
        assert!(String::from_utf8(e).is_ok());
    }
}
