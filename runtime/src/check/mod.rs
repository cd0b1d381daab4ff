//! Health checkers (TCP, HTTP/SSL, SMTP, DNS, UDP, ping, file, misc) on
//! their own tokio current-thread runtime.
//!
//! ```text
//!  Site.virtual_servers ──plan──▶ probes (identical checks merged)
//!                                   │ one tokio task each, on the
//!                                   │ "kac-check" thread
//!                                   ▼
//!            schedule::Verdict (retry / delay_loop / alpha rules)
//!                                   │ transitions only
//!                                   ▼
//!       bounded std mpsc ──▶ CheckEvent { vs, rs, checker, status }
//! ```
//!
//! A check probe is one task; thousands of them share the thread and
//! wait on sockets, timers and child processes, never on each other. The
//! consumer (the IPVS side) reads a bounded channel: when it falls
//! behind, probes wait (asynchronously) for room, so nothing is lost and
//! nothing blocks the VRRP thread.
//!
//! Where kac differs from keepalived 2.2.7 (on purpose, or for now):
//! - HTTP_GET/SSL_GET: an attempt fetches every `url` in order and fails
//!   at the first bad one; `retry` counts such attempts (keepalived
//!   retries the failing url). `connect_timeout` bounds each url's whole
//!   exchange, where keepalived applies it to each socket operation.
//! - SMTP_CHECK accepts multi-line replies (`220-...` then `220 ...`).
//! - FILE_CHECK rereads its file every second instead of using inotify.
//! - DNS_CHECK follows check_dns.c exactly: a reply with our id, QR set
//!   and RCODE 0 is success, whatever its answer section holds.

mod connect;
mod dns;
mod file;
pub mod genhash;
mod http;
mod misc;
mod ping;
pub mod plan;
mod rand;
pub mod schedule;
mod smtp;
mod tcp;
mod tls;
mod udp;

use std::io;
use std::sync::mpsc::{SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::site::Site;

pub use plan::{plan, Probe, Subscriber};

/// A checker's news: a transition or a weight change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Up,
    Down {
        reason: String,
    },
    /// The real server's weight as this checker now wants it
    /// (`misc_dynamic`, FILE_CHECK with a weight; back to the configured
    /// weight when the dynamic value goes away).
    Weight(u32),
}

/// What the checker thread reports: indices into `site.virtual_servers`,
/// its `real_servers` and their `checkers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckEvent {
    pub vs: usize,
    pub rs: usize,
    pub checker: usize,
    pub status: Status,
}

/// The running checker thread.
pub struct Engine {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    probes: usize,
}

impl Engine {
    /// Starts every checker of every real server of the site on a new
    /// thread. Events go to `events`; a full channel makes probes wait.
    pub fn start(
        site: &'static Site,
        events: SyncSender<CheckEvent>,
    ) -> io::Result<Engine> {
        Engine::start_probes(plan(site), events)
    }

    /// Starts the given probes (tests build them with [`plan`]).
    pub fn start_probes(
        probes: Vec<Probe>,
        events: SyncSender<CheckEvent>,
    ) -> io::Result<Engine> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                io::Error::new(e.kind(), format!("checker runtime: {e}"))
            })?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let count = probes.len();
        let thread = std::thread::Builder::new()
            .name("kac-check".into())
            .spawn(move || {
                rt.block_on(async move {
                    for p in probes {
                        tokio::spawn(schedule::run(p, events.clone()));
                    }
                    drop(events);
                    // Either a stop request or the Engine being dropped.
                    let _ = stop_rx.await;
                });
                // Dropping the runtime cancels every probe; misc checks'
                // children are killed on drop.
                drop(rt);
            })
            .map_err(|e| {
                io::Error::new(e.kind(), format!("checker thread: {e}"))
            })?;
        log::info!("Activating healthchecker for {count} probes");
        Ok(Engine {
            stop: Some(stop_tx),
            thread: Some(thread),
            probes: count,
        })
    }

    /// How many distinct probes run (identical checks counted once).
    pub fn probes(&self) -> usize {
        self.probes
    }

    /// Stops every checker and joins the thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            if t.join().is_err() {
                log::error!("checker thread panicked");
            }
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Hands `ev` to the consumer, waiting (without blocking the thread)
/// while the channel is full. `false` when the consumer is gone.
pub(crate) async fn deliver(
    tx: &SyncSender<CheckEvent>,
    ev: CheckEvent,
) -> bool {
    let mut ev = ev;
    // Back off up to 100 ms so that thousands of waiting probes do not
    // spin while the consumer is stuck.
    let mut pause = Duration::from_millis(1);
    loop {
        match tx.try_send(ev) {
            Ok(()) => return true,
            Err(TrySendError::Disconnected(_)) => return false,
            Err(TrySendError::Full(back)) => {
                ev = back;
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(100));
            }
        }
    }
}
