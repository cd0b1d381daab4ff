//! Address, route and rule lines.

use proc_macro2::TokenStream;
use quote::quote;

use super::emit::{bool_, ifname, ip, num, opt, opt_str, prefix, slice};
use crate::ir::addr::{
    AddressEntry, Broadcast, RouteDest, RouteEntry, RtName, RuleAction,
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

/// iproute2's built-in table names.
fn table_id(t: &RtName) -> Option<u32> {
    match t {
        RtName::Id(n) => Some(*n),
        RtName::Name(n) => match n.as_str() {
            "default" => Some(253),
            "main" => Some(254),
            "local" => Some(255),
            _ => None,
        },
    }
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
    let scope = opt(a.scope.as_ref(), |s| match &s.value {
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
    });
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

pub fn route(r: &RouteEntry) -> TokenStream {
    let ipv6 = r
        .dest
        .value
        .family()
        .or(r.family.as_ref().map(|f| f.value))
        .or(r.via.as_ref().map(|v| Family::of(&v.value)))
        == Some(Family::Inet6);
    let d = dest(r.dest.value);
    let via = opt(r.via.as_ref().map(|v| v.value), ip);
    let dev = opt(r.dev.as_ref(), |d| ifname(&d.value));
    let table = opt(r.table.as_ref().and_then(|t| table_id(&t.value)), num);
    let metric = opt(r.metric.as_ref().map(|m| m.value), num);
    let nt = bool_(r.no_track);
    let line = r.to_string();
    quote! {
        Route {
            dest: #d,
            ipv6: #ipv6,
            via: #via,
            dev: #dev,
            table: #table,
            metric: #metric,
            no_track: #nt,
            line: #line,
        }
    }
}

pub fn routes(list: &[RouteEntry]) -> TokenStream {
    slice(list.iter().map(route).collect())
}

pub fn rule(r: &RuleEntry) -> TokenStream {
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
    let from = pfx(r.from.as_ref().map(|f| f.value));
    let to = pfx(r.to.as_ref().map(|f| f.value));
    let pref = opt(r.preference.as_ref().map(|p| p.value), num);
    let table = opt(
        r.action.as_ref().and_then(|a| match &a.value {
            RuleAction::Table(t) => table_id(t),
            _ => None,
        }),
        num,
    );
    let nt = bool_(r.no_track);
    let line = r.to_string();
    quote! {
        Rule {
            ipv6: #ipv6,
            from: #from,
            to: #to,
            preference: #pref,
            table: #table,
            no_track: #nt,
            line: #line,
        }
    }
}

pub fn rules(list: &[RuleEntry]) -> TokenStream {
    slice(list.iter().map(rule).collect())
}
