//! Token helpers shared by the area modules: literals, addresses,
//! durations and commands in the form the runtime's `const fn`
//! constructors take.

use std::net::IpAddr;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::ir::value::{Command, IpPrefix, Micros};

/// An unsuffixed integer literal (`5`, not `5u32`): the field's type
/// decides, which keeps the generated file readable.
pub fn num(n: impl Into<u128>) -> TokenStream {
    let lit = Literal::u128_unsuffixed(n.into());
    quote!(#lit)
}

/// A signed unsuffixed literal.
pub fn int(n: i64) -> TokenStream {
    let lit = Literal::i64_unsuffixed(n.unsigned_abs() as i64);
    if n < 0 {
        quote!(-#lit)
    } else {
        quote!(#lit)
    }
}

pub fn string(s: &str) -> TokenStream {
    quote!(#s)
}

/// A 16-bit number in hex (`0xff02`), as IPv6 addresses are read.
pub fn hex16(n: u16) -> TokenStream {
    let lit = format!("{n:#x}");
    // A hex integer always parses as one literal token.
    lit.parse().unwrap_or_else(|_| num(n))
}

/// A multi-line text as a raw string literal, so the generated file
/// shows it as it reads (`r#"..."#`, with enough `#`s).
pub fn text(s: &str) -> TokenStream {
    let mut hashes = String::from("#");
    while s.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{s}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| string(s))
}

pub fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> TokenStream) -> TokenStream {
    match v {
        Some(x) => {
            let t = f(x);
            quote!(Some(#t))
        }
        None => quote!(None),
    }
}

pub fn opt_str(v: Option<&str>) -> TokenStream {
    opt(v, string)
}

pub fn ip(a: IpAddr) -> TokenStream {
    match a {
        IpAddr::V4(v) => {
            let o = v.octets().map(num);
            quote!(::core::net::IpAddr::V4(::core::net::Ipv4Addr::new(#(#o),*)))
        }
        IpAddr::V6(v) => {
            let s = v.segments().map(hex16);
            quote!(::core::net::IpAddr::V6(::core::net::Ipv6Addr::new(#(#s),*)))
        }
    }
}

pub fn prefix(p: IpPrefix) -> TokenStream {
    let len = num(p.len);
    match p.addr {
        IpAddr::V4(v) => {
            let o = v.octets().map(num);
            quote!(Prefix::v4([#(#o),*], #len))
        }
        IpAddr::V6(v) => {
            let s = v.segments().map(hex16);
            quote!(Prefix::v6([#(#s),*], #len))
        }
    }
}

pub fn duration(m: Micros) -> TokenStream {
    if m.is_whole_seconds() {
        let s = num(m.0 / 1_000_000);
        quote!(::core::time::Duration::from_secs(#s))
    } else {
        let us = num(m.0);
        quote!(::core::time::Duration::from_micros(#us))
    }
}

pub fn secs(s: u64) -> TokenStream {
    duration(Micros::from_secs(s))
}

pub fn ifname(name: &str) -> TokenStream {
    quote!(IfName::new(#name))
}

pub fn command(c: &Command) -> TokenStream {
    let argv = &c.script.argv;
    let base = quote!(Command::new(&[#(#argv),*]));
    match &c.run_as {
        Some(r) => {
            let user = &r.user;
            let group = opt_str(r.group.as_deref());
            quote!(#base.run_as(#user, #group))
        }
        None => base,
    }
}

pub fn opt_command(c: Option<&Command>) -> TokenStream {
    opt(c, command)
}

pub fn bool_(b: bool) -> TokenStream {
    quote!(#b)
}

/// A slice literal of already-emitted items.
pub fn slice(items: Vec<TokenStream>) -> TokenStream {
    quote!(&[#(#items),*])
}
