//! `kacd --preflight`: does this host fit this binary? One line per
//! finding (OK, WARN, FAIL); exit 1 when anything FAILs. The checks are
//! a pure function of the tables and a [`host::Host`] snapshot, so they
//! are tested with made-up hosts; reading the real host is in [`host`].

pub mod host;
pub mod scripts;

use std::fmt;
use std::net::IpAddr;
use std::path::Path;

use kac_runtime::site::{IfName, Site};

use crate::cli::Halves;
use crate::describe;
use host::{Host, Ipvs};

const CAP_NET_ADMIN: u32 = 12;
const CAP_NET_RAW: u32 = 13;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

impl Level {
    fn word(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    pub text: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<4} {}", self.level.word(), self.text)
    }
}

/// Collects findings.
#[derive(Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    fn push(&mut self, level: Level, text: impl Into<String>) {
        self.findings.push(Finding {
            level,
            text: text.into(),
        });
    }
    pub fn ok(&mut self, t: impl Into<String>) {
        self.push(Level::Ok, t)
    }
    pub fn warn(&mut self, t: impl Into<String>) {
        self.push(Level::Warn, t)
    }
    pub fn fail(&mut self, t: impl Into<String>) {
        self.push(Level::Fail, t)
    }

    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    pub fn failed(&self) -> bool {
        self.count(Level::Fail) > 0
    }

    /// The report as printed: findings, then a summary line.
    pub fn render(&self) -> String {
        let mut s: String =
            self.findings.iter().map(|f| format!("{f}\n")).collect();
        s.push_str(&format!(
            "preflight: {} OK, {} WARN, {} FAIL\n",
            self.count(Level::Ok),
            self.count(Level::Warn),
            self.count(Level::Fail)
        ));
        s
    }
}

/// Every interface the VRRP half uses, with what uses it.
pub fn interface_uses(site: &Site) -> Vec<(IfName, Vec<String>)> {
    let mut out: Vec<(IfName, Vec<String>)> = Vec::new();
    let mut add =
        |n: IfName, why: String| match out.iter_mut().find(|(m, _)| *m == n) {
            Some((_, whys)) => {
                if !whys.contains(&why) {
                    whys.push(why)
                }
            }
            None => out.push((n, vec![why])),
        };
    for i in site.instances {
        add(i.interface, format!("vrrp_instance {}", i.name));
        for t in i.track_interfaces {
            add(t.interface, format!("track_interface of {}", i.name));
        }
        for a in i.addresses.iter().chain(i.excluded_addresses) {
            if let Some(d) = a.dev {
                add(d, format!("addresses of {}", i.name));
            }
        }
        for r in i.routes {
            if let Some(d) = r.dev {
                add(d, format!("routes of {}", i.name));
            }
        }
    }
    for g in site.sync_groups {
        for t in g.track_interfaces {
            add(t.interface, format!("track_interface of group {}", g.name));
        }
    }
    for a in site.static_addresses {
        if let Some(d) = a.dev {
            add(d, "static_ipaddress".to_string());
        }
    }
    for r in site.static_routes {
        if let Some(d) = r.dev {
            add(d, "static_routes".to_string());
        }
    }
    out
}

/// The checks against the host snapshot.
pub fn check_host(site: &Site, halves: Halves, host: &Host, r: &mut Report) {
    if halves.vrrp {
        match &host.links {
            Err(e) => r.fail(format!("cannot list interfaces: {e}")),
            Ok(_) => {
                interfaces(site, host, r);
                sources(site, host, r);
                vips(site, host, r);
            }
        }
    }
    if halves.check && site.uses_ipvs() {
        ipvs(site, host, r);
    }
    capabilities(site, halves, host, r);
}

fn interfaces(site: &Site, host: &Host, r: &mut Report) {
    let multicast_users: Vec<IfName> = site
        .instances
        .iter()
        .filter(|i| i.unicast_peers.is_empty())
        .map(|i| i.interface)
        .collect();
    for (name, uses) in interface_uses(site) {
        let uses = uses.join(", ");
        match host.link(name.as_str()) {
            None => r.fail(format!(
                "interface {name} does not exist (used by {uses})"
            )),
            Some(l) if !l.up => r.warn(format!(
                "interface {name} is down: instances on it start in FAULT \
                 (used by {uses})"
            )),
            Some(l) if !l.lower_up => r.warn(format!(
                "interface {name} is up but has no carrier (used by {uses})"
            )),
            Some(l) => {
                if multicast_users.contains(&name) && !l.multicast {
                    r.warn(format!(
                        "interface {name} does not do multicast, but VRRP \
                         adverts on it are multicast (use unicast_peer)"
                    ));
                } else {
                    r.ok(format!("interface {name} exists and is up"));
                }
            }
        }
    }
}

fn is_link_local6(a: IpAddr) -> bool {
    matches!(a, IpAddr::V6(v) if v.segments()[0] & 0xffc0 == 0xfe80)
}

fn sources(site: &Site, host: &Host, r: &mut Report) {
    for i in site.instances {
        let Some(link) = host.link(i.interface.as_str()) else {
            continue;
        };
        match i.src_ip {
            Some(ip) => {
                let on = host.holders(ip);
                if on.contains(&i.interface.as_str()) {
                    r.ok(format!(
                        "{}: source address {ip} is on {}",
                        i.name, i.interface
                    ));
                } else if on.is_empty() {
                    r.fail(format!(
                        "{}: source address {ip} is not on this host (it \
                         must be on {})",
                        i.name, i.interface
                    ));
                } else {
                    r.fail(format!(
                        "{}: source address {ip} is on {}, not on {}",
                        i.name,
                        on.join(", "),
                        i.interface
                    ));
                }
            }
            None => {
                let vips: Vec<IpAddr> =
                    i.addresses.iter().map(|a| a.prefix.addr()).collect();
                let mut own = host.addresses_of(link.index).filter(|a| {
                    if i.ipv6 {
                        is_link_local6(a.addr)
                    } else {
                        a.addr.is_ipv4() && !vips.contains(&a.addr)
                    }
                });
                match own.next() {
                    Some(a) => r.ok(format!(
                        "{}: adverts will be sent from {} ({}'s address)",
                        i.name, a.addr, i.interface
                    )),
                    None => r.fail(format!(
                        "{}: {} has no {} to send adverts from (add one, or \
                         set unicast_src_ip)",
                        i.name,
                        i.interface,
                        if i.ipv6 {
                            "IPv6 link-local address"
                        } else {
                            "IPv4 address"
                        }
                    )),
                }
            }
        }
    }
}

fn vips(site: &Site, host: &Host, r: &mut Report) {
    for i in site.instances {
        let mut present = 0;
        for a in i.addresses.iter().chain(i.excluded_addresses) {
            let want = describe::address_dev(a, i);
            let ip = a.prefix.addr();
            let on = host.holders(ip);
            if on.is_empty() {
                continue;
            }
            present += 1;
            if on.contains(&want.as_str()) {
                r.warn(format!(
                    "{}: virtual address {ip} is already on {want} (another \
                     VRRP router's, or left by a daemon that did not stop \
                     cleanly)",
                    i.name
                ));
            } else {
                r.warn(format!(
                    "{}: virtual address {ip} is already on {}, not {want} \
                     where kacd will add it",
                    i.name,
                    on.join(", ")
                ));
            }
        }
        let n = i.addresses.len() + i.excluded_addresses.len();
        if present == 0 && n > 0 {
            r.ok(format!(
                "{}: none of its {n} virtual address(es) is on this host yet",
                i.name
            ));
        }
    }
}

fn ipvs(site: &Site, host: &Host, r: &mut Report) {
    let n = site.virtual_servers.len();
    match &host.ipvs {
        Some(Ipvs::Family(id)) => r.ok(format!(
            "IPVS is available (generic netlink family IPVS, id {id})"
        )),
        Some(Ipvs::Builtin) => {
            r.ok("IPVS is built into the kernel (modules.builtin)")
        }
        Some(Ipvs::Module(p)) => r.warn(format!(
            "IPVS is not loaded; the ip_vs module is installed ({}): load it \
             at boot (ip_vs in /etc/modules-load.d/), as kacd runs without \
             CAP_SYS_MODULE",
            p.display()
        )),
        Some(Ipvs::Absent(why)) => r.fail(format!(
            "IPVS is not available ({why}): kacd cannot program its {n} \
             virtual server(s)"
        )),
        None => {}
    }
    let nat = site.virtual_servers.iter().any(|vs| {
        vs.method == kac_runtime::site::lvs::Method::Nat
            || vs
                .real_servers
                .iter()
                .any(|rs| rs.method == kac_runtime::site::lvs::Method::Nat)
    });
    if nat && host.ip_forward == Some(false) {
        r.warn("net.ipv4.ip_forward is 0: NAT virtual servers need forwarding");
    }
}

fn capabilities(site: &Site, halves: Halves, host: &Host, r: &mut Report) {
    let Some(eff) = host.cap_eff else {
        r.warn("cannot read CapEff from /proc/self/status");
        return;
    };
    let mut need =
        vec![("CAP_NET_ADMIN", CAP_NET_ADMIN, "addresses, routes and IPVS")];
    if halves.vrrp && !site.instances.is_empty() {
        need.push(("CAP_NET_RAW", CAP_NET_RAW, "VRRP's raw sockets"));
    }
    for (name, bit, why) in need {
        if eff & (1u64 << bit) != 0 {
            r.ok(format!("{name} is in the effective capability set"));
        } else {
            r.fail(format!(
                "{name} is not in the effective capability set (needed for \
                 {why}): run as root or grant it (AmbientCapabilities=)"
            ));
        }
    }
}

/// The runtime directory can be written (or created), and no other kacd
/// holds the pid file.
pub fn check_runtime(dir: &Path, pid: &Path, r: &mut Report) {
    use rustix::fs::{access, Access};
    if dir.is_dir() {
        if access(dir, Access::WRITE_OK).is_ok() {
            r.ok(format!("runtime directory {} is writable", dir.display()));
        } else {
            r.fail(format!(
                "runtime directory {} is not writable",
                dir.display()
            ));
        }
    } else {
        let parent = dir.ancestors().skip(1).find(|p| p.is_dir());
        match parent {
            Some(p) if access(p, Access::WRITE_OK).is_ok() => r.ok(format!(
                "runtime directory {} will be created",
                dir.display()
            )),
            _ => r.fail(format!(
                "runtime directory {} does not exist and cannot be created",
                dir.display()
            )),
        }
    }
    if let crate::pidfile::Holder::Other(p) = crate::pidfile::holder(pid) {
        r.warn(format!(
            "kacd already runs with pid file {} (pid {p})",
            pid.display()
        ));
    }
}

/// All checks against this host.
pub fn run(
    site: &Site,
    halves: Halves,
    paths: &crate::paths::RuntimePaths,
) -> Report {
    let mut r = Report::default();
    let host = Host::read(halves.check && site.uses_ipvs());
    check_host(site, halves, &host, &mut r);
    scripts::check(site, halves, &mut r);
    check_runtime(&paths.dir, &paths.pid, &mut r);
    r
}

#[cfg(test)]
mod tests {
    use super::host::{HostAddress, Link};
    use super::*;
    use crate::testsite;

    const BOTH: Halves = Halves {
        vrrp: true,
        check: true,
    };

    fn link(index: u32, name: &str, up: bool) -> Link {
        Link {
            index,
            name: name.into(),
            up,
            lower_up: up,
            multicast: true,
        }
    }

    fn addr(index: u32, a: &str) -> HostAddress {
        HostAddress {
            index,
            addr: a.parse().unwrap(),
            prefix_len: 24,
        }
    }

    fn good_host() -> Host {
        Host {
            links: Ok(vec![link(1, "lo", true), link(2, "eth0", true)]),
            addresses: vec![addr(1, "127.0.0.1"), addr(2, "192.0.2.10")],
            ipvs: Some(Ipvs::Family(30)),
            cap_eff: Some(0x3000),
            ip_forward: Some(false),
        }
    }

    fn run(host: &Host, halves: Halves) -> Report {
        let mut r = Report::default();
        check_host(testsite::site(), halves, host, &mut r);
        r
    }

    fn texts(r: &Report) -> Vec<String> {
        r.findings.iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn a_fitting_host() {
        let r = run(&good_host(), BOTH);
        assert_eq!(
            texts(&r),
            [
                "OK   interface eth0 exists and is up",
                "OK   VI_1: adverts will be sent from 192.0.2.10 (eth0's address)",
                "OK   VI_1: none of its 1 virtual address(es) is on this host yet",
                "OK   IPVS is available (generic netlink family IPVS, id 30)",
                "OK   CAP_NET_ADMIN is in the effective capability set",
                "OK   CAP_NET_RAW is in the effective capability set",
            ]
        );
        assert!(!r.failed());
        assert!(r.render().ends_with("preflight: 6 OK, 0 WARN, 0 FAIL\n"));
    }

    #[test]
    fn missing_and_down_interfaces() {
        let mut h = good_host();
        h.links = Ok(vec![link(1, "lo", true)]);
        let r = run(&h, BOTH);
        assert!(r.failed());
        assert_eq!(
            texts(&r)[0],
            "FAIL interface eth0 does not exist (used by vrrp_instance VI_1, \
             addresses of VI_1)"
        );
        h.links = Ok(vec![link(2, "eth0", false)]);
        let r = run(&h, BOTH);
        assert!(texts(&r)[0].starts_with("WARN interface eth0 is down"));
        assert!(!r.failed());
    }

    #[test]
    fn no_source_address_and_present_vip() {
        let mut h = good_host();
        h.addresses = vec![addr(2, "192.0.2.100")];
        let t = texts(&run(&h, BOTH));
        assert!(t.contains(
            &"FAIL VI_1: eth0 has no IPv4 address to send adverts from (add \
              one, or set unicast_src_ip)"
                .to_string()
        ), "{t:?}");
        assert!(t.iter().any(|l| l.starts_with(
            "WARN VI_1: virtual address 192.0.2.100 is already on eth0"
        )));
        h.addresses = vec![addr(2, "192.0.2.10"), addr(1, "192.0.2.100")];
        let t = texts(&run(&h, BOTH));
        assert!(t.iter().any(|l| {
            l == "WARN VI_1: virtual address 192.0.2.100 is already on lo, not \
                eth0 where kacd will add it"
        }));
    }

    #[test]
    fn ipvs_and_capabilities() {
        let mut h = good_host();
        h.ipvs = Some(Ipvs::Absent("No such file or directory".into()));
        h.cap_eff = Some(1 << CAP_NET_RAW);
        let r = run(&h, BOTH);
        let t = texts(&r);
        assert!(t.contains(
            &"FAIL IPVS is not available (No such file or directory): kacd \
              cannot program its 1 virtual server(s)"
                .to_string()
        ));
        assert!(t.iter().any(|l| l.starts_with("FAIL CAP_NET_ADMIN is not")));
        // -P: the checker half is not run, IPVS does not matter.
        let r = run(
            &h,
            Halves {
                vrrp: true,
                check: false,
            },
        );
        assert!(!texts(&r).iter().any(|l| l.contains("IPVS is")));
        h.ipvs = Some(Ipvs::Module("/lib/modules/6.1/ip_vs.ko".into()));
        let r = run(&h, BOTH);
        assert!(texts(&r)
            .iter()
            .any(|l| l.starts_with("WARN IPVS is not loaded")));
        // -C: no VRRP, so no raw sockets and no interface checks.
        h.cap_eff = Some(1 << CAP_NET_ADMIN);
        let r = run(
            &h,
            Halves {
                vrrp: false,
                check: true,
            },
        );
        assert!(!r.failed(), "{:?}", texts(&r));
        assert!(!texts(&r).iter().any(|l| l.contains("interface")));
    }

    #[test]
    fn named_site_sources_and_nat() {
        let mut h = good_host();
        h.links = Ok(vec![
            link(1, "lo", true),
            link(2, "eth0", true),
            link(3, "eth1", true),
        ]);
        h.addresses.push(addr(2, "2001:db8::1"));
        let mut r = Report::default();
        check_host(testsite::named(), BOTH, &h, &mut r);
        let t = texts(&r);
        assert!(t.contains(&"FAIL VI_6: source address 2001:db8::1 is on eth0, not on eth1".to_string()), "{t:?}");
        assert!(t.contains(&"WARN net.ipv4.ip_forward is 0: NAT virtual servers need forwarding".to_string()));
        assert!(t.contains(&"OK   interface lo exists and is up".to_string()));
    }

    #[test]
    fn runtime_dir() {
        let d = std::env::temp_dir()
            .join(format!("kacd-pf-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let mut r = Report::default();
        check_runtime(&d.join("run"), &d.join("run/k.pid"), &mut r);
        assert_eq!(r.findings[0].level, Level::Ok);
        assert!(r.findings[0].text.contains("will be created"));
        std::fs::create_dir_all(&d).unwrap();
        let mut r = Report::default();
        check_runtime(&d, &d.join("k.pid"), &mut r);
        assert!(r.findings[0].text.ends_with("is writable"));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
