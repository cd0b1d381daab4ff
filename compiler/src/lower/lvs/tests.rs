//! Unit tests of the LVS lowering, checks and dump.

use std::net::IpAddr;

use super::group::parse_range;
use crate::ir::lvs::*;
use crate::ir::value::{Family, Micros};
use crate::testing::{codes, compile};
use crate::{Compilation, Severity};

fn has(c: &Compilation, code: &str) -> bool {
    codes(c).iter().any(|x| x == code)
}

fn errors(c: &Compilation) -> Vec<String> {
    c.diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .map(|d| format!("{}: {}", d.code.name(), d.message))
        .collect()
}

/// A virtual server around `body` lines (at VS level) and one real server
/// with `rs` lines.
fn vs(body: &str, rs: &str) -> String {
    format!(
        "virtual_server 192.0.2.1 80 {{\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n{body}\n \
         real_server 192.0.2.10 80 {{\n  weight 1\n{rs}\n }}\n}}\n"
    )
}

fn first_vs(c: &Compilation) -> &VirtualServer {
    &c.config.lvs.servers[0]
}

const FULL: &str = r#"
track_file maint {
    file /tmp/maint
}
virtual_server_group G1 {
    192.0.2.1 80
    192.0.2.10-20 443
    192.0.2.64/26 8080
    2001:db8::1-ff 80
    fwmark 7 inet
}
virtual_server group G1 {
    lvs_sched sh
    sh-port
    ops
    lvs_method TUN type gue port 6080 csum
    protocol UDP
    persistence_timeout 600
    persistence_granularity 255.255.255.0
    alpha
    omega
    quorum 2
    hysteresis 1
    quorum_up "/usr/bin/up arg" root
    delay_loop 10
    connect_timeout 2.5
    retry 4
    delay_before_retry 1
    warmup 3
    smtp_alert off
    weight 3
    sorry_server 192.0.2.99 80
    sorry_server_inhibit
    sorry_server_lvs_method DR
    real_server 192.0.2.11 80 {
        weight 2
        lvs_method TUN type gre nocsum
        inhibit_on_failure
        notify_up /usr/bin/up
        uthreshold 100
        lthreshold 10
        HTTP_GET {
            connect_ip 192.0.2.12
            connect_port 8080
            bindto 192.0.2.2
            bind_if eth0
            nb_get_retry 3
            http_protocol 1.1
            virtualhost www.example.com
            url {
                path /health
                digest 640205b7b0fc66c1ea91c463fac6334d
                status_code 200 301-302
                regex "OK"
                regex_options caseless
            }
        }
        MISC_CHECK {
            misc_path "/usr/bin/check.sh a b"
            misc_timeout 5
            misc_dynamic
            user nobody
        }
        DNS_CHECK {
            type aaaa
            name example.com
        }
        UDP_CHECK {
            payload 0a0b 0c
            require_reply 0aXX
            max_reply_length 64
        }
        FILE_CHECK {
            track_file maint
            weight -10 reverse
        }
        SMTP_CHECK {
            helo_name mx.example.com
            host {
                connect_ip 192.0.2.30
                connect_port 25
            }
        }
        PING_CHECK {
            retry 0
        }
    }
}
"#;

#[test]
fn full_config_lowers() {
    let c = compile(FULL);
    assert_eq!(errors(&c), Vec::<String>::new(), "{}", c.render_human());
    let g = &c.config.lvs.groups[0];
    assert_eq!(g.name.value, "G1");
    assert_eq!(g.entries.len(), 5);
    assert!(matches!(
        g.entries[1].value,
        GroupEntry::Addresses {
            range: AddrRange::LastPart { last: 20, .. },
            port: Some(443)
        }
    ));
    assert!(matches!(
        g.entries[3].value,
        GroupEntry::Addresses {
            range: AddrRange::LastPart { last: 0xff, .. },
            ..
        }
    ));
    assert_eq!(
        g.entries[4].value,
        GroupEntry::Fwmark {
            mark: 7,
            family: Some(Family::Inet)
        }
    );
    let v = first_vs(&c);
    assert_eq!(v.key.value, VsKey::Group("G1".into()));
    assert_eq!(v.sched.map(|s| s.value), Some(Scheduler::Sh));
    let m = v.method.map(|m| m.value);
    assert_eq!(
        m,
        Some(Forwarding {
            method: Method::Tun,
            tunnel_type: Some(TunnelType::Gue),
            tunnel_port: Some(6080),
            csum: Some(TunnelCsum::Csum),
        })
    );
    assert_eq!(v.protocol.map(|p| p.value), Some(Protocol::Udp));
    assert_eq!(v.persistence_timeout.map(|p| p.value), Some(Some(600)));
    assert_eq!(v.quorum.map(|q| q.value), Some(2));
    assert_eq!(
        v.timing.connect_timeout.map(|t| t.value),
        Some(Micros(2_500_000))
    );
    assert_eq!(v.flags.len(), 2);
    let sorry = v
        .sorry_server
        .as_ref()
        .map(|s| (s.inhibit, s.method.map(|m| m.value.method)));
    assert_eq!(sorry, Some((true, Some(Method::Dr))));
    let rs = &v.real_servers[0];
    assert_eq!(rs.weight.map(|w| w.value), Some(2));
    assert_eq!(rs.inhibit_on_failure.map(|w| w.value), Some(true));
    assert_eq!(rs.checkers.len(), 7);
    let http = &rs.checkers[0];
    assert_eq!(
        http.timing.retry.map(|r| r.value),
        Some(3),
        "nb_get_retry maps to retry"
    );
    let CheckDetail::Http(h) = &http.detail else {
        panic!("not http")
    };
    assert_eq!(h.urls[0].status_codes.len(), 2);
    assert_eq!(
        h.urls[0].status_codes[1].value,
        StatusRange { min: 301, max: 302 }
    );
    assert_eq!(
        h.urls[0].digest.map(|d| d.value.to_string()).as_deref(),
        Some("640205b7b0fc66c1ea91c463fac6334d")
    );
    let CheckDetail::Misc(m) = &rs.checkers[1].detail else {
        panic!("not misc")
    };
    assert_eq!(
        m.path.as_ref().map(|p| p.value.script.argv.clone()),
        Some(vec!["/usr/bin/check.sh".into(), "a".into(), "b".into()])
    );
    let CheckDetail::Dns(d) = &rs.checkers[2].detail else {
        panic!("not dns")
    };
    assert_eq!(d.query_type.map(|t| t.value), Some(DnsType::Aaaa));
    let CheckDetail::File(f) = &rs.checkers[4].detail else {
        panic!("not file")
    };
    assert_eq!(
        (f.weight.map(|w| w.value), f.reverse),
        (Some(-10), Some(true))
    );
    assert!(has(&c, "K0033"), "nb_get_retry is deprecated");
}

/// dump(x) lowers to the same Config, checks clean, and is a fixpoint.
fn round_trip(text: &str) {
    let c = compile(text);
    let d1 = c.dump();
    let c2 = compile(&d1);
    assert_eq!(
        errors(&c2),
        Vec::<String>::new(),
        "dump:\n{d1}\n{}",
        c2.render_human()
    );
    assert_eq!(c.config.lvs, c2.config.lvs, "dump:\n{d1}");
    assert_eq!(c2.dump(), d1);
}

#[test]
fn full_config_round_trips() {
    round_trip(FULL);
    round_trip(&vs(
        " persistence_timeout\n ha_suspend\n inhibit_on_failure",
        "  TCP_CHECK {\n   connect_timeout 3\n  }",
    ));
    round_trip(&vs(" ip_family inet\n lb_algo wrr", "  lb_kind DR\n  SSL_GET {\n   url {\n    path /\n   }\n   enable_sni\n   fast_recovery off\n  }"));
}

#[test]
fn dump_uses_current_spellings() {
    let c = compile(
        "virtual_server 192.0.2.1 80 {\n lb_algo rr\n lb_kind DR\n protocol tcp\n \
         real_server 192.0.2.10 80 {\n  HTTP_GET {\n   nb_get_retry 2\n   url {\n    path /\n   }\n  }\n }\n}\n",
    );
    let d = c.dump();
    assert!(
        d.contains("lvs_sched rr") && d.contains("lvs_method DR"),
        "{d}"
    );
    assert!(d.contains("protocol TCP") && d.contains("retry 2"), "{d}");
    assert!(!d.contains("lb_") && !d.contains("nb_get_retry"), "{d}");
}

#[test]
fn method_is_case_sensitive() {
    let c = compile(&vs(" lvs_method dr", ""));
    assert!(has(&c, "K0040"));
    let help = c
        .diagnostics
        .iter()
        .find_map(|d| d.help.clone())
        .unwrap_or_default();
    assert!(help.contains("`DR`"), "{help}");
}

#[test]
fn fnat_is_a_fork_keyword() {
    let c = compile(&vs(" lb_kind FNAT", ""));
    assert!(has(&c, "K0312"), "{:?}", codes(&c));
    assert!(c.render_human().contains("Alibaba"));
}

#[test]
fn scheduler_errors() {
    let c = compile(&vs(" lvs_sched roundrobin", ""));
    assert!(has(&c, "K0040"));
    let c = compile(&vs(" lvs_sched wrrr", ""));
    assert!(
        c.render_human().contains("did you mean `wrr`?"),
        "{}",
        c.render_human()
    );
}

#[test]
fn value_errors() {
    for (body, rs, code) in [
        (" persistence_timeout 5m", "", "K0036"),
        (" quorum 0", "", "K0037"),
        (" delay_loop 0", "", "K0037"),
        (" protocol ICMP", "", "K0040"),
        ("", "  weight -1", "K0037"),
        ("", "  weight 2147483648", "K0037"),
        ("", "  TCP_CHECK {\n   connect_port 0\n  }", "K0037"),
        ("", "  TCP_CHECK {\n   connect_timeout 0\n  }", "K0037"),
        ("", "  TCP_CHECK {\n   nb_get_retry 3\n  }", "K0312"),
        ("", "  HTTP_GET {\n   url {\n    path /\n    status_code 2xx\n   }\n  }", "K0318"),
        ("", "  HTTP_GET {\n   url {\n    path /\n    digest abc\n   }\n  }", "K0317"),
        ("", "  HTTP_GET {\n  }", "K0311"),
        ("", "  HTTP_GET {\n   url {\n    digest 640205b7b0fc66c1ea91c463fac6334d\n   }\n  }", "K0311"),
        ("", "  MISC_CHECK {\n   misc_timeout 3\n  }", "K0311"),
        ("", "  FILE_CHECK {\n   weight 3\n  }", "K0311"),
        ("", "  BFD_CHECK {\n  }", "K0311"),
        ("", "  DNS_CHECK {\n   type AXFR\n  }", "K0040"),
        (" lvs_method TUN csum", "", "K0314"),
        (" lvs_method TUN type ipip port 5", "", "K0314"),
        (" nat_mask 255.255.255.0", "", "K0312"),
        (" laddr_group_name g", "", "K0312"),
        (" sorry_server_lvs_method DR", "", "K0315"),
        (" mh-port", "", "K0316"),
    ] {
        let c = compile(&vs(body, rs));
        assert!(has(&c, code), "{body:?} {rs:?}: {:?}\n{}", codes(&c), c.render_human());
    }
}

#[test]
fn real_server_port_out_of_range_drops_it() {
    let c = compile(
        "virtual_server 192.0.2.1 80 {\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n \
         real_server 192.0.2.10 70000 {\n  weight 1\n }\n}\n",
    );
    let d = c.diagnostics.iter().find(|d| d.code.name() == "K0037");
    assert_eq!(
        d.and_then(|d| d.span).map(|s| (s.line, s.col)),
        Some((5, 25))
    );
    assert!(has(&c, "K0300"));
    assert!(first_vs(&c).real_servers.is_empty());
}

#[test]
fn misc_without_path_is_reported_on_the_closing_brace() {
    let c = compile(&vs("", "  MISC_CHECK {\n   misc_timeout 3\n  }"));
    let d = c.diagnostics.iter().find(|d| d.code.name() == "K0311");
    assert_eq!(d.and_then(|d| d.span).map(|s| s.line), Some(10));
    assert!(first_vs(&c).real_servers[0].checkers.is_empty());
}

#[test]
fn whole_config_checks() {
    let no_rs = "virtual_server 192.0.2.1 80 {\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n}\n";
    assert!(has(&compile(no_rs), "K0300"));
    let c = compile("virtual_server group nope {\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n real_server 192.0.2.10 80 {\n }\n}\n");
    assert!(has(&c, "K0301"));
    let c = compile(
        "virtual_server 192.0.2.1 80 {\n real_server 192.0.2.10 80 {\n }\n}\n",
    );
    assert!(has(&c, "K0302") && has(&c, "K0303") && has(&c, "K0313"));
    assert!(!c.has_errors(), "defaults are warnings");
    let c = compile(&vs(" sorry_server 2001:db8::1 80", ""));
    assert!(has(&c, "K0305"));
    let c = compile(&vs(
        " sorry_server 2001:db8::1 80\n sorry_server_lvs_method TUN",
        "",
    ));
    assert!(!has(&c, "K0305"), "TUN may mix families");
    let c = compile(&vs(" quorum 3", ""));
    assert!(has(&c, "K0308"));
    let c = compile(&vs("", "  FILE_CHECK {\n   track_file nope\n  }"));
    assert!(has(&c, "K0309"));
    let c = compile(&vs("", "  BFD_CHECK {\n   name nope\n  }"));
    assert!(has(&c, "K0310"));
    let twice = vs("", "");
    assert!(has(&compile(&format!("{twice}{twice}")), "K0306"));
}

#[test]
fn fwmark_with_protocol_warns() {
    let c = compile("virtual_server fwmark 1 {\n lvs_sched rr\n lvs_method DR\n protocol TCP\n real_server 192.0.2.10 {\n }\n}\n");
    assert!(has(&c, "K0304"), "{:?}", codes(&c));
    assert!(!c.has_errors(), "{}", c.render_human());
}

#[test]
fn duplicate_real_server() {
    let c = compile(
        "virtual_server 192.0.2.1 80 {\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n \
         real_server 192.0.2.10 80 {\n }\n real_server 192.0.2.10 80 {\n }\n}\n",
    );
    assert!(has(&c, "K0307"));
}

#[test]
fn ranges() {
    let a = |s: &str| s.parse::<IpAddr>().ok();
    assert_eq!(
        parse_range("192.0.2.1").ok(),
        a("192.0.2.1").map(AddrRange::Single)
    );
    assert!(matches!(
        parse_range("192.0.2.1-192.0.2.9"),
        Ok(AddrRange::Span { .. })
    ));
    assert!(matches!(
        parse_range("192.0.2.0/24"),
        Ok(AddrRange::Prefix(_))
    ));
    assert!(parse_range("192.0.2.1/24").is_err(), "host bits set");
    assert!(parse_range("192.0.2.0/0").is_err());
    assert!(parse_range("192.0.2.0/32").is_ok());
    assert!(parse_range("2001:db8::/128").is_ok());
    assert!(parse_range("192.0.2.9-3").is_err());
    assert!(parse_range("192.0.2.9-256").is_err());
    assert!(parse_range("192.0.2.9-192.0.2.1").is_err());
    assert!(parse_range("192.0.2.1-2001:db8::1").is_err());
    assert_eq!(
        parse_range("2001:db8::1-1f")
            .map(|r| r.to_string())
            .ok()
            .as_deref(),
        Some("2001:db8::1-1f")
    );
}

#[test]
fn group_errors() {
    assert!(has(&compile("virtual_server_group G {\n}\n"), "K0327"));
    let mixed = "virtual_server_group G {\n 192.0.2.1 80\n 2001:db8::1 80\n fwmark 3\n}\n";
    assert!(has(&compile(mixed), "K0327"));
    let bad = "virtual_server_group G {\n 192.0.2.1/33 80\n 192.0.2.2 80\n}\n";
    assert!(has(&compile(bad), "K0326"));
}

#[test]
fn garbage_never_panics() {
    for text in [
        "virtual_server {\n}\n",
        "virtual_server fwmark\n",
        "virtual_server group {\n real_server {\n  HTTP_GET {\n   url\n  }\n }\n}\n",
        "virtual_server 1.2.3.4 80 {\n real_server 1.2.3.5 {\n  UDP_CHECK {\n   payload\n   require_reply\n  }\n  FILE_CHECK {\n   weight\n  }\n }\n}\n",
        "virtual_server_group {\n fwmark\n - 80\n /\n 1.2.3.4- 80\n ::-\n}\n",
        "virtual_server 1.2.3.4 80 {\n lvs_method TUN type\n sorry_server\n persistence_granularity 1.2.3\n}\n",
    ] {
        let c = compile(text);
        let _ = c.dump();
    }
}

/// keepalived 2.2.7 compares `bindto` with the real server's address when
/// no `connect_ip` precedes it, and drops it on a family mismatch (found by
/// the differential test).
#[test]
fn bindto_of_the_other_family_than_the_real_server() {
    let check =
        |body: &str| compile(&vs("", &format!("  TCP_CHECK {{\n{body}\n  }}")));
    let c = check("   bindto 2001:db8::1");
    assert_eq!(errors(&c).len(), 1, "{}", c.render_human());
    assert!(has(&c, "K0305"));
    // connect_ip first: bindto is compared with it.
    let c = check("   connect_ip 2001:db8::10\n   bindto 2001:db8::1");
    assert!(errors(&c).is_empty(), "{}", c.render_human());
    // connect_ip after bindto of the same family: bindto was already dropped.
    let c = check("   bindto 2001:db8::1\n   connect_ip 2001:db8::10");
    assert_eq!(errors(&c).len(), 1, "{}", c.render_human());
    // Different families between the two: one error, not two.
    let c = check("   bindto 2001:db8::1\n   connect_ip 192.0.2.10");
    assert_eq!(errors(&c).len(), 1, "{}", c.render_human());
    let c = check("   bindto 192.0.2.2");
    assert!(errors(&c).is_empty());
    // SMTP_CHECK host blocks too.
    let c = compile(&vs(
        "",
        "  SMTP_CHECK {\n   host {\n    bindto 2001:db8::1\n   }\n  }",
    ));
    assert!(has(&c, "K0305"), "{}", c.render_human());
}
