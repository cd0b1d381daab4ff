//! kac runtime: the engines kacd runs (VRRP, netlink, link watch, GARP/NA,
//! checkers, IPVS). Nothing here parses keepalived.conf; it consumes the
//! tables the compiler generates ([`site`]).

pub mod netlink;
pub mod site;
pub mod sys;
pub mod time;
pub mod vrrp;
pub mod wire;
