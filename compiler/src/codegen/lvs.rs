//! Virtual servers, real servers and checkers, with keepalived's
//! defaults applied and groups expanded into address ranges.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proc_macro2::TokenStream;
use quote::quote;

use super::emit::{
    bool_, command, duration, ip, num, opt, opt_command, opt_str, slice,
};
use crate::ir::lvs::{
    AddrRange, CheckDetail, Checker, CheckerKind, ConnectOpts, Forwarding,
    Granularity, GroupEntry, Method, Protocol, RealServer, Timing,
    VirtualServer, VsKey,
};
use crate::ir::value::{Family, IpPrefix, Micros};
use crate::ir::Config;

pub fn virtual_servers(c: &Config) -> TokenStream {
    slice(c.lvs.servers.iter().map(|v| virtual_server(c, v)).collect())
}

fn method(m: Option<&Forwarding>, default: Method) -> Method {
    m.map_or(default, |f| f.method)
}

fn method_t(m: Method) -> TokenStream {
    match m {
        Method::Nat => quote!(Method::Nat),
        Method::Dr => quote!(Method::Dr),
        Method::Tun => quote!(Method::Tun),
    }
}

fn vs_port(v: &VirtualServer) -> u16 {
    match &v.key.value {
        VsKey::Addr { port, .. } => port.unwrap_or(0),
        _ => 0,
    }
}

fn virtual_server(c: &Config, v: &VirtualServer) -> TokenStream {
    let ipv6 = v.ip_family.as_ref().map(|f| f.value) == Some(Family::Inet6);
    let service = match &v.key.value {
        VsKey::Addr { addr, port } => {
            let (a, p) = (ip(*addr), num(port.unwrap_or(0)));
            quote!(Service::Addr { addr: #a, port: #p })
        }
        VsKey::Fwmark(m) => {
            let m = num(*m);
            quote!(Service::Fwmark { mark: #m, ipv6: #ipv6 })
        }
        VsKey::Group(name) => {
            let entries = c
                .lvs
                .groups
                .iter()
                .find(|g| &g.name.value == name)
                .map(|g| {
                    g.entries
                        .iter()
                        .map(|e| group_entry(e.value, ipv6))
                        .collect()
                })
                .unwrap_or_default();
            let entries = slice(entries);
            quote!(Service::Group { name: #name, entries: #entries })
        }
    };
    let protocol = match v.protocol.as_ref().map(|p| p.value) {
        Some(Protocol::Udp) => quote!(Protocol::Udp),
        Some(Protocol::Sctp) => quote!(Protocol::Sctp),
        _ => quote!(Protocol::Tcp),
    };
    let sched = v
        .sched
        .as_ref()
        .map_or_else(|| "wlc".to_owned(), |s| s.value.to_string());
    let flags: Vec<&str> = v.flags.iter().map(|f| f.value.keyword()).collect();
    let vs_method = method(v.method.as_ref().map(|m| &m.value), Method::Nat);
    let m = method_t(vs_method);
    let pt = opt(
        v.persistence_timeout
            .as_ref()
            .map(|p| p.value.unwrap_or(360)),
        num,
    );
    let pg = opt(
        v.persistence_granularity.as_ref().map(|g| match g.value {
            Granularity::PrefixLen(n) => n,
            Granularity::Mask(m) => u32::from(m).count_ones() as u8,
        }),
        num,
    );
    let pe = opt_str(v.persistence_engine.as_ref().map(|e| e.value.as_str()));
    let quorum = num(v.quorum.as_ref().map_or(1, |q| q.value));
    let hyst = num(v.hysteresis.as_ref().map_or(0, |q| q.value));
    let qu = opt_command(v.quorum_up.as_ref().map(|c| &c.value));
    let qd = opt_command(v.quorum_down.as_ref().map(|c| &c.value));
    let port = vs_port(v);
    let sorry = opt(v.sorry_server.as_ref(), |s| {
        let a = ip(s.addr.value);
        let p = num(s.port.as_ref().map_or(port, |p| p.value));
        let inhibit = bool_(s.inhibit);
        let sm =
            method_t(method(s.method.as_ref().map(|m| &m.value), vs_method));
        quote!(SorryServer { addr: #a, port: #p, inhibit: #inhibit, method: #sm })
    });
    let rss = slice(
        v.real_servers
            .iter()
            .map(|r| real_server(v, r, port, vs_method))
            .collect(),
    );
    let line = format!("virtual_server {}", v.key.value);
    let (alpha, omega, ha, inhibit) = (
        bool_(v.alpha),
        bool_(v.omega),
        bool_(v.ha_suspend),
        bool_(v.inhibit_on_failure),
    );
    quote! {
        VirtualServer {
            service: #service,
            protocol: #protocol,
            scheduler: #sched,
            flags: &[#(#flags),*],
            method: #m,
            persistence_timeout: #pt,
            persistence_granularity: #pg,
            persistence_engine: #pe,
            quorum: #quorum,
            hysteresis: #hyst,
            quorum_up: #qu,
            quorum_down: #qd,
            alpha: #alpha,
            omega: #omega,
            ha_suspend: #ha,
            inhibit_on_failure: #inhibit,
            sorry_server: #sorry,
            real_servers: #rss,
            line: #line,
        }
    }
}

/// The first and last address of a group line.
fn range_bounds(r: AddrRange) -> (IpAddr, IpAddr) {
    match r {
        AddrRange::Single(a) => (a, a),
        AddrRange::Span { start, end } => (start, end),
        AddrRange::LastPart { start, last } => {
            let end = match start {
                IpAddr::V4(v) => {
                    let mut o = v.octets();
                    o[3] = u8::try_from(last).unwrap_or(u8::MAX);
                    IpAddr::V4(Ipv4Addr::from(o))
                }
                IpAddr::V6(v) => {
                    let mut s = v.segments();
                    s[7] = last;
                    IpAddr::V6(Ipv6Addr::from(s))
                }
            };
            (start, end)
        }
        AddrRange::Prefix(IpPrefix { addr, len }) => match addr {
            IpAddr::V4(v) => {
                let bits = u32::from(v);
                let mask =
                    u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
                (
                    IpAddr::V4(Ipv4Addr::from(bits & mask)),
                    IpAddr::V4(Ipv4Addr::from(bits | !mask)),
                )
            }
            IpAddr::V6(v) => {
                let bits = u128::from(v);
                let mask =
                    u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
                (
                    IpAddr::V6(Ipv6Addr::from(bits & mask)),
                    IpAddr::V6(Ipv6Addr::from(bits | !mask)),
                )
            }
        },
    }
}

fn group_entry(e: GroupEntry, vs_ipv6: bool) -> TokenStream {
    match e {
        GroupEntry::Addresses { range, port } => {
            let (first, last) = range_bounds(range);
            let (f, l, p) = (ip(first), ip(last), num(port.unwrap_or(0)));
            quote!(GroupEntry::Range { first: #f, last: #l, port: #p })
        }
        GroupEntry::Fwmark { mark, family } => {
            let m = num(mark);
            let v6 = family.map_or(vs_ipv6, |f| f == Family::Inet6);
            quote!(GroupEntry::Fwmark { mark: #m, ipv6: #v6 })
        }
    }
}

fn real_server(
    v: &VirtualServer,
    r: &RealServer,
    vs_port: u16,
    vs_method: Method,
) -> TokenStream {
    let a = ip(r.addr.value);
    let port = num(r.port.as_ref().map_or(vs_port, |p| p.value));
    let weight = num(r.weight.as_ref().map_or(1, |w| w.value));
    let m = method_t(method(r.method.as_ref().map(|m| &m.value), vs_method));
    let ut = opt(r.uthreshold.as_ref().map(|t| t.value), num);
    let lt = opt(r.lthreshold.as_ref().map(|t| t.value), num);
    let inhibit = bool_(
        r.inhibit_on_failure
            .as_ref()
            .map_or(v.inhibit_on_failure, |i| i.value),
    );
    let up = opt_command(r.notify_up.as_ref().map(|c| &c.value));
    let down = opt_command(r.notify_down.as_ref().map(|c| &c.value));
    let checkers = slice(r.checkers.iter().map(|c| checker(v, r, c)).collect());
    quote! {
        RealServer {
            addr: #a,
            port: #port,
            weight: #weight,
            method: #m,
            uthreshold: #ut,
            lthreshold: #lt,
            inhibit_on_failure: #inhibit,
            notify_up: #up,
            notify_down: #down,
            checkers: #checkers,
        }
    }
}

/// A timing value from the innermost block that sets it.
fn inner<T: Copy>(
    levels: [&Timing; 3],
    f: impl Fn(&Timing) -> Option<T>,
) -> Option<T> {
    levels.into_iter().find_map(f)
}

fn checker(v: &VirtualServer, r: &RealServer, c: &Checker) -> TokenStream {
    let kind = c.kind.value;
    let levels = [&c.timing, &r.timing, &v.timing];
    let delay_loop = inner(levels, |t| t.delay_loop.as_ref().map(|d| d.value))
        .unwrap_or(Micros::from_secs(60));
    let connect_timeout = c
        .conn
        .connect_timeout
        .as_ref()
        .map(|d| d.value)
        .or(inner(levels, |t| {
            t.connect_timeout.as_ref().map(|d| d.value)
        }))
        .unwrap_or(Micros::from_secs(5));
    let retry = inner(levels, |t| t.retry.as_ref().map(|d| d.value)).unwrap_or(
        match kind {
            CheckerKind::Dns => 3,
            CheckerKind::Misc => 0,
            _ => 1,
        },
    );
    let dbr = inner(levels, |t| t.delay_before_retry.as_ref().map(|d| d.value))
        .unwrap_or(match kind {
            CheckerKind::HttpGet | CheckerKind::SslGet => Micros::from_secs(3),
            CheckerKind::Dns => delay_loop,
            _ => Micros::from_secs(1),
        });
    let warmup = inner(levels, |t| t.warmup.as_ref().map(|d| d.value))
        .unwrap_or(delay_loop);
    let check = check_detail(c, delay_loop);
    let connect = connect(&c.conn);
    let alpha = bool_(
        c.alpha
            .as_ref()
            .or(r.alpha.as_ref())
            .map_or(v.alpha, |a| a.value),
    );
    let (dl, ct, retry, dbr, warmup) = (
        duration(delay_loop),
        duration(connect_timeout),
        num(retry),
        duration(dbr),
        duration(warmup),
    );
    quote! {
        Checker {
            check: #check,
            connect: #connect,
            timing: Timing {
                delay_loop: #dl,
                connect_timeout: #ct,
                retry: #retry,
                delay_before_retry: #dbr,
                warmup: Some(#warmup),
            },
            alpha: #alpha,
        }
    }
}

fn connect(c: &ConnectOpts) -> TokenStream {
    let ipo = opt(c.connect_ip.as_ref().map(|a| a.value), ip);
    let port = opt(c.connect_port.as_ref().map(|p| p.value), num);
    let bindto = opt(c.bindto.as_ref().map(|a| a.value), ip);
    let bp = opt(c.bind_port.as_ref().map(|p| p.value), num);
    let bi = opt_str(c.bind_if.as_ref().map(|b| b.value.as_str()));
    let fw = opt(c.fwmark.as_ref().map(|f| f.value), num);
    quote! {
        Connect { ip: #ipo, port: #port, bindto: #bindto, bind_port: #bp, bind_if: #bi, fwmark: #fw }
    }
}

/// Hex words (`"0a 0b"`, `"0a0b"`) to bytes.
fn hex_bytes(words: &[String]) -> Vec<u8> {
    let digits: String = words.concat();
    digits
        .as_bytes()
        .chunks(2)
        .filter_map(|p| {
            std::str::from_utf8(p)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
        })
        .collect()
}

fn check_detail(c: &Checker, delay_loop: Micros) -> TokenStream {
    match &c.detail {
        CheckDetail::None => match c.kind.value {
            CheckerKind::Ping => quote!(Check::Ping),
            _ => quote!(Check::Tcp),
        },
        CheckDetail::Http(h) => {
            let tls = c.kind.value == CheckerKind::SslGet;
            let urls = slice(
                h.urls
                    .iter()
                    .map(|u| {
                        let path = u.path.as_ref().map_or("/", |p| p.value.as_str());
                        let digest = opt(u.digest.as_ref().map(|d| d.value.0), |d| {
                            let b = d.map(num);
                            quote!([#(#b),*])
                        });
                        let status: Vec<TokenStream> = u
                            .status_codes
                            .iter()
                            .map(|s| {
                                let (a, b) = (num(s.value.min), num(s.value.max));
                                quote!((#a, #b))
                            })
                            .collect();
                        let vh = opt_str(u.virtualhost.as_ref().map(|v| v.value.as_str()));
                        quote!(Url { path: #path, digest: #digest, status: &[#(#status),*], virtualhost: #vh })
                    })
                    .collect(),
            );
            let vh = opt_str(h.virtualhost.as_ref().map(|v| v.value.as_str()));
            let sni = bool_(h.enable_sni.as_ref().is_some_and(|s| s.value));
            quote!(Check::Http { tls: #tls, urls: #urls, virtualhost: #vh, sni: #sni })
        }
        CheckDetail::Smtp(s) => {
            let helo = opt_str(s.helo_name.as_ref().map(|h| h.value.as_str()));
            quote!(Check::Smtp { helo_name: #helo })
        }
        CheckDetail::Dns(d) => {
            let qt = d
                .query_type
                .as_ref()
                .map_or_else(|| "SOA".to_owned(), |q| q.value.to_string());
            let name = d.name.as_ref().map_or(".", |n| n.value.as_str());
            quote!(Check::Dns { query_type: #qt, name: #name })
        }
        CheckDetail::Misc(m) => {
            let Some(path) = &m.path else {
                return quote!(Check::Tcp);
            };
            let mut cmd = command(&path.value);
            if path.value.run_as.is_none() {
                if let Some(u) = &m.user {
                    let user = &u.user;
                    let group = opt_str(u.value.group.as_deref());
                    cmd = quote!(#cmd.run_as(#user, #group));
                }
            }
            let timeout = m
                .timeout
                .as_ref()
                .map_or(delay_loop, |t| Micros::from_secs(u64::from(t.value)));
            let timeout = duration(timeout);
            let dynamic = bool_(m.dynamic);
            quote!(Check::Misc { command: #cmd, timeout: Some(#timeout), dynamic: #dynamic })
        }
        CheckDetail::Udp(u) => {
            let payload = opt(u.payload.as_ref(), |p| {
                let b = hex_bytes(&p.value.0).into_iter().map(num);
                quote!(&[#(#b),*])
            });
            quote!(Check::Udp { payload: #payload })
        }
        CheckDetail::File(f) => {
            let tf = f.track_file.as_ref().map_or("", |t| t.value.as_str());
            quote!(Check::File { track_file: #tf })
        }
        CheckDetail::Bfd(b) => {
            let n = b.name.as_ref().map_or("", |t| t.value.as_str());
            quote!(Check::Bfd { name: #n })
        }
    }
}
