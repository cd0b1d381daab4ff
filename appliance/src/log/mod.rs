//! kacd's backend for the `log` facade: the engines in `kac-runtime` log
//! through `log::info!` and friends; this module decides where lines go.
//!
//! - the console (stderr), with `-l`, or in the foreground on a terminal;
//! - syslog over `/dev/log` (RFC 3164 datagrams, facility from `-S`);
//! - the systemd journal's native protocol, when stderr is the journal
//!   (`JOURNAL_STREAM` names stderr's device and inode); then neither the
//!   console nor syslog is used, as both would reach the journal again.
//!
//! Lifecycle lines keep keepalived's wording where users grep for it
//! ("Starting ...", "Stopping", "Stopped ...").

pub mod console;
pub mod journal;
pub mod syslog;

use std::io::IsTerminal;
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::sync::Mutex;

use ::log::{LevelFilter, Log, Metadata, Record};

/// The identifier in syslog and journal lines.
pub const IDENT: &str = "kacd";

/// Environment variable naming another syslog socket than `/dev/log`.
pub const SYSLOG_SOCKET_ENV: &str = "KACD_SYSLOG_SOCKET";
/// Environment variable naming another journal socket.
pub const JOURNAL_SOCKET_ENV: &str = "KACD_JOURNAL_SOCKET";

const DEFAULT_SYSLOG_SOCKET: &str = "/dev/log";
const DEFAULT_JOURNAL_SOCKET: &str = "/run/systemd/journal/socket";

/// A syslog facility (`-S`): keepalived's 0..7 mean local0..local7.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Facility {
    User,
    Daemon,
    Local(u8),
}

impl Facility {
    /// Parses `-S`: `0`..`7`, `local0`..`local7`, `daemon` or `user`.
    pub fn parse(s: &str) -> Result<Facility, String> {
        let local = s.strip_prefix("local").unwrap_or(s);
        match (s, local.parse::<u8>()) {
            ("daemon", _) => Ok(Facility::Daemon),
            ("user", _) => Ok(Facility::User),
            (_, Ok(n)) if n <= 7 => Ok(Facility::Local(n)),
            _ => Err(format!(
                "`{s}` is not a facility: use 0..7 (local0..local7), \
                 local0..local7, daemon or user"
            )),
        }
    }

    /// The facility's number in a syslog priority.
    pub fn code(self) -> u8 {
        match self {
            Facility::User => 1,
            Facility::Daemon => 3,
            Facility::Local(n) => 16 + n,
        }
    }
}

/// Syslog severity of a `log` level (keepalived logs most at LOG_INFO).
pub fn severity(level: ::log::Level) -> u8 {
    match level {
        ::log::Level::Error => 3,
        ::log::Level::Warn => 4,
        ::log::Level::Info => 6,
        ::log::Level::Debug | ::log::Level::Trace => 7,
    }
}

/// Facts about the process that decide where logs go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Situation {
    /// `-l`.
    pub log_console: bool,
    /// `-G`.
    pub no_syslog: bool,
    /// Running detached (forked child): no terminal to write to.
    pub detached: bool,
    pub stderr_is_tty: bool,
    /// `JOURNAL_STREAM` names stderr.
    pub stderr_is_journal: bool,
}

/// Which sinks to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sinks {
    pub console: bool,
    pub syslog: bool,
    pub journal: bool,
}

/// Picks the sinks for a situation (see the module comment).
pub fn choose(s: Situation) -> Sinks {
    if s.stderr_is_journal {
        return Sinks {
            console: false,
            syslog: false,
            journal: true,
        };
    }
    Sinks {
        console: s.log_console || (!s.detached && s.stderr_is_tty),
        syslog: !s.no_syslog,
        journal: false,
    }
}

/// Whether `JOURNAL_STREAM` (`DEV:INODE`) names the file stderr is.
pub fn stderr_is_journal() -> bool {
    let Ok(v) = std::env::var("JOURNAL_STREAM") else {
        return false;
    };
    let Ok(st) = rustix::fs::fstat(std::io::stderr().as_fd()) else {
        return false;
    };
    journal_stream_matches(&v, st.st_dev, st.st_ino)
}

/// `JOURNAL_STREAM`'s `DEV:INODE` against a file's device and inode.
pub fn journal_stream_matches(value: &str, dev: u64, ino: u64) -> bool {
    let Some((d, i)) = value.split_once(':') else {
        return false;
    };
    d.parse() == Ok(dev) && i.parse() == Ok(ino)
}

/// How to set the logger up.
#[derive(Clone, Debug)]
pub struct Config {
    pub sinks: Sinks,
    pub facility: Facility,
    /// `-D`: debug level and detail on the console.
    pub detail: bool,
}

impl Config {
    /// The config for this process: `situation` with stderr and
    /// `JOURNAL_STREAM` looked at.
    pub fn detect(
        log_console: bool,
        no_syslog: bool,
        detached: bool,
        facility: Facility,
        detail: bool,
    ) -> Config {
        let situation = Situation {
            log_console,
            no_syslog,
            detached,
            stderr_is_tty: std::io::stderr().is_terminal(),
            stderr_is_journal: stderr_is_journal(),
        };
        Config {
            sinks: choose(situation),
            facility,
            detail,
        }
    }
}

struct Logger {
    level: LevelFilter,
    pid: u32,
    detail: bool,
    console: bool,
    syslog: Option<Mutex<syslog::Syslog>>,
    journal: Option<Mutex<journal::Journal>>,
}

fn socket_path(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

/// Installs the logger for this process (once; later calls change
/// nothing and return false).
pub fn init(config: &Config) -> bool {
    let level = if config.detail {
        LevelFilter::Debug
    } else {
        LevelFilter::Info
    };
    let pid = std::process::id();
    let logger = Logger {
        level,
        pid,
        detail: config.detail,
        console: config.sinks.console,
        syslog: config.sinks.syslog.then(|| {
            Mutex::new(syslog::Syslog::new(
                socket_path(SYSLOG_SOCKET_ENV, DEFAULT_SYSLOG_SOCKET),
                config.facility,
                pid,
            ))
        }),
        journal: config.sinks.journal.then(|| {
            Mutex::new(journal::Journal::new(
                socket_path(JOURNAL_SOCKET_ENV, DEFAULT_JOURNAL_SOCKET),
                config.facility,
                pid,
            ))
        }),
    };
    if ::log::set_boxed_logger(Box::new(logger)).is_err() {
        return false;
    }
    ::log::set_max_level(level);
    true
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let message = record.args().to_string();
        if self.console {
            console::write(self.pid, self.detail, record, &message);
        }
        // A poisoned lock only means another thread panicked mid-send;
        // the socket inside is still usable.
        if let Some(s) = &self.syslog {
            let mut s = s.lock().unwrap_or_else(|e| e.into_inner());
            s.send(record.level(), &message);
        }
        if let Some(j) = &self.journal {
            let mut j = j.lock().unwrap_or_else(|e| e.into_inner());
            j.send(record, &message);
        }
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facilities() {
        assert_eq!(Facility::parse("0"), Ok(Facility::Local(0)));
        assert_eq!(Facility::parse("local5"), Ok(Facility::Local(5)));
        assert_eq!(Facility::parse("daemon").map(Facility::code), Ok(3));
        assert_eq!(Facility::Local(7).code(), 23);
        assert!(Facility::parse("local8").is_err());
        assert!(Facility::parse("-1").is_err());
        assert!(Facility::parse("").is_err());
    }

    #[test]
    fn sink_choice() {
        let fg_tty = Situation {
            stderr_is_tty: true,
            ..Situation::default()
        };
        assert_eq!(
            choose(fg_tty),
            Sinks {
                console: true,
                syslog: true,
                journal: false
            }
        );
        let detached = Situation {
            detached: true,
            stderr_is_tty: true,
            ..Situation::default()
        };
        assert!(!choose(detached).console && choose(detached).syslog);
        let forced = Situation {
            log_console: true,
            no_syslog: true,
            ..Situation::default()
        };
        assert_eq!(
            choose(forced),
            Sinks {
                console: true,
                syslog: false,
                journal: false
            }
        );
        let journal = Situation {
            log_console: true,
            stderr_is_journal: true,
            ..Situation::default()
        };
        assert_eq!(
            choose(journal),
            Sinks {
                console: false,
                syslog: false,
                journal: true
            }
        );
    }

    #[test]
    fn journal_stream() {
        assert!(journal_stream_matches("8:1234", 8, 1234));
        assert!(!journal_stream_matches("8:1234", 8, 1235));
        assert!(!journal_stream_matches("81234", 8, 1234));
        assert!(!journal_stream_matches("x:1", 8, 1));
    }
}
