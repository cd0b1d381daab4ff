//! The load-balancing half as the shell drives it: the health checkers
//! (`kac_runtime::check`, on their own tokio thread) feed a pool thread
//! that keeps keepalived's pool rules (`kac_runtime::ipvs::Pool`) and
//! brings the kernel's IPVS table in line with them, sending only the
//! differences. It touches only the services its own virtual servers
//! stand for; anything else in the kernel's table is left alone.

use std::collections::BTreeSet;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kac_runtime::check::{self, CheckEvent, Status};
use kac_runtime::ipvs::client::{SyncDaemon, SyncState, Timeouts};
use kac_runtime::ipvs::pool::service_keys;
use kac_runtime::ipvs::{self, Client, Pool, ServiceKey, Table};
use kac_runtime::script::Runner;
use kac_runtime::site::lvs::Service;
use kac_runtime::site::Site;
use kac_runtime::vrrp::machine::State;
use log::{error, info, warn};

use crate::engine::{Context, Engine, EngineError};

/// How many checker results may wait for the pool thread.
const QUEUE: usize = 4096;

/// The kernel's table is read again this often, so a service someone
/// removed by hand comes back (keepalived would not notice).
const RESYNC: Duration = Duration::from_secs(30);

/// How often `ha_suspend` virtual servers look whether their address is
/// on this host (their VRRP instance is master).
const HA_POLL: Duration = Duration::from_secs(1);

/// Whether `addr` is one of this host's addresses: binding to it works
/// only then (unless `ip_nonlocal_bind` is set, which kacd's hosts do not
/// need).
fn is_local(addr: std::net::IpAddr) -> bool {
    std::net::UdpSocket::bind((addr, 0)).is_ok()
}

#[derive(Default)]
pub struct CheckEngine {
    checkers: Option<check::Engine>,
    pool_thread: Option<JoinHandle<()>>,
    /// A one-line summary per virtual server for the data dump.
    summary: Arc<Mutex<Vec<String>>>,
}

/// Every kernel service the site's virtual servers stand for.
pub(crate) fn our_services(site: &Site) -> BTreeSet<ServiceKey> {
    site.virtual_servers.iter().flat_map(service_keys).collect()
}

/// The kernel's table, only the services that are ours.
pub(crate) fn kernel_ours(
    client: &mut Client,
    ours: &BTreeSet<ServiceKey>,
) -> Result<Table, ipvs::Error> {
    let mut t = client.dump()?;
    t.services.retain(|k, _| ours.contains(k));
    Ok(t)
}

/// Applies the changes from `kernel` to `want`, logging each; returns
/// how many failed. `kernel` follows what was applied.
fn converge(client: &mut Client, kernel: &mut Table, want: &Table) -> usize {
    let mut failed = 0;
    for c in ipvs::diff(kernel, want) {
        match client.apply(&c) {
            Ok(()) => {
                info!("IPVS: {c}");
                ipvs::diff::apply(kernel, &c);
            }
            Err(e) => {
                error!("IPVS: {c}: {e}");
                failed += 1;
            }
        }
    }
    failed
}

/// Starts pool scripts (`notify_up`, `notify_down`, `quorum_up`,
/// `quorum_down`) without waiting for them; a thread per script reaps
/// it (and kills its group if it outlives the timeout).
fn run_scripts(runner: &Runner, events: &[ipvs::Event]) {
    for ev in events {
        let Some(cmd) = ev.script else { continue };
        match runner.prepare(cmd) {
            Ok(p) => {
                let spawned = std::thread::Builder::new()
                    .name("kac-notify".into())
                    .spawn(move || {
                        if let Err(e) = p.run(&[], Duration::from_secs(60)) {
                            warn!("notify script: {e}");
                        }
                    });
                if let Err(e) = spawned {
                    warn!("notify script: {e}");
                }
            }
            Err(e) => warn!("notify script refused: {e}"),
        }
    }
}

fn describe(site: &Site, pool: &Pool) -> Vec<String> {
    site.virtual_servers
        .iter()
        .enumerate()
        .map(|(vs, v)| {
            let alive = (0..v.real_servers.len())
                .filter(|&rs| pool.alive(vs, rs))
                .count();
            format!(
                "{}: {alive} of {} real servers alive, quorum {}",
                v.line,
                v.real_servers.len(),
                if pool.quorum_up(vs) { "up" } else { "down" }
            )
        })
        .collect()
}

struct PoolLoop {
    site: &'static Site,
    client: Client,
    pool: Pool,
    kernel: Table,
    ours: BTreeSet<ServiceKey>,
    runner: Option<Runner>,
    summary: Arc<Mutex<Vec<String>>>,
    /// `ha_suspend` virtual servers (index, address) and whether each
    /// was last found local.
    ha: Vec<(usize, std::net::IpAddr, bool)>,
    /// The sync daemon running now, if any (`lvs_sync_daemon`).
    daemon: Option<SyncState>,
}

impl PoolLoop {
    /// `lvs_sync_daemon`: the master daemon while its VRRP instance is
    /// master, the backup daemon otherwise, as keepalived switches them.
    fn sync_daemon(&mut self) {
        let Some(d) = self.site.global.lvs.sync_daemon else {
            return;
        };
        let Some(k) = d.instance else { return };
        let state = crate::vrrp_engine::VRRP_STATUS.get().and_then(|s| {
            s.lock().ok().and_then(|s| s.get(k).map(|s| s.state))
        });
        let want = match state {
            Some(State::Master) => SyncState::Master,
            _ => SyncState::Backup,
        };
        if self.daemon == Some(want) {
            return;
        }
        if let Some(old) = self.daemon.take() {
            if let Err(e) = self.client.stop_daemon(old) {
                warn!("IPVS: {e}");
            }
        }
        let vrid = self.site.instances.get(k).map_or(0, |i| i.vrid.get());
        let cfg = SyncDaemon {
            state: want,
            interface: d.interface.as_str().to_owned(),
            sync_id: u32::from(d.id.unwrap_or(vrid)),
            maxlen: d.maxlen,
            port: d.port,
            ttl: d.ttl,
            group: d.group,
        };
        match self.client.start_daemon(&cfg) {
            Ok(()) => {
                info!(
                    "IPVS: started the {} sync daemon on {} (id {})",
                    if want == SyncState::Master {
                        "master"
                    } else {
                        "backup"
                    },
                    d.interface,
                    cfg.sync_id
                );
                self.daemon = Some(want);
            }
            Err(e) => error!("IPVS: {e}"),
        }
    }

    /// Pauses or resumes the checks of `ha_suspend` virtual servers as
    /// their address comes and goes.
    fn ha_suspend(&mut self) {
        for (vs, addr, was) in &mut self.ha {
            let now = is_local(*addr);
            if now != *was {
                let line = self.site.virtual_servers[*vs].line;
                if now {
                    info!("Activating healthchecker for service {line}");
                } else {
                    info!("Suspending healthchecker for service {line}");
                }
                *was = now;
            }
            self.pool.set_master(*vs, now);
        }
    }

    fn feed(&mut self, ev: CheckEvent) {
        let rs = self
            .site
            .virtual_servers
            .get(ev.vs)
            .and_then(|v| v.real_servers.get(ev.rs));
        let Some(rs) = rs else { return };
        match ev.status {
            Status::Up => {
                self.pool.set_checker(ev.vs, ev.rs, ev.checker, true);
            }
            Status::Down { reason } => {
                warn!(
                    "Check on real server {}:{} failed: {reason}",
                    rs.addr, rs.port
                );
                self.pool.set_checker(ev.vs, ev.rs, ev.checker, false);
            }
            Status::Weight(w) => {
                self.pool.set_weight(ev.vs, ev.rs, w);
            }
        }
    }

    fn sync(&mut self) {
        let want = self.pool.desired();
        converge(&mut self.client, &mut self.kernel, &want);
        let events = self.pool.take_events();
        if let Some(r) = &self.runner {
            run_scripts(r, &events);
        }
        if let Ok(mut s) = self.summary.lock() {
            *s = describe(self.site, &self.pool);
        }
    }

    fn resync(&mut self) {
        match kernel_ours(&mut self.client, &self.ours) {
            Ok(t) => self.kernel = t,
            Err(e) => error!("IPVS: reading the kernel's table: {e}"),
        }
    }

    fn run(mut self, rx: Receiver<CheckEvent>) {
        let g = self.site.global.lvs;
        if g.flush {
            info!("IPVS: flushing the whole table (lvs_flush)");
            if let Err(e) = self.client.flush() {
                error!("IPVS: {e}");
            }
            self.kernel = Table::new();
        }
        if let Some(t) = g.timeouts {
            // 0 leaves a value as the kernel has it.
            let t = Timeouts {
                tcp: t.tcp.unwrap_or(0),
                tcp_fin: t.tcpfin.unwrap_or(0),
                udp: t.udp.unwrap_or(0),
            };
            if let Err(e) = self.client.set_timeouts(t) {
                error!("IPVS: {e}");
            }
        }
        self.sync_daemon();
        self.ha_suspend();
        self.sync();
        let mut last_resync = Instant::now();
        let wait = if self.ha.is_empty() && g.sync_daemon.is_none() {
            RESYNC
        } else {
            HA_POLL
        };
        loop {
            match rx.recv_timeout(wait) {
                Ok(ev) => {
                    self.feed(ev);
                    // Take whatever else is queued before touching the
                    // kernel: one diff for a burst of results.
                    while let Ok(ev) = rx.try_recv() {
                        self.feed(ev);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                // The checkers stopped: kacd is stopping.
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if last_resync.elapsed() >= RESYNC {
                self.resync();
                last_resync = Instant::now();
            }
            self.sync_daemon();
            self.ha_suspend();
            self.sync();
        }
        if let Some(d) = self.daemon.take() {
            if let Err(e) = self.client.stop_daemon(d) {
                warn!("IPVS: {e}");
            }
        }
        // keepalived removes its services at shutdown (unless told
        // --dont-release-ipvs); so do we, and run the shutdown notifies.
        self.resync();
        let events = self.pool.shutdown_events();
        converge(&mut self.client, &mut self.kernel, &Table::new());
        if let Some(r) = &self.runner {
            run_scripts(r, &events);
        }
    }
}

impl Engine for CheckEngine {
    fn name(&self) -> &'static str {
        "check"
    }

    fn start(&mut self, ctx: &Context<'_>) -> Result<(), EngineError> {
        let site = ctx.site;
        let mut client = match Client::open() {
            Ok(c) => c,
            Err(e) => {
                // As keepalived: without IPVS the checker half cannot
                // work, but VRRP carries on.
                error!(
                    "IPVS is not available ({e}): virtual servers are not \
                     programmed and no checker runs"
                );
                return Ok(());
            }
        };
        let ours = our_services(site);
        let kernel = kernel_ours(&mut client, &ours)
            .map_err(|e| format!("IPVS: reading the kernel's table: {e}"))?;
        let runner = match Runner::new(&site.global) {
            Ok(r) => Some(r),
            Err(e) => {
                error!("notify scripts disabled: {e}");
                None
            }
        };
        let (tx, rx) = sync_channel(QUEUE);
        let pool = PoolLoop {
            site,
            client,
            pool: Pool::new(site),
            kernel,
            ours,
            runner,
            summary: Arc::clone(&self.summary),
            ha: site
                .virtual_servers
                .iter()
                .enumerate()
                .filter(|(_, v)| v.ha_suspend)
                .filter_map(|(i, v)| match v.service {
                    Service::Addr { addr, .. } => Some((i, addr, false)),
                    _ => None,
                })
                .collect(),
            daemon: None,
        };
        let thread = std::thread::Builder::new()
            .name("kac-ipvs".into())
            .spawn(move || pool.run(rx))
            .map_err(|e| format!("IPVS thread: {e}"))?;
        self.pool_thread = Some(thread);
        self.checkers = Some(
            check::Engine::start(site, tx)
                .map_err(|e| format!("checkers: {e}"))?,
        );
        Ok(())
    }

    fn stop(&mut self) {
        // Stopping the checkers closes the channel, which ends the pool
        // thread after it removed the services.
        if let Some(c) = self.checkers.take() {
            c.stop();
        }
        if let Some(t) = self.pool_thread.take() {
            if t.join().is_err() {
                error!("IPVS thread panicked");
            }
        }
    }

    // No handoff state: across a SIGHUP re-exec the kernel's table
    // stays, and the next image diffs against it, so real servers that
    // are up stay in place unless its own checks say otherwise.

    fn healthy(&self) -> bool {
        self.pool_thread.as_ref().is_none_or(|t| !t.is_finished())
    }

    fn write_data(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let Ok(s) = self.summary.lock() else {
            return Ok(());
        };
        if s.is_empty() {
            return Ok(());
        }
        writeln!(out, "------< IPVS pool >------")?;
        for l in s.iter() {
            writeln!(out, " {l}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_addresses_are_told_apart() {
        assert!(is_local("127.0.0.1".parse().unwrap()));
        // Not on any interface here (documentation range).
        assert!(!is_local("192.0.2.254".parse().unwrap()));
    }
}
