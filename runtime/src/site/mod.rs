//! The site tables: what kacd runs, compiled from keepalived.conf by
//! `kac_compiler::codegen` and included by `src/main.rs` as
//! `static SITE: Site`. Everything here is `'static`, `Copy` where it can
//! be, and built in `const` context (see [`types`]).
//!
//! The tables hold resolved values (keepalived's defaults applied,
//! references between objects turned into indices), so the engines never
//! look anything up by name. The config as written travels beside them as
//! its canonical text ([`Site::dump`]), for `kacd --dump-config`.

pub mod addr;
pub mod lvs;
pub mod track;
pub mod types;
pub mod vrrp;

pub use types::*;

/// One compiled site.
#[derive(Debug)]
pub struct Site {
    /// The site name (`kac build --site`, else the config's directory).
    pub name: &'static str,
    /// The config file as given to the build (relative to the workspace
    /// when it is inside it, so the binary does not depend on where it
    /// was built).
    pub config_path: &'static str,
    /// SHA-256 (hex) over the bytes of every file the config read, in the
    /// order read: for a config without includes, `sha256sum` of the file.
    pub config_sha256: &'static str,
    /// How many files that was (1: no includes).
    pub config_files: usize,
    /// `kac dump` of the config: canonical keepalived.conf.
    pub dump: &'static str,
    pub global: Global,
    pub scripts: &'static [track::VrrpScript],
    pub track_files: &'static [track::TrackFile],
    pub track_processes: &'static [track::TrackProcess],
    pub instances: &'static [vrrp::Instance],
    pub sync_groups: &'static [vrrp::SyncGroup],
    pub static_addresses: &'static [addr::Address],
    pub static_routes: &'static [addr::Route],
    pub static_rules: &'static [addr::Rule],
    pub virtual_servers: &'static [lvs::VirtualServer],
}

impl Site {
    /// Every interface the tables name (instances, addresses, routes,
    /// tracked interfaces), each once, in first-use order.
    pub fn interfaces(&self) -> Vec<IfName> {
        let mut out: Vec<IfName> = Vec::new();
        let mut add = |n: IfName| {
            if !out.contains(&n) {
                out.push(n);
            }
        };
        for i in self.instances {
            add(i.interface);
            for t in i.track_interfaces {
                add(t.interface);
            }
            for a in i.addresses.iter().chain(i.excluded_addresses) {
                if let Some(d) = a.dev {
                    add(d);
                }
            }
        }
        for a in self.static_addresses {
            if let Some(d) = a.dev {
                add(d);
            }
        }
        out
    }

    /// Whether the site programs IPVS.
    pub fn uses_ipvs(&self) -> bool {
        !self.virtual_servers.is_empty()
    }
}

impl Site {
    /// A site with nothing in it (keepalived's defaults), for tests to
    /// build on with `Site { instances: .., ..Site::EMPTY }`.
    pub const EMPTY: Site = Site {
        name: "empty",
        config_path: "",
        config_sha256: "",
        config_files: 1,
        dump: "",
        global: Global::KEEPALIVED,
        scripts: &[],
        track_files: &[],
        track_processes: &[],
        instances: &[],
        sync_groups: &[],
        static_addresses: &[],
        static_routes: &[],
        static_rules: &[],
        virtual_servers: &[],
    };
}

impl Global {
    /// An empty `global_defs`: keepalived's defaults.
    pub const KEEPALIVED: Global = Global {
        router_id: None,
        script_user: None,
        enable_script_security: false,
        instance: None,
        use_pid_dir: false,
        vrrp_strict: false,
        vrrp_mcast_group4: core::net::Ipv4Addr::new(224, 0, 0, 18),
        vrrp_mcast_group6: core::net::Ipv6Addr::new(
            0xff02, 0, 0, 0, 0, 0, 0, 0x12,
        ),
        vrrp_startup_delay: None,
        notify_fifo: None,
        vrrp_notify_fifo: None,
        lvs_notify_fifo: None,
        startup_script: None,
        shutdown_script: None,
        lvs: lvs::LvsGlobals::NONE,
    };
}

/// Settings from `global_defs` the runtime uses, with keepalived's
/// defaults applied.
#[derive(Debug)]
pub struct Global {
    /// `router_id`; keepalived uses the host name when it is not set.
    pub router_id: Option<&'static str>,
    /// `script_user USER [GROUP]`; keepalived's default is
    /// `keepalived_script`, falling back to root.
    pub script_user: Option<(&'static str, Option<&'static str>)>,
    pub enable_script_security: bool,
    /// `instance NAME`: keepalived's default file names gain `_NAME`.
    pub instance: Option<&'static str>,
    /// `use_pid_dir`: pid files under `/run/keepalived/`.
    pub use_pid_dir: bool,
    pub vrrp_strict: bool,
    pub vrrp_mcast_group4: core::net::Ipv4Addr,
    pub vrrp_mcast_group6: core::net::Ipv6Addr,
    pub vrrp_startup_delay: Option<core::time::Duration>,
    pub notify_fifo: Option<&'static str>,
    pub vrrp_notify_fifo: Option<&'static str>,
    pub lvs_notify_fifo: Option<&'static str>,
    pub startup_script: Option<Command>,
    pub shutdown_script: Option<Command>,
    /// `lvs_timeouts`, `lvs_flush`, `lvs_sync_daemon`.
    pub lvs: lvs::LvsGlobals,
}
