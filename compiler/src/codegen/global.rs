//! `Global`: the global_defs settings the runtime uses, defaults applied.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proc_macro2::TokenStream;
use quote::quote;

use super::emit::{bool_, duration, hex16, num, opt, opt_command, opt_str};
use crate::ir::global::NotifyFifo;
use crate::ir::Config;

/// keepalived's VRRP multicast groups (RFC 3768 / RFC 5798).
const MCAST4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 18);
const MCAST6: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x12);

pub fn site_global(c: &Config) -> TokenStream {
    let g = &c.global;
    let router_id = opt_str(g.router_id.as_ref().map(|r| r.value.as_str()));
    let script_user = opt(g.script_user.as_ref(), |r| {
        let user = &r.user;
        let group = opt_str(r.group.as_deref());
        quote!((#user, #group))
    });
    let security = bool_(g.enable_script_security.is_some());
    let instance = opt_str(g.instance.as_ref().map(|i| i.value.as_str()));
    let use_pid_dir = bool_(g.use_pid_dir.is_some());
    let strict = bool_(g.vrrp_strict.is_some());
    let m4 = match g.vrrp_mcast_group4.as_ref().map(|a| a.value) {
        Some(IpAddr::V4(a)) => a,
        _ => MCAST4,
    };
    let m6 = match g.vrrp_mcast_group6.as_ref().map(|a| a.value) {
        Some(IpAddr::V6(a)) => a,
        _ => MCAST6,
    };
    let m4 = m4.octets().map(num);
    let m6 = m6.segments().map(hex16);
    let startup_delay =
        opt(g.vrrp_startup_delay.as_ref().map(|d| d.value), duration);
    let fifo = |f: &NotifyFifo| {
        opt_str(f.fifo.as_ref().map(|f| f.value.path.as_str()))
    };
    let (nf, vf, lf) = (
        fifo(&g.notify_fifo),
        fifo(&g.vrrp_notify_fifo),
        fifo(&g.lvs_notify_fifo),
    );
    let startup = opt_command(g.startup_script.as_ref().map(|c| &c.value));
    let shutdown = opt_command(g.shutdown_script.as_ref().map(|c| &c.value));
    let lvs = lvs_globals(c);
    quote! {
        Global {
            router_id: #router_id,
            script_user: #script_user,
            enable_script_security: #security,
            instance: #instance,
            use_pid_dir: #use_pid_dir,
            vrrp_strict: #strict,
            vrrp_mcast_group4: ::core::net::Ipv4Addr::new(#(#m4),*),
            vrrp_mcast_group6: ::core::net::Ipv6Addr::new(#(#m6),*),
            vrrp_startup_delay: #startup_delay,
            notify_fifo: #nf,
            vrrp_notify_fifo: #vf,
            lvs_notify_fifo: #lf,
            startup_script: #startup,
            shutdown_script: #shutdown,
            lvs: #lvs,
        }
    }
}

fn lvs_globals(c: &Config) -> TokenStream {
    let g = &c.global;
    let secs = |v: Option<u64>| {
        opt(v.map(|s| u32::try_from(s).unwrap_or(u32::MAX)), num)
    };
    let timeouts = opt(g.lvs_timeouts.as_ref(), |t| {
        let (tcp, fin, udp) =
            (secs(t.value.tcp), secs(t.value.tcpfin), secs(t.value.udp));
        quote!(LvsTimeouts { tcp: #tcp, tcpfin: #fin, udp: #udp })
    });
    let flush = bool_(g.lvs_flush.is_some());
    let sync = opt(g.lvs_sync_daemon.as_ref(), |d| {
        let d = &d.value;
        let iface = super::emit::ifname(&d.interface);
        let instance = opt(
            d.instance.as_ref().and_then(|n| {
                c.vrrp
                    .instances
                    .iter()
                    .position(|i| i.name.value == n.value)
            }),
            |p| num(p as u64),
        );
        let id = opt(d.id, num);
        let maxlen = opt(d.maxlen, num);
        let port = opt(d.port, num);
        let ttl = opt(d.ttl, num);
        let group = opt(d.group, super::emit::ip);
        quote!(LvsSyncDaemon {
            interface: #iface,
            instance: #instance,
            id: #id,
            maxlen: #maxlen,
            port: #port,
            ttl: #ttl,
            group: #group,
        })
    });
    quote! {
        LvsGlobals { timeouts: #timeouts, flush: #flush, sync_daemon: #sync }
    }
}
