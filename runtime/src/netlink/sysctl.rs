//! The sysctls that go with a VMAC (keepalived's vrrp_if_config.c, as
//! measured against keepalived 2.2.7 in tests/routes/run.sh), written
//! under /proc/sys and put back at stop:
//!
//! - on an IPv4 VMAC: `arp_ignore=1` (answer ARP only for its own
//!   addresses), `accept_local=1` (take back the adverts the parent sends
//!   with the VMAC's addresses), `promote_secondaries=1`, `rp_filter=0`,
//!   and IPv6 off (`disable_ipv6=1`);
//! - on the parent of an IPv4 VMAC: `arp_ignore=1` and `arp_filter=1`,
//!   so that the parent does not answer ARP for the VMAC's addresses
//!   (keepalived 2.2.7 leaves these set after it stops; kac restores
//!   them);
//! - `all/rp_filter` (which the kernel takes as a floor for every
//!   interface) set to 0 when it is not, after raising each interface's
//!   own `rp_filter` to its value, so that only the VMAC loses reverse
//!   path filtering.
//!
//! An IPv6 VMAC needs none (its address generation is turned off when
//! it is created, [`super::link`]).

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Where the kernel shows the sysctls.
pub const PROC_SYS: &str = "/proc/sys";

/// A sysctl that could not be read or written.
#[derive(Debug)]
pub struct SysctlError {
    pub path: PathBuf,
    pub write: Option<String>,
    pub error: io::Error,
}

impl fmt::Display for SysctlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.write {
            Some(v) => write!(
                f,
                "writing {v} to {}: {}",
                self.path.display(),
                self.error
            ),
            None => {
                write!(f, "reading {}: {}", self.path.display(), self.error)
            }
        }
    }
}

impl std::error::Error for SysctlError {}

/// The values a VMAC changed, to put back.
#[derive(Debug, Default)]
pub struct VmacSettings {
    root: PathBuf,
    /// (path, value before), in the order written.
    saved: Vec<(PathBuf, String)>,
}

impl VmacSettings {
    /// Sets the sysctls of VMAC `vmac` on interface `parent` (IPv6 VMACs
    /// need none) under [`PROC_SYS`].
    pub fn apply(
        vmac: &str,
        parent: &str,
        ipv6: bool,
    ) -> Result<VmacSettings, SysctlError> {
        VmacSettings::apply_in(Path::new(PROC_SYS), vmac, parent, ipv6)
    }

    /// As [`Self::apply`], under `root` instead of /proc/sys (tests).
    /// On an error the values already written are put back.
    pub fn apply_in(
        root: &Path,
        vmac: &str,
        parent: &str,
        ipv6: bool,
    ) -> Result<VmacSettings, SysctlError> {
        let mut s = VmacSettings {
            root: root.to_path_buf(),
            saved: Vec::new(),
        };
        if ipv6 {
            return Ok(s);
        }
        match s.apply_v4(vmac, parent) {
            Ok(()) => Ok(s),
            Err(e) => {
                let _ = s.restore();
                Err(e)
            }
        }
    }

    fn apply_v4(
        &mut self,
        vmac: &str,
        parent: &str,
    ) -> Result<(), SysctlError> {
        let v4 = |dev: &str, key: &str| format!("net/ipv4/conf/{dev}/{key}");
        self.rp_filter_floor_off()?;
        for (key, value) in [
            ("arp_ignore", "1"),
            ("accept_local", "1"),
            ("promote_secondaries", "1"),
            ("rp_filter", "0"),
        ] {
            self.set(&v4(vmac, key), value)?;
        }
        // IPv6 may be absent from the kernel (ipv6.disable=1).
        let v6 = format!("net/ipv6/conf/{vmac}/disable_ipv6");
        if self.root.join(&v6).exists() {
            self.set(&v6, "1")?;
        }
        self.set(&v4(parent, "arp_ignore"), "1")?;
        self.set(&v4(parent, "arp_filter"), "1")
    }

    /// `all/rp_filter` to 0, each interface keeping the filtering it had.
    fn rp_filter_floor_off(&mut self) -> Result<(), SysctlError> {
        let all = "net/ipv4/conf/all/rp_filter";
        let floor: u32 = self.get(all)?.trim().parse().unwrap_or(0);
        if floor == 0 {
            return Ok(());
        }
        let conf = self.root.join("net/ipv4/conf");
        let dirs = fs::read_dir(&conf).map_err(|error| SysctlError {
            path: conf.clone(),
            write: None,
            error,
        })?;
        let mut devs: Vec<String> = dirs
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|d| d != "all")
            .collect();
        devs.sort();
        for dev in devs {
            let key = format!("net/ipv4/conf/{dev}/rp_filter");
            let own: u32 = match self.get(&key) {
                Ok(v) => v.trim().parse().unwrap_or(0),
                // An interface that went away meanwhile.
                Err(_) => continue,
            };
            if own < floor {
                self.set(&key, &floor.to_string())?;
            }
        }
        self.set(all, "0")
    }

    fn get(&self, key: &str) -> Result<String, SysctlError> {
        let path = self.root.join(key);
        fs::read_to_string(&path).map_err(|error| SysctlError {
            path,
            write: None,
            error,
        })
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), SysctlError> {
        let old = self.get(key)?;
        let path = self.root.join(key);
        if old.trim() == value {
            return Ok(());
        }
        fs::write(&path, value).map_err(|error| SysctlError {
            path: path.clone(),
            write: Some(value.to_owned()),
            error,
        })?;
        self.saved.push((path, old.trim().to_owned()));
        Ok(())
    }

    /// What was changed: (path, value before).
    pub fn saved(&self) -> &[(PathBuf, String)] {
        &self.saved
    }

    /// Puts every value back, last written first (so that settings of
    /// several VMACs on one parent, restored in the reverse order of
    /// their application, end as they began). Values of an interface
    /// that is gone (the VMAC, deleted) are skipped. Every value is
    /// tried; the first error is returned.
    pub fn restore(mut self) -> Result<(), SysctlError> {
        let mut first = None;
        while let Some((path, old)) = self.saved.pop() {
            let dir_gone = path.parent().is_some_and(|d| !d.exists());
            if dir_gone {
                continue;
            }
            if let Err(error) = fs::write(&path, &old) {
                first.get_or_insert(SysctlError {
                    path,
                    write: Some(old),
                    error,
                });
            }
        }
        match first {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake /proc/sys with `devs` under ipv4/conf and ipv6/conf.
    fn tree(devs: &[&str], all_rp: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!(
            "kac-sysctl-{}-{}",
            std::process::id(),
            devs.join("-")
        ));
        let _ = fs::remove_dir_all(&root);
        for dev in devs.iter().chain(&["all", "default"]) {
            let d4 = root.join("net/ipv4/conf").join(dev);
            fs::create_dir_all(&d4).unwrap();
            for key in [
                "arp_ignore",
                "arp_filter",
                "accept_local",
                "promote_secondaries",
                "rp_filter",
            ] {
                fs::write(d4.join(key), "0\n").unwrap();
            }
            let d6 = root.join("net/ipv6/conf").join(dev);
            fs::create_dir_all(&d6).unwrap();
            fs::write(d6.join("disable_ipv6"), "0\n").unwrap();
        }
        fs::write(root.join("net/ipv4/conf/all/rp_filter"), all_rp).unwrap();
        if devs.contains(&"lo") {
            fs::write(root.join("net/ipv4/conf/lo/rp_filter"), "2\n").unwrap();
        }
        root
    }

    fn read(root: &Path, key: &str) -> String {
        fs::read_to_string(root.join(key))
            .unwrap()
            .trim()
            .to_owned()
    }

    #[test]
    fn ipv4_vmac_and_restore() {
        let root = tree(&["eth0", "vrrp.51", "lo"], "1\n");
        let s =
            VmacSettings::apply_in(&root, "vrrp.51", "eth0", false).unwrap();
        for (key, want) in [
            ("net/ipv4/conf/vrrp.51/arp_ignore", "1"),
            ("net/ipv4/conf/vrrp.51/accept_local", "1"),
            ("net/ipv4/conf/vrrp.51/promote_secondaries", "1"),
            ("net/ipv4/conf/vrrp.51/rp_filter", "0"),
            ("net/ipv6/conf/vrrp.51/disable_ipv6", "1"),
            ("net/ipv4/conf/eth0/arp_ignore", "1"),
            ("net/ipv4/conf/eth0/arp_filter", "1"),
            ("net/ipv4/conf/all/rp_filter", "0"),
            // Raised to the old floor; lo kept its stricter 2.
            ("net/ipv4/conf/eth0/rp_filter", "1"),
            ("net/ipv4/conf/default/rp_filter", "1"),
            ("net/ipv4/conf/lo/rp_filter", "2"),
        ] {
            assert_eq!(read(&root, key), want, "{key}");
        }
        // The VMAC is deleted before the restore.
        fs::remove_dir_all(root.join("net/ipv4/conf/vrrp.51")).unwrap();
        fs::remove_dir_all(root.join("net/ipv6/conf/vrrp.51")).unwrap();
        s.restore().unwrap();
        for key in [
            "net/ipv4/conf/eth0/arp_ignore",
            "net/ipv4/conf/eth0/arp_filter",
            "net/ipv4/conf/eth0/rp_filter",
            "net/ipv4/conf/default/rp_filter",
        ] {
            assert_eq!(read(&root, key), "0", "{key}");
        }
        assert_eq!(read(&root, "net/ipv4/conf/all/rp_filter"), "1");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn ipv6_vmac_changes_nothing_and_errors_name_the_file() {
        let root = tree(&["eth1", "vrrp.52"], "0\n");
        let s = VmacSettings::apply_in(&root, "vrrp.52", "eth1", true).unwrap();
        assert!(s.saved().is_empty());
        let e =
            VmacSettings::apply_in(&root, "nosuch", "eth1", false).unwrap_err();
        assert!(
            e.to_string().contains("net/ipv4/conf/nosuch/arp_ignore"),
            "{e}"
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
