//! The daemon proper: start-up, the main loop (signals and the systemd
//! watchdog) and the graceful stop.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use ::log::{error, info, warn};
use kac_runtime::site::Site;

use crate::cli::{Cli, Halves};
use crate::engine::{self, EngineSet};
use crate::log as klog;
use crate::paths::RuntimePaths;
use crate::pidfile::PidFile;
use crate::reexec::{self, Image};
use crate::sdnotify::{self, Notifier};
use crate::signals::{self, Request};
use crate::{daemon, dumps};

/// Reports a start-up failure in the log, and on stderr when no log sink
/// writes there (a daemon child's stderr reaches the waiting parent).
fn fatal(sinks: klog::Sinks, message: &str) -> ExitCode {
    error!("{message}");
    if !sinks.console && !sinks.journal {
        let _ = writeln!(std::io::stderr(), "kacd: {message}");
    }
    ExitCode::FAILURE
}

fn status_line(site: &Site, halves: Halves, engines: &EngineSet) -> String {
    let mut parts = Vec::new();
    if halves.vrrp {
        parts.push(format!("{} VRRP instance(s)", site.instances.len()));
    }
    if halves.check {
        parts.push(format!("{} virtual server(s)", site.virtual_servers.len()));
    }
    let names = engines.names();
    let engines = if names.is_empty() {
        "no engine running".to_string()
    } else {
        format!("engines {}", names.join(", "))
    };
    format!("site {}: {}; {engines}", site.name, parts.join(", "))
}

/// Runs the daemon until it is stopped (or re-executed).
pub fn serve(site: &'static Site, cli: &Cli) -> ExitCode {
    if cli.daemon_child {
        daemon::become_daemon();
    }
    let log_config = klog::Config::detect(
        cli.log_console,
        cli.no_syslog,
        cli.daemon_child,
        cli.log_facility,
        cli.log_detail,
    );
    klog::init(&log_config);
    let sinks = log_config.sinks;
    let halves = cli.halves();
    let paths = RuntimePaths::new(
        &cli.runtime_dir,
        site.global.instance,
        cli.pid.as_deref(),
    );

    info!(
        "Starting kacd v{} (site {})",
        env!("CARGO_PKG_VERSION"),
        site.name
    );
    let argv: Vec<String> = std::env::args_os()
        .map(|a| format!("'{}'", a.to_string_lossy()))
        .collect();
    info!("Command line: {}", argv.join(" "));
    info!(
        "Configuration compiled in: {} ({} file(s), sha256 {})",
        site.config_path, site.config_files, site.config_sha256
    );
    let image = match Image::current() {
        Ok(i) => Some(i),
        Err(e) => {
            warn!(
                "cannot find kacd's own binary ({e}): SIGHUP will not reload"
            );
            None
        }
    };

    if let Err(e) = std::fs::create_dir_all(&paths.dir) {
        return fatal(
            sinks,
            &format!(
                "cannot create runtime directory {}: {e}",
                paths.dir.display()
            ),
        );
    }
    let pidfile = match PidFile::acquire(&paths.pid) {
        Ok(p) => p,
        Err(e) => return fatal(sinks, &e.to_string()),
    };
    let (tx, rx) = mpsc::channel::<Request>();
    let signal_handle = match signals::listen(tx) {
        Ok(h) => h,
        Err(e) => {
            let _ = pidfile.release();
            return fatal(
                sinks,
                &format!("cannot set up signal handling: {e}"),
            );
        }
    };

    let handoff = match reexec::take_handoff() {
        Some(Ok(h)) => {
            info!(
                "Reloaded: kacd v{} took over from kacd v{} (same pid)",
                env!("CARGO_PKG_VERSION"),
                h["version"].as_str().unwrap_or("?")
            );
            Some(h)
        }
        Some(Err(e)) => {
            warn!("ignoring state handoff: {e}");
            None
        }
        None => None,
    };
    if halves.check && !site.virtual_servers.is_empty() {
        raise_open_files();
    }
    let mut engines = engine::for_site(site, halves);
    if let Err(e) =
        engines.start(site, &paths.dir, handoff.as_ref().map(|h| &h["engines"]))
    {
        signal_handle.close();
        let _ = pidfile.release();
        return fatal(sinks, &format!("cannot start: {e}"));
    }

    let notifier = match Notifier::from_env() {
        Ok(n) => n,
        Err(e) => {
            warn!("NOTIFY_SOCKET: {e}; not notifying systemd");
            None
        }
    };
    let notify = |state: &str| {
        if let Some(n) = &notifier {
            if let Err(e) = n.notify(state) {
                warn!("sd_notify {state:?}: {e}");
            }
        }
    };
    let status = status_line(site, halves, &engines);
    let mut ready = format!("READY=1\nSTATUS={status}");
    if cli.daemon_child {
        ready.push_str(&format!("\nMAINPID={}", std::process::id()));
    }
    notify(&ready);
    if cli.daemon_child {
        if let Err(e) = daemon::release_parent() {
            warn!("cannot detach stderr: {e}");
        }
    }
    info!("Running: {status}");

    let watchdog = sdnotify::watchdog_period_from_env();
    if let Some(p) = watchdog {
        info!("systemd watchdog: notifying every {} ms", p.as_millis());
        notify("WATCHDOG=1");
    }
    let mut next_watchdog = watchdog.map(|p| Instant::now() + p);

    loop {
        let timeout = next_watchdog.map_or(Duration::from_secs(3600), |t| {
            t.saturating_duration_since(Instant::now())
        });
        match rx.recv_timeout(timeout) {
            Ok(Request::Stop) => break,
            Ok(Request::Reload) => {
                if let Some(img) = &image {
                    let mut feed = || {
                        if let (Some(p), Some(t)) = (watchdog, next_watchdog) {
                            if Instant::now() >= t {
                                notify("WATCHDOG=1");
                                next_watchdog = Some(Instant::now() + p);
                            }
                        }
                    };
                    reload(site, img, &paths, &mut engines, &notify, &mut feed);
                } else {
                    error!("Reload refused: kacd's own binary is unknown");
                }
            }
            Ok(Request::DumpData) => {
                info!(
                    "Printing data for process({}) on signal",
                    std::process::id()
                );
                match dumps::data(site, halves, &engines) {
                    Ok(d) => write_dump(&paths.data, &d),
                    Err(e) => error!("data dump: {e}"),
                }
            }
            Ok(Request::DumpStats) => {
                info!(
                    "Printing stats for process({}) on signal",
                    std::process::id()
                );
                write_dump(&paths.stats, &dumps::stats(site, &engines));
            }
            Ok(Request::DumpJson) => {
                info!(
                    "Printing JSON for process({}) on signal",
                    std::process::id()
                );
                let j = dumps::json(site, &engines);
                match serde_json::to_vec_pretty(&j) {
                    Ok(mut bytes) => {
                        bytes.push(b'\n');
                        write_dump(&paths.json, &bytes);
                    }
                    Err(e) => error!("JSON dump: {e}"),
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                error!("signal listener ended; stopping");
                break;
            }
        }
        if let (Some(p), Some(t)) = (watchdog, next_watchdog) {
            let now = Instant::now();
            if now >= t {
                if engines.healthy() {
                    notify("WATCHDOG=1");
                } else {
                    warn!("an engine is not healthy: not feeding the watchdog");
                }
                next_watchdog = Some(now + p);
            }
        }
    }

    info!("Stopping");
    notify("STOPPING=1");
    engines.stop();
    signal_handle.close();
    if let Err(e) = pidfile.release() {
        warn!("cannot remove pid file {}: {e}", paths.pid.display());
    }
    info!("Stopped");
    info!(
        "Stopped kacd v{} (site {})",
        env!("CARGO_PKG_VERSION"),
        site.name
    );
    ExitCode::SUCCESS
}

fn write_dump(path: &Path, bytes: &[u8]) {
    if let Err(e) = dumps::write_atomic(path, bytes) {
        error!("Can't open {} ({e})", path.display());
    }
}

/// SIGHUP: check the binary on disk, hand the engines' state over and
/// exec it. Returns only when the reload did not happen.
fn reload(
    site: &Site,
    image: &Image,
    paths: &RuntimePaths,
    engines: &mut EngineSet,
    notify: &dyn Fn(&str),
    feed_watchdog: &mut dyn FnMut(),
) {
    info!("Reloading: checking {}", image.exe.display());
    if let Err(e) = image.check(feed_watchdog) {
        error!("Reload refused: {e}; keeping the running kacd");
        return;
    }
    notify(&format!(
        "RELOADING=1\nMONOTONIC_USEC={}",
        sdnotify::monotonic_usec()
    ));
    let doc = reexec::handoff_document(engines.handoff(), site.config_sha256);
    let handoff = match dumps::write_atomic(
        &paths.handoff,
        doc.to_string().as_bytes(),
    ) {
        Ok(()) => Some(paths.handoff.as_path()),
        Err(e) => {
            warn!(
                "cannot write state handoff {}: {e}; the new image starts afresh",
                paths.handoff.display()
            );
            None
        }
    };
    info!("Reloading: re-executing {}", image.exe.display());
    let e = image.exec(handoff);
    error!("Reload failed: cannot execute {}: {e}", image.exe.display());
    let _ = std::fs::remove_file(&paths.handoff);
    notify("READY=1");
}

/// Each health check in flight holds a socket: lift the soft limit on
/// open files to the hard one (often 1024 of 524288), so thousands of
/// real servers can be checked at once.
fn raise_open_files() {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut l = getrlimit(Resource::Nofile);
    if l.current < l.maximum {
        let from = l.current;
        l.current = l.maximum;
        match setrlimit(Resource::Nofile, l) {
            Ok(()) => info!(
                "open files limit raised from {} to {}",
                from.map_or("unlimited".into(), |n| n.to_string()),
                l.maximum.map_or("unlimited".into(), |n| n.to_string())
            ),
            Err(e) => warn!("cannot raise the open files limit: {e}"),
        }
    }
}
