//! Scripts the tables run: the program exists and is executable, and with
//! `enable_script_security` no one but root can change it or a directory
//! above it (keepalived refuses such scripts when they run as root).

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use kac_runtime::site::{Command, Site};

use super::Report;
use crate::cli::Halves;

/// Every command of the halves that run, with what it is.
pub fn commands(site: &Site, halves: Halves) -> Vec<(String, Command)> {
    let mut out = Vec::new();
    let g = &site.global;
    for (what, c) in [
        ("startup_script", g.startup_script),
        ("shutdown_script", g.shutdown_script),
    ] {
        if let Some(c) = c {
            out.push((what.to_string(), c));
        }
    }
    if halves.vrrp {
        for s in site.scripts {
            out.push((format!("vrrp_script {}", s.name), s.command));
        }
        let notifies =
            site.instances
                .iter()
                .map(|i| (format!("vrrp_instance {}", i.name), &i.notify))
                .chain(site.sync_groups.iter().map(|g| {
                    (format!("vrrp_sync_group {}", g.name), &g.notify)
                }));
        for (owner, n) in notifies {
            for c in [
                n.master,
                n.backup,
                n.fault,
                n.stop,
                n.notify,
                n.master_rx_lower_pri,
            ]
            .into_iter()
            .flatten()
            {
                out.push((format!("notify script of {owner}"), c));
            }
        }
    }
    if halves.check {
        use kac_runtime::site::lvs::Check;
        for vs in site.virtual_servers {
            let name = crate::describe::service(&vs.service);
            for c in [vs.quorum_up, vs.quorum_down].into_iter().flatten() {
                out.push((
                    format!("quorum script of virtual server {name}"),
                    c,
                ));
            }
            for rs in vs.real_servers {
                for c in [rs.notify_up, rs.notify_down].into_iter().flatten() {
                    out.push((
                        format!("notify script of real server {}", rs.addr),
                        c,
                    ));
                }
                for ch in rs.checkers {
                    if let Check::Misc { command, .. } = ch.check {
                        out.push((
                            format!("MISC_CHECK of real server {}", rs.addr),
                            command,
                        ));
                    }
                }
            }
        }
    }
    out
}

/// Finds a program as the kernel's execve would, or on `PATH` when it has
/// no slash (as keepalived does).
pub fn resolve(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Some(PathBuf::from(program));
    }
    let path = std::env::var_os("PATH")
        .unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// The first file or directory on the way to `path` that someone other
/// than root could change, if any.
pub fn unsafe_component(path: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(path).ok()?;
    real.ancestors()
        .filter_map(|p| std::fs::metadata(p).ok().map(|m| (p, m)))
        .find(|(_, m)| {
            let mode = m.permissions().mode();
            let sticky_dir = m.is_dir() && mode & 0o1000 != 0;
            m.uid() != 0
                || (mode & 0o020 != 0 && m.gid() != 0 && !sticky_dir)
                || (mode & 0o002 != 0 && !sticky_dir)
        })
        .map(|(p, _)| p.to_path_buf())
}

/// Whether `c` runs as root: its own user, else the global script_user,
/// else keepalived's default (keepalived_script when that user exists).
fn runs_as_root(site: &Site, c: &Command) -> bool {
    let user = c.user.or(site.global.script_user.map(|(u, _)| u));
    match user {
        Some(u) => u == "root",
        None => !user_exists("keepalived_script"),
    }
}

fn user_exists(name: &str) -> bool {
    std::fs::read_to_string("/etc/passwd")
        .map(|s| s.lines().any(|l| l.split(':').next() == Some(name)))
        .unwrap_or(false)
}

pub fn check(site: &Site, halves: Halves, r: &mut Report) {
    for (what, c) in commands(site, halves) {
        let program = c.program();
        let Some(path) = resolve(program) else {
            r.warn(format!("{what}: {program} is not found on PATH"));
            continue;
        };
        let meta = std::fs::metadata(&path);
        match meta {
            Err(e) => {
                r.warn(format!("{what}: {}: {e}", path.display()));
                continue;
            }
            Ok(m) if !m.is_file() || m.permissions().mode() & 0o111 == 0 => {
                r.warn(format!(
                    "{what}: {} is not an executable file",
                    path.display()
                ));
                continue;
            }
            Ok(_) => {}
        }
        if site.global.enable_script_security && runs_as_root(site, &c) {
            if let Some(p) = unsafe_component(&path) {
                r.fail(format!(
                    "{what}: {} runs as root but {} can be changed by a user \
                     other than root (enable_script_security refuses it)",
                    path.display(),
                    p.display()
                ));
                continue;
            }
        }
        r.ok(format!("{what}: {} is executable", path.display()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testsite;

    const BOTH: Halves = Halves {
        vrrp: true,
        check: true,
    };

    #[test]
    fn default_site_scripts() {
        let cmds = commands(testsite::site(), BOTH);
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].0, "vrrp_script chk_service");
        let none = commands(
            testsite::site(),
            Halves {
                vrrp: false,
                check: true,
            },
        );
        assert!(none.is_empty());
        let mut r = Report::default();
        check(testsite::site(), BOTH, &mut r);
        // /usr/bin/test is root's on Debian.
        assert_eq!(
            r.findings[0].to_string(),
            "OK   vrrp_script chk_service: /usr/bin/test is executable"
        );
    }

    #[test]
    fn resolution_and_safety() {
        assert_eq!(resolve("sh").map(|p| p.is_file()), Some(true));
        assert_eq!(resolve("kacd-no-such-program"), None);
        assert_eq!(unsafe_component(Path::new("/usr/bin/test")), None);
        let d = std::env::temp_dir()
            .join(format!("kacd-scripts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        let f = d.join("notify.sh");
        std::fs::write(&f, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777))
            .unwrap();
        assert_eq!(
            unsafe_component(&f),
            Some(std::fs::canonicalize(&d).unwrap())
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
}
