//! The VRRP engine (`kac_runtime::vrrp::engine`) as the shell drives it:
//! started on its own thread with the host's netlink view, stopped with
//! every master resigning, its state and counters read for the dumps.

use kac_runtime::notify::{self, Notifier};
use kac_runtime::script::Runner;
use kac_runtime::site::Site;
use kac_runtime::track::Trackers;
use kac_runtime::vrrp::engine::{
    self, Extras, Handle, Resumed, SharedStatus, Status,
};
use kac_runtime::vrrp::linux_host::LinuxHost;
use kac_runtime::vrrp::machine::State;
use kac_runtime::vrrp::rx::Drop;
use log::{error, warn};

use crate::engine::{
    Context, Engine, EngineError, InstanceStatus, VrrpState, VrrpStats,
};

/// The VRRP engine's published states, for the other engines of this
/// process (the IPVS sync daemon follows an instance's state).
pub static VRRP_STATUS: std::sync::OnceLock<SharedStatus> =
    std::sync::OnceLock::new();

#[derive(Default)]
pub struct VrrpEngine {
    handle: Option<Handle>,
    trackers: Option<Trackers>,
    status: Option<SharedStatus>,
    site: Option<&'static Site>,
}

/// The handoff: `[{"name": .., "vrid": .., "state": "MASTER"}, ...]`.
fn to_json(states: &[Resumed]) -> serde_json::Value {
    serde_json::Value::Array(
        states
            .iter()
            .map(|r| {
                serde_json::json!({
                    "name": r.name,
                    "vrid": r.vrid,
                    "state": r.state.name(),
                    "addresses": r.addresses,
                })
            })
            .collect(),
    )
}

fn from_json(v: Option<&serde_json::Value>) -> Vec<Resumed> {
    let Some(list) = v.and_then(|v| v.as_array()) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|e| {
            let state = match e.get("state")?.as_str()? {
                "MASTER" => State::Master,
                "BACKUP" => State::Backup,
                _ => return None,
            };
            // Absent in a handoff from an older kacd: nothing to remove.
            let addresses = e
                .get("addresses")
                .and_then(|a| {
                    serde_json::from_value::<Vec<(String, String)>>(a.clone())
                        .ok()
                })
                .unwrap_or_default();
            Some(Resumed {
                name: e.get("name")?.as_str()?.to_owned(),
                vrid: u8::try_from(e.get("vrid")?.as_u64()?).ok()?,
                state,
                addresses,
            })
        })
        .collect()
}

fn state(s: State) -> VrrpState {
    match s {
        State::Init | State::Stopped => VrrpState::Init,
        State::Backup => VrrpState::Backup,
        State::Master => VrrpState::Master,
        State::Fault => VrrpState::Fault,
    }
}

impl VrrpEngine {
    fn read(&self, index: usize) -> Option<Status> {
        let st = self.status.as_ref()?.lock().ok()?;
        st.get(index).copied()
    }
}

impl Engine for VrrpEngine {
    fn name(&self) -> &'static str {
        "vrrp"
    }

    fn start(&mut self, ctx: &Context<'_>) -> Result<(), EngineError> {
        let site = ctx.site;
        let host = LinuxHost::open().map_err(|e| format!("netlink: {e}"))?;
        let resume = from_json(ctx.handoff);
        let mut extras = Extras::default();
        match Runner::new(&site.global) {
            Ok(runner) => {
                for f in runner.startup_check(site) {
                    if runner.secure() {
                        error!("{f}");
                    } else {
                        warn!("{f}");
                    }
                }
                let tracked = !site.scripts.is_empty()
                    || !site.track_files.is_empty()
                    || !site.track_processes.is_empty();
                if tracked {
                    let (tx, rx) = std::sync::mpsc::sync_channel(256);
                    let (t, initial) = Trackers::start(site, &runner, tx)
                        .map_err(|e| format!("starting the trackers: {e}"))?;
                    self.trackers = Some(t);
                    extras.track = Some((rx, initial));
                }
                let fifos =
                    notify::open_fifos(&site.global, &runner, [None, None]);
                extras.notifier =
                    Some(Notifier::start(site, runner, fifos).map_err(
                        |e| format!("starting the notify worker: {e}"),
                    )?);
            }
            // e.g. `script_user` names no user: nothing can run.
            Err(e) => error!("scripts disabled: {e}"),
        }
        let handle = engine::spawn(site, host, resume, extras)
            .map_err(|e| format!("starting the VRRP thread: {e}"))?;
        self.status = Some(handle.status());
        // The IPVS side follows instances' states (lvs_sync_daemon).
        let _ = VRRP_STATUS.set(handle.status());
        self.handle = Some(handle);
        self.site = Some(ctx.site);
        Ok(())
    }

    /// The instances' states for the next image, which resumes them: a
    /// master stays master through an upgrade (no election, its
    /// addresses stay, no priority 0). This engine keeps running until
    /// the exec replaces it.
    fn handoff(&mut self) -> Option<serde_json::Value> {
        let (h, site) = (self.handle.as_ref()?, self.site?);
        Some(to_json(&h.snapshot(site)))
    }

    fn stop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.stop();
        }
        if let Some(t) = self.trackers.take() {
            t.stop();
        }
    }

    fn healthy(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_running())
    }

    fn instance_status(&self, index: usize) -> Option<InstanceStatus> {
        let s = self.read(index)?;
        Some(InstanceStatus {
            state: state(s.state),
            wantstate: state(s.state),
            effective_priority: s.priority,
            master_priority: s.master_priority,
            last_transition: s.last_transition,
            vipset: s.vips_set,
        })
    }

    fn instance_stats(&self, index: usize) -> Option<VrrpStats> {
        let s = self.read(index)?;
        let c = s.counters;
        Some(VrrpStats {
            advert_rcvd: c.accepted,
            advert_sent: s.adverts_sent,
            become_master: s.become_master,
            release_master: s.release_master,
            packet_len_err: c.dropped(Drop::Length),
            ip_ttl_err: c.dropped(Drop::Ttl),
            invalid_type_rcvd: c.dropped(Drop::Type),
            advert_interval_err: c.dropped(Drop::Interval),
            addr_list_err: c.addr_list_err,
            invalid_authtype: c.dropped(Drop::Malformed),
            authtype_mismatch: c.dropped(Drop::AuthType),
            auth_failure: c.dropped(Drop::AuthFailure),
            pri_zero_rcvd: c.pri_zero_rcvd,
            pri_zero_sent: s.pri_zero_sent,
            version_err: c.dropped(Drop::Version),
            checksum_err: c.dropped(Drop::Checksum),
            own_packet: c.dropped(Drop::OwnPacket),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handoff_round_trips_and_ignores_junk() {
        let states = vec![
            Resumed {
                name: "VI_1".into(),
                vrid: 51,
                state: State::Master,
                addresses: vec![("192.0.2.1/32".into(), "eth0".into())],
            },
            Resumed {
                name: "VI_2".into(),
                vrid: 52,
                state: State::Backup,
                addresses: Vec::new(),
            },
        ];
        let v = to_json(&states);
        assert_eq!(from_json(Some(&v)), states);
        let junk = serde_json::json!([{"name": "x"}, {"name": "y", "vrid": 300, "state": "MASTER"}, 5]);
        assert!(from_json(Some(&junk)).is_empty());
        assert!(from_json(None).is_empty());
    }
}
