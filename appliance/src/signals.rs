//! Signals kacd acts on, by keepalived's names for them (`--signum`), and
//! the listener that turns them into events for the main loop
//! (signal-hook's self-pipe: the handler only writes a byte, the work
//! happens on kacd's own thread).

use std::sync::mpsc::Sender;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2};
use signal_hook::iterator::{Handle, Signals};

/// keepalived's names for its signals (`keepalived --signum=NAME`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalName {
    Stop,
    Reload,
    Data,
    Stats,
    Json,
}

impl SignalName {
    pub fn parse(s: &str) -> Result<SignalName, String> {
        match s.to_ascii_uppercase().as_str() {
            "STOP" => Ok(SignalName::Stop),
            "RELOAD" => Ok(SignalName::Reload),
            "DATA" => Ok(SignalName::Data),
            "STATS" => Ok(SignalName::Stats),
            "JSON" => Ok(SignalName::Json),
            _ => Err(format!(
                "`{s}` is not a signal name: use STOP, RELOAD, DATA, STATS \
                 or JSON"
            )),
        }
    }

    /// The signal's number on this system.
    pub fn number(self) -> i32 {
        match self {
            SignalName::Stop => SIGTERM,
            SignalName::Reload => SIGHUP,
            SignalName::Data => SIGUSR1,
            SignalName::Stats => SIGUSR2,
            SignalName::Json => json_signal(),
        }
    }
}

/// keepalived's SIGJSON: SIGRTMIN+2 (36 with glibc, 37 with musl, whose
/// SIGRTMIN is 35; `kacd --signum=JSON` prints the right one).
pub fn json_signal() -> i32 {
    libc::SIGRTMIN() + 2
}

/// What a signal asks of the main loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    Stop,
    Reload,
    DumpData,
    DumpStats,
    DumpJson,
}

/// The request a signal number makes, if kacd handles it.
pub fn request(signal: i32) -> Option<Request> {
    match signal {
        SIGTERM | SIGINT => Some(Request::Stop),
        SIGHUP => Some(Request::Reload),
        SIGUSR1 => Some(Request::DumpData),
        SIGUSR2 => Some(Request::DumpStats),
        s if s == json_signal() => Some(Request::DumpJson),
        _ => None,
    }
}

/// Sends `signal` to process `pid` (for tools and tests that drive a
/// kacd, as `kill -s $(kacd --signum=NAME)` does). Only the classic
/// named signals: rustix has no safe way to name a real-time one, so
/// SIGJSON needs `kill -s $(kacd --signum=JSON) PID`.
pub fn send(pid: u32, signal: i32) -> std::io::Result<()> {
    let pid = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
        .ok_or_else(|| std::io::Error::other(format!("no such pid {pid}")))?;
    let sig = rustix::process::Signal::from_named_raw(signal)
        .ok_or_else(|| std::io::Error::other(format!("no signal {signal}")))?;
    rustix::process::kill_process(pid, sig)?;
    Ok(())
}

/// The handled signals; from the moment this returns they no longer
/// take their default action (terminating the process).
pub fn listen<E: From<Request> + Send + 'static>(
    events: Sender<E>,
) -> std::io::Result<Handle> {
    let mut signals = Signals::new([
        SIGTERM,
        SIGINT,
        SIGHUP,
        SIGUSR1,
        SIGUSR2,
        json_signal(),
    ])?;
    let handle = signals.handle();
    std::thread::Builder::new()
        .name("kacd-signals".into())
        .spawn(move || {
            for s in signals.forever() {
                if let Some(r) = request(s) {
                    if events.send(E::from(r)).is_err() {
                        break;
                    }
                }
            }
        })?;
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(SignalName::parse("data").unwrap().number(), 10);
        assert_eq!(SignalName::parse("STATS").unwrap().number(), 12);
        assert_eq!(SignalName::parse("RELOAD").unwrap().number(), 1);
        assert_eq!(SignalName::parse("STOP").unwrap().number(), 15);
        // glibc reserves two real-time signals, musl three.
        let json = SignalName::parse("JSON").unwrap().number();
        assert!(json == 36 || json == 37, "{json}");
        assert!(SignalName::parse("STATS_CLEAR").is_err());
    }

    #[test]
    fn sends_to_a_child() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        send(child.id(), SIGTERM).unwrap();
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(SIGTERM));
        assert!(send(0, SIGTERM).is_err());
        assert!(send(child.id(), json_signal()).is_err());
    }

    #[test]
    fn requests() {
        assert_eq!(request(SIGINT), Some(Request::Stop));
        assert_eq!(request(json_signal()), Some(Request::DumpJson));
        assert_eq!(request(libc::SIGCHLD), None);
    }
}
