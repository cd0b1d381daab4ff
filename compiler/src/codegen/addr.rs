//! Address, route and rule lines.

use proc_macro2::TokenStream;
use quote::quote;

use super::emit::{
    bool_, ifname, ip, num, opt, opt_str, prefix, slice, string,
};
use crate::ir::addr::{
    AddMode, AddressEntry, Broadcast, Encap, EncapIp, Locked, Nexthop, Realms,
    RouteDest, RouteEntry, RoutePref, RouteType, RtName, RttTime, RuleAction,
    RuleEntry,
};
use crate::ir::value::Family;

/// iproute2's built-in scope names (`ip address help`).
fn scope_id(name: &str) -> Option<u8> {
    match name {
        "global" | "universe" => Some(0),
        "site" => Some(200),
        "link" => Some(253),
        "host" => Some(254),
        "nowhere" => Some(255),
        _ => None,
    }
}

/// iproute2's built-in table names (`rt_tables`).
fn table_builtin(name: &str) -> Option<u32> {
    match name {
        "unspec" => Some(0),
        "default" => Some(253),
        "main" => Some(254),
        "local" => Some(255),
        _ => None,
    }
}

/// iproute2's built-in protocol names (`rt_protos`).
fn proto_builtin(name: &str) -> Option<u32> {
    Some(match name {
        "unspec" => 0,
        "redirect" => 1,
        "kernel" => 2,
        "boot" => 3,
        "static" => 4,
        "gated" => 8,
        "ra" => 9,
        "mrt" => 10,
        "zebra" => 11,
        "bird" => 12,
        "dnrouted" => 13,
        "xorp" => 14,
        "ntk" => 15,
        "dhcp" => 16,
        "keepalived" => 18,
        "babel" => 42,
        "bgp" => 186,
        "isis" => 187,
        "ospf" => 188,
        "rip" => 189,
        "eigrp" => 192,
        _ => return None,
    })
}

/// IP protocol names every /etc/protocols has.
fn ipproto_builtin(name: &str) -> Option<u32> {
    Some(match name {
        "icmp" => 1,
        "igmp" => 2,
        "tcp" => 6,
        "udp" => 17,
        "ipv6" => 41,
        "gre" => 47,
        "esp" => 50,
        "ah" => 51,
        "ipv6-icmp" => 58,
        "sctp" => 132,
        "udplite" => 136,
        _ => return None,
    })
}

/// An iproute2 name or number: resolved when built in, else looked up
/// on the router (`RtId::Name`).
fn rt_id(n: &RtName, builtin: fn(&str) -> Option<u32>) -> TokenStream {
    let id = match n {
        RtName::Id(v) => Some(*v),
        RtName::Name(s) => builtin(s),
    };
    match (id, n) {
        (Some(v), _) => {
            let v = num(v);
            quote!(RtId::Id(#v))
        }
        (None, RtName::Name(s)) => quote!(RtId::Name(#s)),
        (None, RtName::Id(_)) => quote!(RtId::Id(0)),
    }
}

fn no_builtin(_: &str) -> Option<u32> {
    None
}

pub fn address(a: &AddressEntry) -> TokenStream {
    let p = prefix(a.address.value);
    let dev = opt(a.dev.as_ref(), |d| ifname(&d.value));
    let brd = opt(a.broadcast.as_ref(), |b| match b.value {
        Broadcast::Addr(v4) => {
            let o = v4.octets().map(num);
            quote!(Broadcast::Addr(::core::net::Ipv4Addr::new(#(#o),*)))
        }
        Broadcast::Plus => quote!(Broadcast::Plus),
        Broadcast::Minus => quote!(Broadcast::Minus),
    });
    let scope = opt(a.scope.as_ref(), |s| scope(&s.value));
    let label = opt_str(a.label.as_ref().map(|l| l.value.as_str()));
    let peer = opt(a.peer.as_ref().map(|p| p.value), ip);
    let (home, nodad, npr, nt) = (
        bool_(a.home),
        bool_(a.nodad),
        bool_(a.noprefixroute),
        bool_(a.no_track),
    );
    let line = a.to_string();
    quote! {
        Address {
            prefix: #p,
            dev: #dev,
            broadcast: #brd,
            scope: #scope,
            label: #label,
            peer: #peer,
            home: #home,
            nodad: #nodad,
            noprefixroute: #npr,
            no_track: #nt,
            line: #line,
        }
    }
}

pub fn addresses(list: &[AddressEntry]) -> TokenStream {
    slice(list.iter().map(address).collect())
}

fn dest(d: RouteDest) -> TokenStream {
    match d {
        RouteDest::Default => quote!(None),
        RouteDest::Prefix(p) => {
            let p = prefix(p);
            quote!(Some(#p))
        }
    }
}

fn route_type(t: RouteType) -> TokenStream {
    match t {
        RouteType::Local => quote!(RouteType::Local),
        RouteType::Nat => quote!(RouteType::Nat),
        RouteType::Broadcast => quote!(RouteType::Broadcast),
        RouteType::Anycast => quote!(RouteType::Anycast),
        RouteType::Multicast => quote!(RouteType::Multicast),
        RouteType::Prohibit => quote!(RouteType::Prohibit),
        RouteType::Unreachable => quote!(RouteType::Unreachable),
        RouteType::Blackhole => quote!(RouteType::Blackhole),
        RouteType::Xresolve => quote!(RouteType::Xresolve),
        RouteType::Unicast => quote!(RouteType::Unicast),
        RouteType::Throw => quote!(RouteType::Throw),
        RouteType::Other(n) => {
            let n = num(n);
            quote!(RouteType::Other(#n))
        }
    }
}

fn locked_u32(l: &Locked<u32>) -> TokenStream {
    locked(l.lock, num(l.value))
}

fn locked(lock: bool, v: TokenStream) -> TokenStream {
    if lock {
        quote!(Locked::with_lock(#v))
    } else {
        quote!(Locked::new(#v))
    }
}

/// `rtt`/`rttvar`/`rto_min` in the kernel's units (`mult` per ms),
/// moved into 200 ms..120 s as keepalived does (the compiler warns).
fn rtt(l: &Locked<RttTime>, mult: u64) -> TokenStream {
    let units = match l.value {
        RttTime::Raw(n) => u64::from(n),
        RttTime::Millis(n) => u64::from(n) * mult,
    };
    let units = units.clamp(200 * mult, 120_000 * mult);
    locked(l.lock, num(units))
}

fn realms(r: &Realms) -> TokenStream {
    let from = opt(r.from.as_ref(), |f| rt_id(f, no_builtin));
    let to = rt_id(&r.to, no_builtin);
    quote!(Realms { from: #from, to: #to })
}

fn encap(e: &Encap) -> TokenStream {
    let ip_opts = |e: &EncapIp| {
        let id = opt(e.id, num);
        let dst = opt(e.dst, ip);
        let src = opt(e.src, ip);
        let tos = opt(e.tos.as_ref(), |t| rt_id(t, no_builtin));
        let ttl = opt(e.ttl, num);
        let flags = opt(e.flags, num);
        quote!(EncapIp {
            id: #id, dst: #dst, src: #src, tos: #tos, ttl: #ttl, flags: #flags
        })
    };
    match e {
        Encap::Ip(o) => {
            let o = ip_opts(o);
            quote!(Encap::Ip(#o))
        }
        Encap::Ip6(o) => {
            let o = ip_opts(o);
            quote!(Encap::Ip6(#o))
        }
        Encap::Mpls(labels) => {
            let l = labels.iter().map(|v| num(*v));
            quote!(Encap::Mpls(&[#(#l),*]))
        }
        Encap::Ila(g) => {
            let g = g.map(num);
            quote!(Encap::Ila([#(#g),*]))
        }
    }
}

fn nexthop(n: &Nexthop) -> TokenStream {
    let via = opt(n.via.as_ref().map(|v| v.value), ip);
    let dev = opt(n.dev.as_ref(), |d| ifname(&d.value));
    let weight = opt(n.weight.as_ref().map(|w| w.value), num);
    let onlink = bool_(n.onlink);
    let enc = opt(n.encap.as_ref(), |e| encap(&e.value));
    let rl = opt(n.realms.as_ref(), |r| realms(&r.value));
    quote!(Nexthop {
        via: #via, dev: #dev, weight: #weight, onlink: #onlink,
        encap: #enc, realms: #rl,
    })
}

/// Whether a route is IPv6: its destination, family word, gateway,
/// source or first nexthop gateway says so.
fn route_is_v6(r: &RouteEntry) -> bool {
    r.dest
        .value
        .family()
        .or(r.family.as_ref().map(|f| f.value))
        .or(r.via.as_ref().map(|v| Family::of(&v.value)))
        .or(r.src.as_ref().map(|v| Family::of(&v.value)))
        .or(r
            .nexthops
            .iter()
            .find_map(|n| n.via.as_ref().map(|v| Family::of(&v.value))))
        == Some(Family::Inet6)
}

pub fn route(r: &RouteEntry) -> TokenStream {
    let ipv6 = route_is_v6(r);
    let d = dest(r.dest.value);
    let kind = opt(r.rtype.as_ref().map(|t| t.value), route_type);
    let src = opt(r.src.as_ref().map(|v| v.value), ip);
    let from = match r.from.as_ref().map(|f| f.value) {
        Some(RouteDest::Prefix(p)) => {
            let p = prefix(p);
            quote!(Some(#p))
        }
        _ => quote!(None),
    };
    let via = opt(r.via.as_ref().map(|v| v.value), ip);
    let dev = opt(r.dev.as_ref(), |d| ifname(&d.value));
    let onlink = bool_(r.onlink);
    let scope = opt(r.scope.as_ref(), |s| scope(&s.value));
    let table = opt(r.table.as_ref(), |t| rt_id(&t.value, table_builtin));
    let vrf = opt(r.vrf.as_ref(), |v| ifname(&v.value));
    let metric = opt(r.metric.as_ref().map(|m| m.value), num);
    let protocol = opt(r.protocol.as_ref(), |p| rt_id(&p.value, proto_builtin));
    let tos = opt(r.tos.as_ref(), |t| rt_id(&t.value, no_builtin));
    let enc = opt(r.encap.as_ref(), |e| encap(&e.value));
    let expires = opt(r.expires.as_ref().map(|e| e.value), num);
    let lu = |v: &Option<crate::ir::value::Sp<Locked<u32>>>| {
        opt(v.as_ref(), |l| locked_u32(&l.value))
    };
    let plain = |v: &Option<crate::ir::value::Sp<u32>>| {
        opt(v.as_ref(), |n| locked(false, num(n.value)))
    };
    let (mtu, advmss, reordering, cwnd, ssthresh) = (
        lu(&r.mtu),
        lu(&r.advmss),
        lu(&r.reordering),
        lu(&r.cwnd),
        lu(&r.ssthresh),
    );
    let (window, initcwnd, initrwnd) =
        (plain(&r.window), plain(&r.initcwnd), plain(&r.initrwnd));
    let hoplimit = opt(r.hoplimit.as_ref(), |h| {
        locked(false, num(u32::from(h.value)))
    });
    let rtt_ = opt(r.rtt.as_ref(), |l| rtt(&l.value, 8));
    let rttvar = opt(r.rttvar.as_ref(), |l| rtt(&l.value, 4));
    let rto_min = opt(r.rto_min.as_ref(), |l| rtt(&l.value, 1));
    let ecn = bool_(r.ecn);
    let quickack = opt(r.quickack.as_ref().map(|b| b.value), bool_);
    let congctl = opt(r.congctl.as_ref(), |c| {
        locked(c.value.lock, string(&c.value.value))
    });
    let fastopen = opt(r.fastopen_no_cookie.as_ref().map(|b| b.value), bool_);
    let rl = opt(r.realms.as_ref(), |x| realms(&x.value));
    let pref = opt(r.pref.as_ref().map(|p| p.value), |p| match p {
        RoutePref::Low => quote!(RoutePref::Low),
        RoutePref::Medium => quote!(RoutePref::Medium),
        RoutePref::High => quote!(RoutePref::High),
        RoutePref::Other(n) => {
            let n = num(n);
            quote!(RoutePref::Other(#n))
        }
    });
    let ttl_prop = opt(r.ttl_propagate.as_ref().map(|b| b.value), bool_);
    let add_mode = opt(r.add_mode.as_ref().map(|m| m.value), |m| match m {
        AddMode::Add => quote!(AddMode::Add),
        AddMode::Prepend => quote!(AddMode::Prepend),
        AddMode::Append => quote!(AddMode::Append),
    });
    let nhs = slice(r.nexthops.iter().map(nexthop).collect());
    let nt = bool_(r.no_track);
    let line = r.to_string();
    quote! {
        Route {
            dest: #d,
            ipv6: #ipv6,
            kind: #kind,
            src: #src,
            from: #from,
            via: #via,
            dev: #dev,
            onlink: #onlink,
            scope: #scope,
            table: #table,
            vrf: #vrf,
            metric: #metric,
            protocol: #protocol,
            tos: #tos,
            encap: #enc,
            expires: #expires,
            metrics: Metrics {
                mtu: #mtu,
                window: #window,
                rtt: #rtt_,
                rttvar: #rttvar,
                ssthresh: #ssthresh,
                cwnd: #cwnd,
                advmss: #advmss,
                reordering: #reordering,
                hoplimit: #hoplimit,
                initcwnd: #initcwnd,
                ecn: #ecn,
                rto_min: #rto_min,
                initrwnd: #initrwnd,
                quickack: #quickack,
                congctl: #congctl,
                fastopen_no_cookie: #fastopen,
            },
            realms: #rl,
            pref: #pref,
            ttl_propagate: #ttl_prop,
            add_mode: #add_mode,
            nexthops: #nhs,
            no_track: #nt,
            line: #line,
        }
    }
}

fn scope(s: &RtName) -> TokenStream {
    match s {
        RtName::Id(n) => {
            let n = num(u8::try_from(*n).unwrap_or(u8::MAX));
            quote!(Scope::Id(#n))
        }
        RtName::Name(n) => match scope_id(n) {
            Some(id) => {
                let id = num(id);
                quote!(Scope::Id(#id))
            }
            None => quote!(Scope::Name(#n)),
        },
    }
}

pub fn routes(list: &[RouteEntry]) -> TokenStream {
    slice(list.iter().map(route).collect())
}

/// A rule; `default_pref` is the preference keepalived gives it when the
/// line has none.
fn rule_with(r: &RuleEntry, default_pref: u32) -> TokenStream {
    let fam = r
        .family
        .as_ref()
        .map(|f| f.value)
        .or(r.from.as_ref().and_then(|f| f.value.family()))
        .or(r.to.as_ref().and_then(|f| f.value.family()));
    let ipv6 = fam == Some(Family::Inet6);
    let pfx = |d: Option<RouteDest>| match d {
        Some(RouteDest::Prefix(p)) => {
            let p = prefix(p);
            quote!(Some(#p))
        }
        _ => quote!(None),
    };
    let not = bool_(r.not);
    let from = pfx(r.from.as_ref().map(|f| f.value));
    let to = pfx(r.to.as_ref().map(|f| f.value));
    let pref = num(r.preference.as_ref().map_or(default_pref, |p| p.value));
    let tos = opt(r.tos.as_ref(), |t| rt_id(&t.value, no_builtin));
    let fwmark = opt(r.fwmark.as_ref().map(|f| f.value.mark), num);
    let fwmask = opt(r.fwmark.as_ref().and_then(|f| f.value.mask), num);
    let iif = opt(r.iif.as_ref(), |d| ifname(&d.value));
    let oif = opt(r.oif.as_ref(), |d| ifname(&d.value));
    let rl = opt(r.realms.as_ref(), |x| realms(&x.value));
    let spl = opt(r.suppress_prefixlength.as_ref().map(|v| v.value), num);
    let sig = opt(r.suppress_ifgroup.as_ref(), |g| {
        rt_id(&g.value, |n| (n == "default").then_some(0))
    });
    let tun = opt(r.tunnel_id.as_ref().map(|v| v.value), num);
    let uid = opt(r.uidrange.as_ref().map(|v| v.value), |u| {
        let (a, b) = (num(u.start), num(u.end));
        quote!(Range { start: #a, end: #b })
    });
    let l3 = bool_(r.l3mdev);
    let proto = opt(r.protocol.as_ref().map(|v| v.value), num);
    let ipproto = opt(r.ipproto.as_ref(), |p| rt_id(&p.value, ipproto_builtin));
    let port = |p: Option<crate::ir::addr::Range<u16>>| {
        opt(p, |p| {
            let (a, b) = (num(p.start), num(p.end));
            quote!(Range { start: #a, end: #b })
        })
    };
    let sport = port(r.sport.as_ref().map(|v| v.value));
    let dport = port(r.dport.as_ref().map(|v| v.value));
    let action = opt(r.action.as_ref(), |a| match &a.value {
        RuleAction::Table(t) => {
            let t = rt_id(t, table_builtin);
            quote!(RuleAction::Table(#t))
        }
        RuleAction::Goto(n) => {
            let n = num(*n);
            quote!(RuleAction::Goto(#n))
        }
        RuleAction::Nop => quote!(RuleAction::Nop),
        RuleAction::Blackhole => quote!(RuleAction::Blackhole),
        RuleAction::Unreachable => quote!(RuleAction::Unreachable),
        RuleAction::Prohibit => quote!(RuleAction::Prohibit),
    });
    let nt = bool_(r.no_track);
    let line = r.to_string();
    quote! {
        Rule {
            ipv6: #ipv6,
            not: #not,
            from: #from,
            to: #to,
            preference: Some(#pref),
            tos: #tos,
            fwmark: #fwmark,
            fwmask: #fwmask,
            iif: #iif,
            oif: #oif,
            realms: #rl,
            suppress_prefixlen: #spl,
            suppress_ifgroup: #sig,
            tunnel_id: #tun,
            uidrange: #uid,
            l3mdev: #l3,
            protocol: #proto,
            ipproto: #ipproto,
            sport: #sport,
            dport: #dport,
            action: #action,
            no_track: #nt,
            line: #line,
        }
    }
}

/// The rules of one list; those without a preference get keepalived's,
/// counting down from 16384 in the order written.
pub fn rules(list: &[RuleEntry]) -> TokenStream {
    let mut next = 16384u32;
    slice(
        list.iter()
            .map(|r| {
                let pref = next;
                if r.preference.is_none() {
                    next = next.saturating_sub(1);
                }
                rule_with(r, pref)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use crate::{compile_str, Options};

    /// The generated tokens of the config's static routes and rules, as
    /// one line of text.
    fn statics(text: &str) -> (String, String) {
        let c = compile_str("keepalived.conf", text, &Options::default());
        assert!(!c.has_errors(), "{}", c.render_human());
        (
            super::routes(&c.config.statics.routes).to_string(),
            super::rules(&c.config.statics.rules).to_string(),
        )
    }

    #[test]
    fn rules_without_preference_count_down_from_16384() {
        let (_, rules) = statics(
            "static_rules {\n from 192.0.2.1 table 1\n \
             from 192.0.2.2 table 2 preference 7\n \
             from 192.0.2.3 table main\n}\n",
        );
        let prefs: Vec<&str> = rules
            .split("preference : ")
            .skip(1)
            .map(|s| s.split(',').next().unwrap_or("").trim())
            .collect();
        assert_eq!(prefs, ["Some (16384)", "Some (7)", "Some (16383)"]);
        assert!(rules.contains("RuleAction :: Table (RtId :: Id (254))"));
    }

    #[test]
    fn route_options_resolved_and_clamped() {
        let (routes, _) = statics(
            "static_routes {\n 192.0.2.0/24 dev eth0 table blue protocol bird \
             rtt 100ms rttvar lock 1s rto_min 200s no_track\n \
             2001:db8::/32 dev eth0 metric 5 pref high\n}\n",
        );
        // Built-in names become numbers, others stay names for the
        // router's iproute2 files.
        assert!(routes.contains("table : Some (RtId :: Name (\"blue\"))"));
        assert!(routes.contains("protocol : Some (RtId :: Id (12))"));
        // rtt in 1/8 ms, rttvar in 1/4 ms, rto_min in ms, into
        // 200 ms..120 s.
        assert!(routes.contains("rtt : Some (Locked :: new (1600))"));
        assert!(routes.contains("rttvar : Some (Locked :: with_lock (4000))"));
        assert!(routes.contains("rto_min : Some (Locked :: new (120000))"));
        assert!(routes.contains("ipv6 : true"), "{routes}");
        assert!(routes.contains("pref : Some (RoutePref :: High)"));
    }
}
