//! `kacd --plan`: the netlink and IPVS changes the tables ask for, and
//! when kacd makes each, without touching the system.

use std::fmt::Write as _;

use kac_runtime::site::lvs::VirtualServer;
use kac_runtime::site::Site;

use crate::cli::Halves;
use crate::describe;

/// The plan as text, one change a line.
pub fn render(site: &'static Site, halves: Halves) -> String {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = write(&mut s, site, halves);
    s
}

fn write(
    s: &mut String,
    site: &'static Site,
    halves: Halves,
) -> std::fmt::Result {
    writeln!(
        s,
        "kacd {} plan for site {} (config sha256 {}); nothing is changed \
         by --plan",
        env!("CARGO_PKG_VERSION"),
        site.name,
        site.config_sha256
    )?;
    let mut changes = 0usize;
    if halves.vrrp {
        let statics = site.static_addresses.len()
            + site.static_routes.len()
            + site.static_rules.len();
        if statics > 0 {
            writeln!(s, "at start-up, kept until stop:")?;
            for a in site.static_addresses {
                writeln!(s, "  add address {}", describe::address(a, None))?;
            }
            for r in site.static_routes {
                writeln!(s, "  add route {}", r.line)?;
            }
            for r in site.static_rules {
                writeln!(s, "  add rule {}", r.line)?;
            }
            changes += statics;
        }
        for i in site.instances {
            writeln!(
                s,
                "VRRP instance {} (interface {}, VRID {}, priority {}), \
                 while MASTER:",
                i.name, i.interface, i.vrid, i.priority
            )?;
            for a in i.addresses {
                writeln!(
                    s,
                    "  add address {}",
                    describe::address(a, Some(i.interface))
                )?;
            }
            for a in i.excluded_addresses {
                writeln!(
                    s,
                    "  add address {} (excluded from adverts)",
                    describe::address(a, Some(i.interface))
                )?;
            }
            for r in i.routes {
                writeln!(s, "  add route {}", r.line)?;
            }
            for r in i.rules {
                writeln!(s, "  add rule {}", r.line)?;
            }
            let n = i.addresses.len()
                + i.excluded_addresses.len()
                + i.routes.len()
                + i.rules.len();
            if n == 0 {
                writeln!(s, "  (no addresses, routes or rules)")?;
            }
            changes += n;
        }
    }
    if halves.check {
        for vs in site.virtual_servers {
            changes += write_vs(s, vs)?;
        }
        if !site.virtual_servers.is_empty() {
            write_ipvs_diff(s, site)?;
        }
    }
    writeln!(s, "{changes} change(s) planned")
}

fn write_vs(
    s: &mut String,
    vs: &VirtualServer,
) -> Result<usize, std::fmt::Error> {
    let mut changes = 0;
    let proto = describe::protocol(vs.protocol);
    let mut extra = String::new();
    if let Some(t) = vs.persistence_timeout {
        extra.push_str(&format!(" persistent {t}"));
    }
    for f in vs.flags {
        extra.push_str(&format!(" flag {f}"));
    }
    writeln!(
        s,
        "virtual server {} {proto}:",
        describe::service(&vs.service)
    )?;
    for svc in describe::ipvs_services(&vs.service) {
        writeln!(
            s,
            "  add IPVS service {proto} {svc} scheduler {}{extra}",
            vs.scheduler
        )?;
        changes += 1;
        for rs in vs.real_servers {
            let when = if vs.alpha || rs.checkers.iter().any(|c| c.alpha) {
                "once its checks pass"
            } else if rs.checkers.is_empty() {
                "at start-up"
            } else {
                "at start-up, removed while its checks fail"
            };
            let weight = if rs.inhibit_on_failure || vs.inhibit_on_failure {
                format!("{} (0 while its checks fail)", rs.weight)
            } else {
                rs.weight.to_string()
            };
            writeln!(
                s,
                "    add real server {} method {} weight {weight}, {when}",
                describe::endpoint(rs.addr, rs.port),
                describe::method(rs.method)
            )?;
            changes += 1;
        }
        if let Some(ss) = vs.sorry_server {
            writeln!(
                s,
                "    add sorry server {} method {}, while quorum is lost",
                describe::endpoint(ss.addr, ss.port),
                describe::method(ss.method)
            )?;
            changes += 1;
        }
    }
    Ok(changes)
}

/// The IPVS commands that would bring this kernel's table (its services
/// that are ours) to what the site wants at start-up, before any check
/// has run.
fn write_ipvs_diff(s: &mut String, site: &'static Site) -> std::fmt::Result {
    use kac_runtime::ipvs::{self, Client, Pool};
    let mut client = match Client::open() {
        Ok(c) => c,
        Err(e) => {
            return writeln!(
                s,
                "IPVS is not available here ({e}): no kernel table to compare"
            );
        }
    };
    let ours = crate::check_engine::our_services(site);
    let kernel = match crate::check_engine::kernel_ours(&mut client, &ours) {
        Ok(t) => t,
        Err(e) => {
            return writeln!(s, "IPVS: reading the kernel's table: {e}");
        }
    };
    let want = Pool::new(site).desired();
    let changes = ipvs::diff(&kernel, &want);
    writeln!(
        s,
        "IPVS commands against this kernel's table now ({}):",
        changes.len()
    )?;
    for c in &changes {
        writeln!(s, "  {c}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testsite;

    #[test]
    fn default_site_plan() {
        let p = render(
            testsite::site(),
            Halves {
                vrrp: true,
                check: true,
            },
        );
        // The comparison with this machine's IPVS table (or why there is
        // none) depends on the machine: one line here, tested in the VM.
        let ipvs = p.lines().filter(|l| l.starts_with("IPVS")).count();
        assert_eq!(ipvs, 1, "{p}");
        let lines: Vec<&str> =
            p.lines().filter(|l| !l.starts_with("IPVS")).collect();
        assert!(
            lines[0].starts_with("kacd ") && lines[0].contains("site default")
        );
        assert_eq!(
            &lines[1..],
            [
                "VRRP instance VI_1 (interface eth0, VRID 51, priority 100), while MASTER:",
                "  add address 192.0.2.100/24 dev eth0",
                "virtual server 192.0.2.100:80 TCP:",
                "  add IPVS service TCP 192.0.2.100:80 scheduler rr",
                "    add real server 198.51.100.11:80 method DR weight 1, at start-up, removed while its checks fail",
                "    add real server 198.51.100.12:80 method DR weight 1, at start-up, removed while its checks fail",
                "4 change(s) planned",
            ]
        );
    }

    #[test]
    fn halves_and_statics() {
        let p = render(
            testsite::named(),
            Halves {
                vrrp: true,
                check: false,
            },
        );
        assert!(p.contains("at start-up, kept until stop:\n  add address 203.0.113.1/32 dev lo\n"));
        assert!(p.contains("  add address 2001:db8::100/64 dev eth1\n"));
        assert!(p.contains("  add route 2001:db8:1::/48 via 2001:db8::fe\n"));
        assert!(!p.contains("IPVS"));
        assert!(p.ends_with("4 change(s) planned\n"), "{p}");
        let c = render(
            testsite::named(),
            Halves {
                vrrp: false,
                check: true,
            },
        );
        assert!(!c.contains("VRRP instance"));
        assert!(c.contains("method NAT"));
    }
}
