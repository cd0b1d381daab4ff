//! Hand-built site tables for unit tests: [`site`] mirrors
//! `fixtures/default/keepalived.conf`; [`named`] adds an `instance` name,
//! an IPv6 instance with a source address, static addresses and a NAT
//! virtual server.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;

use kac_runtime::site::addr::{Address, Route};
use kac_runtime::site::lvs::{
    Check, Checker, Connect, Method, Protocol, RealServer, Service, Timing,
    VirtualServer,
};
use kac_runtime::site::track::VrrpScript;
use kac_runtime::site::vrrp::{
    Auth, Garp, InitialState, Instance, Notify, TrackRef,
};
use kac_runtime::site::*;

const fn address(
    prefix: Prefix,
    dev: Option<IfName>,
    line: &'static str,
) -> Address {
    Address {
        dev,
        ..Address::plain(prefix, line)
    }
}

const GARP: Garp = Garp::KEEPALIVED;

const TCP: Checker = Checker {
    check: Check::Tcp,
    connect: Connect {
        ip: None,
        port: None,
        bindto: None,
        bind_port: None,
        bind_if: None,
        fwmark: None,
    },
    timing: Timing {
        delay_loop: Duration::from_secs(6),
        connect_timeout: Duration::from_secs(3),
        retry: 1,
        delay_before_retry: Duration::from_secs(1),
        warmup: None,
    },
    alpha: false,
};

const fn rs(last: u8, method: Method) -> RealServer {
    RealServer {
        addr: IpAddr::V4(Ipv4Addr::new(198, 51, 100, last)),
        port: 80,
        weight: 1,
        method,
        uthreshold: None,
        lthreshold: None,
        inhibit_on_failure: false,
        notify_up: None,
        notify_down: None,
        checkers: &[TCP],
    }
}

const TRACK_CHK: &[TrackRef] = &[TrackRef {
    index: 0,
    weight: Weight::new(-20),
    reverse: false,
}];

const fn instance(
    name: &'static str,
    interface: &'static str,
    vrid: u8,
    addresses: &'static [Address],
) -> Instance {
    Instance {
        name,
        interface: IfName::new(interface),
        vrid: Vrid::new(vrid),
        ipv6: false,
        version: VrrpVersion::V2,
        priority: Priority::new(100),
        initial: InitialState::Backup,
        advert_interval: AdvertInterval::new(VrrpVersion::V2, 100),
        auth: Auth::Pass("k4c-pass"),
        preempt: true,
        preempt_delay: None,
        accept: false,
        strict: false,
        addresses,
        excluded_addresses: &[],
        routes: &[],
        rules: &[],
        src_ip: None,
        mcast_dst: None,
        unicast_peers: &[],
        unicast_ttl: None,
        track_interfaces: &[],
        track_scripts: TRACK_CHK,
        track_files: &[],
        track_processes: &[],
        dont_track_primary: false,
        garp: GARP,
        notify: Notify {
            master: None,
            backup: None,
            fault: None,
            stop: None,
            notify: None,
            master_rx_lower_pri: None,
        },
        use_vmac: None,
        vmac_xmit_base: false,
        native_ipv6: false,
        skip_check_adv_addr: false,
        lower_prio_no_advert: false,
        higher_prio_send_advert: false,
        down_timer_adverts: 3,
        linkbeat_use_polling: false,
        old_unicast_checksum: false,
    }
}

const fn global(instance: Option<&'static str>) -> Global {
    Global {
        router_id: Some("kac-default"),
        script_user: Some(("root", None)),
        enable_script_security: true,
        instance,
        ..Global::KEEPALIVED
    }
}

const fn vs(
    method: Method,
    real_servers: &'static [RealServer],
) -> VirtualServer {
    VirtualServer {
        scheduler: "rr",
        method,
        ..VirtualServer::new(
            Service::Addr {
                addr: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 100)),
                port: 80,
            },
            Protocol::Tcp,
            real_servers,
            "virtual_server 192.0.2.100 80",
        )
    }
}

const SCRIPTS: &[VrrpScript] = &[VrrpScript {
    name: "chk_service",
    command: Command::new(&["/usr/bin/test", "-e", "/run/service.up"]),
    interval: Interval::from_micros(2_000_000),
    timeout: Duration::from_secs(2),
    weight: Weight::new(-20),
    reverse: false,
    rise: 2,
    fall: 2,
    init_fail: false,
}];

static DEFAULT: Site = Site {
    name: "default",
    config_path: "fixtures/default/keepalived.conf",
    config_sha256:
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
    config_files: 1,
    dump: "global_defs {\n    router_id kac-default\n}\n",
    global: global(None),
    scripts: SCRIPTS,
    track_files: &[],
    track_processes: &[],
    instances: &[instance(
        "VI_1",
        "eth0",
        51,
        &[address(
            Prefix::v4([192, 0, 2, 100], 24),
            Some(IfName::new("eth0")),
            "192.0.2.100/24 dev eth0",
        )],
    )],
    sync_groups: &[],
    static_addresses: &[],
    static_routes: &[],
    static_rules: &[],
    virtual_servers: &[vs(
        Method::Dr,
        &[rs(11, Method::Dr), rs(12, Method::Dr)],
    )],
};

/// The fixtures/default site.
pub fn site() -> &'static Site {
    &DEFAULT
}

const V6: Instance = {
    let mut i = instance(
        "VI_6",
        "eth1",
        52,
        &[address(
            Prefix::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x100], 64),
            None,
            "2001:db8::100/64",
        )],
    );
    i.ipv6 = true;
    i.version = VrrpVersion::V3;
    i.advert_interval = AdvertInterval::new(VrrpVersion::V3, 50);
    i.auth = Auth::None;
    i.src_ip = Some(IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)));
    i.track_scripts = &[];
    i.routes = &[Route {
        via: Some(IpAddr::V6(Ipv6Addr::new(
            0x2001, 0xdb8, 0, 0, 0, 0, 0, 0xfe,
        ))),
        ..Route::to(
            Some(Prefix::v6([0x2001, 0xdb8, 1, 0, 0, 0, 0, 0], 48)),
            true,
            "2001:db8:1::/48 via 2001:db8::fe",
        )
    }];
    i
};

static NAMED: Site = Site {
    name: "lb",
    config_path: "/etc/kac/lb.conf",
    config_sha256:
        "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100",
    config_files: 3,
    dump: "",
    global: global(Some("lb1")),
    scripts: SCRIPTS,
    track_files: &[],
    track_processes: &[],
    instances: &[
        instance(
            "VI_1",
            "eth0",
            51,
            &[address(
                Prefix::v4([192, 0, 2, 100], 24),
                None,
                "192.0.2.100/24",
            )],
        ),
        V6,
    ],
    sync_groups: &[],
    static_addresses: &[address(
        Prefix::v4([203, 0, 113, 1], 32),
        Some(IfName::new("lo")),
        "203.0.113.1/32 dev lo",
    )],
    static_routes: &[],
    static_rules: &[],
    virtual_servers: &[vs(Method::Nat, &[rs(11, Method::Nat)])],
};

/// A site with an instance name, two instances and a NAT service.
pub fn named() -> &'static Site {
    &NAMED
}
