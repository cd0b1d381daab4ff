//! The typed IR: what a keepalived.conf says, with every value parsed and
//! checked. Each area of the language owns a module and a part of
//! [`Config`]; every named object has a `name: Sp<String>`.
//!
//! Equality ignores spans (see [`value::Sp`]): two files that configure
//! the same thing lower to equal `Config`s.

pub mod addr;
pub mod global;
pub mod lvs;
pub mod track;
pub mod value;
pub mod vrrp;

/// A whole configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// `global_defs`, plus top-level settings (`net_namespace`, `SSL`,
    /// `linkbeat_interfaces`, `interface_up_down_delays`, ...).
    pub global: global::Global,
    /// `vrrp_script`, `track_file`, `vrrp_track_process`, `bfd_instance`.
    pub track: track::Trackers,
    /// `static_ipaddress`, `static_routes`, `static_rules`,
    /// `track_group`, `garp_group`.
    pub statics: addr::Statics,
    /// `vrrp_instance`, `vrrp_sync_group`.
    pub vrrp: vrrp::Vrrp,
    /// `virtual_server_group`, `virtual_server`.
    pub lvs: lvs::Lvs,
}

use value::{Command, Sp};

impl Config {
    /// Every script the config would run as root unless told otherwise:
    /// each entry is the command and whether it names its own user.
    /// (vrrp_script `user`, MISC_CHECK `user` and `SCRIPT user [group]`
    /// count as naming one.)
    pub fn commands(&self) -> Vec<(&Sp<Command>, bool)> {
        fn add<'a>(
            out: &mut Vec<(&'a Sp<Command>, bool)>,
            c: &'a Option<Sp<Command>>,
            own_user: bool,
        ) {
            if let Some(c) = c {
                out.push((c, own_user || c.run_as.is_some()));
            }
        }
        let mut out: Vec<(&Sp<Command>, bool)> = Vec::new();
        let g = &self.global;
        add(&mut out, &g.startup_script, false);
        add(&mut out, &g.shutdown_script, false);
        for f in [&g.notify_fifo, &g.vrrp_notify_fifo, &g.lvs_notify_fifo] {
            add(&mut out, &f.script, false);
        }
        for s in &self.track.vrrp_scripts {
            add(&mut out, &s.script, s.user.is_some());
        }
        let notifies = self
            .vrrp
            .instances
            .iter()
            .map(|i| &i.notify)
            .chain(self.vrrp.sync_groups.iter().map(|g| &g.notify));
        for n in notifies {
            for c in [&n.master, &n.backup, &n.fault, &n.stop, &n.notify] {
                add(&mut out, c, false);
            }
            add(&mut out, &n.master_rx_lower_pri, false);
        }
        for vs in &self.lvs.servers {
            add(&mut out, &vs.quorum_up, false);
            add(&mut out, &vs.quorum_down, false);
            for rs in &vs.real_servers {
                add(&mut out, &rs.notify_up, false);
                add(&mut out, &rs.notify_down, false);
                for ch in &rs.checkers {
                    if let lvs::CheckDetail::Misc(m) = &ch.detail {
                        add(&mut out, &m.path, m.user.is_some());
                    }
                }
            }
        }
        out
    }
}

impl lvs::VirtualServer {
    /// Gives back the spare capacity of its vectors. A real server has one
    /// or two checkers, but a vector grows to 4 at its first push.
    pub fn shrink_to_fit(&mut self) {
        self.real_servers.shrink_to_fit();
        for rs in &mut self.real_servers {
            rs.checkers.shrink_to_fit();
        }
    }
}
