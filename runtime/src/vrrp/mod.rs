//! VRRP: the pure state machine ([`machine`]). Sockets, netlink and the
//! event loop around it come with the Linux IO layer.

pub mod announce;
pub mod engine;
pub mod host;
pub mod linux_host;
pub mod machine;
pub mod rx;
pub mod socket;
