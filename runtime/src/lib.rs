//! kac runtime: the engines kacd runs (VRRP, netlink, link watch, GARP/NA,
//! checkers, IPVS). Nothing here parses keepalived.conf; it consumes the
//! tables the compiler generates ([`site`]).

pub mod check;
pub mod ipvs;
pub mod netlink;
pub mod notify;
pub mod script;
pub mod site;
pub mod sys;
pub mod time;
pub mod track;
pub mod vrrp;
pub mod wire;
