//! Site-specific systemd drop-ins for kacd.service.
//!
//! The unit in appliance/pkg gives kacd only what every site needs. Some
//! keepalived.conf settings need more: scripts that run as a user other
//! than root need kacd to switch users, and scheduling settings need
//! realtime priority and memory locking. kac build adds a drop-in for
//! each, so only the sites that use them pay with a wider sandbox.

use kac_compiler::Config;

/// One drop-in file: its name under kacd.service.d/ and its text.
pub struct DropIn {
    pub name: &'static str,
    pub text: &'static str,
}

const SCRIPT_USER: DropIn = DropIn {
    name: "script-user.conf",
    text: "\
# Added by kac build: this site runs scripts as a user other than root
# (script_user, or a script's own user; without script_user keepalived
# looks for the user keepalived_script), so kacd switches users before
# it runs them.
[Service]
CapabilityBoundingSet=CAP_SETUID CAP_SETGID
SystemCallFilter=@setuid
",
};

const SCHEDULING: DropIn = DropIn {
    name: "scheduling.conf",
    text: "\
# Added by kac build: this site sets process scheduling
# (vrrp_/checker_/bfd_ priority, rt_priority, no_swap or rlimit_rttime),
# which needs realtime scheduling, nice values and locked memory.
[Service]
CapabilityBoundingSet=CAP_SYS_NICE CAP_IPC_LOCK
RestrictRealtime=no
SystemCallFilter=@resources @memlock
",
};

/// The drop-ins `config` needs.
pub fn for_config(config: &Config) -> Vec<DropIn> {
    let mut out = Vec::new();
    if runs_scripts_as_other_user(config) {
        out.push(SCRIPT_USER);
    }
    if sets_scheduling(config) {
        out.push(SCHEDULING);
    }
    out
}

/// Whether some script may run as a user other than root. A script's own
/// user is not visible from here, so naming one counts as another user;
/// without script_user keepalived picks keepalived_script when that user
/// exists on the host, so that counts too.
fn runs_scripts_as_other_user(config: &Config) -> bool {
    let default_user =
        config.global.script_user.as_ref().map(|u| u.user.as_str());
    config.commands().iter().any(|(cmd, own_user)| {
        let user = match &cmd.run_as {
            Some(r) => Some(r.user.as_str()),
            None if *own_user => None,
            None => default_user,
        };
        user != Some("root")
    })
}

fn sets_scheduling(config: &Config) -> bool {
    let g = &config.global;
    [&g.vrrp_process, &g.checker_process, &g.bfd_process]
        .iter()
        .any(|p| {
            p.priority.is_some()
                || p.rt_priority.is_some()
                || p.no_swap.is_some()
                || p.rlimit_rttime.is_some()
        })
}
