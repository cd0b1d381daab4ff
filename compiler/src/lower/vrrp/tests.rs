//! Tests of `vrrp_instance` / `vrrp_sync_group` lowering, checks and dump.

use std::net::IpAddr;

use crate::ir::value::Micros;
use crate::ir::vrrp::{AuthType, IpvlanMode, OldChecksum, State, VrrpInstance};
use crate::testing::compile;
use crate::Compilation;

/// The codes reported, in order.
fn codes(c: &Compilation) -> Vec<u16> {
    c.diagnostics.iter().map(|d| d.code.id).collect()
}

fn has(c: &Compilation, id: u16) -> bool {
    c.diagnostics.iter().any(|d| d.code.id == id)
}

/// An instance with the given extra lines, VIP and VRID 51 on eth0.
fn inst(extra: &str) -> String {
    format!(
        "vrrp_instance VI_1 {{\n interface eth0\n virtual_router_id 51\n{extra}\n \
         virtual_ipaddress {{\n  192.168.10.100/24\n }}\n}}\n"
    )
}

fn first(c: &Compilation) -> &VrrpInstance {
    c.config.vrrp.instances.first().expect("an instance")
}

/// Compiles, dumps, and checks the dump compiles clean to the same IR and
/// dumps to itself.
fn round_trip(text: &str) {
    let a = compile(text);
    let d1 = a.dump();
    let b = compile(&d1);
    assert!(
        !b.has_errors(),
        "dump has errors:\n{d1}\n{}",
        b.render_human()
    );
    assert_eq!(a.config.vrrp, b.config.vrrp, "dump:\n{d1}");
    assert_eq!(d1, b.dump());
}

#[test]
fn core_keywords() {
    let c = compile(&inst(
        " state MASTER\n priority 150\n advert_int 2\n authentication {\n  auth_type PASS\n  auth_pass secret\n }\n nopreempt",
    ));
    let i = first(&c);
    assert_eq!(i.name.value, "VI_1");
    assert_eq!(i.state.as_ref().map(|s| s.value), Some(State::Master));
    assert_eq!(i.interface.as_ref().map(|s| s.value.as_str()), Some("eth0"));
    assert_eq!(i.virtual_router_id.as_ref().map(|v| v.value), Some(51));
    assert_eq!(i.priority.as_ref().map(|v| v.value), Some(150));
    assert_eq!(
        i.advert_int.as_ref().map(|v| v.value),
        Some(Micros::from_secs(2))
    );
    let auth = i.authentication.as_ref().expect("auth");
    assert_eq!(
        auth.auth_type.as_ref().map(|t| t.value),
        Some(AuthType::Pass)
    );
    assert_eq!(
        auth.auth_pass.as_ref().map(|t| t.value.as_str()),
        Some("secret")
    );
    assert!(i.nopreempt());
    // nopreempt with MASTER is the only problem here.
    assert_eq!(codes(&c), vec![212]);
}

#[test]
fn effective_priority_defaults() {
    let c = compile(&inst(" state MASTER"));
    assert_eq!(first(&c).effective_priority(), 255);
    let c = compile(&inst(""));
    assert_eq!(first(&c).effective_priority(), 100);
}

#[test]
fn unicast_and_rare_keywords() {
    let c = compile(&inst(
        " unicast_src_ip 192.168.10.1\n unicast_peer {\n  192.168.10.2 min_ttl 1 max_ttl 64\n  192.168.10.3\n }\n \
         unicast_ttl 5\n old_unicast_checksum never\n use_vmac vrrp51 02:00:00:00:00:01\n vmac_xmit_base\n \
         garp_master_delay 5\n garp_master_refresh 60\n garp_extra_if all 30\n down_timer_adverts 5\n \
         smtp_alert false\n debug 2\n kernel_rx_buf_size 65536\n accept\n promote_secondaries\n \
         skip_check_adv_addr\n lower_prio_no_advert on\n notify_deleted\n version 3\n advert_int 0.25",
    ));
    assert!(!c.has_errors(), "{}", c.render_human());
    let i = first(&c);
    assert_eq!(i.peers().len(), 2);
    let ip: IpAddr = "192.168.10.2".parse().expect("ip");
    assert_eq!(i.peers()[0].address.value, ip);
    assert_eq!(i.peers()[0].max_ttl.as_ref().map(|t| t.value), Some(64));
    assert_eq!(
        i.old_unicast_checksum.as_ref().map(|o| o.value),
        Some(OldChecksum::Never)
    );
    let vmac = i.use_vmac.as_ref().expect("vmac");
    assert_eq!(
        vmac.ifname.as_ref().map(|n| n.value.as_str()),
        Some("vrrp51")
    );
    assert_eq!(
        i.garp_extra_if.as_ref().map(|g| (g.all, g.interval.value)),
        Some((true, 30))
    );
    assert_eq!(i.smtp_alert.as_ref().map(|b| b.value), Some(false));
    assert_eq!(i.skip_check_adv_addr.as_ref().map(|b| b.value), Some(true));
    assert_eq!(
        i.notify.deleted.as_ref().map(|d| d.value.is_none()),
        Some(true)
    );
    assert_eq!(
        i.advert_int.as_ref().map(|a| a.value),
        Some(Micros(250_000))
    );
    assert!(i.accept.as_ref().is_some_and(|a| a.value));
}

#[test]
fn ipvlan() {
    let c = compile(&inst(" use_ipvlan ipv0 192.168.10.5/24 private"));
    assert!(!c.has_errors(), "{}", c.render_human());
    let v = first(&c).use_ipvlan.as_ref().expect("ipvlan");
    assert_eq!(v.mode.as_ref().map(|m| m.value), Some(IpvlanMode::Private));
    assert_eq!(v.ifname.as_ref().map(|m| m.value.as_str()), Some("ipv0"));
}

#[test]
fn trackers_and_sync_group() {
    let text = format!(
        "vrrp_script chk {{\n script \"/bin/true\"\n}}\n\
         vrrp_sync_group VG {{\n group {{\n  VI_1\n  VI_2\n }}\n sync_group_tracking_weight\n notify_master \"/x.sh a\"\n}}\n{}{}",
        inst(" track_script {\n  chk weight -20 noreverse\n }\n track_interface {\n  eth1 weight 10 reverse\n }"),
        inst("").replace("VI_1", "VI_2").replace(" 51", " 52")
    );
    let c = compile(&text);
    assert!(!c.has_errors(), "{}", c.render_human());
    let i = first(&c);
    let t = &i.tracking.scripts[0];
    assert_eq!(t.line_weight(), -20);
    assert_eq!(t.weight.as_ref().and_then(|w| w.reverse), Some(false));
    assert_eq!(
        i.tracking.interfaces[0].to_string(),
        "eth1 weight 10 reverse"
    );
    let sg = &c.config.vrrp.sync_groups[0];
    assert_eq!(
        sg.members().map(|m| m.value.as_str()).collect::<Vec<_>>(),
        ["VI_1", "VI_2"]
    );
    assert!(sg.sync_group_tracking_weight);
    assert!(sg.notify.master.is_some());
    round_trip(&text);
}

#[test]
fn state_errors_have_help() {
    for (word, help) in [("SLAVE", "BACKUP"), ("master", "MASTER")] {
        let c = compile(&inst(&format!(" state {word}")));
        let d = c
            .diagnostics
            .iter()
            .find(|d| d.code.id == 201)
            .expect("K0201");
        assert!(d.help.as_deref().is_some_and(|h| h.contains(help)), "{d:?}");
        assert_eq!(d.span.map(|s| s.line), Some(4));
    }
}

#[test]
fn auth_errors() {
    let c = compile(&inst(
        " authentication {\n  auth_type PASS;\n  auth_pass 123456789\n }",
    ));
    assert!(has(&c, 203) && has(&c, 202), "{}", c.render_human());
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code.id == 203)
        .expect("K0203");
    assert!(d.help.as_deref().is_some_and(|h| h.contains("`;`")));
    let c = compile(&inst(
        " version 3\n authentication {\n  auth_type AH\n  auth_pass x\n }",
    ));
    assert!(has(&c, 211));
    let c = compile(&format!(
        "global_defs {{\n vrrp_strict\n}}\n{}",
        inst(" authentication {\n  auth_type PASS\n  auth_pass x\n }")
    ));
    assert!(has(&c, 211), "{}", c.render_human());
    let c = compile(&inst(" authentication {\n  auth_type PASS\n }"));
    assert!(has(&c, 232));
}

#[test]
fn ranges() {
    for (line, code) in [
        (" priority 0", 37),
        (" priority 256", 37),
        (" virtual_router_id 0", 37),
        (" advert_int 0", 37),
        (" advert_int 300", 37),
        (" preempt_delay 2000", 37),
        (" advert_int 0.5", 205),
        (" version 3\n advert_int 0.125", 205),
        (" version 3\n advert_int 41", 205),
    ] {
        let c = compile(&inst(line));
        assert!(has(&c, code), "{line}: {}", c.render_human());
    }
}

#[test]
fn vrid_missing_or_invalid_reported_once() {
    let c = compile("vrrp_instance VI_1 {\n interface eth0\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n");
    assert_eq!(codes(&c), vec![204]);
    let c = compile("vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 0\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n");
    assert_eq!(codes(&c), vec![37]);
}

#[test]
fn name_errors() {
    let c = compile(&format!("{}{}", inst(""), inst("").replace(" 51", " 52")));
    assert!(has(&c, 44));
    assert_eq!(c.config.vrrp.instances.len(), 1);
    let c = compile("vrrp_instance {\n interface eth0\n}\n");
    assert!(has(&c, 46));
    assert!(c.config.vrrp.instances.is_empty());
}

#[test]
fn vrid_conflicts() {
    let two = |a: &str, b: &str| {
        compile(&format!(
            "{}{}",
            inst(a),
            inst(b)
                .replace("VI_1", "VI_2")
                .replace("192.168.10.100", "192.168.10.101")
        ))
    };
    let c = two("", "");
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code.id == 207)
        .expect("K0207");
    assert!(d.message.contains("VI_1") && d.message.contains("VI_2"));
    assert_eq!(d.related.len(), 1);
    // Different group, unicast vs multicast, different peers: no conflict.
    assert!(!has(&two(" mcast_dst_ip 224.0.0.19", ""), 207));
    assert!(!has(&two(" unicast_peer {\n  192.168.10.9\n }", ""), 207));
    let u = |p: &str| {
        format!(" unicast_src_ip 192.168.10.1\n unicast_peer {{\n  {p}\n }}")
    };
    assert!(!has(&two(&u("192.168.10.2"), &u("192.168.10.3")), 207));
    assert!(has(&two(&u("192.168.10.2"), &u("192.168.10.2")), 207));
}

#[test]
fn family_checks() {
    let c = compile(&inst(" virtual_ipaddress {\n  2001:db8::1\n }"));
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code.id == 208)
        .expect("K0208");
    // The IPv6 block comes first, so the IPv4 VIP is the odd one out.
    assert_eq!(d.span.map(|s| s.line), Some(8));
    let c = compile(&inst(
        " unicast_src_ip 192.168.10.1\n unicast_peer {\n  2001:db8::2\n }",
    ));
    assert!(has(&c, 208));
    let c = compile("vrrp_instance V6 {\n interface eth0\n virtual_router_id 1\n version 2\n virtual_ipaddress {\n  2001:db8::1\n }\n}\n");
    assert!(has(&c, 206));
}

#[test]
fn unicast_checks() {
    let c = compile(&inst(" unicast_src_ip 192.168.10.1\n unicast_peer {\n  224.0.0.18\n  192.168.10.1\n }"));
    assert!(has(&c, 209) && has(&c, 210), "{}", c.render_human());
    let c = compile(&inst(" unicast_ttl 3"));
    assert!(has(&c, 230));
    let c = compile(&inst(" mcast_dst_ip 10.0.0.1"));
    assert!(has(&c, 231));
    let c = compile(&inst(" unicast_src_ip 192.168.10.1"));
    assert!(has(&c, 233));
    let c = compile(&inst(
        " unicast_peer {\n  192.168.10.2 min_ttl 9 max_ttl 3\n }",
    ));
    assert!(has(&c, 244));
}

#[test]
fn preemption_checks() {
    assert!(has(
        &compile(&inst(" state MASTER\n priority 100\n nopreempt")),
        212
    ));
    // MASTER without a priority means 255: the owner check wins.
    assert!(has(&compile(&inst(" state MASTER\n nopreempt")), 213));
    assert!(has(&compile(&inst(" priority 255\n nopreempt")), 213));
    assert!(has(&compile(&inst(" nopreempt\n preempt_delay 5")), 214));
    assert!(!has(&compile(&inst(" state BACKUP\n nopreempt")), 212));
    assert!(has(
        &compile(&inst(" state MASTER\n priority 100\n strict_mode")),
        229
    ));
    assert!(has(&compile(&inst(" state MASTER\n state BACKUP")), 239));
}

#[test]
fn tracker_checks() {
    let c = compile(&format!(
        "vrrp_script chk_haproxy {{\n script \"/bin/true\"\n}}\n{}",
        inst(" track_script {\n  chk_haproxx\n  chk_haproxy weight 300\n }\n track_interface {\n  eth0\n  eth2\n  eth2\n }")
    ));
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code.id == 215)
        .expect("K0215");
    assert_eq!(d.help.as_deref(), Some("did you mean `chk_haproxy`?"));
    assert!(
        has(&c, 37) && has(&c, 216) && has(&c, 217),
        "{}",
        c.render_human()
    );
    let c = compile(&inst(
        " priority 255\n track_interface {\n  eth1 weight 10\n }",
    ));
    assert!(has(&c, 241));
}

#[test]
fn sync_group_checks() {
    let two = format!(
        "{}{}",
        inst(""),
        inst("").replace("VI_1", "VI_2").replace(" 51", " 52")
    );
    let c = compile(&format!("vrrp_sync_group G {{\n VI_1\n VI_2\n}}\n{two}"));
    assert!(has(&c, 225) && !has(&c, 30), "{}", c.render_human());
    let c = compile(&format!(
        "vrrp_sync_group G {{\n grop {{\n  VI_1\n }}\n}}\n{two}"
    ));
    assert!(
        has(&c, 30) && !has(&c, 225),
        "a typo stays an unknown keyword"
    );
    let c = compile(&format!(
        "vrrp_sync_group G {{\n group {{\n  VI_1\n  VI_3\n }}\n}}\n{two}"
    ));
    assert!(has(&c, 218) && has(&c, 220));
    let c = compile(&format!(
        "vrrp_sync_group G {{\n group {{\n  VI_1\n  VI_2\n }}\n}}\nvrrp_sync_group H {{\n group {{\n  VI_2\n  VI_1\n }}\n}}\n{two}"
    ));
    assert!(has(&c, 219));
    let weighted = format!(
        "{}{}",
        inst(" track_interface {\n  eth1 weight -5\n }"),
        inst("").replace("VI_1", "VI_2").replace(" 51", " 52")
    );
    let c = compile(&format!(
        "vrrp_sync_group G {{\n group {{\n  VI_1\n  VI_2\n }}\n}}\n{weighted}"
    ));
    assert!(has(&c, 221));
    let c = compile(&format!(
        "vrrp_sync_group G {{\n group {{\n  VI_1\n  VI_2\n }}\n global_tracking\n}}\n{weighted}"
    ));
    assert!(!has(&c, 221) && has(&c, 33));
}

#[test]
fn notify_checks() {
    let c = compile(&inst(" notify_master /etc/notify.sh MASTER"));
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code.id == 224)
        .expect("K0224");
    assert!(d
        .help
        .as_deref()
        .is_some_and(|h| h.contains("\"/etc/notify.sh MASTER\"")));
    assert!(has(
        &compile(&inst(" notify_backup /etc/notify.sh backup")),
        224
    ));
    let c = compile(&inst(" notify_master /etc/notify.sh keepalived_script"));
    assert!(!has(&c, 224));
    let c = compile(&inst(" notify_backup /a.sh\n notify_backup /b.sh"));
    assert!(has(&c, 228));
    assert_eq!(
        first(&c)
            .notify
            .backup
            .as_ref()
            .map(|b| b.script.program().to_owned()),
        Some("/a.sh".to_owned())
    );
}

#[test]
fn deprecated_and_misc() {
    assert!(has(&compile(&inst(" lvs_sync_daemon_interface eth1")), 226));
    assert!(has(&compile(&inst(" linkbeat_use_polling")), 227));
    assert!(has(&compile(&inst(" vmac_garp_intvl 10")), 33));
    assert!(has(&compile(&inst(" vrf blue")), 236));
    assert!(has(&compile(&inst(" use_vmac 01:00:5e:00:00:01")), 237));
    assert!(has(
        &compile(&inst(" use_vmac\n unicast_peer {\n  192.168.10.9\n }")),
        242
    ));
    assert!(has(&compile(&inst(" priorty 100")), 30));
    let c = compile("vrrp_instance VI_1 {\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n");
    assert!(has(&c, 234));
    assert!(has(
        &compile(
            "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n}\n"
        ),
        223
    ));
}

#[test]
fn dump_round_trips() {
    round_trip(&inst(
        " state BACKUP\n priority 90\n advert_int 1\n authentication {\n  auth_type AH\n  auth_pass \"a b!c\"\n }\n \
         unicast_src_ip 192.168.10.1\n unicast_peer {\n  192.168.10.2 min_ttl 1\n }\n unicast_ttl 9\n \
         notify_master \"/etc/k/notify.sh master 'x y'\" root\n notify \"/etc/k/all.sh\"\n notify_deleted \"/d.sh\"\n \
         track_interface {\n  eth1\n }\n preempt_delay 1.5\n garp_extra_if 5\n use_vmac vrrp51\n \
         use_ipvlan 10.1.1.1/24 bridge\n strict_mode off\n no_accept\n dont_track_primary\n track_src_ip\n \
         garp_master_repeat 3\n garp_lower_prio_repeat 0\n higher_prio_send_advert false\n notify_priority_changes\n \
         check_unicast_src\n unicast_fault_no_peer\n old_unicast_checksum\n mcast_src_ip 192.168.10.1",
    ));
    round_trip(&format!(
        "vrrp_sync_group G {{\n group {{\n }}\n smtp_alert\n notify_priority_changes false\n}}\n{}",
        inst(" unicast_peer {\n }\n native_ipv6").replace("192.168.10.100/24", "fe80::1")
    ));
}

/// keepalived 2.2.7 warns (deprecated, falls back to multicast) for any
/// unicast keyword without peers, not only `unicast_src_ip` (found by the
/// differential test).
#[test]
fn unicast_keywords_without_peers_warn() {
    for extra in [
        " unicast_peer {\n }",
        " check_unicast_src",
        " old_unicast_checksum",
    ] {
        let c = compile(&inst(extra));
        assert_eq!(codes(&c), [233], "{extra}");
        assert!(!c.has_errors());
    }
    // One warning per instance, on the first unicast keyword.
    let c = compile(&inst(" unicast_src_ip 192.168.10.1\n check_unicast_src"));
    assert_eq!(codes(&c), [233]);
    // With peers, or when the instance is told to go to fault: nothing.
    let c = compile(&inst(
        " check_unicast_src\n unicast_peer {\n  192.168.10.2\n }",
    ));
    assert!(!has(&c, 233));
    let c = compile(&inst(" check_unicast_src\n unicast_fault_no_peer"));
    assert!(!has(&c, 233));
}

#[test]
fn ah_with_initial_master() {
    let ah = " authentication {\n  auth_type AH\n  auth_pass x\n }";
    let c = compile(&inst(&format!(" state MASTER\n priority 150\n{ah}")));
    assert!(has(&c, 245), "{}", c.render_human());
    // The address owner may start as master, and BACKUP is fine.
    let c = compile(&inst(&format!(" state MASTER\n priority 255\n{ah}")));
    assert!(!has(&c, 245));
    let c = compile(&inst(&format!(" state BACKUP\n priority 150\n{ah}")));
    assert!(!has(&c, 245));
}
