//! How the engines (the VRRP engine, the checkers and IPVS, from
//! `kac-runtime`) plug into the process shell. The shell owns the process
//! life cycle (start-up, signals, dumps, re-exec, stop) and calls each
//! engine through [`Engine`]; an engine owns its threads and whatever it
//! adds to the system, and removes it in [`Engine::stop`].
//!
//! The trait lives here because the shell is the only caller; adapters
//! wrapping the runtime's engines implement it in this crate.

use std::io;
use std::path::Path;
use std::time::SystemTime;

use kac_runtime::site::Site;

/// An engine's error, with its context already in the message.
pub type EngineError = Box<dyn std::error::Error + Send + Sync>;

/// What an engine gets at start-up.
pub struct Context<'a> {
    pub site: &'static Site,
    pub runtime_dir: &'a Path,
    /// This engine's part of the state the previous image handed over on
    /// a SIGHUP re-exec (what its [`Engine::handoff`] returned there).
    pub handoff: Option<&'a serde_json::Value>,
}

/// keepalived's VRRP states, by its numbers (they appear in the JSON
/// dump).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VrrpState {
    Init = 0,
    Backup = 1,
    Master = 2,
    Fault = 3,
}

impl VrrpState {
    pub fn name(self) -> &'static str {
        match self {
            VrrpState::Init => "INIT",
            VrrpState::Backup => "BACKUP",
            VrrpState::Master => "MASTER",
            VrrpState::Fault => "FAULT",
        }
    }
}

/// The run-time state of one VRRP instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstanceStatus {
    pub state: VrrpState,
    pub wantstate: VrrpState,
    pub effective_priority: u8,
    pub master_priority: u8,
    pub last_transition: Option<SystemTime>,
    /// The virtual addresses are set.
    pub vipset: bool,
}

/// keepalived's per-instance counters (its stats file and JSON names).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VrrpStats {
    pub advert_rcvd: u64,
    pub advert_sent: u64,
    pub become_master: u64,
    pub release_master: u64,
    pub packet_len_err: u64,
    pub ip_ttl_err: u64,
    pub invalid_type_rcvd: u64,
    pub advert_interval_err: u64,
    pub addr_list_err: u64,
    pub invalid_authtype: u64,
    pub authtype_mismatch: u64,
    pub auth_failure: u64,
    pub pri_zero_rcvd: u64,
    pub pri_zero_sent: u64,
    /// kac's own: drops keepalived counts nowhere (a wrong VRRP version,
    /// a bad checksum, our own packet).
    pub version_err: u64,
    pub checksum_err: u64,
    pub own_packet: u64,
}

/// One engine, as the shell drives it. Every method but `name`, `start`
/// and `stop` has a default that reports nothing.
pub trait Engine: Send {
    /// A short name for logs and the handoff file (`vrrp`, `check`).
    fn name(&self) -> &'static str;

    /// Starts the engine's threads; returns once it runs.
    fn start(&mut self, ctx: &Context<'_>) -> Result<(), EngineError>;

    /// Graceful stop: masters send priority 0, and everything the engine
    /// added (addresses, routes, rules, IPVS services) is removed.
    fn stop(&mut self);

    /// Called instead of `stop` before a SIGHUP re-exec: return the
    /// state the next image needs to take over what this engine added
    /// (which stays in place). The engine keeps running: should the exec
    /// fail, this process simply carries on. The default hands nothing
    /// over, so the next image starts afresh.
    fn handoff(&mut self) -> Option<serde_json::Value> {
        None
    }

    /// False when the engine is stuck; the shell then stops feeding the
    /// systemd watchdog so systemd restarts kacd.
    fn healthy(&self) -> bool {
        true
    }

    /// Run-time state for the data dump (SIGUSR1), after the tables.
    fn write_data(&self, _out: &mut dyn io::Write) -> io::Result<()> {
        Ok(())
    }

    /// The state of instance `index` of the site, if this engine runs it.
    fn instance_status(&self, _index: usize) -> Option<InstanceStatus> {
        None
    }

    /// The counters of instance `index`, if this engine runs it.
    fn instance_stats(&self, _index: usize) -> Option<VrrpStats> {
        None
    }
}

/// The engines that run `halves` of `site`: VRRP when it has instances
/// or static addresses, routes or rules, the checkers and IPVS when it
/// has virtual servers.
pub fn for_site(site: &'static Site, halves: crate::cli::Halves) -> EngineSet {
    let mut engines: Vec<Box<dyn Engine>> = Vec::new();
    // The VRRP half also owns the static addresses, routes and rules,
    // as keepalived's VRRP process does.
    let statics = !site.static_addresses.is_empty()
        || !site.static_routes.is_empty()
        || !site.static_rules.is_empty();
    if halves.vrrp && (!site.instances.is_empty() || statics) {
        engines.push(Box::<crate::vrrp_engine::VrrpEngine>::default());
    }
    if halves.check && !site.virtual_servers.is_empty() {
        engines.push(Box::<crate::check_engine::CheckEngine>::default());
    }
    EngineSet::new(engines)
}

/// The engines of one process, started in order, stopped in reverse.
#[derive(Default)]
pub struct EngineSet {
    engines: Vec<Box<dyn Engine>>,
    started: usize,
}

impl EngineSet {
    pub fn new(engines: Vec<Box<dyn Engine>>) -> EngineSet {
        EngineSet {
            engines,
            started: 0,
        }
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.engines.iter().map(|e| e.name()).collect()
    }

    /// Starts every engine; when one fails, the ones already started are
    /// stopped again and the error names the engine.
    pub fn start(
        &mut self,
        site: &'static Site,
        runtime_dir: &Path,
        handoff: Option<&serde_json::Value>,
    ) -> Result<(), EngineError> {
        for i in 0..self.engines.len() {
            let e = &mut self.engines[i];
            let ctx = Context {
                site,
                runtime_dir,
                handoff: handoff.and_then(|h| h.get(e.name())),
            };
            if let Err(err) = e.start(&ctx) {
                let name = e.name();
                self.stop();
                return Err(format!("{name} engine: {err}").into());
            }
            self.started = i + 1;
        }
        Ok(())
    }

    /// Stops the started engines, last first.
    pub fn stop(&mut self) {
        while self.started > 0 {
            self.started -= 1;
            self.engines[self.started].stop();
        }
    }

    /// Collects every engine's handoff state, by engine name.
    pub fn handoff(&mut self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for e in &mut self.engines[..self.started] {
            if let Some(v) = e.handoff() {
                map.insert(e.name().to_string(), v);
            }
        }
        serde_json::Value::Object(map)
    }

    pub fn healthy(&self) -> bool {
        self.engines.iter().all(|e| e.healthy())
    }

    pub fn write_data(&self, out: &mut dyn io::Write) -> io::Result<()> {
        for e in &self.engines {
            e.write_data(out)?;
        }
        Ok(())
    }

    pub fn instance_status(&self, index: usize) -> Option<InstanceStatus> {
        self.engines.iter().find_map(|e| e.instance_status(index))
    }

    pub fn instance_stats(&self, index: usize) -> Option<VrrpStats> {
        self.engines.iter().find_map(|e| e.instance_stats(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    struct Fake {
        name: &'static str,
        fail: bool,
        log: Arc<Mutex<Vec<String>>>,
    }

    impl Engine for Fake {
        fn name(&self) -> &'static str {
            self.name
        }
        fn start(&mut self, ctx: &Context<'_>) -> Result<(), EngineError> {
            let got = ctx.handoff.map(|v| v.to_string()).unwrap_or_default();
            self.log
                .lock()
                .unwrap()
                .push(format!("start {} {got}", self.name));
            if self.fail {
                return Err("no socket".into());
            }
            Ok(())
        }
        fn stop(&mut self) {
            self.log.lock().unwrap().push(format!("stop {}", self.name));
        }
        fn handoff(&mut self) -> Option<serde_json::Value> {
            Some(serde_json::json!({"from": self.name}))
        }
    }

    fn set(fail_second: bool) -> (EngineSet, Arc<Mutex<Vec<String>>>) {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mk = |name, fail| {
            Box::new(Fake {
                name,
                fail,
                log: log.clone(),
            }) as Box<dyn Engine>
        };
        let s =
            EngineSet::new(vec![mk("vrrp", false), mk("check", fail_second)]);
        (s, log)
    }

    #[test]
    fn order_and_handoff() {
        let (mut s, log) = set(false);
        let h = serde_json::json!({"vrrp": 1});
        s.start(crate::testsite::site(), Path::new("/x"), Some(&h))
            .unwrap();
        assert_eq!(
            s.handoff(),
            serde_json::json!({"vrrp": {"from": "vrrp"},
                               "check": {"from": "check"}})
        );
        s.stop();
        s.stop();
        assert_eq!(
            *log.lock().unwrap(),
            ["start vrrp 1", "start check ", "stop check", "stop vrrp"]
        );
    }

    #[test]
    fn failed_start_unwinds() {
        let (mut s, log) = set(true);
        let err = s
            .start(crate::testsite::site(), Path::new("/x"), None)
            .unwrap_err();
        assert_eq!(err.to_string(), "check engine: no socket");
        assert_eq!(
            *log.lock().unwrap(),
            ["start vrrp ", "start check ", "stop vrrp"]
        );
    }
}
