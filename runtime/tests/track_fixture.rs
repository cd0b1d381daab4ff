//! Hand-built site tables for the tracker, script and notify tests
//! (included by them with `#[path]`; no tests of its own).

#![allow(dead_code, clippy::unwrap_used, clippy::field_reassign_with_default)]

use std::time::Duration;

use kac_runtime::site::track::{
    ParamMatch, TrackFile, TrackProcess, VrrpScript,
};
use kac_runtime::site::vrrp::{
    Auth, Garp, InitialState, Instance, Notify, SyncGroup, TrackInterface,
    TrackRef,
};
use kac_runtime::site::{
    AdvertInterval, Command, Global, IfName, Interval, Priority, Site, Vrid,
    VrrpVersion, Weight,
};

pub fn leak<T>(v: Vec<T>) -> &'static [T] {
    Box::leak(v.into_boxed_slice())
}

pub fn s(v: &str) -> &'static str {
    Box::leak(v.to_string().into_boxed_str())
}

pub fn cmd(argv: &[&str]) -> Command {
    Command::new(leak(argv.iter().map(|a| s(a)).collect()))
}

pub fn instance(name: &str, iface: &str, prio: u8) -> Instance {
    Instance {
        name: s(name),
        interface: IfName::new(s(iface)),
        vrid: Vrid::new(51),
        ipv6: false,
        version: VrrpVersion::V2,
        priority: Priority::new(prio),
        initial: InitialState::Backup,
        advert_interval: AdvertInterval::new(VrrpVersion::V2, 100),
        auth: Auth::None,
        preempt: true,
        preempt_delay: None,
        accept: false,
        strict: false,
        addresses: &[],
        excluded_addresses: &[],
        routes: &[],
        rules: &[],
        src_ip: None,
        mcast_dst: None,
        unicast_peers: &[],
        unicast_ttl: None,
        track_interfaces: &[],
        track_scripts: &[],
        track_files: &[],
        track_processes: &[],
        dont_track_primary: false,
        garp: Garp::KEEPALIVED,
        notify: Notify::default(),
        use_vmac: None,
        vmac_xmit_base: false,
        native_ipv6: false,
        skip_check_adv_addr: false,
        lower_prio_no_advert: false,
        higher_prio_send_advert: false,
        down_timer_adverts: 3,
        linkbeat_use_polling: false,
        old_unicast_checksum: false,
    }
}

pub fn group(name: &str, members: &[usize]) -> SyncGroup {
    SyncGroup {
        name: s(name),
        members: leak(members.to_vec()),
        track_interfaces: &[],
        track_scripts: &[],
        track_files: &[],
        track_processes: &[],
        notify: Notify::default(),
        tracking_weight: false,
    }
}

pub fn tref(index: usize, weight: i32, reverse: bool) -> TrackRef {
    TrackRef {
        index,
        weight: Weight::new(weight),
        reverse,
    }
}

pub fn tif(name: &str, weight: i32, reverse: bool) -> TrackInterface {
    TrackInterface {
        interface: IfName::new(s(name)),
        weight: Weight::new(weight),
        reverse,
    }
}

pub fn script(name: &str, argv: &[&str]) -> VrrpScript {
    VrrpScript {
        name: s(name),
        command: cmd(argv),
        interval: Interval::from_micros(1_000_000),
        timeout: Duration::from_secs(1),
        weight: Weight::ZERO,
        reverse: false,
        rise: 1,
        fall: 1,
        init_fail: false,
    }
}

pub fn track_file(name: &str, path: &str) -> TrackFile {
    TrackFile {
        name: s(name),
        path: s(path),
        weight: Weight::new(1),
        reverse: false,
        init_value: None,
        init_overwrite: false,
    }
}

pub fn track_process(name: &str, process: &[&str]) -> TrackProcess {
    TrackProcess {
        name: s(name),
        process: leak(process.iter().map(|a| s(a)).collect()),
        param_match: ParamMatch::Exact,
        weight: Weight::ZERO,
        reverse: false,
        quorum: 1,
        quorum_max: None,
        fork_delay: None,
        terminate_delay: None,
        full_command: false,
    }
}

pub fn global() -> Global {
    Global::KEEPALIVED
}

#[derive(Default)]
pub struct SiteBuilder {
    pub scripts: Vec<VrrpScript>,
    pub track_files: Vec<TrackFile>,
    pub track_processes: Vec<TrackProcess>,
    pub instances: Vec<Instance>,
    pub sync_groups: Vec<SyncGroup>,
}

impl SiteBuilder {
    pub fn build(self, global: Global) -> &'static Site {
        Box::leak(Box::new(Site {
            name: "test",
            config_path: "test.conf",
            config_sha256: "",
            config_files: 1,
            dump: "",
            global,
            scripts: leak(self.scripts),
            track_files: leak(self.track_files),
            track_processes: leak(self.track_processes),
            instances: leak(self.instances),
            sync_groups: leak(self.sync_groups),
            static_addresses: &[],
            static_routes: &[],
            static_rules: &[],
            virtual_servers: &[],
        }))
    }
}

/// Poll `f` every 10 ms until it returns `Some`, or panic after `limit`.
pub fn wait_for<T>(
    limit: Duration,
    what: &str,
    mut f: impl FnMut() -> Option<T>,
) -> T {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        if std::time::Instant::now() > deadline {
            panic!("timed out after {limit:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A fresh directory under the temp dir, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "kac-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        std::fs::set_permissions(
            &p,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        TempDir(p)
    }

    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }

    pub fn p(&self, name: &str) -> &'static str {
        s(self.path(name).to_str().unwrap())
    }

    /// Write an executable shell script.
    pub fn script(&self, name: &str, body: &str) -> &'static str {
        let p = self.path(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(
            &p,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        s(p.to_str().unwrap())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn is_root() -> bool {
    nix_uid() == 0
}

fn nix_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(u32::MAX)
}

/// Whether /proc/PID exists and is not a zombie.
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => s
            .rsplit(')')
            .next()
            .is_some_and(|r| !r.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}
