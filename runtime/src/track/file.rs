//! `vrrp_track_file`: the number in a file, watched with inotify
//! (keepalived's trackers/track_file.c). The directory is watched for
//! IN_CLOSE_WRITE, IN_DELETE and IN_MOVE; a file deleted or moved away
//! reads as 0; a value that is not a number reads as 0; a number outside
//! the 32-bit range is ignored (the previous value stays).

use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify, WatchDescriptor};
use rustix::event::{poll, PollFd, PollFlags};

use super::{Stop, TrackEvent};
use crate::site::track::TrackFile;

/// Parse a track file's bytes as keepalived does: C `strtol(buf, NULL,
/// 0)` (leading blanks, optional sign, `0x` hex, leading-0 octal, stops
/// at the first non-digit, 0 when there is no number), on at most the
/// first 127 bytes. `None`: out of range, ignored.
pub fn parse_value(bytes: &[u8]) -> Option<i64> {
    let b = &bytes[..bytes.len().min(127)];
    let mut i = 0;
    while i < b.len()
        && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
    {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let mut radix = 10;
    if i + 1 < b.len()
        && b[i] == b'0'
        && (b[i + 1] | 0x20) == b'x'
        && b.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit())
    {
        radix = 16;
        i += 2;
    } else if i < b.len() && b[i] == b'0' {
        radix = 8;
    }
    let mut v: i128 = 0;
    while i < b.len() {
        let Some(d) = (b[i] as char).to_digit(radix) else {
            break;
        };
        v = (v * i128::from(radix) + i128::from(d))
            .min(i128::from(i64::MAX) + 1);
        i += 1;
    }
    let v = if neg { -v } else { v };
    // keepalived: "Invalid number ... - ignoring" outside
    // INT32_MIN..=INT32_MAX+1.
    if v < i128::from(i32::MIN) || v > i128::from(i32::MAX) + 1 {
        return None;
    }
    Some(v as i64)
}

/// Read the file's value: 0 when it is missing, unreadable or empty.
pub fn read_value(path: &Path) -> Option<i64> {
    match std::fs::read(path) {
        Ok(b) => parse_value(&b),
        Err(_) => Some(0),
    }
}

/// `init_file [VALUE] [overwrite]`: create the file holding VALUE
/// (`"%d\n"`) when it does not exist, or always with `overwrite` (if it
/// is a regular file).
pub fn init_file(t: &TrackFile) -> io::Result<()> {
    let Some(v) = t.init_value else {
        return Ok(());
    };
    match std::fs::metadata(t.path) {
        Ok(_) if !t.init_overwrite => return Ok(()),
        Ok(m) if !m.is_file() => {
            return Err(io::Error::other(format!(
                "cannot initialise track file {}: not a regular file",
                t.path
            )))
        }
        _ => {}
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o644)
        .open(t.path)
        .and_then(|mut f| {
            io::Write::write_all(&mut f, format!("{v}\n").as_bytes())
        })
        .map_err(|e| {
            io::Error::new(e.kind(), format!("track file {}: {e}", t.path))
        })
}

struct Watched {
    index: usize,
    name: std::ffi::OsString,
    path: PathBuf,
    wd: Option<WatchDescriptor>,
    value: i64,
}

/// Initialise and read every file, then watch them on a thread that
/// sends changes. Returns the thread and the values at start.
pub fn spawn(
    files: &'static [TrackFile],
    tx: SyncSender<TrackEvent>,
    stop: Arc<Stop>,
) -> io::Result<(JoinHandle<()>, Vec<i64>)> {
    let ino = Inotify::init(InitFlags::IN_CLOEXEC | InitFlags::IN_NONBLOCK)
        .map_err(|e| io::Error::other(format!("inotify_init: {e}")))?;
    let mut watched = Vec::new();
    for (index, t) in files.iter().enumerate() {
        if let Err(e) = init_file(t) {
            log::error!("{e}");
        }
        let path = PathBuf::from(t.path);
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        let flags = AddWatchFlags::IN_CLOSE_WRITE
            | AddWatchFlags::IN_DELETE
            | AddWatchFlags::IN_MOVE;
        let wd = match ino.add_watch(&dir, flags) {
            Ok(wd) => Some(wd),
            Err(e) => {
                log::error!(
                    "track file {}: cannot watch {}: {e}",
                    t.name,
                    dir.display()
                );
                None
            }
        };
        let value = read_value(&path).unwrap_or(0);
        watched.push(Watched {
            index,
            name,
            path,
            wd,
            value,
        });
    }
    let values = watched.iter().map(|w| w.value).collect();
    let t = std::thread::Builder::new()
        .name("kac-trackfile".into())
        .spawn(move || watch(ino, watched, tx, stop))?;
    Ok((t, values))
}

fn watch(
    ino: Inotify,
    mut files: Vec<Watched>,
    tx: SyncSender<TrackEvent>,
    stop: Arc<Stop>,
) {
    let tick = rustix::time::Timespec {
        tv_sec: 0,
        tv_nsec: 200_000_000,
    };
    while !stop.is_set() {
        let ready = {
            let mut fds = [PollFd::new(&ino, PollFlags::IN)];
            poll(&mut fds, Some(&tick))
        };
        match ready {
            Ok(0) => continue,
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => {
                log::error!("track file poll: {e}");
                stop.sleep(Duration::from_secs(1));
                continue;
            }
        }
        let events = match ino.read_events() {
            Ok(ev) => ev,
            Err(nix::errno::Errno::EAGAIN) => continue,
            Err(e) => {
                log::error!("inotify read: {e}");
                continue;
            }
        };
        for ev in events {
            if ev.mask.contains(AddWatchFlags::IN_ISDIR) {
                continue;
            }
            let gone = ev.mask.intersects(
                AddWatchFlags::IN_MOVED_FROM | AddWatchFlags::IN_DELETE,
            );
            for f in files.iter_mut() {
                if f.wd != Some(ev.wd)
                    || ev.name.as_deref() != Some(f.name.as_os_str())
                {
                    continue;
                }
                let new = if gone { Some(0) } else { read_value(&f.path) };
                let Some(new) = new else {
                    log::info!(
                        "Invalid number read from {} - ignoring",
                        f.path.display()
                    );
                    continue;
                };
                if new != f.value {
                    f.value = new;
                    let ev = TrackEvent::File {
                        index: f.index,
                        value: new,
                    };
                    if !super::send(&tx, ev, &stop) {
                        return;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_value;

    #[test]
    fn strtol_base_zero() {
        let cases: &[(&str, Option<i64>)] = &[
            ("", Some(0)),
            ("abc", Some(0)),
            ("10\n", Some(10)),
            ("  -7 trailing", Some(-7)),
            ("+3", Some(3)),
            ("0x1f", Some(31)),
            ("010", Some(8)),
            ("09", Some(0)), // octal: stops at 9
            ("0x", Some(0)),
            ("2147483648", Some(2147483648)), // INT32_MAX + 1 accepted
            ("2147483649", None),
            ("-2147483648", Some(-2147483648)),
            ("-2147483649", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_value(s.as_bytes()), *want, "{s:?}");
        }
    }
}
