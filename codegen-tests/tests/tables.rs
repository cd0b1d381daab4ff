//! Each compiled site against a fresh compile of its config: the tables
//! must say what the IR says, with keepalived's defaults where the config
//! is silent.

#![allow(clippy::unwrap_used)]

use std::net::IpAddr;
use std::path::Path;

use kac_codegen_tests::SITES;
use kac_compiler::ir::lvs::VsKey;
use kac_compiler::ir::vrrp::State;
use kac_compiler::Compilation;
use kac_runtime::site::lvs::Service;
use kac_runtime::site::vrrp::InitialState;
use kac_runtime::site::VrrpVersion;

fn compile(path: &str) -> Compilation {
    kac_compiler::compile_file(Path::new(path), &Default::default()).unwrap()
}

#[test]
fn every_fixture_and_corpus_site_is_compiled() {
    let fixtures = SITES
        .iter()
        .filter(|e| e.path.contains("/fixtures/"))
        .count();
    assert!(fixtures >= 2, "fixtures: {fixtures}");
    if Path::new("../../shared/corpus/valid").is_dir() {
        assert!(SITES.len() >= fixtures + 40, "sites: {}", SITES.len());
    }
}

#[test]
fn dump_and_hash_are_the_configs() {
    for e in SITES {
        let c = compile(e.path);
        assert_eq!(e.site.dump, c.dump(), "{}", e.path);
        if e.site.config_files == 1 {
            let bytes = std::fs::read(e.path).unwrap();
            let want = sha256_hex(&bytes);
            assert_eq!(e.site.config_sha256, want, "{}", e.path);
        }
    }
}

/// `sha256sum` of the file, through the `sha256sum` binary so the test
/// does not share code with what it checks.
fn sha256_hex(bytes: &[u8]) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

#[test]
fn instances_match_the_ir() {
    for e in SITES {
        let c = compile(e.path);
        let ir = &c.config.vrrp.instances;
        assert_eq!(e.site.instances.len(), ir.len(), "{}", e.path);
        assert_eq!(e.instances, ir.len(), "{}", e.path);
        for (t, i) in e.site.instances.iter().zip(ir) {
            let ctx = format!("{} {}", e.path, i.name.value);
            assert_eq!(t.name, i.name.value, "{ctx}");
            assert_eq!(
                Some(t.vrid.get()),
                i.virtual_router_id.as_ref().map(|v| v.value),
                "{ctx}"
            );
            assert_eq!(t.priority.get(), i.effective_priority(), "{ctx}");
            if let Some(n) = &i.interface {
                assert_eq!(t.interface.as_str(), n.value, "{ctx}");
            }
            let want_state = match i.state.as_ref().map(|s| s.value) {
                Some(State::Master) => InitialState::Master,
                _ => InitialState::Backup,
            };
            assert_eq!(t.initial, want_state, "{ctx}");
            assert_eq!(t.preempt, !i.nopreempt(), "{ctx}");
            let micros = i.advert_int.as_ref().map_or(1_000_000, |a| a.value.0);
            assert_eq!(
                t.advert_interval.duration().as_micros(),
                u128::from(micros),
                "{ctx}"
            );
            if t.ipv6 {
                assert_eq!(t.version, VrrpVersion::V3, "{ctx}");
            }
            let addrs: Vec<(IpAddr, u8)> = t
                .addresses
                .iter()
                .map(|a| (a.prefix.addr(), a.prefix.prefix_len()))
                .collect();
            let want: Vec<(IpAddr, u8)> = i
                .virtual_ipaddress
                .iter()
                .map(|a| (a.address.value.addr, a.address.value.len))
                .collect();
            assert_eq!(addrs, want, "{ctx}");
            assert_eq!(t.unicast_peers.len(), i.peers().len(), "{ctx}");
            // Every tracker reference points at the tracker it names.
            for (r, tr) in t.track_scripts.iter().zip(&i.tracking.scripts) {
                assert_eq!(
                    e.site.scripts[r.index].name, tr.name.value,
                    "{ctx}"
                );
            }
            for (r, tr) in t.track_processes.iter().zip(&i.tracking.processes) {
                assert_eq!(
                    e.site.track_processes[r.index].name, tr.name.value,
                    "{ctx}"
                );
            }
        }
    }
}

#[test]
fn sync_groups_point_at_their_members() {
    for e in SITES {
        let c = compile(e.path);
        for (t, g) in e.site.sync_groups.iter().zip(&c.config.vrrp.sync_groups)
        {
            let names: Vec<&str> = t
                .members
                .iter()
                .map(|&m| e.site.instances[m].name)
                .collect();
            let want: Vec<&str> =
                g.members().map(|m| m.value.as_str()).collect();
            assert_eq!(names, want, "{} {}", e.path, t.name);
        }
    }
}

#[test]
fn virtual_servers_match_the_ir() {
    for e in SITES {
        let c = compile(e.path);
        let ir = &c.config.lvs.servers;
        assert_eq!(e.site.virtual_servers.len(), ir.len(), "{}", e.path);
        let rs: usize = ir.iter().map(|v| v.real_servers.len()).sum();
        assert_eq!(e.real_servers, rs, "{}", e.path);
        for (t, v) in e.site.virtual_servers.iter().zip(ir) {
            let ctx = format!("{} {}", e.path, t.line);
            match (&t.service, &v.key.value) {
                (
                    Service::Addr { addr, port },
                    VsKey::Addr { addr: a, port: p },
                ) => {
                    assert_eq!(addr, a, "{ctx}");
                    assert_eq!(*port, p.unwrap_or(0), "{ctx}");
                }
                (Service::Fwmark { mark, .. }, VsKey::Fwmark(m)) => {
                    assert_eq!(mark, m, "{ctx}")
                }
                (Service::Group { name, .. }, VsKey::Group(g)) => {
                    assert_eq!(name, g, "{ctx}")
                }
                (t, v) => panic!("{ctx}: {t:?} vs {v:?}"),
            }
            let want_sched = v
                .sched
                .as_ref()
                .map_or("wlc".to_owned(), |s| s.value.to_string());
            assert_eq!(t.scheduler, want_sched, "{ctx}");
            assert_eq!(t.real_servers.len(), v.real_servers.len(), "{ctx}");
            for (tr, r) in t.real_servers.iter().zip(&v.real_servers) {
                assert_eq!(tr.addr, r.addr.value, "{ctx}");
                assert_eq!(
                    tr.weight,
                    r.weight.as_ref().map_or(1, |w| w.value),
                    "{ctx}"
                );
                assert_eq!(tr.checkers.len(), r.checkers.len(), "{ctx}");
            }
        }
    }
}

#[test]
fn defaults_follow_keepalived() {
    // fixtures/default: VI_1 is BACKUP priority 100, advert_int 1, PASS.
    let e = SITES
        .iter()
        .find(|e| e.path.ends_with("fixtures/default/keepalived.conf"))
        .unwrap();
    let i = &e.site.instances[0];
    assert_eq!(i.version, VrrpVersion::V2);
    assert_eq!(i.garp.master_delay.as_secs(), 5);
    assert_eq!(i.garp.master_repeat, 5);
    assert_eq!(i.down_timer_adverts, 3);
    assert!(i.accept, "accept is on unless strict");
    let rs = &e.site.virtual_servers[0].real_servers[0];
    assert_eq!(rs.checkers[0].timing.connect_timeout.as_secs(), 3);
    assert_eq!(rs.checkers[0].timing.delay_loop.as_secs(), 6);
    assert_eq!(rs.checkers[0].timing.retry, 1);
}
