//! keepalived's signal dumps, written under the runtime directory:
//! SIGUSR1 the data dump (the tables in keepalived's `conf_write` layout,
//! then the engines' run-time state), SIGUSR2 the per-instance counters
//! in keepalived's stats layout, SIGJSON an array of
//! `{"data": {...}, "stats": {...}}` per instance with keepalived's JSON
//! field names. Files are written to a temporary name and renamed, so a
//! reader never sees half a dump.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use kac_runtime::site::lvs::VirtualServer;
use kac_runtime::site::vrrp::{Auth, InitialState, Instance};
use kac_runtime::site::{Site, VrrpVersion};
use serde_json::{json, Value};

use crate::cli::Halves;
use crate::describe;
use crate::engine::{EngineSet, InstanceStatus, VrrpState, VrrpStats};

/// Writes `bytes` to `path` through a temporary file in the same
/// directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_data()?;
    drop(f);
    std::fs::rename(&tmp, path)
}

/// Status of instance `index`: the engine's, or INIT when no engine runs
/// it (which is what an instance nobody runs is in).
fn status(engines: &EngineSet, site: &Site, index: usize) -> InstanceStatus {
    engines.instance_status(index).unwrap_or_else(|| {
        let i = &site.instances[index];
        InstanceStatus {
            state: VrrpState::Init,
            wantstate: want(i),
            effective_priority: i.priority.get(),
            master_priority: 0,
            last_transition: None,
            vipset: false,
        }
    })
}

fn want(i: &Instance) -> VrrpState {
    match i.initial {
        InitialState::Master => VrrpState::Master,
        InitialState::Backup => VrrpState::Backup,
    }
}

fn interval_text(i: &Instance) -> String {
    match i.version {
        VrrpVersion::V2 => format!("{} sec", i.advert_interval.centis() / 100),
        VrrpVersion::V3 => {
            format!("{} milli-sec", u32::from(i.advert_interval.centis()) * 10)
        }
    }
}

fn yes(b: bool, on: &'static str, off: &'static str) -> &'static str {
    if b {
        on
    } else {
        off
    }
}

/// The data dump (SIGUSR1).
pub fn data(
    site: &Site,
    halves: Halves,
    engines: &EngineSet,
) -> io::Result<Vec<u8>> {
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = write_tables(&mut s, site, halves, engines);
    let mut out = s.into_bytes();
    engines.write_data(&mut out)?;
    Ok(out)
}

fn write_tables(
    s: &mut String,
    site: &Site,
    halves: Halves,
    engines: &EngineSet,
) -> std::fmt::Result {
    let g = &site.global;
    writeln!(s, "------< Global definitions >------")?;
    writeln!(s, " kacd version = {}", env!("CARGO_PKG_VERSION"))?;
    writeln!(s, " Site = {}", site.name)?;
    writeln!(
        s,
        " Config = {} ({} file{}, sha256 {})",
        site.config_path,
        site.config_files,
        yes(site.config_files == 1, "", "s"),
        site.config_sha256
    )?;
    if let Some(n) = g.instance {
        writeln!(s, " Instance name = {n}")?;
    }
    writeln!(s, " Router ID = {}", g.router_id.unwrap_or("(host name)"))?;
    if let Some((u, grp)) = g.script_user {
        writeln!(s, " Default script uid:gid = {u}:{}", grp.unwrap_or(u))?;
    }
    writeln!(
        s,
        " Script security = {}",
        yes(g.enable_script_security, "enabled", "disabled")
    )?;
    writeln!(s, " VRRP IPv4 mcast group = {}", g.vrrp_mcast_group4)?;
    writeln!(s, " VRRP IPv6 mcast group = {}", g.vrrp_mcast_group6)?;
    writeln!(
        s,
        " VRRP strict mode = {}",
        yes(g.vrrp_strict, "true", "false")
    )?;
    writeln!(s, " Running halves = {}", halves_text(halves))?;
    if halves.vrrp {
        writeln!(s, "------< VRRP Topology >------")?;
        for (n, i) in site.instances.iter().enumerate() {
            write_instance(s, site, i, &status(engines, site, n))?;
        }
        for sc in site.scripts {
            writeln!(s, " VRRP Script = {}", sc.name)?;
            writeln!(s, "   Command = {}", describe::command(&sc.command))?;
            writeln!(
                s,
                "   Interval = {} sec",
                sc.interval.get().as_secs_f64()
            )?;
            writeln!(s, "   Timeout = {} sec", sc.timeout.as_secs_f64())?;
            writeln!(
                s,
                "   Weight = {}{}",
                sc.weight.get(),
                yes(sc.reverse, " reverse", "")
            )?;
            writeln!(s, "   Rise = {}", sc.rise)?;
            writeln!(s, "   Fall = {}", sc.fall)?;
        }
        if !site.static_addresses.is_empty() {
            writeln!(s, "------< Static addresses >------")?;
            for a in site.static_addresses {
                writeln!(s, " {}", describe::address(a, None))?;
            }
        }
        for (title, lines) in [
            (
                "Static routes",
                site.static_routes
                    .iter()
                    .map(|r| r.line)
                    .collect::<Vec<_>>(),
            ),
            (
                "Static rules",
                site.static_rules.iter().map(|r| r.line).collect(),
            ),
        ] {
            if !lines.is_empty() {
                writeln!(s, "------< {title} >------")?;
                for l in lines {
                    writeln!(s, " {l}")?;
                }
            }
        }
    }
    if halves.check && !site.virtual_servers.is_empty() {
        writeln!(s, "------< LVS Topology >------")?;
        for vs in site.virtual_servers {
            write_vs(s, vs)?;
        }
    }
    Ok(())
}

fn halves_text(h: Halves) -> &'static str {
    match (h.vrrp, h.check) {
        (true, true) => "VRRP and checkers",
        (true, false) => "VRRP only (-P)",
        _ => "checkers only (-C)",
    }
}

fn write_instance(
    s: &mut String,
    site: &Site,
    i: &Instance,
    st: &InstanceStatus,
) -> std::fmt::Result {
    writeln!(s, " VRRP Instance = {}", i.name)?;
    writeln!(s, "   VRRP Version = {}", i.version.number())?;
    writeln!(s, "   State = {}", st.state.name())?;
    writeln!(s, "   Wantstate = {}", st.wantstate.name())?;
    writeln!(s, "   Interface = {}", i.interface)?;
    match i.src_ip {
        Some(ip) => writeln!(s, "   Using src_ip = {ip}")?,
        None => writeln!(s, "   Using src_ip = (interface address)")?,
    }
    if let Some(m) = i.mcast_dst {
        writeln!(s, "   Multicast address {m}")?;
    }
    writeln!(s, "   Virtual Router ID = {}", i.vrid)?;
    writeln!(s, "   Priority = {}", i.priority)?;
    writeln!(s, "   Effective priority = {}", st.effective_priority)?;
    writeln!(s, "   Advert interval = {}", interval_text(i))?;
    writeln!(s, "   Accept = {}", yes(i.accept, "enabled", "disabled"))?;
    writeln!(s, "   Preempt = {}", yes(i.preempt, "enabled", "disabled"))?;
    if let Some(d) = i.preempt_delay {
        writeln!(s, "   Preempt delay = {} secs", d.as_secs_f64())?;
    }
    match i.auth {
        Auth::None => writeln!(s, "   Authentication type = none")?,
        Auth::Pass(_) => {
            writeln!(s, "   Authentication type = SIMPLE_PASSWORD")?;
            writeln!(s, "   Password = ********")?;
        }
        Auth::Ah(_) => {
            writeln!(s, "   Authentication type = IPSEC_AH")?;
            writeln!(s, "   Password = ********")?;
        }
    }
    writeln!(
        s,
        "   Gratuitous ARP delay = {}",
        i.garp.master_delay.as_secs()
    )?;
    writeln!(s, "   Gratuitous ARP repeat = {}", i.garp.master_repeat)?;
    writeln!(s, "   Down timer adverts = {}", i.down_timer_adverts)?;
    writeln!(s, "   Virtual IP ({}):", i.addresses.len())?;
    for a in i.addresses {
        writeln!(s, "     {}", describe::address(a, Some(i.interface)))?;
    }
    if !i.excluded_addresses.is_empty() {
        writeln!(s, "   Virtual IP Excluded :")?;
        for a in i.excluded_addresses {
            writeln!(s, "     {}", describe::address(a, Some(i.interface)))?;
        }
    }
    if !i.unicast_peers.is_empty() {
        writeln!(s, "   Unicast Peer :")?;
        for p in i.unicast_peers {
            writeln!(s, "     {}", p.address)?;
        }
    }
    if !i.routes.is_empty() {
        writeln!(s, "   Virtual Routes :")?;
        for r in i.routes {
            writeln!(s, "     {}", r.line)?;
        }
    }
    if !i.rules.is_empty() {
        writeln!(s, "   Virtual Rules :")?;
        for r in i.rules {
            writeln!(s, "     {}", r.line)?;
        }
    }
    if !i.track_interfaces.is_empty() {
        writeln!(s, "   Tracked interfaces :")?;
        for t in i.track_interfaces {
            writeln!(s, "     {} weight {}", t.interface, t.weight.get())?;
        }
    }
    if !i.track_scripts.is_empty() {
        writeln!(s, "   Tracked scripts :")?;
        for t in i.track_scripts {
            let name = site.scripts.get(t.index).map_or("?", |sc| sc.name);
            writeln!(
                s,
                "     {name} weight {}{}",
                t.weight.get(),
                yes(t.reverse, " reverse", "")
            )?;
        }
    }
    Ok(())
}

fn write_vs(s: &mut String, vs: &VirtualServer) -> std::fmt::Result {
    writeln!(s, " ------< Virtual server >------")?;
    writeln!(s, " VS {}", describe::service(&vs.service))?;
    writeln!(s, "   lvs_sched = {}", vs.scheduler)?;
    writeln!(s, "   forwarding method = {}", describe::method(vs.method))?;
    writeln!(s, "   protocol = {}", describe::protocol(vs.protocol))?;
    if let Some(t) = vs.persistence_timeout {
        writeln!(s, "   persistence timeout = {t}")?;
    }
    writeln!(s, "   alpha is {}", yes(vs.alpha, "ON", "OFF"))?;
    writeln!(s, "   omega is {}", yes(vs.omega, "ON", "OFF"))?;
    writeln!(
        s,
        "   Inhibit on failure is {}",
        yes(vs.inhibit_on_failure, "ON", "OFF")
    )?;
    writeln!(
        s,
        "   quorum = {}, hysteresis = {}",
        vs.quorum, vs.hysteresis
    )?;
    if let Some(ss) = vs.sorry_server {
        writeln!(
            s,
            "   sorry server = {}",
            describe::endpoint(ss.addr, ss.port)
        )?;
    }
    for rs in vs.real_servers {
        writeln!(s, "   ------< Real server >------")?;
        writeln!(
            s,
            "   RIP = {}, RPORT = {}, WEIGHT = {}",
            rs.addr, rs.port, rs.weight
        )?;
        writeln!(s, "   forwarding method = {}", describe::method(rs.method))?;
        writeln!(
            s,
            "   Inhibit on failure is {}",
            yes(rs.inhibit_on_failure, "ON", "OFF")
        )?;
        for c in rs.checkers {
            writeln!(
                s,
                "   Checker = {}, delay_loop = {} sec, connect timeout = {} sec",
                checker_name(&c.check),
                c.timing.delay_loop.as_secs_f64(),
                c.timing.connect_timeout.as_secs_f64()
            )?;
        }
    }
    Ok(())
}

fn checker_name(c: &kac_runtime::site::lvs::Check) -> &'static str {
    use kac_runtime::site::lvs::Check;
    match c {
        Check::Tcp => "TCP_CHECK",
        Check::Http { tls: false, .. } => "HTTP_GET",
        Check::Http { tls: true, .. } => "SSL_GET",
        Check::Smtp { .. } => "SMTP_CHECK",
        Check::Dns { .. } => "DNS_CHECK",
        Check::Misc { .. } => "MISC_CHECK",
        Check::Udp { .. } => "UDP_CHECK",
        Check::Ping => "PING_CHECK",
        Check::File { .. } => "FILE_CHECK",
        Check::Bfd { .. } => "BFD_CHECK",
    }
}

/// The stats dump (SIGUSR2), keepalived's layout.
pub fn stats(site: &Site, engines: &EngineSet) -> Vec<u8> {
    let mut s = String::new();
    for (n, i) in site.instances.iter().enumerate() {
        let c = engines.instance_stats(n).unwrap_or_default();
        let _ = write_stats(&mut s, i.name, &c);
    }
    s.into_bytes()
}

fn write_stats(s: &mut String, name: &str, c: &VrrpStats) -> std::fmt::Result {
    writeln!(s, "VRRP Instance: {name}")?;
    writeln!(s, "  Advertisements:")?;
    writeln!(s, "    Received: {}", c.advert_rcvd)?;
    writeln!(s, "    Sent: {}", c.advert_sent)?;
    writeln!(s, "  Became master: {}", c.become_master)?;
    writeln!(s, "  Released master: {}", c.release_master)?;
    writeln!(s, "  Packet Errors:")?;
    writeln!(s, "    Length: {}", c.packet_len_err)?;
    writeln!(s, "    TTL: {}", c.ip_ttl_err)?;
    writeln!(s, "    Invalid Type: {}", c.invalid_type_rcvd)?;
    writeln!(s, "    Advertisement Interval: {}", c.advert_interval_err)?;
    writeln!(s, "    Address List: {}", c.addr_list_err)?;
    // Not in keepalived's layout: kac counts these drops too.
    writeln!(s, "    Version: {}", c.version_err)?;
    writeln!(s, "    Checksum: {}", c.checksum_err)?;
    writeln!(s, "    Own Packet: {}", c.own_packet)?;
    writeln!(s, "  Authentication Errors:")?;
    writeln!(s, "    Invalid Type: {}", c.invalid_authtype)?;
    writeln!(s, "    Type Mismatch: {}", c.authtype_mismatch)?;
    writeln!(s, "    Failure: {}", c.auth_failure)?;
    writeln!(s, "  Priority Zero:")?;
    writeln!(s, "    Received: {}", c.pri_zero_rcvd)?;
    writeln!(s, "    Sent: {}", c.pri_zero_sent)?;
    Ok(())
}

fn unix_seconds(t: Option<SystemTime>) -> f64 {
    t.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The JSON dump (SIGJSON): keepalived's version 1 layout.
pub fn json(site: &Site, engines: &EngineSet) -> Value {
    let list = site
        .instances
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let st = status(engines, site, n);
            let c = engines.instance_stats(n).unwrap_or_default();
            json!({ "data": instance_json(site, i, &st), "stats": stats_json(&c) })
        })
        .collect();
    Value::Array(list)
}

fn instance_json(site: &Site, i: &Instance, st: &InstanceStatus) -> Value {
    let addrs = |list: &[kac_runtime::site::addr::Address]| -> Vec<String> {
        list.iter()
            .map(|a| describe::address(a, Some(i.interface)))
            .collect()
    };
    let secs = |c: u16| f64::from(c) / 100.0;
    let mut data = json!({
        "iname": i.name,
        "dont_track_primary": u8::from(i.dont_track_primary),
        "skip_check_adv_addr": u8::from(i.skip_check_adv_addr),
        "strict_mode": u8::from(i.strict),
        "ifp_ifname": i.interface.as_str(),
        "master_priority": st.master_priority,
        "last_transition": unix_seconds(st.last_transition),
        "garp_delay": i.garp.master_delay.as_secs_f64(),
        "garp_refresh": i.garp.master_refresh.map_or(0, |d| d.as_secs()),
        "garp_rep": i.garp.master_repeat,
        "garp_refresh_rep": i.garp.master_refresh_repeat,
        "garp_lower_prio_delay": i.garp.lower_prio_delay
            .unwrap_or(i.garp.master_delay).as_secs(),
        "garp_lower_prio_rep": i.garp.lower_prio_repeat
            .unwrap_or(i.garp.master_repeat),
        "lower_prio_no_advert": u8::from(i.lower_prio_no_advert),
        "higher_prio_send_advert": u8::from(i.higher_prio_send_advert),
        "vrid": i.vrid.get(),
        "base_priority": i.priority.get(),
        "effective_priority": st.effective_priority,
        "vipset": st.vipset,
        "promote_secondaries": false,
        "adver_int": secs(i.advert_interval.centis()),
        "master_adver_int": secs(i.advert_interval.centis()),
        "accept": u8::from(i.accept),
        "nopreempt": !i.preempt,
        "preempt_delay": i.preempt_delay.map_or(0, |d| d.as_secs()),
        "state": st.state as u8,
        "wantstate": st.wantstate as u8,
        "version": i.version.number(),
        "smtp_alert": false,
        "notify_deleted": false,
        "vips": addrs(i.addresses),
        "evips": addrs(i.excluded_addresses),
        "vroutes": i.routes.iter().map(|r| r.line).collect::<Vec<_>>(),
        "vrules": i.rules.iter().map(|r| r.line).collect::<Vec<_>>(),
        "track_ifp": i.track_interfaces.iter()
            .map(|t| t.interface.as_str()).collect::<Vec<_>>(),
        "track_script": i.track_scripts.iter()
            .filter_map(|t| site.scripts.get(t.index))
            .map(|sc| describe::command(&sc.command)).collect::<Vec<_>>(),
        "auth_type": match i.auth { Auth::None => 0, Auth::Pass(_) => 1, Auth::Ah(_) => 2 },
    });
    if let (Value::Object(m), false) = (&mut data, matches!(i.auth, Auth::None))
    {
        m.insert("auth_data".into(), Value::from("********"));
    }
    if let Value::Object(m) = &mut data {
        let n = &i.notify;
        for (key, cmd) in [
            ("script_backup", n.backup),
            ("script_master", n.master),
            ("script_fault", n.fault),
            ("script_stop", n.stop),
            ("script", n.notify),
            ("script_master_rx_lower_pri", n.master_rx_lower_pri),
        ] {
            if let Some(c) = cmd {
                m.insert(key.into(), Value::from(describe::command(&c)));
            }
        }
    }
    data
}

fn stats_json(c: &VrrpStats) -> Value {
    json!({
        "advert_rcvd": c.advert_rcvd,
        "advert_sent": c.advert_sent,
        "become_master": c.become_master,
        "release_master": c.release_master,
        "packet_len_err": c.packet_len_err,
        "advert_interval_err": c.advert_interval_err,
        "ip_ttl_err": c.ip_ttl_err,
        "invalid_type_rcvd": c.invalid_type_rcvd,
        "addr_list_err": c.addr_list_err,
        "invalid_authtype": c.invalid_authtype,
        "authtype_mismatch": c.authtype_mismatch,
        "auth_failure": c.auth_failure,
        "pri_zero_rcvd": c.pri_zero_rcvd,
        "pri_zero_sent": c.pri_zero_sent,
        "version_err": c.version_err,
        "checksum_err": c.checksum_err,
        "own_packet": c.own_packet,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Context, Engine, EngineError};
    use crate::testsite;

    const BOTH: Halves = Halves {
        vrrp: true,
        check: true,
    };

    #[test]
    fn data_dump_of_the_default_site() {
        let d = data(testsite::site(), BOTH, &EngineSet::default()).unwrap();
        let d = String::from_utf8(d).unwrap();
        for want in [
            "------< Global definitions >------\n",
            " Router ID = kac-default\n",
            " VRRP Instance = VI_1\n",
            "   State = INIT\n",
            "   Wantstate = BACKUP\n",
            "   Virtual Router ID = 51\n",
            "   Advert interval = 1 sec\n",
            "   Password = ********\n",
            "   Virtual IP (1):\n     192.0.2.100/24 dev eth0\n",
            "     chk_service weight -20\n",
            " VRRP Script = chk_service\n   Command = /usr/bin/test -e /run/service.up\n",
            "------< LVS Topology >------\n ------< Virtual server >------\n VS 192.0.2.100:80\n",
            "   RIP = 198.51.100.11, RPORT = 80, WEIGHT = 1\n",
            "   RIP = 198.51.100.12, RPORT = 80, WEIGHT = 1\n",
            "   Checker = TCP_CHECK, delay_loop = 6 sec, connect timeout = 3 sec\n",
        ] {
            assert!(d.contains(want), "missing {want:?} in\n{d}");
        }
        assert!(!d.contains("k4c-pass"), "the password leaked");
    }

    #[test]
    fn halves_limit_the_data_dump() {
        let vrrp_only = Halves {
            vrrp: true,
            check: false,
        };
        let d =
            data(testsite::site(), vrrp_only, &EngineSet::default()).unwrap();
        let d = String::from_utf8(d).unwrap();
        assert!(d.contains("VRRP Topology") && !d.contains("LVS Topology"));
    }

    struct Running;
    impl Engine for Running {
        fn name(&self) -> &'static str {
            "vrrp"
        }
        fn start(&mut self, _: &Context<'_>) -> Result<(), EngineError> {
            Ok(())
        }
        fn stop(&mut self) {}
        fn write_data(&self, out: &mut dyn io::Write) -> io::Result<()> {
            out.write_all(b"------< VRRP sockets >------\n")
        }
        fn instance_status(&self, index: usize) -> Option<InstanceStatus> {
            (index == 1).then_some(InstanceStatus {
                state: VrrpState::Master,
                wantstate: VrrpState::Master,
                effective_priority: 90,
                master_priority: 90,
                last_transition: Some(
                    UNIX_EPOCH + std::time::Duration::from_secs(5),
                ),
                vipset: true,
            })
        }
        fn instance_stats(&self, index: usize) -> Option<VrrpStats> {
            (index == 1).then_some(VrrpStats {
                advert_sent: 42,
                ..VrrpStats::default()
            })
        }
    }

    #[test]
    fn engines_fill_in_state() {
        let site = testsite::named();
        let engines = EngineSet::new(vec![Box::new(Running)]);
        let d = String::from_utf8(data(site, BOTH, &engines).unwrap()).unwrap();
        assert!(d.contains(" Instance name = lb1\n"));
        assert!(d.contains(
            " VRRP Instance = VI_6\n   VRRP Version = 3\n   State = MASTER\n"
        ));
        assert!(d.contains("   Advert interval = 500 milli-sec\n"));
        assert!(d.contains("   Using src_ip = 2001:db8::1\n"));
        assert!(d.ends_with("------< VRRP sockets >------\n"));
        assert!(d.contains(
            "------< Static addresses >------\n 203.0.113.1/32 dev lo\n"
        ));

        let s = String::from_utf8(stats(site, &engines)).unwrap();
        assert!(s.starts_with("VRRP Instance: VI_1\n  Advertisements:\n    Received: 0\n    Sent: 0\n"));
        assert!(s.contains("VRRP Instance: VI_6\n  Advertisements:\n    Received: 0\n    Sent: 42\n"));

        let j = json(site, &engines);
        assert_eq!(j[0]["data"]["iname"], "VI_1");
        assert_eq!(j[0]["data"]["state"], 0);
        assert_eq!(j[0]["data"]["wantstate"], 1);
        assert_eq!(j[0]["data"]["auth_data"], "********");
        assert_eq!(j[0]["data"]["vips"][0], "192.0.2.100/24 dev eth0");
        assert_eq!(j[1]["data"]["state"], 2);
        assert_eq!(j[1]["data"]["last_transition"], 5.0);
        assert_eq!(j[1]["data"]["adver_int"], 0.5);
        assert_eq!(
            j[1]["data"]["vroutes"][0],
            "2001:db8:1::/48 via 2001:db8::fe"
        );
        assert!(j[1]["data"].get("auth_data").is_none());
        assert_eq!(j[1]["stats"]["advert_sent"], 42);
    }

    #[test]
    fn atomic_write() {
        let dir = std::env::temp_dir()
            .join(format!("kacd-dumps-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("keepalived.data");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
