//! VMACs made by kac's commander and sysctl code, compared with what the
//! real keepalived makes for tests/routes/vmac.conf (an IPv4 master with
//! `use_vmac`, an IPv6 one with `use_vmac vrrp6.52`): links, addresses
//! and sysctls as tests/routes/ns.sh `vmac-dump` shows them, recorded in
//! tests/routes/vmac*.expected or taken live by tests/routes/run.sh
//! (`KAC_VMAC_EXPECTED`, `KAC_VMAC_STOPPED`).
//!
//! Skipped with a printed reason when the process cannot create
//! namespaces.

#![allow(clippy::unwrap_used)]

#[path = "netlink/ns.rs"]
#[allow(dead_code)]
mod ns;

use std::net::Ipv6Addr;
use std::path::PathBuf;
use std::process::Command;

use kac_runtime::netlink::link::Vmac;
use kac_runtime::netlink::sysctl::VmacSettings;
use kac_runtime::netlink::{Commander, Outcome};
use kac_runtime::site::addr::Address;
use kac_runtime::site::types::{Prefix, Vrid};
use ns::Netns;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn ns_sh(cmd: &str, ns: &Netns) -> String {
    let out = Command::new(root().join("tests/routes/ns.sh"))
        .args([cmd, &ns.name])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ns.sh {cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn recorded(var: &str, file: &str) -> String {
    let path = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("tests/routes").join(file));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The parent's link-local address (EUI-64 of 02:00:5e:10:00:01, set by
/// ns.sh), which keepalived copies onto an IPv6 VMAC.
const PARENT_LL: Ipv6Addr =
    Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0x5eff, 0xfe10, 1);

#[test]
fn vmacs_as_keepalived_makes_them() {
    let Some(ns) = Netns::new("vmac") else {
        return;
    };
    ns_sh("vmac-setup", &ns);
    let (mut c, v4, v6, settings) = ns.run(|| {
        let mut c = Commander::open().unwrap();
        let parent = c.link_index("v0").unwrap();
        let v4 = Vmac::new(None, parent, Vrid::new(51), false);
        let v6 = Vmac::new(Some("vrrp6.52"), parent, Vrid::new(52), true);
        let (i4, o4) = c.create_vmac(&v4).unwrap();
        let (i6, o6) = c.create_vmac(&v6).unwrap();
        assert_eq!((o4, o6), (Outcome::Done, Outcome::Done));
        // /proc/sys/net is the namespace of the thread that opens it.
        let s4 = VmacSettings::apply("vrrp.51", "v0", false).unwrap();
        let s6 = VmacSettings::apply("vrrp6.52", "v0", true).unwrap();
        (c, (v4, i4), (v6, i6), vec![s4, s6])
    });
    let vip = Address::plain(Prefix::v4([192, 0, 2, 100], 24), "");
    let vip6 = Address::plain(
        Prefix::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x100], 64),
        "",
    );
    assert_eq!(c.add_address(v4.1, &vip).unwrap(), Outcome::Done);
    assert_eq!(c.add_address(v6.1, &vip6).unwrap(), Outcome::Done);
    assert_eq!(
        c.add_vmac_link_local(v6.1, PARENT_LL).unwrap(),
        Outcome::Done
    );

    let ours = ns_sh("vmac-dump", &ns);
    assert_eq!(ours, recorded("KAC_VMAC_EXPECTED", "vmac.expected"));

    // A second start takes the VMACs over.
    assert_eq!(
        c.create_vmac(&v4.0).unwrap(),
        (v4.1, Outcome::AlreadyPresent)
    );
    assert_eq!(
        c.create_vmac(&v6.0).unwrap(),
        (v6.1, Outcome::AlreadyPresent)
    );
    // Whatever else has the name is not taken over.
    ns.ip("link add vrrp.53 type veth peer name x53");
    let e = c
        .create_vmac(&Vmac::new(None, v4.0.parent, Vrid::new(53), false))
        .unwrap_err();
    assert!(e.to_string().contains("is not a macvlan"), "{e}");
    ns.ip("link del vrrp.53");

    // Stop: VMACs deleted, sysctls put back, last applied first.
    assert_eq!(c.delete_vmac(v4.1).unwrap(), Outcome::Done);
    assert_eq!(c.delete_vmac(v6.1).unwrap(), Outcome::Done);
    assert_eq!(c.delete_vmac(v6.1).unwrap(), Outcome::AlreadyAbsent);
    ns.run(|| {
        for s in settings.into_iter().rev() {
            s.restore().unwrap();
        }
    });
    // keepalived 2.2.7 leaves the parent's arp_ignore and arp_filter at 1
    // after it stops; kac puts them back to what they were (0).
    let theirs = recorded("KAC_VMAC_STOPPED", "vmac-stopped.expected");
    for line in ["ipv4 v0 arp_ignore 1", "ipv4 v0 arp_filter 1"] {
        assert!(theirs.contains(line), "keepalived no longer leaves {line}");
    }
    let theirs = theirs
        .replace("ipv4 v0 arp_ignore 1", "ipv4 v0 arp_ignore 0")
        .replace("ipv4 v0 arp_filter 1", "ipv4 v0 arp_filter 0");
    assert_eq!(ns_sh("vmac-dump", &ns), theirs);
}
