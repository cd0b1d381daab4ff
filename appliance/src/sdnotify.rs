//! systemd's notification protocol without libsystemd: datagrams of
//! `KEY=VALUE` lines to the socket in `$NOTIFY_SOCKET` (a path, or an
//! abstract name written with a leading `@`), and the watchdog period
//! from `$WATCHDOG_USEC` when `$WATCHDOG_PID` is unset or names us.
//!
//! The variables stay in the environment so a SIGHUP re-exec (same pid)
//! still finds them; the engines must remove them from the environment
//! of the scripts they run.

use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::Duration;

/// A connection to the service manager.
#[derive(Debug)]
pub struct Notifier {
    socket: UnixDatagram,
    addr: SocketAddr,
}

/// Parses `$NOTIFY_SOCKET`.
pub fn parse_address(value: &str) -> io::Result<SocketAddr> {
    if let Some(name) = value.strip_prefix('@') {
        SocketAddr::from_abstract_name(name.as_bytes())
    } else if value.starts_with('/') {
        SocketAddr::from_pathname(value)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "NOTIFY_SOCKET={value}: only paths and @abstract names \
                 are supported"
            ),
        ))
    }
}

impl Notifier {
    /// The notifier `$NOTIFY_SOCKET` asks for; `Ok(None)` when unset.
    pub fn from_env() -> io::Result<Option<Notifier>> {
        match std::env::var("NOTIFY_SOCKET") {
            Ok(v) if !v.is_empty() => Notifier::new(&v).map(Some),
            _ => Ok(None),
        }
    }

    pub fn new(value: &str) -> io::Result<Notifier> {
        Ok(Notifier {
            socket: UnixDatagram::unbound()?,
            addr: parse_address(value)?,
        })
    }

    /// Sends one notification (newline-separated assignments).
    pub fn notify(&self, state: &str) -> io::Result<()> {
        self.socket.send_to_addr(state.as_bytes(), &self.addr)?;
        Ok(())
    }
}

/// How often to send `WATCHDOG=1`: half of `WATCHDOG_USEC`, when set and
/// meant for `pid`.
pub fn watchdog_period(
    usec: Option<&str>,
    watchdog_pid: Option<&str>,
    pid: u32,
) -> Option<Duration> {
    if let Some(p) = watchdog_pid {
        if p.trim().parse::<u32>().ok() != Some(pid) {
            return None;
        }
    }
    let us: u64 = usec?.trim().parse().ok()?;
    (us > 0).then(|| Duration::from_micros(us / 2))
}

/// [`watchdog_period`] from this process's environment.
pub fn watchdog_period_from_env() -> Option<Duration> {
    let usec = std::env::var("WATCHDOG_USEC").ok();
    let wpid = std::env::var("WATCHDOG_PID").ok();
    watchdog_period(usec.as_deref(), wpid.as_deref(), std::process::id())
}

/// `CLOCK_MONOTONIC` in microseconds (for `RELOADING=1`'s
/// `MONOTONIC_USEC=`, which `Type=notify-reload` requires).
pub fn monotonic_usec() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    (t.tv_sec as u64) * 1_000_000 + (t.tv_nsec as u64) / 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchdog() {
        let us = Some("4000000");
        assert_eq!(watchdog_period(us, None, 9), Some(Duration::from_secs(2)));
        assert_eq!(
            watchdog_period(us, Some("9"), 9),
            Some(Duration::from_secs(2))
        );
        assert_eq!(watchdog_period(us, Some("10"), 9), None);
        assert_eq!(watchdog_period(Some("0"), None, 9), None);
        assert_eq!(watchdog_period(Some("x"), None, 9), None);
        assert_eq!(watchdog_period(None, None, 9), None);
    }

    #[test]
    fn addresses() {
        let a = parse_address("@kacd-test").unwrap();
        assert_eq!(a.as_abstract_name(), Some(&b"kacd-test"[..]));
        let p = parse_address("/run/systemd/notify").unwrap();
        assert_eq!(
            p.as_pathname(),
            Some(std::path::Path::new("/run/systemd/notify"))
        );
        assert!(parse_address("vsock:2:1234").is_err());
    }

    #[test]
    fn notifies_path_and_abstract_sockets() {
        let dir = std::env::temp_dir()
            .join(format!("kacd-notify-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("notify");
        let rx = UnixDatagram::bind(&path).unwrap();
        let n = Notifier::new(path.to_str().unwrap()).unwrap();
        n.notify("READY=1\nSTATUS=up").unwrap();
        let mut buf = [0u8; 64];
        let len = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..len], b"READY=1\nSTATUS=up");

        let name = format!("kacd-notify-test-{}", std::process::id());
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let rx = UnixDatagram::bind_addr(&addr).unwrap();
        Notifier::new(&format!("@{name}"))
            .unwrap()
            .notify("WATCHDOG=1")
            .unwrap();
        let len = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..len], b"WATCHDOG=1");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
